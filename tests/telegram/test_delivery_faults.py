"""Faults on the reply's send (issue 13): the user still gets every reply, in order, once.

The Bot API stand-in answers chosen ``sendMessage`` calls with a 500, a 502, a 429 with
``retry_after``, or holds one past the bot's read timeout. The conversation the user
sees (texts and buttons, as they look at the end) must equal the one a clean run
produces — the outbox retries what failed, in order, and sends nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.channels.telegram.channel import TelegramChannel
from bot.engine import Engine
from flows.coach import Coach
from flows.i18n import t
from storage import Storage, utc_now
from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.standins.telegram_user import TelegramUser
from tests.telegram.script import Action, facts

LANGUAGE = "en"
#: The conversation of every run: from /start to the call request (12 steps).
SCRIPT: list[Action] = facts(client="Acme Studio")

Fault = Callable[[BotApiStandIn], None]


@pytest.fixture
def engine(storage: Storage) -> Engine:
    """The engine on the real clock, retrying quickly (the delivery loop runs)."""
    engine = Engine(storage=storage, coach=Coach(), clock=utc_now)
    engine.outbox.retry_base = 0.05
    engine.outbox.poll_interval = 0.05
    return engine


@pytest.fixture
async def delivering(adapter: TelegramChannel, engine: Engine) -> AsyncIterator[None]:
    """The outbox's delivery loop, as every process runs it."""
    task = asyncio.create_task(engine.outbox.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _settled(engine: Engine, *, timeout: float = 15.0) -> None:
    """Wait until the outbox holds nothing pending (the user saw every reply)."""
    async with asyncio.timeout(timeout):
        while True:
            stats = await engine.outbox.stats()
            if stats is not None and stats.pending == 0:
                return
            await asyncio.sleep(0.02)


def _transcript(api: BotApiStandIn, chat_id: int) -> list[tuple[str, list[str]]]:
    """What the user sees: each bot message's text and button labels, oldest first."""
    return [
        (
            message["text"],
            [
                b["text"]
                for row in message.get("reply_markup", {}).get("inline_keyboard", [])
                for b in row
            ],
        )
        for message in api.chat_messages(chat_id)
    ]


async def _play(
    api: BotApiStandIn,
    adapter: TelegramChannel,
    engine: Engine,
    *,
    user_id: int,
    faults: dict[int, Fault],
) -> list[tuple[str, list[str]]]:
    """Play :data:`SCRIPT` as ``user_id``; before action ``i`` apply ``faults[i]``."""

    async def deliver(update: dict[str, Any]) -> None:
        update["update_id"] = api.new_update_id()
        await adapter.process_webhook_update(update)

    user = TelegramUser(api=api, deliver=deliver, user_id=user_id, language_code=LANGUAGE)
    for index, (kind, value) in enumerate(SCRIPT):
        if index in faults:
            faults[index](api)
        if kind == "say":
            await user.say(value)
        else:
            await user.press(t(LANGUAGE, value))
        # A person answers the question they see: wait until it arrived.
        await _settled(engine)
    return _transcript(api, user.chat_id)


def _server_error(code: int) -> Fault:
    return lambda api: api.fail_next_times("sendMessage", 2, error_code=code)


FAULTS: dict[str, dict[int, Fault]] = {
    "500": {0: _server_error(500), 4: _server_error(500), 9: _server_error(500)},
    "502": {1: _server_error(502), 6: _server_error(502)},
    "429": {
        2: lambda api: api.fail_next("sendMessage", error_code=429, retry_after=1),
        7: lambda api: api.fail_next("sendMessage", error_code=429, retry_after=1),
    },
    "timeout": {3: lambda api: api.hang_next("sendMessage", seconds=6.0)},
}


@pytest.mark.parametrize("fault", list(FAULTS))
async def test_every_reply_arrives_in_order_exactly_as_without_the_fault(
    api: BotApiStandIn, adapter: TelegramChannel, engine: Engine, delivering: None, fault: str
) -> None:
    clean = await _play(api, adapter, engine, user_id=7101, faults={})
    faulty = await _play(api, adapter, engine, user_id=7102, faults=FAULTS[fault])

    assert len(clean) >= len(SCRIPT)
    assert faulty == clean
    injected = [c for c in api.calls if c.params.get("_injected")]
    assert injected, "the fault was injected"
    assert api.failed_calls() == []  # nothing else went wrong on the way
    stats = await engine.outbox.stats()
    assert stats is not None and (stats.pending, stats.failed) == (0, 0)
