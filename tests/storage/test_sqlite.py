"""SQLite specifics: the per-user default file, WAL, busy timeout, foreign keys, lock waits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storage import DATABASE_ERRORS, Storage, StorageTransaction, default_database_url, upgrade
from storage.sqlite_inloop import DEFAULT_CHECKPOINT_EVERY
from storage.sqlite_inloop import Connection as InLoopConnection
from tests.helpers.storage_helpers import sqlite_url


def test_default_url_is_a_file_in_the_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))

    url = default_database_url()

    assert url.startswith("sqlite+aiosqlite:///")
    path = Path(url.removeprefix("sqlite+aiosqlite:///"))
    assert path.name == "coach.db"
    assert path.parent == tmp_path / "data" / "rejection-coach"
    assert path.parent.is_dir()


def test_database_url_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://coach@db.example/coach")
    assert default_database_url() == "postgresql+asyncpg://coach@db.example/coach"


async def test_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path: Path) -> None:
    store = Storage(sqlite_url(tmp_path / "coach.db"), busy_timeout_ms=1234)
    try:
        async with store.transaction(readonly=True) as tx:
            conn = tx.connection
            journal = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
            foreign_keys = (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar_one()
            sqlite_timeout = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar_one()
            driver = (await conn.get_raw_connection()).driver_connection
    finally:
        await store.dispose()

    assert journal == "wal"
    assert foreign_keys == 1
    # The driver waits for a lock without blocking the event loop; SQLite's own
    # (blocking) busy handler is off.
    assert isinstance(driver, InLoopConnection)
    assert driver.busy_timeout == pytest.approx(1.234)
    assert sqlite_timeout == 0


async def _insert_update_id(tx: StorageTransaction, update_id: str) -> None:
    assert await tx.mark_processed(platform="test", update_id=update_id)


async def test_a_writer_waits_for_the_lock_without_blocking_the_event_loop(
    tmp_path: Path,
) -> None:
    url = sqlite_url(tmp_path / "coach.db")
    await upgrade(url)
    store = Storage(url, busy_timeout_ms=10_000)
    holding, release = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with store.transaction() as tx:
            await _insert_update_id(tx, "first")
            holding.set()
            await release.wait()  # keeps SQLite's write lock while suspended

    async def second() -> None:
        await holding.wait()
        async with store.transaction() as tx:  # BEGIN IMMEDIATE: waits for ``first``
            await _insert_update_id(tx, "second")

    try:
        first_task = asyncio.create_task(first())
        second_task = asyncio.create_task(second())
        await holding.wait()
        for _ in range(20):
            await asyncio.sleep(0)  # the loop keeps running while ``second`` waits
        assert not second_task.done()
        release.set()
        await asyncio.gather(first_task, second_task)
        async with store.transaction(readonly=True) as tx:
            assert await tx.is_processed(platform="test", update_id="first")
            assert await tx.is_processed(platform="test", update_id="second")
    finally:
        await store.dispose()


async def test_a_writer_gives_up_after_the_busy_timeout(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "coach.db")
    await upgrade(url)
    store = Storage(url, busy_timeout_ms=50)
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with store.transaction() as tx:
            await _insert_update_id(tx, "holder")
            holding.set()
            await release.wait()

    try:
        holder = asyncio.create_task(hold())
        await holding.wait()
        with pytest.raises(DATABASE_ERRORS, match="locked"):
            async with store.transaction() as tx:
                await _insert_update_id(tx, "late")
        release.set()
        await holder
    finally:
        await store.dispose()


async def test_wal_checkpoints_run_on_a_worker_thread(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "coach.db")
    await upgrade(url)
    store = Storage(url)
    try:
        async with store.transaction(readonly=True) as tx:
            conn = tx.connection
            automatic = (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar_one()
            driver = (await conn.get_raw_connection()).driver_connection
        assert isinstance(driver, InLoopConnection)
        checkpointer = driver.checkpointer
        assert checkpointer is not None
        for number in range(DEFAULT_CHECKPOINT_EVERY + 1):
            await store.mark_processed(platform="test", update_id=str(number))
        checkpointer.wait(timeout=30)
    finally:
        await store.dispose()

    assert automatic == 0  # commits on the event loop never checkpoint (nor fsync)
    assert checkpointer.done >= 1
    assert checkpointer.last_result is not None
    wal_frames, checkpointed = checkpointer.last_result
    assert checkpointed > 0 and wal_frames >= checkpointed


async def test_an_in_memory_database_has_no_checkpointer() -> None:
    store = Storage("sqlite+aiosqlite://")
    try:
        async with store.transaction(readonly=True) as tx:
            driver = (await tx.connection.get_raw_connection()).driver_connection
    finally:
        await store.dispose()

    assert isinstance(driver, InLoopConnection)
    assert driver.checkpointer is None
