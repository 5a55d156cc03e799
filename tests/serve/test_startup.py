"""A worker refuses to start when it cannot serve correctly, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import time

import aiohttp
import pytest

from storage.db import create_engine
from tests.helpers.conversation_state import conversation_state
from tests.helpers.processes import Worker, stop_worker
from tests.helpers.standins.telegram import ThreadedBotApi as BotApiStandIn
from tests.helpers.tcp_proxy import TcpProxy
from tests.helpers.webhook_updates import TelegramUser, post_update
from tests.serve.conftest import WEBHOOK_SECRET, WorkerFactory, via_proxy

pytestmark = pytest.mark.postgres


async def _exit_code(worker: Worker, *, timeout: float = 30.0) -> int | None:
    deadline = time.monotonic() + timeout
    while worker.alive() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return worker.process.poll()


async def test_refuses_to_start_when_the_schema_is_behind(
    pg_url: str, spawn: WorkerFactory, bot_api: BotApiStandIn
) -> None:
    worker = await spawn("unmigrated", database_url=pg_url, api=bot_api, wait=False)
    assert await _exit_code(worker) == 1
    log = worker.log()
    assert "schema is behind" in log and "rejection-coach db upgrade" in log
    assert bot_api.calls() == []  # it did not even talk to Telegram


async def test_refuses_to_start_without_a_valid_webhook_secret(
    migrated_pg_url: str, spawn: WorkerFactory, bot_api: BotApiStandIn
) -> None:
    missing = await spawn(
        "no-secret",
        database_url=migrated_pg_url,
        api=bot_api,
        wait=False,
        TELEGRAM_WEBHOOK_SECRET="",
    )
    bad = await spawn(
        "bad-secret",
        database_url=migrated_pg_url,
        api=bot_api,
        wait=False,
        TELEGRAM_WEBHOOK_SECRET="has spaces!",
    )
    assert await _exit_code(missing) == 1
    assert await _exit_code(bad) == 2  # invalid in itself: refused by the settings (usage)
    assert "TELEGRAM_WEBHOOK_SECRET" in missing.log()
    assert "TELEGRAM_WEBHOOK_SECRET" in bad.log()
    assert "has spaces" not in bad.log()  # secrets are never printed


async def test_sigterm_stops_a_worker_cleanly(
    migrated_pg_url: str, spawn: WorkerFactory, bot_api: BotApiStandIn
) -> None:
    worker = await spawn("graceful", database_url=migrated_pg_url, api=bot_api)
    assert await stop_worker(worker, timeout=20.0) == 0
    log = worker.log()
    assert "shutting down" in log
    assert "Traceback" not in log


async def test_refuses_to_start_when_the_bot_api_is_unreachable(
    migrated_pg_url: str, spawn: WorkerFactory, bot_api: BotApiStandIn
) -> None:
    worker = await spawn(
        "no-api",
        database_url=migrated_pg_url,
        api=bot_api,
        wait=False,
        TELEGRAM_API_URL="http://127.0.0.1:9/bot",  # nothing listens on the discard port
    )
    assert await _exit_code(worker, timeout=60) == 1
    log = worker.log()
    assert "could not start" in log
    assert "serve-test-token" not in log  # the token never reaches the log


async def test_sigterm_lets_a_request_in_flight_finish(
    migrated_pg_url: str, db_proxy: TcpProxy, spawn: WorkerFactory, bot_api: BotApiStandIn
) -> None:
    worker = await spawn("draining", database_url=via_proxy(migrated_pg_url, db_proxy), api=bot_api)
    user = TelegramUser(user_id=760001)
    async with aiohttp.ClientSession() as session:
        start = user.message("/start")
        assert await post_update(session, worker.url, start, secret=WEBHOOK_SECRET) == 200
        calm = user.press_latest(bot_api, 0)
        assert await post_update(session, worker.url, calm, secret=WEBHOOK_SECRET) == 200

        db_proxy.hang()  # the next update stalls inside the worker, waiting for the database
        in_flight = asyncio.create_task(  # answered once stored; worked on before exit
            post_update(
                session, worker.url, user.message("Acme Ltd"), secret=WEBHOOK_SECRET, settle=False
            )
        )
        await asyncio.sleep(0.5)
        assert not in_flight.done()
        worker.process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
        assert worker.alive()  # still finishing the request
        db_proxy.restore()
        assert await asyncio.wait_for(in_flight, timeout=20) == 200
    assert await _exit_code(worker, timeout=20) == 0

    database = create_engine(migrated_pg_url)
    try:
        cases = await conversation_state(database, platform="telegram", user_id="760001")
    finally:
        await database.dispose()
    assert cases[0].state["answers"]["client_name"] == "Acme Ltd"
