"""Money maths: parsing, validation, settlement and Babel formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency

from flows.case import Answers, ContinueMode, PaymentVariant, Solution
from flows.i18n import catalog, message_placeables
from flows.money import (
    AmountError,
    format_money,
    format_percent,
    parse_amount,
    parse_percent,
    parse_share,
    validate_deposit,
    validate_price,
)
from flows.settlement import Settlement, settle, suggest_variant

D = Decimal

# --------------------------------------------------------------------------- parse_amount

VALID_AMOUNTS: list[tuple[str, Decimal, str | None]] = [
    # FLOW.md examples
    ("1200", D("1200.00"), None),
    ("1 200,50", D("1200.50"), None),
    ("1.200,50 лв", D("1200.50"), "BGN"),
    ("€500", D("500.00"), "EUR"),
    ("500 EUR", D("500.00"), "EUR"),
    # other currencies and positions
    ("1,200.50", D("1200.50"), None),
    ("$300", D("300.00"), "USD"),
    ("£20", D("20.00"), "GBP"),
    ("300 usd", D("300.00"), "USD"),
    ("лв. 50", D("50.00"), "BGN"),
    ("1200 BGN", D("1200.00"), "BGN"),
    ("1200 лв.", D("1200.00"), "BGN"),
    ("1200лв", D("1200.00"), "BGN"),
    ("500 евро", D("500.00"), "EUR"),
    ("EUR 500", D("500.00"), "EUR"),
    ("€ 500 EUR", D("500.00"), "EUR"),
    ("300 щ.д.", D("300.00"), "USD"),
    # spaces of every kind as thousands separators
    ("12 000", D("12000.00"), None),
    ("12\u00a0000", D("12000.00"), None),
    ("12\u202f000", D("12000.00"), None),
    ("1\u00a0200,00\u00a0€", D("1200.00"), "EUR"),  # Babel's own bg output
    ("€1,200.00", D("1200.00"), "EUR"),  # Babel's own en output
    ("1 200.50", D("1200.50"), None),
    ("1'200", D("1200.00"), None),
    # the decimal separator, decided by shape
    ("1,5", D("1.50"), None),
    ("1.5", D("1.50"), None),
    ("1.200", D("1200.00"), None),
    ("1,200", D("1200.00"), None),
    ("1.200.000", D("1200000.00"), None),
    ("12,345,678.9", D("12345678.90"), None),
    ("1234,5", D("1234.50"), None),
    ("1234.56", D("1234.56"), None),
    ("0", D("0.00"), None),
    ("  480  ", D("480.00"), None),
    ("1200.", D("1200.00"), None),
    ("500 €.", D("500.00"), "EUR"),
    ("1000000000", D("1000000000.00"), None),
]


@pytest.mark.parametrize(("text", "amount", "currency"), VALID_AMOUNTS)
def test_parse_amount_valid(text: str, amount: Decimal, currency: str | None) -> None:
    parsed, parsed_currency = parse_amount(text)
    assert parsed == amount
    assert parsed.as_tuple().exponent == -2
    assert parsed_currency == currency


INVALID_AMOUNTS: list[tuple[str, str]] = [
    ("", "money-error-empty"),
    ("   ", "money-error-empty"),
    ("\u00a0", "money-error-empty"),
    ("abc", "money-error-garbage"),
    ("twelve hundred", "money-error-garbage"),
    ("около 500", "money-error-garbage"),
    ("500 EUR and 300 USD", "money-error-garbage"),
    ("€500 USD", "money-error-garbage"),
    ("500 XYZ", "money-error-garbage"),
    ("1 2", "money-error-garbage"),
    ("1.200.50", "money-error-garbage"),
    ("1,20,000", "money-error-garbage"),
    ("12 00", "money-error-garbage"),
    ("1.200,5,0", "money-error-garbage"),
    ("-500", "money-error-negative"),
    ("−500", "money-error-negative"),  # U+2212 minus sign
    ("-€500", "money-error-negative"),
    ("€-500", "money-error-negative"),
    ("- 1 200,50 лв", "money-error-negative"),
    ("1.2345", "money-error-too-many-decimals"),
    ("0.500", "money-error-too-many-decimals"),
    ("1 200,505", "money-error-too-many-decimals"),
    ("1000000000.01", "money-error-too-large"),
    ("2000000000", "money-error-too-large"),
    ("99999999999999999999999999", "money-error-too-large"),
]


@pytest.mark.parametrize(("text", "key"), INVALID_AMOUNTS)
def test_parse_amount_invalid(text: str, key: str) -> None:
    with pytest.raises(AmountError) as info:
        parse_amount(text)
    assert info.value.key == key
    assert info.value.example
    # the example shown is itself a valid amount
    parse_amount(info.value.example)


# --------------------------------------------------------------------------- validation


def test_validate_price() -> None:
    validate_price(D("0.01"))
    for bad, key in ((D(0), "money-error-zero-price"), (D(-1), "money-error-negative")):
        with pytest.raises(AmountError) as info:
            validate_price(bad)
        assert info.value.key == key


def test_validate_deposit() -> None:
    validate_deposit(D(0), D(1200))  # zero: no deposit
    validate_deposit(D(1200), D(1200))  # the whole price is allowed
    validate_deposit(D(400), None)  # price skipped: nothing to compare with
    with pytest.raises(AmountError) as info:
        validate_deposit(D(-5), D(1200))
    assert info.value.key == "money-error-negative"
    with pytest.raises(AmountError) as info:
        validate_deposit(D("1200.01"), D(1200))
    assert info.value.key == "money-error-deposit-above-price"
    assert info.value.example == "1200"


# --------------------------------------------------------------------------- percent and share


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("35", D(35)),
        ("35 %", D(35)),
        ("35%", D(35)),
        ("12,5", D("12.5")),
        ("12.5 %", D("12.5")),
        ("1", D(1)),
        ("100", D(100)),
        ("40\u00a0%", D(40)),
    ],
)
def test_parse_percent_valid(text: str, value: Decimal) -> None:
    assert parse_percent(text) == value


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("0", "money-error-percent-range"),
        ("0,5", "money-error-percent-range"),
        ("101", "money-error-percent-range"),
        ("-5", "money-error-percent-range"),
        ("", "money-error-percent-garbage"),
        ("%", "money-error-percent-garbage"),
        ("half", "money-error-percent-garbage"),
        ("1000", "money-error-percent-garbage"),
        ("12,345", "money-error-percent-garbage"),
    ],
)
def test_parse_percent_invalid(text: str, key: str) -> None:
    with pytest.raises(AmountError) as info:
        parse_percent(text)
    assert info.value.key == key
    assert parse_percent(info.value.example) > 0


def test_parse_share_percent_is_of_the_base() -> None:
    assert parse_share("30 %", base=D(1200)) == D("360.00")
    assert parse_share("12,5%", base=D("999.99")) == D("125.00")


def test_parse_share_money() -> None:
    assert parse_share("300", base=D(1200)) == D("300.00")
    assert parse_share("300 €", base=D(1200)) == D("300.00")
    assert parse_share("30", base=None) == D("30.00")  # a bare number is money


@pytest.mark.parametrize(
    ("text", "base", "key"),
    [
        ("30 %", None, "money-error-share-needs-price"),
        ("0", D(1200), "money-error-zero-share"),
        ("1300", D(1200), "money-error-share-above-price"),
        ("150 %", D(1200), "money-error-percent-range"),
        ("lots", D(1200), "money-error-garbage"),
        ("-30", D(1200), "money-error-negative"),
    ],
)
def test_parse_share_invalid(text: str, base: Decimal | None, key: str) -> None:
    with pytest.raises(AmountError) as info:
        parse_share(text, base=base)
    assert info.value.key == key


# --------------------------------------------------------------------------- settlement


def _answers(**kwargs: object) -> Answers:
    return Answers(**kwargs)  # type: ignore[arg-type]


SETTLEMENTS: list[tuple[dict[str, object], dict[str, object]]] = [
    # FLOW.md: price 1 200, deposit 400, 40 % → keep 480, invoice 80
    (
        {
            "payment_variant": PaymentVariant.KILL_FEE,
            "price": D(1200),
            "deposit": D(400),
            "kill_fee_percent": D(40),
            "kill_fee_agreed": True,
        },
        {
            "keep": D(480),
            "refund": D(0),
            "invoice": D(80),
            "deposit_left": None,
            "kill_fee_percent": D(40),
            "agreed": True,
        },
    ),
    # refund: price 1 000, deposit 600, 30 % → keep 300, refund 300
    (
        {
            "payment_variant": PaymentVariant.KILL_FEE,
            "price": D(1000),
            "deposit": D(600),
            "kill_fee_percent": D(30),
            "kill_fee_agreed": False,
        },
        {"keep": D(300), "refund": D(300), "invoice": D(0), "agreed": False},
    ),
    # deposit exactly the kill fee: nothing either way
    (
        {
            "payment_variant": PaymentVariant.KILL_FEE,
            "price": D(1000),
            "deposit": D(500),
            "kill_fee_percent": D(50),
        },
        {"keep": D(500), "refund": D(0), "invoice": D(0), "agreed": None},
    ),
    # no deposit at all: invoice the whole kill fee
    (
        {
            "payment_variant": PaymentVariant.KILL_FEE,
            "price": D(900),
            "deposit": D(0),
            "kill_fee_percent": D(35),
        },
        {"keep": D(315), "refund": D(0), "invoice": D(315), "deposit": D(0)},
    ),
    # the deposit skipped: unknown, so nothing is refunded or invoiced against it (D16)
    (
        {"payment_variant": PaymentVariant.KILL_FEE, "price": D(900), "kill_fee_percent": D(35)},
        {"keep": D(315), "refund": D(0), "invoice": D(0), "deposit_known": False},
    ),
    # rounding to cents
    (
        {
            "payment_variant": PaymentVariant.KILL_FEE,
            "price": D("999.99"),
            "deposit": D(0),
            "kill_fee_percent": D("33.33"),
        },
        {"keep": D("333.30"), "invoice": D("333.30")},
    ),
    # variant 1: keep the deposit
    (
        {"payment_variant": PaymentVariant.KEEP_DEPOSIT, "price": D(1200), "deposit": D(400)},
        {"keep": D(400), "refund": D(0), "invoice": D(0), "kill_fee_percent": None},
    ),
    # variant 3, deduct less than the deposit
    (
        {
            "payment_variant": PaymentVariant.CONTINUE,
            "continue_mode": ContinueMode.DEDUCT,
            "price": D(1200),
            "deposit": D(400),
            "unusable_amount": D(150),
        },
        {"keep": D(150), "deposit_left": D(250), "invoice": D(0), "refund": D(0)},
    ),
    # variant 3, deduct more than the deposit
    (
        {
            "payment_variant": PaymentVariant.CONTINUE,
            "continue_mode": ContinueMode.DEDUCT,
            "price": D(1200),
            "deposit": D(400),
            "unusable_amount": D(600),
        },
        {"keep": D(400), "deposit_left": D(0), "invoice": D(200)},
    ),
    # variant 3, deduct with no deposit
    (
        {
            "payment_variant": PaymentVariant.CONTINUE,
            "continue_mode": ContinueMode.DEDUCT,
            "deposit": D(0),
            "unusable_amount": D(100),
        },
        {"keep": D(0), "deposit_left": D(0), "invoice": D(100)},
    ),
    # variant 3, absorb
    (
        {
            "payment_variant": PaymentVariant.CONTINUE,
            "continue_mode": ContinueMode.ABSORB,
            "price": D(1200),
            "deposit": D(400),
        },
        {"keep": D(0), "deposit_left": D(400), "invoice": D(0), "refund": D(0)},
    ),
    (
        {
            "payment_variant": PaymentVariant.CONTINUE,
            "continue_mode": ContinueMode.ABSORB,
            "deposit": D(0),
        },
        {"keep": D(0), "deposit_left": D(0)},
    ),
]


@pytest.mark.parametrize(("given", "expected"), SETTLEMENTS)
def test_settle(given: dict[str, object], expected: dict[str, object]) -> None:
    answers = _answers(currency="EUR", **given)
    settlement = settle(answers)
    assert isinstance(settlement, Settlement)
    assert settlement.variant is answers.payment_variant
    assert settlement.currency == "EUR"
    for name, value in expected.items():
        assert getattr(settlement, name) == value, name
    # money never appears or vanishes (a skipped deposit leaves it to the reader)
    if not settlement.deposit_known:
        assert settlement.refund == settlement.invoice == 0 and settlement.remaining is None
    elif settlement.deposit_left is None:
        assert settlement.keep == settlement.deposit - settlement.refund + settlement.invoice
    else:
        assert settlement.keep + settlement.deposit_left == settlement.deposit


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"payment_variant": PaymentVariant.KEEP_DEPOSIT},
        {"payment_variant": PaymentVariant.KEEP_DEPOSIT, "deposit": D(0)},
        {"payment_variant": PaymentVariant.KILL_FEE, "price": D(1000)},
        {"payment_variant": PaymentVariant.KILL_FEE, "kill_fee_percent": D(40)},
        {"payment_variant": PaymentVariant.CONTINUE},
        {"payment_variant": PaymentVariant.CONTINUE, "continue_mode": ContinueMode.DEDUCT},
    ],
)
def test_settle_lacking_numbers(given: dict[str, object]) -> None:
    assert settle(_answers(**given)) is None


def test_settlement_is_frozen() -> None:
    settlement = settle(_answers(payment_variant=PaymentVariant.KEEP_DEPOSIT, deposit=D(5)))
    assert settlement is not None
    with pytest.raises(AttributeError):
        settlement.keep = D(0)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("given", "variant"),
    [
        ({"solution": Solution.REDO, "deposit": D(400)}, PaymentVariant.CONTINUE),
        ({"solution": Solution.PART_WAYS, "deposit": D(400)}, PaymentVariant.KEEP_DEPOSIT),
        ({"solution": Solution.PART_WAYS, "deposit": D(0)}, PaymentVariant.KILL_FEE),
        ({"solution": Solution.PART_WAYS}, PaymentVariant.KILL_FEE),
        ({}, PaymentVariant.KILL_FEE),
    ],
)
def test_suggest_variant(given: dict[str, object], variant: PaymentVariant) -> None:
    assert suggest_variant(_answers(**given)) is variant


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        (D(1200), "EUR", "bg", "1\u00a0200,00\u00a0€"),
        (D(1200), "EUR", "en", "€1,200.00"),
        (D("480.5"), "EUR", "bg", "480,50\u00a0€"),
        (D(80), "EUR", "en", "€80.00"),
        (D(1200), "BGN", "bg", "1\u00a0200,00\u00a0лв."),
        (D(1200), "BGN", "en", "1,200.00\u00a0BGN"),
        (D(300), "USD", "en", "$300.00"),
        (D(20), "GBP", "en", "£20.00"),
    ],
)
def test_format_money(amount: Decimal, currency: str, language: str, expected: str) -> None:
    assert format_money(amount, currency, language=language) == expected


@pytest.mark.parametrize("currency", ["EUR", "BGN", "USD", "GBP"])
@pytest.mark.parametrize("language", ["bg", "en"])
def test_format_money_round_trips(currency: str, language: str) -> None:
    text = format_money(D("1234567.89"), currency, language=language)
    if not (language == "bg" and currency == "GBP"):
        assert parse_amount(text) == (D("1234567.89"), currency)
    # Bulgarian follows Babel's CLDR data (no-break spaces between groups), except that
    # the dollar is "USD": Babel's "щ.д." is bank jargon nobody writes to a client
    if language == "bg" and currency == "USD":
        assert text == "1\u00a0234\u00a0567,89\u00a0USD"
    elif language == "bg":
        assert text == format_currency(D("1234567.89"), currency, locale="bg_BG")


def test_format_percent() -> None:
    assert format_percent(D(40), language="en") == "40%"
    assert format_percent(D(40), language="bg") == "40\u00a0%"
    assert format_percent(D("12.5"), language="bg") == "12,5\u00a0%"
    assert format_percent(D("12.5"), language="en") == "12.5%"


# --------------------------------------------------------------------------- catalogs


def test_every_error_key_exists_in_both_languages_with_its_example() -> None:
    keys = {key for _text, key in INVALID_AMOUNTS} | {
        "money-error-zero-price",
        "money-error-deposit-above-price",
        "money-error-percent-range",
        "money-error-percent-garbage",
        "money-error-share-needs-price",
        "money-error-share-above-price",
        "money-error-zero-share",
    }
    for language in ("en", "bg"):
        for key in keys:
            text = catalog(language).t(key, example="1200")
            assert "1200" in text
            assert "{" not in text


def test_money_catalogs_have_identical_keys_and_placeables() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "locales"
    en = message_placeables((root / "en" / "money.ftl").read_text(encoding="utf-8"))
    bg = message_placeables((root / "bg" / "money.ftl").read_text(encoding="utf-8"))
    assert en == bg
    assert all(args == {"example"} for args in en.values())
