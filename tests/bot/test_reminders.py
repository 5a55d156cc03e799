"""Durable reminders: due rows, claimed once across workers, delivered after a restart."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.reminders import ReminderScheduler
from flows.case import Step
from flows.coach import Coach
from flows.io import CommandInput, ConversationKey, Outgoing, ReminderKind, UserContext
from storage import Storage, upgrade
from tests.helpers.engine_helpers import BULGARIAN_PATH, Conversation, FakeClock, message
from tests.helpers.storage_helpers import sqlite_url

ALICE = ConversationKey(platform="telegram", workspace="", user_id="1001")

#: Long enough for any machine; the tests wait on events, never on time.
PATIENCE = 30.0


async def _cooling_down(engine: Engine, storage: Storage) -> Conversation:
    """A Bulgarian user who asked to be reminded in 15 minutes."""
    conversation = Conversation(key=ALICE, script=BULGARIAN_PATH)
    await conversation.start(engine)
    await conversation.step(engine, storage)  # upset → cool-down
    await conversation.step(engine, storage)  # remind me in 15 minutes
    case = await conversation.active_case(storage)
    assert case is not None and case.step is Step.COOL_DOWN
    return conversation


async def test_a_reminder_is_delivered_once_when_due(storage: Storage) -> None:
    clock = FakeClock()
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    conversation = await _cooling_down(engine, storage)
    case = await conversation.active_case(storage)

    early = await engine.claim_due_reminders(platform="telegram")
    clock.advance(timedelta(minutes=16))
    elsewhere = await engine.claim_due_reminders(platform="slack")
    due = await engine.claim_due_reminders(platform="telegram")
    again = await engine.claim_due_reminders(platform="telegram")

    assert early == [] and elsewhere == [] and again == []
    assert [d.key for d in due] == [ALICE]
    expected = Coach().on_reminder(
        UserContext(language="bg", active_case=case), ReminderKind.COOL_DOWN
    )
    assert due[0].outgoing == expected.outgoing  # in the user's (platform) language


async def test_a_reminder_survives_a_restart(migrated_url: str) -> None:
    clock = FakeClock()
    first = Storage(migrated_url)
    try:
        await _cooling_down(Engine(storage=first, coach=Coach(), clock=clock), first)
    finally:
        await first.dispose()  # the process that scheduled it is gone

    clock.advance(timedelta(hours=1))
    second = Storage(migrated_url)
    try:
        delivered = await Engine(storage=second, coach=Coach(), clock=clock).claim_due_reminders(
            platform="telegram"
        )
    finally:
        await second.dispose()

    assert [d.key for d in delivered] == [ALICE]


async def test_two_workers_claim_a_reminder_once(migrated_url: str, storage: Storage) -> None:
    clock = FakeClock()
    await _cooling_down(Engine(storage=storage, coach=Coach(), clock=clock), storage)
    clock.advance(timedelta(minutes=20))
    workers = [Storage(migrated_url) for _ in range(2)]
    try:
        results = await asyncio.gather(
            *(
                Engine(storage=w, coach=Coach(), clock=clock).claim_due_reminders(
                    platform="telegram"
                )
                for w in workers
            )
        )
    finally:
        for worker in workers:
            await worker.dispose()

    assert sorted(len(r) for r in results) == [0, 1]


async def test_a_reminder_of_a_closed_case_is_dropped(storage: Storage) -> None:
    clock = FakeClock()
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    await _cooling_down(engine, storage)
    await engine.handle(message(ALICE, CommandInput(name="cancel")))
    clock.advance(timedelta(days=1))

    assert await engine.claim_due_reminders(platform="telegram") == []
    user = await storage.find_user(ALICE)
    assert user is not None
    assert await storage.claim_due_reminders(platform="telegram", now=clock.now) == []


class _Inbox:
    """What the scheduler sent, per conversation; optionally fails the first send."""

    def __init__(self, *, fail_first: bool = False) -> None:
        self.sent: list[tuple[ConversationKey, list[Outgoing]]] = []
        self.received = asyncio.Event()
        self._fail_next = fail_first

    async def send(self, key: ConversationKey, outgoing: list[Outgoing]) -> None:
        if self._fail_next:
            self._fail_next = False
            raise ConnectionError("platform down")
        self.sent.append((key, outgoing))
        self.received.set()


async def test_scheduler_delivers_due_reminders(storage: Storage) -> None:
    clock = FakeClock()
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    await _cooling_down(engine, storage)
    clock.advance(timedelta(minutes=15))
    inbox = _Inbox()
    scheduler = ReminderScheduler(
        engine=engine, platform="telegram", send=inbox.send, interval=0.01
    )

    scheduler.start()
    try:
        await asyncio.wait_for(inbox.received.wait(), PATIENCE)
        # A few more polls find nothing new.
        assert await scheduler.run_once() == 0
    finally:
        await scheduler.stop()

    assert not scheduler.running
    assert [key for key, _ in inbox.sent] == [ALICE]


async def test_a_failed_send_is_retried_after_the_lease(storage: Storage) -> None:
    clock = FakeClock()
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    await _cooling_down(engine, storage)
    bob = Conversation(
        key=ConversationKey(platform="telegram", workspace="", user_id="2002"),
        script=BULGARIAN_PATH,
    )
    await bob.start(engine)
    await bob.step(engine, storage)
    await bob.step(engine, storage)
    clock.advance(timedelta(minutes=15))
    inbox = _Inbox(fail_first=True)
    scheduler = ReminderScheduler(
        engine=engine, platform="telegram", send=inbox.send, interval=0.01
    )

    assert await scheduler.run_once() == 1  # one send failed, the other went out
    assert len(inbox.sent) == 1  # the other one went out; the failed one waits
    assert await scheduler.run_once() == 0  # its claim holds until the lease runs out

    clock.advance(timedelta(minutes=6))  # past the claim lease
    assert await scheduler.run_once() == 1  # the failed send is retried, once
    assert await scheduler.run_once() == 0
    assert sorted(key.user_id for key, _ in inbox.sent) == ["1001", "2002"]


async def test_scheduler_survives_a_locked_database(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "coach.db"
    url = sqlite_url(path)
    await upgrade(url)
    clock = FakeClock()
    storage = Storage(url, busy_timeout_ms=20)
    engine = Engine(storage=storage, coach=Coach(), clock=clock)
    inbox = _Inbox()
    scheduler = ReminderScheduler(
        engine=engine, platform="telegram", send=inbox.send, interval=0.01
    )
    try:
        await _cooling_down(engine, storage)
        clock.advance(timedelta(minutes=15))
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            with caplog.at_level(logging.WARNING, logger="bot.engine"):
                scheduler.start()

                async def failed_once() -> None:
                    while not any("claiming" in r.getMessage() for r in caplog.records):
                        await asyncio.sleep(0.01)

                await asyncio.wait_for(failed_once(), PATIENCE)
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert inbox.sent == []
        await asyncio.wait_for(inbox.received.wait(), PATIENCE)
    finally:
        await scheduler.stop()
        await storage.dispose()

    assert [key for key, _ in inbox.sent] == [ALICE]
