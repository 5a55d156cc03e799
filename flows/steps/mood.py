"""Steps 0–1: the greeting, the mood check and the cool-down."""

from __future__ import annotations

from datetime import timedelta

from flows.case import Answers, Mood, Step
from flows.io import ReminderKind, ScheduleReminder
from flows.prompts import Choice
from flows.steps.spec import Edge, StepSpec
from flows.turn import Turn

BEGIN, CALM, UPSET, REMIND, READY = "begin", "calm", "upset", "remind", "ready"

_COOL_DOWN_DELAYS = {"r15": timedelta(minutes=15), "r60": timedelta(hours=1)}


def _begin(_turn: Turn, _value: str) -> str:
    return BEGIN


def _press_calm(turn: Turn, token: str) -> str:
    assert turn.case is not None
    if token == CALM:
        turn.case.answers.mood = Mood.CALM
        turn.note("coach-calm-go")
        return CALM
    turn.case.answers.mood = Mood.UPSET
    return UPSET


def _press_cool_down(turn: Turn, token: str) -> str:
    if token in _COOL_DOWN_DELAYS:
        turn.result.effects.append(
            ScheduleReminder(kind=ReminderKind.COOL_DOWN, delay=_COOL_DOWN_DELAYS[token])
        )
        turn.note(f"coach-cool-down-{token}")
        return REMIND
    turn.note("coach-calm-go")
    return READY


def _vent(turn: Turn, text: str) -> str | None:
    # Kept private: the vented text is never used in a draft or an export.
    assert turn.case is not None
    turn.case.answers.vented.append(text)
    turn.note("coach-cool-down-vented")
    return None


def _enter_cool_down(turn: Turn, source: Step | None) -> None:
    if source is not Step.COOL_DOWN:  # not again after "remind me"
        turn.note("coach-cool-down-tip")


def _cool_down_choices(_answers: Answers) -> list[list[Choice]]:
    return [
        [Choice("r15", "coach-btn-remind-15"), Choice("r60", "coach-btn-remind-60")],
        [Choice(READY, "coach-btn-ready")],
    ]


SPECS: tuple[StepSpec, ...] = (
    StepSpec(
        step=Step.START,
        edges=(Edge(BEGIN, Step.CALM),),
        choices=lambda _a: [[Choice("go", "coach-btn-begin")]],
        on_press=_begin,
        on_text=_begin,
    ),
    StepSpec(
        step=Step.CALM,
        edges=(Edge(CALM, Step.CLIENT_NAME), Edge(UPSET, Step.COOL_DOWN)),
        choices=lambda _a: [[Choice(CALM, "coach-btn-calm")], [Choice(UPSET, "coach-btn-upset")]],
        on_press=_press_calm,
    ),
    StepSpec(
        step=Step.COOL_DOWN,
        edges=(Edge(REMIND, Step.COOL_DOWN), Edge(READY, Step.CLIENT_NAME)),
        choices=_cool_down_choices,
        on_press=_press_cool_down,
        on_text=_vent,
        on_enter=_enter_cool_down,
    ),
)
