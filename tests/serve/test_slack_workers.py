"""Slack through two real ``serve`` workers: a retried event and a double press, once each.

Slack retries an event (same ``event_id``, ``X-Slack-Retry-Num``) and a load
balancer may hand the retry to another worker while the first is still at
work. The user who got everything twice must end exactly like a user who got
everything once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from storage.db import create_engine
from tests.helpers import slack_events as ev
from tests.helpers.conversation_state import conversation_state
from tests.helpers.processes import Worker
from tests.helpers.standins.slack import (
    BOT_TOKEN,
    TEAM_ID,
    SlackApiStandIn,
    StoredMessage,
    dm_channel,
)
from tests.helpers.standins.telegram import ThreadedBotApi as BotApiStandIn
from tests.serve.conftest import WorkerFactory

pytestmark = pytest.mark.postgres

RETRY_HEADERS = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


@pytest.fixture
async def slack_api() -> AsyncIterator[SlackApiStandIn]:
    """The Slack Web API stand-in, served by the test's event loop."""
    api = SlackApiStandIn()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


async def _post(
    session: aiohttp.ClientSession,
    worker: Worker,
    request: ev.SignedRequest,
    headers: dict[str, str] | None = None,
) -> int:
    async with session.post(
        f"{worker.url}/slack/events",
        data=request.body.encode(),
        headers={**request.headers, **(headers or {})},
    ) as response:
        await response.read()
        return response.status


async def _settled(api: SlackApiStandIn, channel: str, *, at_least: int) -> int:
    """Wait (bounded) until ``channel`` got ``at_least`` messages and nothing more for 1 s."""
    deadline = time.monotonic() + 20
    count, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now = len(api.posted(channel)) + len(_updates(api, channel))
        if now != count:
            count, since = now, time.monotonic()
        elif count >= at_least and time.monotonic() - since >= 1.0:
            return len(api.posted(channel))
        await asyncio.sleep(0.05)
    return len(api.posted(channel))


def _updates(api: SlackApiStandIn, channel: str) -> list[Any]:
    return [c for c in api.calls_of("chat.update") if c.args.get("channel") == channel]


def _first_button(api: SlackApiStandIn, user: str) -> tuple[StoredMessage, dict[str, Any], str]:
    for message in reversed(api.posted(dm_channel(user))):
        for block in message.blocks:
            if block.get("type") == "actions" and block["elements"]:
                return message, block["elements"][0], block.get("block_id", "")
    raise AssertionError(f"no buttons in the DM with {user}")


def _press(api: SlackApiStandIn, user: str) -> ev.SignedRequest:
    message, button, block_id = _first_button(api, user)
    return ev.block_action(
        user, message, action_id=button["action_id"], block_id=block_id, value=button["value"]
    )


async def test_retried_events_and_double_presses_apply_once(
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
    }
    first, second = await asyncio.gather(
        spawn("first", database_url=migrated_pg_url, api=bot_api, **slack_env),
        spawn("second", database_url=migrated_pg_url, api=bot_api, **slack_env),
    )
    once, twice = "U0ONCE", "U0TWICE"
    async with aiohttp.ClientSession() as session:
        # The reference: every request once, to one worker.
        assert await _post(session, first, ev.json_request(ev.dm_message(once, "hello"))) == 200
        after_hello = await _settled(slack_api, dm_channel(once), at_least=1)
        assert await _post(session, first, _press(slack_api, once)) == 200
        after_press = await _settled(slack_api, dm_channel(once), at_least=after_hello + 1)

        # The same, each request delivered to both workers at once (the second as a retry).
        hello = ev.json_request(ev.dm_message(twice, "hello", event_id="EvSERVE0001"))
        statuses = await asyncio.gather(
            _post(session, first, hello), _post(session, second, hello, RETRY_HEADERS)
        )
        assert list(statuses) == [200, 200]
        assert await _settled(slack_api, dm_channel(twice), at_least=after_hello) == after_hello
        press = _press(slack_api, twice)
        statuses = await asyncio.gather(_post(session, first, press), _post(session, second, press))
        assert list(statuses) == [200, 200]
        assert await _settled(slack_api, dm_channel(twice), at_least=after_press) == after_press

    assert len(_updates(slack_api, dm_channel(twice))) == len(_updates(slack_api, dm_channel(once)))
    database = create_engine(migrated_pg_url)
    try:
        reference = await conversation_state(
            database, platform="slack", workspace=TEAM_ID, user_id=once
        )
        doubled = await conversation_state(
            database, platform="slack", workspace=TEAM_ID, user_id=twice
        )
    finally:
        await database.dispose()
    assert len(reference) == 1 and reference[0].seqs == list(range(1, len(reference[0].seqs) + 1))
    assert [(c.step, c.state, c.version, c.events) for c in doubled] == [
        (c.step, c.state, c.version, c.events) for c in reference
    ]
