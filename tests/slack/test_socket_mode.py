"""Socket Mode: `run()` with SLACK_APP_TOKEN connects out over a WebSocket, no HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

from bot.channels.slack.channel import run
from bot.settings import Settings
from tests.helpers import slack_events as ev
from tests.helpers.standins.slack import APP_TOKEN, BOT_TOKEN, SlackApiStandIn, dm_channel
from tests.helpers.storage_helpers import sqlite_url

USER = "U0SOCKET"


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
