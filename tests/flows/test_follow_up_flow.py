"""The follow-up of a closed case through the pure coach (issue 15), in both languages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from flows import callback, followup
from flows.case import (
    Case,
    CaseOutcome,
    CaseStatus,
    FollowUp,
    Intermediary,
    PaymentVariant,
    Solution,
    Step,
    Tone,
)
from flows.coach import Coach
from flows.i18n import t
from flows.io import (
    CancelReminders,
    ChoiceInput,
    ChoiceOutcome,
    CommandInput,
    Draft,
    DraftKind,
    FlowResult,
    ReminderKind,
    Reply,
    ScheduleReminder,
    TextInput,
    UserContext,
)

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def _closed(*, agency: bool = False) -> Case:
    case = Case(id="ab" * 16, step=Step.DONE, status=CaseStatus.DONE, turn=30)
    answers = case.answers
    answers.client_name = "Acme Ltd"
    answers.delivery = "a landing page"
    answers.intermediary = Intermediary.AGENCY if agency else Intermediary.DIRECT
    answers.intermediary_contact = "Petya" if agency else None
    answers.price, answers.deposit = Decimal(1000), Decimal(200)
    answers.solution = Solution.PART_WAYS
    answers.payment_variant = PaymentVariant.KILL_FEE
    answers.kill_fee_percent, answers.kill_fee_agreed = Decimal(50), False
    answers.tone = Tone.FRIENDLY
    case.follow_up = FollowUp.WHEN
    return case


def _user(language: str, closed: Case, active: Case | None = None) -> UserContext:
    return UserContext(language=language, active_case=active, follow_up_case=closed, now=NOW)


def _press(result_or_reply: FlowResult, token: str) -> ChoiceInput:
    for item in result_or_reply.outgoing:
        if isinstance(item, Reply):
            for row in item.buttons:
                for button in row:
                    pressed = callback.decode(button.data)
                    if pressed is not None and pressed.choice == token:
                        return ChoiceInput(button.data)
    raise AssertionError(f"no {token} offered")


def _text(result: FlowResult) -> str:
    return "\n".join(item.text for item in result.outgoing)


@pytest.mark.parametrize("language", ["en", "bg"])
def test_the_reminder_asks_about_the_closed_case(language: str) -> None:
    closed = _closed()
    asked = Coach().on_reminder(_user(language, closed), ReminderKind.OUTCOME)
    assert _text(asked) == t(language, "outcome-ask-named", client="Acme Ltd")
    assert asked.follow_up is closed and asked.case is None
    assert (closed.follow_up, closed.turn, closed.answers.follow_ups) == (FollowUp.ASKED, 31, 1)
    tokens = {
        callback.decode(b.data).choice  # type: ignore[union-attr]
        for item in asked.outgoing
        if isinstance(item, Reply)
        for row in item.buttons
        for b in row
    }
    assert tokens == set(followup.OUTCOME_TOKENS)


@pytest.mark.parametrize("language", ["en", "bg"])
def test_no_answer_gives_a_nudge_to_the_agency_in_the_replys_tone(language: str) -> None:
    closed = _closed(agency=True)
    closed.answers.reply_language = "en"
    coach = Coach()
    asked = coach.on_reminder(_user(language, closed), ReminderKind.OUTCOME)
    silent = coach.handle(_user(language, closed), _press(asked, "o.no_answer"))
    nudge = next(o for o in silent.outgoing if isinstance(o, Draft))
    assert nudge.kind is DraftKind.NUDGE and nudge.language == "en"  # the reply's language
    assert nudge.text.startswith("Hi Petya,")  # friendly, to the agency contact
    assert "Acme Ltd" in nudge.text
    assert ScheduleReminder(ReminderKind.OUTCOME, followup.NEXT_DELAY, closed.id) in silent.effects
    assert silent.outcomes == ["no_answer"] and closed.outcome_at == NOW
    assert closed.follow_up is FollowUp.NOTE
    noted = coach.handle(_user(language, closed), TextInput("x" * 500))
    note = closed.answers.outcome_note
    assert note is not None and len(note) <= followup.NOTE_LIMIT and note.endswith("…")
    assert t(language, "outcome-thanks") in _text(noted)
    assert closed.follow_up is FollowUp.WAITING


@pytest.mark.parametrize("language", ["en", "bg"])
def test_the_follow_ups_stop_after_three(language: str) -> None:
    closed = _closed()
    coach = Coach()
    for round_ in range(1, followup.MAX_FOLLOW_UPS + 1):
        asked = coach.on_reminder(_user(language, closed), ReminderKind.OUTCOME)
        answered = coach.handle(_user(language, closed), _press(asked, "o.negotiating"))
        again = [e for e in answered.effects if isinstance(e, ScheduleReminder)]
        assert bool(again) == (round_ < followup.MAX_FOLLOW_UPS)
        coach.handle(_user(language, closed), _press(answered, followup.SKIP))
    assert closed.follow_up is None


@pytest.mark.parametrize("language", ["en", "bg"])
def test_negotiating_over_an_unagreed_share_offers_the_fallback(language: str) -> None:
    closed = _closed()
    coach = Coach()
    asked = coach.on_reminder(_user(language, closed), ReminderKind.OUTCOME)
    answered = coach.handle(_user(language, closed), _press(asked, "o.negotiating"))
    text = _text(answered)
    assert ("€300.00" if language == "en" else "300,00\u00a0€") in text  # 30 % of 1 000


@pytest.mark.parametrize("language", ["en", "bg"])
@pytest.mark.parametrize("outcome", [CaseOutcome.AGREED, CaseOutcome.PARTED])
def test_agreed_or_parted_asks_the_amount_and_offers_the_clause(
    language: str, outcome: CaseOutcome
) -> None:
    closed = _closed()
    coach = Coach()
    asked = coach.on_reminder(_user(language, closed), ReminderKind.OUTCOME)
    answered = coach.handle(_user(language, closed), _press(asked, f"o.{outcome.value}"))
    assert [d.kind for d in answered.outgoing if isinstance(d, Draft)] == [
        DraftKind.CONTRACT_CLAUSE
    ]
    assert closed.follow_up is FollowUp.AMOUNT
    bad = coach.handle(_user(language, closed), TextInput("-5"))
    assert closed.outcome_amount is None and t(language, "outcome-amount-prompt") in _text(bad)
    coach.handle(_user(language, closed), TextInput("450 лв"))
    assert (closed.outcome_amount, closed.outcome_currency) == (Decimal("450.00"), "BGN")
    assert closed.follow_up is FollowUp.NOTE
    assert not any(isinstance(e, ScheduleReminder) for e in answered.effects)


@pytest.mark.parametrize("language", ["en", "bg"])
def test_escalated_is_calm_hands_the_export_and_stops_asking(language: str) -> None:
    closed = _closed()
    coach = Coach()
    asked = coach.on_reminder(_user(language, closed), ReminderKind.OUTCOME)
    answered = coach.handle(_user(language, closed), _press(asked, "o.escalated"))
    text = _text(answered)
    assert "Upwork" in text and "Fiverr" in text
    assert t(language, "outcome-not-legal-advice") in text
    assert [d.kind for d in answered.outgoing if isinstance(d, Draft)] == [DraftKind.EXPORT]
    assert not any(isinstance(e, ScheduleReminder) for e in answered.effects)


@pytest.mark.parametrize("language", ["en", "bg"])
def test_when_buttons(language: str) -> None:
    coach = Coach()
    closed = _closed()
    turn_data = callback.encode(case_id=closed.id, turn=closed.turn, choice="fu.2d")
    soon = coach.handle(_user(language, closed), ChoiceInput(turn_data))
    assert soon.choice is ChoiceOutcome.ACCEPTED
    assert ScheduleReminder(ReminderKind.OUTCOME, timedelta(days=2), closed.id) in soon.effects
    assert closed.follow_up is FollowUp.WAITING

    never = _closed()
    data = callback.encode(case_id=never.id, turn=never.turn, choice="fu.no")
    cancelled = coach.handle(_user(language, never), ChoiceInput(data))
    assert CancelReminders(ReminderKind.OUTCOME, never.id) in cancelled.effects
    assert never.follow_up is None
    stale = coach.handle(_user(language, never), ChoiceInput(data))
    assert stale.choice is ChoiceOutcome.STALE


def test_with_an_active_case_only_buttons_answer_and_its_question_follows() -> None:
    coach = Coach()
    closed = _closed()
    active = Case(id="cd" * 16, step=Step.DELIVERY, turn=4)
    asked = coach.on_reminder(_user("en", closed, active), ReminderKind.OUTCOME)
    question = coach.current_question(active, language="en")
    assert asked.outgoing[-len(question) :] == question
    answered = coach.handle(_user("en", closed, active), _press(asked, "o.parted"))
    assert answered.case is active and active.step is Step.DELIVERY and active.turn == 4
    assert closed.follow_up is None  # no typed question while a case is active
    assert answered.outgoing[-len(question) :] == question
    # Typed text goes to the active case, not to the follow-up.
    typed = coach.handle(_user("en", closed, active), TextInput("A landing page"))
    assert typed.case is active and active.step is not Step.DELIVERY


def test_a_command_leaves_the_typed_question() -> None:
    coach = Coach()
    closed = _closed()
    closed.follow_up, closed.outcome = FollowUp.NOTE, CaseOutcome.AGREED
    started = coach.handle(_user("en", closed), CommandInput("start"))
    assert started.follow_up is closed and closed.follow_up is None
    assert started.case is not None and started.case.id != closed.id


@pytest.mark.parametrize("language", ["en", "bg"])
def test_typed_text_at_the_question_takes_a_label_or_asks_again(language: str) -> None:
    coach = Coach()
    closed = _closed()
    coach.on_reminder(_user(language, closed), ReminderKind.OUTCOME)
    again = coach.handle(_user(language, closed), TextInput("hello"))
    assert t(language, "outcome-ask-or-start") in _text(again)
    assert closed.outcome is None and closed.follow_up is FollowUp.ASKED
    # A label typed in either language answers it.
    other = "bg" if language == "en" else "en"
    coach.handle(_user(language, closed), TextInput(t(other, "outcome-btn-escalated").upper()))
    assert closed.outcome is CaseOutcome.ESCALATED
