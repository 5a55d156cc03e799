"""The shared send budget's own cost: one reservation in PostgreSQL against one in Redis.

Every outbox send first reserves a slot of its budgets (:mod:`bot.engine.pacing`). This
measures that reservation alone, with a rate so high that nobody waits: one at a time
(the latency a send pays) and 16 at once on one budget (the outbox's concurrency; on
PostgreSQL they queue on the row's lock, in Redis on its single thread). PostgreSQL:
``BENCH_DATABASE_URL`` or ``TEST_DATABASE_URL`` (a fresh database, dropped after);
Redis: ``BENCH_REDIS_URL`` or ``TEST_REDIS_URL`` (default the local one), keys under a
prefix of the run, deleted after. The two stores alternate, 3 rounds each; the best
round of each counts.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable

from bench._common import Measurement, NotAvailable, not_run
from bench.scaling import _admin, _with_database, database_url

_LOGGER = logging.getLogger(__name__)

NAME = "send budget"
SEQUENTIAL = 1000
CONCURRENT = 16
ROUNDS = 3
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"

Reserve = Callable[[], Awaitable[float]]


def redis_url() -> str:
    """The Redis server to use."""
    for name in ("BENCH_REDIS_URL", "TEST_REDIS_URL"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return DEFAULT_REDIS_URL


async def _measure(reserve: Reserve) -> tuple[float, float]:
    """Milliseconds per reservation one at a time; reservations/s with 16 at once."""
    for _ in range(50):
        await reserve()
    started = time.perf_counter()
    for _ in range(SEQUENTIAL):
        await reserve()
    latency = (time.perf_counter() - started) / SEQUENTIAL * 1e3

    async def sender() -> None:
        for _ in range(SEQUENTIAL // CONCURRENT):
            await reserve()

    started = time.perf_counter()
    await asyncio.gather(*(sender() for _ in range(CONCURRENT)))
    throughput = (SEQUENTIAL // CONCURRENT * CONCURRENT) / (time.perf_counter() - started)
    return latency, throughput


async def _both() -> dict[str, list[tuple[float, float]]]:
    from bot.engine.pacing import PostgresBudgets, Rate
    from bot.engine.pacing_redis import RedisBudgets
    from storage import Storage, upgrade

    rate = Rate(1e6)  # never waits: the reservation alone
    server = database_url()
    name = f"rejection_coach_bench_budget_{os.getpid()}"
    try:
        await _admin(server, f'CREATE DATABASE "{name}"')
    except Exception as exc:
        raise NotAvailable(f"PostgreSQL unreachable ({type(exc).__name__})") from None
    url = _with_database(server, name)
    prefix = f"rc-bench-{uuid.uuid4().hex[:8]}"
    rounds: dict[str, list[tuple[float, float]]] = {"postgresql": [], "redis": []}
    storage = Storage(url)
    redis = RedisBudgets.from_url(redis_url(), prefix=prefix)
    try:
        await upgrade(url)
        postgres = PostgresBudgets(storage)
        try:
            await redis.reserve("telegram", rate)
        except redis.errors as exc:
            raise NotAvailable(f"Redis unreachable ({type(exc).__name__})") from None
        for _ in range(ROUNDS):
            rounds["postgresql"].append(await _measure(lambda: postgres.reserve("telegram", rate)))
            rounds["redis"].append(await _measure(lambda: redis.reserve("telegram", rate)))
    finally:
        await redis.aclose()
        await storage.dispose()
        await _admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return rounds


def run() -> list[Measurement]:
    """Two rows: the latency of one reservation, the throughput of 16 at once."""
    latency_measure = "one send-budget reservation, Redis vs PostgreSQL (one at a time)"
    throughput_measure = f"send-budget reservations/s, {CONCURRENT} at once on one budget"
    try:
        import redis  # noqa: F401
    except ImportError:
        return [not_run(NAME, latency_measure, "the redis extra is not installed")]
    try:
        rounds = asyncio.run(_both())
    except NotAvailable as exc:
        return [not_run(NAME, latency_measure, str(exc))]
    pg_latency = min(r[0] for r in rounds["postgresql"])
    redis_latency = min(r[0] for r in rounds["redis"])
    pg_rate = max(r[1] for r in rounds["postgresql"])
    redis_rate = max(r[1] for r in rounds["redis"])
    _LOGGER.info(
        "send budget: %.3f ms Redis, %.3f ms PostgreSQL; %.0f/s and %.0f/s at %s at once",
        redis_latency,
        pg_latency,
        redis_rate,
        pg_rate,
        CONCURRENT,
    )
    return [
        Measurement(
            benchmark=NAME,
            measure=latency_measure,
            figure=redis_latency,
            unit="ms",
            baseline=pg_latency,
            baseline_label="PostgreSQL row",
            ratio=redis_latency / pg_latency if pg_latency else None,
            note=f"best of {ROUNDS} rounds of {SEQUENTIAL}",
            details={"rounds": rounds},
        ),
        Measurement(
            benchmark=NAME,
            measure=throughput_measure,
            figure=redis_rate,
            unit="/s",
            baseline=pg_rate,
            baseline_label="PostgreSQL row",
            ratio=redis_rate / pg_rate if pg_rate else None,
            note="the outbox needs 29/s per bot token",
        ),
    ]
