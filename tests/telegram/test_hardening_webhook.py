"""Junk on the Telegram webhook (issue 14, item 4): red-team rows 1.5, 1.6 and 6.2.

With the right secret, JSON nested 1 000+ deep gave 500 (RecursionError), and a
structurally bad update (``message: "hi"``, a chat id ``"abc"`` …) gave 500 too, so
Telegram would deliver it again and again — and ``chat.id: "abc"`` created a user.
They are 400 now, never counted as webhook errors. A database outage answers 503,
as docs/deploy.md says. The handler is served inside ``serve``'s app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.channels.telegram.channel import TelegramChannel
from bot.channels.telegram.webhook import SECRET_HEADER, webhook_handler
from bot.engine import Engine
from bot.metrics import Metrics
from bot.serve import build_app
from flows.coach import Coach
from storage import Storage
from tests.helpers.standins.telegram import BotApiStandIn
from tests.helpers.storage_helpers import sqlite_url, table_row_counts

SECRET = "s3cr3t_token-for-tests"


async def _healthy() -> bool:
    return True


async def _serve(adapter: TelegramChannel) -> tuple[web.AppRunner, str, Metrics]:
    metrics = Metrics()
    route = web.post("/telegram/webhook", webhook_handler(adapter, secret=SECRET))
    runner = web.AppRunner(build_app(health=_healthy, metrics=metrics, routes=[route]))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/telegram/webhook", metrics


@pytest.fixture
async def served(adapter: TelegramChannel) -> AsyncIterator[tuple[str, Metrics]]:
    """The webhook inside ``serve``'s app (its middleware and metrics) on a loopback port."""
    runner, url, metrics = await _serve(adapter)
    try:
        yield url, metrics
    finally:
        await runner.cleanup()


def _webhook_errors(metrics: Metrics) -> float:
    body, _ = metrics.render(accept="")
    for line in body.decode().splitlines():
        if line.startswith("rejection_coach_errors_total") and 'where="webhook"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def _post(url: str, body: bytes) -> int:
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        return response.status


def _message(**fields: Any) -> dict[str, Any]:
    return {"message_id": 1, "date": 0, "text": "hi", **fields}


_FROM = {"id": 5, "is_bot": False, "first_name": "Ana"}
_BY_ANA = {"from": _FROM}
_BY_ABC = {"from": {"id": "abc"}}


@pytest.mark.parametrize(
    "body",
    [
        b'{"update_id": 1, "message": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b"[" * 100_000 + b"]" * 100_000,
    ],
    ids=["nested-in-update", "nested-array"],
)
async def test_deeply_nested_json_is_400(
    served: tuple[str, Metrics], body: bytes, api: BotApiStandIn
) -> None:
    """Row 1.6."""
    url, metrics = served
    assert await _post(url, body) == 400
    assert _webhook_errors(metrics) == 0
    assert api.calls_to("sendMessage") == []


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 2, "message": "hi"},
        {"update_id": 3, "message": _message(**{"from": _FROM})},
        {"update_id": 4, "message": _message(chat={"id": "abc", "type": "private"}, **_BY_ANA)},
        {"update_id": 5, "message": _message(chat={"id": 5, "type": "private"}, **_BY_ABC)},
        {"update_id": 6, "callback_query": {"id": "q", "data": "x"}},
        {"update_id": 7, "poll_answer": {}},
    ],
    ids=["message-string", "no-chat", "chat-id-string", "user-id-string", "query-no-user", "poll"],
)
async def test_a_structurally_bad_update_is_400_and_stores_nothing(
    served: tuple[str, Metrics], update: dict[str, Any], storage: Storage
) -> None:
    """Row 1.5."""
    import json

    url, metrics = served
    assert await _post(url, json.dumps(update).encode()) == 400
    assert _webhook_errors(metrics) == 0
    assert (await table_row_counts(storage)).get("users", 0) == 0


async def test_a_database_outage_answers_503(api: BotApiStandIn, tmp_path: Path) -> None:
    """Row 6.2: 503 (what deploy.md says), so Telegram redelivers; not a bare 500."""
    import json

    broken = Storage(sqlite_url(tmp_path / "no-such-dir" / "coach.db"))
    engine = Engine(storage=broken, coach=Coach())
    adapter = TelegramChannel(engine=engine, token=api.token, base_url=api.base_url)
    await adapter.start()
    runner, url, _metrics = await _serve(adapter)
    try:
        user = {"id": 9, "is_bot": False, "first_name": "Ana", "language_code": "en"}
        update = {
            "update_id": 10,
            "message": _message(chat={"id": 9, "type": "private"}, **{"from": user}),
        }
        assert await _post(url, json.dumps(update).encode()) == 503
    finally:
        await runner.cleanup()
        await adapter.stop()
        await broken.dispose()
