"""Faults: the Web API rate-limits us, the database is unreachable."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.slack import mrkdwn
from bot.engine import Engine
from flows.coach import Coach
from flows.i18n import t
from storage import Storage
from tests.helpers.standins.slack import SlackApiStandIn, dm_channel
from tests.helpers.storage_helpers import sqlite_url
from tests.slack.conftest import Workspace, serve_workspace

ALICE = "U0ALICE"


async def test_a_rate_limited_post_is_retried_and_delivered(workspace: Workspace) -> None:
    workspace.api.rate_limited["chat.postMessage"] = 1
    assert await workspace.say(ALICE, "hi") == 200
    posts = workspace.api.calls_of("chat.postMessage")
    assert len(posts) >= 2, "the 429 was waited out and the post repeated"
    assert posts[0].args["blocks"] == posts[1].args["blocks"]
    assert workspace.dm(ALICE), "the message arrived"
    assert workspace.api.rate_limited["chat.postMessage"] == 0


@pytest.fixture
async def broken_workspace(slack_api: SlackApiStandIn, tmp_path: Path) -> AsyncIterator[Workspace]:
    """The app on an engine whose database has no tables (every query fails)."""
    storage = Storage(sqlite_url(tmp_path / "never-migrated.db"))
    engine = Engine(storage=storage, coach=Coach())
    try:
        async with serve_workspace(api=slack_api, storage=storage, engine=engine) as ws:
            yield ws
    finally:
        await storage.dispose()


async def test_database_down_gives_the_unavailable_reply(broken_workspace: Workspace) -> None:
    ws = broken_workspace
    assert await ws.say(ALICE, "hi") == 200
    assert await ws.say(ALICE, "still there?") == 200
    texts = ws.texts(ALICE)
    expected = mrkdwn.escape(t("en", "coach-unavailable"))
    # Told once: a second message within a few minutes gets no second notice (issue 14).
    assert texts.count(expected) == 1, texts
    assert {m.channel for m in ws.api.posted()} == {dm_channel(ALICE)}
    # No App Home claiming "no case" while the database cannot tell.
    assert ws.api.calls_of("views.publish") == []
    ws.check_every_block()
