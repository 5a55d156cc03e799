"""Fixtures: the Bot API stand-in, a real engine on a fresh SQLite file, the real adapter.

Updates reach the bot the two ways Telegram delivers them: long polling
(``polling_deliver``: queued in the stand-in, fetched by the polling loop,
stored in the inbox and worked on from there) and
the webhook path (``webhook_deliver``: ``process_webhook_update``). Both
return only once the bot has processed the update, so tests need no sleeps.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram.channel import TelegramChannel
from bot.engine import Engine
from flows.coach import Coach
from storage import Storage, upgrade
from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.standins.telegram_user import Deliver, TelegramUser
from tests.helpers.storage_helpers import sqlite_url

MakeUser = Callable[..., TelegramUser]


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB 22 durations as ``timedelta``, as ``rejection-coach`` sets it in its entry point."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
async def api() -> AsyncIterator[BotApiStandIn]:
    """The Bot API stand-in on 127.0.0.1."""
    async with BotApiStandIn() as stand_in:
        yield stand_in


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    """Storage on a fresh, migrated SQLite file."""
    url = sqlite_url(tmp_path / "coach.db")
    await upgrade(url)
    store = Storage(url)
    try:
        yield store
    finally:
        await store.dispose()


class Clock:
    """A clock the test moves forward (reminder due times)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        """Move the time forward by ``delta``."""
        self.now += delta


@pytest.fixture
def clock() -> Clock:
    """The engine's clock, starting now."""
    return Clock()


@pytest.fixture
def engine(storage: Storage, clock: Clock) -> Engine:
    """The real engine: storage + coach, on the test's clock."""
    return Engine(storage=storage, coach=Coach(), clock=clock)


@pytest.fixture
async def adapter(api: BotApiStandIn, engine: Engine) -> AsyncIterator[TelegramChannel]:
    """The real adapter, started (getMe, setMyCommands), pointed at the stand-in."""
    bot = TelegramChannel(engine=engine, token=api.token, base_url=api.base_url)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


@pytest.fixture
async def polling_deliver(api: BotApiStandIn, adapter: TelegramChannel) -> Deliver:
    """Deliver by long polling: queue the update, wait until it was fetched and worked on."""
    await adapter.start_polling(timeout=1.0)

    async def deliver(update: dict[str, Any]) -> None:
        update_id = api.push_update(update)
        await api.wait_polled_past(update_id)  # stored: the offset moved past it
        await adapter.drain()

    return deliver


@pytest.fixture
def webhook_deliver(api: BotApiStandIn, adapter: TelegramChannel) -> Deliver:
    """Deliver as the webhook does: process the update before returning."""

    async def deliver(update: dict[str, Any]) -> None:
        update["update_id"] = api.new_update_id()
        await adapter.process_webhook_update(update)

    return deliver


_USER_IDS = itertools.count(5001)


@pytest.fixture
def make_user(api: BotApiStandIn, webhook_deliver: Deliver) -> MakeUser:
    """Build a user in a private chat; updates go through ``deliver`` (webhook by default)."""

    def make(
        *, language_code: str | None = "bg", deliver: Deliver | None = None, **kw: Any
    ) -> TelegramUser:
        return TelegramUser(
            api=api,
            deliver=deliver or webhook_deliver,
            user_id=next(_USER_IDS),
            language_code=language_code,
            **kw,
        )

    return make
