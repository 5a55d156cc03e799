"""The repository's entry: ``Storage`` opens transactions and sessions on one engine.

``Storage.transaction()`` yields a :class:`~storage.transaction.StorageTransaction`
whose methods all run in one database transaction (the engine saves the case,
its events, the processed-update mark, reminders and drafts together).
``Storage.session()`` keeps one pooled connection for a read and then a write
transaction. The few one-transaction shortcuts left on :class:`Storage` are
the ones the application calls outside an engine step.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from flows.case import Case
from flows.io import ConversationKey, Draft
from storage import statements
from storage.db import SQLITE_BEGIN_OPTION, create_engine
from storage.deliveries import DEFAULT_CLAIM_LEASE
from storage.records import ClaimedReminder, Clock, StoredUser, utc_now
from storage.transaction import (
    StorageTransaction,
    case_from_row,
    is_case_ref,
    user_and_case,
    user_from_row,
)

_ISOLATION_LEVEL = "isolation_level"
_WRITE_BEGIN = "BEGIN IMMEDIATE"  # what storage.db's "begin" hook emits by default


def _set_option(conn: Connection, name: str, value: str, default: str) -> None:
    """Set one execution option of ``conn`` unless it already has that value."""
    if conn.get_execution_options().get(name, default) != value:
        conn.execution_options(**{name: value})


class StorageSession:
    """One pooled connection for several transactions in a row (see :meth:`Storage.session`).

    Single-statement reads run without ``BEGIN``/``COMMIT`` (SQLite's
    autocommit mode via the ``sqlite_begin`` option, PostgreSQL's
    ``AUTOCOMMIT`` isolation level); :meth:`transaction` switches back. The
    connection's own execution options say which mode it is in, and
    SQLAlchemy resets the isolation level when the connection returns to the pool.
    """

    def __init__(self, connection: AsyncConnection, *, clock: Clock) -> None:
        self._conn = connection
        self._clock = clock
        if connection.dialect.name == "sqlite":
            self._option, self._default = SQLITE_BEGIN_OPTION, _WRITE_BEGIN
            self._single, self._read, self._write = "", "BEGIN", _WRITE_BEGIN
        else:
            level = connection.dialect.default_isolation_level or "READ COMMITTED"
            self._option, self._default = _ISOLATION_LEVEL, level
            self._single, self._read, self._write = "AUTOCOMMIT", level, level

    @asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[StorageTransaction]:
        """Like :meth:`Storage.transaction`, on this session's connection."""
        mode = self._read if readonly else self._write
        current = self._conn.sync_connection
        options = None if current is None else current.get_execution_options()
        if options is None or options.get(self._option, self._default) != mode:
            await self._conn.execution_options(**{self._option: mode})
        async with self._conn.begin():
            yield StorageTransaction(self._conn, clock=self._clock)

    async def find_user_and_active_case(
        self, key: ConversationKey
    ) -> tuple[StoredUser | None, Case | None]:
        """See :meth:`StorageTransaction.find_user_and_active_case` (one statement).

        A single statement reads one consistent snapshot by itself, so it runs
        outside a transaction and saves two round trips.
        """
        row = await self._conn.run_sync(
            self._one_row, statements.USER_AND_ACTIVE_CASE, statements.identity(key)
        )
        return user_and_case(key, row)

    async def find_follow_up_case(self, *, user_id: int, case_ref: str | None) -> Case | None:
        """The user's closed case with an open follow-up (issue 15), in one statement.

        ``case_ref`` (a button's 8 hex digits) names it; without one, the case whose
        follow-up waits for a typed answer. ``None`` when there is none.
        """
        parameters: dict[str, Any] = {"user_id": user_id}
        if case_ref is None:
            statement = statements.FOLLOW_UP_TYPED
        else:
            if not is_case_ref(case_ref):  # it goes into a LIKE pattern
                return None
            statement = statements.FOLLOW_UP_BY_REF
            parameters["id_prefix"] = f"{case_ref}%"
        row = await self._conn.run_sync(self._one_row, statement, parameters)
        return None if row is None else case_from_row(row)

    async def find_user(self, key: ConversationKey) -> StoredUser | None:
        """See :meth:`StorageTransaction.find_user` (one statement, as above)."""
        row = await self._conn.run_sync(
            self._one_row, statements.FIND_USER, statements.identity(key)
        )
        return None if row is None else user_from_row(key, row)

    async def find_case(self, *, user_id: int, case_ref: str) -> Case | None:
        """See :meth:`StorageTransaction.find_case` (one statement, as above)."""
        if not is_case_ref(case_ref):
            return None
        rows = await self._conn.run_sync(
            self._rows, statements.CASE_BY_REF, {"user_id": user_id, "ref": case_ref}
        )
        return case_from_row(rows[0]) if len(rows) == 1 else None

    def _rows(self, conn: Connection, statement: Any, parameters: dict[str, Any]) -> list[Any]:
        _set_option(conn, self._option, self._single, self._default)
        with conn.begin():
            return list(conn.execute(statement, parameters).all())

    def _one_row(self, conn: Connection, statement: Any, parameters: dict[str, Any]) -> Any:
        # Synchronous, run by run_sync: one hand-over to SQLAlchemy's greenlet
        # instead of one per call (options, begin, execute, commit).
        _set_option(conn, self._option, self._single, self._default)
        with conn.begin():
            return conn.execute(statement, parameters).one_or_none()


class Storage:
    """Owns the async engine; opens transactions and sessions.

    Args:
        database: SQLAlchemy async URL (``sqlite+aiosqlite:///…`` or
            ``postgresql+asyncpg://…``), or an engine made by
            :func:`storage.db.create_engine` (then the caller disposes it).
        clock: source of timestamps (UTC-aware).
        engine_options: extra keyword arguments for :func:`storage.db.create_engine`
            (e.g. ``busy_timeout_ms``, ``sqlite_driver``).
    """

    def __init__(
        self, database: str | AsyncEngine, *, clock: Clock = utc_now, **engine_options: Any
    ) -> None:
        if isinstance(database, AsyncEngine):
            self._engine = database
            self._owns_engine = False
        else:
            self._engine = create_engine(database, **engine_options)
            self._owns_engine = True
        self.url = self._engine.url.render_as_string(hide_password=True)
        self._clock = clock

    @classmethod
    def from_engine(cls, engine: AsyncEngine, *, clock: Clock = utc_now) -> Storage:
        """A storage on an engine made by :func:`storage.db.create_engine` (not disposed here)."""
        return cls(engine, clock=clock)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    @property
    def engine(self) -> AsyncEngine:
        """The SQLAlchemy async engine."""
        return self._engine

    @asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[StorageTransaction]:
        """One transaction: committed when the block ends, rolled back on an exception.

        ``readonly`` starts SQLite with a deferred ``BEGIN`` (no write lock).
        """
        async with self._engine.connect() as conn:
            if readonly:
                await conn.execution_options(**{SQLITE_BEGIN_OPTION: "BEGIN"})
            async with conn.begin():
                yield StorageTransaction(conn, clock=self._clock)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[StorageSession]:
        """One pooled connection for a read and then a write transaction (one checkout)."""
        async with self._engine.connect() as conn:
            yield StorageSession(conn, clock=self._clock)

    async def erase_traces(self) -> None:
        """After an erasure: leave no copy of the deleted rows in the database files.

        SQLite runs with ``secure_delete`` (deleted content is zeroed in the main
        file); here its WAL, which still holds the old pages, is checkpointed into
        the file and truncated to zero bytes. PostgreSQL keeps dead row versions until
        VACUUM reuses their space (docs/deploy.md says what the operator does); nothing
        to do here. Best effort: a reader holding the WAL makes it a no-op until the
        next erasure or SQLite's own checkpoint.
        """
        if self.dialect != "sqlite":
            return
        async with self._engine.connect() as conn:
            await conn.execution_options(**{SQLITE_BEGIN_OPTION: ""})
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def dispose(self) -> None:
        """Close every pooled connection (of an engine this storage created)."""
        if self._owns_engine:
            await self._engine.dispose()

    # ------------------------- one-transaction shortcuts the application calls

    async def get_or_create_user(
        self, key: ConversationKey, *, platform_language: str | None = None
    ) -> StoredUser:
        """See :meth:`StorageTransaction.get_or_create_user`."""
        async with self.transaction() as tx:
            return await tx.get_or_create_user(key, platform_language=platform_language)

    async def find_user(self, key: ConversationKey) -> StoredUser | None:
        """See :meth:`StorageTransaction.find_user`."""
        async with self.transaction(readonly=True) as tx:
            return await tx.find_user(key)

    async def set_language(self, *, user_id: int, language: str) -> None:
        """See :meth:`StorageTransaction.set_language`."""
        async with self.transaction() as tx:
            await tx.set_language(user_id=user_id, language=language)

    async def claim_due_reminders(
        self,
        *,
        platform: str,
        now: datetime | None = None,
        limit: int = 50,
        lease: timedelta = DEFAULT_CLAIM_LEASE,
    ) -> list[ClaimedReminder]:
        """See :meth:`StorageTransaction.claim_due_reminders`."""
        async with self.transaction() as tx:
            return await tx.claim_due_reminders(
                platform=platform, now=now, limit=limit, lease=lease
            )

    async def mark_reminder_sent(self, *, reminder_id: int) -> None:
        """See :meth:`StorageTransaction.mark_reminder_sent`."""
        async with self.transaction() as tx:
            await tx.mark_reminder_sent(reminder_id=reminder_id)

    async def latest_drafts(self, *, user_id: int, limit: int = 10) -> list[Draft]:
        """See :meth:`StorageTransaction.latest_drafts`."""
        async with self.transaction(readonly=True) as tx:
            return await tx.latest_drafts(user_id=user_id, limit=limit)


async def prune_processed(
    database: str | AsyncEngine, *, older_than: timedelta, now: datetime | None = None
) -> int:
    """Delete processed-update ids older than ``older_than`` (for a periodic job).

    Outbox rows that failed for good (kept without text, for the record) and send
    budgets idle for as long go too.
    """
    storage = Storage(database)
    try:
        async with storage.transaction() as tx:
            await tx.prune_failed_outbox(older_than=older_than, now=now)
            return await tx.prune_processed(older_than=older_than, now=now)
    finally:
        await storage.dispose()
