"""`rejection-coach slack` as a real process: HTTP mode end to end, and no secrets in its log."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from tests.helpers import slack_events as ev
from tests.helpers.processes import ROOT, free_port
from tests.helpers.standins.slack import BOT_TOKEN, SlackApiStandIn, dm_channel
from tests.helpers.storage_helpers import sqlite_url

USER = "U0PROC"
SECRET_TEXT = "Very Private Client Name Ltd"


@pytest.fixture
async def slack_process(
    slack_api: SlackApiStandIn, tmp_path: Path
) -> AsyncIterator[tuple[str, subprocess.Popen[bytes], Path]]:
    """``python -m bot slack --port N`` in HTTP mode, pointed at the Web API stand-in."""
    port = free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLACK_", "TELEGRAM_", "DATABASE_URL"))
    }
    env.update(
        {
            "PYTHONUNBUFFERED": "1",
            "DATABASE_URL": sqlite_url(tmp_path / "process.db"),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": ev.SIGNING_SECRET,
            "SLACK_API_URL": slack_api.base_url,
            "LOG_LEVEL": "DEBUG",
        }
    )
    log_path = tmp_path / "slack.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "slack", "--host", "127.0.0.1", "--port", str(port)],
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        await _wait_until_serving(url, process, log_path)
        yield url, process, log_path
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            while process.poll() is None and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        if process.poll() is None:
            process.kill()
            process.wait()


async def _wait_until_serving(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    challenge = ev.json_request({"type": "url_verification", "challenge": "c", "token": "t"})
    deadline = time.monotonic() + 30
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"slack exited early:\n{log.read_text(errors='replace')}")
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.post(
                    url, data=challenge.body.encode(), headers=challenge.headers
                ) as resp:
                    if resp.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise TimeoutError(f"slack did not start:\n{log.read_text(errors='replace')}")


async def _post(url: str, request: ev.SignedRequest) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=request.body.encode(), headers=request.headers) as resp,
    ):
        await resp.read()
        return resp.status


async def test_http_mode_process_coaches_and_logs_no_secrets(
    slack_api: SlackApiStandIn,
    slack_process: tuple[str, subprocess.Popen[bytes], Path],
) -> None:
    url, process, log_path = slack_process
    assert await _post(url, ev.json_request(ev.dm_message(USER, "hello"))) == 200
    await slack_api.wait_for(lambda api: len(api.posted(dm_channel(USER))) >= 2, timeout=30)
    message = slack_api.posted(dm_channel(USER))[-1]
    calm = next(
        element
        for block in message.blocks
        if block["type"] == "actions"
        for element in block["elements"]
        if element["value"].endswith(":calm")
    )
    posts = len(slack_api.calls_of("chat.postMessage"))
    press = ev.block_action(USER, message, action_id=calm["action_id"], value=calm["value"])
    assert await _post(url, press) == 200
    await slack_api.wait_for(lambda api: len(api.calls_of("chat.postMessage")) > posts, timeout=30)
    await slack_api.wait_for(lambda api: bool(api.calls_of("chat.update")), timeout=30)
    posts = len(slack_api.calls_of("chat.postMessage"))
    assert await _post(url, ev.json_request(ev.dm_message(USER, SECRET_TEXT))) == 200
    await slack_api.wait_for(lambda api: len(api.calls_of("chat.postMessage")) > posts, timeout=30)
    assert await _post(url, ev.sign('{"type":"event_callback"}', secret="wrong")) == 401

    process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    while process.poll() is None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert process.returncode == 0, log_path.read_text(errors="replace")
    log = log_path.read_text(errors="replace")
    assert SECRET_TEXT not in log
    assert BOT_TOKEN not in log
    assert ev.SIGNING_SECRET not in log
