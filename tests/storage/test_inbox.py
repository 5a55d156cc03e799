"""The inbox table (issue 13): stored once, held for its worker, taken over when it died."""

from __future__ import annotations

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
