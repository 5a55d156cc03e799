"""SQLite specifics: the default file, both drivers, the pool, pragmas, lock waits, checkpoints."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy.pool import AsyncAdaptedQueuePool, StaticPool

from storage import DATABASE_ERRORS, Storage, StorageTransaction, default_database_url, upgrade
from storage.db import SQLITE_DRIVER_ENV, SQLITE_DRIVERS, resolve_sqlite_driver
from storage.sqlite_checkpoint import DEFAULT_CHECKPOINT_EVERY
from storage.sqlite_inloop import Connection as InLoopConnection
from tests.helpers.storage_helpers import is_processed, sqlite_url

#: What each driver hands SQLAlchemy as the driver-level connection.
DRIVER_CONNECTIONS = {"aiosqlite": aiosqlite.Connection, "inloop": InLoopConnection}


@pytest.fixture(params=SQLITE_DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    """Each SQLite driver in turn."""
    return str(request.param)


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


def test_stock_aiosqlite_is_the_default_and_inloop_is_opt_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SQLITE_DRIVER_ENV, raising=False)
    assert resolve_sqlite_driver() == "aiosqlite"
    monkeypatch.setenv(SQLITE_DRIVER_ENV, "inloop")
    assert resolve_sqlite_driver() == "inloop"
    assert resolve_sqlite_driver("aiosqlite") == "aiosqlite"  # an explicit choice wins
    monkeypatch.setenv(SQLITE_DRIVER_ENV, "pysqlite")
    with pytest.raises(ValueError, match="SQLITE_DRIVER"):
        resolve_sqlite_driver()


async def test_connections_use_wal_foreign_keys_and_busy_timeout(
    tmp_path: Path, driver: str
) -> None:
    store = Storage(sqlite_url(tmp_path / "coach.db"), busy_timeout_ms=1234, sqlite_driver=driver)
    try:
        async with store.transaction(readonly=True) as tx:
            conn = tx.connection
            journal = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar_one()
            foreign_keys = (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar_one()
            sqlite_timeout = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar_one()
            raw = (await conn.get_raw_connection()).driver_connection
        pool = store.engine.pool
    finally:
        await store.dispose()

    assert journal == "wal"
    assert foreign_keys == 1
    # A file database keeps its connections in a queue pool (never NullPool,
    # whatever the SQLAlchemy version's default), so PRAGMAs run once per connection.
    assert isinstance(pool, AsyncAdaptedQueuePool)
    assert isinstance(raw, DRIVER_CONNECTIONS[driver])
    if isinstance(raw, InLoopConnection):
        # The driver waits for a lock without blocking the event loop; SQLite's
        # own (blocking) busy handler is off.
        assert raw.busy_timeout == pytest.approx(1.234)
        assert sqlite_timeout == 0
    else:
        # SQLite's busy handler waits, on aiosqlite's worker thread.
        assert sqlite_timeout == 1234


async def test_a_pooled_connection_is_reused(tmp_path: Path, driver: str) -> None:
    store = Storage(sqlite_url(tmp_path / "coach.db"), sqlite_driver=driver)
    try:
        raws = []
        for _ in range(3):
            async with store.transaction(readonly=True) as tx:
                raws.append((await tx.connection.get_raw_connection()).driver_connection)
    finally:
        await store.dispose()

    assert raws[0] is raws[1] is raws[2]


async def _insert_update_id(tx: StorageTransaction, update_id: str) -> None:
    assert await tx.mark_processed(platform="test", update_id=update_id)


async def test_a_writer_waits_for_the_lock_without_blocking_the_event_loop(
    tmp_path: Path, driver: str
) -> None:
    url = sqlite_url(tmp_path / "coach.db")
    await upgrade(url)
    store = Storage(url, busy_timeout_ms=10_000, sqlite_driver=driver)
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
        assert await is_processed(store, platform="test", update_id="first")
        assert await is_processed(store, platform="test", update_id="second")
    finally:
        await store.dispose()


async def test_a_writer_gives_up_after_the_busy_timeout(tmp_path: Path, driver: str) -> None:
    url = sqlite_url(tmp_path / "coach.db")
    await upgrade(url)
    store = Storage(url, busy_timeout_ms=50, sqlite_driver=driver)
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
    assert holder.done()


async def test_inloop_wal_checkpoints_run_on_a_worker_thread(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "coach.db")
    await upgrade(url)
    store = Storage(url, sqlite_driver="inloop")
    try:
        async with store.transaction(readonly=True) as tx:
            conn = tx.connection
            automatic = (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar_one()
            raw = (await conn.get_raw_connection()).driver_connection
        assert isinstance(raw, InLoopConnection)
        checkpointer = raw.checkpointer
        assert checkpointer is not None
        for number in range(DEFAULT_CHECKPOINT_EVERY + 1):
            async with store.transaction() as tx:
                await _insert_update_id(tx, str(number))
        checkpointer.wait(timeout=30)
    finally:
        await store.dispose()

    assert automatic == 0  # commits on the event loop never checkpoint (nor fsync)
    assert checkpointer.done >= 1
    assert checkpointer.last_result is not None
    wal_frames, checkpointed = checkpointer.last_result
    assert checkpointed > 0 and wal_frames >= checkpointed


async def test_aiosqlite_keeps_sqlite_automatic_checkpoints(tmp_path: Path) -> None:
    # aiosqlite runs every call, commits and their checkpoints included, on its
    # own thread: the event loop never waits for an fsync, so no checkpointer.
    store = Storage(sqlite_url(tmp_path / "coach.db"), sqlite_driver="aiosqlite")
    try:
        async with store.transaction(readonly=True) as tx:
            conn = tx.connection
            automatic = (await conn.exec_driver_sql("PRAGMA wal_autocheckpoint")).scalar_one()
            raw = (await conn.get_raw_connection()).driver_connection
    finally:
        await store.dispose()

    assert isinstance(raw, aiosqlite.Connection)
    assert automatic == 1000  # SQLite's default


async def test_an_in_memory_database_shares_one_connection(driver: str) -> None:
    store = Storage("sqlite+aiosqlite://", sqlite_driver=driver)
    try:
        async with store.transaction(readonly=True) as tx:
            raw = (await tx.connection.get_raw_connection()).driver_connection
        pool = store.engine.pool
    finally:
        await store.dispose()

    assert isinstance(pool, StaticPool)
    assert isinstance(raw, DRIVER_CONNECTIONS[driver])
    if isinstance(raw, InLoopConnection):
        assert raw.checkpointer is None
