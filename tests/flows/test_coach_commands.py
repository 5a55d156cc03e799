"""Every command at every step, in both languages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flows.case import LANGUAGES, Case, CaseStatus, Step
from flows.i18n import t
from flows.io import ChoiceOutcome, DeleteUserData, ExportCase, SetLanguage, ShowHistory
from flows.machine import prompt_key
from flows.money import format_money
from flows.prompts import COMMANDS, label_of
from flows.steps import choices_for
from tests.helpers.flow_driver import ACTIVE_STEPS, FlowDriver, drive_to

STEPS = [*ACTIVE_STEPS, Step.START]


def at(driver: FlowDriver, step: Step) -> Case:
    drive_to(driver, step)
    assert driver.case is not None
    return driver.case


def snapshot(case: Case) -> tuple[object, ...]:
    return (case.id, case.step, case.status, case.turn, list(case.trail), case.answers.to_dict())


def test_the_command_list_is_complete() -> None:
    for language in LANGUAGES:
        listed = t(language, "coach-commands")
        for name in COMMANDS:
            if name != "start":
                assert f"/{name} " in listed, (language, name)
            assert t(language, f"coach-cmd-{name}")


@pytest.mark.parametrize("step", STEPS)
def test_help(driver: FlowDriver, step: Step) -> None:
    case = at(driver, step)
    before = snapshot(case)
    result = driver.command("help")
    assert driver.said("coach-help") and driver.said("coach-commands")
    assert driver.said(prompt_key(step))
    assert snapshot(case) == before and result.case is case


@pytest.mark.parametrize("step", STEPS)
def test_back_keeps_answers(driver: FlowDriver, step: Step) -> None:
    case = at(driver, step)
    answers = case.answers.to_dict()
    trail = list(case.trail)
    turn = case.turn
    driver.command("back")
    if not trail or trail[-1] is Step.START:
        assert driver.said("coach-back-none")
        assert case.step is step and case.turn == turn
    else:
        assert driver.said("coach-back-done")
        assert case.step is trail[-1] and case.trail == trail[:-1]
        assert case.turn == turn + 1
        assert driver.said(prompt_key(case.step))
    after = case.answers.to_dict()
    after.pop("editing"), answers.pop("editing")
    assert after == answers


def test_back_all_the_way_then_forward_again(driver: FlowDriver) -> None:
    case = at(driver, Step.REPLY)
    answers = case.answers.to_dict()
    while case.trail and case.trail[-1] is not Step.START:
        driver.command("back")
    assert case.step is Step.CALM
    assert case.answers.to_dict() == answers
    driver.command("back")
    assert driver.said("coach-back-none")


@pytest.mark.parametrize("step", STEPS)
def test_restart(driver: FlowDriver, step: Step) -> None:
    old = at(driver, step)
    result = driver.command("restart")
    if driver.case is not None and driver.case.step not in (
        Step.START,
        Step.CALM,
        Step.COOL_DOWN,
        Step.CLIENT_NAME,
    ):  # the case holds facts: ask first
        assert result.closed == [] and driver.said("coach-restart-confirm")
        result = driver.press_key("coach-btn-restart-yes")
    if step is Step.START:  # a case that has not begun begins: nothing to cancel
        assert result.closed == [] and result.case is old and old.step is Step.CALM
        assert not driver.said("coach-restarted") and driver.said("coach-calm-prompt")
        return
    assert result.closed == [old] and old.status is CaseStatus.CANCELLED
    assert result.case is not None and result.case.id != old.id
    assert result.case.step is Step.CALM and result.case.status is CaseStatus.ACTIVE
    assert driver.said("coach-restarted") and driver.said("coach-calm-prompt")


@pytest.mark.parametrize("step", STEPS)
def test_cancel(driver: FlowDriver, step: Step) -> None:
    old = at(driver, step)
    result = driver.command("cancel")
    assert result.case is None and result.closed == [old]
    assert old.status is CaseStatus.CANCELLED
    # A case that has not begun was no case of the user's: "nothing to cancel".
    assert driver.said("coach-cancel-none" if step is Step.START else "coach-cancelled")
    driver.command("cancel")
    assert driver.said("coach-cancel-none")


@pytest.mark.parametrize("step", STEPS)
def test_lang_toggles_and_repeats_the_question(driver: FlowDriver, step: Step) -> None:
    case = at(driver, step)
    before = snapshot(case)
    old = driver.language
    result = driver.command("lang")
    new = "bg" if old == "en" else "en"
    assert result.effects == [SetLanguage(new)] and driver.language == new
    assert driver.said("coach-lang-switched") and driver.said(prompt_key(step))
    assert snapshot(case) == before
    # The keyboard comes in the new language and is still valid.
    choices = choices_for(case)
    if choices:
        assert driver.last.outgoing[-1] is driver.keyboard
        assert driver.labels() == [label_of(c, language=new) for row in choices for c in row]
        result = driver.press(driver.labels()[0])
        assert result.choice is ChoiceOutcome.ACCEPTED


@pytest.mark.parametrize("args", ["bg", "en", "BG", "bg-BG"])
def test_lang_with_an_argument(driver: FlowDriver, args: str) -> None:
    at(driver, Step.DELIVERY)
    result = driver.command("lang", args)
    assert result.effects == [SetLanguage(args[:2].lower())]
    assert driver.said("coach-lang-switched")


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize(("name", "effect"), [("cases", ShowHistory()), ("export", ExportCase())])
def test_cases_and_export_are_effects(
    driver: FlowDriver, step: Step, name: str, effect: object
) -> None:
    case = at(driver, step)
    before = snapshot(case)
    result = driver.command(name)
    assert result.effects == [effect]
    assert result.outgoing == [] and result.case is case
    assert snapshot(case) == before


@pytest.mark.parametrize("step", STEPS)
def test_delete_asks_then_deletes(driver: FlowDriver, step: Step) -> None:
    case = at(driver, step)
    before = snapshot(case)
    result = driver.command("delete")
    assert result.effects == []
    assert driver.said("coach-delete-confirm")
    assert driver.labels() == [
        t(driver.language, "coach-btn-delete-yes"),
        t(driver.language, "coach-btn-delete-no"),
    ]
    assert case.answers.pending == "delete"  # the open confirmation, nothing else changed
    case.answers.pending = None
    assert snapshot(case) == before
    case.answers.pending = "delete"
    result = driver.press_key("coach-btn-delete-yes")
    assert result.choice is ChoiceOutcome.ACCEPTED
    assert result.effects == [DeleteUserData()]
    assert result.case is None and result.outgoing == []


@pytest.mark.parametrize("step", STEPS)
def test_delete_declined(driver: FlowDriver, step: Step) -> None:
    case = at(driver, step)
    before = snapshot(case)
    driver.command("delete")
    result = driver.press_key("coach-btn-delete-no")
    assert result.effects == [] and result.case is case
    assert driver.said("coach-delete-kept") and driver.said(prompt_key(step))
    assert snapshot(case) == before


def test_delete_confirm_is_stale_once_the_conversation_moved_on(driver: FlowDriver) -> None:
    at(driver, Step.CLIENT_NAME)
    driver.command("delete")
    confirm = driver.button(t(driver.language, "coach-btn-delete-yes")).data
    driver.text("ACME")  # no answer to "delete everything?": the question again, nothing lost
    assert driver.said("coach-yes-or-no") and driver.said("coach-delete-confirm")
    driver.text("no")
    assert driver.said("coach-delete-kept") and driver.said(prompt_key(Step.CLIENT_NAME))
    driver.text("ACME")
    result = driver.data(confirm)
    assert result.choice is ChoiceOutcome.STALE and result.effects == []
    assert driver.case is not None and driver.case.answers.client_name == "ACME"


def test_delete_without_a_case(driver: FlowDriver) -> None:
    driver.command("delete")
    assert driver.said("coach-delete-confirm")
    result = driver.press_key("coach-btn-delete-yes")
    assert result.effects == [DeleteUserData()] and result.case is None
    driver.command("delete")
    result = driver.press_key("coach-btn-delete-no")
    assert result.effects == [] and driver.said("coach-delete-kept")


@pytest.mark.parametrize(("typed", "erased"), [("да", True), ("Yes!", True), ("НЕ.", False)])
def test_typed_answer_at_delete_without_a_case(
    driver: FlowDriver, typed: str, erased: bool
) -> None:
    result = driver.command("delete")
    holder = result.case  # a case that has not begun holds the open question
    assert holder is not None and holder.step is Step.START
    assert holder.answers.pending == "delete"
    result = driver.text("hmm")  # neither yes nor no: asked again, nothing started
    assert driver.said("coach-yes-or-no") and driver.said("coach-delete-confirm")
    assert result.effects == [] and driver.case is holder and holder.step is Step.START
    result = driver.text(typed)
    if erased:
        assert result.effects == [DeleteUserData()] and result.case is None
    else:
        assert result.effects == [] and driver.said("coach-delete-kept")
        assert driver.said("coach-start-prompt")  # the greeting, a start like any other
        assert result.case is holder and holder.answers.pending is None
        driver.text("anything")
        assert holder.step is Step.CALM


@pytest.mark.parametrize("step", [s for s in STEPS if s not in (Step.START, Step.CALM)])
def test_start_with_an_unfinished_case_offers_continue_or_new(
    driver: FlowDriver, step: Step
) -> None:
    case = at(driver, step)
    before = snapshot(case)
    driver.command("start")
    assert snapshot(case) == before
    if case.answers.client_name:
        assert driver.said("coach-unfinished-named", client=case.answers.client_name)
    else:
        assert driver.said("coach-unfinished")
    assert driver.labels() == [
        t(driver.language, "coach-btn-continue"),
        t(driver.language, "coach-btn-new-case"),
    ]
    result = driver.press_key("coach-btn-continue")
    assert result.choice is ChoiceOutcome.ACCEPTED and result.case is case
    assert driver.said(prompt_key(step))
    assert snapshot(case) == before
    driver.command("start")
    result = driver.press_key("coach-btn-new-case")
    assert result.closed == [case] and case.status is CaseStatus.CANCELLED
    assert result.case is not None and result.case.step is Step.CALM


@pytest.mark.parametrize("step", [Step.START, Step.CALM])
def test_start_at_the_very_beginning_greets_again(driver: FlowDriver, step: Step) -> None:
    case = at(driver, step)
    driver.command("start")
    assert driver.case is case
    assert driver.said("coach-start-prompt") and driver.said(prompt_key(step))


def test_start_without_a_case_creates_one(driver: FlowDriver) -> None:
    result = driver.command("start")
    assert result.case is not None and result.case.step is Step.CALM
    assert driver.said("coach-start-prompt")


@pytest.mark.parametrize("step", STEPS)
def test_unknown_command_lists_the_commands(driver: FlowDriver, step: Step) -> None:
    case = at(driver, step)
    before = snapshot(case)
    driver.command("frobnicate")
    assert driver.said("coach-unknown-command") and driver.said("coach-commands")
    assert driver.said(prompt_key(step))
    assert snapshot(case) == before


@pytest.mark.parametrize("name", ["help", "back", "cancel", "lang", "cases", "export", "nope"])
def test_commands_without_a_case(driver: FlowDriver, name: str) -> None:
    result = driver.command(name)
    assert result.case is None and result.closed == []
    if name == "help":
        assert driver.said("coach-help")
    elif name == "back":
        assert driver.said("coach-no-case")
    elif name == "cancel":
        assert driver.said("coach-cancel-none")
    elif name == "nope":
        assert driver.said("coach-unknown-command")


def test_restart_without_a_case_starts_one(driver: FlowDriver) -> None:
    result = driver.command("restart")
    assert result.closed == [] and result.case is not None and result.case.step is Step.CALM


def test_command_names_are_normalised(driver: FlowDriver) -> None:
    at(driver, Step.DELIVERY)
    driver.command("/HELP")
    assert driver.said("coach-help")


def test_back_shows_the_kept_answer_and_can_keep_it(driver: FlowDriver) -> None:
    drive_to(driver, Step.CONTACT_NAME)
    case = driver.case
    assert case is not None
    driver.command("back")
    assert case.step is Step.CLIENT_NAME
    # The kept answer is visible and one press keeps it (Skip would erase it).
    assert driver.said("coach-current-answer", answer="ACME Ltd")
    driver.press_key("coach-btn-keep")
    assert case.step is Step.CONTACT_NAME and case.answers.client_name == "ACME Ltd"
    driver.command("back")
    driver.press_key("coach-btn-skip")
    assert case.step is Step.DELIVERY and case.answers.client_name is None


def test_no_keep_button_without_an_answer(driver: FlowDriver) -> None:
    drive_to(driver, Step.CLIENT_NAME)
    assert t(driver.language, "coach-btn-keep") not in driver.labels()
    assert t(driver.language, "coach-current-answer", answer="").split(":")[0] not in (
        driver.text_of()
    )


def test_changing_a_money_fact_can_keep_it(driver: FlowDriver) -> None:
    drive_to(driver, Step.EDIT_FACTS)
    case = driver.case
    assert case is not None
    driver.press_key("coach-btn-edit-deposit")
    assert case.step is Step.DEPOSIT
    deposit = format_money(Decimal(400), "EUR", language=driver.language)
    assert driver.said("coach-current-answer", answer=deposit)
    driver.press_key("coach-btn-keep")
    assert case.step is Step.REPLY and case.answers.deposit == Decimal("400.00")


@pytest.mark.parametrize("agreed", [True, False])
def test_export_says_whether_the_share_was_agreed(driver: FlowDriver, agreed: bool) -> None:
    case = at(driver, Step.REPLY)
    case.answers.kill_fee_agreed = agreed
    (export,) = driver.coach.render_export(case, language=driver.language)
    key = "coach-export-share-agreed" if agreed else "coach-export-share-not-agreed"
    assert t(driver.language, key) in export.text


@pytest.mark.parametrize("command", ["restart", "cancel"])
def test_the_case_holding_delete_is_never_a_case_of_the_history(
    driver: FlowDriver, command: str
) -> None:
    holder = driver.command("delete").case
    assert holder is not None and holder.step is Step.START
    result = driver.command(command)
    assert not driver.said("coach-restarted")  # nothing to find in /cases
    if command == "restart":  # the holder itself begins: no second case, none closed
        assert result.case is holder and holder.step is Step.CALM and result.closed == []
    else:
        assert driver.said("coach-cancel-none") and result.case is None
        assert result.closed == [holder]
        history = driver.coach.render_history([holder], language=driver.language)
        assert history == driver.coach.render_history([], language=driver.language)
