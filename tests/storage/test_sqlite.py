"""SQLite specifics: the per-user default file, WAL, busy timeout, foreign keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage import Storage, default_database_url
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
            timeout = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar_one()
    finally:
        await store.dispose()

    assert journal == "wal"
    assert foreign_keys == 1
    assert timeout == 1234
