"""The engine and the outbox (issue 13), with a collecting sender in place of a platform.

A registered platform's replies are written with the step and delivered from the
outbox in order; a failed send is retried (or given up when it is permanent);
reminders go the same way; ``/delete`` leaves no row of the user in any table.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import pytest

from bot.engine import Engine
from bot.engine.delivery import REMINDER, Delivery, DeliveryFailed
from bot.engine.outbox import MAX_UNCLASSIFIED_ATTEMPTS
from flows.coach import Coach
from flows.i18n import t
from flows.io import CommandInput, ConversationKey, Outgoing, TextInput, UserInput
from storage import Storage
from tests.helpers.engine_helpers import message, press, texts_of
from tests.helpers.storage_helpers import table_row_counts

KEY = ConversationKey(platform="telegram", workspace="", user_id="4242")
T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class Platform:
    """A collecting sender: what the user received, in order; failures on demand."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[Outgoing]]] = []
        self.failures: list[BaseException] = []

    async def deliver(self, delivery: Delivery) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.received.append((delivery.origin, list(delivery.outgoing)))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def platform() -> Platform:
    return Platform()


@pytest.fixture
def engine(storage: Storage, clock: Clock, platform: Platform) -> Engine:
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    engine.deliver_queued_with(KEY.platform, platform.deliver)
    return engine


async def _send(engine: Engine, user_input: UserInput) -> list[Outgoing]:
    result = await engine.handle(message(KEY, user_input, platform_language="en"))
    assert result.queued
    await engine.deliver_pending(KEY)
    return result.outgoing


async def test_replies_are_queued_with_the_step_and_delivered_in_order(
    engine: Engine, platform: Platform, storage: Storage
) -> None:
    first = await _send(engine, CommandInput(name="start"))
    second = await _send(engine, press(first, "calm"))

    assert platform.received == [("reply", first), ("reply", second)]
    await engine.aclose()  # a stop deletes the sent rows whose delete still waited
    assert (await table_row_counts(storage))["outbox"] == 0  # sent rows are deleted


async def _step(engine: Engine, user_input: UserInput) -> list[Outgoing]:
    """A step and the delivery of its own row, as a channel does it."""
    result = await engine.handle(message(KEY, user_input, platform_language="en"))
    assert await engine.deliver_pending(KEY, up_to=result.outbox_id) == 1
    return result.outgoing


async def test_a_sent_rows_delete_rides_along_with_the_next_transaction(
    engine: Engine, platform: Platform, storage: Storage
) -> None:
    engine.outbox.settle_delay = 60.0  # no transaction of its own within this test
    first = await _step(engine, CommandInput(name="start"))
    assert (await table_row_counts(storage))["outbox"] == 1  # sent; its delete waits
    # The next step's transaction deletes it (one commit fewer): its own row goes out
    # next, so it is written claimed and sent at once.
    second = await _step(engine, press(first, "calm"))
    assert platform.received == [("reply", first), ("reply", second)]
    assert (await table_row_counts(storage))["outbox"] == 1  # the second's, sent
    await engine.aclose()
    assert (await table_row_counts(storage))["outbox"] == 0


async def test_a_sent_rows_delete_is_taken_by_the_delivery_loop_soon(
    engine: Engine, storage: Storage
) -> None:
    # No other transaction comes: the loop is woken after the settle delay (its poll
    # interval is far longer here) and its claim deletes the sent row.
    engine.outbox.settle_delay = 0.01
    engine.outbox.poll_interval = 60.0
    loop = asyncio.create_task(engine.outbox.run())
    try:
        await asyncio.sleep(0.1)  # the loop's first round, and it waits
        await _step(engine, CommandInput(name="start"))
        async with asyncio.timeout(5):
            while (await table_row_counts(storage))["outbox"]:
                await asyncio.sleep(0.01)
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop


async def test_a_retryable_failure_holds_later_replies_back_until_it_went_out(
    engine: Engine, platform: Platform, clock: Clock
) -> None:
    platform.failures.append(DeliveryFailed("server_error", permanent=False))
    first = await _send(engine, CommandInput(name="start"))
    assert platform.received == []
    second = await _send(engine, press(first, "calm"))
    assert platform.received == []  # the next reply waits for the first: order is kept

    clock.now += timedelta(seconds=2)  # the retry is due
    assert await engine.outbox.run_once() == 2
    assert [outgoing for _, outgoing in platform.received] == [first, second]


async def test_a_429_waits_for_the_time_the_platform_asked(
    engine: Engine, platform: Platform, clock: Clock
) -> None:
    platform.failures.append(DeliveryFailed("rate_limited", permanent=False, retry_after=30))
    await _send(engine, CommandInput(name="start"))

    clock.now += timedelta(seconds=29)
    assert await engine.outbox.run_once() == 0
    clock.now += timedelta(seconds=2)
    assert await engine.outbox.run_once() == 1


async def test_a_permanent_failure_is_recorded_and_does_not_block_the_next_reply(
    engine: Engine, platform: Platform
) -> None:
    platform.failures.append(DeliveryFailed("blocked", permanent=True))
    first = await _send(engine, CommandInput(name="start"))
    second = await _send(engine, press(first, "calm"))

    assert platform.received == [("reply", second)]
    stats = await engine.outbox.stats()
    assert stats is not None and (stats.pending, stats.failed) == (0, 1)


async def test_an_unclassified_failure_is_retried_a_few_times_then_given_up(
    engine: Engine, platform: Platform, clock: Clock
) -> None:
    platform.failures += [RuntimeError("a bug")] * MAX_UNCLASSIFIED_ATTEMPTS
    await _send(engine, CommandInput(name="start"))
    for _ in range(MAX_UNCLASSIFIED_ATTEMPTS):
        clock.now += timedelta(minutes=2)
        await engine.outbox.run_once()

    assert platform.received == []
    stats = await engine.outbox.stats()
    assert stats is not None and (stats.pending, stats.failed) == (0, 1)


async def test_a_lease_of_a_dead_worker_runs_out_and_the_row_is_sent(
    engine: Engine, platform: Platform, storage: Storage, clock: Clock
) -> None:
    # The step's row is written claimed by its worker, which dies before sending it.
    dead = Engine(storage=storage, coach=engine.coach, clock=clock)
    dead.deliver_queued_with(KEY.platform, platform.deliver)
    result = await dead.handle(message(KEY, CommandInput(name="start"), platform_language="en"))
    assert result.queued
    clock.now += engine.outbox.hold_for + timedelta(seconds=2)
    assert await engine.outbox.run_once() == 0  # still its lease
    clock.now += engine.outbox.lease
    assert await engine.outbox.run_once() == 1
    assert platform.received == [("reply", result.outgoing)]
    # Even if the dead worker came back, its stale claim is not sent again.
    assert await dead.deliver_pending(KEY, up_to=result.outbox_id) == 0
    assert platform.received == [("reply", result.outgoing)]


async def test_reminders_go_through_the_outbox(
    engine: Engine, platform: Platform, clock: Clock
) -> None:
    first = await _send(engine, CommandInput(name="start"))
    await _send(engine, press(first, "upset"))
    after = await _send(engine, press(platform.received[-1][1], "r15"))
    assert after

    clock.now += timedelta(hours=1)
    [delivery] = await engine.claim_due_reminders(platform=KEY.platform)
    assert delivery.queued
    assert await engine.deliver_pending(KEY) == 1
    origin, outgoing = platform.received[-1]
    assert origin == REMINDER and outgoing == delivery.outgoing
    assert await engine.claim_due_reminders(platform=KEY.platform) == []  # once


async def test_delete_leaves_no_row_of_the_user_once_the_goodbye_went_out(
    engine: Engine, platform: Platform, storage: Storage
) -> None:
    first = await _send(engine, CommandInput(name="start"))
    await _send(engine, press(first, "calm"))
    platform.failures.append(DeliveryFailed("server_error", permanent=False))
    await _send(engine, TextInput(text="ACME Ltd"))  # its reply is still in the outbox
    asked = await engine.handle(message(KEY, CommandInput(name="delete"), platform_language="en"))
    erased = await engine.handle(
        message(KEY, press(asked.outgoing, "del.yes"), platform_language="en")
    )
    assert erased.erased and erased.queued
    await engine.deliver_pending(KEY)

    _origin, goodbye = platform.received[-1]
    assert t("en", "coach-after-delete") in "\n".join(texts_of(goodbye))
    counts = await table_row_counts(storage)
    assert {name: n for name, n in counts.items() if name != "processed_updates"} == {
        name: 0 for name in counts if name != "processed_updates"
    }
