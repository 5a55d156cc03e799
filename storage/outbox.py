"""The outbox queries (issue 13): enqueue a step's messages, claim them per conversation, settle.

A row holds one step's outgoing messages for one conversation, as the neutral
``flows.io`` outputs (see :func:`encode_outgoing`). Only the *head* of a
conversation — its oldest pending row — can be claimed, so a conversation's
messages go out in the order they were composed, also across workers. A claim
is a lease (``claimed_until``) plus a token: a worker that dies holding it
loses it when the lease runs out, and a late write of a worker whose lease was
taken over changes nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import aliased

from flows.io import Button, ConversationKey, Draft, DraftKind, Outgoing, Reply
from storage.models import OutboxRow, RateLimitRow
from storage.records import Clock

PENDING = "pending"
FAILED = "failed"

#: A claimed row not settled within this long can be claimed by another worker.
DEFAULT_OUTBOX_LEASE = timedelta(seconds=60)


def encode_outgoing(outgoing: Iterable[Outgoing]) -> list[dict[str, Any]]:
    """The JSON form of neutral outputs (``Reply``/``Draft``), for the outbox's payload."""
    encoded: list[dict[str, Any]] = []
    for item in outgoing:
        if isinstance(item, Draft):
            encoded.append(
                {
                    "type": "draft",
                    "kind": item.kind.value,
                    "text": item.text,
                    "language": item.language,
                    "title": item.title,
                }
            )
        else:
            encoded.append(
                {
                    "type": "reply",
                    "text": item.text,
                    "title": item.title,
                    "buttons": [[[b.label, b.data] for b in row] for row in item.buttons],
                }
            )
    return encoded


def decode_outgoing(payload: Sequence[dict[str, Any]]) -> list[Outgoing]:
    """The neutral outputs of an outbox payload (the inverse of :func:`encode_outgoing`)."""
    decoded: list[Outgoing] = []
    for item in payload:
        if item["type"] == "draft":
            decoded.append(
                Draft(
                    kind=DraftKind(item["kind"]),
                    text=item["text"],
                    language=item["language"],
                    title=item["title"],
                )
            )
        else:
            decoded.append(
                Reply(
                    text=item["text"],
                    title=item.get("title"),
                    buttons=tuple(
                        tuple(Button(label=label, data=data) for label, data in row)
                        for row in item.get("buttons") or ()
                    ),
                )
            )
    return decoded


@dataclass(frozen=True, slots=True)
class ClaimedOutbox:
    """An outbox row this worker holds the lease of."""

    id: int
    key: ConversationKey
    origin: str
    target: str | None
    outgoing: list[Outgoing]
    parts_sent: int
    attempts: int
    token: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """The outbox at one moment (``/metrics``)."""

    pending: int
    failed: int
    oldest_pending: datetime | None


_EARLIER = aliased(OutboxRow)  # built once: an alias copies the table's columns
_WHEN = OutboxRow.__table__.c.claimed_until.type


def _enqueue_claimed_statement() -> Any:
    """A step's row, claimed (``token``, ``leased_until``) when no earlier one of its
    conversation is pending, else held for ``held_by`` until ``held_until``.

    Parameters: platform, workspace, chat, user_id, origin, target, payload, now,
    held_until, leased_until, held_by, token.
    """
    table = OutboxRow.__table__.c
    platform = bindparam("platform", type_=table.platform.type)
    workspace = bindparam("workspace", type_=table.workspace.type)
    chat = bindparam("chat", type_=table.chat.type)
    now = bindparam("now", type_=_WHEN)
    waiting = exists().where(
        _EARLIER.platform == platform,
        _EARLIER.workspace == workspace,
        _EARLIER.chat == chat,
        _EARLIER.status == PENDING,
    )
    return (
        insert(OutboxRow)
        .values(
            platform=platform,
            workspace=workspace,
            chat=chat,
            user_id=bindparam("user_id"),
            origin=bindparam("origin"),
            target=bindparam("target"),
            payload=bindparam("payload"),
            parts_sent=0,
            status=PENDING,
            attempts=case((waiting, 0), else_=1),
            last_error=None,
            created_at=now,
            next_attempt_at=now,
            claimed_until=case(
                (waiting, bindparam("held_until", type_=_WHEN)),
                else_=bindparam("leased_until", type_=_WHEN),
            ),
            claim_token=case(
                (waiting, bindparam("held_by", type_=table.claim_token.type)),
                else_=bindparam("token", type_=table.claim_token.type),
            ),
        )
        .returning(OutboxRow.id, OutboxRow.claim_token)
    )


_ENQUEUE_CLAIMED = _enqueue_claimed_statement()

#: Record a row's progress while its claim holds (row_id, token, parts_sent); built once.
_PROGRESS = (
    update(OutboxRow)
    .where(OutboxRow.id == bindparam("row_id"), OutboxRow.claim_token == bindparam("token"))
    .values(parts_sent=bindparam("parts_sent"))
)

#: Delete sent rows still claimed by one of their claims (ids, tokens); built once.
_DELETE_SENT = delete(OutboxRow).where(
    OutboxRow.id.in_(bindparam("ids", expanding=True)),
    OutboxRow.claim_token.in_(bindparam("tokens", expanding=True)),
)


class OutboxQueries:
    """The outbox half of :class:`storage.StorageTransaction`."""

    _conn: AsyncConnection
    _clock: Clock
    _dialect: str

    async def enqueue_outgoing(
        self,
        *,
        key: ConversationKey,
        user_id: int | None,
        outgoing: Sequence[Outgoing],
        origin: str,
        target: str | None = None,
        now: datetime | None = None,
        held_by: str | None = None,
        held_for: timedelta = timedelta(),
    ) -> int:
        """Queue one step's outgoing messages for ``key``; returns the row id (its order).

        ``now`` (default: the storage's clock) is when it was written and first due.
        ``held_by`` (a worker's token) keeps the row for the worker that wrote it for
        ``held_for``: it delivers the row itself right after the commit
        (``claim_outbox(mine=…)``), and no other loop races it for the row meanwhile; if
        that worker dies, the hold runs out and any worker takes the row.
        """
        now = now or self._clock()
        result = await self._conn.execute(
            insert(OutboxRow)
            .values(
                platform=key.platform,
                workspace=key.workspace,
                chat=key.user_id,
                user_id=user_id,
                origin=origin,
                target=target,
                payload=encode_outgoing(outgoing),
                parts_sent=0,
                status=PENDING,
                attempts=0,
                last_error=None,
                created_at=now,
                next_attempt_at=now,
                claimed_until=now + held_for if held_by is not None else None,
                claim_token=held_by,
            )
            .returning(OutboxRow.id)
        )
        return int(result.scalar_one())

    async def enqueue_claimed(
        self,
        *,
        key: ConversationKey,
        user_id: int | None,
        outgoing: Sequence[Outgoing],
        origin: str,
        target: str | None,
        now: datetime,
        held_by: str,
        held_for: timedelta,
        lease: timedelta,
    ) -> tuple[int, ClaimedOutbox | None]:
        """Queue a step's messages, claimed at once by their writer when they go out next.

        One statement. When no earlier row of the conversation is pending, the row is
        written already claimed (a fresh token, ``lease``, attempt 1) and returned as
        the claim: the writer sends it right after the commit without claiming it.
        Otherwise it is held for ``held_by`` for ``held_for`` (as
        :meth:`enqueue_outgoing`) and waits its turn. Returns the id and the claim.
        """
        token = secrets.token_hex(16)
        result = await self._conn.execute(
            _ENQUEUE_CLAIMED,
            {
                "platform": key.platform,
                "workspace": key.workspace,
                "chat": key.user_id,
                "user_id": user_id,
                "origin": origin,
                "target": target,
                "payload": encode_outgoing(outgoing),
                "now": now,
                "held_until": now + held_for,
                "leased_until": now + lease,
                "held_by": held_by,
                "token": token,
            },
        )
        row_id, claimed_by = result.one()
        if claimed_by != token:
            return int(row_id), None
        claim = ClaimedOutbox(
            id=int(row_id),
            key=key,
            origin=origin,
            target=target,
            outgoing=list(outgoing),
            parts_sent=0,
            attempts=1,
            token=token,
            created_at=now,
        )
        return int(row_id), claim

    async def claim_outbox(
        self,
        *,
        platforms: Sequence[str],
        key: ConversationKey | None = None,
        limit: int = 50,
        lease: timedelta = DEFAULT_OUTBOX_LEASE,
        now: datetime | None = None,
        mine: str | None = None,
        up_to: int | None = None,
    ) -> list[ClaimedOutbox]:
        """Claim the due heads of conversations (of ``key`` only, when given), oldest first.

        ``mine``: also rows held for this token (see :meth:`enqueue_outgoing`).
        ``up_to``: only rows up to this id (a step's own rows and the ones before them).

        A head is a conversation's oldest pending row: later rows wait until it was
        sent or failed for good. PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so workers
        claiming at once take disjoint rows; everywhere the claiming ``UPDATE``
        repeats the conditions and returns only the rows it changed.
        """
        if not platforms:
            return []
        moment = now or self._clock()
        row = OutboxRow
        earlier = _EARLIER
        unclaimed = or_(row.claimed_until.is_(None), row.claimed_until < moment)
        if mine is not None:
            unclaimed = or_(unclaimed, row.claim_token == mine)
        head = ~exists().where(
            earlier.platform == row.platform,
            earlier.workspace == row.workspace,
            earlier.chat == row.chat,
            earlier.status == PENDING,
            earlier.id < row.id,
        )
        conditions = [row.status == PENDING, row.next_attempt_at <= moment, unclaimed, head]
        if up_to is not None:
            conditions.append(row.id <= up_to)
        if key is not None:
            conditions += [
                row.platform == key.platform,
                row.workspace == key.workspace,
                row.chat == key.user_id,
            ]
        else:
            conditions.append(row.platform.in_(list(platforms)))
        candidates = (
            select(row.id)
            .where(and_(*conditions))
            .order_by(row.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=row)
        )
        ids = list((await self._conn.execute(candidates)).scalars())
        if not ids:
            return []
        token = secrets.token_hex(16)
        rows = await self._conn.execute(
            update(row)
            .where(row.id.in_(ids), row.status == PENDING, unclaimed)
            .values(claimed_until=moment + lease, claim_token=token, attempts=row.attempts + 1)
            .returning(
                row.id,
                row.platform,
                row.workspace,
                row.chat,
                row.origin,
                row.target,
                row.payload,
                row.parts_sent,
                row.attempts,
                row.created_at,
            )
        )
        claimed = [
            ClaimedOutbox(
                id=r.id,
                key=ConversationKey(platform=r.platform, workspace=r.workspace, user_id=r.chat),
                origin=r.origin,
                target=r.target,
                outgoing=decode_outgoing(r.payload or []),
                parts_sent=r.parts_sent,
                attempts=r.attempts,
                token=token,
                created_at=r.created_at,
            )
            for r in rows
        ]
        claimed.sort(key=lambda c: c.id)
        return claimed

    async def outbox_progress(self, *, row_id: int, token: str, parts_sent: int) -> bool:
        """Record that ``parts_sent`` rendered messages were accepted; False: the lease is lost."""
        result = await self._conn.execute(
            _PROGRESS, {"row_id": row_id, "token": token, "parts_sent": parts_sent}
        )
        return bool(result.rowcount)

    async def outbox_sent(self, *, row_id: int, token: str) -> bool:
        """Every part was accepted: the row (and its text) is deleted; False: the lease is lost."""
        result = await self._conn.execute(
            delete(OutboxRow).where(OutboxRow.id == row_id, OutboxRow.claim_token == token)
        )
        return bool(result.rowcount)

    async def outbox_sent_many(self, sent: Mapping[int, str]) -> int:
        """Delete rows that were sent (row id → its claim token), as :meth:`outbox_sent`.

        A row whose claim was lost meanwhile (another token) is left; how many went.
        """
        if not sent:
            return 0
        result = await self._conn.execute(
            _DELETE_SENT, {"ids": list(sent), "tokens": list(set(sent.values()))}
        )
        return int(result.rowcount or 0)

    async def outbox_retry(
        self, *, row_id: int, token: str, parts_sent: int, at: datetime, error: str
    ) -> bool:
        """A retryable failure: release the claim, try again at ``at`` (later rows keep waiting)."""
        result = await self._conn.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id, OutboxRow.claim_token == token)
            .values(
                parts_sent=parts_sent,
                next_attempt_at=at,
                claimed_until=None,
                claim_token=None,
                last_error=error[:32],
            )
        )
        return bool(result.rowcount)

    async def outbox_failed(self, *, row_id: int, token: str, error: str) -> bool:
        """A permanent failure: keep the row as failed with the error kind, drop its text."""
        result = await self._conn.execute(
            update(OutboxRow)
            .where(OutboxRow.id == row_id, OutboxRow.claim_token == token)
            .values(
                status=FAILED,
                payload=None,
                claimed_until=None,
                claim_token=None,
                last_error=error[:32],
            )
        )
        return bool(result.rowcount)

    async def release_outbox_claims(self, *, key: ConversationKey) -> int:
        """Drop every lease of ``key``'s rows (the terminal at start: one process, no one else)."""
        result = await self._conn.execute(
            update(OutboxRow)
            .where(
                OutboxRow.platform == key.platform,
                OutboxRow.workspace == key.workspace,
                OutboxRow.chat == key.user_id,
                OutboxRow.status == PENDING,
            )
            .values(claimed_until=None, claim_token=None, next_attempt_at=self._clock())
        )
        return int(result.rowcount or 0)

    async def outbox_stats(self) -> OutboxStats:
        """How many rows are pending and failed, and when the oldest pending one was written."""
        rows = await self._conn.execute(
            select(OutboxRow.status, func.count(), func.min(OutboxRow.created_at)).group_by(
                OutboxRow.status
            )
        )
        pending = failed = 0
        oldest: datetime | None = None
        for status, count, first in rows:
            if status == PENDING:
                pending, oldest = int(count), first
            elif status == FAILED:
                failed = int(count)
        if isinstance(oldest, str):  # SQLite's min() of a timestamp column is its text
            oldest = datetime.fromisoformat(oldest)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        return OutboxStats(pending=pending, failed=failed, oldest_pending=oldest)

    async def prune_failed_outbox(
        self, *, older_than: timedelta, now: datetime | None = None
    ) -> int:
        """Delete failed rows (kept without text) and idle send budgets older than that."""
        cutoff = (now or self._clock()) - older_than
        result = await self._conn.execute(
            delete(OutboxRow).where(OutboxRow.status == FAILED, OutboxRow.created_at < cutoff)
        )
        await self._conn.execute(delete(RateLimitRow).where(RateLimitRow.tat < cutoff))
        return int(result.rowcount or 0)


#: PostgreSQL: reserve the next send slot of a budget (GCRA), in one statement under the
#: row's lock; returns how many seconds the caller waits before its send (<= 0: now).
_RESERVE_SLOT = text(
    """
    INSERT INTO rate_limits (name, tat)
    VALUES (:name, clock_timestamp() + make_interval(secs => :period))
    ON CONFLICT (name) DO UPDATE
        SET tat = GREATEST(rate_limits.tat, clock_timestamp()) + make_interval(secs => :period)
    RETURNING EXTRACT(EPOCH FROM (tat - clock_timestamp())) - :period - :tolerance AS wait
    """
)


async def reserve_send_slot(
    conn: AsyncConnection, *, name: str, period: float, tolerance: float
) -> float:
    """Reserve one send of the shared budget ``name``; the seconds to wait before it.

    A send every ``period`` seconds on average across every worker, ``tolerance``
    seconds of burst allowed (0: strictly paced). PostgreSQL only (the embedded
    SQLite runs one process: its in-process pacing is enough).
    """
    result = await conn.execute(
        _RESERVE_SLOT, {"name": name, "period": period, "tolerance": tolerance}
    )
    return float(result.scalar_one())
