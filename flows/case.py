"""The case: one rejected delivery, its step and the typed answers given so far.

A case is plain data. It is (de)serialised to JSON-compatible dicts for storage;
the state machine never gets pickled (see STYLE.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

#: Longest free-text answer kept (FLOW.md: "kept up to the limit, the user told").
MAX_TEXT_LENGTH = 1000

#: Currencies offered on the keyboard; EUR is the default in both locales.
CURRENCIES: tuple[str, ...] = ("EUR", "BGN", "USD", "GBP")
DEFAULT_CURRENCY = "EUR"

#: Languages the coach speaks and the suggested replies can be written in.
LANGUAGES: tuple[str, ...] = ("bg", "en")
DEFAULT_LANGUAGE = "en"


class Step(StrEnum):
    """Every step of the coaching conversation (FLOW.md steps 0–8)."""

    START = "start"
    CALM = "calm"
    COOL_DOWN = "cool_down"
    CLIENT_NAME = "client_name"
    CONTACT_NAME = "contact_name"
    DELIVERY = "delivery"
    CLIENT_SAID = "client_said"
    INTERMEDIARY = "intermediary"
    INTERMEDIARY_CONTACT = "intermediary_contact"
    CHANNEL = "channel"
    CURRENCY = "currency"
    PRICE = "price"
    DEPOSIT = "deposit"
    TALK = "talk"
    PROBLEM = "problem"
    PROBLEM_DETAILS = "problem_details"
    SOLUTION = "solution"
    DEADLINE = "deadline"
    PAYMENT = "payment"
    PAYMENT_CONFIRM = "payment_confirm"
    KILL_FEE_SHARE = "kill_fee_share"
    KILL_FEE_OTHER = "kill_fee_other"
    KILL_FEE_AGREED = "kill_fee_agreed"
    CONTINUE_MODE = "continue_mode"
    UNUSABLE = "unusable"
    REPLY = "reply"
    EDIT_FACTS = "edit_facts"
    DONE = "done"


class CaseStatus(StrEnum):
    """Where a case stands in the user's history."""

    ACTIVE = "active"
    DONE = "done"
    CANCELLED = "cancelled"


class CaseOutcome(StrEnum):
    """How a closed case ended, as the user reported at the follow-up (FLOW.md step 9)."""

    AGREED = "agreed"
    NEGOTIATING = "negotiating"
    NO_ANSWER = "no_answer"
    PARTED = "parted"
    ESCALATED = "escalated"


#: Outcomes that end the story of a case (the others wait for another follow-up).
FINAL_OUTCOMES: frozenset[CaseOutcome] = frozenset(
    {CaseOutcome.AGREED, CaseOutcome.PARTED, CaseOutcome.ESCALATED}
)


class FollowUp(StrEnum):
    """What the follow-up of a closed case waits for (``None`` on the case: nothing).

    ``WHEN``: Done's [In 2 days] [In a week] [Don't ask] are open (the default
    reminder in 3 days is already scheduled). ``WAITING``: a reminder is pending.
    ``ASKED``: "Did … answer?" is open. ``AMOUNT`` / ``NOTE``: a typed answer is
    expected (asked only while the user has no active case).
    """

    WHEN = "when"
    WAITING = "waiting"
    ASKED = "asked"
    AMOUNT = "amount"
    NOTE = "note"


class Mood(StrEnum):
    """The answer to the mood check of step 1."""

    CALM = "calm"
    UPSET = "upset"


class Intermediary(StrEnum):
    """Who stands between the freelancer and the client."""

    DIRECT = "direct"
    AGENCY = "agency"
    FREELANCER = "freelancer"


class Channel(StrEnum):
    """How the two sides have talked so far."""

    WRITING = "writing"
    CALLS = "calls"


class Problem(StrEnum):
    """What turned out to be the real problem (step 4)."""

    BRIEF = "brief"
    STYLE = "style"
    SCOPE = "scope"
    PLANS = "plans"
    UNCLEAR = "unclear"


class Solution(StrEnum):
    """Step 5: redo the work, or part ways on this project."""

    REDO = "redo"
    PART_WAYS = "part_ways"


class PaymentVariant(StrEnum):
    """Step 6: who pays for the unused work — the three variants."""

    KEEP_DEPOSIT = "keep_deposit"
    KILL_FEE = "kill_fee"
    CONTINUE = "continue"


class ContinueMode(StrEnum):
    """Variant 3: deduct the unusable work from the deposit or absorb it."""

    DEDUCT = "deduct"
    ABSORB = "absorb"


class Tone(StrEnum):
    """The tone of a draft: formal ("Вие") by default, or friendly ("ти")."""

    FORMAL = "formal"
    FRIENDLY = "friendly"


@dataclass(slots=True)
class Answers:
    """Everything the user told the coach about one case.

    ``None`` means "not given or skipped"; drafts leave such facts out.
    ``vented`` is private: it is never used in any draft or export.
    """

    mood: Mood | None = None
    vented: list[str] = field(default_factory=list)
    client_name: str | None = None
    contact_name: str | None = None
    #: With an agency or a colleague in between: the first name of your contact there.
    intermediary_contact: str | None = None
    delivery: str | None = None
    client_said: str | None = None
    intermediary: Intermediary | None = None
    channel: Channel | None = None
    currency: str = DEFAULT_CURRENCY
    #: Whether the user named the currency: ``True`` typed or picked, ``False``
    #: assumed (the default, and the user was told so once), ``None`` not yet asked.
    currency_given: bool | None = None
    price: Decimal | None = None
    deposit: Decimal | None = None
    problem: Problem | None = None
    problem_details: str | None = None
    unclear_rounds: int = 0
    solution: Solution | None = None
    deadline: str | None = None
    payment_variant: PaymentVariant | None = None
    #: A variant picked against the solution, waiting for the user's confirmation.
    pending_variant: PaymentVariant | None = None
    kill_fee_percent: Decimal | None = None
    kill_fee_agreed: bool | None = None
    continue_mode: ContinueMode | None = None
    unusable_amount: Decimal | None = None
    tone: Tone = Tone.FORMAL
    reply_language: str | None = None
    #: True once the user said the call took place ("Call arranged"): the reply thanks for it.
    call_held: bool = False
    #: Free-text facts retyped in a reply language other than the one they were
    #: typed in: ``{language: {field: text}}``; ``""`` means "leave it out". The
    #: originals stay in their fields, so switching back restores them.
    reply_facts: dict[str, dict[str, str]] = field(default_factory=dict)
    #: True while the user edits one fact from the reply step ("Change facts"):
    #: the edited step then returns straight to the reply.
    editing: bool = False
    #: A confirmation asked over the step's question ("delete", "restart"), answered
    #: by a press or a typed yes/no; ``None`` when none is open.
    pending: str | None = None
    #: After "remind me to follow up": the coach waits until the user reports the call.
    awaiting_call: bool = False
    #: The first suggested reply was shown to a user who never said how they sign
    #: their messages: the reply step asks it once (typed, or Skip) before its buttons.
    asking_signature: bool = False
    #: The AI-polished reply the user accepted (issue 16), the sha256 of the composed
    #: reply it was made from (a change of tone, language or a fact makes it stale),
    #: and whether it is the draft shown at the reply step.
    polished: str | None = None
    polished_from: str | None = None
    showing_polished: bool = False
    #: The follow-up (issue 15): the user's optional one-line note, and how many
    #: follow-up questions this case has had.
    outcome_note: str | None = None
    follow_ups: int = 0
    #: Whether a model is configured, set by the coach on every input; never stored.
    ai_available: bool = field(default=False, compare=False, metadata={"transient": True})
    #: The user's sign-off (stored on the user, not the case), set by the coach on
    #: every input so a Cyrillic one can be asked in Latin letters; never stored here.
    signature: str | None = field(default=None, compare=False, metadata={"transient": True})

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-compatible dict (Decimals as strings, enums as values)."""
        out: dict[str, Any] = {}
        for name in _stored_fields(type(self)):  # not asdict(): it deep-copies every value
            value = getattr(self, name)
            if isinstance(value, Decimal):
                out[name] = str(value)
            elif isinstance(value, StrEnum):
                out[name] = value.value
            elif isinstance(value, list):
                out[name] = list(value)
            elif isinstance(value, dict):
                out[name] = {k: dict(v) for k, v in value.items()}
            else:
                out[name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answers:
        """Rebuild answers from :meth:`to_dict` output; unknown keys are ignored."""
        kwargs: dict[str, Any] = {}
        converters: dict[str, Any] = {
            "mood": Mood,
            "intermediary": Intermediary,
            "channel": Channel,
            "problem": Problem,
            "solution": Solution,
            "payment_variant": PaymentVariant,
            "pending_variant": PaymentVariant,
            "continue_mode": ContinueMode,
            "tone": Tone,
            "price": Decimal,
            "deposit": Decimal,
            "kill_fee_percent": Decimal,
            "unusable_amount": Decimal,
        }
        names = _field_names(cls)
        for key, value in data.items():
            if key not in names:
                continue
            if value is not None and key in converters:
                value = converters[key](value)
            if key == "vented":
                value = list(value or [])
            if key == "reply_facts":
                value = {str(k): dict(v) for k, v in (value or {}).items()}
            kwargs[key] = value
        return cls(**kwargs)


_STORED_FIELDS: dict[type[Any], tuple[str, ...]] = {}
_FIELD_NAMES: dict[type[Any], frozenset[str]] = {}


def _stored_fields(cls: type[Any]) -> tuple[str, ...]:
    """The names of a dataclass's stored (not transient) fields, in order (read once)."""
    names = _STORED_FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in fields(cls) if not f.metadata.get("transient"))
        _STORED_FIELDS[cls] = names
    return names


def _field_names(cls: type[Any]) -> frozenset[str]:
    """The names of every field of a dataclass (read once)."""
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = frozenset(f.name for f in fields(cls))
    return names


def new_case_id() -> str:
    """Return a fresh random case id (32 hex characters)."""
    return uuid.uuid4().hex


@dataclass(slots=True)
class Case:
    """One rejected delivery: its id, current step, answers and bookkeeping.

    ``version`` is owned by storage (optimistic locking). ``turn`` grows every
    time the step changes, so a button from an earlier message can be told
    apart from the current one even when a step repeats. ``trail`` holds the
    steps visited, for ``/back``.
    """

    id: str = field(default_factory=new_case_id)
    step: Step = Step.START
    status: CaseStatus = CaseStatus.ACTIVE
    answers: Answers = field(default_factory=Answers)
    turn: int = 0
    trail: list[Step] = field(default_factory=list)
    version: int = 0
    #: The follow-up and its outcome (issue 15), stored in columns of their own so
    #: /stats can count them: how it ended, the money received or kept, when.
    outcome: CaseOutcome | None = None
    outcome_amount: Decimal | None = None
    outcome_currency: str | None = None
    outcome_at: datetime | None = None
    follow_up: FollowUp | None = None
    #: When the case was opened (the first message); read from storage, never written.
    created_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-compatible state stored beside the columns."""
        return {
            "answers": self.answers.to_dict(),
            "turn": self.turn,
            "trail": [s.value for s in self.trail],
        }

    @classmethod
    def from_parts(
        cls,
        *,
        case_id: str,
        step: str,
        status: str,
        state: dict[str, Any],
        version: int,
        outcome: str | None = None,
        outcome_amount: str | None = None,
        outcome_currency: str | None = None,
        outcome_at: datetime | None = None,
        follow_up: str | None = None,
        created_at: datetime | None = None,
    ) -> Case:
        """Rebuild a case from stored columns and the :meth:`to_dict` blob."""
        return cls(
            id=case_id,
            step=Step(step),
            status=CaseStatus(status),
            answers=Answers.from_dict(state.get("answers", {})),
            turn=int(state.get("turn", 0)),
            trail=[Step(s) for s in state.get("trail", [])],
            version=version,
            outcome=CaseOutcome(outcome) if outcome else None,
            outcome_amount=Decimal(outcome_amount) if outcome_amount else None,
            outcome_currency=outcome_currency or None,
            outcome_at=outcome_at,
            follow_up=FollowUp(follow_up) if follow_up else None,
            created_at=created_at,
        )
