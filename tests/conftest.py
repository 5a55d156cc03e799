"""Root fixtures: a fresh database on SQLite and (with TEST_DATABASE_URL) on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Storage, upgrade
from tests.helpers.storage_helpers import (
    TEST_DATABASE_URL_ENV,
    create_postgres_database,
    drop_postgres_database,
    postgres_server_url,
    sqlite_url,
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The URL of a brand-new, empty database (not migrated), removed after the test.

    ``sqlite``: a file in the test's temporary directory. ``postgresql``: a new
    database on the server of ``TEST_DATABASE_URL``; skipped when it is unset.
    """
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "coach.db")
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip(
            f"{TEST_DATABASE_URL_ENV} is not set to a PostgreSQL URL "
            "(e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test): PostgreSQL run skipped"
        )
    url = await create_postgres_database(server)
    try:
        yield url
    finally:
        await drop_postgres_database(server, url)


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
