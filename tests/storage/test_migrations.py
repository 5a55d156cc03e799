"""Alembic migrations: applied in code, idempotent, identical to the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage import create_engine, current_revision, head_revision, upgrade
from storage.models import Base


async def test_fresh_database_is_behind_until_upgraded(database_url: str) -> None:
    assert await current_revision(database_url) is None
    assert head_revision() is not None

    reached = await upgrade(database_url)

    assert reached == head_revision()
    assert await current_revision(database_url) == head_revision()


async def test_upgrade_twice_is_harmless(database_url: str) -> None:
    await upgrade(database_url)
    assert await upgrade(database_url) == head_revision()


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_migrations_create_exactly_the_models(migrated_url: str) -> None:
    engine = create_engine(migrated_url)
    try:
        async with engine.connect() as connection:
            tables = await connection.run_sync(_tables)
            diff = await connection.run_sync(_diff)
    finally:
        await engine.dispose()

    assert tables >= {
        "users",
        "cases",
        "case_events",
        "processed_updates",
        "reminders",
        "drafts",
        "alembic_version",
    }
    assert diff == []
