"""Steps 3–4: talk to the client directly, then find the real problem."""

from __future__ import annotations

from dataclasses import replace

from flows.case import Answers, Channel, Intermediary, Problem, Step
from flows.drafts import compose_call_request
from flows.i18n import t
from flows.io import CancelReminders, ReminderKind, ScheduleReminder
from flows.prompts import FOLLOW_UP_DELAY, Choice, problem_questions
from flows.reply_facts import (
    CALL_FACTS,
    NAME_FACTS,
    SIGNATURE,
    facts_for,
    keep_fact,
    missing_fact,
)
from flows.steps.spec import (
    ANSWER,
    SKIP,
    Edge,
    StepSpec,
    standard_question,
    text_fact,
)
from flows.text import dash
from flows.turn import Turn

UNCLEAR = "unclear"
#: A fact of the call request was retyped (or left out): the step is shown again.
RETYPED = "retyped"
#: "We talked now": the call the coach waited for happened.
TALKED = "talked"


def wants_more_questions(answers: Answers) -> bool:
    """ "Still unclear" gives more questions on odd rounds and goes back to the talk on even."""
    return answers.problem is Problem.UNCLEAR and answers.unclear_rounds % 2 == 1


# ---------------------------------------------------------------------- talk


def _talk_advice_key(answers: Answers) -> str:
    if answers.intermediary is Intermediary.AGENCY:
        return "coach-talk-agency"
    if answers.intermediary is Intermediary.FREELANCER:
        return "coach-talk-freelancer"
    if answers.channel is Channel.WRITING:
        return "coach-talk-writing"
    return "coach-talk-direct"


def _talk_needs_draft(answers: Answers) -> bool:
    return answers.intermediary in (Intermediary.AGENCY, Intermediary.FREELANCER) or (
        answers.channel is Channel.WRITING
    )


def _call_missing(turn: Turn) -> str | None:
    """The call request's fact typed in the other script, to ask again first (D2)."""
    assert turn.case is not None
    answers = turn.case.answers
    if not _talk_needs_draft(answers) or answers.awaiting_call or answers.reply_language is None:
        return None
    return missing_fact(answers, answers.reply_language, CALL_FACTS)


def _enter_talk(turn: Turn, source: Step | None) -> None:
    assert turn.case is not None
    answers = turn.case.answers
    if _talk_needs_draft(answers) and answers.reply_language is None:
        # The call request fixes the letters' language: the reply keeps it (as the reply
        # step does), and a fact typed in the other script is asked again in it.
        answers.reply_language = turn.language
    if source is not Step.TALK:  # not again after a fact was retyped
        if source is Step.PROBLEM:  # "still unclear" on an even round
            turn.note("coach-problem-unclear-talk")
        turn.note(_talk_advice_key(answers))
    if _talk_needs_draft(answers) and _call_missing(turn) is None:
        # else the question asks for the fact in the message's language first
        language = turn.reply_language
        view = facts_for(answers, language)
        turn.draft(
            compose_call_request(
                view, language=language, tone=answers.tone, signature=view.signature or None
            )
        )


def _type_talk(turn: Turn, text: str) -> str | None:
    assert turn.case is not None
    field = _call_missing(turn)
    if field is None:
        turn.note("coach-choose-button")
        return None
    keep_fact(turn.case.answers, turn.reply_language, field, text)
    return RETYPED


def _press_talk(turn: Turn, token: str) -> str | None:
    assert turn.case is not None
    answers = turn.case.answers
    field = _call_missing(turn)
    if field is not None:  # the only button is "leave it out"
        keep_fact(answers, turn.reply_language, field, None)
        return RETYPED
    if token == "follow":
        # Pause: the questions about the call come when the user is back from it.
        turn.result.effects.append(
            ScheduleReminder(kind=ReminderKind.FOLLOW_UP, delay=FOLLOW_UP_DELAY)
        )
        answers.awaiting_call = True
        turn.note("coach-talk-follow-up-set")
        turn.notes.append(turn.reminder_where())
        return None
    if answers.awaiting_call:
        answers.awaiting_call = False
        turn.result.effects.append(CancelReminders(kind=ReminderKind.FOLLOW_UP))
        if token == TALKED:
            answers.call_held = True  # the reply thanks them for the conversation
            turn.note("coach-talk-talked")
    elif token == "arranged":
        answers.call_held = True
        turn.note("coach-talk-arranged")
    return ANSWER


def _talk_choices(answers: Answers) -> list[list[Choice]]:
    language = answers.reply_language  # set when the call request was first shown
    if (
        _talk_needs_draft(answers)
        and not answers.awaiting_call
        and language is not None
        and missing_fact(answers, language, CALL_FACTS) is not None
    ):
        return [[Choice(SKIP, "coach-btn-leave-out")]]
    if answers.awaiting_call:
        return [[Choice(TALKED, "coach-btn-talked-now")], [Choice(SKIP, "coach-btn-skip")]]
    return [
        [Choice("arranged", "coach-btn-call-arranged")],
        [Choice("follow", "coach-btn-follow-up")],
        [Choice(SKIP, "coach-btn-skip")],
    ]


def _talk_question(turn: Turn, spec: StepSpec) -> str:
    assert turn.case is not None
    if turn.case.answers.awaiting_call:
        return turn.t("coach-talk-waiting-prompt")
    field = _call_missing(turn)
    if field is not None:
        value = str(getattr(turn.case.answers, field))
        if field == SIGNATURE:
            return turn.t("coach-signature-latin-prompt", value=value)
        if field in NAME_FACTS:
            return turn.t("coach-call-name-prompt", value=value)
        fact = turn.t(f"coach-step-{dash(field)}")
        return turn.t(
            "coach-call-fact-prompt", language=turn.reply_language, fact=fact, value=value
        )
    return standard_question(turn, spec)


# ---------------------------------------------------------------------- problem


def _enter_problem(turn: Turn, source: Step | None) -> None:
    if source is Step.EDIT_FACTS:  # changing the answer: just the question
        return
    assert turn.case is not None
    answers = turn.case.answers
    more = wants_more_questions(answers)
    intro = "coach-problem-more-intro" if more else "coach-problem-intro"
    questions = problem_questions(answers, language=turn.language, more=more)
    turn.notes.append("\n".join([turn.t(intro), *(f"• {q}" for q in questions)]))


def _details_question(turn: Turn, spec: StepSpec) -> str:
    """The details are asked as said to the reader: the client, or the intermediary."""
    assert turn.case is not None
    kind = turn.case.answers.intermediary
    if kind in (Intermediary.AGENCY, Intermediary.FREELANCER):
        # The reply goes to the agency or the colleague: the end client in the third person.
        hint = turn.t("coach-problem-details-hint-via", kind=kind.value)
    else:
        hint = turn.t("coach-problem-details-hint-direct")
    return standard_question(turn, spec, after_prompt=[hint])


def _press_problem(turn: Turn, token: str) -> str:
    assert turn.case is not None
    answers = turn.case.answers
    answers.problem = Problem(token)
    if answers.problem is Problem.UNCLEAR:
        answers.unclear_rounds += 1
        return UNCLEAR
    return ANSWER


def _problem_fact(answers: Answers, language: str) -> str | None:
    if answers.problem is None:
        return None
    return t(language, f"coach-btn-problem-{answers.problem.value}")


SPECS: tuple[StepSpec, ...] = (
    StepSpec(
        step=Step.TALK,
        edges=(Edge(ANSWER, Step.PROBLEM), Edge(RETYPED, Step.TALK)),
        choices=_talk_choices,
        on_press=_press_talk,
        on_text=_type_talk,
        on_enter=_enter_talk,
        question=_talk_question,
    ),
    StepSpec(
        step=Step.PROBLEM,
        edges=(
            Edge(UNCLEAR, Step.PROBLEM, guard=wants_more_questions),
            Edge(UNCLEAR, Step.TALK),
            Edge(ANSWER, Step.PROBLEM_DETAILS),
        ),
        choices=lambda _a: [[Choice(p.value, f"coach-btn-problem-{p.value}")] for p in Problem],
        on_press=_press_problem,
        on_enter=_enter_problem,
        field="problem",
        answered=lambda _a: False,
        field_label="coach-field-problem",
        fact=_problem_fact,
        editable=True,
    ),
    replace(
        text_fact(
            Step.PROBLEM_DETAILS,
            field="problem_details",
            then=(Edge(ANSWER, Step.SOLUTION),),
            field_label="coach-field-problem-details",
        ),
        question=_details_question,
    ),
)
