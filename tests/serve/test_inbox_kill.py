"""A worker SIGKILLed right after acking a Slack event (issue 13): another one works on it.

Slack does not deliver again what it got a 200 for. The worker stores the event in
the inbox before the ack; here it is killed while it works on the event (held at the
Web API stand-in's ``users.info``), after the ack. The other worker's recovery loop
takes the stored event over once the dead worker's hold ran out: the user gets the
reply, exactly as a user whose worker did not die.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.helpers import slack_events as ev
from tests.helpers.processes import Worker, kill_worker
from tests.helpers.standins.slack import BOT_TOKEN, SlackApiStandIn, dm_channel
from tests.helpers.standins.telegram import ThreadedBotApi as BotApiStandIn
from tests.serve.conftest import WorkerFactory

pytestmark = pytest.mark.postgres


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


async def _wait_for(condition: object, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


def _seen(api: SlackApiStandIn, user: str) -> list[list[str]]:
    return [
        [b["text"]["text"] for b in message.blocks if b.get("type") == "section"]
        for message in api.posted(dm_channel(user))
    ]


async def test_an_event_acked_by_a_worker_that_died_is_worked_on_by_another(
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
        "OUTBOX_LEASE_SECONDS": "2",
    }
    first, second = await asyncio.gather(
        spawn("first", database_url=migrated_pg_url, api=bot_api, **slack_env),
        spawn("second", database_url=migrated_pg_url, api=bot_api, **slack_env),
    )
    clean, victim = "U0CLEAN", "U0VICTIM"
    async with aiohttp.ClientSession() as session:
        assert await _post(session, second, ev.json_request(ev.dm_message(clean, "hello"))) == 200
        await _wait_for(lambda: slack_api.posted(dm_channel(clean)), timeout=20.0)

        # The first worker acks, then hangs in users.info (its locale) and is killed there.
        slack_api.fail_next("users.info", status=500, delay=10.0)
        assert await _post(session, first, ev.json_request(ev.dm_message(victim, "hello"))) == 200
        await _wait_for(
            lambda: any(
                c.method == "users.info" and c.args.get("_injected") for c in slack_api.calls
            ),
            timeout=20.0,
        )
        kill_worker(first)
        assert slack_api.posted(dm_channel(victim)) == []

        # Nothing is redelivered by Slack: the second worker finds it in the inbox.
        await _wait_for(lambda: slack_api.posted(dm_channel(victim)), timeout=30.0)
        await asyncio.sleep(1.0)  # and it is worked on once

    assert _seen(slack_api, victim) == _seen(slack_api, clean)
