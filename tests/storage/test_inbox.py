"""The inbox table (issue 13): stored once, held for its worker, taken over when it died."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage import Storage

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
HOLD = timedelta(seconds=30)


async def _accept(storage: Storage, body: str, *, by: str = "worker-a") -> int | None:
    async with storage.transaction() as tx:
        return await tx.accept_inbox(
            platform="slack",
            digest=f"d-{body}",
            body=body,
            content_type="application/json",
            held_by=by,
            held_for=HOLD,
            now=T0,
        )


async def test_a_request_is_stored_once_and_held_for_its_worker(storage: Storage) -> None:
    first = await _accept(storage, '{"event": 1}')
    assert first is not None
    assert await _accept(storage, '{"event": 1}', by="worker-b") is None  # a retry of it
    async with storage.transaction() as tx:
        assert (
            await tx.claim_stale_inbox(
                platform="slack", held_by="worker-b", held_for=HOLD, now=T0 + HOLD / 2
            )
            == []
        )


async def test_the_request_of_a_dead_worker_is_taken_over_once(storage: Storage) -> None:
    row = await _accept(storage, '{"event": 2}')
    later = T0 + HOLD + timedelta(seconds=1)
    async with storage.transaction() as tx:
        [taken] = await tx.claim_stale_inbox(
            platform="slack", held_by="worker-b", held_for=HOLD, now=later
        )
    assert (taken.id, taken.body, taken.attempts) == (row, '{"event": 2}', 2)
    async with storage.transaction() as tx:
        assert (
            await tx.claim_stale_inbox(
                platform="slack", held_by="worker-c", held_for=HOLD, now=later
            )
            == []
        )
        await tx.inbox_done(row_id=taken.id)
    async with storage.transaction() as tx:
        assert (
            await tx.claim_stale_inbox(
                platform="slack", held_by="worker-c", held_for=HOLD, now=later + HOLD * 2
            )
            == []
        )


async def test_the_inbox_depth_and_its_oldest_request(storage: Storage) -> None:
    async with storage.transaction(readonly=True) as tx:
        assert await tx.inbox_stats() == (0, None)
    await _accept(storage, '{"event": 3}')
    await _accept(storage, '{"event": 4}')
    async with storage.transaction(readonly=True) as tx:
        assert await tx.inbox_stats() == (2, T0)


async def _accept_from(
    storage: Storage, body: str, *, sender: str, by: str = "worker-a", at: datetime = T0
) -> tuple[int | None, bool]:
    """Store a Telegram update of ``sender``; its id and whether it waits behind an older one."""
    async with storage.transaction() as tx:
        stored = await tx.accept_inbox_of(
            platform="telegram",
            digest=f"d-{body}",
            body=body,
            content_type="application/json",
            held_by=by,
            held_for=HOLD,
            now=at,
            conversation=sender,
        )
    assert stored is not None
    row_id, behind = stored
    return row_id, behind


async def test_one_senders_requests_are_worked_on_oldest_first(storage: Storage) -> None:
    first, behind_first = await _accept_from(storage, "u1", sender="ana")
    second, behind_second = await _accept_from(storage, "u2", sender="ana", by="worker-b")
    other, behind_other = await _accept_from(storage, "v1", sender="bob", by="worker-b")
    assert (behind_first, behind_second, behind_other) == (False, True, False)

    async with storage.transaction() as tx:
        # The second is let go but not first in its turn: no worker's recovery takes it.
        stale = await tx.claim_stale_inbox(
            platform="telegram", held_by="worker-c", held_for=HOLD, now=T0 + HOLD / 2
        )
        assert stale == []
        # Nor can it be taken "next" while the first still waits.
        assert (
            await tx.claim_next_inbox(
                platform="telegram",
                conversation="ana",
                held_by="worker-c",
                held_for=HOLD,
                now=T0 + HOLD / 2,
            )
            is None
        )

    # Whoever finishes the first takes the second, in the same transaction.
    async with storage.transaction() as tx:
        await tx.inbox_done(row_id=first)  # type: ignore[arg-type]
        taken = await tx.claim_next_inbox(
            platform="telegram", conversation="ana", held_by="worker-a", held_for=HOLD, now=T0
        )
    assert taken is not None
    assert (taken.id, taken.body, taken.conversation) == (second, "u2", "ana")
    assert taken.attempts == 1  # a deferred row's first try is its first attempt
    async with storage.transaction() as tx:
        # Held now: nobody else takes it, neither next nor as a dead worker's.
        assert (
            await tx.claim_next_inbox(
                platform="telegram", conversation="ana", held_by="worker-c", held_for=HOLD, now=T0
            )
            is None
        )
        assert (
            await tx.claim_stale_inbox(
                platform="telegram", held_by="worker-c", held_for=HOLD, now=T0
            )
            == []
        )
    assert other is not None


async def test_a_dead_workers_row_is_taken_over_before_the_ones_behind_it(
    storage: Storage,
) -> None:
    first, _ = await _accept_from(storage, "u1", sender="ana", by="dead")
    second, behind = await _accept_from(storage, "u2", sender="ana", by="dead")
    assert behind
    later = T0 + HOLD + timedelta(seconds=1)
    async with storage.transaction() as tx:
        taken = await tx.claim_stale_inbox(
            platform="telegram", held_by="worker-b", held_for=HOLD, now=later
        )
    assert [row.id for row in taken] == [first]  # not the second: it is behind the first
    async with storage.transaction() as tx:
        await tx.inbox_done(row_id=first)  # type: ignore[arg-type]
    async with storage.transaction() as tx:
        [then] = await tx.claim_stale_inbox(
            platform="telegram", held_by="worker-b", held_for=HOLD, now=later
        )
    assert then.id == second


async def test_one_senders_requests_stored_at_once_are_stored_in_turn(storage: Storage) -> None:
    """Stored concurrently (two workers at once), one sender's rows still queue up:
    exactly one is worked on now, the others wait behind it."""
    stored = await asyncio.gather(
        *(_accept_from(storage, f"c{i}", sender="dora", by=f"worker-{i}") for i in range(6))
    )
    assert sorted(behind for _, behind in stored) == [False, True, True, True, True, True]
    first = next(row for row, behind in stored if not behind)
    assert first == min(row for row, _ in stored if row is not None)
