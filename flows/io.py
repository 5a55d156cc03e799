"""Platform-neutral inputs, outputs and effects of the coaching flow.

Adapters translate platform updates into a :data:`UserInput` and render every
:data:`Outgoing` by type (Telegram HTML + inline keyboard, Slack Block Kit,
numbered options in the terminal). Texts here are *plain text*: adapters escape
them for their markup, so user-provided facts can never inject markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from flows.case import Case
from flows.polish import ChatRequest

# --------------------------------------------------------------------------- keys


@dataclass(frozen=True, slots=True)
class ConversationKey:
    """Who a conversation is with: platform, workspace (Slack team, "" elsewhere), user.

    Like aiogram's ``StorageKey``: the one identity used by storage and adapters.
    """

    platform: str
    workspace: str
    user_id: str


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True, slots=True)
class TextInput:
    """Free text typed by the user (untrusted, unbounded: the flow bounds it)."""

    text: str


@dataclass(frozen=True, slots=True)
class ChoiceInput:
    """A button press; ``data`` is the raw callback data / action value (untrusted)."""

    data: str


@dataclass(frozen=True, slots=True)
class CommandInput:
    """A command such as ``/back``; ``name`` without the slash, lower-case."""

    name: str
    args: str = ""


@dataclass(frozen=True, slots=True)
class UnsupportedInput:
    """Something the coach cannot read: photo, sticker, voice, file, …"""

    kind: str


@dataclass(frozen=True, slots=True)
class ModelAnswer:
    """What the model made of a :class:`PolishDraft` (issue 16), fed back by the engine.

    ``kind`` is the call's outcome (``bot.llm.OutcomeKind`` value: "ok",
    "timeout", …; "unavailable" when no model is configured); ``text`` is the
    model's text when ``kind`` is "ok" (unchecked: the flow checks it; kept out
    of ``repr``). ``turn`` and ``mode`` are those of the effect.
    """

    purpose: str
    kind: str
    text: str | None = field(default=None, repr=False)
    turn: int = 0
    mode: str = "polish"


UserInput = TextInput | ChoiceInput | CommandInput | UnsupportedInput | ModelAnswer

# --------------------------------------------------------------------------- outputs


@dataclass(frozen=True, slots=True)
class Button:
    """One choice. ``data`` fits Telegram's 64-byte callback data limit."""

    label: str
    data: str


@dataclass(frozen=True, slots=True)
class Reply:
    """A coach message: plain text, optional bold title, optional rows of buttons."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    title: str | None = None


class DraftKind(StrEnum):
    """Which text the user is handed to copy."""

    CALL_REQUEST = "call_request"
    REPLY = "reply"
    CONTRACT_CLAUSE = "contract_clause"
    EXPORT = "export"
    NUDGE = "nudge"


@dataclass(frozen=True, slots=True)
class Draft:
    """Copyable text, always sent as its own message in a copyable block."""

    kind: DraftKind
    text: str
    language: str
    title: str


Outgoing = Reply | Draft

# --------------------------------------------------------------------------- effects


class ReminderKind(StrEnum):
    """Why a reminder was asked for."""

    COOL_DOWN = "cool_down"
    FOLLOW_UP = "follow_up"
    #: "Did the client answer?" some days after Done (issue 15), about a closed case.
    OUTCOME = "outcome"


@dataclass(frozen=True, slots=True)
class ScheduleReminder:
    """Ask the engine to deliver a reminder after ``delay``.

    About the active case, or about the case ``case_id`` (a closed case's follow-up).
    """

    kind: ReminderKind
    delay: timedelta
    case_id: str | None = None


@dataclass(frozen=True, slots=True)
class CancelReminders:
    """Drop pending reminders of ``kind`` of the active case (or of ``case_id``)."""

    kind: ReminderKind
    case_id: str | None = None


@dataclass(frozen=True, slots=True)
class SetLanguage:
    """The user switched the coach's language (``/lang``)."""

    language: str


@dataclass(frozen=True, slots=True)
class SetSignature:
    """The user told how they sign their messages (``""``: they skipped the question)."""

    text: str | None


@dataclass(frozen=True, slots=True)
class ShowHistory:
    """``/cases``: the engine loads the user's cases and renders them."""


@dataclass(frozen=True, slots=True)
class ShowStats:
    """``/stats``: the engine loads the user's own cases and renders their outcomes."""


@dataclass(frozen=True, slots=True)
class ExportCase:
    """``/export``: the engine renders the active (or latest) case as Markdown."""


@dataclass(frozen=True, slots=True)
class DeleteUserData:
    """``/delete`` confirmed: erase every row of this user."""


@dataclass(frozen=True, slots=True)
class PolishDraft:
    """Ask the engine to send ``request`` to the model after the step is saved (issue 16).

    The engine answers with a :class:`ModelAnswer` carrying ``turn`` and ``mode``;
    an answer whose turn is no longer the case's is dropped.
    """

    request: ChatRequest
    turn: int
    mode: str = "polish"


Effect = (
    ScheduleReminder
    | CancelReminders
    | SetLanguage
    | SetSignature
    | ShowHistory
    | ShowStats
    | ExportCase
    | DeleteUserData
    | PolishDraft
)


class ChoiceOutcome(StrEnum):
    """What happened to a button press — adapters edit the question accordingly."""

    ACCEPTED = "accepted"
    STALE = "stale"


@dataclass(slots=True)
class UserContext:
    """What the flow knows about the user for one update (loaded by the engine)."""

    language: str
    active_case: Case | None
    #: An AI model is configured (issue 16): the reply step offers the polish.
    ai_available: bool = False
    #: Where the user talks to the coach: "chat" (Telegram, Slack) or "terminal".
    surface: str = "chat"
    #: How the user signs their drafts: ``None`` never asked, ``""`` skipped.
    signature: str | None = None
    #: The user's case a "Reopen" press names (:meth:`flows.coach.Coach.case_named_by`),
    #: loaded by the engine; ``None`` for any other input or when no such case is theirs.
    named_case: Case | None = None
    #: A closed case whose follow-up this input may answer (issue 15): the one a
    #: pressed button names, or the one waiting for a typed answer. Loaded by the engine.
    follow_up_case: Case | None = None
    #: The time of the input (injected: the flow reads no clock); dates an outcome.
    now: datetime | None = None


@dataclass(slots=True)
class FlowResult:
    """Everything one input produced.

    ``case`` is the active case after the input (``None`` when there is none);
    ``closed`` holds cases that stopped being active (done, cancelled or replaced
    by ``/restart``) and must be saved too. ``chosen_label`` is the label of an
    accepted button press, for editing the question in place.
    """

    case: Case | None
    outgoing: list[Outgoing] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    closed: list[Case] = field(default_factory=list)
    choice: ChoiceOutcome | None = None
    chosen_label: str | None = None
    #: The closed case whose follow-up changed (saved, its reminders kept).
    follow_up: Case | None = None
    #: Outcomes the user reported with this input (``CaseOutcome`` values), for /metrics.
    outcomes: list[str] = field(default_factory=list)
