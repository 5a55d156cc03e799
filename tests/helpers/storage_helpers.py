"""Builders for storage tests: fresh databases on SQLite and PostgreSQL, row counts."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL, make_url

from storage import Storage
from storage.db import SQLITE_DRIVER_ENV
from storage.models import USER_TABLES, Base, ProcessedUpdate

TEST_DATABASE_URL_ENV = "TEST_DATABASE_URL"

#: Database kinds of the ``database_url`` fixtures: SQLite on the driver
#: ``SQLITE_DRIVER`` names (stock aiosqlite unless set), SQLite on the in-loop
#: driver, PostgreSQL.
SQLITE, SQLITE_INLOOP, POSTGRESQL = "sqlite", "sqlite-inloop", "postgresql"


def postgres_server_url() -> URL | None:
    """The PostgreSQL server of ``TEST_DATABASE_URL`` (asyncpg driver), or ``None`` if unset."""
    raw = os.environ.get(TEST_DATABASE_URL_ENV, "").strip()
    if not raw:
        return None
    url = make_url(raw)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql+asyncpg")


def sqlite_url(path: Path) -> str:
    """An aiosqlite URL of a database file."""
    return f"sqlite+aiosqlite:///{path}"


async def _admin_execute(server: URL, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(
        host=server.host or "127.0.0.1",
        port=server.port or 5432,
        user=server.username or "postgres",
        password=server.password,
        database=server.database or "postgres",
        timeout=10,
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def create_postgres_database(server: URL) -> str:
    """Create an empty database ``rc_test_<random>`` on ``server``; returns its URL."""
    name = f"rc_test_{uuid.uuid4().hex[:16]}"
    await _admin_execute(server, f'CREATE DATABASE "{name}"')
    return server.set(database=name).render_as_string(hide_password=False)


async def drop_postgres_database(server: URL, url: str) -> None:
    """Drop the database of ``url`` (made by :func:`create_postgres_database`)."""
    name = make_url(url).database
    await _admin_execute(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def table_row_counts(storage: Storage) -> dict[str, int]:
    """The number of rows in every table of the schema."""
    counts: dict[str, int] = {}
    async with storage.transaction(readonly=True) as tx:
        for table in Base.metadata.sorted_tables:
            result = await tx.connection.execute(select(func.count()).select_from(table))
            counts[table.name] = int(result.scalar_one())
    return counts


async def count_user_rows(storage: Storage, *, user_id: int) -> dict[str, int]:
    """How many rows reference the user, per table (0 everywhere after deletion)."""
    counts: dict[str, int] = {}
    async with storage.transaction(readonly=True) as tx:
        for model, column in USER_TABLES:
            result = await tx.connection.execute(
                select(func.count()).select_from(model).where(column == user_id)
            )
            counts[model.__tablename__] = int(result.scalar_one())
    return counts


async def is_processed(storage: Storage, *, platform: str, update_id: str) -> bool:
    """Whether this update id is recorded as handled."""
    async with storage.transaction(readonly=True) as tx:
        result = await tx.connection.execute(
            select(func.count())
            .select_from(ProcessedUpdate)
            .where(ProcessedUpdate.platform == platform, ProcessedUpdate.update_id == update_id)
        )
        return int(result.scalar_one()) == 1


@asynccontextmanager
async def fresh_database(
    kind: str, *, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[str]:
    """The URL of a brand-new, empty database of ``kind`` (not migrated), removed afterwards.

    SQLite kinds: a file in ``tmp_path``; ``SQLITE_INLOOP`` sets ``SQLITE_DRIVER=inloop``
    for the test. ``POSTGRESQL``: a new database on the server of ``TEST_DATABASE_URL``;
    the test is skipped when it is unset.
    """
    if kind == SQLITE_INLOOP:
        monkeypatch.setenv(SQLITE_DRIVER_ENV, "inloop")
    if kind in (SQLITE, SQLITE_INLOOP):
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
