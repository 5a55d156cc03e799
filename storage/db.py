"""Database URLs and async engines: the SQLite default, its driver, pragmas, transient errors."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, Literal, cast

import platformdirs
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, Pool, StaticPool

#: Environment variable that overrides the default database.
DATABASE_URL_ENV = "DATABASE_URL"

#: Environment variable choosing the SQLite driver: ``aiosqlite`` (the default)
#: or ``inloop`` (opt-in, see :mod:`storage.sqlite_inloop`).
SQLITE_DRIVER_ENV = "SQLITE_DRIVER"

SqliteDriver = Literal["aiosqlite", "inloop"]

#: The SQLite drivers :func:`create_engine` knows, the default first.
SQLITE_DRIVERS: tuple[SqliteDriver, ...] = ("aiosqlite", "inloop")

#: How long SQLite waits for another writer before "database is locked" (ms).
DEFAULT_BUSY_TIMEOUT_MS = 5000

#: How long a new PostgreSQL connection may take before the database counts as down (s).
DEFAULT_CONNECT_TIMEOUT_S = 10

#: Execution option naming how a SQLite transaction begins (see :func:`create_engine`).
SQLITE_BEGIN_OPTION = "sqlite_begin"


class DatabaseFileError(OSError):
    """The SQLite file is gone, was replaced by another file, or cannot be written."""


class SqliteFileGuard:
    """Refuses to work on a SQLite file that is not the one the worker opened.

    SQLite keeps writing into an unlinked inode after ``rm coach.db*`` (and into the
    old inode after the file was replaced), so every later step would be lost at the
    next start. :meth:`check` runs at the start of every transaction (a ``stat`` and
    an ``access``: microseconds) and raises :class:`DatabaseFileError` — one of
    :data:`DATABASE_ERRORS`, so the engine answers "temporarily unavailable" and
    ``/healthz`` 503 — when the file is missing, has another inode, or is read-only.
    """

    def __init__(self, path: Path) -> None:
        """Guard the database file at ``path`` (its inode is learnt at the first check)."""
        self.path = path
        self._identity: tuple[int, int] | None = None

    def check(self) -> None:
        """Raise :class:`DatabaseFileError` unless the file is the original and writable."""
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            raise DatabaseFileError("the SQLite database file is gone") from None
        identity = (info.st_dev, info.st_ino)
        if self._identity is None:
            self._identity = identity
        elif identity != self._identity:
            raise DatabaseFileError("the SQLite database file was replaced by another file")
        writable = info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        if not writable or not os.access(self.path, os.W_OK):
            raise DatabaseFileError("the SQLite database file is not writable")


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


def resolve_sqlite_driver(configured: str | None = None) -> SqliteDriver:
    """The SQLite driver to use: ``configured``, else ``SQLITE_DRIVER``, else ``aiosqlite``.

    Raises:
        ValueError: the name is not one of :data:`SQLITE_DRIVERS`.
    """
    name = (configured or os.environ.get(SQLITE_DRIVER_ENV, "") or SQLITE_DRIVERS[0]).strip()
    if name not in SQLITE_DRIVERS:
        raise ValueError(
            f"unknown SQLite driver {name!r} ({SQLITE_DRIVER_ENV} must be one of "
            f"{', '.join(SQLITE_DRIVERS)})"
        )
    return cast(SqliteDriver, name)


def _is_memory(url: str) -> bool:
    parsed = make_url(url)
    database = parsed.database or ""
    return database in ("", ":memory:") or parsed.query.get("mode") == "memory"


def create_engine(
    url: str,
    *,
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    sqlite_driver: str | None = None,
    **kwargs: Any,
) -> AsyncEngine:
    """Create the async engine for ``url``.

    SQLite: SQLAlchemy's ``sqlite+aiosqlite`` dialect with an explicit pool
    (:class:`~sqlalchemy.pool.AsyncAdaptedQueuePool` for a file, one shared
    connection for ``:memory:``); every connection gets WAL mode, the busy
    timeout and foreign keys, and SQLAlchemy (not the driver) emits ``BEGIN``:
    write transactions use ``BEGIN IMMEDIATE`` so writers queue on the file
    lock instead of failing half-way; a connection with the execution option
    ``sqlite_begin="BEGIN"`` starts a deferred (read) transaction.
    ``sqlite_driver`` (default: :func:`resolve_sqlite_driver`) is ``aiosqlite``
    (stock: sqlite3 on one worker thread per connection) or ``inloop``
    (opt-in: :mod:`storage.sqlite_inloop`).

    PostgreSQL connections are pinged before use so a restarted server is
    picked up without an error reaching the user.
    """
    if is_sqlite(url):
        return _create_sqlite_engine(
            url,
            busy_timeout_ms=busy_timeout_ms,
            driver=resolve_sqlite_driver(sqlite_driver),
            **kwargs,
        )
    kwargs.setdefault("pool_pre_ping", True)
    if make_url(url).get_backend_name() == "postgresql" and "asyncpg" in make_url(url).drivername:
        # Fail fast when the server is unreachable instead of asyncpg's 60 s default.
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("timeout", DEFAULT_CONNECT_TIMEOUT_S)
        kwargs["connect_args"] = connect_args
    return create_async_engine(url, **kwargs)


def _create_sqlite_engine(
    url: str, *, busy_timeout_ms: int, driver: SqliteDriver, **kwargs: Any
) -> AsyncEngine:
    memory = _is_memory(url)
    poolclass: type[Pool] = StaticPool if memory else AsyncAdaptedQueuePool
    kwargs.setdefault("poolclass", poolclass)
    connect_args = dict(kwargs.pop("connect_args", {}))
    # sqlite3's ``timeout`` (s). aiosqlite hands it to sqlite3, whose busy handler
    # then waits on aiosqlite's thread; the in-loop driver waits with asyncio.sleep.
    connect_args.setdefault("timeout", busy_timeout_ms / 1000)
    if driver == "inloop":
        from storage.sqlite_checkpoint import Checkpointer
        from storage.sqlite_inloop import dbapi

        if not memory:
            # WAL checkpoints (they fsync) on a worker thread, not in a commit on the loop.
            connect_args.setdefault("checkpointer", Checkpointer())
        kwargs.setdefault("module", dbapi())
    engine = create_async_engine(url, connect_args=connect_args, **kwargs)
    parsed = make_url(url)
    plain_file = not memory and "uri" not in parsed.query
    guard = SqliteFileGuard(Path(parsed.database or "")) if plain_file else None
    _install_sqlite_hooks(engine, guard)
    return engine


def _install_sqlite_hooks(engine: AsyncEngine, guard: SqliteFileGuard | None) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN (see the SQLAlchemy SQLite "transactions" docs).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            # Deleted content (/delete) is overwritten with zeros, not left in free pages.
            cursor.execute("PRAGMA secure_delete = ON")
        finally:
            cursor.close()
        if guard is not None:
            guard.check()  # learns the file's inode on the first connection

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if guard is not None:
            guard.check()  # a deleted, replaced or read-only file: refuse, before writing
        begin = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "BEGIN IMMEDIATE")
        if begin:  # "" runs one statement on its own (sqlite3 autocommit mode)
            conn.exec_driver_sql(begin)
