"""A dead database file is seen (issue 14, item 2): red-team rows 6.5, 6.6, 6.8 and P3.

``rm coach.db*`` mid-run: 91 later steps were answered normally into unlinked inodes,
/healthz stayed 200, and everything was gone at the restart. Now a deleted, replaced
(another inode) or read-only SQLite file makes /healthz fail and the engine answer
"temporarily unavailable" without writing. On PostgreSQL /healthz checks a write
path: a database that only accepts reads is unhealthy.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.engine import Engine
from bot.serve import database_health_check
from flows.coach import Coach
from flows.io import CommandInput, ConversationKey
from storage import Storage, upgrade
from storage.db import create_engine
from tests.helpers.engine_helpers import message
from tests.helpers.storage_helpers import sqlite_url

KEY = ConversationKey("telegram", "", "4242")


@pytest.fixture(params=["aiosqlite", "inloop"])
async def sqlite_db(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[tuple[Path, AsyncEngine]]:
    """A migrated SQLite file and a worker's engine on it (both drivers), used once."""
    path = tmp_path / "coach.db"
    await upgrade(sqlite_url(path))
    database = create_engine(sqlite_url(path), sqlite_driver=request.param)
    try:
        yield path, database
    finally:
        await database.dispose()


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _replace(path: Path) -> None:
    copy = path.with_name("copy.db")
    shutil.copyfile(path, copy)
    _remove(path)
    os.replace(copy, path)


def _read_only(path: Path) -> None:
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)


@pytest.mark.parametrize(
    "fault", [_remove, _replace, _read_only], ids=["deleted", "replaced", "read-only"]
)
async def test_a_dead_sqlite_file_is_unhealthy_and_unavailable(
    sqlite_db: tuple[Path, AsyncEngine], fault: Callable[[Path], None]
) -> None:
    path, database = sqlite_db
    health = database_health_check(database, timeout=3.0)
    engine = Engine(storage=Storage.from_engine(database), coach=Coach())
    assert await health() is True
    first = await engine.handle(message(KEY, CommandInput(name="start"), platform_language="en"))
    assert not first.unavailable

    fault(path)

    assert await health() is False
    after = await engine.handle(message(KEY, CommandInput(name="help"), platform_language="en"))
    assert after.unavailable, "the engine kept answering into a dead database file"


@pytest.mark.postgres
async def test_postgresql_health_checks_a_write_path(migrated_pg_url: str) -> None:
    """A PostgreSQL that answers SELECT 1 but refuses writes is unhealthy."""
    migrated_url = migrated_pg_url
    database = create_engine(migrated_url)
    try:
        assert await database_health_check(database, timeout=3.0)() is True
        async with database.connect() as connection:
            name = (await connection.execute(text("SELECT current_database()"))).scalar_one()
            await connection.execute(
                text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
            )
            await connection.commit()
    finally:
        await database.dispose()
    read_only = create_engine(migrated_url)
    try:
        assert await database_health_check(read_only, timeout=3.0)() is False
    finally:
        await read_only.dispose()
