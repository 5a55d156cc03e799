"""The outbox table (issue 13): per-conversation order, leases, tokens, on every backend."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from flows.io import Button, ConversationKey, Draft, DraftKind, Outgoing, Reply
from storage import Storage, utc_now
from storage.outbox import decode_outgoing, encode_outgoing

ALICE = ConversationKey(platform="telegram", workspace="", user_id="1001")
BOB = ConversationKey(platform="telegram", workspace="", user_id="1002")
CAROL = ConversationKey(platform="slack", workspace="T1", user_id="U3")
T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


async def _enqueue(storage: Storage, key: ConversationKey, text: str) -> int:
    async with storage.transaction() as tx:
        return await tx.enqueue_outgoing(
            key=key, user_id=None, outgoing=[Reply(text=text)], origin="reply", now=T0
        )


async def _claim(
    storage: Storage,
    *,
    now: datetime = T0,
    key: ConversationKey | None = None,
    platforms: tuple[str, ...] = ("telegram", "slack"),
) -> list[tuple[int, str, str]]:
    async with storage.transaction() as tx:
        claimed = await tx.claim_outbox(platforms=platforms, key=key, now=now, lease=LEASE)
    return [(c.id, c.key.user_id, c.token) for c in claimed]


def test_payload_round_trips_every_outgoing_type() -> None:
    outgoing: list[Outgoing] = [
        Reply(
            text="Какво каза клиентът?",
            title="„Въпрос“",
            buttons=((Button("Да", "rc:a:1:yes"), Button("Не", "rc:a:1:no")),),
        ),
        Reply(text="plain"),
        Draft(kind=DraftKind.REPLY, text="Здравейте,\n…", language="bg", title="Отговор"),
    ]
    assert decode_outgoing(encode_outgoing(outgoing)) == outgoing


async def test_only_the_head_of_a_conversation_is_claimed(storage: Storage) -> None:
    a1 = await _enqueue(storage, ALICE, "a1")
    await _enqueue(storage, ALICE, "a2")
    b1 = await _enqueue(storage, BOB, "b1")

    claimed = await _claim(storage)
    assert [(row_id, user) for row_id, user, _ in claimed] == [(a1, "1001"), (b1, "1002")]
    # Alice's second row waits for her first, also for another claimer.
    assert await _claim(storage) == []


async def test_a_sent_head_lets_the_next_row_through_in_order(storage: Storage) -> None:
    await _enqueue(storage, ALICE, "a1")
    a2 = await _enqueue(storage, ALICE, "a2")
    [(a1, _, token)] = await _claim(storage, key=ALICE)
    async with storage.transaction() as tx:
        assert await tx.outbox_sent(row_id=a1, token=token)
    [(next_id, _, _)] = await _claim(storage, key=ALICE)
    assert next_id == a2


async def test_a_retry_waits_until_it_is_due_and_keeps_later_rows_back(storage: Storage) -> None:
    await _enqueue(storage, ALICE, "a1")
    await _enqueue(storage, ALICE, "a2")
    [(a1, _, token)] = await _claim(storage)
    async with storage.transaction() as tx:
        assert await tx.outbox_retry(
            row_id=a1, token=token, parts_sent=1, at=T0 + timedelta(seconds=5), error="timeout"
        )
    assert await _claim(storage, now=T0 + timedelta(seconds=4)) == []
    async with storage.transaction() as tx:
        [again] = await tx.claim_outbox(
            platforms=["telegram"], now=T0 + timedelta(seconds=5), lease=LEASE
        )
    assert (again.id, again.parts_sent, again.attempts) == (a1, 1, 2)


async def test_a_lease_that_ran_out_is_taken_over_and_the_old_token_changes_nothing(
    storage: Storage,
) -> None:
    await _enqueue(storage, ALICE, "a1")
    [(a1, _, dead_token)] = await _claim(storage)
    assert await _claim(storage, now=T0 + LEASE - timedelta(seconds=1)) == []
    [(taken, _, new_token)] = await _claim(storage, now=T0 + LEASE + timedelta(seconds=1))
    assert taken == a1 and new_token != dead_token
    async with storage.transaction() as tx:
        assert not await tx.outbox_sent(row_id=a1, token=dead_token)
        assert await tx.outbox_sent(row_id=a1, token=new_token)
    async with storage.transaction(readonly=True) as tx:
        stats = await tx.outbox_stats()
    assert (stats.pending, stats.failed) == (0, 0)


async def test_a_permanent_failure_keeps_the_kind_drops_the_text_and_unblocks(
    storage: Storage,
) -> None:
    await _enqueue(storage, ALICE, "secret words")
    a2 = await _enqueue(storage, ALICE, "a2")
    [(a1, _, token)] = await _claim(storage)
    async with storage.transaction() as tx:
        assert await tx.outbox_failed(row_id=a1, token=token, error="blocked")
    [(next_id, _, _)] = await _claim(storage)
    assert next_id == a2
    async with storage.transaction(readonly=True) as tx:
        stats = await tx.outbox_stats()
        from sqlalchemy import select

        from storage.models import OutboxRow

        row = (
            await tx.connection.execute(
                select(OutboxRow.payload, OutboxRow.last_error).where(OutboxRow.id == a1)
            )
        ).one()
    assert (row.payload, row.last_error) == (None, "blocked")
    assert (stats.pending, stats.failed) == (1, 1)
    assert stats.oldest_pending is not None


async def test_claims_of_other_platforms_and_keys_are_separate(storage: Storage) -> None:
    await _enqueue(storage, ALICE, "a1")
    c1 = await _enqueue(storage, CAROL, "c1")
    assert [row for row, _, _ in await _claim(storage, platforms=("slack",))] == [c1]
    assert await _claim(storage, key=CAROL) == []


async def test_concurrent_claimers_take_disjoint_rows(storage: Storage) -> None:
    keys = [ConversationKey("telegram", "", str(2000 + n)) for n in range(20)]
    for key in keys:
        await _enqueue(storage, key, "x")

    async def claimer() -> list[int]:
        async with storage.transaction() as tx:
            claimed = await tx.claim_outbox(platforms=["telegram"], limit=7, now=T0, lease=LEASE)
        return [c.id for c in claimed]

    results = await asyncio.gather(*(claimer() for _ in range(4)))
    every = [row for rows in results for row in rows]
    assert len(every) == len(set(every)) == 20


async def test_the_prune_job_drops_old_failed_rows_only(storage: Storage) -> None:
    from storage import prune_processed

    await _enqueue(storage, ALICE, "gone")
    kept = await _enqueue(storage, BOB, "still pending")
    [(failed, _, token)] = await _claim(storage, key=ALICE)
    async with storage.transaction() as tx:
        await tx.outbox_failed(row_id=failed, token=token, error="blocked")

    await prune_processed(
        storage.engine, older_than=timedelta(days=2), now=utc_now() + timedelta(days=3)
    )

    async with storage.transaction(readonly=True) as tx:
        stats = await tx.outbox_stats()
    assert (stats.pending, stats.failed) == (1, 0)
    assert [row for row, _, _ in await _claim(storage, now=utc_now())] == [kept]


async def test_a_steps_row_is_written_claimed_when_it_goes_out_next(storage: Storage) -> None:
    async def write(text: str) -> tuple[int, object]:
        async with storage.transaction() as tx:
            return await tx.enqueue_claimed(
                key=ALICE,
                user_id=None,
                outgoing=[Reply(text=text)],
                origin="reply",
                target=None,
                now=T0,
                held_by="worker-a",
                held_for=timedelta(seconds=3),
                lease=LEASE,
            )

    first_id, first = await write("one")
    second_id, second = await write("two")
    # The first goes out next: written claimed (nobody else can claim it during the lease).
    assert first is not None and first.id == first_id and first.attempts == 1
    assert [r.text for r in first.outgoing if isinstance(r, Reply)] == ["one"]
    # The second waits behind it: only held for its writer, claimed the usual way later.
    assert second is None
    assert await _claim(storage, now=T0 + timedelta(seconds=10)) == []
    async with storage.transaction() as tx:
        assert await tx.outbox_sent(row_id=first_id, token=first.token)
    [(taken, _, _)] = await _claim(storage, now=T0 + timedelta(seconds=10))
    assert taken == second_id
    _, third = await write("three")
    assert third is None  # the second is still pending (claimed above): the third waits
