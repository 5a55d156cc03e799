"""Steps 0–1: the greeting, the mood check and the cool-down."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

from flows.case import Answers, Mood, Step
from flows.io import CancelReminders, ReminderKind, ScheduleReminder
from flows.prompts import Choice
from flows.steps.spec import Edge, StepSpec
from flows.turn import Turn

BEGIN, CALM, UPSET, REMIND, READY = "begin", "calm", "upset", "remind", "ready"

_COOL_DOWN_DELAYS = {"r15": timedelta(minutes=15), "r60": timedelta(hours=1)}

#: Feelings the coach recognises in a typed mood, as word stems and emoji (casefolded).
_FEELINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "angry",
        (
            "angry",
            "anger",
            "furious",
            "fuming",
            "mad",
            "pissed",
            "rage",
            "livid",
            "ядос",
            "бесен",
            "бясн",
            "бесн",
            "гняв",
            "яд",
            "вбес",
            "побесн",
            "😡",
            "🤬",
            "😠",
            "💢",
        ),
    ),
    ("hurt", ("hurt", "sad", "offended", "обид", "нарани", "тъжн", "тъга", "😢", "😭", "💔")),
    ("tired", ("tired", "exhausted", "drained", "worn", "уморен", "изморен", "изтощ", "😩", "😫")),
    (
        "frustrated",
        ("frustrat", "annoyed", "irritated", "fed up", "дразн", "изнерв", "писна", "омръз", "😤"),
    ),
)
#: How many ways the coach has of acknowledging what the user vented.
VENT_VARIANTS = 4


def feeling_of(text: str) -> str | None:
    """The feeling a typed mood names ("angry", "hurt", "tired", "frustrated"), if any."""
    folded = text.casefold()
    words = [word.strip(".,!?;:…\"'()") for word in folded.split()]
    for feeling, stems in _FEELINGS:
        for stem in stems:
            if not stem.isalpha() or " " in stem:
                if stem in folded:
                    return feeling
            elif any(word == stem if len(stem) <= 3 else word.startswith(stem) for word in words):
                return feeling
    return None


def _typed_mood(turn: Turn, text: str) -> str | None:
    """Free text at the mood check ("honestly I'm furious", "😡") means still upset.

    Only digits and punctuation ("7", "?") say nothing about a mood: asked again.
    """
    assert turn.case is not None
    if all(unicodedata.category(ch)[0] in "NPZ" for ch in text):
        turn.note("coach-choose-button")
        return None
    answers = turn.case.answers
    answers.mood = Mood.UPSET
    answers.vented.append(text)  # private, like everything vented
    feeling = feeling_of(text)
    turn.note(f"coach-mood-mirror-{feeling}" if feeling else "coach-mood-mirror-generic")
    return UPSET


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
        turn.notes.append(turn.reminder_where())
        return REMIND
    turn.result.effects.append(CancelReminders(kind=ReminderKind.COOL_DOWN))
    turn.note("coach-calm-go")
    return READY


def _vent(turn: Turn, text: str) -> str | None:
    # Kept private: the vented text is never used in a draft or an export.
    assert turn.case is not None
    vented = turn.case.answers.vented
    vented.append(text)
    # Varied, chosen by how much was vented so far: deterministic, never the same twice in a row.
    turn.note(f"coach-cool-down-vented-{(len(vented) - 1) % VENT_VARIANTS + 1}")
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
        on_text=_typed_mood,
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
