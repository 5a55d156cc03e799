"""Processed-update ids, reminders and drafts: the delivery half of a transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from flows.io import Draft, DraftKind, ReminderKind
from storage import statements
from storage.models import DraftRow, ProcessedUpdate, Reminder
from storage.records import ClaimedReminder, Clock

#: A claimed reminder not marked sent after this long is claimable again
#: (the worker that claimed it died before handing it over).
DEFAULT_CLAIM_LEASE = timedelta(minutes=5)

#: At most this many reminders wait for one user; a further one is not scheduled.
MAX_PENDING_REMINDERS = 5


class DeliveryQueries:
    """The dedupe, reminder and draft queries of :class:`storage.StorageTransaction`."""

    _conn: AsyncConnection
    _clock: Clock
    _dialect: str

    # ------------------------------------------------------- processed updates

    async def mark_processed(self, *, platform: str, update_id: str) -> bool:
        """Record the update id; ``False`` if it was already recorded (a duplicate).

        On PostgreSQL a concurrent transaction marking the same id waits for
        this one: it sees a duplicate if this commits, and proceeds if it rolls back.
        """
        statement = statements.MARK_PROCESSED.get(self._dialect)
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
    ) -> int | None:
        """Schedule a reminder; returns its id, or ``None`` when the user's cap is reached.

        One pending reminder of a kind per case: a new one replaces the old. A
        user has at most :data:`MAX_PENDING_REMINDERS` pending, so a button
        pressed 30 times never queues 30 reminders.
        """
        if case_id is not None:
            await self.cancel_reminders(case_id=case_id, kind=kind)
        pending = await self._conn.execute(
            select(func.count())
            .select_from(Reminder)
            .where(Reminder.user_id == user_id, Reminder.sent_at.is_(None))
        )
        if int(pending.scalar_one()) >= MAX_PENDING_REMINDERS:
            return None
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

    async def cancel_reminders(self, *, case_id: str, kind: ReminderKind | None = None) -> int:
        """Drop the case's reminders not yet sent (of ``kind``, or all); returns how many."""
        statement = delete(Reminder).where(Reminder.case_id == case_id, Reminder.sent_at.is_(None))
        if kind is not None:
            statement = statement.where(Reminder.kind == kind.value)
        result = await self._conn.execute(statement)
        return int(result.rowcount or 0)

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

    # ----------------------------------------------------------------- drafts

    async def add_draft(self, *, user_id: int, case_id: str | None, draft: Draft) -> None:
        """Store a draft handed to the user."""
        await self._conn.execute(
            statements.INSERT_DRAFT,
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

    async def latest_drafts(
        self,
        *,
        user_id: int,
        limit: int = 10,
        case_id: str | None = None,
        kind: DraftKind | None = None,
    ) -> list[Draft]:
        """The user's drafts (of one case, of one kind, when given), newest first."""
        statement = select(DraftRow.kind, DraftRow.text, DraftRow.language, DraftRow.title).where(
            DraftRow.user_id == user_id
        )
        if case_id is not None:
            statement = statement.where(DraftRow.case_id == case_id)
        if kind is not None:
            statement = statement.where(DraftRow.kind == kind.value)
        rows = await self._conn.execute(statement.order_by(DraftRow.id.desc()).limit(limit))
        return [
            Draft(kind=DraftKind(row.kind), text=row.text, language=row.language, title=row.title)
            for row in rows
        ]
