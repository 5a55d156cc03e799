"""The shared machine: built once, every step reachable and prompted, light models."""

from __future__ import annotations

from typing import Any

import pytest
from transitions import Machine

from flows import machine as machine_module
from flows.case import Answers, Case, Step
from flows.diagram import mermaid
from flows.machine import (
    MACHINE,
    Event,
    FlowGraphError,
    check_graph,
    edges,
    fire,
    jump_back,
    prompt_key,
    triggers_from,
)


def test_one_shared_machine_without_models() -> None:
    assert MACHINE.models == []
    assert set(MACHINE.states) == {step.name for step in Step}
    assert MACHINE.auto_transitions is False


def test_fire_adds_and_removes_the_light_model() -> None:
    case = Case(step=Step.CALM, turn=3)
    assert fire(case, Event.CALM)
    assert MACHINE.models == []
    assert case.step is Step.CLIENT_NAME
    assert case.turn == 4
    assert case.trail == [Step.CALM]


def test_fire_rejects_a_trigger_that_cannot_fire() -> None:
    case = Case(step=Step.CALM)
    with pytest.raises(ValueError):
        fire(case, Event.FINISH)
    assert case.step is Step.CALM and case.turn == 0
    assert MACHINE.models == []


def test_reflexive_transition_counts_a_turn_but_not_a_trail_entry() -> None:
    case = Case(step=Step.REPLY, trail=[Step.KILL_FEE_AGREED], turn=5)
    assert fire(case, Event.RETOUCH)
    assert case.step is Step.REPLY and case.turn == 6
    assert case.trail == [Step.KILL_FEE_AGREED]


def test_editing_guard_returns_to_reply_and_entering_reply_clears_it() -> None:
    case = Case(step=Step.EDIT_FACTS, trail=[Step.REPLY])
    fire(case, "edit_client_name")
    assert case.step is Step.CLIENT_NAME and case.answers.editing
    fire(case, Event.ANSWER)
    assert case.step is Step.REPLY and not case.answers.editing


def test_unclear_alternates_between_more_questions_and_the_talk() -> None:
    case = Case(step=Step.PROBLEM, answers=Answers(unclear_rounds=1))
    fire(case, Event.UNCLEAR)
    assert case.step is Step.PROBLEM
    case.answers.unclear_rounds = 2
    fire(case, Event.UNCLEAR)
    assert case.step is Step.TALK


def test_jump_back_keeps_answers_and_stops_at_start() -> None:
    case = Case(step=Step.CALM, trail=[Step.START])
    assert not jump_back(case)
    case = Case(step=Step.DELIVERY, trail=[Step.START, Step.CALM, Step.CLIENT_NAME])
    case.answers.client_name = "ACME"
    assert jump_back(case)
    assert case.step is Step.CLIENT_NAME and case.answers.client_name == "ACME"
    assert case.trail == [Step.START, Step.CALM]
    assert case.turn == 1


def test_jump_back_into_an_edited_fact_keeps_editing() -> None:
    case = Case(
        step=Step.SOLUTION, trail=[Step.REPLY, Step.EDIT_FACTS, Step.PROBLEM, Step.PROBLEM_DETAILS]
    )
    assert jump_back(case)
    assert case.step is Step.PROBLEM_DETAILS and case.answers.editing
    case = Case(step=Step.CLIENT_NAME, trail=[Step.REPLY, Step.EDIT_FACTS])
    assert jump_back(case)
    assert case.step is Step.EDIT_FACTS and not case.answers.editing


def test_every_step_reachable_and_prompted() -> None:
    check_graph(MACHINE)
    reachable = {dest for _s, dest, _t, _g in edges(MACHINE)} | {Step.START}
    assert reachable == set(Step)


def test_every_step_but_done_has_a_way_out() -> None:
    for step in Step:
        if step is not Step.DONE:
            assert triggers_from(step), step


def test_unreachable_step_is_refused() -> None:
    broken = Machine(
        model=None,
        states=Step,
        initial=Step.START,
        transitions=[{"trigger": "begin", "source": Step.START, "dest": Step.CALM}],
        auto_transitions=False,
    )
    with pytest.raises(FlowGraphError, match="unreachable"):
        check_graph(broken)


def test_missing_prompt_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    class Partial:
        def has(self, key: str) -> bool:
            return key != prompt_key(Step.DEPOSIT)

    def fake_catalog(language: str) -> Any:
        return Partial()

    monkeypatch.setattr(machine_module, "catalog", fake_catalog)
    with pytest.raises(FlowGraphError, match="coach-deposit-prompt"):
        check_graph(MACHINE, languages=["bg"])


def test_diagram_is_generated_from_the_machine() -> None:
    source = mermaid()
    assert source.startswith("---")
    assert "stateDiagram-v2" in source
    for source_step, dest, trigger, _guard in edges(MACHINE):
        assert f"{source_step.name} --> {dest.name}: " in source
        assert trigger in source
    assert "answer [is_editing]" in source


def test_committed_diagram_is_current() -> None:
    from pathlib import Path

    committed = Path(__file__).resolve().parents[2] / "docs" / "flow.mmd"
    assert committed.read_text(encoding="utf-8") == mermaid()


def test_trail_is_bounded() -> None:
    case = Case(step=Step.REPLY)
    for _ in range(200):
        fire(case, Event.CHANGE_FACTS)
        fire(case, Event.BACK_TO_REPLY)
    assert len(case.trail) == machine_module.MAX_TRAIL
    assert case.turn == 400
