"""A worker SIGKILLed between the commit and the send (issue 13): the reply still arrives.

Two real ``serve`` workers on one PostgreSQL database. Worker A stores the update in the
inbox, answers 200, commits the step (and its reply, in the outbox) and is killed while
its ``sendMessage`` is held by the Bot API stand-in. Telegram delivers nothing again
(it got its 200). B's recovery loop takes the update over from the inbox (already
applied: a duplicate), and B's delivery loop takes the dead worker's outbox row once
its lease ran out and sends the reply.
The user's chat ends exactly like a user's who talked to B alone.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from tests.helpers.processes import kill_worker
from tests.helpers.standins.telegram import ThreadedBotApi as BotApiStandIn
from tests.helpers.webhook_updates import TelegramUser, inbox_settled, post_update
from tests.serve.conftest import WEBHOOK_SECRET, WorkerFactory
from tests.serve.test_workers import SCRIPT_EN, _update_for

pytestmark = pytest.mark.postgres

SCRIPT = SCRIPT_EN[:6]
#: The action whose reply is lost with worker A (the client's name → "what did you deliver?").
KILLED_AT = 2
LEASE = "2"


def _transcript(api: BotApiStandIn, chat_id: int) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """What the user saw: the accepted messages in order, and the edits in order.

    (After a press the edit and the next message go out at the same time.)
    """
    seen: dict[str, list[tuple[str, tuple[str, ...]]]] = {"sendMessage": [], "editMessageText": []}
    for call in api.calls(chat_id=chat_id):
        if call.method in seen and call.status == 200:
            seen[call.method].append((call.text, tuple(label for label, _ in call.buttons())))
    return seen


async def _wait(condition: object, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


async def test_a_worker_killed_between_commit_and_send_loses_no_reply(
    migrated_pg_url: str, spawn: WorkerFactory, bot_api: BotApiStandIn
) -> None:
    first, second = await asyncio.gather(
        spawn("a", database_url=migrated_pg_url, api=bot_api, OUTBOX_LEASE_SECONDS=LEASE),
        spawn("b", database_url=migrated_pg_url, api=bot_api, OUTBOX_LEASE_SECONDS=LEASE),
    )
    clean, victim = TelegramUser(user_id=740001), TelegramUser(user_id=740002)
    async with aiohttp.ClientSession() as session:
        for action in SCRIPT:
            update = _update_for(clean, action, bot_api)
            assert await post_update(session, second.url, update, secret=WEBHOOK_SECRET) == 200

        for action in SCRIPT[:KILLED_AT]:
            update = _update_for(victim, action, bot_api)
            assert await post_update(session, first.url, update, secret=WEBHOOK_SECRET) == 200
        sent_before = len(bot_api.calls("sendMessage", chat_id=victim.user_id))

        # A stores the update and answers 200, commits the step, then its sendMessage
        # hangs at the Bot API; A dies there.
        bot_api.api.hang_next("sendMessage", seconds=5.0)
        update = _update_for(victim, SCRIPT[KILLED_AT], bot_api)
        posted = post_update(session, first.url, update, secret=WEBHOOK_SECRET, settle=False)
        assert await posted == 200
        await _wait(
            lambda: any(
                c.params.get("_injected")
                for c in bot_api.calls("sendMessage", chat_id=victim.user_id)
            ),
            timeout=20.0,
        )
        kill_worker(first)

        # B's delivery loop sends the dead worker's reply once the lease ran out.
        await _wait(
            lambda: (
                len(
                    [
                        c
                        for c in bot_api.calls("sendMessage", chat_id=victim.user_id)
                        if c.status == 200
                    ]
                )
                > sent_before
            ),
            timeout=20.0,
        )
        for action in SCRIPT[KILLED_AT + 1 :]:
            update = _update_for(victim, action, bot_api)
            assert await post_update(session, second.url, update, secret=WEBHOOK_SECRET) == 200

    assert _transcript(bot_api, victim.user_id) == _transcript(bot_api, clean.user_id)


async def test_the_one_duplicate_window_a_send_accepted_just_before_the_crash(
    migrated_pg_url: str, spawn: WorkerFactory, bot_api: BotApiStandIn
) -> None:
    """The documented at-least-once window, provoked: the only message shown twice.

    A's ``sendMessage`` reaches the chat, but A is killed before Telegram's answer
    arrives, so the outbox never learns it went out; B sends it again once A's lease
    ran out. The user sees that one message twice and everything else exactly once,
    in order, as a clean user does.
    """
    first, second = await asyncio.gather(
        spawn("a", database_url=migrated_pg_url, api=bot_api, OUTBOX_LEASE_SECONDS=LEASE),
        spawn("b", database_url=migrated_pg_url, api=bot_api, OUTBOX_LEASE_SECONDS=LEASE),
    )
    clean, victim = TelegramUser(user_id=740011), TelegramUser(user_id=740012)
    async with aiohttp.ClientSession() as session:
        for action in SCRIPT:
            update = _update_for(clean, action, bot_api)
            assert await post_update(session, second.url, update, secret=WEBHOOK_SECRET) == 200
        for action in SCRIPT[:KILLED_AT]:
            update = _update_for(victim, action, bot_api)
            assert await post_update(session, first.url, update, secret=WEBHOOK_SECRET) == 200

        bot_api.api.answer_late_next("sendMessage", seconds=10.0)
        update = _update_for(victim, SCRIPT[KILLED_AT], bot_api)
        assert (
            await post_update(session, first.url, update, secret=WEBHOOK_SECRET, settle=False)
            == 200
        )
        await _wait(
            lambda: any(
                c.params.get("_answered_late")
                for c in bot_api.calls("sendMessage", chat_id=victim.user_id)
            ),
            timeout=20.0,
        )
        kill_worker(first)  # the message is in the chat; A never heard so

        await inbox_settled(session, second.url, timeout=30.0)
        late = next(
            c
            for c in bot_api.calls("sendMessage", chat_id=victim.user_id)
            if c.params.get("_answered_late")
        )
        await _wait(
            lambda: (
                sum(
                    1
                    for c in bot_api.calls("sendMessage", chat_id=victim.user_id)
                    if c.text == late.text
                )
                == 2
            ),
            timeout=20.0,
        )
        for action in SCRIPT[KILLED_AT + 1 :]:
            update = _update_for(victim, action, bot_api)
            assert await post_update(session, second.url, update, secret=WEBHOOK_SECRET) == 200

    seen = _transcript(bot_api, victim.user_id)
    expected = _transcript(bot_api, clean.user_id)
    # Exactly one message twice, right after itself; without it the chats are the same.
    messages = seen["sendMessage"]
    twice = [i for i in range(1, len(messages)) if messages[i] == messages[i - 1]]
    assert len(twice) == 1 and messages[twice[0]][0] == late.text
    del messages[twice[0]]
    assert seen == expected
