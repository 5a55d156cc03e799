"""Build a ready engine from :class:`~bot.settings.Settings`.

The one place that knows how the pieces fit: migrate the database, open the
storage, put the coach behind the engine. Adapters and the terminal chat use
:func:`open_runtime` (or :func:`open_engine`); ``serve`` builds its engine on
its own database pool with :func:`build_engine`. Imports storage and the
database driver — never import this module from ``--help`` paths.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.engine import Engine
from bot.reminders import ReminderScheduler, SendReplies
from flows.coach import Coach
from flows.i18n import normalise_language
from flows.io import ConversationKey

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.settings import Settings
    from storage import Storage

_LOGGER = logging.getLogger(__name__)


async def upgrade_database(*, settings: Settings) -> str | None:
    """Apply the Alembic migrations to ``settings.database_url``; return the revision."""
    from storage import upgrade

    return await upgrade(settings.database_url)


def build_storage(*, settings: Settings, database: AsyncEngine | None = None) -> Storage:
    """The storage for ``settings.database_url`` (on ``database``'s pool when given)."""
    from storage import Storage

    if database is not None:
        return Storage.from_engine(database)
    return Storage(settings.database_url)


def build_engine(*, settings: Settings, database: AsyncEngine | None = None) -> Engine:
    """The engine: storage + coach, with the configured default language."""
    return Engine(
        storage=build_storage(settings=settings, database=database),
        coach=Coach(),
        default_language=settings.default_language,
    )


@dataclass(slots=True)
class Runtime:
    """A ready engine with its storage; created by :func:`open_runtime`."""

    settings: Settings
    storage: Storage
    engine: Engine

    async def set_language(self, *, key: ConversationKey, language: str) -> None:
        """Store the coach's language for ``key`` (the terminal's ``--lang``)."""
        user = await self.storage.get_or_create_user(key)
        await self.storage.set_language(user_id=user.id, language=normalise_language(language))

    async def stored_language(self, *, key: ConversationKey) -> str | None:
        """The language ``key`` chose earlier (``/lang`` or ``--lang``), if any."""
        user = await self.storage.find_user(key)
        return normalise_language(user.language) if user is not None and user.language else None

    @contextlib.asynccontextmanager
    async def reminders(self, *, platform: str, send: SendReplies) -> AsyncIterator[None]:
        """Deliver due reminders of ``platform`` through ``send`` while the block runs."""
        scheduler = ReminderScheduler(
            engine=self.engine,
            platform=platform,
            send=send,
            interval=self.settings.reminder_interval_seconds,
        )
        scheduler.start()
        try:
            yield
        finally:
            await scheduler.stop()


@contextlib.asynccontextmanager
async def open_runtime(*, settings: Settings, upgrade: bool = True) -> AsyncIterator[Runtime]:
    """Migrate (unless ``upgrade`` is false), open storage and engine; dispose on exit."""
    if upgrade:
        await upgrade_database(settings=settings)
    storage = build_storage(settings=settings)
    try:
        engine = Engine(storage=storage, coach=Coach(), default_language=settings.default_language)
        yield Runtime(settings=settings, storage=storage, engine=engine)
    finally:
        await storage.dispose()


@contextlib.asynccontextmanager
async def open_engine(*, settings: Settings, upgrade: bool = True) -> AsyncIterator[Engine]:
    """Like :func:`open_runtime`, yielding only the engine."""
    async with open_runtime(settings=settings, upgrade=upgrade) as runtime:
        yield runtime.engine
