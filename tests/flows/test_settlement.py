"""The settlement ladder: one outcome per case, mapped to text by the coach and the drafts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from flows.case import Answers, ContinueMode, PaymentVariant
from flows.drafts import _PAYMENT_SENTENCES
from flows.prompts import _SETTLEMENT_LINES, settlement_lines
from flows.settlement import Outcome, outcome, settle

D = Decimal
KEEP, KILL, CONT = PaymentVariant.KEEP_DEPOSIT, PaymentVariant.KILL_FEE, PaymentVariant.CONTINUE


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, None),
        ({"payment_variant": KEEP, "deposit": D(400)}, Outcome.KEEP_DEPOSIT),
        ({"payment_variant": KEEP, "deposit": D(0)}, Outcome.KEEP_NO_DEPOSIT),
        ({"payment_variant": KEEP}, Outcome.KEEP_UNKNOWN_DEPOSIT),
        ({"payment_variant": KILL, "price": D(1000)}, Outcome.KILL_FEE_UNKNOWN),
        ({"payment_variant": KILL, "kill_fee_percent": D(30)}, Outcome.KILL_FEE_NO_PRICE),
        (
            {
                "payment_variant": KILL,
                "price": D(1000),
                "deposit": D(400),
                "kill_fee_percent": D(30),
            },
            Outcome.REFUND_DIFFERENCE,
        ),
        (
            {
                "payment_variant": KILL,
                "price": D(1000),
                "deposit": D(200),
                "kill_fee_percent": D(30),
            },
            Outcome.INVOICE_REST,
        ),
        (
            {"payment_variant": KILL, "price": D(1000), "deposit": D(0), "kill_fee_percent": D(30)},
            Outcome.INVOICE_ALL,
        ),
        # the deposit skipped: unknown, not "none" (D16)
        (
            {"payment_variant": KILL, "price": D(1000), "kill_fee_percent": D(30)},
            Outcome.KILL_FEE_UNKNOWN_DEPOSIT,
        ),
        (
            {"payment_variant": CONT, "continue_mode": ContinueMode.ABSORB, "price": D(900)},
            Outcome.ABSORB_UNKNOWN_DEPOSIT,
        ),
        (
            {
                "payment_variant": CONT,
                "continue_mode": ContinueMode.DEDUCT,
                "unusable_amount": D(5),
            },
            Outcome.DEDUCT_UNKNOWN_DEPOSIT,
        ),
        (
            {
                "payment_variant": KILL,
                "price": D(800),
                "deposit": D(400),
                "kill_fee_percent": D(50),
            },
            Outcome.SETTLED_BY_DEPOSIT,
        ),
        (
            {"payment_variant": KILL, "price": D(800), "deposit": D(0), "kill_fee_percent": D(0)},
            Outcome.NOTHING_DUE,
        ),
        ({"payment_variant": CONT}, Outcome.CONTINUE_UNKNOWN),
        (
            {"payment_variant": CONT, "continue_mode": ContinueMode.ABSORB, "deposit": D(1)},
            Outcome.ABSORB_DEPOSIT,
        ),
        (
            {"payment_variant": CONT, "continue_mode": ContinueMode.ABSORB, "deposit": D(0)},
            Outcome.ABSORB,
        ),
        ({"payment_variant": CONT, "continue_mode": ContinueMode.DEDUCT}, Outcome.DEDUCT_UNKNOWN),
        (
            {
                "payment_variant": CONT,
                "continue_mode": ContinueMode.DEDUCT,
                "deposit": D(0),
                "unusable_amount": D(5),
            },
            Outcome.DEDUCT_NO_DEPOSIT,
        ),
        (
            {
                "payment_variant": CONT,
                "continue_mode": ContinueMode.DEDUCT,
                "deposit": D(100),
                "unusable_amount": D(300),
            },
            Outcome.DEDUCT_EXCEEDS_DEPOSIT,
        ),
        (
            {
                "payment_variant": CONT,
                "continue_mode": ContinueMode.DEDUCT,
                "deposit": D(400),
                "unusable_amount": D(300),
            },
            Outcome.DEDUCT_AND_CREDIT,
        ),
        (
            {
                "payment_variant": CONT,
                "continue_mode": ContinueMode.DEDUCT,
                "deposit": D(300),
                "unusable_amount": D(300),
            },
            Outcome.DEDUCT_ALL_OF_DEPOSIT,
        ),
    ],
)
def test_outcome_of_each_case_of_the_ladder(
    given: dict[str, object], expected: Outcome | None
) -> None:
    answers = Answers(**given)  # type: ignore[arg-type]
    assert outcome(answers) is expected
    settlement = settle(answers)
    if settlement is not None:
        assert settlement.outcome is expected


def test_the_coach_and_the_drafts_map_every_outcome() -> None:
    assert set(_SETTLEMENT_LINES) == set(Outcome)
    assert set(_PAYMENT_SENTENCES) == set(Outcome)


@pytest.mark.parametrize("language", ["en", "bg"])
@pytest.mark.parametrize(
    "given",
    [
        {"payment_variant": KEEP},
        {"payment_variant": KILL, "price": D(1000), "kill_fee_percent": D(30)},
        {"payment_variant": CONT, "continue_mode": ContinueMode.ABSORB, "price": D(900)},
        {
            "payment_variant": CONT,
            "continue_mode": ContinueMode.DEDUCT,
            "price": D(900),
            "unusable_amount": D(200),
        },
    ],
)
def test_the_coach_says_a_skipped_deposit_was_not_counted(
    given: dict[str, object], language: str
) -> None:
    answers = Answers(solution=None, **given)  # type: ignore[arg-type]
    text = " ".join(settlement_lines(answers, language=language))
    skipped = {"en": "You skipped the deposit, so I didn't count one", "bg": "Пропусна капарото"}
    assert skipped[language] in text
    assert "Without a deposit" not in text and "Без капаро" not in text
    assert "no deposit" not in text.casefold() and "Нямаше капаро" not in text


def test_deduct_and_credit_names_what_is_left() -> None:
    answers = Answers(
        payment_variant=CONT,
        continue_mode=ContinueMode.DEDUCT,
        deposit=D(400),
        unusable_amount=D(300),
    )
    settlement = settle(answers)
    assert settlement is not None and settlement.deposit_left == D("100.00")
    assert "100.00" in settlement_lines(answers, language="en")[0]


@pytest.mark.parametrize(
    ("given", "remaining"),
    [
        # FLOW.md / issue 11: price 1 200, deposit 400, unusable 300 → 100 credited, 1 100 left
        (
            {
                "continue_mode": ContinueMode.DEDUCT,
                "price": D(1200),
                "deposit": D(400),
                "unusable_amount": D(300),
            },
            D("1100.00"),
        ),
        (
            {
                "continue_mode": ContinueMode.DEDUCT,
                "price": D(1200),
                "deposit": D(200),
                "unusable_amount": D(300),
            },
            D("1200.00"),
        ),
        ({"continue_mode": ContinueMode.ABSORB, "price": D(1500), "deposit": D(500)}, D("1000.00")),
        ({"continue_mode": ContinueMode.ABSORB, "price": D(1500), "deposit": D(0)}, D("1500.00")),
        # the deposit skipped: what remains is not known (the texts say "less any deposit")
        ({"continue_mode": ContinueMode.ABSORB, "price": D(1500)}, None),
        ({"continue_mode": ContinueMode.ABSORB, "deposit": D(500)}, None),
    ],
)
def test_what_remains_to_pay_for_the_new_version(
    given: dict[str, object], remaining: Decimal | None
) -> None:
    settlement = settle(Answers(payment_variant=CONT, **given))  # type: ignore[arg-type]
    assert settlement is not None
    assert settlement.remaining == remaining


def test_the_kill_fee_has_nothing_remaining() -> None:
    answers = Answers(payment_variant=KILL, price=D(900), deposit=D(300), kill_fee_percent=D(30))
    settlement = settle(answers)
    assert settlement is not None and settlement.remaining is None
    lines = settlement_lines(answers, language="en")
    assert any("keeping the whole deposit" in line.casefold() for line in lines)
