"""What the repository hands back: plain frozen records, the clock, the conflict error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from flows.io import ConversationKey, ReminderKind

Clock = Callable[[], datetime]


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
    #: How the user signs their messages: ``None`` never asked, ``""`` skipped.
    signature: str | None = None


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
