"""The worker's background jobs: pruning processed-update ids, restarting failed jobs."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import pytest
from sqlalchemy import text

from bot.metrics import Metrics
from bot.serve import prune_forever, supervise
from storage.db import create_engine


@pytest.mark.postgres
async def test_old_processed_update_ids_are_pruned(migrated_pg_url: str) -> None:
    database = create_engine(migrated_pg_url)
    try:
        async with database.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO processed_updates (platform, update_id, created_at) VALUES "
                    "('telegram', 'old', now() - interval '3 days'), "
                    "('telegram', 'new', now() - interval '1 hour')"
                )
            )
        job = asyncio.create_task(
            prune_forever(database, metrics=Metrics(), interval=0.05, older_than=timedelta(days=2))
        )
        remaining: list[str] = []
        try:
            for _ in range(100):  # bounded: about 5 s
                async with database.connect() as connection:
                    remaining = list(
                        (
                            await connection.execute(
                                text("SELECT update_id FROM processed_updates ORDER BY 1")
                            )
                        ).scalars()
                    )
                if remaining == ["new"]:
                    break
                await asyncio.sleep(0.05)
        finally:
            job.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await job
        assert remaining == ["new"]  # a redelivery within two days is still recognised
    finally:
        await database.dispose()


async def test_a_failed_background_job_is_restarted_and_counted() -> None:
    metrics = Metrics()
    runs = 0
    running = asyncio.Event()

    async def flaky() -> None:
        nonlocal runs
        runs += 1
        if runs <= 2:
            raise RuntimeError("the scheduler tripped")
        running.set()
        await asyncio.Event().wait()  # then runs until cancelled

    task = asyncio.create_task(
        supervise(flaky, name="telegram-reminders", metrics=metrics, restart_delay=0.01)
    )
    try:
        await asyncio.wait_for(running.wait(), timeout=5)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert runs == 3
    assert (
        metrics.registry.get_sample_value(
            "rejection_coach_errors_total", {"where": "telegram-reminders"}
        )
        == 2
    )
    assert task.cancelled()
