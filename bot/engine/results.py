"""What goes into the engine and what comes out: the channels' side of the pipeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from flows.case import Case
from flows.io import (
    ChoiceInput,
    ChoiceOutcome,
    CommandInput,
    ConversationKey,
    ModelAnswer,
    Outgoing,
    PolishDraft,
    TextInput,
    UserInput,
)
from flows.prompts import COMMANDS

if TYPE_CHECKING:
    from storage.inbox import ClaimedInbox

#: Commands whose name goes into the event log (anything else is just "command"):
#: the coach's commands, and Slack's ``/coach``.
_LOGGED_COMMANDS = frozenset({*COMMANDS, "coach"})


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
    #: Where the replies go when not the user's direct chat (a Slack channel id).
    reply_to: str | None = None
    #: The inbox row it came from: deleted in the step's transaction (issue 13).
    inbox: InboxRef | None = None


@dataclass(frozen=True, slots=True)
class InboxRef:
    """The inbox row an update was stored in (issue 13), consumed with its step.

    ``conversation``: the stored sender hash; the sender's next waiting row is then
    claimed for this worker in the same transaction (:attr:`EngineResult.inbox_next`).
    """

    row_id: int
    conversation: str | None = None
    #: Stored by the only receiver of its platform (Telegram's long polling): whether
    #: a row of its sender waits behind it is known without asking the database.
    exclusive: bool = False


@dataclass(slots=True)
class EngineResult:
    """What an adapter renders: replies, and how a button press was judged.

    ``unavailable`` is true when the database failed and ``outgoing`` is the
    coach's "temporarily unavailable" reply (a webhook may answer non-2xx so
    the platform redelivers). When ``case_known`` is true, ``active_case`` is the
    user's active case after this input (``None``: none) — the Slack App Home
    shows it without reading it back. ``erased``: the user's data was deleted.
    """

    language: str
    outgoing: list[Outgoing] = field(default_factory=list)
    choice: ChoiceOutcome | None = None
    chosen_label: str | None = None
    duplicate: bool = False
    unavailable: bool = False
    active_case: Case | None = None
    case_known: bool = False
    #: Model calls the step asked for (issue 16), made by the engine after the commit.
    model_calls: list[PolishDraft] = field(default_factory=list, repr=False)
    #: Every row of the user was erased by this input (/delete confirmed).
    erased: bool = False
    #: Outcomes the user reported at a follow-up (``CaseOutcome`` values; /metrics).
    outcomes: list[str] = field(default_factory=list)
    #: ``outgoing`` was written to the outbox with the step: the channel delivers it
    #: with :meth:`Engine.deliver_pending` instead of sending it itself.
    queued: bool = False
    #: The id of the outbox row written with the step (when ``queued``).
    outbox_id: int | None = None
    #: The message's inbox row was deleted with the step (duplicates too).
    inbox_cleared: bool = False
    #: The sender's next inbox row, claimed for this worker with the step: work on it next.
    inbox_next: ClaimedInbox | None = field(default=None, repr=False)


class EngineObserver(Protocol):
    """Watches the engine from outside (the worker's metrics); must not raise."""

    def update_handled(self, *, platform: str, result: EngineResult, seconds: float) -> None:
        """One update went through :meth:`Engine.handle` in ``seconds``."""
        ...

    def update_failed(self, *, platform: str) -> None:
        """:meth:`Engine.handle` raised (cancelled, or a bug outside its own guard)."""
        ...

    def reminders_claimed(self, *, platform: str, count: int) -> None:
        """``count`` due reminders were claimed and handed out for delivery."""
        ...


def input_kind(user_input: UserInput) -> str:
    """The event-log kind of an input — never its text."""
    if isinstance(user_input, TextInput):
        return "text"
    if isinstance(user_input, ChoiceInput):
        return "choice"
    if isinstance(user_input, CommandInput):
        name = user_input.name.lower()
        return f"command:{name}" if name in _LOGGED_COMMANDS else "command"
    if isinstance(user_input, ModelAnswer):
        return "model"
    return "unsupported"
