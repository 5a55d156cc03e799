"""Builders for storage tests: fresh databases on SQLite and PostgreSQL, row counts."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import URL, make_url

from storage import Storage
from storage.models import Base

TEST_DATABASE_URL_ENV = "TEST_DATABASE_URL"


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
