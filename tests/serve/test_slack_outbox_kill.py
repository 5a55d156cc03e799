"""A Slack worker SIGKILLed between the commit and the send (issue 13): the reply still arrives.

The Slack twin of ``test_outbox_kill.py``. Two real ``serve`` workers on one PostgreSQL
database. Worker A commits a step (its reply in the outbox) and is killed while its
``chat.postMessage`` is held by the Web API stand-in. Slack delivers nothing again;
B's inbox recovery finds the press already applied (a duplicate), and B's delivery
loop takes the dead worker's outbox row once its lease ran out and posts the reply.
The user's DM ends exactly like a user's who talked to B alone.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from tests.helpers import slack_events as ev
from tests.helpers.processes import Worker, kill_worker
from tests.helpers.standins.slack import BOT_TOKEN, SlackApiStandIn, dm_channel
from tests.helpers.standins.telegram import ThreadedBotApi as BotApiStandIn
from tests.serve.conftest import WorkerFactory

pytestmark = pytest.mark.postgres

#: After "hello", this many presses of the first button offered.
PRESSES = 4
#: The press whose reply is lost with worker A.
KILLED_AT = 2
LEASE = "2"


@pytest.fixture
async def slack_api() -> AsyncIterator[SlackApiStandIn]:
    """The Slack Web API stand-in, served by the test's event loop."""
    api = SlackApiStandIn()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


async def _post(session: aiohttp.ClientSession, worker: Worker, request: ev.SignedRequest) -> int:
    async with session.post(
        f"{worker.url}/slack/events", data=request.body.encode(), headers=request.headers
    ) as response:
        await response.read()
        return response.status


async def _wait(condition: Callable[[], object], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


def _transcript(api: SlackApiStandIn, user: str) -> list[tuple[list[str], list[str]]]:
    """What the user sees: each message's sections and buttons, as they are now (updated)."""
    return [
        (
            [b["text"]["text"] for b in message.blocks if b.get("type") == "section"],
            [
                element["text"]["text"]
                for b in message.blocks
                if b.get("type") == "actions"
                for element in b["elements"]
            ],
        )
        for message in api.posted(dm_channel(user))
    ]


def _updates(api: SlackApiStandIn, user: str) -> int:
    return sum(m.updates for m in api.posted(dm_channel(user)))


def _press(api: SlackApiStandIn, user: str) -> ev.SignedRequest:
    """Press the first button of the latest message to ``user`` that has buttons."""
    for message in reversed(api.posted(dm_channel(user))):
        for block in message.blocks:
            if block.get("type") == "actions" and block["elements"]:
                button: dict[str, Any] = block["elements"][0]
                return ev.block_action(
                    user,
                    message,
                    action_id=button["action_id"],
                    block_id=block.get("block_id", ""),
                    value=button["value"],
                )
    raise AssertionError(f"no buttons in the DM with {user}")


async def _settled(api: SlackApiStandIn, user: str) -> None:
    """Wait (bounded) until nothing changed in the DM for 1.5 s (posts are paced: 1/s)."""
    deadline = time.monotonic() + 30.0
    seen, since = (-1, -1), time.monotonic()
    while time.monotonic() < deadline:
        now = (len(api.posted(dm_channel(user))), _updates(api, user))
        if now != seen:
            seen, since = now, time.monotonic()
        elif time.monotonic() - since >= 1.5:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the DM never settled")


async def _step(
    session: aiohttp.ClientSession,
    worker: Worker,
    api: SlackApiStandIn,
    user: str,
    request: ev.SignedRequest,
) -> None:
    """Send one request; wait until its replies are posted (and the press shown answered)."""
    posted, updated = len(api.posted(dm_channel(user))), _updates(api, user)
    assert await _post(session, worker, request) == 200
    pressed = "payload=" in request.body
    await _wait(
        lambda: (
            len(api.posted(dm_channel(user))) > posted
            and (not pressed or _updates(api, user) > updated)
        ),
        timeout=20.0,
    )
    await _settled(api, user)


async def test_a_slack_worker_killed_between_commit_and_send_loses_no_reply(
    migrated_pg_url: str,
    spawn: WorkerFactory,
    bot_api: BotApiStandIn,
    slack_api: SlackApiStandIn,
) -> None:
    slack_env = {
        "TELEGRAM_BOT_TOKEN": "",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": ev.SIGNING_SECRET,
        "SLACK_API_URL": slack_api.base_url,
        "OUTBOX_LEASE_SECONDS": LEASE,
    }
    first, second = await asyncio.gather(
        spawn("a", database_url=migrated_pg_url, api=bot_api, **slack_env),
        spawn("b", database_url=migrated_pg_url, api=bot_api, **slack_env),
    )
    clean, victim = "U0OUTCLEAN", "U0OUTVICTIM"
    async with aiohttp.ClientSession() as session:
        await _step(
            session, second, slack_api, clean, ev.json_request(ev.dm_message(clean, "hello"))
        )
        for _ in range(PRESSES):
            await _step(session, second, slack_api, clean, _press(slack_api, clean))

        await _step(
            session, first, slack_api, victim, ev.json_request(ev.dm_message(victim, "hello"))
        )
        for _ in range(KILLED_AT - 1):
            await _step(session, first, slack_api, victim, _press(slack_api, victim))
        posted, updated = len(slack_api.posted(dm_channel(victim))), _updates(slack_api, victim)

        # A commits the step, marks the question answered, then its post hangs; A dies there.
        slack_api.hang_next("chat.postMessage", seconds=5.0)
        assert await _post(session, first, _press(slack_api, victim)) == 200
        await _wait(
            lambda: (
                any(c.args.get("_injected") for c in slack_api.calls_of("chat.postMessage"))
                and _updates(slack_api, victim) > updated
            ),
            timeout=20.0,
        )
        kill_worker(first)
        assert len(slack_api.posted(dm_channel(victim))) == posted

        # Slack delivers nothing again; B's delivery loop posts the dead worker's reply.
        await _wait(lambda: len(slack_api.posted(dm_channel(victim))) > posted, timeout=30.0)
        await _settled(slack_api, victim)
        for _ in range(PRESSES - KILLED_AT):
            await _step(session, second, slack_api, victim, _press(slack_api, victim))

    assert _transcript(slack_api, victim) == _transcript(slack_api, clean)
