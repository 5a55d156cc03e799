"""Build a ready engine from :class:`~bot.settings.Settings`.

The one place that knows how the pieces fit: migrate the database, open the
storage, put the coach behind the engine. Adapters and the terminal chat use
:func:`open_runtime` (or :func:`open_engine`); ``serve`` builds its engine on
its own database pool with :func:`build_engine`. Imports storage and the
database driver — never import this module from ``--help`` paths.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.engine import Engine, ReminderDelivery
from flows.coach import Coach
from flows.i18n import normalise_language
from flows.io import ConversationKey

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.settings import Settings
    from storage import Storage

_LOGGER = logging.getLogger(__name__)

#: Called with each reminder that fell due for the adapter's platform.
DeliverReminder = Callable[[ReminderDelivery], Awaitable[None]]


async def upgrade_database(*, settings: Settings) -> str | None:
    """Apply the Alembic migrations to ``settings.database_url``; return the revision."""
    from storage import upgrade

    return await upgrade(settings.database_url)


def build_storage(*, settings: Settings, database: AsyncEngine | None = None) -> Storage:
    """The storage for ``settings.database_url`` (on ``database``'s pool when given)."""
    from storage import Storage

    if database is not None and hasattr(Storage, "from_engine"):
        return Storage.from_engine(database)  # type: ignore[no-any-return]
    return Storage(settings.database_url)


def build_engine(*, settings: Settings, database: AsyncEngine | None = None) -> Engine:
    """The engine: storage + coach, with the configured default language."""
    storage = build_storage(settings=settings, database=database)
    return Engine(
        storage=storage,  # type: ignore[call-arg]
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

    @contextlib.asynccontextmanager
    async def reminders(self, *, platform: str, deliver: DeliverReminder) -> AsyncIterator[None]:
        """Deliver due reminders of ``platform`` through ``deliver`` while the block runs."""
        task = asyncio.create_task(
            _deliver_reminders_forever(
                self.engine,
                platform=platform,
                deliver=deliver,
                interval=self.settings.reminder_interval_seconds,
            ),
            name=f"reminders-{platform}",
        )
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _deliver_reminders_forever(
    engine: Engine, *, platform: str, deliver: DeliverReminder, interval: float
) -> None:
    while True:
        try:
            due = await engine.claim_due_reminders(platform=platform)
        except Exception as error:
            _LOGGER.warning("claiming reminders failed: %s", type(error).__name__)
            due = []
        for delivery in due:
            try:
                await deliver(delivery)
            except Exception as error:
                _LOGGER.warning("delivering a reminder failed: %s", type(error).__name__)
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def open_runtime(*, settings: Settings, upgrade: bool = True) -> AsyncIterator[Runtime]:
    """Migrate (unless ``upgrade`` is false), open storage and engine; dispose on exit."""
    if upgrade:
        await upgrade_database(settings=settings)
    storage = build_storage(settings=settings)
    try:
        engine = Engine(
            storage=storage,  # type: ignore[call-arg]
            coach=Coach(),
            default_language=settings.default_language,
        )
        yield Runtime(settings=settings, storage=storage, engine=engine)
    finally:
        await storage.dispose()


@contextlib.asynccontextmanager
async def open_engine(*, settings: Settings, upgrade: bool = True) -> AsyncIterator[Engine]:
    """Like :func:`open_runtime`, yielding only the engine."""
    async with open_runtime(settings=settings, upgrade=upgrade) as runtime:
        yield runtime.engine
