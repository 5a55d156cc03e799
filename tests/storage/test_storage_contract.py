"""The storage contract, run on SQLite and (with TEST_DATABASE_URL) on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from flows.case import Case, CaseOutcome, CaseStatus, FollowUp, Intermediary, Step
from flows.io import ConversationKey, Draft, DraftKind, ReminderKind, Reply
from storage import ConflictError, Storage, create_engine, prune_processed
from storage.deliveries import MAX_PENDING_REMINDERS
from tests.helpers.storage_helpers import count_user_rows, table_row_counts

ALICE = ConversationKey(platform="telegram", workspace="", user_id="1001")
BOB = ConversationKey(platform="slack", workspace="T1", user_id="U2")
T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


async def _save(storage: Storage, *, user_id: int, case: Case) -> int:
    async with storage.transaction() as tx:
        return await tx.save_case(user_id=user_id, case=case)


async def _active_case(storage: Storage, *, user_id: int) -> Case | None:
    async with storage.transaction(readonly=True) as tx:
        return await tx.load_active_case(user_id=user_id)


async def _mark(storage: Storage, *, platform: str, update_id: str) -> bool:
    async with storage.transaction() as tx:
        return await tx.mark_processed(platform=platform, update_id=update_id)


async def _remind(storage: Storage, *, user_id: int, platform: str, due_at: datetime) -> int | None:
    async with storage.transaction() as tx:
        return await tx.add_reminder(
            user_id=user_id,
            case_id=None,
            platform=platform,
            kind=ReminderKind.FOLLOW_UP,
            due_at=due_at,
        )


def _case(step: Step = Step.CALM) -> Case:
    case = Case(step=step)
    case.answers.client_name = "Acme „Ltd“"
    case.answers.price = Decimal("1200.50")
    case.answers.intermediary = Intermediary.AGENCY
    return case


# ------------------------------------------------------------------- users


async def test_user_is_created_once_per_identity(storage: Storage) -> None:
    first = await storage.get_or_create_user(ALICE)
    again = await storage.get_or_create_user(ALICE)
    other_workspace = await storage.get_or_create_user(
        ConversationKey(platform="telegram", workspace="x", user_id="1001")
    )

    assert first == again
    assert first.language is None
    assert other_workspace.id != first.id


async def test_language_is_stored(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    await storage.set_language(user_id=user.id, language="bg")

    found = await storage.find_user(ALICE)

    assert found is not None
    assert found.language == "bg"
    assert await storage.find_user(BOB) is None


async def test_concurrent_first_messages_create_one_user(migrated_url: str) -> None:
    stores = [Storage(migrated_url) for _ in range(4)]
    try:
        users = await asyncio.gather(*(s.get_or_create_user(ALICE) for s in stores))
    finally:
        for store in stores:
            await store.dispose()
    assert len({u.id for u in users}) == 1


# ------------------------------------------------------------------- cases


async def test_case_round_trips_with_every_answer(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    case = _case(Step.PRICE)
    case.trail = [Step.START, Step.CALM]
    case.turn = 7

    assert await _save(storage, user_id=user.id, case=case) == 1
    loaded = await _active_case(storage, user_id=user.id)

    assert loaded == case
    assert loaded is not None
    assert loaded.answers.price == Decimal("1200.50")
    assert loaded.answers.intermediary is Intermediary.AGENCY


async def test_stale_version_is_a_conflict_and_changes_nothing(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    case = _case()
    await _save(storage, user_id=user.id, case=case)
    first = await _active_case(storage, user_id=user.id)
    second = await _active_case(storage, user_id=user.id)
    assert first is not None and second is not None

    first.step = Step.CLIENT_NAME
    await _save(storage, user_id=user.id, case=first)
    second.step = Step.COOL_DOWN
    with pytest.raises(ConflictError):
        await _save(storage, user_id=user.id, case=second)

    stored = await _active_case(storage, user_id=user.id)
    assert stored is not None
    assert stored.step is Step.CLIENT_NAME
    assert stored.version == 2


async def test_a_user_has_at_most_one_active_case(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    await _save(storage, user_id=user.id, case=_case())

    with pytest.raises(ConflictError):
        await _save(storage, user_id=user.id, case=_case())


async def test_closing_and_opening_in_one_transaction(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    old = _case()
    await _save(storage, user_id=user.id, case=old)

    old.status = CaseStatus.CANCELLED
    new = Case(step=Step.CALM)
    async with storage.transaction() as tx:
        await tx.save_case(user_id=user.id, case=old)
        await tx.save_case(user_id=user.id, case=new)

    active = await _active_case(storage, user_id=user.id)
    assert active is not None and active.id == new.id
    async with storage.transaction(readonly=True) as tx:
        history = await tx.list_cases(user_id=user.id)
    assert {c.id: c.status for c in history} == {
        old.id: CaseStatus.CANCELLED,
        new.id: CaseStatus.ACTIVE,
    }


async def test_one_query_reads_the_user_and_only_the_active_case(storage: Storage) -> None:
    async with storage.session() as session:
        assert await session.find_user_and_active_case(ALICE) == (None, None)
    user = await storage.get_or_create_user(ALICE, platform_language="bg")
    closed = _case(Step.REPLY)
    closed.status = CaseStatus.DONE
    await _save(storage, user_id=user.id, case=closed)

    async with storage.session() as session:
        without_case = await session.find_user_and_active_case(ALICE)
        active = _case(Step.PRICE)
        async with session.transaction() as tx:  # the same connection, then a write
            await tx.save_case(user_id=user.id, case=active)
        found, case = await session.find_user_and_active_case(ALICE)

    assert without_case == (user, None)
    assert found == user and found.platform_language == "bg"
    assert case == active  # every answer, the step and the version
    async with storage.transaction(readonly=True) as tx:
        assert await tx.find_user_and_active_case(BOB) == (None, None)


async def test_a_write_after_the_one_query_read_is_still_all_or_nothing(
    storage: Storage,
) -> None:
    user = await storage.get_or_create_user(ALICE)
    async with storage.session() as session:
        assert await session.find_user_and_active_case(ALICE) == (user, None)
        with pytest.raises(RuntimeError):
            async with session.transaction() as tx:
                await tx.save_case(user_id=user.id, case=_case())
                assert await tx.mark_processed(platform="telegram", update_id="9")
                raise RuntimeError("the coach failed")

    assert await _active_case(storage, user_id=user.id) is None
    assert await _mark(storage, platform="telegram", update_id="9") is True


async def test_history_is_newest_first(migrated_url: str) -> None:
    now = [T0]
    store = Storage(migrated_url, clock=lambda: now[0])
    try:
        user = await store.get_or_create_user(ALICE)
        ids = []
        for _ in range(3):
            case = _case()
            case.status = CaseStatus.DONE
            await _save(store, user_id=user.id, case=case)
            ids.append(case.id)
            now[0] += timedelta(minutes=1)

        async with store.transaction(readonly=True) as tx:
            history = await tx.list_cases(user_id=user.id)
            latest = await tx.latest_case(user_id=user.id)
    finally:
        await store.dispose()

    assert [c.id for c in history] == ids[::-1]
    assert latest is not None and latest.id == ids[-1]


async def test_a_failed_transaction_leaves_nothing(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    case = _case()

    with pytest.raises(RuntimeError):
        async with storage.transaction() as tx:
            await tx.mark_processed(platform="telegram", update_id="77")
            await tx.save_case(user_id=user.id, case=case)
            raise RuntimeError("the coach failed")

    assert await _active_case(storage, user_id=user.id) is None
    assert await _mark(storage, platform="telegram", update_id="77") is True


# ------------------------------------------------------------------ events


async def test_events_are_numbered_per_case(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    one, two = _case(), _case()
    two.status = CaseStatus.DONE
    await _save(storage, user_id=user.id, case=one)
    await _save(storage, user_id=user.id, case=two)

    seqs = []
    for case_id, from_step, to_step, kind in (
        (one.id, None, "calm", "command:start"),
        (one.id, "calm", "client_name", "choice"),
        (two.id, "reply", "done", "choice"),
    ):
        async with storage.transaction() as tx:  # one transaction per step, as the engine does
            seqs.append(
                await tx.append_event(
                    case_id=case_id,
                    user_id=user.id,
                    from_step=from_step,
                    to_step=to_step,
                    kind=kind,
                )
            )

    assert seqs == [1, 2, 1]
    async with storage.transaction(readonly=True) as tx:
        events = await tx.list_events(case_id=one.id)
    assert [(e.seq, e.from_step, e.to_step, e.kind) for e in events] == [
        (1, None, "calm", "command:start"),
        (2, "calm", "client_name", "choice"),
    ]


# -------------------------------------------------------- processed updates


async def test_an_update_is_processed_once(storage: Storage) -> None:
    assert await _mark(storage, platform="telegram", update_id="1") is True
    assert await _mark(storage, platform="telegram", update_id="1") is False
    assert await _mark(storage, platform="slack", update_id="1") is True


async def test_old_update_ids_are_pruned(migrated_url: str) -> None:
    now = [T0]
    store = Storage(migrated_url, clock=lambda: now[0])
    try:
        await _mark(store, platform="telegram", update_id="old")
        now[0] = T0 + timedelta(days=3)
        await _mark(store, platform="telegram", update_id="new")

        async with store.transaction() as tx:
            removed = await tx.prune_processed(older_than=timedelta(days=2))

        assert removed == 1
        assert await _mark(store, platform="telegram", update_id="old") is True
        assert await _mark(store, platform="telegram", update_id="new") is False
    finally:
        await store.dispose()


# ---------------------------------------------------------------- reminders


async def test_reminders_fall_due_and_are_claimed_once(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    case = _case(Step.COOL_DOWN)
    await _save(storage, user_id=user.id, case=case)
    async with storage.transaction() as tx:
        soon = await tx.add_reminder(
            user_id=user.id,
            case_id=case.id,
            platform="telegram",
            kind=ReminderKind.COOL_DOWN,
            due_at=T0 + timedelta(minutes=15),
        )
        await tx.add_reminder(
            user_id=user.id,
            case_id=case.id,
            platform="telegram",
            kind=ReminderKind.FOLLOW_UP,
            due_at=T0 + timedelta(hours=1),
        )

    early = await storage.claim_due_reminders(platform="telegram", now=T0)
    other_platform = await storage.claim_due_reminders(platform="slack", now=T0 + timedelta(days=1))
    due = await storage.claim_due_reminders(platform="telegram", now=T0 + timedelta(minutes=20))
    again = await storage.claim_due_reminders(platform="telegram", now=T0 + timedelta(minutes=21))

    assert early == []
    assert other_platform == []
    assert [(r.id, r.kind, r.case_id) for r in due] == [(soon, ReminderKind.COOL_DOWN, case.id)]
    assert due[0].due_at == T0 + timedelta(minutes=15)
    assert again == []


async def test_concurrent_claimers_split_the_reminders(migrated_url: str) -> None:
    setup = Storage(migrated_url)
    claimers = [Storage(migrated_url) for _ in range(3)]
    try:
        ids: set[int] = set()
        for n in range(4):  # at most 5 pending per user (MAX_PENDING_REMINDERS)
            key = ConversationKey(platform="telegram", workspace="", user_id=f"claim{n}")
            user = await setup.get_or_create_user(key)
            for _ in range(5):
                rid = await _remind(setup, user_id=user.id, platform="telegram", due_at=T0)
                assert rid is not None
                ids.add(rid)

        async def claim_all(store: Storage) -> list[int]:
            got: list[int] = []
            while batch := await store.claim_due_reminders(
                platform="telegram", now=T0 + timedelta(minutes=1), limit=3
            ):
                got += [r.id for r in batch]
                await asyncio.sleep(0)
            return got

        results = await asyncio.gather(*(claim_all(s) for s in claimers))
    finally:
        for store in [setup, *claimers]:
            await store.dispose()

    claimed = [rid for got in results for rid in got]
    assert sorted(claimed) == sorted(ids)
    assert len(claimed) == len(set(claimed))


async def _press_remind(
    storage: Storage, *, user_id: int, case: Case, kind: ReminderKind
) -> int | None:
    async with storage.transaction() as tx:
        return await tx.add_reminder(
            user_id=user_id, case_id=case.id, platform="telegram", kind=kind, due_at=T0
        )


async def test_a_new_reminder_of_a_kind_replaces_the_pending_one(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    case = _case(Step.COOL_DOWN)
    await _save(storage, user_id=user.id, case=case)
    for _ in range(30):  # "remind me in 15 min" pressed 30 times
        await _press_remind(storage, user_id=user.id, case=case, kind=ReminderKind.COOL_DOWN)
    follow = await _press_remind(storage, user_id=user.id, case=case, kind=ReminderKind.FOLLOW_UP)

    due = await storage.claim_due_reminders(platform="telegram", now=T0 + timedelta(minutes=1))

    assert sorted(r.kind for r in due) == [ReminderKind.COOL_DOWN, ReminderKind.FOLLOW_UP]
    assert follow in {r.id for r in due}


async def test_a_user_has_at_most_five_pending_reminders(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    cases = [_case(Step.COOL_DOWN) for _ in range(30)]
    got = []
    for case in cases:  # 30 cases, one reminder each: only the first five are kept
        case.status = CaseStatus.CANCELLED  # one active case per user; the others are history
        await _save(storage, user_id=user.id, case=case)
        got.append(
            await _press_remind(storage, user_id=user.id, case=case, kind=ReminderKind.COOL_DOWN)
        )

    due = await storage.claim_due_reminders(platform="telegram", now=T0 + timedelta(minutes=1))

    assert len(due) == MAX_PENDING_REMINDERS == 5
    assert got[5:] == [None] * 25


async def test_cancelled_reminders_never_fall_due(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    case = _case(Step.COOL_DOWN)
    await _save(storage, user_id=user.id, case=case)
    await _press_remind(storage, user_id=user.id, case=case, kind=ReminderKind.COOL_DOWN)
    await _press_remind(storage, user_id=user.id, case=case, kind=ReminderKind.FOLLOW_UP)
    async with storage.transaction() as tx:
        dropped = await tx.cancel_reminders(case_id=case.id, kind=ReminderKind.COOL_DOWN)

    due = await storage.claim_due_reminders(platform="telegram", now=T0 + timedelta(minutes=1))

    assert dropped == 1 and [r.kind for r in due] == [ReminderKind.FOLLOW_UP]


async def test_a_claim_never_sent_is_claimable_after_the_lease(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    lost = await _remind(storage, user_id=user.id, platform="slack", due_at=T0)
    sent = await _remind(storage, user_id=user.id, platform="slack", due_at=T0)
    first = await storage.claim_due_reminders(platform="slack", now=T0)
    assert sent is not None
    await storage.mark_reminder_sent(reminder_id=sent)

    within = await storage.claim_due_reminders(
        platform="slack", now=T0 + timedelta(minutes=1), lease=timedelta(minutes=5)
    )
    after = await storage.claim_due_reminders(
        platform="slack", now=T0 + timedelta(minutes=6), lease=timedelta(minutes=5)
    )

    assert {r.id for r in first} == {lost, sent}
    assert within == []
    assert [r.id for r in after] == [lost]


# ------------------------------------------------------------------- drafts


async def test_latest_drafts_newest_first(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    other = await storage.get_or_create_user(BOB)
    drafts = [
        Draft(kind=DraftKind.CALL_REQUEST, text=f"Здравейте, {n}", language="bg", title=f"t{n}")
        for n in range(4)
    ]
    async with storage.transaction() as tx:
        for draft in drafts:
            await tx.add_draft(user_id=user.id, case_id=None, draft=draft)
        await tx.add_draft(
            user_id=other.id,
            case_id=None,
            draft=Draft(kind=DraftKind.REPLY, text="Hi", language="en", title="x"),
        )

    assert await storage.latest_drafts(user_id=user.id, limit=3) == drafts[::-1][:3]
    assert len(await storage.latest_drafts(user_id=other.id)) == 1


# ------------------------------------------------------------------- delete


async def _fill(storage: Storage, key: ConversationKey) -> int:
    user = await storage.get_or_create_user(key)
    await storage.set_language(user_id=user.id, language="bg")
    done, active = _case(), _case(Step.COOL_DOWN)
    done.status = CaseStatus.DONE
    # How it ended (issue 15): /delete erases the outcome with the case.
    done.outcome, done.outcome_amount = CaseOutcome.AGREED, Decimal(800)
    done.outcome_currency, done.outcome_at, done.follow_up = "EUR", T0, FollowUp.NOTE
    async with storage.transaction() as tx:
        for case in (done, active):
            await tx.save_case(user_id=user.id, case=case)
            await tx.append_event(
                case_id=case.id, user_id=user.id, from_step=None, to_step="calm", kind="text"
            )
            await tx.add_draft(
                user_id=user.id,
                case_id=case.id,
                draft=Draft(kind=DraftKind.REPLY, text="…", language="bg", title="…"),
            )
        await tx.add_reminder(
            user_id=user.id,
            case_id=active.id,
            platform=key.platform,
            kind=ReminderKind.COOL_DOWN,
            due_at=T0,
        )
        await tx.enqueue_outgoing(
            key=key, user_id=user.id, outgoing=[Reply(text="…")], origin="reply"
        )
    return user.id


async def _delete_user(storage: Storage, *, user_id: int) -> None:
    async with storage.transaction() as tx:
        await tx.delete_user(user_id=user_id)


async def test_delete_user_leaves_nothing_of_the_user(storage: Storage) -> None:
    alice = await _fill(storage, ALICE)
    bob = await _fill(storage, BOB)
    await _mark(storage, platform="telegram", update_id="9")
    before = await table_row_counts(storage)

    await _delete_user(storage, user_id=alice)

    assert set((await count_user_rows(storage, user_id=alice)).values()) == {0}
    assert await storage.find_user(ALICE) is None
    bob_rows = await count_user_rows(storage, user_id=bob)
    assert bob_rows == {
        "outbox": 1,
        "drafts": 2,
        "reminders": 1,
        "case_events": 2,
        "cases": 2,
        "users": 1,
    }
    after = await table_row_counts(storage)
    # Every table shrank by exactly Alice's rows; processed ids hold no user data.
    assert {name: before[name] - after[name] for name in before} == {
        "users": 1,
        "cases": 2,
        "case_events": 2,
        "reminders": 1,
        "drafts": 2,
        "outbox": 1,
        "processed_updates": 0,
        "inbox": 0,
        "rate_limits": 0,
    }


async def test_delete_only_user_empties_every_user_table(storage: Storage) -> None:
    alice = await _fill(storage, ALICE)

    await _delete_user(storage, user_id=alice)

    counts = await table_row_counts(storage)
    assert {name: n for name, n in counts.items() if name != "processed_updates"} == {
        "users": 0,
        "cases": 0,
        "case_events": 0,
        "reminders": 0,
        "drafts": 0,
        "outbox": 0,
        "inbox": 0,
        "rate_limits": 0,
    }


async def test_storage_on_a_shared_engine_and_the_prune_job(migrated_url: str) -> None:
    engine = create_engine(migrated_url)
    try:
        shared = Storage.from_engine(engine, clock=lambda: T0)
        await _mark(shared, platform="telegram", update_id="old")
        await shared.dispose()  # not its engine: still usable afterwards

        removed = await prune_processed(
            engine, older_than=timedelta(days=2), now=T0 + timedelta(days=3)
        )

        assert removed == 1
        assert await _mark(shared, platform="telegram", update_id="old") is True
    finally:
        await engine.dispose()


async def test_a_case_is_found_by_its_reference_only_for_its_owner(storage: Storage) -> None:
    alice = await storage.get_or_create_user(ALICE)
    bob = await storage.get_or_create_user(BOB)
    case = _case(Step.PRICE)
    case.status = CaseStatus.CANCELLED
    await _save(storage, user_id=alice.id, case=case)
    ref = case.id[:8]

    async with storage.session() as session:
        found = await session.find_case(user_id=alice.id, case_ref=ref)
        foreign = await session.find_case(user_id=bob.id, case_ref=ref)
        wildcard = await session.find_case(user_id=alice.id, case_ref="%")
        missing = await session.find_case(user_id=alice.id, case_ref="0" * 8)
    async with storage.transaction(readonly=True) as tx:
        in_tx = await tx.find_case(user_id=alice.id, case_ref=ref)
        assert await tx.find_case(user_id=alice.id, case_ref="_") is None

    assert found == case and in_tx == case  # every answer, the step, status and version
    assert foreign is None and wildcard is None and missing is None


async def test_a_reference_two_cases_share_finds_neither(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    for suffix in ("a" * 24, "b" * 24):
        case = Case(id="12345678" + suffix, step=Step.PRICE, status=CaseStatus.CANCELLED)
        await _save(storage, user_id=user.id, case=case)
    async with storage.session() as session:
        assert await session.find_case(user_id=user.id, case_ref="12345678") is None
        assert await session.find_case(user_id=user.id, case_ref="12345678aa") is not None


async def test_reopening_swaps_the_active_case_in_one_transaction(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    cancelled = _case(Step.PRICE)
    cancelled.status = CaseStatus.CANCELLED
    active = _case(Step.DELIVERY)
    await _save(storage, user_id=user.id, case=cancelled)
    await _save(storage, user_id=user.id, case=active)

    # The case that opens first: one active case per user, refused, nothing changes.
    cancelled.status, active.status = CaseStatus.ACTIVE, CaseStatus.CANCELLED
    with pytest.raises(ConflictError):
        async with storage.transaction() as tx:
            await tx.save_case(user_id=user.id, case=cancelled)
            await tx.save_case(user_id=user.id, case=active)
    cancelled.version = active.version = 1
    stored = await _active_case(storage, user_id=user.id)
    assert stored is not None and stored.id == active.id and stored.version == 1

    # The case that closes first: it makes room for the one that opens.
    async with storage.transaction() as tx:
        await tx.save_case(user_id=user.id, case=active)
        await tx.save_case(user_id=user.id, case=cancelled)
    stored = await _active_case(storage, user_id=user.id)
    assert stored is not None and stored.id == cancelled.id and stored.step is Step.PRICE
    assert stored.version == 2


# ------------------------------------------------------- outcomes (issue 15)


async def test_the_outcome_round_trips_and_names_its_follow_up(storage: Storage) -> None:
    user = await storage.get_or_create_user(ALICE)
    done, other = _case(), _case()
    for case in (done, other):
        case.status = CaseStatus.DONE
    done.outcome, done.outcome_amount, done.outcome_currency = (
        CaseOutcome.PARTED,
        Decimal("123.45"),
        "BGN",
    )
    done.outcome_at, done.follow_up = T0, FollowUp.AMOUNT
    async with storage.transaction() as tx:
        for case in (done, other):
            await tx.save_case(user_id=user.id, case=case)
        loaded = await tx.load_case(user_id=user.id, case_id=done.id)
    assert loaded is not None
    assert (loaded.outcome, loaded.outcome_amount, loaded.outcome_currency) == (
        CaseOutcome.PARTED,
        Decimal("123.45"),
        "BGN",
    )
    assert (loaded.outcome_at, loaded.follow_up) == (T0, FollowUp.AMOUNT)
    assert loaded.created_at is not None

    async with storage.session() as session:
        by_ref = await session.find_follow_up_case(user_id=user.id, case_ref=done.id[:8])
        typed = await session.find_follow_up_case(user_id=user.id, case_ref=None)
        without = await session.find_follow_up_case(user_id=user.id, case_ref=other.id[:8])
        forged = await session.find_follow_up_case(user_id=user.id, case_ref="%")
    assert by_ref is not None and by_ref.id == done.id
    assert typed is not None and typed.id == done.id
    assert without is None  # no follow-up open on it
    assert forged is None
