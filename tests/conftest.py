"""Root fixtures: a fresh database on SQLite and (with TEST_DATABASE_URL) on PostgreSQL;
the local Redis (with TEST_REDIS_URL) under a key prefix of the test's own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Storage, upgrade
from tests.helpers.redis_helpers import delete_keys, redis_server_url, unique_prefix
from tests.helpers.storage_helpers import POSTGRESQL, SQLITE, fresh_database


@pytest.fixture(params=[SQLITE, pytest.param(POSTGRESQL, marks=pytest.mark.postgres)])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[str]:
    """The URL of a brand-new, empty database (not migrated), removed after the test.

    ``sqlite``: a file in the test's temporary directory, on the driver that
    ``SQLITE_DRIVER`` names (stock aiosqlite unless set). ``postgresql``: a new
    database on the server of ``TEST_DATABASE_URL``; skipped when it is unset.
    ``tests/storage`` adds the in-loop SQLite driver.
    """
    async with fresh_database(request.param, tmp_path=tmp_path, monkeypatch=monkeypatch) as url:
        yield url


@pytest.fixture
async def migrated_url(database_url: str) -> str:
    """``database_url`` with every migration applied."""
    await upgrade(database_url)
    return database_url


@pytest.fixture
async def storage(migrated_url: str) -> AsyncIterator[Storage]:
    """A :class:`~storage.Storage` on a migrated fresh database."""
    store = Storage(migrated_url)
    try:
        yield store
    finally:
        await store.dispose()


@pytest.fixture
def redis_url() -> str:
    """The Redis server of ``TEST_REDIS_URL``; the test is skipped when it is unset."""
    return redis_server_url()


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    """A Redis key prefix of this test alone; its keys are deleted afterwards."""
    prefix = unique_prefix()
    try:
        yield prefix
    finally:
        await delete_keys(redis_url, prefix)
