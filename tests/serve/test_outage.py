"""PostgreSQL goes away under two running workers, then comes back.

A TCP proxy between the workers and PostgreSQL cuts every connection and
refuses new ones. The user must get the "temporarily unavailable" reply, the
webhook must answer non-2xx (so Telegram redelivers), /healthz must fail, the
workers must keep running — and, once the database is back, recover by
themselves and apply the redelivered update exactly once. Two faults: the
connections are cut (a stopped server), or they hang with no answer (a
frozen server or a network partition), where only timeouts can help.
"""

from __future__ import annotations

import asyncio
import html
import time

import aiohttp
import pytest

from flows.coach import Coach
from storage.db import create_engine
from tests.helpers.conversation_state import conversation_state
from tests.helpers.processes import Worker, http_status
from tests.helpers.standins.telegram import ThreadedBotApi as BotApiStandIn
from tests.helpers.tcp_proxy import TcpProxy
from tests.helpers.webhook_updates import TelegramUser, post_update
from tests.serve.conftest import WEBHOOK_SECRET, WorkerFactory, via_proxy

pytestmark = pytest.mark.postgres


async def _wait_health(workers: list[Worker], *, expect: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    statuses: list[int | None] = []
    while time.monotonic() < deadline:
        statuses = [await http_status(f"{w.url}/healthz") for w in workers]
        if statuses == [expect] * len(workers):
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"/healthz answered {statuses}, not {expect}, within {timeout} s")


@pytest.mark.parametrize("fault", ["cut", "hung"])
async def test_database_outage_and_recovery(
    fault: str,
    migrated_pg_url: str,
    db_proxy: TcpProxy,
    spawn: WorkerFactory,
    bot_api: BotApiStandIn,
) -> None:
    url = via_proxy(migrated_pg_url, db_proxy)
    first, second = await asyncio.gather(
        spawn("first", database_url=url, api=bot_api),
        spawn("second", database_url=url, api=bot_api),
    )
    user = TelegramUser(user_id=740001)
    unavailable = html.escape(Coach().unavailable(language="en")[0].text, quote=False)

    async with aiohttp.ClientSession() as session:

        async def send(worker: Worker, update: dict[str, object]) -> int:
            return await post_update(session, worker.url, update, secret=WEBHOOK_SECRET)

        assert await send(first, user.message("/start")) == 200
        assert await send(second, user.press_latest(bot_api, 0)) == 200  # calm → client's name
        before_outage = len(bot_api.texts(user.user_id))

        if fault == "cut":
            db_proxy.sever()  # connections reset, new ones refused
        else:
            db_proxy.hang()  # connections open, no answer: timeouts must fire
        answer = user.message("Ana Novak")
        press = user.press_latest(bot_api, 0)
        statuses = await asyncio.gather(send(first, answer), send(second, press))
        assert min(statuses) >= 500, statuses  # Telegram will deliver them again
        told = bot_api.texts(user.user_id)[before_outage:]
        assert len(told) == 2 and all(unavailable in text for text in told), told
        await _wait_health([first, second], expect=503, timeout=10)
        assert first.alive() and second.alive()

        db_proxy.restore()
        await _wait_health([first, second], expect=200, timeout=30)

        # Telegram's redelivery, to the other worker, then once more: applied once.
        after_outage = len(bot_api.texts(user.user_id))
        assert await send(second, answer) == 200
        assert await send(first, answer) == 200
        assert len(bot_api.texts(user.user_id)) == after_outage + 1  # the next question, once
        assert await send(first, user.message("A landing page")) == 200

        metrics = {}
        for worker in (first, second):
            async with session.get(f"{worker.url}/metrics") as response:
                metrics[worker.name] = await response.text()

    database = create_engine(migrated_pg_url)
    try:
        cases = await conversation_state(database, platform="telegram", user_id="740001")
    finally:
        await database.dispose()
    assert len(cases) == 1
    case = cases[0]
    assert case.state["answers"]["client_name"] == "Ana Novak"
    assert case.state["answers"]["delivery"] == "A landing page"
    assert case.step == "client_said"
    assert case.seqs == list(range(1, len(case.seqs) + 1))
    assert [to_step for _, _, to_step, _ in case.events][-2:] == ["delivery", "client_said"]
    assert 'outcome="unavailable",platform="telegram"} 1.0' in metrics["first"]
    assert 'outcome="duplicate",platform="telegram"} 1.0' in metrics["first"]
    assert "rejection_coach_database_up 1.0" in metrics["first"]
