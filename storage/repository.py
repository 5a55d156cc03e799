"""The repository: every query the engine needs, inside explicit transactions.

``Storage.transaction()`` yields a :class:`StorageTransaction` whose methods all
run in one database transaction (the engine saves the case, its events, the
processed-update mark, reminders and drafts together). The same methods exist
on :class:`Storage` as one-transaction shortcuts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from flows.case import Case, CaseStatus
from flows.io import ConversationKey, Draft, DraftKind, ReminderKind
from storage.db import SQLITE_BEGIN_OPTION, create_engine
from storage.models import (
    USER_TABLES,
    CaseEvent,
    CaseRow,
    DraftRow,
    ProcessedUpdate,
    Reminder,
    User,
)

Clock = Callable[[], datetime]

#: A claimed reminder not marked sent after this long is claimable again
#: (the worker that claimed it died before handing it over).
DEFAULT_CLAIM_LEASE = timedelta(minutes=5)

# Hot-path statements, built once: SQLAlchemy then reuses their cache keys
# and compiled forms, and nothing is coerced or constructed per call.
_IDENTITY = and_(
    User.platform == bindparam("platform"),
    User.workspace == bindparam("workspace"),
    User.platform_user_id == bindparam("platform_user_id"),
)
_FIND_USER = select(User.id, User.language, User.platform_language).where(_IDENTITY)
_CASE_COLUMNS = (CaseRow.id, CaseRow.step, CaseRow.status, CaseRow.state, CaseRow.version)
_USER_AND_ACTIVE_CASE = (
    select(
        User.id.label("user_id"),
        User.language,
        User.platform_language,
        CaseRow.id,
        CaseRow.step,
        CaseRow.status,
        CaseRow.state,
        CaseRow.version,
    )
    .select_from(User)
    .outerjoin(
        CaseRow,
        and_(CaseRow.user_id == User.id, CaseRow.status == CaseStatus.ACTIVE.value),
    )
    .where(_IDENTITY)
)
_ACTIVE_CASE = select(*_CASE_COLUMNS).where(
    CaseRow.user_id == bindparam("user_id"), CaseRow.status == CaseStatus.ACTIVE.value
)
_INSERT_CASE = insert(CaseRow)
_UPDATE_CASE = (
    update(CaseRow)
    .where(
        CaseRow.id == bindparam("case_id"),
        CaseRow.user_id == bindparam("owner_id"),
        CaseRow.version == bindparam("expected"),
    )
    .values(
        step=bindparam("step"),
        status=bindparam("status"),
        state=bindparam("state"),
        version=bindparam("version"),
        updated_at=bindparam("now"),
    )
)
# The next sequence number is computed in the INSERT itself (one statement); the
# case row's lock (PostgreSQL) or the write lock (SQLite) keeps it gap-free.
_APPEND_EVENT = (
    insert(CaseEvent)
    .from_select(
        ["case_id", "user_id", "seq", "from_step", "to_step", "kind", "created_at"],
        select(
            bindparam("case_id", type_=CaseEvent.case_id.type),
            bindparam("user_id", type_=CaseEvent.user_id.type),
            func.coalesce(func.max(CaseEvent.seq), 0) + 1,
            bindparam("from_step", type_=CaseEvent.from_step.type),
            bindparam("to_step", type_=CaseEvent.to_step.type),
            bindparam("kind", type_=CaseEvent.kind.type),
            bindparam("created_at", type_=CaseEvent.created_at.type),
        ).where(CaseEvent.case_id == bindparam("case_id")),
    )
    .returning(CaseEvent.seq)
)
_MARK_PROCESSED = {
    name: insert_on_conflict(ProcessedUpdate)
    .values(
        platform=bindparam("platform"),
        update_id=bindparam("update_id"),
        created_at=bindparam("created_at"),
    )
    .on_conflict_do_nothing()
    .returning(ProcessedUpdate.update_id)
    for name, insert_on_conflict in (("postgresql", postgresql.insert), ("sqlite", sqlite.insert))
}
_INSERT_DRAFT = insert(DraftRow)


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class ConflictError(Exception):
    """The case changed since it was loaded (optimistic lock); reload and retry."""


@dataclass(frozen=True, slots=True)
class StoredUser:
    """A user row: internal id, platform identity, chosen and platform languages."""

    id: int
    key: ConversationKey
    language: str | None
    platform_language: str | None = None


@dataclass(frozen=True, slots=True)
class ClaimedReminder:
    """A reminder this worker claimed for delivery."""

    id: int
    user_id: int
    case_id: str | None
    kind: ReminderKind
    due_at: datetime


@dataclass(frozen=True, slots=True)
class CaseEventRecord:
    """One row of the event log."""

    case_id: str
    seq: int
    from_step: str | None
    to_step: str
    kind: str
    created_at: datetime


def _identity(key: ConversationKey) -> dict[str, str]:
    return {"platform": key.platform, "workspace": key.workspace, "platform_user_id": key.user_id}


class StorageTransaction:
    """All repository operations, run inside one open transaction."""

    def __init__(self, connection: AsyncConnection, *, clock: Clock) -> None:
        self._conn = connection
        self._clock = clock
        self._dialect = connection.dialect.name

    @property
    def connection(self) -> AsyncConnection:
        """The connection of this transaction (for checks the repository does not cover)."""
        return self._conn

    # ------------------------------------------------------------------ users

    def _insert(self, table: Any) -> Any:
        if self._dialect == "postgresql":
            return postgresql.insert(table)
        if self._dialect == "sqlite":
            return sqlite.insert(table)
        raise NotImplementedError(f"unsupported database dialect {self._dialect}")

    async def find_user(self, key: ConversationKey) -> StoredUser | None:
        """The user with this platform identity, if stored."""
        row = (await self._conn.execute(_FIND_USER, _identity(key))).one_or_none()
        if row is None:
            return None
        return StoredUser(
            id=row.id, key=key, language=row.language, platform_language=row.platform_language
        )

    async def find_user_and_active_case(
        self, key: ConversationKey
    ) -> tuple[StoredUser | None, Case | None]:
        """The user of ``key`` and their active case, in one query (either may be None)."""
        row = (await self._conn.execute(_USER_AND_ACTIVE_CASE, _identity(key))).one_or_none()
        return self._user_and_case(key, row)

    @classmethod
    def _user_and_case(
        cls, key: ConversationKey, row: Any
    ) -> tuple[StoredUser | None, Case | None]:
        if row is None:
            return None, None
        user = StoredUser(
            id=row.user_id,
            key=key,
            language=row.language,
            platform_language=row.platform_language,
        )
        return user, None if row.id is None else cls._case_from_row(row)

    async def get_user(self, user_id: int) -> StoredUser | None:
        """The user with this internal id, if stored."""
        row = (
            await self._conn.execute(
                select(
                    User.platform,
                    User.workspace,
                    User.platform_user_id,
                    User.language,
                    User.platform_language,
                ).where(User.id == user_id)
            )
        ).one_or_none()
        if row is None:
            return None
        key = ConversationKey(
            platform=row.platform, workspace=row.workspace, user_id=row.platform_user_id
        )
        return StoredUser(
            id=user_id, key=key, language=row.language, platform_language=row.platform_language
        )

    async def get_or_create_user(
        self, key: ConversationKey, *, platform_language: str | None = None
    ) -> StoredUser:
        """Return the user of ``key``, creating it (language not chosen) if missing."""
        found = await self.find_user(key)
        if found is not None:
            return found
        now = self._clock()
        await self._conn.execute(
            self._insert(User)
            .values(
                platform=key.platform,
                workspace=key.workspace,
                platform_user_id=key.user_id,
                language=None,
                platform_language=platform_language,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing()
        )
        created = await self.find_user(key)
        if created is None:  # pragma: no cover - the row was just inserted
            raise ConflictError("user vanished right after creation")
        return created

    async def set_language(self, *, user_id: int, language: str) -> None:
        """Store the user's chosen coach language."""
        await self._conn.execute(
            update(User)
            .where(User.id == user_id)
            .values(language=language, updated_at=self._clock())
        )

    async def set_platform_language(self, *, user_id: int, platform_language: str | None) -> None:
        """Remember the language code the platform last reported for the user."""
        await self._conn.execute(
            update(User)
            .where(User.id == user_id)
            .values(platform_language=platform_language, updated_at=self._clock())
        )

    async def delete_user(self, *, user_id: int) -> None:
        """Erase every row of the user from every table."""
        for model, column in USER_TABLES:
            await self._conn.execute(delete(model).where(column == user_id))

    # ------------------------------------------------------------------ cases

    @staticmethod
    def _case_from_row(row: Any) -> Case:
        return Case.from_parts(
            case_id=row.id,
            step=row.step,
            status=row.status,
            state=row.state,
            version=row.version,
        )

    _CASE_COLUMNS = _CASE_COLUMNS

    async def load_active_case(self, *, user_id: int) -> Case | None:
        """The user's active case, if any."""
        row = (await self._conn.execute(_ACTIVE_CASE, {"user_id": user_id})).one_or_none()
        return None if row is None else self._case_from_row(row)

    async def get_case(self, *, case_id: str) -> Case | None:
        """A case by id, whatever its status."""
        row = (
            await self._conn.execute(select(*self._CASE_COLUMNS).where(CaseRow.id == case_id))
        ).one_or_none()
        return None if row is None else self._case_from_row(row)

    async def list_cases(self, *, user_id: int, limit: int = 20) -> list[Case]:
        """The user's cases, newest first."""
        rows = await self._conn.execute(
            select(*self._CASE_COLUMNS)
            .where(CaseRow.user_id == user_id)
            .order_by(CaseRow.created_at.desc(), CaseRow.updated_at.desc())
            .limit(limit)
        )
        return [self._case_from_row(row) for row in rows]

    async def latest_case(self, *, user_id: int) -> Case | None:
        """The user's newest case of any status."""
        cases = await self.list_cases(user_id=user_id, limit=1)
        return cases[0] if cases else None

    async def save_case(
        self,
        *,
        user_id: int,
        case: Case,
        expected_version: int | None = None,
        state: dict[str, Any] | None = None,
    ) -> int:
        """Insert or update ``case`` if its stored version is ``expected_version``.

        ``expected_version`` defaults to ``case.version``; 0 means "new case".
        ``state`` is ``case.to_dict()`` when the caller already has it.
        Returns the new version and stores it on ``case``.

        Raises:
            ConflictError: the stored version differs (another update won), or a
                second active case would be created for the user.
        """
        expected = case.version if expected_version is None else expected_version
        now = self._clock()
        document = case.to_dict() if state is None else state
        try:
            if expected == 0:
                await self._conn.execute(
                    _INSERT_CASE,
                    {
                        "id": case.id,
                        "user_id": user_id,
                        "step": case.step.value,
                        "status": case.status.value,
                        "state": document,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    },
                )
            else:
                result = await self._conn.execute(
                    _UPDATE_CASE,
                    {
                        "case_id": case.id,
                        "owner_id": user_id,
                        "expected": expected,
                        "step": case.step.value,
                        "status": case.status.value,
                        "state": document,
                        "version": expected + 1,
                        "now": now,
                    },
                )
                if result.rowcount != 1:
                    raise ConflictError(f"case {case.id} is not at version {expected}")
        except IntegrityError as exc:
            raise ConflictError(f"case {case.id} conflicts with a stored case") from exc
        case.version = expected + 1
        return case.version

    # ----------------------------------------------------------------- events

    async def append_event(
        self,
        *,
        case_id: str,
        user_id: int,
        from_step: str | None,
        to_step: str,
        kind: str,
    ) -> int:
        """Append one event to the case's log; returns its sequence number (1, 2, …).

        Call it after :meth:`save_case` in the same transaction: the case row
        lock (or SQLite's write lock) keeps the sequence gap-free.
        """
        try:
            result = await self._conn.execute(
                _APPEND_EVENT,
                {
                    "case_id": case_id,
                    "user_id": user_id,
                    "from_step": from_step,
                    "to_step": to_step,
                    "kind": kind,
                    "created_at": self._clock(),
                },
            )
        except IntegrityError as exc:
            raise ConflictError(f"an event of case {case_id} was appended concurrently") from exc
        return int(result.scalar_one())

    async def list_events(self, *, case_id: str) -> list[CaseEventRecord]:
        """The case's event log in order."""
        rows = await self._conn.execute(
            select(
                CaseEvent.case_id,
                CaseEvent.seq,
                CaseEvent.from_step,
                CaseEvent.to_step,
                CaseEvent.kind,
                CaseEvent.created_at,
            )
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.seq)
        )
        return [
            CaseEventRecord(
                case_id=row.case_id,
                seq=row.seq,
                from_step=row.from_step,
                to_step=row.to_step,
                kind=row.kind,
                created_at=row.created_at,
            )
            for row in rows
        ]

    # ------------------------------------------------------- processed updates

    async def is_processed(self, *, platform: str, update_id: str) -> bool:
        """Whether this update id was already handled (read-only check)."""
        row = (
            await self._conn.execute(
                select(ProcessedUpdate.update_id).where(
                    ProcessedUpdate.platform == platform, ProcessedUpdate.update_id == update_id
                )
            )
        ).one_or_none()
        return row is not None

    async def mark_processed(self, *, platform: str, update_id: str) -> bool:
        """Record the update id; ``False`` if it was already recorded (a duplicate).

        On PostgreSQL a concurrent transaction marking the same id waits for
        this one: it sees a duplicate if this commits, and proceeds if it rolls back.
        """
        statement = _MARK_PROCESSED.get(self._dialect)
        if statement is None:
            raise NotImplementedError(f"unsupported database dialect {self._dialect}")
        result = await self._conn.execute(
            statement, {"platform": platform, "update_id": update_id, "created_at": self._clock()}
        )
        return result.one_or_none() is not None

    async def prune_processed(self, *, older_than: timedelta, now: datetime | None = None) -> int:
        """Delete processed-update ids older than ``older_than``; returns how many."""
        cutoff = (now or self._clock()) - older_than
        result = await self._conn.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.created_at < cutoff)
        )
        return int(result.rowcount or 0)

    # -------------------------------------------------------------- reminders

    async def add_reminder(
        self,
        *,
        user_id: int,
        case_id: str | None,
        platform: str,
        kind: ReminderKind,
        due_at: datetime,
    ) -> int:
        """Schedule a reminder; returns its id."""
        result = await self._conn.execute(
            insert(Reminder)
            .values(
                user_id=user_id,
                case_id=case_id,
                platform=platform,
                kind=kind.value,
                due_at=due_at,
                claimed_at=None,
                sent_at=None,
                created_at=self._clock(),
            )
            .returning(Reminder.id)
        )
        return int(result.scalar_one())

    async def claim_due_reminders(
        self,
        *,
        platform: str,
        now: datetime | None = None,
        limit: int = 50,
        lease: timedelta = DEFAULT_CLAIM_LEASE,
    ) -> list[ClaimedReminder]:
        """Claim up to ``limit`` due reminders of ``platform``, each by exactly one caller.

        PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` so concurrent workers take
        disjoint rows. Everywhere: the claiming ``UPDATE`` repeats the "unclaimed"
        condition and returns only the rows it changed. A claim that was never
        marked sent within ``lease`` (its worker died) can be claimed again.
        """
        moment = now or self._clock()
        claimable = or_(Reminder.claimed_at.is_(None), Reminder.claimed_at < moment - lease)
        candidates = (
            select(Reminder.id)
            .where(
                Reminder.platform == platform,
                Reminder.sent_at.is_(None),
                Reminder.due_at <= moment,
                claimable,
            )
            .order_by(Reminder.due_at, Reminder.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list((await self._conn.execute(candidates)).scalars())
        if not ids:
            return []
        rows = await self._conn.execute(
            update(Reminder)
            .where(Reminder.id.in_(ids), Reminder.sent_at.is_(None), claimable)
            .values(claimed_at=moment)
            .returning(
                Reminder.id, Reminder.user_id, Reminder.case_id, Reminder.kind, Reminder.due_at
            )
        )
        claimed = [
            ClaimedReminder(
                id=row.id,
                user_id=row.user_id,
                case_id=row.case_id,
                kind=ReminderKind(row.kind),
                due_at=row.due_at,
            )
            for row in rows
        ]
        claimed.sort(key=lambda r: (r.due_at, r.id))
        return claimed

    async def mark_reminder_sent(self, *, reminder_id: int) -> None:
        """Record that a claimed reminder was handed over for delivery."""
        await self._conn.execute(
            update(Reminder).where(Reminder.id == reminder_id).values(sent_at=self._clock())
        )

    async def pending_reminders(self, *, user_id: int) -> int:
        """How many of the user's reminders were not sent yet."""
        result = await self._conn.execute(
            select(func.count())
            .select_from(Reminder)
            .where(Reminder.user_id == user_id, Reminder.sent_at.is_(None))
        )
        return int(result.scalar_one())

    # ----------------------------------------------------------------- drafts

    async def add_draft(self, *, user_id: int, case_id: str | None, draft: Draft) -> None:
        """Store a draft handed to the user."""
        await self._conn.execute(
            _INSERT_DRAFT,
            {
                "user_id": user_id,
                "case_id": case_id,
                "kind": draft.kind.value,
                "language": draft.language,
                "title": draft.title,
                "text": draft.text,
                "created_at": self._clock(),
            },
        )

    async def latest_drafts(self, *, user_id: int, limit: int = 10) -> list[Draft]:
        """The user's drafts, newest first."""
        rows = await self._conn.execute(
            select(DraftRow.kind, DraftRow.text, DraftRow.language, DraftRow.title)
            .where(DraftRow.user_id == user_id)
            .order_by(DraftRow.id.desc())
            .limit(limit)
        )
        return [
            Draft(kind=DraftKind(row.kind), text=row.text, language=row.language, title=row.title)
            for row in rows
        ]


class StorageSession:
    """One pooled connection for several transactions in a row (see :meth:`Storage.session`)."""

    def __init__(self, connection: AsyncConnection, *, clock: Clock) -> None:
        self._conn = connection
        self._clock = clock
        self._sqlite = connection.dialect.name == "sqlite"
        self._autocommit = False

    @asynccontextmanager
    async def transaction(self, *, readonly: bool = False) -> AsyncIterator[StorageTransaction]:
        """Like :meth:`Storage.transaction`, on this session's connection."""
        if self._sqlite:
            begin = "BEGIN" if readonly else "BEGIN IMMEDIATE"
            await self._conn.execution_options(**{SQLITE_BEGIN_OPTION: begin})
        elif self._autocommit:
            level = self._conn.dialect.default_isolation_level or "READ COMMITTED"
            await self._conn.execution_options(isolation_level=level)
            self._autocommit = False
        async with self._conn.begin():
            yield StorageTransaction(self._conn, clock=self._clock)

    async def find_user_and_active_case(
        self, key: ConversationKey
    ) -> tuple[StoredUser | None, Case | None]:
        """See :meth:`StorageTransaction.find_user_and_active_case` (one statement).

        The one statement runs without ``BEGIN``/``COMMIT`` (SQLite's autocommit
        mode, PostgreSQL's ``AUTOCOMMIT`` level): a single statement reads one
        consistent snapshot by itself, and two round trips are saved.
        """
        row = await self._conn.run_sync(self._one_row, _USER_AND_ACTIVE_CASE, _identity(key))
        return StorageTransaction._user_and_case(key, row)

    async def find_user(self, key: ConversationKey) -> StoredUser | None:
        """See :meth:`StorageTransaction.find_user` (one statement, as above)."""
        row = await self._conn.run_sync(self._one_row, _FIND_USER, _identity(key))
        if row is None:
            return None
        return StoredUser(
            id=row.id, key=key, language=row.language, platform_language=row.platform_language
        )

    def _one_row(self, conn: Connection, statement: Any, parameters: dict[str, Any]) -> Any:
        # Synchronous, run by run_sync: one hand-over to SQLAlchemy's greenlet
        # instead of one per call (options, begin, execute, commit).
        if self._sqlite:
            conn.execution_options(**{SQLITE_BEGIN_OPTION: ""})
        elif not self._autocommit:
            conn.execution_options(isolation_level="AUTOCOMMIT")
            self._autocommit = True
        with conn.begin():
            return conn.execute(statement, parameters).one_or_none()


class Storage:
    """Owns the async engine; opens transactions and offers one-shot shortcuts.

    Args:
        database: SQLAlchemy async URL (``sqlite+aiosqlite:///…`` or
            ``postgresql+asyncpg://…``), or an engine made by
            :func:`storage.db.create_engine` (then the caller disposes it).
        clock: source of timestamps (UTC-aware).
        engine_options: extra keyword arguments for the SQLAlchemy engine.
    """

    def __init__(
        self,
        database: str | AsyncEngine,
        *,
        clock: Clock = utc_now,
        busy_timeout_ms: int | None = None,
        **engine_options: Any,
    ) -> None:
        if isinstance(database, AsyncEngine):
            self._engine = database
            self._owns_engine = False
        else:
            if busy_timeout_ms is not None:
                engine_options["busy_timeout_ms"] = busy_timeout_ms
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

    async def ping(self) -> None:
        """Run a trivial query; raises a database error when unreachable."""
        async with self.transaction(readonly=True) as tx:
            await tx.connection.exec_driver_sql("SELECT 1")

    async def dispose(self) -> None:
        """Close every pooled connection (of an engine this storage created)."""
        if self._owns_engine:
            await self._engine.dispose()

    @property
    def engine(self) -> AsyncEngine:
        """The SQLAlchemy async engine."""
        return self._engine

    # -------------------------------------------------- one-transaction shortcuts

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

    async def delete_user(self, *, user_id: int) -> None:
        """See :meth:`StorageTransaction.delete_user`."""
        async with self.transaction() as tx:
            await tx.delete_user(user_id=user_id)

    async def load_active_case(self, *, user_id: int) -> Case | None:
        """See :meth:`StorageTransaction.load_active_case`."""
        async with self.transaction(readonly=True) as tx:
            return await tx.load_active_case(user_id=user_id)

    async def save_case(
        self, *, user_id: int, case: Case, expected_version: int | None = None
    ) -> int:
        """See :meth:`StorageTransaction.save_case`."""
        async with self.transaction() as tx:
            return await tx.save_case(user_id=user_id, case=case, expected_version=expected_version)

    async def append_event(
        self, *, case_id: str, user_id: int, from_step: str | None, to_step: str, kind: str
    ) -> int:
        """See :meth:`StorageTransaction.append_event`."""
        async with self.transaction() as tx:
            return await tx.append_event(
                case_id=case_id, user_id=user_id, from_step=from_step, to_step=to_step, kind=kind
            )

    async def list_events(self, *, case_id: str) -> list[CaseEventRecord]:
        """See :meth:`StorageTransaction.list_events`."""
        async with self.transaction(readonly=True) as tx:
            return await tx.list_events(case_id=case_id)

    async def list_cases(self, *, user_id: int, limit: int = 20) -> list[Case]:
        """See :meth:`StorageTransaction.list_cases`."""
        async with self.transaction(readonly=True) as tx:
            return await tx.list_cases(user_id=user_id, limit=limit)

    async def latest_case(self, *, user_id: int) -> Case | None:
        """See :meth:`StorageTransaction.latest_case`."""
        async with self.transaction(readonly=True) as tx:
            return await tx.latest_case(user_id=user_id)

    async def mark_processed(self, *, platform: str, update_id: str) -> bool:
        """See :meth:`StorageTransaction.mark_processed`."""
        async with self.transaction() as tx:
            return await tx.mark_processed(platform=platform, update_id=update_id)

    async def prune_processed(self, *, older_than: timedelta, now: datetime | None = None) -> int:
        """See :meth:`StorageTransaction.prune_processed`."""
        async with self.transaction() as tx:
            return await tx.prune_processed(older_than=older_than, now=now)

    async def add_reminder(
        self,
        *,
        user_id: int,
        case_id: str | None,
        platform: str,
        kind: ReminderKind,
        due_at: datetime,
    ) -> int:
        """See :meth:`StorageTransaction.add_reminder`."""
        async with self.transaction() as tx:
            return await tx.add_reminder(
                user_id=user_id, case_id=case_id, platform=platform, kind=kind, due_at=due_at
            )

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

    async def add_draft(self, *, user_id: int, case_id: str | None, draft: Draft) -> None:
        """See :meth:`StorageTransaction.add_draft`."""
        async with self.transaction() as tx:
            await tx.add_draft(user_id=user_id, case_id=case_id, draft=draft)

    async def latest_drafts(self, *, user_id: int, limit: int = 10) -> list[Draft]:
        """See :meth:`StorageTransaction.latest_drafts`."""
        async with self.transaction(readonly=True) as tx:
            return await tx.latest_drafts(user_id=user_id, limit=limit)

    async def count_user_rows(self, *, user_id: int) -> dict[str, int]:
        """How many rows reference the user, per table (0 everywhere after deletion)."""
        counts: dict[str, int] = {}
        async with self.transaction(readonly=True) as tx:
            for model, column in USER_TABLES:
                result = await tx.connection.execute(
                    select(func.count()).select_from(model).where(column == user_id)
                )
                counts[model.__tablename__] = int(result.scalar_one())
        return counts


async def prune_processed(
    database: str | AsyncEngine, *, older_than: timedelta, now: datetime | None = None
) -> int:
    """Delete processed-update ids older than ``older_than`` (for a periodic job)."""
    storage = Storage(database)
    try:
        return await storage.prune_processed(older_than=older_than, now=now)
    finally:
        await storage.dispose()
