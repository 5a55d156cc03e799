"""Step 2, the money facts: currency, price and deposit."""

from __future__ import annotations

from decimal import Decimal

from flows.case import CURRENCIES, Answers, Step
from flows.i18n import t
from flows.money import (
    AmountError,
    format_money,
    parse_amount,
    parse_currency,
    validate_deposit,
    validate_price,
)
from flows.prompts import Choice
from flows.steps.spec import ANSWER, KEEP, SKIP, Edge, StepSpec, keep_and_skip, standard_question
from flows.turn import Turn


def amount_error(turn: Turn, err: AmountError) -> None:
    """Say why a typed amount was refused (the question follows)."""
    turn.note(err.key, example=err.example)


def _money(answers: Answers, amount: Decimal | None, language: str) -> str | None:
    return None if amount is None else format_money(amount, answers.currency, language=language)


# ---------------------------------------------------------------------- currency


def _currency_choices(_answers: Answers) -> list[list[Choice]]:
    row = [Choice(code.lower(), f"coach-btn-currency-{code.lower()}") for code in CURRENCIES]
    return [row, [Choice(SKIP, "coach-btn-skip")]]


def _press_currency(turn: Turn, token: str) -> str:
    assert turn.case is not None
    if token != SKIP:
        turn.case.answers.currency = token.upper()
        turn.case.answers.currency_given = True
    return ANSWER


def _type_currency(turn: Turn, text: str) -> str | None:
    """A currency typed as a word or sign: "лв", "€", "dollars", "GBP"."""
    currency = parse_currency(text)
    if currency is None or currency not in CURRENCIES:
        turn.note("coach-currency-unknown")
        return None
    return _press_currency(turn, currency.lower())


def _take_currency(turn: Turn, currency: str | None) -> None:
    """Follow the currency an amount was typed with, or say once which one is assumed."""
    assert turn.case is not None
    answers = turn.case.answers
    if currency is not None and currency in CURRENCIES:
        if currency != answers.currency:
            answers.currency = currency
            turn.note("coach-currency-set", currency=currency)
        answers.currency_given = True
    elif answers.currency_given is None:
        answers.currency_given = False
        turn.note("coach-currency-assumed", currency=answers.currency)


def _amount_example(answers: Answers, language: str) -> str:
    """The example under the price question: in the chosen currency, else several."""
    if answers.currency_given:
        example = format_money(Decimal("1200.50"), answers.currency, language=language)
        return t(language, "coach-price-example", example=example)
    return t(language, "coach-price-example-any")


# ---------------------------------------------------------------------- price


def _price_known(answers: Answers) -> bool:
    return answers.price is not None


def _press_price(turn: Turn, token: str) -> str:
    assert turn.case is not None
    if token != KEEP:
        turn.case.answers.price = None
    return ANSWER


def _type_price(turn: Turn, text: str) -> str | None:
    assert turn.case is not None
    answers = turn.case.answers
    try:
        amount, currency = parse_amount(text)
        validate_price(amount)
    except AmountError as err:
        amount_error(turn, err)
        return None
    if answers.deposit is not None and answers.deposit > amount:
        # The price is being typed (or edited): name the deposit it is below.
        deposit = format_money(answers.deposit, answers.currency, language=turn.language)
        turn.note("money-error-price-below-deposit", example=deposit)
        return None
    _take_currency(turn, currency)
    answers.price = amount
    return ANSWER


def _price_question(turn: Turn, spec: StepSpec) -> str:
    assert turn.case is not None
    example = _amount_example(turn.case.answers, turn.language)
    return standard_question(turn, spec, after_prompt=[example])


# ---------------------------------------------------------------------- deposit


def _deposit_given(answers: Answers) -> bool:
    return answers.deposit is not None and answers.deposit > 0


def _deposit_choices(answers: Answers) -> list[list[Choice]]:
    keep = [[Choice(KEEP, "coach-btn-keep")]] if _deposit_given(answers) else []
    return [*keep, [Choice("none", "coach-btn-no-deposit")], [Choice(SKIP, "coach-btn-skip")]]


def _press_deposit(turn: Turn, token: str) -> str:
    assert turn.case is not None
    if token != KEEP:
        turn.case.answers.deposit = Decimal("0.00") if token == "none" else None
    return ANSWER


def _type_deposit(turn: Turn, text: str) -> str | None:
    assert turn.case is not None
    answers = turn.case.answers
    try:
        amount, currency = parse_amount(text)
        validate_deposit(amount, answers.price)
    except AmountError as err:
        if err.key == "money-error-deposit-above-price" and answers.price is not None:
            # Show the price as the user knows it: "1 200,50 лв.", not "1200.50".
            price = format_money(answers.price, answers.currency, language=turn.language)
            err = AmountError(err.key, price)
        amount_error(turn, err)
        return None
    if currency is not None and answers.currency_given and currency != answers.currency:
        turn.note("coach-currency-mismatch", currency=answers.currency)
        return None
    _take_currency(turn, currency)
    answers.deposit = amount
    return ANSWER


def _deposit_question(turn: Turn, spec: StepSpec) -> str:
    assert turn.case is not None
    answers = turn.case.answers
    extra = []
    if answers.price is not None:
        # The price shows the deposit's currency and its ceiling ("400 €" misled in USD).
        price = format_money(answers.price, answers.currency, language=turn.language)
        extra.append(turn.t("coach-payment-price", price=price))
    return standard_question(turn, spec, after_prompt=extra)


def _deposit_fact(answers: Answers, language: str) -> str | None:
    if answers.deposit is not None and answers.deposit == 0:
        return t(language, "coach-btn-no-deposit")
    return _money(answers, answers.deposit, language)


SPECS: tuple[StepSpec, ...] = (
    StepSpec(
        step=Step.CURRENCY,
        edges=(Edge(ANSWER, Step.PRICE),),
        choices=_currency_choices,
        on_press=_press_currency,
        on_text=_type_currency,
        field="currency",
        answered=lambda _a: False,
        editable=True,
        returns_when_editing=True,
    ),
    StepSpec(
        step=Step.PRICE,
        edges=(Edge(ANSWER, Step.DEPOSIT),),
        choices=keep_and_skip(_price_known),
        on_press=_press_price,
        on_text=_type_price,
        question=_price_question,
        field="price",
        answered=_price_known,
        current=lambda a, lang: _money(a, a.price, lang),
        field_label="coach-field-price",
        fact=lambda a, lang: _money(a, a.price, lang),
        editable=True,
        returns_when_editing=True,
    ),
    StepSpec(
        step=Step.DEPOSIT,
        edges=(Edge(ANSWER, Step.TALK),),
        choices=_deposit_choices,
        on_press=_press_deposit,
        on_text=_type_deposit,
        question=_deposit_question,
        field="deposit",
        answered=_deposit_given,
        current=lambda a, lang: _money(a, a.deposit, lang),
        field_label="coach-field-deposit",
        fact=_deposit_fact,
        editable=True,
        returns_when_editing=True,
    ),
)
