"""The one pipeline every adapter calls (CONTRACT — implemented by the storage work).

IncomingMessage → resolve user and language → drop a duplicate → load the
active case → run the coach → save with a version check (retry on conflict)
→ EngineResult.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flows.io import ChoiceOutcome, ConversationKey, Draft, Outgoing, UserInput


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    """One update from any platform, already translated by its adapter.

    ``update_id`` is the platform's id of the delivery (Telegram ``update_id``,
    Slack ``event_id`` …) used to drop duplicates; ``None`` disables dedupe.
    ``platform_language`` is the user's platform language code, if known.
    """

    key: ConversationKey
    user_input: UserInput
    update_id: str | None = None
    platform_language: str | None = None


@dataclass(slots=True)
class EngineResult:
    """What an adapter renders: replies, and how a button press was judged."""

    language: str
    outgoing: list[Outgoing] = field(default_factory=list)
    choice: ChoiceOutcome | None = None
    chosen_label: str | None = None
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class ReminderDelivery:
    """A reminder that fell due, claimed for delivery to ``key``."""

    key: ConversationKey
    outgoing: list[Outgoing]


class Engine:
    """Signatures of the pipeline (see module docstring)."""

    async def handle(self, message: IncomingMessage) -> EngineResult:
        """Process one incoming message end to end."""
        raise NotImplementedError

    async def claim_due_reminders(self, *, platform: str, limit: int = 50) -> list[ReminderDelivery]:
        """Claim reminders of ``platform`` that are due (each exactly once) and render them."""
        raise NotImplementedError

    async def latest_drafts(self, key: ConversationKey, *, limit: int = 10) -> list[Draft]:
        """The user's most recent drafts, newest first (Telegram inline mode)."""
        raise NotImplementedError

    async def language_of(self, key: ConversationKey) -> str:
        """The stored coach language of a user (default when unknown)."""
        raise NotImplementedError
