"""The composition root: the only place an :class:`~bot.engine.Engine` is built.

Migrate the database, open the storage, put the coach behind the engine, and
run a channel with its reminder scheduler. The channels' own ``run`` (the CLI
subcommands) use :func:`run_standalone` or :func:`open_runtime` +
:func:`run_channel`; ``serve`` builds its engine on its own database pool with
:func:`build_engine` and the same :func:`reminder_scheduler`. Imports storage
and the database driver — never import this module from ``--help`` paths.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.engine import Engine, EngineObserver
from bot.engine.pacing import Rate
from bot.llm import Polisher
from bot.reminders import ReminderScheduler
from bot.settings import update_id_key
from bot.signals import run_until_stopped
from flows.coach import Coach

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.channels.base import Channel, ChannelFactory
    from bot.llm import PolishOutcome
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


def build_polisher(
    *, settings: Settings, observer: Callable[[str, PolishOutcome], None] | None = None
) -> Polisher | None:
    """The optional AI model (issue 16); ``None`` when ``LLM_BASE_URL``/``LLM_MODEL`` are unset.

    Building it never imports ``openai`` (that happens on the first call).
    """
    llm = settings.llm()
    if not llm.enabled:
        return None
    _LOGGER.info("AI polish on (model calls go to the configured LLM_BASE_URL)")
    return Polisher(llm, observer=observer)


def build_engine(
    *,
    settings: Settings,
    storage: Storage,
    observer: EngineObserver | None = None,
    llm_observer: Callable[[str, PolishOutcome], None] | None = None,
) -> Engine:
    """The engine: ``storage`` + the coach, the default language, observers, the AI model.

    With ``REDIS_URL`` the send budgets shared by the workers are kept in Redis.
    """
    engine = Engine(
        storage=storage,
        coach=Coach(),
        default_language=settings.default_language,
        observer=observer,
        polisher=build_polisher(settings=settings, observer=llm_observer),
        update_id_key=update_id_key(settings),
    )
    engine.outbox.lease = timedelta(seconds=settings.outbox_lease_seconds)
    engine.outbox.pacer.platform_rates["telegram"] = Rate(settings.telegram_messages_per_second)
    if settings.redis_url is not None:
        # The shared send budgets in Redis instead of PostgreSQL (redis is imported here
        # only; Engine.aclose closes the client).
        from bot.engine.pacing_redis import RedisBudgets

        engine.outbox.pacer.shared = RedisBudgets.from_url(
            settings.redis_url, prefix=settings.redis_key_prefix
        )
        _LOGGER.info("shared send budgets in Redis (REDIS_URL)")
    return engine


def reminder_scheduler(
    channel: Channel, *, engine: Engine, settings: Settings
) -> ReminderScheduler:
    """The scheduler that delivers ``channel``'s due reminders through ``channel.deliver``."""
    return ReminderScheduler(
        engine=engine,
        platform=channel.name,
        send=channel.deliver,
        interval=settings.reminder_interval_seconds,
    )


@dataclass(slots=True)
class Runtime:
    """A ready engine with its storage; created by :func:`open_runtime`."""

    settings: Settings
    storage: Storage
    engine: Engine


@contextlib.asynccontextmanager
async def open_runtime(*, settings: Settings, upgrade: bool = True) -> AsyncIterator[Runtime]:
    """Migrate (unless ``upgrade`` is false), open storage and engine; dispose on exit."""
    if upgrade:
        await upgrade_database(settings=settings)
    storage = build_storage(settings=settings)
    try:
        engine = build_engine(settings=settings, storage=storage)
        try:
            yield Runtime(settings=settings, storage=storage, engine=engine)
        finally:
            await engine.aclose()
    finally:
        await storage.dispose()


@contextlib.asynccontextmanager
async def open_engine(*, settings: Settings, upgrade: bool = True) -> AsyncIterator[Engine]:
    """Like :func:`open_runtime`, yielding only the engine."""
    async with open_runtime(settings=settings, upgrade=upgrade) as runtime:
        yield runtime.engine


async def run_channel(channel: Channel, *, runtime: Runtime) -> None:
    """Start ``channel``, run it and its reminders until SIGINT/SIGTERM, then stop it.

    The channel's own receiving (:meth:`Channel.run`), the reminder loop and the
    outbox's delivery loop run side by side; if one ends or fails, the others are
    stopped too, so a dead loop ends the process instead of leaving a half-working bot.
    """
    reminders = reminder_scheduler(channel, engine=runtime.engine, settings=runtime.settings)
    # Model calls (issue 16) in the background, their replies sent like a reminder's;
    # the terminal registers its own printer on start.
    runtime.engine.deliver_model_answers_with(channel.name, channel.deliver)
    await channel.start()
    try:
        # The outbox's delivery loop (issue 13) retries what failed and takes reminders.
        jobs = [channel.run, reminders.run, runtime.engine.outbox.run]
        recover_inbox = getattr(channel, "recover_inbox", None)  # Slack's HTTP mode
        if recover_inbox is not None:
            jobs.append(recover_inbox)
        await run_until_stopped(*jobs)
    finally:
        await runtime.engine.aclose()  # model calls in flight still reach the channel
        await channel.stop()


async def run_standalone(
    factory: ChannelFactory, *, settings: Settings, options: argparse.Namespace | None = None
) -> int:
    """Open the runtime, build the channel from ``settings`` and run it; the exit code."""
    async with open_runtime(settings=settings) as runtime:
        channel = factory.from_settings(settings=settings, engine=runtime.engine, options=options)
        await run_channel(channel, runtime=runtime)
    return 0
