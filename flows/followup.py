"""The follow-up of a closed case (FLOW.md step 9, issue 15): "Did Acme answer?" and outcomes.

A Done case has left the machine, and the user may meanwhile have opened another
case (one active case per user). So the follow-up is a small state of its own on
the closed case (:class:`~flows.case.FollowUp`, a column), outside the steps:

- its buttons carry the closed case's id and turn (:mod:`flows.callback`), and the
  engine loads that case when a press names it — the active case and its question
  are never touched;
- the typed parts (the money actually received or kept, the one-line note) are
  asked only while the user has **no** active case: typed text then has no other
  owner. With an active case the follow-up is answered by its buttons alone and
  the typed questions are left out — the simplest rule that never steals an
  answer meant for the active case's question.

Pure: the time of an outcome comes from the input (``UserContext.now``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from flows.answers import is_blank
from flows.case import (
    LANGUAGES,
    Case,
    CaseOutcome,
    FollowUp,
    PaymentVariant,
    Solution,
)
from flows.drafts import compose_contract_clause
from flows.drafts.nudge import compose_nudge
from flows.io import CancelReminders, Draft, ReminderKind, ScheduleReminder
from flows.money import AmountError, format_money, format_percent, parse_amount
from flows.prompts import Choice, label_of
from flows.text import one_line
from flows.turn import Turn

#: When the follow-up asks if the user picks nothing at Done.
DEFAULT_DELAY = timedelta(days=3)
#: After "No answer yet" / "Still negotiating": the next follow-up.
NEXT_DELAY = timedelta(days=3)
#: At most this many follow-up questions per case (then the coach stops asking).
MAX_FOLLOW_UPS = 3
#: The longest note kept (one line).
NOTE_LIMIT = 200
#: The fallback share offered when a higher share was not agreed.
FALLBACK_PERCENT = Decimal(30)

WHEN_2_DAYS, WHEN_A_WEEK, WHEN_NEVER = "fu.2d", "fu.7d", "fu.no"
SKIP = "fu.skip"
_DELAYS = {WHEN_2_DAYS: timedelta(days=2), WHEN_A_WEEK: timedelta(days=7)}
#: The outcome buttons' tokens.
OUTCOME_TOKENS: dict[str, CaseOutcome] = {f"o.{o.value}": o for o in CaseOutcome}

_WHEN_CHOICES = (
    (Choice(WHEN_2_DAYS, "outcome-btn-in-2-days"), Choice(WHEN_A_WEEK, "outcome-btn-in-a-week")),
    (Choice(WHEN_NEVER, "outcome-btn-dont-ask"),),
)
_ASK_CHOICES = (
    (Choice("o.agreed", "outcome-btn-agreed"), Choice("o.negotiating", "outcome-btn-negotiating")),
    (Choice("o.no_answer", "outcome-btn-no-answer"), Choice("o.parted", "outcome-btn-parted")),
    (Choice("o.escalated", "outcome-btn-escalated"),),
)
_SKIP_CHOICES = ((Choice(SKIP, "outcome-btn-skip"),),)


def choices(state: FollowUp | None) -> tuple[tuple[Choice, ...], ...]:
    """The buttons open in follow-up ``state`` (none while waiting)."""
    if state is FollowUp.WHEN:
        return _WHEN_CHOICES
    if state is FollowUp.ASKED:
        return _ASK_CHOICES
    if state in (FollowUp.AMOUNT, FollowUp.NOTE):
        return _SKIP_CHOICES
    return ()


def label(state: FollowUp | None, token: str, *, language: str) -> str | None:
    """The label of button ``token`` when it is open in ``state``; ``None``: not open."""
    for row in choices(state):
        for choice in row:
            if choice.token == token:
                return label_of(choice, language=language)
    return None


# --------------------------------------------------------------------------- at Done


def offer_at_done(turn: Turn, text: str) -> None:
    """Done's last message: ``text``, then when to ask how it went (3 days unless changed).

    The reminder is scheduled right away, so a user who picks nothing is asked in
    :data:`DEFAULT_DELAY`; the buttons move it or cancel it.
    """
    case = turn.case
    assert case is not None
    case.follow_up = FollowUp.WHEN
    turn.result.effects.append(
        ScheduleReminder(kind=ReminderKind.OUTCOME, delay=DEFAULT_DELAY, case_id=case.id)
    )
    question = turn.t("outcome-when-prompt", days=DEFAULT_DELAY.days, where=turn.reminder_where())
    turn.say(f"{text}\n\n{question}", _WHEN_CHOICES)


# --------------------------------------------------------------------------- due


def ask(turn: Turn) -> None:
    """The follow-up fell due: "Did … answer?" with the outcome buttons."""
    case = turn.case
    assert case is not None
    if case.follow_up is not FollowUp.ASKED:  # a redelivered reminder asks the same buttons
        case.follow_up = FollowUp.ASKED
        case.turn += 1
        case.answers.follow_ups += 1
    turn.say(_ask_text(turn), _ASK_CHOICES)


def _ask_text(turn: Turn) -> str:
    assert turn.case is not None
    client = turn.case.answers.client_name
    if client:
        return turn.t("outcome-ask-named", client=one_line(client, 60))
    return turn.t("outcome-ask")


# --------------------------------------------------------------------------- answers


def press(turn: Turn, token: str, *, typed_ok: bool, now: datetime | None) -> None:
    """Apply an open follow-up button ``token`` (checked with :func:`label` first).

    ``typed_ok``: the user has no active case, so the typed questions may be asked.
    """
    case = turn.case
    assert case is not None
    state = case.follow_up
    if state is FollowUp.WHEN:
        case.turn += 1
        if token == WHEN_NEVER:
            case.follow_up = None
            turn.result.effects.append(CancelReminders(kind=ReminderKind.OUTCOME, case_id=case.id))
            turn.note("outcome-wont-ask")
        else:
            case.follow_up = FollowUp.WAITING
            turn.result.effects.append(
                ScheduleReminder(kind=ReminderKind.OUTCOME, delay=_DELAYS[token], case_id=case.id)
            )
            # Where it arrives was said in the question just above.
            turn.note(f"outcome-will-ask-{token.removeprefix('fu.')}")
        turn.flush()
    elif state is FollowUp.ASKED:
        _report(turn, OUTCOME_TOKENS[token], typed_ok=typed_ok, now=now)
    elif state is FollowUp.AMOUNT:
        case.turn += 1
        _ask_note(turn)
    elif state is FollowUp.NOTE:
        _finish(turn)


def on_text(turn: Turn, text: str, *, now: datetime | None) -> None:
    """Typed text while the follow-up is open and the user has no active case."""
    case = turn.case
    assert case is not None
    state = case.follow_up
    if state is FollowUp.ASKED:
        token = _typed_label(text)
        if token is None:
            turn.note("coach-choose-button")
            turn.say(f"{_ask_text(turn)}\n\n{turn.t('outcome-ask-or-start')}", _ASK_CHOICES)
            return
        _report(turn, OUTCOME_TOKENS[token], typed_ok=True, now=now)
    elif state is FollowUp.AMOUNT:
        _typed_amount(turn, text)
    elif state is FollowUp.NOTE:
        if is_blank(text):
            turn.note("coach-blank")
            _ask_note(turn)
            return
        case.answers.outcome_note = one_line(text, NOTE_LIMIT).strip() or None
        turn.note("outcome-note-kept")
        _finish(turn)


def leave(turn: Turn) -> None:
    """Another input while a typed question is open: the question is left (not the outcome)."""
    case = turn.case
    assert case is not None
    if case.follow_up in (FollowUp.AMOUNT, FollowUp.NOTE):
        case.follow_up = _after(case)
        case.turn += 1


def _typed_label(text: str) -> str | None:
    wanted = "".join(text.split()).casefold()
    for row in _ASK_CHOICES:
        for choice in row:
            for language in LANGUAGES:
                if "".join(label_of(choice, language=language).split()).casefold() == wanted:
                    return choice.token
    return None


def _after(case: Case) -> FollowUp | None:
    """What the follow-up waits for once its questions are answered."""
    again = case.outcome in (CaseOutcome.NO_ANSWER, CaseOutcome.NEGOTIATING)
    return FollowUp.WAITING if again and case.answers.follow_ups < MAX_FOLLOW_UPS else None


def _report(turn: Turn, outcome: CaseOutcome, *, typed_ok: bool, now: datetime | None) -> None:
    case = turn.case
    assert case is not None
    answers = case.answers
    case.outcome = outcome
    case.outcome_at = now
    case.turn += 1
    turn.result.outcomes.append(outcome.value)
    language = turn.reply_language
    if outcome is CaseOutcome.NO_ANSWER:
        turn.note("outcome-no-answer")
        turn.draft(
            compose_nudge(
                answers, language=language, tone=answers.tone, signature=turn.signature or None
            )
        )
    elif outcome is CaseOutcome.NEGOTIATING:
        _next_step(turn)
    elif outcome is CaseOutcome.ESCALATED:
        from flows.summary import export  # the summary reads the step registry

        turn.note("outcome-escalated")
        for item in export(case, language=turn.language):
            if isinstance(item, Draft):
                turn.draft(item)  # the evidence: the whole case as Markdown
        turn.note("outcome-not-legal-advice")
    else:
        turn.note(f"outcome-{outcome.value}")
        turn.note("outcome-clause-again")
        for draft_language in dict.fromkeys((language, turn.language)):
            turn.draft(compose_contract_clause(answers, language=draft_language))
    if _after(case) is FollowUp.WAITING:
        turn.result.effects.append(
            ScheduleReminder(kind=ReminderKind.OUTCOME, delay=NEXT_DELAY, case_id=case.id)
        )
        turn.note("outcome-again", days=NEXT_DELAY.days)
        turn.notes.append(turn.reminder_where())
    if not typed_ok:
        case.follow_up = _after(case)
        turn.note("outcome-saved")
        turn.flush()
    elif outcome in (CaseOutcome.AGREED, CaseOutcome.PARTED):
        case.follow_up = FollowUp.AMOUNT
        turn.say(turn.t("outcome-amount-prompt"), _SKIP_CHOICES)
    else:
        _ask_note(turn)


def _next_step(turn: Turn) -> None:
    """Still negotiating: what to say next, from the settlement."""
    assert turn.case is not None
    answers = turn.case.answers
    language = turn.language
    if answers.solution is Solution.REDO or answers.payment_variant is PaymentVariant.CONTINUE:
        turn.note("outcome-negotiating-redo")
        return
    if answers.payment_variant is PaymentVariant.KILL_FEE and answers.kill_fee_agreed is False:
        percent = answers.kill_fee_percent
        if answers.price is not None and percent is not None and percent > FALLBACK_PERCENT:
            fallback = (answers.price * FALLBACK_PERCENT / 100).quantize(Decimal("0.01"))
            turn.note(
                "outcome-negotiating-share",
                percent=format_percent(percent, language=language),
                fallback=format_money(fallback, answers.currency, language=language),
                fallback_percent=format_percent(FALLBACK_PERCENT, language=language),
            )
            return
        if answers.deposit:
            turn.note(
                "outcome-negotiating-deposit",
                deposit=format_money(answers.deposit, answers.currency, language=language),
            )
            return
    turn.note("outcome-negotiating")


def _typed_amount(turn: Turn, text: str) -> None:
    case = turn.case
    assert case is not None
    try:
        amount, currency = parse_amount(text)
    except AmountError as error:
        turn.note(error.key, example=error.example)
        turn.say(turn.t("outcome-amount-prompt"), _SKIP_CHOICES)
        return
    case.outcome_amount = amount
    case.outcome_currency = currency or case.answers.currency
    case.turn += 1
    turn.note(
        "outcome-amount-kept",
        amount=format_money(amount, case.outcome_currency, language=turn.language),
    )
    _ask_note(turn)


def _ask_note(turn: Turn) -> None:
    assert turn.case is not None
    turn.case.follow_up = FollowUp.NOTE
    turn.say(turn.t("outcome-note-prompt"), _SKIP_CHOICES)


def _finish(turn: Turn) -> None:
    case = turn.case
    assert case is not None
    case.follow_up = _after(case)
    case.turn += 1
    turn.say(turn.t("outcome-thanks"))
