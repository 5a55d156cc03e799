"""Database URLs and async engines: the SQLite default, pragmas, transient errors."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

#: Environment variable that overrides the default database.
DATABASE_URL_ENV = "DATABASE_URL"

#: How long SQLite waits for another writer before "database is locked" (ms).
DEFAULT_BUSY_TIMEOUT_MS = 5000

#: How long a new PostgreSQL connection may take before the database counts as down (s).
DEFAULT_CONNECT_TIMEOUT_S = 10

#: Execution option naming how a SQLite transaction begins (see :func:`create_engine`).
SQLITE_BEGIN_OPTION = "sqlite_begin"


def _database_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [SQLAlchemyError, OSError, TimeoutError]
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - asyncpg is a dependency
        pass
    else:
        errors += [asyncpg.PostgresError, asyncpg.InterfaceError]
    return tuple(errors)


#: Exceptions meaning "the database is unreachable or failed" (the engine answers
#: "temporarily unavailable" instead of raising).
DATABASE_ERRORS: tuple[type[BaseException], ...] = _database_errors()


def default_database_url() -> str:
    """Return ``DATABASE_URL`` if set, else a SQLite file in the per-user data directory."""
    configured = os.environ.get(DATABASE_URL_ENV, "").strip()
    if configured:
        return configured
    data_dir = Path(platformdirs.user_data_dir("rejection-coach"))
    data_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite+aiosqlite:///{data_dir / 'coach.db'}"


def is_sqlite(url: str) -> bool:
    """Whether ``url`` points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def _is_memory(url: str) -> bool:
    parsed = make_url(url)
    database = parsed.database or ""
    return database in ("", ":memory:") or parsed.query.get("mode") == "memory"


def create_engine(
    url: str,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    **kwargs: Any,
) -> AsyncEngine:
    """Create the async engine for ``url``.

    SQLite files get WAL mode, a busy timeout and foreign keys on every
    connection, their statements run on the event loop's thread (no thread
    hop per call; waits for a lock are asynchronous, see
    :mod:`storage.sqlite_inloop`), and SQLAlchemy (not the driver) emits
    ``BEGIN``: write transactions use ``BEGIN IMMEDIATE`` so writers queue on the file lock
    instead of failing half-way; a connection with the execution option
    ``sqlite_begin="BEGIN"`` starts a deferred (read) transaction.
    PostgreSQL connections are pinged before use so a restarted server is
    picked up without an error reaching the user.
    """
    if is_sqlite(url):
        # sqlite3 on the event loop's thread (see storage.sqlite_inloop): the
        # driver waits for another writer's lock with asyncio.sleep, up to the
        # busy timeout, so SQLite's own (blocking) busy handler stays off.
        from storage.sqlite_inloop import Checkpointer, dbapi

        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("timeout", busy_timeout_ms / 1000)
        if not _is_memory(url):
            # WAL checkpoints (they fsync) on a worker thread, not in a commit on the loop.
            connect_args.setdefault("checkpointer", Checkpointer())
        kwargs.setdefault("module", dbapi())
        engine = create_async_engine(url, connect_args=connect_args, **kwargs)
        _install_sqlite_hooks(engine, busy_timeout_ms=0)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if make_url(url).get_backend_name() == "postgresql" and "asyncpg" in make_url(url).drivername:
        # Fail fast when the server is unreachable instead of asyncpg's 60 s default.
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("timeout", DEFAULT_CONNECT_TIMEOUT_S)
        kwargs["connect_args"] = connect_args
    return create_async_engine(url, **kwargs)


def _install_sqlite_hooks(engine: AsyncEngine, *, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN (see the SQLAlchemy SQLite "transactions" docs).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        begin = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "BEGIN IMMEDIATE")
        if begin:  # "" runs one statement on its own (sqlite3 autocommit mode)
            conn.exec_driver_sql(begin)
