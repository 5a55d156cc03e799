"""A worker SIGKILLed right after acking Telegram updates (issue 13): another works on them.

Telegram delivers nothing again once the webhook answered 200. Worker A stores two
updates of one user and answers 200 to each: the first is being worked on (its reply's
``sendMessage`` held at the Bot API stand-in), the second waits behind it in the inbox
(one user's updates in order). A is killed. B's recovery loop takes the first over
once A's hold ran out (already applied: a duplicate), then the second (applied now),
and B's delivery loop sends both replies in order. The chat ends exactly like a user's
who talked to B alone.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from tests.helpers.processes import kill_worker
from tests.helpers.standins.telegram import ThreadedBotApi as BotApiStandIn
from tests.helpers.webhook_updates import TelegramUser, inbox_settled, post_update
from tests.serve.conftest import WEBHOOK_SECRET, WorkerFactory
from tests.serve.test_outbox_kill import LEASE, _transcript, _wait
from tests.serve.test_workers import SCRIPT_EN, _update_for

pytestmark = pytest.mark.postgres

SCRIPT = SCRIPT_EN[:7]
#: The update being worked on when A dies (the client's name); the next one waits behind it.
WORKING_AT = 2


def _accepted(api: BotApiStandIn, chat_id: int) -> int:
    return len([c for c in api.calls("sendMessage", chat_id=chat_id) if c.status == 200])


async def test_updates_acked_by_a_worker_that_died_are_worked_on_by_another(
    migrated_pg_url: str, spawn: WorkerFactory, bot_api: BotApiStandIn
) -> None:
    first, second = await asyncio.gather(
        spawn("a", database_url=migrated_pg_url, api=bot_api, OUTBOX_LEASE_SECONDS=LEASE),
        spawn("b", database_url=migrated_pg_url, api=bot_api, OUTBOX_LEASE_SECONDS=LEASE),
    )
    clean, victim = TelegramUser(user_id=750001), TelegramUser(user_id=750002)
    async with aiohttp.ClientSession() as session:
        clean_counts: list[int] = []  # the clean user's replies so far, after each update
        for action in SCRIPT:
            update = _update_for(clean, action, bot_api)
            assert await post_update(session, second.url, update, secret=WEBHOOK_SECRET) == 200
            clean_counts.append(_accepted(bot_api, clean.user_id))

        for action in SCRIPT[:WORKING_AT]:
            update = _update_for(victim, action, bot_api)
            assert await post_update(session, first.url, update, secret=WEBHOOK_SECRET) == 200

        # A acks the first update and works on it until its reply's send hangs ...
        bot_api.api.hang_next("sendMessage", seconds=5.0)
        working = _update_for(victim, SCRIPT[WORKING_AT], bot_api)
        assert (
            await post_update(session, first.url, working, secret=WEBHOOK_SECRET, settle=False)
            == 200
        )
        await _wait(
            lambda: any(
                c.params.get("_injected")
                for c in bot_api.calls("sendMessage", chat_id=victim.user_id)
            ),
            timeout=20.0,
        )
        # ... and acks the next one, stored behind it (a typed answer: no button needed).
        assert SCRIPT[WORKING_AT + 1][0] == "text"
        waiting = _update_for(victim, SCRIPT[WORKING_AT + 1], bot_api)
        assert (
            await post_update(session, first.url, waiting, secret=WEBHOOK_SECRET, settle=False)
            == 200
        )
        kill_worker(first)

        # Telegram sends nothing again: B finds both in the inbox and works on them.
        await inbox_settled(session, second.url, timeout=30.0)
        await _wait(
            lambda: _accepted(bot_api, victim.user_id) >= clean_counts[WORKING_AT + 1],
            timeout=30.0,
        )
        for action in SCRIPT[WORKING_AT + 2 :]:
            update = _update_for(victim, action, bot_api)
            assert await post_update(session, second.url, update, secret=WEBHOOK_SECRET) == 200

    assert _transcript(bot_api, victim.user_id) == _transcript(bot_api, clean.user_id)
