"""The storage suite runs on both SQLite drivers (stock aiosqlite and in-loop) and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import SQLITE_DRIVER_ENV
from tests.helpers.storage_helpers import POSTGRESQL, SQLITE, SQLITE_INLOOP, fresh_database


@pytest.fixture(
    params=[SQLITE, SQLITE_INLOOP, pytest.param(POSTGRESQL, marks=pytest.mark.postgres)]
)
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[str]:
    """Like the root fixture, with ``sqlite`` pinned to aiosqlite and ``sqlite-inloop`` added."""
    if request.param == SQLITE:
        monkeypatch.setenv(SQLITE_DRIVER_ENV, "aiosqlite")
    async with fresh_database(request.param, tmp_path=tmp_path, monkeypatch=monkeypatch) as url:
        yield url
