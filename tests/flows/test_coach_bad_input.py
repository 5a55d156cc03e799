"""FLOW.md's bad inputs: clear answers, never a crash or lost state."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flows.callback import encode
from flows.case import LANGUAGES, MAX_TEXT_LENGTH, Case, Step
from flows.i18n import t
from flows.io import ChoiceOutcome
from flows.machine import prompt_key
from flows.money import format_money
from flows.prompts import label_of
from flows.steps import STEPS, choices_for
from tests.helpers.flow_driver import ACTIVE_STEPS, ROUTES, FlowDriver, act, drive_to

#: Steps that only take buttons.
BUTTON_STEPS = [
    Step.CALM,
    Step.INTERMEDIARY,
    Step.CHANNEL,
    Step.TALK,
    Step.PROBLEM,
    Step.SOLUTION,
    Step.PAYMENT,
    Step.KILL_FEE_SHARE,
    Step.KILL_FEE_AGREED,
    Step.CONTINUE_MODE,
    Step.REPLY,
    Step.EDIT_FACTS,
]


#: Steps where typed text that is no label asks again (at the mood check it means "upset").
FORM_STEPS = [step for step in BUTTON_STEPS if step is not Step.CALM]
#: The yes/no questions: a typed answer that is neither repeats them with "yes or no".
YES_NO_STEPS = (Step.KILL_FEE_AGREED,)


def snapshot(case: Case) -> tuple[object, ...]:
    return (case.id, case.step, case.status, case.turn, list(case.trail), case.answers.to_dict())


def at(driver: FlowDriver, step: Step) -> Case:
    drive_to(driver, step)
    assert driver.case is not None
    return driver.case


# ---------------------------------------------------------------------- text for buttons


@pytest.mark.parametrize("step", FORM_STEPS)
def test_text_that_is_no_label_repeats_the_question(driver: FlowDriver, step: Step) -> None:
    case = at(driver, step)
    before = snapshot(case)
    result = driver.text("maybe, I don't know")
    assert snapshot(case) == before
    assert result.choice is None
    hint = "coach-yes-or-no" if step in YES_NO_STEPS else "coach-choose-button"
    assert driver.said(hint) and driver.said(prompt_key(step))
    assert driver.last.outgoing[-1].buttons  # type: ignore[union-attr]


@pytest.mark.parametrize("step", BUTTON_STEPS)
@pytest.mark.parametrize("label_language", LANGUAGES)
def test_typed_label_is_accepted_in_either_language(
    driver: FlowDriver, step: Step, label_language: str
) -> None:
    case = at(driver, step)
    first = choices_for(case)[0][0]
    typed = f"  {label_of(first, language=label_language).removeprefix('★ ').upper()} "
    turn = case.turn
    via_text = driver.text(typed)
    assert via_text.choice is None
    # Same effect as pressing the button: the conversation moved on (or the reply was retouched).
    assert case.turn > turn or driver.case is not case


def test_typed_share_without_the_space(driver: FlowDriver) -> None:
    case = at(driver, Step.KILL_FEE_SHARE)
    driver.text("40 %" if driver.language == "en" else "40%")
    assert case.answers.kill_fee_percent == Decimal("40") and case.step is Step.KILL_FEE_AGREED


def test_typed_skip_in_either_language_on_a_text_step(driver: FlowDriver) -> None:
    case = at(driver, Step.CLIENT_NAME)
    driver.text("Skip")
    assert case.step is Step.DELIVERY and case.answers.client_name is None
    driver.text("ПРОПУСНИ")
    assert case.step is Step.CLIENT_SAID and case.answers.delivery is None


@pytest.mark.parametrize(
    "step", [Step.CLIENT_NAME, Step.DELIVERY, Step.PROBLEM_DETAILS, Step.PRICE]
)
def test_blank_text_on_a_text_step_repeats_the_question(driver: FlowDriver, step: Step) -> None:
    case = at(driver, step)
    before = snapshot(case)
    driver.text("   \n ")
    assert snapshot(case) == before and driver.said(prompt_key(step))


# ---------------------------------------------------------------------- stale, forged, double


def _actions_below_calm(step: Step) -> list[tuple[str, str]]:
    actions: list[tuple[str, str]] = []
    current: Step | None = step
    while current is not None and current is not Step.CALM:
        parent, action = ROUTES[current]
        actions.append(action)
        current = parent
    return list(reversed(actions))


@pytest.mark.parametrize("step", ACTIVE_STEPS)
def test_stale_button_from_an_earlier_step(driver: FlowDriver, step: Step) -> None:
    drive_to(driver, Step.CALM)
    old = driver.button(t(driver.language, "coach-btn-calm")).data
    if step is Step.CALM:
        driver.press_key("coach-btn-calm")
        driver.command("back")  # the same step again, but a later turn
    for action in _actions_below_calm(step):
        act(driver, action)
    case = driver.case
    assert case is not None and case.step is step
    before = snapshot(case)
    result = driver.data(old)
    assert result.choice is ChoiceOutcome.STALE and result.chosen_label is None
    assert snapshot(case) == before and result.case is case
    assert driver.said("coach-stale") and driver.said(prompt_key(step))
    assert result.effects == [] and result.closed == []


@pytest.mark.parametrize(
    "data",
    [
        "",
        "garbage",
        "rc:deadbeef:1:calm",
        "rc:zzzzzzzz:1:calm",
        "rc:-:0:calm",
        "x" * 500,
        "rc:01234567:1:" + "a" * 40,
        '{"action":"delete"}',
    ],
)
def test_forged_data_changes_nothing(driver: FlowDriver, data: str) -> None:
    case = at(driver, Step.CALM)
    before = snapshot(case)
    result = driver.data(data)
    assert result.choice is ChoiceOutcome.STALE
    assert snapshot(case) == before and result.effects == []
    assert driver.said("coach-stale") and driver.said("coach-calm-prompt")


def test_forged_choice_for_the_current_turn_is_stale(driver: FlowDriver) -> None:
    case = at(driver, Step.CALM)
    before = snapshot(case)
    for choice in ("done", "p40", "e.price", "ready"):
        result = driver.data(encode(case_id=case.id, turn=case.turn, choice=choice))
        assert result.choice is ChoiceOutcome.STALE
        assert snapshot(case) == before


def test_button_of_another_case_is_stale(driver: FlowDriver) -> None:
    other = FlowDriver(language=driver.language)
    drive_to(other, Step.CALM)
    data = other.button(t(driver.language, "coach-btn-calm")).data
    case = at(driver, Step.CALM)
    before = snapshot(case)
    assert driver.data(data).choice is ChoiceOutcome.STALE
    assert snapshot(case) == before


@pytest.mark.parametrize("step", BUTTON_STEPS)
def test_double_press_is_processed_once(driver: FlowDriver, step: Step) -> None:
    case = at(driver, step)
    label = driver.labels()[0]
    first = driver.press(label)
    assert first.choice is ChoiceOutcome.ACCEPTED and first.chosen_label == label
    after_first = snapshot(case)
    driver.keyboard = next(r for r in driver.replies(driver.results[-2]) if r.buttons)
    second = driver.press(label)
    assert second.choice is ChoiceOutcome.STALE
    assert snapshot(case) == after_first


def test_stale_press_without_any_case(driver: FlowDriver) -> None:
    result = driver.data("rc:01234567:3:calm")
    assert result.choice is ChoiceOutcome.STALE and result.case is None
    assert driver.said("coach-stale") and driver.said("coach-no-case")


def test_pressing_an_old_cool_down_reminder_twice_schedules_once(driver: FlowDriver) -> None:
    at(driver, Step.COOL_DOWN)
    data = driver.button(t(driver.language, "coach-btn-remind-15")).data
    assert len(driver.data(data).effects) == 1
    second = driver.data(data)
    assert second.choice is ChoiceOutcome.STALE and second.effects == []


# ---------------------------------------------------------------------- long text, unsupported


@pytest.mark.parametrize(
    ("step", "field"),
    [
        (Step.CLIENT_NAME, "client_name"),
        (Step.DELIVERY, "delivery"),
        (Step.CLIENT_SAID, "client_said"),
        (Step.PROBLEM_DETAILS, "problem_details"),
        (Step.DEADLINE, "deadline"),
    ],
)
def test_long_text_is_kept_up_to_the_limit(driver: FlowDriver, step: Step, field: str) -> None:
    case = at(driver, step)
    limit = STEPS[step].max_length
    assert limit == (150 if step is Step.DELIVERY else MAX_TEXT_LENGTH)  # "a few words"
    driver.text("x" * 1500)
    assert getattr(case.answers, field) == "x" * limit
    assert driver.said("coach-too-long", limit=limit)


def test_long_vent_is_kept_up_to_the_limit(driver: FlowDriver) -> None:
    case = at(driver, Step.COOL_DOWN)
    driver.text("a" * 5000)
    assert case.answers.vented == ["a" * MAX_TEXT_LENGTH]
    assert driver.said("coach-too-long", limit=MAX_TEXT_LENGTH)


@pytest.mark.parametrize("step", ACTIVE_STEPS)
@pytest.mark.parametrize("kind", ["photo", "sticker", "voice", "document"])
def test_unsupported_input_repeats_the_question(driver: FlowDriver, step: Step, kind: str) -> None:
    case = at(driver, step)
    before = snapshot(case)
    result = driver.unsupported(kind)
    assert snapshot(case) == before and result.case is case
    assert driver.said("coach-text-only") and driver.said(prompt_key(step))


# ---------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("abc", "money-error-garbage"),
        ("-100", "money-error-negative"),
        ("0", "money-error-zero-price"),
        ("12 apples", "money-error-garbage"),
        ("1,5555", "money-error-too-many-decimals"),
    ],
)
def test_bad_price_reprompts_with_the_reason(driver: FlowDriver, typed: str, key: str) -> None:
    case = at(driver, Step.PRICE)
    before = snapshot(case)
    driver.text(typed)
    assert snapshot(case) == before
    assert driver.said(key, example="1200") and driver.said("coach-price-prompt")


def test_deposit_above_price_is_refused(driver: FlowDriver) -> None:
    case = at(driver, Step.DEPOSIT)
    driver.text("5000")
    assert case.step is Step.DEPOSIT and case.answers.deposit is None
    # The price is shown as the user knows it, formatted for the language.
    price = format_money(Decimal(1200), "EUR", language=driver.language)
    assert driver.said("money-error-deposit-above-price", example=price)
    assert "1200.00" not in driver.text_of()
    driver.text("-3")
    assert driver.said("money-error-negative", example="1200")
    driver.text("1200")
    assert case.step is Step.TALK and case.answers.deposit == Decimal("1200.00")


def test_deposit_question_names_the_price_in_its_currency(driver: FlowDriver) -> None:
    drive_to(driver, Step.PRICE)
    driver.text("1 200 USD")
    assert driver.case is not None and driver.case.step is Step.DEPOSIT
    price = format_money(Decimal(1200), "USD", language=driver.language)
    assert driver.said("coach-payment-price", price=price)
    # No euro example under a dollar order: typing it would be refused.
    assert "€" not in driver.text_of()


def test_deposit_in_another_currency_is_refused(driver: FlowDriver) -> None:
    case = at(driver, Step.PRICE)
    driver.text("1 200 EUR")  # the currency named: a deposit in dollars contradicts it
    driver.text("$300")
    assert case.step is Step.DEPOSIT and case.answers.deposit is None
    assert driver.said("coach-currency-mismatch", currency="EUR")


def test_unusable_percent_without_a_price(driver: FlowDriver) -> None:
    case = at(driver, Step.CONTINUE_MODE)
    case.answers.price = None
    driver.press_key("coach-btn-deduct")
    driver.text("20 %")
    assert case.step is Step.UNUSABLE
    assert driver.said("money-error-share-needs-price", example="300")
