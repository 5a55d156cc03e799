"""The shared machine: built once from the step registry, every step reachable and keyed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from transitions import Machine

from flows import machine as machine_module
from flows.case import Answers, Case, Problem, Step
from flows.diagram import mermaid
from flows.machine import (
    MACHINE,
    FlowGraphError,
    StepModel,
    check_graph,
    fire,
    jump_back,
    prompt_key,
    triggers_from,
)
from flows.prompts import COMMANDS
from flows.steps import EDITABLE_STEPS, SPECS, STEPS, edges
from flows.steps.spec import Edge, StepSpec


def test_one_shared_machine_without_models() -> None:
    assert MACHINE.models == []
    assert set(MACHINE.states) == {step.name for step in Step}
    assert MACHINE.auto_transitions is False


def test_every_step_has_one_spec_and_every_command_a_handler() -> None:
    # Invariants checked here rather than by module-level asserts (python -O drops those).
    assert [spec.step for spec in SPECS] == list(Step)
    assert set(STEPS) == set(Step)
    assert set(EDITABLE_STEPS) <= set(Step)
    from flows.commands import KNOWN_COMMANDS

    assert set(COMMANDS) <= KNOWN_COMMANDS
    for spec in SPECS:
        if spec.step is not Step.DONE:
            assert spec.on_press is not None or spec.on_text is not None, spec.step


def test_fire_adds_and_removes_the_light_model() -> None:
    case = Case(step=Step.CALM, turn=3)
    assert fire(case, "calm")
    assert MACHINE.models == []
    assert case.step is Step.CLIENT_NAME
    assert case.turn == 4
    assert case.trail == [Step.CALM]


def test_event_trigger_runs_guards_and_callbacks_on_an_unregistered_model() -> None:
    # fire() leans on transitions (pinned <0.10): Machine.set_state(…, model=m) and
    # Machine.events[name].trigger(m) move a model the machine never registered,
    # resolving guards and callbacks on it by name. Pin that behaviour.
    case = Case(step=Step.EDIT_FACTS, trail=[Step.REPLY])
    model = StepModel(case, None)
    MACHINE.set_state(Step.EDIT_FACTS, model=model)
    assert MACHINE.events["edit_price"].trigger(model) is True
    assert model.state is Step.PRICE  # set by the machine
    assert case.step is Step.PRICE and case.turn == 1  # record_move ran (state callback)
    assert case.answers.editing is True  # start_editing ran (transition callback)
    assert MACHINE.events["answer"].trigger(model) is True  # is_editing guard was read
    assert case.step is Step.REPLY and case.answers.editing is False  # stop_editing ran
    assert MACHINE.models == []


def test_fire_rejects_a_trigger_that_cannot_fire() -> None:
    case = Case(step=Step.CALM)
    with pytest.raises(ValueError):
        fire(case, "finish")
    assert case.step is Step.CALM and case.turn == 0
    assert MACHINE.models == []


def test_reflexive_transition_counts_a_turn_but_not_a_trail_entry() -> None:
    case = Case(step=Step.REPLY, trail=[Step.KILL_FEE_AGREED], turn=5)
    assert fire(case, "retouch")
    assert case.step is Step.REPLY and case.turn == 6
    assert case.trail == [Step.KILL_FEE_AGREED]


def test_editing_guard_returns_to_reply_and_entering_reply_clears_it() -> None:
    case = Case(step=Step.EDIT_FACTS, trail=[Step.REPLY])
    fire(case, "edit_client_name")
    assert case.step is Step.CLIENT_NAME and case.answers.editing
    fire(case, "answer")
    assert case.step is Step.REPLY and not case.answers.editing


def test_unclear_alternates_between_more_questions_and_the_talk() -> None:
    case = Case(step=Step.PROBLEM, answers=Answers(problem=Problem.UNCLEAR, unclear_rounds=1))
    fire(case, "unclear")
    assert case.step is Step.PROBLEM
    case.answers.unclear_rounds = 2
    fire(case, "unclear")
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


def test_every_step_reachable_and_keyed() -> None:
    check_graph()
    reachable = {edge.dest for _source, edge in edges()} | {Step.START}
    assert reachable == set(Step)


def test_machine_has_exactly_the_registry_edges() -> None:
    built = {
        (Step[source], Step[t.dest], name)
        for name, event in MACHINE.events.items()
        for source in event.transitions
        for t in event.transitions[source]
    }
    assert built == {(source, edge.dest, edge.trigger) for source, edge in edges()}


def test_every_step_but_done_has_a_way_out() -> None:
    for step in Step:
        if step is not Step.DONE:
            assert triggers_from(step), step


def test_unreachable_step_is_refused() -> None:
    broken = tuple(replace(spec, edges=()) if spec.step is Step.CALM else spec for spec in SPECS)
    with pytest.raises(FlowGraphError, match="unreachable"):
        check_graph(broken)


def test_step_without_a_spec_is_refused() -> None:
    partial = tuple(spec for spec in SPECS if spec.step is not Step.UNUSABLE)
    with pytest.raises(FlowGraphError, match="without a spec: unusable"):
        check_graph(partial)


@pytest.mark.parametrize(
    "missing",
    [
        prompt_key(Step.DEPOSIT),
        "coach-step-deposit",
        "coach-btn-edit-deposit",
        "coach-field-deposit",
        "slack-step-deposit",
        "slack-next-deposit",
    ],
)
def test_every_key_family_is_checked(monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    class Partial:
        def has(self, key: str) -> bool:
            return key != missing

    def fake_catalog(language: str) -> Any:
        return Partial()

    monkeypatch.setattr(machine_module, "catalog", fake_catalog)
    with pytest.raises(FlowGraphError, match=missing):
        check_graph(languages=["bg"])


def test_diagram_is_generated_from_the_registry() -> None:
    source = mermaid()
    assert source.startswith("---")
    assert "stateDiagram-v2" in source
    for source_step, edge in edges():
        assert f"{source_step.name} --> {edge.dest.name}: " in source
        assert edge.trigger in source
    assert "answer [is_editing]" in source


def test_diagram_of_another_registry() -> None:
    specs = (StepSpec(Step.START, edges=(Edge("begin", Step.CALM),)),)
    assert "START --> CALM: begin" in mermaid(specs)
    assert isinstance(MACHINE, Machine)


def test_committed_diagram_is_current() -> None:
    from pathlib import Path

    committed = Path(__file__).resolve().parents[2] / "docs" / "flow.mmd"
    assert committed.read_text(encoding="utf-8") == mermaid()


def test_trail_is_bounded() -> None:
    case = Case(step=Step.REPLY)
    for _ in range(200):
        fire(case, "change_facts")
        fire(case, "back_to_reply")
    assert len(case.trail) == machine_module.MAX_TRAIL
    assert case.turn == 400
