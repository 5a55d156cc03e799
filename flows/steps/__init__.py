"""The step registry: one :class:`~flows.steps.spec.StepSpec` per step, in conversation order.

Adding a step is one spec in the module of its stage plus its locale keys; the
machine (:mod:`flows.machine`), the "Change facts" menu, the summary and the
graph check all read this registry.
"""

from __future__ import annotations

from flows.case import Case, Step
from flows.prompts import Choice
from flows.steps import facts, money_facts, mood, payment, reply, solution, talk
from flows.steps.spec import (
    ANSWER,
    START_EDITING,
    Edge,
    StepSpec,
    edit_event,
    is_editing,
    standard_question,
)
from flows.turn import Turn

#: Every step's spec, in the order of the conversation (the summary's order too).
SPECS: tuple[StepSpec, ...] = (
    *mood.SPECS,
    *facts.SPECS,
    *money_facts.SPECS,
    *talk.SPECS,
    *solution.SPECS,
    *payment.SPECS,
    *reply.SPECS,
)

#: The spec of each step.
STEPS: dict[Step, StepSpec] = {spec.step: spec for spec in SPECS}

#: Facts the user can change from the reply step, in menu order.
EDITABLE: tuple[StepSpec, ...] = tuple(spec for spec in SPECS if spec.editable)
EDITABLE_STEPS: tuple[Step, ...] = tuple(spec.step for spec in EDITABLE)


def edges(specs: tuple[StepSpec, ...] = SPECS) -> list[tuple[Step, Edge]]:
    """Every ``(source, edge)`` of the flow, in the order the guards are tried.

    Besides each spec's own edges: answering a step that returns while editing
    goes back to the reply (tried first), and "Change facts" opens each
    editable step.
    """
    out: list[tuple[Step, Edge]] = []
    for spec in specs:
        if spec.returns_when_editing:
            out.append((spec.step, Edge(ANSWER, Step.REPLY, guard=is_editing)))
        out.extend((spec.step, edge) for edge in spec.edges)
        if spec.step is Step.EDIT_FACTS:
            out.extend(
                (spec.step, Edge(edit_event(s.step), s.step, after=START_EDITING))
                for s in specs
                if s.editable
            )
    return out


def choices_for(case: Case) -> list[list[Choice]]:
    """The rows of buttons of the case's current step (empty for typed answers)."""
    return STEPS[case.step].choices(case.answers)


def ask(turn: Turn) -> None:
    """Ask the current step's question with its buttons."""
    assert turn.case is not None
    spec = STEPS[turn.case.step]
    text = spec.question(turn, spec) if spec.question else standard_question(turn, spec)
    turn.say(text, spec.choices(turn.case.answers))


def present(turn: Turn, source: Step | None = None) -> None:
    """Show the current step in full: its presentation (advice, drafts), then its question.

    ``source`` is the step the case came from (``None``: shown again, e.g. after /back).
    """
    assert turn.case is not None
    spec = STEPS[turn.case.step]
    if spec.on_enter is not None:
        spec.on_enter(turn, source)
    if spec.asks:
        ask(turn)
