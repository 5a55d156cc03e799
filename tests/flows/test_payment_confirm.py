"""Step 6: a payment variant that contradicts the solution is confirmed once (FLOW.md, D3)."""

from __future__ import annotations

import pytest

from flows.case import PaymentVariant, Solution, Step
from flows.drafts import compose_reply
from flows.i18n import t
from flows.settlement import contradicts
from tests.helpers.flow_driver import FlowDriver, drive_to


def _at_payment(driver: FlowDriver, solution: str) -> None:
    drive_to(driver, Step.SOLUTION)
    driver.press_key(solution)
    if solution == "coach-btn-redo":
        driver.text("до петък" if driver.language == "bg" else "by Friday")
    assert driver.case is not None and driver.case.step is Step.PAYMENT


def test_the_rule_of_contradiction() -> None:
    assert contradicts(Solution.REDO, PaymentVariant.KEEP_DEPOSIT)
    assert contradicts(Solution.REDO, PaymentVariant.KILL_FEE)
    assert contradicts(Solution.PART_WAYS, PaymentVariant.CONTINUE)
    assert not contradicts(Solution.REDO, PaymentVariant.CONTINUE)
    assert not contradicts(Solution.PART_WAYS, PaymentVariant.KILL_FEE)
    assert not contradicts(None, PaymentVariant.CONTINUE)


@pytest.mark.parametrize("variant", ["coach-btn-pay-keep-deposit", "coach-btn-pay-kill-fee"])
def test_redo_then_parting_variant_asks_and_no_returns_to_the_keyboard(
    driver: FlowDriver, variant: str
) -> None:
    _at_payment(driver, "coach-btn-redo")
    assert driver.button(t(driver.language, "coach-btn-pay-continue")).label.startswith("★ ")
    driver.press_key(variant)
    assert driver.case is not None and driver.case.step is Step.PAYMENT_CONFIRM
    assert driver.said("coach-payment-confirm-part-ways")
    assert driver.labels() == [
        t(driver.language, "coach-btn-confirm-part-ways"),
        t(driver.language, "coach-btn-back-to-options"),
    ]
    assert driver.case.answers.payment_variant is None  # nothing chosen yet
    driver.press_key("coach-btn-back-to-options")
    assert driver.case.step is Step.PAYMENT
    assert driver.case.answers.solution is Solution.REDO
    assert driver.case.answers.pending_variant is None


def test_yes_changes_the_solution_to_part_ways_and_drops_the_deadline(driver: FlowDriver) -> None:
    _at_payment(driver, "coach-btn-redo")
    driver.press_key("coach-btn-pay-keep-deposit")
    driver.press_key("coach-btn-confirm-part-ways")
    case = driver.case
    assert case is not None and case.step is Step.REPLY
    assert case.answers.solution is Solution.PART_WAYS and case.answers.deadline is None
    assert case.answers.payment_variant is PaymentVariant.KEEP_DEPOSIT
    assert driver.said("coach-payment-confirmed-part-ways")


@pytest.mark.parametrize("typed", ["yes", "Да!", "  да ", "YES."])
def test_typed_yes_continues_together_after_parting_ways(driver: FlowDriver, typed: str) -> None:
    _at_payment(driver, "coach-btn-part-ways")
    driver.press_key("coach-btn-pay-continue")
    assert driver.said("coach-payment-confirm-continue")
    driver.text(typed)
    case = driver.case
    assert case is not None and case.step is Step.CONTINUE_MODE
    assert case.answers.solution is Solution.REDO
    assert case.answers.payment_variant is PaymentVariant.CONTINUE


@pytest.mark.parametrize("typed", ["no", "Не", "не."])
def test_typed_no_goes_back_and_anything_else_asks_again(driver: FlowDriver, typed: str) -> None:
    _at_payment(driver, "coach-btn-part-ways")
    driver.press_key("coach-btn-pay-continue")
    driver.text("perhaps")
    assert driver.case is not None and driver.case.step is Step.PAYMENT_CONFIRM
    assert driver.said("coach-payment-confirm-continue")
    driver.text(typed)
    assert driver.case.step is Step.PAYMENT
    assert driver.case.answers.solution is Solution.PART_WAYS


def test_changing_the_solution_from_the_menu_asks_who_pays_again(driver: FlowDriver) -> None:
    _at_payment(driver, "coach-btn-part-ways")
    driver.press_key("coach-btn-pay-keep-deposit")
    assert driver.case is not None and driver.case.step is Step.REPLY
    driver.press_key("coach-btn-change-facts")
    driver.press_key("coach-btn-edit-solution")
    driver.press_key("coach-btn-redo")
    driver.press_key("coach-btn-skip")  # no deadline
    # "redo" + "keep the deposit" would contradict itself: who pays is asked first.
    assert driver.case.step is Step.PAYMENT
    driver.press_key("coach-btn-pay-continue")
    driver.press_key("coach-btn-absorb")
    assert driver.case.step is Step.REPLY
    answers = driver.case.answers
    assert not contradicts(answers.solution, answers.payment_variant)


def test_a_consistent_change_returns_straight_to_the_reply(driver: FlowDriver) -> None:
    _at_payment(driver, "coach-btn-redo")
    driver.press_key("coach-btn-pay-continue")
    driver.press_key("coach-btn-absorb")
    driver.press_key("coach-btn-change-facts")
    driver.press_key("coach-btn-edit-solution")
    driver.press_key("coach-btn-redo")
    deadline = "до две седмици" if driver.language == "bg" else "in two weeks"
    driver.text(deadline)
    assert driver.case is not None and driver.case.step is Step.REPLY
    assert driver.case.answers.deadline == deadline


@pytest.mark.parametrize("solution", ["coach-btn-redo", "coach-btn-part-ways"])
@pytest.mark.parametrize(
    "variant", ["coach-btn-pay-keep-deposit", "coach-btn-pay-kill-fee", "coach-btn-pay-continue"]
)
def test_every_pick_ends_in_a_consistent_case(
    driver: FlowDriver, solution: str, variant: str
) -> None:
    _at_payment(driver, solution)
    driver.press_key(variant)
    if driver.case is not None and driver.case.step is Step.PAYMENT_CONFIRM:
        driver.press(driver.labels()[0])
    answers = driver.case.answers if driver.case is not None else None
    assert answers is not None
    assert not contradicts(answers.solution, answers.payment_variant)
    assert compose_reply(answers, language=driver.language, tone=answers.tone).text
