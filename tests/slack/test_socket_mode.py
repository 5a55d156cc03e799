"""Socket Mode: `run()` with SLACK_APP_TOKEN connects out over a WebSocket, no HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import timedelta
from pathlib import Path

from bot.channels.slack import socket_mode
from bot.channels.slack.channel import run
from bot.engine import Engine
from bot.settings import Settings
from flows.coach import Coach
from storage import Storage
from tests.helpers import slack_events as ev
from tests.helpers.standins.slack import APP_TOKEN, BOT_TOKEN, SlackApiStandIn, dm_channel
from tests.helpers.storage_helpers import sqlite_url, table_row_counts
from tests.slack.conftest import FakeClock, socket_mode_channel

USER = "U0SOCKET"
CLEAN = "U0SOCKCLEAN"


async def test_socket_mode_coaches_over_the_websocket(
    slack_api: SlackApiStandIn, tmp_path: Path
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=sqlite_url(tmp_path / "socket.db"),
        slack_bot_token=BOT_TOKEN,  # type: ignore[arg-type]
        slack_app_token=APP_TOKEN,  # type: ignore[arg-type]
        slack_signing_secret=None,
        slack_api_url=slack_api.base_url,
    )
    task = asyncio.create_task(run(settings))
    try:
        await slack_api.wait_for(lambda api: bool(api.sockets), timeout=30)
        envelope = await slack_api.send_socket_event(ev.dm_message(USER, "hello"))
        await slack_api.wait_for(
            lambda api: envelope in api.socket_acks and len(api.posted(dm_channel(USER))) >= 2,
            timeout=30,
        )
        question = slack_api.posted(dm_channel(USER))[-1]
        calm = next(
            element
            for block in question.blocks
            if block["type"] == "actions"
            for element in block["elements"]
            if element["value"].endswith(":calm")
        )
        press = ev.block_action(USER, question, action_id=calm["action_id"], value=calm["value"])
        payload = json.loads(dict(_form(press.body))["payload"])
        pressed = await slack_api.send_socket_event(payload, kind="interactive")
        await slack_api.wait_for(
            lambda api: pressed in api.socket_acks and bool(api.calls_of("chat.update")),
            timeout=30,
        )
        [update] = slack_api.calls_of("chat.update")
        assert update.args["ts"] == question.ts
        assert not task.done()
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert slack_api.calls_of("apps.connections.open")[0].token == APP_TOKEN


def _form(body: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return parse_qsl(body)


# ---------------------------------------------------------------------- the inbox (issue 13)


async def _inbox_rows(storage: Storage) -> int:
    return (await table_row_counts(storage))["inbox"]


def _texts(api: SlackApiStandIn, user: str) -> list[list[str]]:
    return [
        [block["text"]["text"] for block in message.blocks if block.get("type") == "section"]
        for message in api.posted(dm_channel(user))
    ]


async def test_an_envelope_is_stored_before_its_ack_and_cleared_after_the_reply(
    slack_api: SlackApiStandIn, storage: Storage
) -> None:
    rows_at_ack: dict[str, int] = {}

    async def count_rows(envelope_id: str) -> None:
        rows_at_ack[envelope_id] = await _inbox_rows(storage)

    slack_api.on_socket_ack = count_rows
    engine = Engine(storage=storage, coach=Coach())
    async with socket_mode_channel(slack_api, engine) as (channel, _):
        # The reply is held at the Web API: the work is surely not done at the ack.
        release = slack_api.hold("chat.postMessage")
        hello = ev.dm_message(USER, "hello")
        envelope = await slack_api.send_socket_event(hello)
        await slack_api.wait_for(lambda api: envelope in api.socket_acks, timeout=30)
        assert rows_at_ack == {envelope: 1}
        # Slack delivers the envelope again (no ack seen in time): acked, not worked on twice.
        again = await slack_api.send_socket_event(hello)
        await slack_api.wait_for(lambda api: again in api.socket_acks, timeout=30)
        assert rows_at_ack[again] == 1
        release.set()
        await slack_api.wait_for(lambda api: len(api.posted(dm_channel(USER))) >= 2, timeout=30)
        await channel.drain(timeout=20.0)
        assert await _inbox_rows(storage) == 0
    # The redelivery was dropped before the engine: the user saw one hello's replies.
    engine = Engine(storage=storage, coach=Coach())  # a new process
    async with socket_mode_channel(slack_api, engine) as (channel, _):
        await slack_api.send_socket_event(ev.dm_message(CLEAN, "hello"))
        await slack_api.wait_for(lambda api: len(api.posted(dm_channel(CLEAN))) >= 2, timeout=30)
        await channel.drain(timeout=20.0)
    assert _texts(slack_api, USER) == _texts(slack_api, CLEAN)


async def test_a_socket_mode_worker_without_signing_secret_recovers_a_dead_workers_envelope(
    slack_api: SlackApiStandIn, storage: Storage, clock: FakeClock
) -> None:
    clean, orphan = CLEAN, "U0SOCKORPHAN"
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    async with socket_mode_channel(slack_api, engine) as (channel, _):
        envelope = await slack_api.send_socket_event(ev.dm_message(clean, "hello"))
        await slack_api.wait_for(
            lambda api: envelope in api.socket_acks and len(api.posted(dm_channel(clean))) >= 2,
            timeout=30,
        )
        await channel.drain(timeout=20.0)
        assert await _inbox_rows(storage) == 0

        # A worker stored an envelope, acked it and died: only its inbox row is left.
        stored = await engine.inbox.accept(
            platform="slack",
            body=socket_mode.canonical(ev.dm_message(orphan, "hello")),
            content_type=socket_mode.CONTENT_TYPE,
        )
        assert stored.row_id is not None
        clock.advance(engine.outbox.lease + timedelta(seconds=1))  # its hold ran out
        engine.inbox.recovery_interval = 0.05
        recovery = asyncio.create_task(channel.recover_inbox())
        try:
            await slack_api.wait_for(
                lambda api: (
                    len(api.posted(dm_channel(orphan))) >= len(api.posted(dm_channel(clean)))
                ),
                timeout=30,
            )
            await channel.drain(timeout=20.0)
            async with asyncio.timeout(20):
                while await _inbox_rows(storage):
                    await asyncio.sleep(0.05)
        finally:
            recovery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recovery
    assert _texts(slack_api, orphan) == _texts(slack_api, clean)
