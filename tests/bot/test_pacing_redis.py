"""The shared send budgets in Redis (REDIS_URL, issue 13): the same GCRA, one Lua script.

Against the local Redis of ``TEST_REDIS_URL`` (skipped without it), each test under a key
prefix of its own; the outage tests put the fault-injection TCP proxy in front of it, or
point at a port where nothing listens.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.engine.pacing import Pacer, PostgresBudgets, Rate
from bot.engine.pacing_redis import RedisBudgets
from bot.metrics import Metrics
from storage import Storage
from tests.helpers.redis_helpers import keys_under
from tests.helpers.storage_helpers import sqlite_url, table_row_counts
from tests.helpers.tcp_proxy import TcpProxy


def _busiest(times: list[float], window: float) -> int:
    """The most events in any window of ``window`` seconds."""
    times = sorted(times)
    best = start = 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def _closed_port() -> int:
    """A loopback port where nothing listens (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def sqlite_storage(tmp_path: Path) -> AsyncIterator[Storage]:
    """A storage whose own budgets would be in-process (SQLite): Redis is what shares."""
    store = Storage(sqlite_url(tmp_path / "coach.db"))
    try:
        yield store
    finally:
        await store.dispose()


@pytest.fixture
async def budgets(redis_url: str, redis_prefix: str) -> AsyncIterator[list[RedisBudgets]]:
    """Two Redis clients (two workers' connections) on one prefix; closed afterwards."""
    made = [RedisBudgets.from_url(redis_url, prefix=redis_prefix) for _ in range(2)]
    try:
        yield made
    finally:
        for budget in made:
            await budget.aclose()


@pytest.fixture
def redis_proxy(redis_url: str) -> Iterator[TcpProxy]:
    """The fault-injection proxy in front of the test's Redis."""
    target = urlsplit(redis_url)
    proxy = TcpProxy(target_host=target.hostname or "127.0.0.1", target_port=target.port or 6379)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()


def _via_proxy(redis_url: str, proxy: TcpProxy) -> str:
    parts = urlsplit(redis_url)
    return parts._replace(netloc=f"127.0.0.1:{proxy.port}").geturl()


async def test_a_steady_rate_spaces_the_slots_one_period_apart(
    budgets: list[RedisBudgets],
) -> None:
    budget = budgets[0]
    rate = Rate(10.0)  # strictly paced: no burst
    waits = [await budget.reserve("telegram", rate) for _ in range(8)]

    assert waits[0] <= 0  # an idle budget sends at once
    # Each next slot is one period later than the one before (less the moments between
    # the calls, which only make the waits shorter).
    steps = [later - earlier for earlier, later in itertools.pairwise(waits)]
    assert all(0 < step <= 0.1 + 1e-3 for step in steps), steps
    assert waits[-1] > 7 * 0.1 - 0.2


async def test_a_burst_goes_at_once_then_the_pace(budgets: list[RedisBudgets]) -> None:
    budget = budgets[0]
    rate = Rate(2.0, burst=3)
    waits = [await budget.reserve("slack:abc", rate) for _ in range(4)]
    other = await budget.reserve("slack:def", rate)  # another destination: its own budget

    assert all(wait <= 0 for wait in waits[:3]), waits
    assert 0.3 < waits[3] <= 0.5, waits  # the fourth waits for the pace (0.5 s)
    assert other <= 0


async def test_two_workers_reserve_from_one_budget(budgets: list[RedisBudgets]) -> None:
    first, second = budgets
    rate = Rate(10.0)
    for _ in range(5):
        await first.reserve("telegram", rate)
    # The second worker's client sees the first's five slots: its own is the sixth.
    wait = await second.reserve("telegram", rate)
    assert 0.3 < wait <= 0.5 + 1e-3, wait


async def test_two_pacers_on_redis_pace_many_concurrent_senders_together(
    sqlite_storage: Storage, budgets: list[RedisBudgets]
) -> None:
    # 60 sends wanted at once over two pacers (two workers), 40 per second allowed.
    pacers = [
        Pacer(
            storage=sqlite_storage,
            platform_rates={"telegram": Rate(40.0)},
            target_rates={},
            shared=budget,
        )
        for budget in budgets
    ]
    sent: list[float] = []

    async def send(pacer: Pacer) -> None:
        await pacer.pace("telegram", "1001")
        sent.append(time.monotonic())

    started = time.monotonic()
    await asyncio.gather(*(send(pacers[i % 2]) for i in range(60)))

    assert time.monotonic() - started >= 59 / 40 * 0.9
    assert _busiest(sent, 0.5) <= 0.5 * 40 + 2  # a little jitter of the event loop
    assert not any(pacer.degraded for pacer in pacers)


async def test_a_key_holds_only_a_hash_of_the_destination_and_expires_when_idle(
    sqlite_storage: Storage, budgets: list[RedisBudgets], redis_url: str, redis_prefix: str
) -> None:
    pacer = Pacer(
        storage=sqlite_storage,
        platform_rates={},
        target_rates={"slack": Rate(1.0)},
        shared=budgets[0],
    )
    await pacer.pace("slack", "C0123CHANNEL")

    keys = await keys_under(redis_url, redis_prefix)
    assert len(keys) == 1
    assert keys[0].startswith(f"{redis_prefix}:send-budget:slack:")
    assert "C0123CHANNEL" not in keys[0]
    # It lives as long as its budget is busy: one period (1 s) and a margin (0.1 s) ...
    from redis.asyncio import Redis

    admin = Redis.from_url(redis_url)
    try:
        assert 0 < await admin.pttl(keys[0]) <= 1100
    finally:
        await admin.aclose()
    # ... then nothing is left.
    await asyncio.sleep(1.5)
    assert await keys_under(redis_url, redis_prefix) == []


async def test_the_script_is_loaded_again_after_redis_forgot_it(
    budgets: list[RedisBudgets], redis_url: str
) -> None:
    from redis.asyncio import Redis

    budget = budgets[0]
    assert await budget.reserve("telegram", Rate(10.0)) <= 0
    admin = Redis.from_url(redis_url)
    try:
        await admin.script_flush()  # as after a restart of Redis
    finally:
        await admin.aclose()
    wait = await budget.reserve("telegram", Rate(10.0))  # NOSCRIPT, then loaded again
    assert 0 < wait <= 0.1 + 1e-3


async def test_with_redis_the_postgresql_rows_are_not_written(
    storage: Storage, redis_url: str, redis_prefix: str
) -> None:
    budget = RedisBudgets.from_url(redis_url, prefix=redis_prefix)
    rates = {"telegram": Rate(100.0)}
    on_redis = Pacer(storage=storage, platform_rates=rates, target_rates={}, shared=budget)
    try:
        for _ in range(3):
            await on_redis.pace("telegram", "1001")
    finally:
        await on_redis.aclose()

    assert (await table_row_counts(storage))["rate_limits"] == 0
    assert await keys_under(redis_url, redis_prefix) == [f"{redis_prefix}:send-budget:telegram"]
    if storage.dialect == "postgresql":
        # The same sends without Redis do write the row: the check above means something.
        plain = Pacer(storage=storage, platform_rates=rates, target_rates={})
        assert isinstance(plain.shared, PostgresBudgets)
        await plain.pace("telegram", "1001")
        assert (await table_row_counts(storage))["rate_limits"] == 1


async def test_an_unreachable_redis_paces_locally_and_says_only_the_error_type(
    sqlite_storage: Storage, caplog: pytest.LogCaptureFixture
) -> None:
    port = _closed_port()
    budget = RedisBudgets.from_url(f"redis://127.0.0.1:{port}/0", prefix="rc-test-nowhere")
    pacer = Pacer(
        storage=sqlite_storage,
        platform_rates={"telegram": Rate(20.0)},
        target_rates={},
        shared=budget,
    )
    metrics = Metrics()
    pacer.on_fallback = metrics.send_budget_fell_back
    sent: list[float] = []

    async def send() -> None:
        await pacer.pace("telegram", "1001")
        sent.append(time.monotonic())

    try:
        with caplog.at_level(logging.INFO, logger="bot.engine.pacing"):
            started = time.monotonic()
            await asyncio.gather(*(send() for _ in range(11)))
    finally:
        await pacer.aclose()

    assert pacer.degraded
    # Still paced (in the process): 11 sends at 20/s take at least half a second.
    assert time.monotonic() - started >= 10 / 20 * 0.9
    assert _busiest(sent, 0.25) <= 0.25 * 20 + 2
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["the shared send budget (redis) failed (ConnectionError); pacing locally"]
    assert str(port) not in caplog.text  # the error type only, never the address
    body, _ = metrics.render()
    assert b'rejection_coach_send_budget_fallbacks_total{store="redis"} 11.0' in body


async def test_redis_cut_then_back_paces_locally_meanwhile_and_shares_again(
    sqlite_storage: Storage,
    redis_url: str,
    redis_prefix: str,
    redis_proxy: TcpProxy,
    caplog: pytest.LogCaptureFixture,
) -> None:
    budget = RedisBudgets.from_url(_via_proxy(redis_url, redis_proxy), prefix=redis_prefix)
    # A slow budget with a long burst: no send waits, and its key lives for seconds.
    pacer = Pacer(
        storage=sqlite_storage,
        platform_rates={"telegram": Rate(1.0, burst=10)},
        target_rates={},
        shared=budget,
    )
    pacer.retry_shared_after = 0.05
    fallbacks: list[str] = []
    pacer.on_fallback = fallbacks.append
    key = f"{redis_prefix}:send-budget:telegram"
    try:
        with caplog.at_level(logging.INFO, logger="bot.engine.pacing"):
            await pacer.pace("telegram", "1001")
            assert not pacer.degraded
            assert await keys_under(redis_url, redis_prefix) == [key]

            redis_proxy.sever()
            for _ in range(3):
                await pacer.pace("telegram", "1001")
            assert pacer.degraded
            assert fallbacks == ["redis"] * 3

            redis_proxy.restore()
            await asyncio.sleep(0.1)  # past the retry delay
            await pacer.pace("telegram", "1001")
    finally:
        await pacer.aclose()

    assert not pacer.degraded  # set only by a reservation Redis answered
    assert fallbacks == ["redis"] * 3  # the send after the cut went to Redis again
    assert await keys_under(redis_url, redis_prefix) == [key]
    messages = [r.getMessage() for r in caplog.records]
    assert (
        messages.count("the shared send budget (redis) failed (ConnectionError); pacing locally")
        == 1
    )
    assert "the shared send budget (redis) is back" in messages


async def test_a_hung_redis_falls_back_after_its_timeout(
    sqlite_storage: Storage, redis_url: str, redis_prefix: str, redis_proxy: TcpProxy
) -> None:
    budget = RedisBudgets.from_url(
        _via_proxy(redis_url, redis_proxy), prefix=redis_prefix, timeout=0.3
    )
    pacer = Pacer(
        storage=sqlite_storage,
        platform_rates={"telegram": Rate(50.0)},
        target_rates={},
        shared=budget,
    )
    try:
        await pacer.pace("telegram", "1001")
        redis_proxy.hang()  # answers nothing, refuses nothing
        await asyncio.wait_for(pacer.pace("telegram", "1001"), timeout=30)
        assert pacer.degraded
    finally:
        redis_proxy.restore()
        await pacer.aclose()
