"""Full scripted conversations, recorded once through the pure Coach.

A script is the list of :class:`Action` a user takes from ``/start`` to the
suggested reply: typing a fact, or pressing a button (by its label). The
flow-alone benchmark *is* this recording, timed; the engine and the platform
benchmarks replay the same actions (pressing the button with that label in
the bot's latest message), so every run walks the same paths: the three
payment variants and their sub-choices, intermediary and direct, both
languages.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import asdict, dataclass
from typing import Any

from flows.case import CaseStatus, Step
from flows.io import (
    Button,
    ChoiceInput,
    CommandInput,
    FlowResult,
    Outgoing,
    Reply,
    TextInput,
    UserContext,
    UserInput,
)

_LOGGER = logging.getLogger(__name__)

#: A conversation longer than this is cut (a bound, not an expectation).
MAX_ACTIONS = 45

#: Text typed at the steps that ask for free text or an amount.
_TEXT_ANSWERS: dict[Step, str] = {
    Step.CLIENT_NAME: "Acme Ltd",
    Step.DELIVERY: "A landing page and three banners",
    Step.CLIENT_SAID: "Not what we imagined, sorry.",
    Step.PRICE: "1 200",
    Step.DEPOSIT: "400",
    Step.PROBLEM_DETAILS: "They expected a darker palette.",
    Step.KILL_FEE_OTHER: "35",
    Step.UNUSABLE: "25%",
}


def _choices(step: Step, variant: int) -> tuple[str, ...]:
    """The choice tokens to look for in a button's data at ``step`` (first found wins)."""
    per_step: dict[Step, tuple[str, ...]] = {
        Step.START: ("new",),
        Step.CALM: ("calm",),
        Step.COOL_DOWN: ("ready", "now"),
        Step.INTERMEDIARY: (("direct", "agency", "freelancer")[variant % 3],),
        Step.CHANNEL: (("writing", "calls")[variant % 2],),
        Step.CURRENCY: ("EUR",),
        Step.TALK: ("arranged",),
        Step.PROBLEM: ("brief",),
        Step.SOLUTION: (("redo", "part_ways")[variant % 2],),
        Step.PAYMENT: (("keep_deposit", "kill_fee", "continue")[variant % 3],),
        Step.KILL_FEE_SHARE: (("40", "30", "50", "other")[variant % 4],),
        Step.KILL_FEE_AGREED: ("yes",),
        Step.CONTINUE_MODE: (("deduct", "absorb")[variant % 2],),
        Step.REPLY: ("done", "skip"),  # the sign-off question comes first: Skip
    }
    return per_step.get(step, ())


@dataclass(frozen=True, slots=True)
class Action:
    """One thing the user does: ``command`` (name), ``text`` or ``press`` (a label).

    ``messages`` is how many messages the coach answered with in the
    recording (Reply and Draft items), so a driver knows when a step is over.
    """

    kind: str
    text: str
    step: str
    messages: int

    def to_json(self) -> dict[str, Any]:
        """A JSON-compatible dict."""
        return asdict(self)


@dataclass(slots=True)
class Recording:
    """A recorded conversation: its actions, language, and per-step flow latencies."""

    language: str
    actions: list[Action]
    latencies: list[float]
    final_step: str
    cpu: list[float]


def last_buttons(outgoing: list[Outgoing]) -> tuple[Button, ...]:
    """The buttons of the latest reply that has any."""
    for item in reversed(outgoing):
        if isinstance(item, Reply) and item.buttons:
            return tuple(button for row in item.buttons for button in row)
    return ()


def _tokens(data: str) -> set[str]:
    return {token.lower() for token in re.split(r"[^A-Za-z0-9_]+", data) if token}


def pick_button(buttons: tuple[Button, ...], step: Step, variant: int) -> Button | None:
    """The button the scripted user presses at ``step``; the first one by default."""
    if not buttons:
        return None
    for choice in _choices(step, variant):
        for button in buttons:
            if choice.lower() in _tokens(button.data):
                return button
    return buttons[0]


def input_for(action: Action, outgoing: list[Outgoing]) -> UserInput:
    """The input replaying ``action`` against the bot's latest ``outgoing``."""
    if action.kind == "command":
        return CommandInput(name=action.text)
    if action.kind == "press":
        for button in last_buttons(outgoing):
            if button.label == action.text:
                return ChoiceInput(data=button.data)
    return TextInput(text=action.text)


def record(*, coach: Any, language: str, variant: int) -> Recording:
    """Walk one full conversation through the pure ``coach``, timing each step."""
    case = None
    outgoing: list[Outgoing] = []
    actions: list[Action] = []
    latencies: list[float] = []
    cpu: list[float] = []
    step = Step.START
    repeats = 0
    for index in range(MAX_ACTIONS):
        buttons = last_buttons(outgoing)
        user_input: UserInput
        if index == 0:
            kind, text = "command", "start"
            user_input = CommandInput(name="start")
        elif step in _TEXT_ANSWERS and repeats < 2:
            kind, text = "text", _TEXT_ANSWERS[step]
            user_input = TextInput(text=text)
        else:
            button = pick_button(buttons, step, variant + repeats)
            if button is None:
                kind, text = "text", "ok"
                user_input = TextInput(text=text)
            else:
                kind, text = "press", button.label
                user_input = ChoiceInput(data=button.data)
        started, started_cpu = time.perf_counter(), time.process_time()
        result: FlowResult = coach.handle(
            UserContext(language=language, active_case=case), user_input
        )
        latencies.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        actions.append(Action(kind=kind, text=text, step=step.value, messages=len(result.outgoing)))
        outgoing = list(result.outgoing)
        case = result.case
        if case is None or case.status != CaseStatus.ACTIVE or case.step == Step.DONE:
            final = case.step.value if case else "closed"
            return Recording(language, actions, latencies, final, cpu)
        repeats = repeats + 1 if case.step == step else 0
        step = case.step
    _LOGGER.warning("conversation cut after %d actions at step %s", MAX_ACTIONS, step)
    return Recording(language, actions, latencies, step.value, cpu)


def record_many(*, coach: Any, count: int) -> list[Recording]:
    """``count`` conversations, alternating languages and every path variant."""
    return [
        record(coach=coach, language=("en", "bg")[index % 2], variant=index // 2)
        for index in range(count)
    ]
