"""The one shared ``transitions`` machine that moves every case between steps.

The machine is built once at import with ``model=None``. To move a case, a
light :class:`StepModel` wrapping the case's answers is put in the case's step
and the trigger's event is run on it (the machine keeps no model). Guards read
the answers; callbacks only touch the model. No I/O.

The graph is checked when it is built: every :class:`~flows.case.Step` must
be reachable from ``START`` and have its prompt (``coach-<step>-prompt``) in
every locale, otherwise :class:`FlowGraphError` is raised at import.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from transitions import Machine

from flows.case import LANGUAGES, Answers, Case, Step
from flows.i18n import catalog

_LOGGER = logging.getLogger(__name__)


class FlowGraphError(RuntimeError):
    """The flow graph is broken: an unreachable step or a missing prompt."""


class Event(StrEnum):
    """Triggers of the shared machine (the edge labels of the diagram)."""

    BEGIN = "begin"
    CALM = "calm"
    UPSET = "upset"
    REMIND = "remind"
    READY = "ready"
    ANSWER = "answer"
    UNCLEAR = "unclear"
    REDO = "redo"
    PART_WAYS = "part_ways"
    KEEP_DEPOSIT = "keep_deposit"
    KILL_FEE = "kill_fee"
    CONTINUE = "continue_together"
    SHARE = "share"
    SHARE_OTHER = "share_other"
    DEDUCT = "deduct"
    ABSORB = "absorb"
    RETOUCH = "retouch"
    CHANGE_FACTS = "change_facts"
    BACK_TO_REPLY = "back_to_reply"
    FINISH = "finish"


#: Longest trail kept for ``/back`` (loops such as "still unclear" grow it).
MAX_TRAIL = 100

#: Facts the user can change from the reply step, in menu order.
EDITABLE_STEPS: tuple[Step, ...] = (
    Step.CLIENT_NAME,
    Step.DELIVERY,
    Step.CLIENT_SAID,
    Step.INTERMEDIARY,
    Step.CHANNEL,
    Step.CURRENCY,
    Step.PRICE,
    Step.DEPOSIT,
    Step.PROBLEM,
    Step.SOLUTION,
    Step.PAYMENT,
)

#: Steps that return straight to the reply while a fact is being edited.
_RETURNS_WHEN_EDITING: tuple[Step, ...] = (
    Step.CLIENT_NAME,
    Step.DELIVERY,
    Step.CLIENT_SAID,
    Step.INTERMEDIARY,
    Step.CHANNEL,
    Step.CURRENCY,
    Step.PRICE,
    Step.DEPOSIT,
    Step.PROBLEM_DETAILS,
    Step.DEADLINE,
)

#: The plain "answered, go on" order of the steps.
_ANSWER_NEXT: tuple[tuple[Step, Step], ...] = (
    (Step.CLIENT_NAME, Step.DELIVERY),
    (Step.DELIVERY, Step.CLIENT_SAID),
    (Step.CLIENT_SAID, Step.INTERMEDIARY),
    (Step.INTERMEDIARY, Step.CHANNEL),
    (Step.CHANNEL, Step.CURRENCY),
    (Step.CURRENCY, Step.PRICE),
    (Step.PRICE, Step.DEPOSIT),
    (Step.DEPOSIT, Step.TALK),
    (Step.TALK, Step.PROBLEM),
    (Step.PROBLEM, Step.PROBLEM_DETAILS),
    (Step.PROBLEM_DETAILS, Step.SOLUTION),
    (Step.DEADLINE, Step.PAYMENT),
    (Step.KILL_FEE_OTHER, Step.KILL_FEE_AGREED),
    (Step.KILL_FEE_AGREED, Step.REPLY),
    (Step.UNUSABLE, Step.REPLY),
)


def edit_event(step: Step) -> str:
    """Name of the trigger that opens ``step`` from the "Change facts" menu."""
    return f"edit_{step.value}"


def prompt_key(step: Step) -> str:
    """The locale key of a step's question, e.g. ``coach-client-name-prompt``."""
    return f"coach-{step.value.replace('_', '-')}-prompt"


class StepModel:
    """The light model of one case while the shared machine moves it.

    transitions sets ``state`` and binds trigger methods on the instance; the
    guards below only read the answers.
    """

    state: Step

    def __init__(self, answers: Answers) -> None:
        """Wrap the answers of the case being moved."""
        self.answers = answers

    def is_editing(self) -> bool:
        """Guard: a fact is being edited from the reply step."""
        return self.answers.editing

    def wants_more_questions(self) -> bool:
        """Guard: "still unclear" loops to more questions on odd rounds, to the talk on even."""
        return self.answers.unclear_rounds % 2 == 1

    def start_editing(self) -> None:
        """Callback: mark that the next answer returns to the reply."""
        self.answers.editing = True

    def stop_editing(self) -> None:
        """Callback (on entering the reply): editing is over."""
        self.answers.editing = False


def _transitions() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"trigger": Event.BEGIN, "source": Step.START, "dest": Step.CALM},
        {"trigger": Event.CALM, "source": Step.CALM, "dest": Step.CLIENT_NAME},
        {"trigger": Event.UPSET, "source": Step.CALM, "dest": Step.COOL_DOWN},
        {"trigger": Event.REMIND, "source": Step.COOL_DOWN, "dest": Step.COOL_DOWN},
        {"trigger": Event.READY, "source": Step.COOL_DOWN, "dest": Step.CLIENT_NAME},
    ]
    # While editing a fact, answering it returns to the reply (checked first).
    out.extend(
        {
            "trigger": Event.ANSWER,
            "source": step,
            "dest": Step.REPLY,
            "conditions": "is_editing",
        }
        for step in _RETURNS_WHEN_EDITING
    )
    out.extend({"trigger": Event.ANSWER, "source": s, "dest": d} for s, d in _ANSWER_NEXT)
    out += [
        {
            "trigger": Event.UNCLEAR,
            "source": Step.PROBLEM,
            "dest": Step.PROBLEM,
            "conditions": "wants_more_questions",
        },
        {"trigger": Event.UNCLEAR, "source": Step.PROBLEM, "dest": Step.TALK},
        {"trigger": Event.REDO, "source": Step.SOLUTION, "dest": Step.DEADLINE},
        {
            "trigger": Event.PART_WAYS,
            "source": Step.SOLUTION,
            "dest": Step.REPLY,
            "conditions": "is_editing",
        },
        {"trigger": Event.PART_WAYS, "source": Step.SOLUTION, "dest": Step.PAYMENT},
        {"trigger": Event.KEEP_DEPOSIT, "source": Step.PAYMENT, "dest": Step.REPLY},
        {"trigger": Event.KILL_FEE, "source": Step.PAYMENT, "dest": Step.KILL_FEE_SHARE},
        {"trigger": Event.CONTINUE, "source": Step.PAYMENT, "dest": Step.CONTINUE_MODE},
        {"trigger": Event.SHARE, "source": Step.KILL_FEE_SHARE, "dest": Step.KILL_FEE_AGREED},
        {"trigger": Event.SHARE_OTHER, "source": Step.KILL_FEE_SHARE, "dest": Step.KILL_FEE_OTHER},
        {"trigger": Event.DEDUCT, "source": Step.CONTINUE_MODE, "dest": Step.UNUSABLE},
        {"trigger": Event.ABSORB, "source": Step.CONTINUE_MODE, "dest": Step.REPLY},
        {"trigger": Event.RETOUCH, "source": Step.REPLY, "dest": Step.REPLY},
        {"trigger": Event.CHANGE_FACTS, "source": Step.REPLY, "dest": Step.EDIT_FACTS},
        {"trigger": Event.BACK_TO_REPLY, "source": Step.EDIT_FACTS, "dest": Step.REPLY},
        {"trigger": Event.FINISH, "source": Step.REPLY, "dest": Step.DONE},
    ]
    out.extend(
        {
            "trigger": edit_event(step),
            "source": Step.EDIT_FACTS,
            "dest": step,
            "after": "start_editing",
        }
        for step in EDITABLE_STEPS
    )
    return out


def _build() -> Machine:
    machine = Machine(
        model=None,
        states=Step,
        initial=Step.START,
        transitions=_transitions(),
        auto_transitions=False,
        ignore_invalid_triggers=False,
    )
    machine.get_state(Step.REPLY).add_callback("enter", "stop_editing")
    return machine


def edges(machine: Machine) -> list[tuple[Step, Step, str, str | None]]:
    """Every ``(source, dest, trigger, guard)`` of ``machine``, in definition order.

    ``guard`` names the condition of a guarded transition (``None`` if unguarded).
    """
    out: list[tuple[Step, Step, str, str | None]] = []
    for name, event in machine.events.items():
        for source, transitions in event.transitions.items():
            for transition in transitions:
                dest = transition.dest if transition.dest is not None else source
                guards = [str(c.func) for c in transition.conditions]
                out.append((Step[source], Step[dest], name, " and ".join(guards) or None))
    return out


def check_graph(machine: Machine, *, languages: Iterable[str] = LANGUAGES) -> None:
    """Raise :class:`FlowGraphError` unless every step is reachable and prompted."""
    graph: dict[Step, set[Step]] = {}
    for source, dest, _trigger, _guard in edges(machine):
        graph.setdefault(source, set()).add(dest)
    seen = {Step.START}
    queue = deque([Step.START])
    while queue:
        for dest in graph.get(queue.popleft(), ()):
            if dest not in seen:
                seen.add(dest)
                queue.append(dest)
    unreachable = [step.value for step in Step if step not in seen]
    if unreachable:
        raise FlowGraphError(f"steps unreachable from start: {', '.join(unreachable)}")
    for language in languages:
        missing = [prompt_key(s) for s in Step if not catalog(language).has(prompt_key(s))]
        if missing:
            raise FlowGraphError(f"{language}: missing prompts: {', '.join(missing)}")


#: The shared machine (built and checked once, at import).
MACHINE = _build()
check_graph(MACHINE)


def triggers_from(step: Step) -> set[str]:
    """The triggers that can fire from ``step``."""
    return set(MACHINE.get_triggers(step.name))


def fire(case: Case, trigger: str) -> bool:
    """Fire ``trigger`` for ``case`` on the shared machine.

    On a transition the case's step is updated, ``turn`` grows by one (also
    for a step that repeats itself) and the previous step is pushed on the
    trail when the step changed. Returns whether a transition happened.
    Raises ``ValueError`` when ``trigger`` cannot fire from the case's step.
    """
    if trigger not in triggers_from(case.step):
        raise ValueError(f"{trigger!r} cannot fire from {case.step.value!r}")
    model = StepModel(case.answers)
    # What ``add_model`` + ``model.trigger(trigger)`` + ``remove_model`` do, without
    # binding ~100 convenience methods to a model used for one trigger (most of the
    # cost of a step): the event resolves guards and callbacks on the model by name.
    MACHINE.set_state(case.step, model=model)
    moved = bool(MACHINE.events[trigger].trigger(model))
    if not moved:
        return False
    previous = case.step
    case.step = model.state
    case.turn += 1
    if case.step != previous:
        case.trail.append(previous)
        del case.trail[:-MAX_TRAIL]
    _LOGGER.debug("case moved %s -> %s by %s", previous.value, case.step.value, trigger)
    return True


def jump_back(case: Case) -> bool:
    """``/back``: return to the previous step of the trail, answers kept."""
    if not case.trail or case.trail[-1] is Step.START:
        return False
    previous = case.trail.pop()
    case.answers.editing = _inside_edit(case.trail)
    case.step = previous
    case.turn += 1
    return True


def _inside_edit(trail: list[Step]) -> bool:
    # Editing when the last of REPLY / EDIT_FACTS before this point is the menu.
    for step in reversed(trail):
        if step is Step.EDIT_FACTS:
            return True
        if step is Step.REPLY:
            return False
    return False
