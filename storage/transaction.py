"""``StorageTransaction``: the queries the engine needs, inside one open transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.case import Case
from flows.io import ConversationKey
from storage import statements
from storage.deliveries import DeliveryQueries
from storage.inbox import InboxQueries
from storage.models import USER_TABLES, CaseEvent, CaseRow, User
from storage.outbox import OutboxQueries
from storage.records import CaseEventRecord, Clock, ConflictError, StoredUser


def case_from_row(row: Any) -> Case:
    """The case of a row with :data:`storage.statements.CASE_COLUMNS`."""
    return Case.from_parts(
        case_id=row.id,
        step=row.step,
        status=row.status,
        state=row.state,
        version=row.version,
        outcome=row.outcome,
        outcome_amount=row.outcome_amount,
        outcome_currency=row.outcome_currency,
        outcome_at=row.outcome_at,
        follow_up=row.follow_up,
        created_at=row.created_at,
    )


def is_case_ref(case_ref: str) -> bool:
    """Whether ``case_ref`` is a case reference: lower-case hex (no ``LIKE`` wildcard)."""
    return bool(case_ref) and all(char in "0123456789abcdef" for char in case_ref)


def outcome_columns(case: Case) -> dict[str, Any]:
    """The follow-up's columns of ``case`` (issue 15), as stored."""
    return {
        "outcome": case.outcome.value if case.outcome is not None else None,
        "outcome_amount": str(case.outcome_amount) if case.outcome_amount is not None else None,
        "outcome_currency": case.outcome_currency,
        "outcome_at": case.outcome_at,
        "follow_up": case.follow_up.value if case.follow_up is not None else None,
    }


def user_from_row(key: ConversationKey, row: Any) -> StoredUser:
    """The user of ``key`` from a row of :data:`storage.statements.FIND_USER`."""
    return StoredUser(
        id=row.id,
        key=key,
        language=row.language,
        platform_language=row.platform_language,
        signature=row.signature,
    )


def user_and_case(key: ConversationKey, row: Any) -> tuple[StoredUser | None, Case | None]:
    """The user and active case of a row of :data:`storage.statements.USER_AND_ACTIVE_CASE`."""
    if row is None:
        return None, None
    user = StoredUser(
        id=row.user_id,
        key=key,
        language=row.language,
        platform_language=row.platform_language,
        signature=row.signature,
    )
    return user, None if row.id is None else case_from_row(row)


class StorageTransaction(DeliveryQueries, OutboxQueries, InboxQueries):
    """The repository's operations, all run inside one open transaction.

    Users, cases and the event log here; processed-update ids, reminders and
    drafts in :class:`storage.deliveries.DeliveryQueries`; the outbox in
    :class:`storage.outbox.OutboxQueries`. Made by
    :meth:`storage.Storage.transaction` or :meth:`storage.StorageSession.transaction`;
    commits when that block ends.
    """

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
        result = await self._conn.execute(statements.FIND_USER, statements.identity(key))
        row = result.one_or_none()
        return None if row is None else user_from_row(key, row)

    async def find_user_and_active_case(
        self, key: ConversationKey
    ) -> tuple[StoredUser | None, Case | None]:
        """The user of ``key`` and their active case, in one query (either may be None)."""
        result = await self._conn.execute(statements.USER_AND_ACTIVE_CASE, statements.identity(key))
        return user_and_case(key, result.one_or_none())

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
                    User.signature,
                ).where(User.id == user_id)
            )
        ).one_or_none()
        if row is None:
            return None
        key = ConversationKey(
            platform=row.platform, workspace=row.workspace, user_id=row.platform_user_id
        )
        return StoredUser(
            id=user_id,
            key=key,
            language=row.language,
            platform_language=row.platform_language,
            signature=row.signature,
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

    async def set_signature(self, *, user_id: int, signature: str | None) -> None:
        """Store how the user signs their messages ("" = they skipped the question)."""
        await self._conn.execute(
            update(User)
            .where(User.id == user_id)
            .values(signature=signature, updated_at=self._clock())
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

    async def load_active_case(self, *, user_id: int) -> Case | None:
        """The user's active case, if any."""
        result = await self._conn.execute(statements.ACTIVE_CASE, {"user_id": user_id})
        row = result.one_or_none()
        return None if row is None else case_from_row(row)

    async def list_cases(self, *, user_id: int, limit: int | None = 20) -> list[Case]:
        """The user's cases, newest first."""
        rows = await self._conn.execute(
            select(*statements.CASE_COLUMNS)
            .where(CaseRow.user_id == user_id)
            .order_by(CaseRow.created_at.desc(), CaseRow.updated_at.desc())
            .limit(limit)
        )
        return [case_from_row(row) for row in rows]

    async def find_case(self, *, user_id: int, case_ref: str) -> Case | None:
        """The user's one case whose id starts with ``case_ref`` (a button's reference).

        ``None`` when no case of this user, or more than one, has that prefix.
        """
        if not is_case_ref(case_ref):
            return None
        rows = (
            await self._conn.execute(statements.CASE_BY_REF, {"user_id": user_id, "ref": case_ref})
        ).all()
        return case_from_row(rows[0]) if len(rows) == 1 else None

    async def load_case(self, *, user_id: int, case_id: str) -> Case | None:
        """The user's case with this id, whatever its status (a follow-up's closed case)."""
        row = (
            await self._conn.execute(
                select(*statements.CASE_COLUMNS).where(
                    CaseRow.id == case_id, CaseRow.user_id == user_id
                )
            )
        ).one_or_none()
        return None if row is None else case_from_row(row)

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
        columns = {
            "step": case.step.value,
            "status": case.status.value,
            "state": case.to_dict() if state is None else state,
            **outcome_columns(case),
        }
        try:
            if expected == 0:
                await self._conn.execute(
                    statements.INSERT_CASE,
                    {
                        "id": case.id,
                        "user_id": user_id,
                        **columns,
                        "version": 1,
                        "created_at": now,
                        "updated_at": now,
                    },
                )
            else:
                result = await self._conn.execute(
                    statements.UPDATE_CASE,
                    {
                        "case_id": case.id,
                        "owner_id": user_id,
                        "expected": expected,
                        **columns,
                        "version": expected + 1,
                        "now": now,
                    },
                )
                if result.rowcount != 1:
                    raise ConflictError(f"case {case.id} is not at version {expected}")
        except IntegrityError as exc:
            raise ConflictError(f"case {case.id} conflicts with a stored case") from exc
        case.version = expected + 1
        if expected == 0:
            case.created_at = now
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
                statements.APPEND_EVENT,
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
        return [CaseEventRecord(**row._asdict()) for row in rows]
