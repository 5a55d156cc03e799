"""A Socket Mode worker SIGKILLed right after acking an envelope (issue 13): another works on it.

Two real ``rejection-coach slack`` processes in Socket Mode (no signing secret), each
with its own WebSocket to the stand-in, on one PostgreSQL database. The first stores
the envelope in the inbox, acks it, and is killed while it works on it (held at the Web
API stand-in's ``users.info``). Slack does not deliver an acked envelope again: the
second worker's recovery loop takes the stored one over once the dead worker's hold ran
out, and the user's DM ends exactly like a user's whose worker did not die.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from tests.helpers import slack_events as ev
from tests.helpers.processes import ROOT, Worker, kill_worker, stop_worker
from tests.helpers.standins.slack import APP_TOKEN, BOT_TOKEN, SlackApiStandIn, dm_channel

pytestmark = pytest.mark.postgres

#: The dead worker's hold on its inbox row (seconds).
LEASE = "2"


@pytest.fixture
async def slack_api() -> AsyncIterator[SlackApiStandIn]:
    """The Slack Web API (and Socket Mode) stand-in, served by the test's event loop."""
    api = SlackApiStandIn()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


def _start(name: str, *, database_url: str, api: SlackApiStandIn, log_dir: Path) -> Worker:
    """``python -m bot slack`` in Socket Mode (it serves no HTTP: ``port`` is unused)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_APP_TOKEN": APP_TOKEN,
        "SLACK_SIGNING_SECRET": "",  # none: Socket Mode alone
        "SLACK_API_URL": api.base_url,
        "TELEGRAM_BOT_TOKEN": "",
        "OUTBOX_LEASE_SECONDS": LEASE,
        "DEFAULT_LANGUAGE": "en",
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    }
    log_path = log_dir / f"{name}.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "slack"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    return Worker(name=name, port=0, process=process, log_path=log_path)


async def _wait_for(
    condition: Callable[[], object], *, timeout: float, workers: list[Worker]
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        for worker in workers:
            if not worker.alive() and worker.process.returncode != -9:
                raise AssertionError(f"worker {worker.name} exited:\n{worker.log()}")
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {w.name}\n{w.log()}" for w in workers)
            raise AssertionError(f"timed out; the workers' logs:\n{logs}")
        await asyncio.sleep(0.05)


def _seen(api: SlackApiStandIn, user: str) -> list[list[str]]:
    return [
        [b["text"]["text"] for b in message.blocks if b.get("type") == "section"]
        for message in api.posted(dm_channel(user))
    ]


async def test_an_envelope_acked_by_a_socket_mode_worker_that_died_is_worked_on_by_another(
    migrated_pg_url: str, slack_api: SlackApiStandIn, log_dir: Path
) -> None:
    workers: list[Worker] = []
    try:
        # One after the other: the stand-in's first connection is the first worker's.
        first = _start("first", database_url=migrated_pg_url, api=slack_api, log_dir=log_dir)
        workers.append(first)
        await _wait_for(lambda: len(slack_api.sockets) == 1, timeout=45.0, workers=workers)
        second = _start("second", database_url=migrated_pg_url, api=slack_api, log_dir=log_dir)
        workers.append(second)
        await _wait_for(lambda: len(slack_api.sockets) == 2, timeout=45.0, workers=workers)

        clean, victim = "U0SOCKCLEAN", "U0SOCKVICTIM"
        await slack_api.send_socket_event(ev.dm_message(clean, "hello"), socket=1)
        await _wait_for(
            lambda: len(slack_api.posted(dm_channel(clean))) >= 2, timeout=20.0, workers=workers
        )

        # The first worker stores and acks, then hangs in users.info and is killed there.
        slack_api.hang_next("users.info", seconds=10.0)
        envelope = await slack_api.send_socket_event(ev.dm_message(victim, "hello"), socket=0)
        await _wait_for(
            lambda: (
                envelope in slack_api.socket_acks
                and any(
                    c.method == "users.info" and c.args.get("_injected") for c in slack_api.calls
                )
            ),
            timeout=20.0,
            workers=workers,
        )
        kill_worker(first)
        assert slack_api.posted(dm_channel(victim)) == []

        # Nothing is delivered again: the second worker finds the envelope in the inbox.
        await _wait_for(
            lambda: (
                len(slack_api.posted(dm_channel(victim)))
                >= len(slack_api.posted(dm_channel(clean)))
            ),
            timeout=30.0,
            workers=workers,
        )
        await asyncio.sleep(1.0)  # and it is worked on once
    finally:
        await asyncio.gather(
            *(stop_worker(w, timeout=10.0) for w in workers), return_exceptions=True
        )
        for worker in workers:
            kill_worker(worker)

    assert _seen(slack_api, victim) == _seen(slack_api, clean)
