"""An opt-in aiosqlite-compatible SQLite driver that runs on the event loop's own thread.

Opt-in: ``SQLITE_DRIVER=inloop`` (or ``create_engine(url, sqlite_driver="inloop")``);
the default is the stock aiosqlite package. It stands in for aiosqlite behind
SQLAlchemy's ``sqlite+aiosqlite`` adapter, so it relies on what that adapter
expects of aiosqlite beyond its public API (``_conn``, ``_tx``, ``_connection``,
``_thread``, ``stop()``). ``tests/storage`` covers it on both drivers; run
them at both ends of the SQLAlchemy range ``pyproject.toml`` allows.

SQLAlchemy's ``sqlite+aiosqlite`` dialect talks to :mod:`aiosqlite`, which runs
every call of the standard :mod:`sqlite3` module on a helper thread: creating
a cursor, executing, fetching and closing are each a round trip through a
queue and a wake-up of the event loop — about 70 thread hops per conversation
step, which cost far more CPU than the SQL itself (a statement on a local file
takes microseconds). This module offers the same interface to SQLAlchemy but
calls :mod:`sqlite3` directly. The one thing that could block — waiting for
another connection's write lock — never blocks here: the connection's busy
timeout is zero and a statement refused with ``SQLITE_BUSY`` is retried after
an ``asyncio.sleep`` until the configured timeout has passed (what SQLite's
own busy handler does, without holding up the event loop). WAL checkpoints,
the one slow part of a commit (they fsync), are taken off the loop too: a
:class:`~storage.sqlite_checkpoint.Checkpointer` given as the ``checkpointer``
connect argument turns SQLite's automatic checkpoint off on the loop's
connections and runs a ``PASSIVE`` checkpoint on a worker thread every so
many commits.

:func:`dbapi` returns the module object to pass as ``module=`` to
:func:`sqlalchemy.ext.asyncio.create_async_engine` with a ``sqlite+aiosqlite``
URL; the URL, the dialect, SQL and transactions are unchanged.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Coroutine, Generator, Iterable
from types import SimpleNamespace
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi

from storage.sqlite_checkpoint import DEFAULT_CHECKPOINT_EVERY, Checkpointer

#: sqlite3's default busy timeout (seconds) when the caller names none.
DEFAULT_TIMEOUT_S = 5.0

_SQLITE_BUSY = 5
_SQLITE_BUSY_SNAPSHOT = 517  # retrying cannot help: the transaction's snapshot is stale
_FIRST_PAUSE_S = 0.0005
_LONGEST_PAUSE_S = 0.02


def _is_retryable_busy(error: sqlite3.OperationalError) -> bool:
    code = error.sqlite_errorcode
    return code & 0xFF == _SQLITE_BUSY and code != _SQLITE_BUSY_SNAPSHOT


class _Done:
    """An awaitable that is already finished (``await`` returns ``value`` at once)."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    def __await__(self) -> Generator[Any, None, Any]:
        return self._value
        yield  # pragma: no cover - makes this a generator


class Cursor:
    """The async cursor interface SQLAlchemy's adapter awaits, over a sqlite3 cursor."""

    __slots__ = ("_connection", "_cursor")

    def __init__(self, connection: Connection, cursor: sqlite3.Cursor) -> None:
        self._connection = connection
        self._cursor = cursor

    def __await__(self) -> Generator[Any, None, Cursor]:
        # SQLAlchemy 2.0 awaits ``connection.cursor()``; 2.1 enters it.
        return self
        yield  # pragma: no cover - makes this a generator

    def __aenter__(self) -> _Done:
        return _Done(self)

    def __aexit__(self, *_exc: object) -> _Done:
        self._cursor.close()
        return _Done(None)

    @property
    def description(self) -> Any:
        """The sqlite3 cursor's description."""
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        """The sqlite3 cursor's row count."""
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        """The sqlite3 cursor's last row id."""
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        """The sqlite3 cursor's array size."""
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = None) -> Cursor:
        """Execute one statement (retrying while another connection holds the lock)."""
        cursor = self._cursor
        if parameters is None:
            await self._connection.run(lambda: cursor.execute(sql))
        else:
            await self._connection.run(lambda: cursor.execute(sql, parameters))
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> Cursor:
        """Execute one statement for each parameter set."""
        rows = list(parameters)
        cursor = self._cursor
        await self._connection.run(lambda: cursor.executemany(sql, rows))
        return self

    def fetchone(self) -> _Done:
        """The next row, or None."""
        return _Done(self._cursor.fetchone())

    def fetchmany(self, size: int | None = None) -> _Done:
        """Up to ``size`` rows."""
        rows = self._cursor.fetchmany() if size is None else self._cursor.fetchmany(size)
        return _Done(rows)

    def fetchall(self) -> _Done:
        """Every remaining row."""
        return _Done(self._cursor.fetchall())

    def close(self) -> _Done:
        """Close the cursor."""
        self._cursor.close()
        return _Done(None)

    def setinputsizes(self, *_sizes: Any) -> _Done:
        """Ignored, as sqlite3 does."""
        return _Done(None)

    def nextset(self) -> _Done:
        """SQLite returns one result set."""
        return _Done(None)

    def __aiter__(self) -> Cursor:
        return self

    async def __anext__(self) -> Any:
        row = self._cursor.fetchone()
        if row is None:
            raise StopAsyncIteration
        return row


class _ImmediateQueue:
    """Stands in for aiosqlite's request queue (SQLAlchemy sets ``isolation_level`` through it)."""

    __slots__ = ()

    @staticmethod
    def put_nowait(item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # handed to the awaiting caller, as aiosqlite does
            future.set_exception(error)


class Connection:
    """The async connection interface SQLAlchemy's aiosqlite adapter expects."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        *,
        busy_timeout: float,
        checkpointer: Checkpointer | None = None,
    ) -> None:
        self._conn: sqlite3.Connection | None = connection
        self._busy_timeout = busy_timeout
        self._checkpointer = checkpointer
        self._tx = _ImmediateQueue()

    @property
    def checkpointer(self) -> Checkpointer | None:
        """What runs this database's WAL checkpoints (None: SQLite's automatic ones)."""
        return self._checkpointer

    @property
    def busy_timeout(self) -> float:
        """How long (seconds) a statement waits for another connection's lock."""
        return self._busy_timeout

    @property
    def _connection(self) -> sqlite3.Connection | None:
        """The open sqlite3 connection (None once closed), as aiosqlite names it."""
        return self._conn

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("no active connection")
        return self._conn

    async def run(self, call: Callable[[], Any]) -> Any:
        """Run ``call`` now; on SQLITE_BUSY pause without blocking the loop and try again."""
        try:
            return call()
        except sqlite3.OperationalError as error:
            if not _is_retryable_busy(error) or self._busy_timeout <= 0:
                raise
        deadline = time.monotonic() + self._busy_timeout
        pause = _FIRST_PAUSE_S
        while True:
            await asyncio.sleep(pause)
            try:
                return call()
            except sqlite3.OperationalError as error:
                if not _is_retryable_busy(error) or time.monotonic() >= deadline:
                    raise
            pause = min(pause * 2, _LONGEST_PAUSE_S)

    @property
    def isolation_level(self) -> str | None:
        """The sqlite3 connection's isolation level."""
        return self._open().isolation_level

    def cursor(self) -> Cursor:
        """A new cursor (awaited by the adapter through ``__aenter__``)."""
        return Cursor(self, self._open().cursor())

    async def commit(self) -> None:
        """Commit (a COMMIT refused with SQLITE_BUSY stays open and is retried)."""
        connection = self._open()
        wrote = connection.in_transaction
        await self.run(connection.commit)
        if wrote and self._checkpointer is not None:
            self._checkpointer.committed()

    def rollback(self) -> _Done:
        """Roll back."""
        self._open().rollback()
        return _Done(None)

    def create_function(self, *args: Any, **kwargs: Any) -> _Done:
        """Register a SQL function."""
        self._open().create_function(*args, **kwargs)
        return _Done(None)

    def close(self) -> _Done:
        """Close the connection (closing twice is harmless)."""
        self.stop()
        return _Done(None)

    def stop(self) -> None:
        """Close at once (SQLAlchemy's forced termination)."""
        connection, self._conn = self._conn, None
        if connection is not None:
            connection.close()


async def _connect(database: str, kwargs: dict[str, Any]) -> Connection:
    busy_timeout = float(kwargs.pop("timeout", DEFAULT_TIMEOUT_S))
    checkpointer: Checkpointer | None = kwargs.pop("checkpointer", None)
    kwargs.setdefault("check_same_thread", False)  # closed by the GC from any thread
    connection = sqlite3.connect(database, timeout=0, **kwargs)
    if checkpointer is not None:
        connection.execute("PRAGMA wal_autocheckpoint = 0")  # the Checkpointer's job
        checkpointer.attach(database, kwargs)
    return Connection(connection, busy_timeout=busy_timeout, checkpointer=checkpointer)


class _Connecting:
    """What :func:`connect` returns: an awaitable of the connection.

    SQLAlchemy's adapter marks aiosqlite's worker thread as a daemon: the
    object ``connect`` returned when it is a ``Thread`` (aiosqlite < 0.22),
    else its ``_thread`` (aiosqlite >= 0.22). There is no thread here, so a
    stand-in takes that assignment.
    """

    def __init__(self, coroutine: Coroutine[Any, Any, Connection]) -> None:
        self._coroutine = coroutine
        self._thread = SimpleNamespace(daemon=True)  # no thread: nothing to mark

    def __await__(self) -> Generator[Any, None, Connection]:
        return self._coroutine.__await__()


def connect(database: str, **kwargs: Any) -> Any:
    """Open ``database``; returns an awaitable of :class:`Connection` (like aiosqlite)."""
    return _Connecting(_connect(database, dict(kwargs)))


def _module() -> Any:
    namespace = SimpleNamespace(connect=connect, Connection=Connection)
    for name in (
        "DatabaseError",
        "Error",
        "IntegrityError",
        "NotSupportedError",
        "OperationalError",
        "ProgrammingError",
        "sqlite_version",
        "sqlite_version_info",
    ):
        setattr(namespace, name, getattr(sqlite3, name))
    namespace.__version__ = "0"
    return namespace


def dbapi() -> Any:
    """The DB-API module for ``create_async_engine(url, module=dbapi())`` on SQLite."""
    return AsyncAdapt_aiosqlite_dbapi(_module(), sqlite3)


__all__ = ["DEFAULT_CHECKPOINT_EVERY", "Checkpointer", "Connection", "Cursor", "connect", "dbapi"]
