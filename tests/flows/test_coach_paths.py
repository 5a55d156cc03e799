"""Every path of the conversation, in both languages, asserting on replies and the case."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from flows.case import (
    CaseStatus,
    Channel,
    ContinueMode,
    Intermediary,
    Mood,
    PaymentVariant,
    Problem,
    Solution,
    Step,
    Tone,
)
from flows.i18n import t
from flows.io import (
    CancelReminders,
    ChoiceOutcome,
    Draft,
    DraftKind,
    ReminderKind,
    ScheduleReminder,
)
from flows.money import format_money
from tests.helpers.flow_driver import FlowDriver, client_said, drive_to, localised


def money(driver: FlowDriver, amount: str, currency: str = "EUR") -> str:
    return format_money(Decimal(amount), currency, language=driver.language)


def answer_facts(
    driver: FlowDriver,
    *,
    intermediary: str = "coach-btn-direct",
    channel: str = "coach-btn-calls",
    price: str = "1 200",
    deposit: str = "400",
) -> None:
    """From CLIENT_NAME to TALK with typical answers."""
    driver.text("ACME Ltd")
    driver.text("Maria")  # the contact person, asked since ACME Ltd is a company
    driver.text(localised("a logo and business cards", driver.language))
    driver.text(client_said(driver.language))
    driver.press_key(intermediary)
    if intermediary != "coach-btn-direct":
        driver.text("Petra")  # the contact at the agency or the colleague
    driver.press_key(channel)
    driver.text(price)  # the currency comes with the price (a bare number: EUR)
    driver.text(deposit)


# ---------------------------------------------------------------------- step 0 and 1


def test_first_message_greets_and_asks_the_mood(driver: FlowDriver) -> None:
    result = driver.text("hello")
    assert driver.case is not None and result.case is driver.case
    assert driver.case.step is Step.CALM and driver.case.turn == 1
    assert driver.said("coach-start-prompt")
    assert driver.said("coach-calm-prompt")
    assert driver.labels() == [
        t(driver.language, "coach-btn-calm"),
        t(driver.language, "coach-btn-upset"),
    ]


def test_any_first_input_starts_a_case(driver: FlowDriver) -> None:
    driver.unsupported("sticker")
    assert driver.case is not None and driver.case.step is Step.CALM
    assert driver.said("coach-text-only") and driver.said("coach-start-prompt")


def test_calm_path_goes_to_the_facts(driver: FlowDriver) -> None:
    driver.text("hi")
    result = driver.press_key("coach-btn-calm")
    assert result.choice is ChoiceOutcome.ACCEPTED
    assert result.chosen_label == t(driver.language, "coach-btn-calm")
    assert driver.case is not None
    assert driver.case.answers.mood is Mood.CALM
    assert driver.case.step is Step.CLIENT_NAME
    assert driver.said("coach-client-name-prompt")


def test_upset_path_cools_down_vents_privately_and_reminds(driver: FlowDriver) -> None:
    driver.text("hi")
    driver.press_key("coach-btn-upset")
    assert driver.case is not None and driver.case.step is Step.COOL_DOWN
    assert driver.case.answers.mood is Mood.UPSET
    assert driver.said("coach-cool-down-tip") and driver.said("coach-cool-down-prompt")

    driver.text("They are impossible, I am furious!")
    assert driver.case.answers.vented == ["They are impossible, I am furious!"]
    assert driver.said("coach-cool-down-vented-1")
    assert driver.case.step is Step.COOL_DOWN

    result = driver.press_key("coach-btn-remind-15")
    assert result.effects == [ScheduleReminder(ReminderKind.COOL_DOWN, timedelta(minutes=15))]
    assert driver.said("coach-cool-down-r15")
    result = driver.press_key("coach-btn-remind-60")
    assert result.effects == [ScheduleReminder(ReminderKind.COOL_DOWN, timedelta(hours=1))]
    assert driver.said("coach-cool-down-r60")

    reminder = driver.reminder(ReminderKind.COOL_DOWN)
    assert reminder.case is driver.case and reminder.choice is None
    assert driver.said("coach-reminder-cool-down") and driver.said("coach-cool-down-prompt")

    result = driver.press_key("coach-btn-ready")
    assert CancelReminders(ReminderKind.COOL_DOWN) in result.effects
    assert driver.case.step is Step.CLIENT_NAME
    # Finish the case: the vented text is in no draft and no export.
    answer_facts(driver)
    driver.press_key("coach-btn-call-arranged")
    driver.press_key("coach-btn-problem-style")
    driver.press_key("coach-btn-skip")
    driver.press_key("coach-btn-part-ways")
    driver.press_key("coach-btn-pay-keep-deposit")
    export = driver.coach.render_export(driver.case, language=driver.language)
    driver.press_key("coach-btn-done")
    texts = [o.text for o in driver.all_outgoing() if o.__class__.__name__ == "Draft"]
    texts += [o.text for o in export]
    assert texts
    assert all("furious" not in text for text in texts)


# ---------------------------------------------------------------------- step 2


def test_facts_are_stored_as_they_come(driver: FlowDriver) -> None:
    drive_to(driver, Step.CLIENT_NAME)
    answer_facts(driver, intermediary="coach-btn-freelancer", channel="coach-btn-writing")
    case = driver.case
    assert case is not None and case.step is Step.TALK
    a = case.answers
    assert a.client_name == "ACME Ltd"
    assert a.contact_name == "Maria"
    assert a.delivery == localised("a logo and business cards", driver.language)
    assert a.client_said == client_said(driver.language)
    assert a.intermediary is Intermediary.FREELANCER
    assert a.intermediary_contact == "Petra"
    assert a.channel is Channel.WRITING
    assert (a.currency, a.currency_given) == ("EUR", False)
    assert a.price == Decimal("1200.00")
    assert a.deposit == Decimal("400.00")
    assert case.trail[-9:] == [
        Step.CLIENT_NAME,
        Step.CONTACT_NAME,
        Step.DELIVERY,
        Step.CLIENT_SAID,
        Step.INTERMEDIARY,
        Step.INTERMEDIARY_CONTACT,
        Step.CHANNEL,
        Step.PRICE,
        Step.DEPOSIT,
    ]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1200", "1200"),
        ("1 200,50", "1200.50"),
        ("1.200,50 лв", "1200.50"),
        ("€500", "500"),
        ("500 EUR", "500"),
    ],
)
def test_flow_md_amounts_are_accepted(driver: FlowDriver, typed: str, expected: str) -> None:
    drive_to(driver, Step.PRICE)
    driver.text(typed)
    assert driver.case is not None and driver.case.step is Step.DEPOSIT
    assert driver.case.answers.price == Decimal(expected)


def test_price_in_another_currency_switches_the_case_currency(driver: FlowDriver) -> None:
    drive_to(driver, Step.PRICE)
    driver.text("1.200,50 лв")
    assert driver.case is not None and driver.case.answers.currency == "BGN"
    assert driver.said("coach-currency-set", currency="BGN")


@pytest.mark.parametrize("code", ["BGN", "USD", "GBP"])
def test_currency_buttons(driver: FlowDriver, code: str) -> None:
    drive_to(driver, Step.CURRENCY)
    driver.press_key(f"coach-btn-currency-{code.lower()}")
    assert driver.case is not None and driver.case.answers.currency == code


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("1 200 лв", "BGN"),
        ("1200 leva", "BGN"),
        ("1 200 лева", "BGN"),
        ("BGN 1200", "BGN"),
        ("€500", "EUR"),
        ("500 euro", "EUR"),
        ("500 евро", "EUR"),
        ("$500", "USD"),
        ("500 dollars", "USD"),
        ("500 долара", "USD"),
        ("£500", "GBP"),
        ("500 pounds", "GBP"),
        ("500 паунда", "GBP"),
    ],
)
def test_the_price_names_the_currency(driver: FlowDriver, typed: str, code: str) -> None:
    drive_to(driver, Step.PRICE)
    driver.text(typed)
    case = driver.case
    assert case is not None and case.step is Step.DEPOSIT
    assert (case.answers.currency, case.answers.currency_given) == (code, True)
    assert not driver.said("coach-currency-assumed", currency=code)


def test_a_bare_price_assumes_euros_once(driver: FlowDriver) -> None:
    drive_to(driver, Step.PRICE)
    assert driver.said("coach-price-example-any")
    driver.text("1 200")
    assert driver.said("coach-currency-assumed", currency="EUR")
    driver.text("400")  # the deposit, bare too: not said again
    assert not driver.said("coach-currency-assumed", currency="EUR")
    assert driver.case is not None and driver.case.answers.currency == "EUR"


def test_a_skipped_price_assumes_euros_at_the_deposit(driver: FlowDriver) -> None:
    drive_to(driver, Step.PRICE)
    driver.press_key("coach-btn-skip")
    driver.text("400")
    assert driver.said("coach-currency-assumed", currency="EUR")


def test_the_deposit_can_name_the_currency_of_a_bare_price(driver: FlowDriver) -> None:
    drive_to(driver, Step.PRICE)
    driver.text("1 200")
    driver.text("400 лв")
    case = driver.case
    assert case is not None and case.step is Step.TALK
    assert (case.answers.currency, case.answers.deposit) == ("BGN", Decimal("400.00"))
    assert driver.said("coach-currency-set", currency="BGN")


def test_the_price_example_follows_the_currency_and_the_locale(driver: FlowDriver) -> None:
    drive_to(driver, Step.PRICE)
    driver.text("1 200 лв")
    driver.command("back")
    example = format_money(Decimal("1200.50"), "BGN", language=driver.language)
    assert driver.said("coach-price-example", example=example)
    assert example == ("1\xa0200,50\xa0лв." if driver.language == "bg" else "1,200.50\xa0BGN")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("лв", "BGN"),
        ("лева", "BGN"),
        ("лв.", "BGN"),
        ("BGN", "BGN"),
        ("€", "EUR"),
        ("eur", "EUR"),
        ("euro", "EUR"),
        ("евро", "EUR"),
        ("$", "USD"),
        ("usd", "USD"),
        ("dollars", "USD"),
        ("долара", "USD"),
        ("£", "GBP"),
        ("gbp", "GBP"),
        ("pounds", "GBP"),
        ("паунда", "GBP"),
    ],
)
def test_a_currency_typed_as_a_word_or_sign(driver: FlowDriver, typed: str, code: str) -> None:
    drive_to(driver, Step.CURRENCY)
    driver.text(typed)
    assert driver.case is not None and driver.case.answers.currency == code
    assert driver.case.step is Step.REPLY  # the currency is changed from "Change facts"


def test_an_unknown_currency_word_asks_again(driver: FlowDriver) -> None:
    drive_to(driver, Step.CURRENCY)
    driver.text("yen")
    assert driver.case is not None and driver.case.step is Step.CURRENCY
    assert driver.said("coach-currency-unknown")


def test_no_deposit_button(driver: FlowDriver) -> None:
    drive_to(driver, Step.DEPOSIT)
    driver.press_key("coach-btn-no-deposit")
    assert driver.case is not None and driver.case.answers.deposit == Decimal("0")
    assert driver.case.step is Step.TALK


def test_every_fact_skipped_leaves_no_holes_in_any_draft(driver: FlowDriver) -> None:
    drive_to(driver, Step.CLIENT_NAME)
    for _ in range(3):
        driver.press_key("coach-btn-skip")
    assert driver.case is not None and driver.case.step is Step.INTERMEDIARY
    driver.text(t(driver.language, "coach-btn-skip").upper())  # typed, upper case
    assert driver.case.step is Step.CHANNEL
    driver.text("skip" if driver.language == "bg" else "пропусни")  # the other language
    assert driver.case.step is Step.PRICE  # the currency comes with the price
    driver.press_key("coach-btn-skip")
    driver.press_key("coach-btn-skip")
    a = driver.case.answers
    assert driver.case.step is Step.TALK
    assert (a.client_name, a.delivery, a.client_said, a.intermediary, a.channel) == (None,) * 5
    assert (a.price, a.deposit, a.currency) == (None, None, "EUR")
    assert driver.said("coach-talk-direct")
    assert not driver.drafts()
    skipped = driver.press_key("coach-btn-skip")
    assert not skipped.effects and driver.case.step is Step.PROBLEM
    assert driver.said("coach-question-get-words")
    driver.press_key("coach-btn-problem-scope")
    driver.press_key("coach-btn-skip")
    driver.press_key("coach-btn-part-ways")
    driver.press_key("coach-btn-pay-kill-fee")
    driver.press_key("coach-btn-share-30")
    driver.press_key("coach-btn-no")
    assert driver.said(
        "coach-settle-kill-fee-no-price", share="30\xa0%" if driver.language == "bg" else "30%"
    )
    driver.press_key("coach-btn-done")
    drafts = [o for o in driver.all_outgoing() if o.__class__.__name__ == "Draft"]
    assert {d.kind for d in drafts} == {DraftKind.REPLY, DraftKind.CONTRACT_CLAUSE}
    for draft in drafts:
        assert "None" not in draft.text and "{" not in draft.text and "$" not in draft.text


# ---------------------------------------------------------------------- step 3


@pytest.mark.parametrize(
    ("intermediary", "channel", "advice", "draft"),
    [
        ("coach-btn-agency", "coach-btn-writing", "coach-talk-agency", True),
        ("coach-btn-agency", "coach-btn-calls", "coach-talk-agency", True),
        ("coach-btn-freelancer", "coach-btn-calls", "coach-talk-freelancer", True),
        ("coach-btn-direct", "coach-btn-writing", "coach-talk-writing", True),
        ("coach-btn-direct", "coach-btn-calls", "coach-talk-direct", False),
    ],
)
def test_talk_advice_depends_on_who_and_how(
    driver: FlowDriver, intermediary: str, channel: str, advice: str, draft: bool
) -> None:
    drive_to(driver, Step.CLIENT_NAME)
    answer_facts(driver, intermediary=intermediary, channel=channel)
    assert driver.case is not None and driver.case.step is Step.TALK
    assert driver.said(advice)
    assert driver.said("coach-talk-prompt")
    drafts = driver.drafts()
    assert [d.kind for d in drafts] == ([DraftKind.CALL_REQUEST] if draft else [])
    # The question with the buttons comes after the draft.
    assert driver.last.outgoing[-1] is driver.keyboard


def test_follow_up_reminder(driver: FlowDriver) -> None:
    drive_to(driver, Step.TALK)
    result = driver.press_key("coach-btn-follow-up")
    assert result.effects == [ScheduleReminder(ReminderKind.FOLLOW_UP, timedelta(days=1))]
    # The coach pauses until the call happened: no questions about it yet.
    assert driver.case is not None and driver.case.step is Step.TALK
    assert driver.said("coach-talk-follow-up-set") and driver.said("coach-reminder-where-chat")
    assert driver.said("coach-talk-waiting-prompt") and not driver.said("coach-problem-prompt")
    assert driver.labels() == [
        t(driver.language, "coach-btn-talked-now"),
        t(driver.language, "coach-btn-skip"),
    ]
    driver.reminder(ReminderKind.FOLLOW_UP)
    assert driver.said("coach-reminder-follow-up") and driver.said("coach-talk-waiting-prompt")
    result = driver.press_key("coach-btn-talked-now")
    assert result.effects == [CancelReminders(ReminderKind.FOLLOW_UP)]
    assert driver.case.step is Step.PROBLEM and not driver.case.answers.awaiting_call
    assert driver.said("coach-talk-talked") and driver.said("coach-problem-prompt")


# ---------------------------------------------------------------------- step 4


def test_checklist_adapts_to_what_the_client_said(driver: FlowDriver) -> None:
    drive_to(driver, Step.CLIENT_SAID)
    driver.text("The style is not what I imagined")
    driver.press_key("coach-btn-direct")
    driver.press_key("coach-btn-calls")
    driver.press_key("coach-btn-skip")
    driver.press_key("coach-btn-skip")
    driver.press_key("coach-btn-call-arranged")
    assert driver.said("coach-problem-intro")
    assert driver.said("coach-question-style") and driver.said("coach-question-picture")
    assert driver.said("coach-question-their-words", quote="The style is not what I imagined")
    assert not driver.said("coach-question-end-client")
    assert not driver.said("coach-question-get-words")


def test_checklist_with_an_intermediary_asks_about_the_end_client(driver: FlowDriver) -> None:
    drive_to(driver, Step.PROBLEM)
    assert driver.said("coach-question-end-client")
    assert driver.said("coach-question-looking-for")


@pytest.mark.parametrize("problem", ["brief", "style", "scope", "plans"])
def test_problem_then_optional_details(driver: FlowDriver, problem: str) -> None:
    drive_to(driver, Step.PROBLEM)
    driver.press_key(f"coach-btn-problem-{problem}")
    assert driver.case is not None and driver.case.answers.problem is Problem(problem)
    assert driver.case.step is Step.PROBLEM_DETAILS
    driver.text("The colours must be warmer")
    assert driver.case.answers.problem_details == "The colours must be warmer"
    assert driver.case.step is Step.SOLUTION
    assert driver.said("coach-solution-prompt")


def test_still_unclear_loops_to_more_questions_then_to_the_talk(driver: FlowDriver) -> None:
    drive_to(driver, Step.PROBLEM)
    driver.press_key("coach-btn-problem-unclear")
    case = driver.case
    assert case is not None and case.step is Step.PROBLEM and case.answers.unclear_rounds == 1
    assert driver.said("coach-problem-more-intro") and driver.said("coach-question-more-keep")
    driver.press_key("coach-btn-problem-unclear")
    assert case.step is Step.TALK and case.answers.unclear_rounds == 2
    assert driver.said("coach-problem-unclear-talk") and driver.said("coach-talk-agency")
    driver.press_key("coach-btn-call-arranged")
    assert case.step is Step.PROBLEM and driver.said("coach-problem-intro")
    driver.press_key("coach-btn-problem-plans")
    assert case.answers.problem is Problem.PLANS


# ---------------------------------------------------------------------- step 5


def test_redo_suggests_criteria_and_asks_for_a_deadline(driver: FlowDriver) -> None:
    drive_to(driver, Step.SOLUTION)
    driver.press_key("coach-btn-redo")
    assert driver.case is not None and driver.case.answers.solution is Solution.REDO
    assert driver.said("coach-solution-redo") and driver.said("coach-deadline-prompt")
    driver.text("by 15 March")
    assert driver.case.answers.deadline == "by 15 March"
    assert driver.case.step is Step.PAYMENT
    # Redo suggests variant 3.
    assert driver.button(t(driver.language, "coach-btn-pay-continue")).label.startswith("★ ")
    assert driver.said("coach-payment-suggested")


def test_who_pays_shows_the_price_and_the_deposit(driver: FlowDriver) -> None:
    drive_to(driver, Step.PAYMENT)
    # Route: 1 200 € price, 400 € deposit — the numbers the variants are about.
    assert driver.said("coach-payment-price", price=money(driver, "1200"))
    assert driver.said("coach-payment-deposit", deposit=money(driver, "400"))
    assert driver.case is not None
    driver.case.answers.deposit = Decimal(0)
    driver.case.answers.price = None
    driver.text("?")
    assert driver.said("coach-payment-no-deposit") and driver.said("coach-payment-prompt")
    assert t(driver.language, "coach-payment-price", price="").rstrip() not in driver.text_of()


def test_part_ways_goes_straight_to_who_pays(driver: FlowDriver) -> None:
    drive_to(driver, Step.SOLUTION)
    driver.press_key("coach-btn-part-ways")
    assert driver.case is not None and driver.case.answers.solution is Solution.PART_WAYS
    assert driver.said("coach-solution-part")
    assert driver.case.step is Step.PAYMENT
    # Deposit 400 received: variant 1 is suggested, and only one is starred.
    stars = [label for label in driver.labels() if label.startswith("★ ")]
    assert stars == ["★ " + t(driver.language, "coach-btn-pay-keep-deposit")]


# ---------------------------------------------------------------------- step 6


def _to_payment(
    driver: FlowDriver,
    *,
    price: str = "1 200",
    deposit: str = "400",
    solution: str = "coach-btn-part-ways",
) -> None:
    drive_to(driver, Step.CLIENT_NAME)
    answer_facts(driver, price=price, deposit=deposit)
    driver.press_key("coach-btn-call-arranged")
    driver.press_key("coach-btn-problem-brief")
    driver.press_key("coach-btn-skip")
    driver.press_key(solution)
    if solution == "coach-btn-redo":
        driver.press_key("coach-btn-skip")  # no new deadline
    assert driver.case is not None and driver.case.step is Step.PAYMENT


def test_variant_1_keep_the_deposit(driver: FlowDriver) -> None:
    _to_payment(driver)
    driver.press_key("coach-btn-pay-keep-deposit")
    assert driver.case is not None and driver.case.step is Step.REPLY
    assert driver.case.answers.payment_variant is PaymentVariant.KEEP_DEPOSIT
    assert driver.said("coach-settle-keep-deposit", deposit=money(driver, "400"))
    assert driver.said("coach-reply-tips")
    assert [d.kind for d in driver.drafts()] == [DraftKind.REPLY]


def test_variant_1_without_a_deposit_says_so(driver: FlowDriver) -> None:
    _to_payment(driver, deposit="0")
    assert driver.button(t(driver.language, "coach-btn-pay-kill-fee")).label.startswith("★ ")
    driver.press_key("coach-btn-pay-keep-deposit")
    assert driver.said("coach-settle-keep-deposit-none")


@pytest.mark.parametrize(
    ("share", "keep", "other_key", "other"),
    [
        ("30", "360", "coach-settle-invoice", {"invoice": "-40"}),
        ("40", "480", "coach-settle-invoice", {"invoice": "80"}),
        ("50", "600", "coach-settle-invoice", {"invoice": "200"}),
    ],
)
@pytest.mark.parametrize("agreed", [True, False])
def test_variant_2_shares(
    driver: FlowDriver, share: str, keep: str, other_key: str, other: dict[str, str], agreed: bool
) -> None:
    _to_payment(driver)
    driver.press_key("coach-btn-pay-kill-fee")
    assert driver.case is not None and driver.case.step is Step.KILL_FEE_SHARE
    driver.press_key(f"coach-btn-share-{share}")
    assert driver.case.answers.kill_fee_percent == Decimal(share)
    assert driver.case.step is Step.KILL_FEE_AGREED
    driver.press_key("coach-btn-yes" if agreed else "coach-btn-no")
    assert driver.case.answers.kill_fee_agreed is agreed
    assert driver.case.step is Step.REPLY
    percent = f"{share}\xa0%" if driver.language == "bg" else f"{share}%"
    assert driver.said(
        "coach-settle-kill-fee",
        share=percent,
        price=money(driver, "1200"),
        keep=money(driver, keep),
    )
    if share == "30":
        assert driver.said(
            "coach-settle-refund", deposit=money(driver, "400"), refund=money(driver, "40")
        )
    else:
        assert driver.said(
            other_key, deposit=money(driver, "400"), invoice=money(driver, other["invoice"])
        )
    assert driver.said("coach-kill-fee-agreed-yes" if agreed else "coach-kill-fee-agreed-no")


def test_flow_md_example_keep_480_invoice_80(driver: FlowDriver) -> None:
    _to_payment(driver)
    driver.press_key("coach-btn-pay-kill-fee")
    driver.press_key("coach-btn-share-40")
    driver.press_key("coach-btn-yes")
    expected_keep = "€480.00" if driver.language == "en" else "480,00\xa0€"
    expected_invoice = "€80.00" if driver.language == "en" else "80,00\xa0€"
    assert expected_keep in driver.text_of() and expected_invoice in driver.text_of()


def test_variant_2_other_share_and_refund(driver: FlowDriver) -> None:
    _to_payment(driver, price="1000", deposit="500")
    driver.press_key("coach-btn-pay-kill-fee")
    driver.press_key("coach-btn-share-other")
    assert driver.case is not None and driver.case.step is Step.KILL_FEE_OTHER
    assert driver.said("coach-kill-fee-other-prompt")
    driver.text("0")
    assert driver.said("money-error-percent-range", example="35")
    assert driver.case.step is Step.KILL_FEE_OTHER
    driver.text("a third")
    assert driver.said("money-error-percent-garbage", example="35")
    driver.text("35 %")
    assert driver.case.answers.kill_fee_percent == Decimal("35")
    driver.press_key("coach-btn-no")
    assert driver.said(
        "coach-settle-refund", deposit=money(driver, "500"), refund=money(driver, "150")
    )


def test_variant_2_without_deposit_invoices_everything(driver: FlowDriver) -> None:
    _to_payment(driver, deposit="0")
    driver.press_key("coach-btn-pay-kill-fee")
    driver.press_key("coach-btn-share-50")
    driver.press_key("coach-btn-no")
    assert driver.said("coach-settle-invoice-all", invoice=money(driver, "600"))


@pytest.mark.parametrize(
    ("typed", "unusable", "left"), [("25 %", "300", "100"), ("150", "150", "250")]
)
def test_variant_3_deduct_by_percent_or_money(
    driver: FlowDriver, typed: str, unusable: str, left: str
) -> None:
    _to_payment(driver, solution="coach-btn-redo")
    driver.press_key("coach-btn-pay-continue")
    assert driver.case is not None and driver.case.step is Step.CONTINUE_MODE
    driver.press_key("coach-btn-deduct")
    assert driver.case.answers.continue_mode is ContinueMode.DEDUCT
    assert driver.case.step is Step.UNUSABLE
    driver.text("lots")
    assert driver.said("money-error-garbage", example="1200")
    assert driver.case.step is Step.UNUSABLE
    driver.text(typed)
    assert driver.case.answers.unusable_amount == Decimal(unusable)
    assert driver.case.step is Step.REPLY
    assert driver.said(
        "coach-settle-deduct", unusable=money(driver, unusable), left=money(driver, left)
    )


def test_variant_3_deduct_more_than_the_deposit(driver: FlowDriver) -> None:
    _to_payment(driver, solution="coach-btn-redo")
    driver.press_key("coach-btn-pay-continue")
    driver.press_key("coach-btn-deduct")
    driver.text("600")
    assert driver.said(
        "coach-settle-deduct-invoice",
        unusable=money(driver, "600"),
        deposit=money(driver, "400"),
        invoice=money(driver, "200"),
    )
    # Not also "deducted, 0.00 left": the two lines contradicted each other.
    zero_left = {"unusable": money(driver, "600"), "left": money(driver, "0")}
    assert not driver.said("coach-settle-deduct", **zero_left)


def test_variant_3_deduct_without_a_deposit(driver: FlowDriver) -> None:
    _to_payment(driver, deposit="0", solution="coach-btn-redo")
    driver.press_key("coach-btn-pay-continue")
    driver.press_key("coach-btn-deduct")
    driver.text("300")
    assert driver.said("coach-settle-deduct-no-deposit", unusable=money(driver, "300"))
    zero_left = {"unusable": money(driver, "300"), "left": money(driver, "0")}
    assert not driver.said("coach-settle-deduct", **zero_left)


def test_variant_3_absorb(driver: FlowDriver) -> None:
    _to_payment(driver, solution="coach-btn-redo")
    driver.press_key("coach-btn-pay-continue")
    driver.press_key("coach-btn-absorb")
    assert driver.case is not None and driver.case.answers.continue_mode is ContinueMode.ABSORB
    assert driver.case.step is Step.REPLY
    assert driver.said("coach-settle-absorb")


# ---------------------------------------------------------------------- step 7 and 8


def test_reply_tone_and_language_toggles_resend_the_draft(driver: FlowDriver) -> None:
    drive_to(driver, Step.REPLY)
    case = driver.case
    assert case is not None
    first = driver.drafts()[0]
    assert first.kind is DraftKind.REPLY and first.language == driver.language
    driver.press_key("coach-btn-tone-friendly")
    assert case.answers.tone is Tone.FRIENDLY and case.step is Step.REPLY
    assert driver.said("coach-reply-tone-friendly")
    friendly = driver.drafts()[0]
    assert friendly.text != first.text
    assert t(driver.language, "coach-btn-tone-formal") in driver.labels()
    other = "bg" if driver.language == "en" else "en"
    assert t(driver.language, "coach-btn-other-language") not in driver.labels()
    driver.press_key(f"coach-btn-reply-in-{other}")  # the button names its language
    assert case.answers.reply_language == other
    assert driver.said(f"coach-reply-language-{other}")
    driver.skip_reply_facts()  # the facts in the other language are asked again
    assert driver.drafts()[0].language == other
    driver.press_key(f"coach-btn-reply-in-{driver.language}")
    assert case.answers.reply_language == driver.language
    driver.press_key("coach-btn-tone-formal")
    assert case.answers.tone is Tone.FORMAL
    assert driver.drafts()[0].text == first.text


def test_lang_at_the_reply_keeps_the_reply_in_its_language(driver: FlowDriver) -> None:
    drive_to(driver, Step.REPLY)
    first = driver.drafts()[0]
    other = "bg" if driver.language == "en" else "en"
    driver.command("lang")
    assert driver.language == other
    # A tone change re-sends the same reply, not a translation the user didn't ask for.
    driver.press_key("coach-btn-tone-friendly")
    assert driver.drafts()[0].language == first.language
    # The language button switches from the language the user is looking at.
    driver.press_key(f"coach-btn-reply-in-{other}")
    driver.skip_reply_facts()  # the facts in the other language are asked again
    assert driver.drafts()[0].language == other


def test_change_facts_edits_one_fact_and_returns_with_a_fresh_draft(driver: FlowDriver) -> None:
    drive_to(driver, Step.REPLY)
    driver.press_key("coach-btn-change-facts")
    case = driver.case
    assert case is not None and case.step is Step.EDIT_FACTS
    assert driver.said("coach-edit-facts-prompt")
    driver.press_key("coach-btn-edit-client-name")
    assert case.step is Step.CLIENT_NAME and case.answers.editing
    driver.text("Globex")
    assert case.step is Step.REPLY and not case.answers.editing
    assert case.answers.client_name == "Globex"
    assert "Globex" in driver.drafts()[0].text
    # A money fact: the price, validated against the deposit.
    driver.press_key("coach-btn-change-facts")
    driver.press_key("coach-btn-edit-price")
    driver.text("300")
    assert case.step is Step.PRICE
    # Below the deposit: the price step names the deposit, not a deposit re-prompt.
    deposit = format_money(Decimal(400), "EUR", language=driver.language)
    assert driver.said("money-error-price-below-deposit", example=deposit)
    assert driver.said("coach-price-prompt")
    driver.text("2000")
    assert case.step is Step.REPLY and case.answers.price == Decimal("2000.00")
    # A multi-step fact: the problem, through its details.
    driver.press_key("coach-btn-change-facts")
    driver.press_key("coach-btn-edit-problem")
    driver.press_key("coach-btn-problem-scope")
    driver.text("Още две страници" if driver.language == "bg" else "Two more pages")
    assert case.step is Step.REPLY and case.answers.problem is Problem.SCOPE
    # The payment: through its sub-choices back to the reply.
    driver.press_key("coach-btn-change-facts")
    driver.press_key("coach-btn-edit-payment")
    driver.press_key("coach-btn-pay-keep-deposit")
    assert case.step is Step.REPLY
    assert case.answers.payment_variant is PaymentVariant.KEEP_DEPOSIT
    # Back to the reply without changing anything.
    driver.press_key("coach-btn-change-facts")
    driver.press_key("coach-btn-back-to-reply")
    assert case.step is Step.REPLY


@pytest.mark.parametrize(
    ("key", "step"),
    [
        ("coach-btn-edit-delivery", Step.DELIVERY),
        ("coach-btn-edit-client-said", Step.CLIENT_SAID),
        ("coach-btn-edit-intermediary", Step.INTERMEDIARY),
        ("coach-btn-edit-channel", Step.CHANNEL),
        ("coach-btn-edit-currency", Step.CURRENCY),
        ("coach-btn-edit-deposit", Step.DEPOSIT),
        ("coach-btn-edit-solution", Step.SOLUTION),
    ],
)
def test_every_fact_in_the_menu_returns_to_the_reply(
    driver: FlowDriver, key: str, step: Step
) -> None:
    drive_to(driver, Step.EDIT_FACTS)
    driver.press_key(key)
    assert driver.case is not None and driver.case.step is step
    driver.press(driver.labels()[0])
    if driver.case.step is Step.DEADLINE:  # redo asks for the deadline first
        driver.press_key("coach-btn-skip")
    if driver.case.step is Step.PAYMENT:  # the new solution contradicts the payment
        driver.press_key("coach-btn-pay-continue")
        driver.press_key("coach-btn-absorb")
    assert driver.case.step is Step.REPLY


def test_done_summarises_closes_and_hands_over_the_clause(driver: FlowDriver) -> None:
    drive_to(driver, Step.REPLY)
    case = driver.case
    result = driver.press_key("coach-btn-done")
    assert result.case is None and driver.case is None
    assert result.closed == [case] and case is not None and case.status is CaseStatus.DONE
    assert case.step is Step.DONE
    assert (
        driver.said("coach-done-prompt")
        and driver.said("coach-done-tip")
        and driver.said("coach-done-bye")
    )
    assert "ACME Ltd" in driver.text_of()
    # The payment line names what was decided as a noun phrase, not the button's answer.
    variant = t(driver.language, "coach-fact-pay-kill-fee")
    assert f"{t(driver.language, 'coach-field-payment')}: {variant}" in driver.text_of()
    button = t(driver.language, "coach-btn-pay-kill-fee").removeprefix("2. ")
    assert f"{t(driver.language, 'coach-field-payment')}: {button}" not in driver.text_of()
    assert [d.kind for d in driver.drafts()] == [DraftKind.CONTRACT_CLAUSE]
    # Any message now starts a new case.
    driver.text("again")
    assert driver.case is not None and driver.case.id != case.id and driver.case.step is Step.CALM


def test_done_summary_shortens_a_long_pasted_message(driver: FlowDriver) -> None:
    drive_to(driver, Step.REPLY)
    assert driver.case is not None
    pasted = "word " * 200
    driver.case.answers.client_said = pasted.strip()
    driver.press_key("coach-btn-done")
    summary = driver.text_of()
    assert pasted.strip() not in summary and "…" in summary
    assert max(len(line) for line in summary.splitlines()) < 300


# ---------------------------------------------------------------------- other methods


def test_reminders_when_the_case_moved_on_or_is_gone(driver: FlowDriver) -> None:
    drive_to(driver, Step.DELIVERY)
    driver.reminder(ReminderKind.COOL_DOWN)
    assert driver.said("coach-reminder-generic") and driver.said("coach-delivery-prompt")
    driver.reminder(ReminderKind.FOLLOW_UP)
    assert driver.said("coach-reminder-generic")
    driver.command("cancel")
    result = driver.reminder(ReminderKind.FOLLOW_UP)
    assert result.case is None
    assert driver.said("coach-reminder-no-case")


def test_history_newest_first(driver: FlowDriver) -> None:
    lang = driver.language
    drive_to(driver, Step.REPLY)
    done = driver.case
    driver.press_key("coach-btn-done")
    driver.text("new")
    active = driver.case
    assert done is not None and active is not None
    [reply] = driver.coach.render_history([active, done], language=lang)
    assert reply.title == t(lang, "coach-history-title")
    lines = reply.text.splitlines()
    assert lines[0] == t(
        lang,
        "coach-history-line",
        number=1,
        client=t(lang, "coach-history-no-client"),
        step=t(lang, "coach-step-calm"),
        status=t(lang, "coach-status-active"),
    )
    # A finished case shows its status once, not "closed (closed)".
    assert lines[1] == t(
        lang,
        "coach-history-line-done",
        number=2,
        client="ACME Ltd",
        status=t(lang, "coach-status-done"),
    )
    [empty] = driver.coach.render_history([], language=lang)
    assert empty.text == t(lang, "coach-history-empty")


def test_export_is_markdown_without_the_vented_text(driver: FlowDriver) -> None:
    lang = driver.language
    drive_to(driver, Step.COOL_DOWN)
    driver.text("secret rant")
    driver.press_key("coach-btn-ready")
    answer_facts(driver)
    driver.press_key("coach-btn-call-arranged")
    driver.press_key("coach-btn-problem-brief")
    driver.text("line one\nline two")
    [draft] = driver.coach.render_export(driver.case, language=lang)
    assert isinstance(draft, Draft)
    assert draft.kind is DraftKind.EXPORT and draft.language == lang
    assert draft.title == t(lang, "coach-export-title")
    assert draft.text.startswith(f"# {t(lang, 'coach-export-title')}: ACME Ltd")
    assert f"- **{t(lang, 'coach-field-client')}:** ACME Ltd" in draft.text
    assert "  > line one\n  > line two" in draft.text
    assert "secret rant" not in draft.text
    [none] = driver.coach.render_export(None, language=lang)
    assert none.text == t(lang, "coach-export-none")


def test_after_delete_and_unavailable(driver: FlowDriver) -> None:
    lang = driver.language
    [deleted] = driver.coach.after_delete(language=lang)
    assert deleted.text == t(lang, "coach-after-delete")
    [down] = driver.coach.unavailable(language="bg-BG" if lang == "bg" else "fr")
    assert down.text == t(lang, "coach-unavailable")


def test_a_stored_case_at_start_begins_on_any_text(driver: FlowDriver) -> None:
    drive_to(driver, Step.START)
    driver.text("hello")
    assert driver.case is not None and driver.case.step is Step.CALM
    drive_to(driver, Step.START)
    driver.command("start")
    assert driver.text_of().count(t(driver.language, "coach-start-prompt")) == 1
    driver.press_key("coach-btn-begin")
    assert driver.case is not None and driver.case.step is Step.CALM


@pytest.mark.parametrize(
    "payment",
    [
        ("coach-btn-pay-keep-deposit",),
        ("coach-btn-pay-kill-fee", "coach-btn-share-30", "coach-btn-yes"),
        ("coach-btn-pay-kill-fee", "coach-btn-share-50", "coach-btn-no"),
        ("coach-btn-pay-continue", "coach-btn-absorb"),
        ("coach-btn-pay-continue", "coach-btn-deduct", "text:20 %"),
    ],
)
@pytest.mark.parametrize("solution", ["coach-btn-redo", "coach-btn-part-ways"])
def test_every_message_is_complete_and_fits_the_platforms(
    driver: FlowDriver, payment: tuple[str, ...], solution: str
) -> None:
    drive_to(driver, Step.PROBLEM_DETAILS)
    driver.press_key("coach-btn-skip")
    driver.press_key(solution)
    if solution == "coach-btn-redo":
        driver.text("до 5 работни дни" if driver.language == "bg" else "in 5 working days")
    for step in payment:
        if step.startswith("text:"):
            driver.text(step.removeprefix("text:"))
        else:
            driver.press_key(step)
        if driver.case is not None and driver.case.step is Step.PAYMENT_CONFIRM:
            driver.press(driver.labels()[0])  # yes: the solution follows the payment
    driver.press_key("coach-btn-tone-friendly")
    other = "bg" if driver.language == "en" else "en"
    driver.press_key(f"coach-btn-reply-in-{other}")
    driver.skip_reply_facts()  # the facts in the other language are asked again
    driver.press_key("coach-btn-done")
    assert driver.case is None and driver.closed[-1].status is CaseStatus.DONE
    outgoing = driver.all_outgoing()
    for out in outgoing:
        assert out.text.strip()
        for marker in ("None", "{ $", "{$", "}"):
            assert marker not in out.text, (marker, out.text)
        for row in getattr(out, "buttons", ()):
            assert 1 <= len(row) <= 4
            for button in row:
                assert 1 <= len(button.label) <= 75
    clauses = driver.drafts(driver.results[-1])
    assert [o.kind for o in clauses] == [DraftKind.CONTRACT_CLAUSE] * 2
    # The reply is in the other language: the clause comes in it and in the coach's (D28).
    assert [o.language for o in clauses] == [other, driver.language]
