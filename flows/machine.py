"""The one shared ``transitions`` machine, built from the step registry.

The machine is built once at import with ``model=None`` from
:data:`flows.steps.SPECS`: each spec's edges (button tokens are trigger names
where natural) with their guards. Entering a state records the move on the
case and then presents the new step through the spec's ``on_enter`` — pure
callbacks writing into the turn collector (:class:`~flows.turn.Turn`).

To move a case, a light :class:`StepModel` wrapping the case (and the turn, if
the move should be shown) is put in the case's step and the trigger's
:class:`transitions.Event` is run on it. The machine never registers the model:
``add_model`` binds ~100 convenience methods to an object used for one trigger,
most of the cost of a step. ``Event.trigger(model)`` resolves guards and
callbacks on the model by name; ``tests/flows/test_machine.py`` pins that
behaviour, since transitions is pinned ``<0.10``.

The graph is checked when it is built: every :class:`~flows.case.Step` must
have a spec, be reachable from ``START`` and have every key family of its spec
in every locale, otherwise :class:`FlowGraphError` is raised at import.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable

from transitions import EventData, Machine

from flows.case import LANGUAGES, Answers, Case, Step
from flows.i18n import catalog
from flows.steps import SPECS, STEPS, ask, edges, present
from flows.steps.spec import StepSpec
from flows.turn import Turn

_LOGGER = logging.getLogger(__name__)


class FlowGraphError(RuntimeError):
    """The flow graph is broken: a step without a spec, unreachable, or missing a key."""


#: Longest trail kept for ``/back`` (loops such as "still unclear" grow it).
MAX_TRAIL = 100


def prompt_key(step: Step) -> str:
    """The locale key of a step's question, e.g. ``coach-client-name-prompt``."""
    return STEPS[step].prompt_key


class StepModel:
    """The light model of one case while the shared machine moves it.

    transitions sets ``state``; the guards ask the answers; entering a state
    records the move on the case and, when a turn is given, presents the step.
    """

    state: Step

    def __init__(self, case: Case, turn: Turn | None) -> None:
        """Wrap the case being moved (and the turn that shows the move, if any)."""
        self.case = case
        self.turn = turn

    @property
    def answers(self) -> Answers:
        """The answers of the case being moved."""
        return self.case.answers

    def start_editing(self, _event: EventData) -> None:
        """Callback: mark that the next answer returns to the reply."""
        self.answers.editing = True

    def stop_editing(self, _event: EventData) -> None:
        """Callback (on entering the reply): editing is over."""
        self.answers.editing = False

    def record_move(self, event: EventData) -> None:
        """Callback (on entering any step): the case's step, turn and trail follow."""
        assert event.transition is not None
        previous, case = Step[event.transition.source], self.case
        case.step = self.state
        case.turn += 1  # also for a step that repeats itself
        if case.step != previous:
            case.trail.append(previous)
            del case.trail[:-MAX_TRAIL]
        _LOGGER.debug("case moved %s -> %s by %s", previous.value, case.step.value, event.event)

    def present(self, event: EventData) -> None:
        """Callback (on entering any step): the step's ``on_enter``, then its question."""
        assert event.transition is not None
        if self.turn is not None:
            present(self.turn, Step[event.transition.source])


def _condition(guard: Callable[[Answers], bool]) -> Callable[[EventData], bool]:
    """A transitions condition that asks ``guard`` about the moved case's answers."""

    def condition(event: EventData) -> bool:
        assert isinstance(event.model, StepModel)
        return guard(event.model.answers)

    condition.__name__ = guard.__name__
    return condition


def _build() -> Machine:
    transitions = []
    for source, edge in edges():
        item: dict[str, object] = {"trigger": edge.trigger, "source": source, "dest": edge.dest}
        if edge.guard is not None:
            item["conditions"] = _condition(edge.guard)
        if edge.after is not None:
            item["after"] = edge.after
        transitions.append(item)
    machine = Machine(
        model=None,
        states=Step,
        initial=Step.START,
        transitions=transitions,
        auto_transitions=False,
        ignore_invalid_triggers=False,
        send_event=True,
    )
    for step in Step:
        state = machine.get_state(step.name)
        state.add_callback("enter", "record_move")
        if step is Step.REPLY:
            state.add_callback("enter", "stop_editing")
        state.add_callback("enter", "present")
    return machine


def check_graph(
    specs: tuple[StepSpec, ...] = SPECS, *, languages: Iterable[str] = LANGUAGES
) -> None:
    """Raise :class:`FlowGraphError` unless every step has a spec, is reachable and has its keys."""
    missing_specs = [s.value for s in Step if s not in {spec.step for spec in specs}]
    if missing_specs:
        raise FlowGraphError(f"steps without a spec: {', '.join(missing_specs)}")
    graph: dict[Step, set[Step]] = {}
    for source, edge in edges(specs):
        graph.setdefault(source, set()).add(edge.dest)
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
        lang = catalog(language)
        missing = [key for spec in specs for key in spec.key_families() if not lang.has(key)]
        if missing:
            raise FlowGraphError(f"{language}: missing keys: {', '.join(missing)}")


#: The shared machine (built and checked once, at import).
MACHINE = _build()
check_graph()


#: The triggers of each step, read once: asking the machine scans all its events.
_TRIGGERS: dict[Step, frozenset[str]] = {
    step: frozenset(MACHINE.get_triggers(step.name)) for step in Step
}


def triggers_from(step: Step) -> set[str]:
    """The triggers that can fire from ``step``."""
    return set(_TRIGGERS[step])


def fire(case: Case, trigger: str, turn: Turn | None = None) -> bool:
    """Fire ``trigger`` for ``case`` on the shared machine; present the new step on ``turn``.

    On a transition the case's step is updated, ``turn`` grows by one (also
    for a step that repeats itself) and the previous step is pushed on the
    trail when the step changed. Returns whether a transition happened.
    Raises ``ValueError`` when ``trigger`` cannot fire from the case's step.
    """
    if trigger not in _TRIGGERS[case.step]:
        raise ValueError(f"{trigger!r} cannot fire from {case.step.value!r}")
    model = StepModel(case, turn)
    MACHINE.set_state(case.step, model=model)
    return bool(MACHINE.events[trigger].trigger(model))


def advance(turn: Turn, trigger: str | None) -> None:
    """Fire ``trigger`` and present where the case went, or (``None``) ask again."""
    assert turn.case is not None
    if trigger is None:
        ask(turn)
        return
    fire(turn.case, trigger, turn)


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
