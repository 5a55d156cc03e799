"""The inbox queries (issue 13): store a request before its ack, take over a dead worker's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, bindparam, case, delete, exists, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from storage.models import InboxRow
from storage.records import Clock


@dataclass(frozen=True, slots=True)
class ClaimedInbox:
    """A stored request this worker took over (its first worker died)."""

    id: int
    body: str
    content_type: str
    attempts: int
    conversation: str | None = None


#: How a deferred row is marked free: its hold ends this long before it was stored.
_RELEASED = timedelta(seconds=1)


#: Another row of ``inbox`` (an older one of the same sender); built once, with the
#: statements below (an alias copies the table's columns: not per call).
_OLDER = aliased(InboxRow)
_WHEN = InboxRow.__table__.c.claimed_until.type


def _first_of_its_conversation() -> ColumnElement[bool]:
    """No older row of the same sender waits (rows without a sender are always first)."""
    return ~exists().where(
        _OLDER.platform == InboxRow.platform,
        _OLDER.conversation == InboxRow.conversation,
        _OLDER.id < InboxRow.id,
    )


def _accept_statement(insert_on_conflict: Any) -> Any:
    """Store a request; let it go at once (deferred) when an older one of its sender waits.

    Parameters: platform, digest, body, content_type, received_at, held, released,
    claim_token, conversation.
    """
    platform = bindparam("platform", type_=InboxRow.__table__.c.platform.type)
    conversation = bindparam("conversation", type_=InboxRow.__table__.c.conversation.type)
    received = bindparam("received_at", type_=_WHEN)
    waiting = exists().where(_OLDER.platform == platform, _OLDER.conversation == conversation)
    return (
        insert_on_conflict(InboxRow)
        .values(
            platform=platform,
            digest=bindparam("digest"),
            body=bindparam("body"),
            content_type=bindparam("content_type"),
            received_at=received,
            attempts=case((waiting, 0), else_=1),  # a deferred one was not tried yet
            claimed_until=case(
                (waiting, bindparam("released", type_=_WHEN)),
                else_=bindparam("held", type_=_WHEN),
            ),
            claim_token=bindparam("claim_token"),
            conversation=conversation,
        )
        .on_conflict_do_nothing()
        .returning(InboxRow.id, (InboxRow.claimed_until < received).label("deferred"))
    )


#: Per dialect (see :func:`_accept_statement`).
_ACCEPT: dict[str, Any] = {
    "postgresql": _accept_statement(postgresql.insert),
    "sqlite": _accept_statement(sqlite.insert),
}

#: Forget one row (row_id); built once.
_DONE = delete(InboxRow).where(InboxRow.id == bindparam("row_id"))

#: PostgreSQL: a transaction-long lock on one sender (key).
_SENDER_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")

#: A sender's oldest row, locked (platform, conversation); none while that one is
#: locked elsewhere (being consumed or claimed): never the one behind it.
_SENDERS_FIRST = (
    select(InboxRow.id)
    .where(
        InboxRow.platform == bindparam("platform"),
        InboxRow.conversation == bindparam("conversation"),
        _first_of_its_conversation(),
    )
    .order_by(InboxRow.id)
    .limit(1)
    .with_for_update(skip_locked=True)
)
#: Claim one row if nobody holds it (row_id, now, held_until, held_by).
_CLAIM_FREE = (
    update(InboxRow)
    .where(
        InboxRow.id == bindparam("row_id"),
        InboxRow.claimed_until < bindparam("now", type_=_WHEN),
    )
    .values(
        claimed_until=bindparam("held_until", type_=_WHEN),
        claim_token=bindparam("held_by"),
        attempts=InboxRow.attempts + 1,
    )
    .returning(
        InboxRow.id,
        InboxRow.body,
        InboxRow.content_type,
        InboxRow.attempts,
        InboxRow.conversation,
    )
)


def _claimed(rows: object) -> list[ClaimedInbox]:
    claimed = [
        ClaimedInbox(
            id=r.id,
            body=r.body,
            content_type=r.content_type,
            attempts=r.attempts,
            conversation=r.conversation,
        )
        for r in rows  # type: ignore[attr-defined]
    ]
    claimed.sort(key=lambda c: c.id)
    return claimed


class InboxQueries:
    """The inbox half of :class:`storage.StorageTransaction`."""

    _conn: AsyncConnection
    _clock: Clock
    _dialect: str

    async def accept_inbox(
        self,
        *,
        platform: str,
        digest: str,
        body: str,
        content_type: str,
        held_by: str,
        held_for: timedelta,
        now: datetime | None = None,
    ) -> int | None:
        """Store a request, held for ``held_by``; its id, or ``None`` when already stored."""
        stored = await self.accept_inbox_of(
            platform=platform,
            digest=digest,
            body=body,
            content_type=content_type,
            held_by=held_by,
            held_for=held_for,
            now=now,
            conversation=None,
        )
        return None if stored is None else stored[0]

    async def accept_inbox_of(
        self,
        *,
        platform: str,
        digest: str,
        body: str,
        content_type: str,
        held_by: str,
        held_for: timedelta,
        conversation: str | None,
        now: datetime | None = None,
        exclusive: bool = False,
    ) -> tuple[int, bool] | None:
        """Store a request of a sender (``conversation``); its id and whether it is deferred.

        Deferred: an older request of the same sender waits, so this one is stored
        let go (free for the taking) — whoever finishes the older one
        (:meth:`claim_next_inbox`), or any worker's recovery loop, works on it next.
        One statement; ``None`` when the request is stored already. ``exclusive``: the
        caller is the only one storing this platform's requests (Telegram's long
        polling: one ``getUpdates`` per bot token), so nobody races it for the order.
        """
        moment = now or self._clock()
        if conversation is not None and self._dialect == "postgresql" and not exclusive:
            # One sender's requests are stored one after the other (until this commits),
            # so each sees the ones before it and the ids follow their order. (SQLite
            # writes one transaction at a time anyway.)
            await self._conn.execute(_SENDER_LOCK, {"key": f"inbox:{platform}:{conversation}"})
        statement = _ACCEPT[self._dialect]
        params = {
            "platform": platform,
            "digest": digest,
            "body": body,
            "content_type": content_type[:64],
            "received_at": moment,
            "held": moment + held_for,
            "released": moment - _RELEASED,
            "claim_token": held_by,
            "conversation": conversation,
        }
        row = (await self._conn.execute(statement, params)).one_or_none()
        return None if row is None else (int(row[0]), bool(row[1]))

    async def claim_next_inbox(
        self,
        *,
        platform: str,
        conversation: str,
        held_by: str,
        held_for: timedelta,
        now: datetime | None = None,
    ) -> ClaimedInbox | None:
        """Take the sender's oldest row if no live worker holds it (the next in turn)."""
        moment = now or self._clock()
        first = (
            await self._conn.execute(
                _SENDERS_FIRST, {"platform": platform, "conversation": conversation}
            )
        ).first()
        if first is None:
            return None
        rows = await self._conn.execute(
            _CLAIM_FREE,
            {
                "row_id": first.id,
                "now": moment,
                "held_until": moment + held_for,
                "held_by": held_by,
            },
        )
        claimed = _claimed(rows)
        return claimed[0] if claimed else None

    async def inbox_stats(self) -> tuple[int, datetime | None]:
        """How many requests wait in the inbox, and when the oldest arrived."""
        row = (await self._conn.execute(select(func.count(), func.min(InboxRow.received_at)))).one()
        oldest = row[1]
        if isinstance(oldest, str):  # SQLite's min() of a timestamp column is its text
            oldest = datetime.fromisoformat(oldest)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        return int(row[0]), oldest

    async def inbox_done(self, *, row_id: int) -> None:
        """The request was worked on: forget it (and its text)."""
        await self._conn.execute(_DONE, {"row_id": row_id})

    async def claim_stale_inbox(
        self,
        *,
        platform: str,
        held_by: str,
        held_for: timedelta,
        now: datetime | None = None,
        limit: int = 20,
    ) -> list[ClaimedInbox]:
        """Take over requests whose worker's hold ran out (it died before working on them).

        Only a sender's oldest row is taken: the ones behind it wait their turn.
        """
        moment = now or self._clock()
        candidates = (
            select(InboxRow.id)
            .where(
                InboxRow.platform == platform,
                InboxRow.claimed_until < moment,
                _first_of_its_conversation(),
            )
            .order_by(InboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list((await self._conn.execute(candidates)).scalars())
        if not ids:
            return []
        rows = await self._conn.execute(
            update(InboxRow)
            .where(InboxRow.id.in_(ids), InboxRow.claimed_until < moment)
            .values(
                claimed_until=moment + held_for,
                claim_token=held_by,
                attempts=InboxRow.attempts + 1,
            )
            .returning(
                InboxRow.id,
                InboxRow.body,
                InboxRow.content_type,
                InboxRow.attempts,
                InboxRow.conversation,
            )
        )
        return _claimed(rows)
