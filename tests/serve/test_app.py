"""The worker's HTTP surface, in process: routes, /healthz, /metrics, failures."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.engine import Engine, IncomingMessage
from bot.metrics import Metrics
from bot.serve import build_app
from flows.coach import Coach
from flows.io import CommandInput, ConversationKey, TextInput
from storage import Storage, upgrade

AppFactory = Callable[..., Awaitable[TestClient]]


@pytest.fixture
async def client_for() -> AsyncIterator[AppFactory]:
    """Start a test server for an app built with the given keyword arguments."""
    clients: list[TestClient] = []

    async def make(**kwargs: object) -> TestClient:
        client = TestClient(TestServer(build_app(**kwargs)))  # type: ignore[arg-type]
        await client.start_server()
        clients.append(client)
        return client

    yield make
    for client in clients:
        await client.close()


def _health(answer: list[bool]) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return answer[0]

    return check


async def test_healthz_follows_the_database(client_for: AppFactory) -> None:
    answer = [True]
    metrics = Metrics()
    client = await client_for(health=_health(answer), metrics=metrics)

    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["database"] == "up"

    answer[0] = False
    response = await client.get("/healthz")
    assert response.status == 503
    assert (await response.json())["database"] == "down"
    assert metrics.registry.get_sample_value("rejection_coach_database_up") == 0


async def test_metrics_are_prometheus_text(client_for: AppFactory) -> None:
    metrics = Metrics()
    metrics.record_update(platform="telegram", outcome="ok", seconds=0.004)
    metrics.record_update(platform="telegram", outcome="duplicate", seconds=None)
    metrics.reminders_sent.labels(platform="telegram").inc()
    client = await client_for(health=_health([True]), metrics=metrics)

    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    body = await response.text()
    assert 'rejection_coach_updates_total{outcome="ok",platform="telegram"} 1.0' in body
    assert 'rejection_coach_updates_total{outcome="duplicate",platform="telegram"} 1.0' in body
    assert 'rejection_coach_step_seconds_count{platform="telegram"} 1.0' in body
    assert 'rejection_coach_reminders_sent_total{platform="telegram"} 1.0' in body
    assert "# TYPE rejection_coach_errors_total counter" in body


async def test_platform_routes_only_when_configured(client_for: AppFactory) -> None:
    client = await client_for(health=_health([True]), metrics=Metrics())
    assert (await client.post("/telegram/webhook", json={})).status == 404
    assert (await client.post("/slack/events", data=b"")).status == 404


async def test_a_failing_webhook_answers_500_and_is_counted(client_for: AppFactory) -> None:
    metrics = Metrics()

    async def failing(request: web.Request) -> web.Response:
        raise RuntimeError("the database went away")

    async def fine(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    client = await client_for(
        health=_health([True]),
        metrics=metrics,
        routes=[web.post("/telegram/webhook", failing), web.post("/slack/events", fine)],
    )
    response = await client.post("/telegram/webhook", json={"update_id": 1})
    assert response.status == 500
    assert "database" not in await response.text()  # no internals leak
    assert (await client.post("/slack/events", data=b"x")).status == 200
    assert (
        metrics.registry.get_sample_value("rejection_coach_errors_total", {"where": "webhook"}) == 1
    )


async def test_the_metrics_count_an_update_that_met_an_outage(tmp_path: Path) -> None:
    metrics = Metrics()
    # A database that cannot be opened: every update meets a database error.
    storage = Storage(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'coach.db'}")
    engine = Engine(storage=storage, coach=Coach(), observer=metrics)
    try:
        result = await engine.handle(
            IncomingMessage(
                key=ConversationKey("telegram", "", "1"), user_input=TextInput("hi"), update_id="7"
            )
        )
    finally:
        await storage.dispose()
    assert result.unavailable  # the webhook answers 503 from this (tests/telegram/test_webhook)
    assert result.outgoing == Coach().unavailable(language="en")  # and the user was told
    assert (
        metrics.registry.get_sample_value(
            "rejection_coach_updates_total", {"platform": "telegram", "outcome": "unavailable"}
        )
        == 1
    )
    assert metrics.registry.get_sample_value("rejection_coach_errors_total", {"where": "engine"})


async def test_the_metrics_observe_steps_and_duplicates(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"
    await upgrade(url)
    metrics = Metrics()
    storage = Storage(url)
    engine = Engine(storage=storage, coach=Coach(), observer=metrics)
    start = IncomingMessage(
        key=ConversationKey("telegram", "", "5"), user_input=CommandInput("start"), update_id="1"
    )
    try:
        first = await engine.handle(start)
        again = await engine.handle(start)
    finally:
        await storage.dispose()
    assert first.outgoing and not first.duplicate
    assert again.duplicate

    def sample(name: str, **labels: str) -> float | None:
        return metrics.registry.get_sample_value(name, labels)

    assert sample("rejection_coach_updates_total", platform="telegram", outcome="ok") == 1
    assert sample("rejection_coach_updates_total", platform="telegram", outcome="duplicate") == 1
    assert sample("rejection_coach_step_seconds_count", platform="telegram") == 1


async def test_metrics_show_the_outbox_and_the_inbox() -> None:
    """The depth and age gauges are read from their sources at each scrape."""
    from datetime import UTC, datetime, timedelta

    from prometheus_client.parser import text_string_to_metric_families

    from bot.metrics import Metrics
    from storage.outbox import OutboxStats

    metrics = Metrics()
    now = datetime.now(UTC)

    async def outbox() -> OutboxStats:
        return OutboxStats(pending=3, failed=1, oldest_pending=now - timedelta(seconds=40))

    async def inbox() -> tuple[int, datetime | None]:
        return 2, now - timedelta(seconds=5)

    metrics.outbox_source, metrics.inbox_source = outbox, inbox
    metrics.outbox_settled(platform="telegram", outcome="retry")
    metrics.outbox_settled(platform="telegram", outcome="sent")
    await metrics.refresh(now=now)
    body, _ = metrics.render()
    values = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
    }
    assert values[("rejection_coach_outbox_pending", ())] == 3
    assert values[("rejection_coach_outbox_failed", ())] == 1
    assert values[("rejection_coach_outbox_oldest_pending_seconds", ())] == 40
    assert values[("rejection_coach_inbox_pending", ())] == 2
    assert values[("rejection_coach_inbox_oldest_pending_seconds", ())] == 5
    assert values[("rejection_coach_outbox_retries_total", (("platform", "telegram"),))] == 1
    sent = ("rejection_coach_outbox_sends_total", (("outcome", "sent"), ("platform", "telegram")))
    assert values[sent] == 1
