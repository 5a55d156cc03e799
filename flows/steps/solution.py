"""Step 5: redo the work (with a new deadline) or part ways."""

from __future__ import annotations

from dataclasses import replace

from flows.case import Answers, Solution, Step
from flows.i18n import t
from flows.prompts import Choice
from flows.settlement import contradicts
from flows.steps.spec import ANSWER, Edge, StepSpec, text_fact
from flows.turn import Turn

REDO, PART_WAYS = "redo", "part_ways"


def _press_solution(turn: Turn, token: str) -> str:
    assert turn.case is not None
    answers = turn.case.answers
    if token == REDO:
        answers.solution = Solution.REDO
        turn.note("coach-solution-redo")
        return REDO
    answers.solution = Solution.PART_WAYS
    answers.deadline = None
    turn.note("coach-solution-part")
    return PART_WAYS


def editing_and_consistent(answers: Answers) -> bool:
    """Guard: a fact is being edited and the payment still fits the solution.

    A changed solution that contradicts the chosen payment goes to "who pays"
    first, so no reply ever says both "redo" and "part ways".
    """
    return answers.editing and not contradicts(answers.solution, answers.payment_variant)


def _solution_fact(answers: Answers, language: str) -> str | None:
    if answers.solution is Solution.REDO:
        return t(language, "coach-fact-redo")
    if answers.solution is Solution.PART_WAYS:
        return t(language, "coach-fact-part-ways")
    return None


SPECS: tuple[StepSpec, ...] = (
    StepSpec(
        step=Step.SOLUTION,
        edges=(
            Edge(REDO, Step.DEADLINE),
            Edge(PART_WAYS, Step.REPLY, guard=editing_and_consistent),
            Edge(PART_WAYS, Step.PAYMENT),
        ),
        choices=lambda _a: [
            [Choice(REDO, "coach-btn-redo")],
            [Choice("part", "coach-btn-part-ways")],
        ],
        on_press=_press_solution,
        field="solution",
        answered=lambda _a: False,
        field_label="coach-field-solution",
        fact=_solution_fact,
        editable=True,
    ),
    replace(
        text_fact(
            Step.DEADLINE,
            field="deadline",
            then=(
                Edge(ANSWER, Step.REPLY, guard=editing_and_consistent),
                Edge(ANSWER, Step.PAYMENT),
            ),
            field_label="coach-field-deadline",
        ),
        returns_when_editing=False,
    ),
)
