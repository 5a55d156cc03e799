"""Typed SQLAlchemy 2 models: users, cases, the event log, dedupe ids, reminders, drafts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

#: Autoincrementing 64-bit ids (SQLite only autoincrements a plain INTEGER key).
BigId = BigInteger().with_variant(Integer(), "sqlite")

#: JSON document, JSONB on PostgreSQL.
JsonDocument = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite stores no offset, so values are normalised to UTC before writing
    (which keeps text comparisons in SQL correct) and marked UTC when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Normalise to UTC; naive values are taken as UTC."""
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime}


class User(Base):
    """A person on one platform.

    ``language`` is the coach language chosen with ``/lang`` (``None`` until
    then); ``platform_language`` the last language code the platform reported
    (so reminders, which arrive without an update, speak the same language).
    """

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("platform", "workspace", "platform_user_id", name="uq_users_identity"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(32))
    workspace: Mapped[str] = mapped_column(String(64))
    platform_user_id: Mapped[str] = mapped_column(String(128))
    language: Mapped[str | None] = mapped_column(String(8))
    platform_language: Mapped[str | None] = mapped_column(String(16))
    #: The user's sign-off for drafts: ``None`` never asked, ``""`` skipped.
    signature: Mapped[str | None] = mapped_column(String(160))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class CaseRow(Base):
    """One case: its step and status as columns, the answers as a JSON document.

    At most one case per user is active (a partial unique index), so two
    workers cannot both open a new case for the same user.
    """

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_user_status", "user_id", "status"),
        Index(
            "uq_cases_one_active",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    state: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    #: How the case ended (issue 15): a :class:`flows.case.CaseOutcome` value, the
    #: money received or kept (a decimal as text: exact on every backend) and when.
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_amount: Mapped[str | None] = mapped_column(String(32))
    outcome_currency: Mapped[str | None] = mapped_column(String(3))
    outcome_at: Mapped[datetime | None]
    #: What the follow-up waits for (a :class:`flows.case.FollowUp` value), if anything.
    follow_up: Mapped[str | None] = mapped_column(String(16))


class CaseEvent(Base):
    """Append-only log: one row per applied input that changed a case (never its text)."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_events_seq"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    from_step: Mapped[str | None] = mapped_column(String(32))
    to_step: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class ProcessedUpdate(Base):
    """A platform update id already handled (dedupe of redeliveries); pruned after N days.

    It carries no reference to a user: only the platform and a keyed hash (HMAC) of
    the platform's id, which can name a user (Slack's ids hold the team and the user),
    made by the engine (:func:`bot.engine.pipeline.stored_update_id`).
    """

    __tablename__ = "processed_updates"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(index=True)


class Reminder(Base):
    """A reminder due at ``due_at``; claimed by exactly one worker, then sent."""

    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_due", "platform", "sent_at", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class DraftRow(Base):
    """A copyable text the coach handed to the user (Telegram inline mode offers the latest)."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[str | None] = mapped_column(
        String(32), ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class OutboxRow(Base):
    """One step's outgoing messages for one conversation, waiting to be delivered (issue 13).

    Written in the same transaction as the step that composed them; the delivery loop
    of any worker claims the oldest pending row of a conversation (``claimed_until``
    is its lease), sends it through the channel and deletes it once the platform
    accepted every part. ``payload`` is the list of the neutral ``flows.io`` outputs
    (``Reply``/``Draft``), rendered by the channel at delivery; ``parts_sent`` counts
    the rendered messages already accepted, so a retry resumes after them. A row
    that failed for good keeps ``status = 'failed'`` and the error kind, never the text.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_conversation", "platform", "workspace", "chat", "status", "id"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(32))
    workspace: Mapped[str] = mapped_column(String(64))
    #: The user's platform id (the conversation key's ``user_id``).
    chat: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    #: ``reply`` (an update's step), ``reminder`` or ``model`` (an AI answer).
    origin: Mapped[str] = mapped_column(String(16))
    #: Where on the platform, when not the user's direct chat (a Slack channel id).
    target: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[list[Any] | None] = mapped_column(JsonDocument)
    parts_sent: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32))


class InboxRow(Base):
    """A request that passed authentication, stored before it was acknowledged (issue 13).

    ``digest`` is a keyed hash of the raw body (a platform's retry of the same
    delivery has the same body: it is not stored twice). The row is deleted once
    the request was worked on; one whose worker died first (its hold ran out) is
    worked on by another worker. ``body`` is bounded by the request limit (1 MiB).
    Rows of one ``conversation`` are worked on oldest first, one at a time.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "digest", name="uq_inbox_digest"),
        Index("ix_inbox_claimable", "platform", "claimed_until"),
        Index("ix_inbox_conversation", "platform", "conversation", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer)
    claimed_until: Mapped[datetime]
    claim_token: Mapped[str] = mapped_column(String(32))
    #: A keyed hash of the sender (Telegram): one sender's requests are worked on in order.
    conversation: Mapped[str | None] = mapped_column(String(32), nullable=True)


class RateLimitRow(Base):
    """One shared send budget (issue 13): a GCRA "theoretical arrival time" per name.

    Every worker reserves its next send slot here (one upsert under the row's lock),
    so N workers together keep to one rate: Telegram's 30 messages/s per bot token,
    Slack's pace per channel. ``name`` never holds an id in the clear (a hash).
    """

    __tablename__ = "rate_limits"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    tat: Mapped[datetime]


#: Every table holding rows of a user and the column naming the user, children
#: first (the order in which ``delete_user`` erases them).
USER_TABLES: tuple[tuple[type[Base], Mapped[int] | Mapped[int | None]], ...] = (
    (OutboxRow, OutboxRow.user_id),
    (DraftRow, DraftRow.user_id),
    (Reminder, Reminder.user_id),
    (CaseEvent, CaseEvent.user_id),
    (CaseRow, CaseRow.user_id),
    (User, User.id),
)
