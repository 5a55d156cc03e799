"""/cases reopens a cancelled case (issue 12), in both languages, on the pure coach."""

from __future__ import annotations

import pytest

from flows import callback
from flows.case import Case, CaseStatus, Step
from flows.i18n import t
from flows.io import ChoiceOutcome, Reply
from flows.machine import prompt_key
from flows.reopen import REOPEN
from tests.helpers.flow_driver import FlowDriver, drive_to


def snapshot(case: Case) -> tuple[object, ...]:
    return (case.id, case.step, case.status, case.turn, list(case.trail), case.answers.to_dict())


def cancelled_at(driver: FlowDriver, step: Step) -> Case:
    """A case driven to ``step`` and then /cancel-led."""
    drive_to(driver, step)
    case = driver.case
    assert case is not None and case.step is step
    driver.command("cancel")
    assert driver.case is None and case.status is CaseStatus.CANCELLED
    return case


def reopen_label(driver: FlowDriver, number: int) -> str:
    return t(driver.language, "coach-btn-reopen", number=number)


def test_only_cancelled_cases_get_a_reopen_button(driver: FlowDriver) -> None:
    cancelled_at(driver, Step.PRICE)
    drive_to(driver, Step.DONE)  # a second case, finished
    driver.text("hello")  # a third, open
    history = driver.history()
    # Newest first: 1. open, 2. done, 3. cancelled.
    assert [b.label for row in history.buttons for b in row] == [reopen_label(driver, 3)]
    assert t(driver.language, "coach-history-reopen-hint") in history.text


def test_a_history_without_cancelled_cases_has_no_buttons(driver: FlowDriver) -> None:
    drive_to(driver, Step.PRICE)
    history = driver.history()
    assert history.buttons == ()
    assert t(driver.language, "coach-history-reopen-hint") not in history.text


def test_reopening_resumes_the_step_with_the_answers_and_without_the_vent(
    driver: FlowDriver,
) -> None:
    drive_to(driver, Step.COOL_DOWN)
    driver.text("I am furious")
    driver.press_key("coach-btn-ready")
    driver.text("ACME Ltd")
    case = driver.case
    assert case is not None and case.answers.vented and case.step is Step.CONTACT_NAME
    driver.command("cancel")
    answers = case.answers.to_dict()
    assert case.answers.vented == []  # erased when it closed
    driver.history()

    result = driver.press(reopen_label(driver, 1))

    reopened = driver.case
    assert reopened is not None and reopened.id == case.id
    assert reopened.status is CaseStatus.ACTIVE and reopened.step is Step.CONTACT_NAME
    assert reopened.answers.to_dict() == answers and reopened.answers.vented == []
    assert reopened.turn == case.turn + 1  # buttons sent before the cancel stay stale
    assert result.closed == []  # no case was active
    assert result.choice is ChoiceOutcome.ACCEPTED
    assert result.chosen_label == t(driver.language, "coach-reopen-chosen", client="ACME Ltd")
    assert driver.said("coach-reopened-named", client="ACME Ltd")
    assert driver.said(prompt_key(Step.CONTACT_NAME))
    assert not driver.said("coach-reopen-previous-cancelled")


def test_reopening_cancels_the_open_case_which_can_be_reopened_in_turn(
    driver: FlowDriver,
) -> None:
    first = cancelled_at(driver, Step.CHANNEL)
    drive_to(driver, Step.PRICE)
    second = driver.case
    assert second is not None and second.id != first.id
    second_answers = second.answers.to_dict()
    driver.history()  # 1. second (open), 2. first (cancelled)

    result = driver.press(reopen_label(driver, 2))

    assert [c.id for c in result.closed] == [second.id]  # saved first: it makes room
    assert result.closed[0].status is CaseStatus.CANCELLED
    assert result.case is not None and result.case.id == first.id
    assert result.case.step is Step.CHANNEL
    assert driver.said("coach-reopen-previous-cancelled")
    assert driver.said(prompt_key(Step.CHANNEL))

    history = driver.history()  # 1. second (cancelled), 2. first (open)
    assert [b.label for row in history.buttons for b in row] == [reopen_label(driver, 1)]
    driver.press(reopen_label(driver, 1))
    assert driver.case is not None and driver.case.id == second.id
    assert driver.case.step is Step.PRICE and driver.case.answers.to_dict() == second_answers
    assert driver.stored[first.id].status is CaseStatus.CANCELLED


def test_a_never_begun_case_is_dropped_without_a_word(driver: FlowDriver) -> None:
    case = cancelled_at(driver, Step.PRICE)
    driver.history()
    keyboard = driver.keyboard
    driver.command("delete")
    driver.press_key("coach-btn-delete-no")  # leaves a case that never began, at START
    holder = driver.case
    assert holder is not None and holder.step is Step.START
    driver.keyboard = keyboard

    result = driver.press(reopen_label(driver, 1))

    assert [c.id for c in result.closed] == [holder.id]
    assert result.case is not None and result.case.id == case.id
    assert not driver.said("coach-reopen-previous-cancelled")
    assert [b.label for row in driver.history().buttons for b in row] == []  # START: not listed


def test_a_second_press_of_the_same_button_changes_nothing(driver: FlowDriver) -> None:
    cancelled_at(driver, Step.PRICE)
    driver.history()
    button = driver.button(reopen_label(driver, 1))
    driver.data(button.data)
    case = driver.case
    assert case is not None
    before = snapshot(case)

    result = driver.data(button.data)

    assert result.choice is ChoiceOutcome.STALE
    assert result.closed == [] and result.case is case and snapshot(case) == before
    assert driver.said("coach-reopen-refused")
    assert driver.said(prompt_key(Step.PRICE))  # the current question again


@pytest.mark.parametrize("status", [CaseStatus.DONE, CaseStatus.ACTIVE])
def test_a_case_that_is_not_cancelled_is_not_reopened(
    driver: FlowDriver, status: CaseStatus
) -> None:
    cancelled_at(driver, Step.PRICE)
    drive_to(driver, Step.DONE if status is CaseStatus.DONE else Step.CHANNEL)
    target = driver.stored[list(driver.stored)[-1]]
    assert target.status is status
    data = callback.encode(case_id=target.id, turn=target.turn, choice=REOPEN)
    active = driver.case
    before = snapshot(active) if active is not None else None

    result = driver.data(data)

    assert result.choice is ChoiceOutcome.STALE and result.closed == []
    assert driver.said("coach-reopen-refused")
    assert driver.case is active
    if active is not None:
        assert snapshot(active) == before


def test_a_forged_or_foreign_reopen_press_changes_nothing(driver: FlowDriver) -> None:
    other = FlowDriver(language=driver.language)
    foreign = cancelled_at(other, Step.PRICE)
    drive_to(driver, Step.DELIVERY)
    case = driver.case
    assert case is not None
    before = snapshot(case)
    forged = [
        callback.encode(case_id=foreign.id, turn=foreign.turn, choice=REOPEN),  # not theirs
        callback.encode(case_id="0" * 32, turn=1, choice=REOPEN),  # no such case
        f"rc:-:0:{REOPEN}",  # no case at all
    ]
    for data in forged:
        result = driver.data(data)
        assert result.choice is ChoiceOutcome.STALE, data
        assert result.closed == [] and result.case is case and snapshot(case) == before
        replies = [o for o in result.outgoing if isinstance(o, Reply)]
        assert replies and t(driver.language, "coach-reopen-refused") in replies[0].text


def test_a_refused_press_without_an_open_case_only_says_so(driver: FlowDriver) -> None:
    data = callback.encode(case_id="ab" * 16, turn=3, choice=REOPEN)
    result = driver.data(data)
    assert result.case is None and result.closed == []
    assert driver.text_of() == t(driver.language, "coach-reopen-refused")


def test_an_unnamed_case_is_reopened_in_plain_words(driver: FlowDriver) -> None:
    drive_to(driver, Step.CLIENT_NAME)
    driver.command("cancel")
    driver.history()
    result = driver.press(reopen_label(driver, 1))
    assert driver.said("coach-reopened")
    no_client = t(driver.language, "coach-history-no-client")
    assert result.chosen_label == t(driver.language, "coach-reopen-chosen", client=no_client)
    assert driver.said(prompt_key(Step.CLIENT_NAME))
