"""What the coach shows: buttons before rendering, the commands, checklists, money lines.

Pure functions of a case's answers and a language; the texts come from
``locales/*/coach.ftl``. The steps (:mod:`flows.steps`) decide *when* to show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flows.case import (
    Answers,
    Intermediary,
    PaymentVariant,
    Solution,
)
from flows.i18n import t
from flows.money import format_money, format_percent
from flows.settlement import Outcome, Settlement, outcome, settle
from flows.text import one_line

#: Commands every adapter offers (``/help`` …), in menu order; descriptions
#: are ``coach-cmd-<name>`` in the catalogs.
COMMANDS: tuple[str, ...] = (
    "start",
    "help",
    "back",
    "restart",
    "cancel",
    "lang",
    "signature",
    "cases",
    "stats",
    "export",
    "delete",
)

#: "Remind me to follow up" after the talk step.
FOLLOW_UP_DELAY = timedelta(days=1)

#: Marks the suggested payment variant on its button.
SUGGESTED_PREFIX = "★ "

#: Shared kill-fee shares offered as buttons.
KILL_FEE_SHARES: tuple[int, ...] = (30, 40, 50)


#: Longest quote of the client's words used in a question.
_QUOTE_LIMIT = 80


@dataclass(frozen=True, slots=True)
class Choice:
    """One button before rendering: its token (in the button data) and label key."""

    token: str
    key: str
    suggested: bool = False


def label_of(choice: Choice, *, language: str) -> str:
    """The button label of ``choice`` in ``language`` (with ★ when suggested)."""
    label = t(language, choice.key)
    return f"{SUGGESTED_PREFIX}{label}" if choice.suggested else label


# ---------------------------------------------------------------------- step 4


_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "coach-question-picture",
        ("imagin", "expect", "pictur", "представ", "очакв", "мислех"),
    ),
    (
        "coach-question-looking-for",
        ("looking for", "need", "want", "търс", "трябва", "искаме", "искам", "нужд"),
    ),
    (
        "coach-question-style",
        (
            "style",
            "tone",
            "colour",
            "color",
            "font",
            "look",
            "feel",
            "voice",
            "стил",
            "тон",
            "цвят",
            "цвет",
            "шрифт",
            "визия",
            "звуч",
        ),
    ),
)

_BASE_QUESTIONS: tuple[str, ...] = (
    "coach-question-imagined",
    "coach-question-works",
    "coach-question-example",
    "coach-question-audience",
    "coach-question-deciders",
    "coach-question-changed",
)

_MORE_QUESTIONS: tuple[str, ...] = (
    "coach-question-more-keep",
    "coach-question-more-closest",
    "coach-question-more-feel",
    "coach-question-more-must",
    "coach-question-more-judge",
)


def problem_questions(answers: Answers, *, language: str, more: bool = False) -> list[str]:
    """The checklist for the call, adapted to what the client said.

    ``more`` gives the second set, for "still unclear".
    """
    keys: list[str] = []
    said = (answers.client_said or "").casefold()
    if more:
        keys.extend(_MORE_QUESTIONS)
    else:
        keys.extend(_BASE_QUESTIONS)
        for key, words in _KEYWORDS:
            if any(word in said for word in words):
                keys.insert(0, key)
    if answers.intermediary in (Intermediary.AGENCY, Intermediary.FREELANCER):
        keys.append("coach-question-end-client")
    out = [t(language, key) for key in keys]
    if answers.client_said:
        out.insert(0, t(language, "coach-question-their-words", quote=quote(answers.client_said)))
    elif not more:
        out.append(t(language, "coach-question-get-words"))
    return out


def quote(text: str) -> str:
    """The client's words on one line, cut for a question."""
    return one_line(text, _QUOTE_LIMIT)


# ---------------------------------------------------------------------- money


def payment_amount_lines(answers: Answers, *, language: str) -> list[str]:
    """The price and the deposit, shown with the "who pays" question (known ones only)."""
    out: list[str] = []
    if answers.price is not None:
        price = format_money(answers.price, answers.currency, language=language)
        out.append(t(language, "coach-payment-price", price=price))
    if answers.deposit is not None and answers.deposit > 0:
        deposit = format_money(answers.deposit, answers.currency, language=language)
        out.append(t(language, "coach-payment-deposit", deposit=deposit))
    elif answers.deposit is not None:
        out.append(t(language, "coach-payment-no-deposit"))
    else:  # skipped: say it is not counted, rather than "none" (D16)
        out.append(t(language, "coach-payment-deposit-unknown"))
    return out


#: The coach's line for each case of the settlement ladder and the amounts it names
#: (``None``: nothing to say). Variant 2's known amounts come after its lead line.
_SETTLEMENT_LINES: dict[Outcome, tuple[str, tuple[str, ...]] | None] = {
    Outcome.KEEP_DEPOSIT: ("coach-settle-keep-deposit", ("deposit",)),
    Outcome.KEEP_NO_DEPOSIT: ("coach-settle-keep-deposit-none", ()),
    Outcome.KEEP_UNKNOWN_DEPOSIT: ("coach-settle-keep-deposit-unknown", ()),
    Outcome.KILL_FEE_UNKNOWN: None,
    Outcome.KILL_FEE_NO_PRICE: ("coach-settle-kill-fee-no-price", ("share",)),
    Outcome.KILL_FEE_UNKNOWN_DEPOSIT: ("coach-settle-kill-fee-unknown-deposit", ("keep",)),
    Outcome.REFUND_DIFFERENCE: ("coach-settle-refund", ("deposit", "refund")),
    Outcome.INVOICE_REST: ("coach-settle-invoice", ("deposit", "invoice")),
    Outcome.INVOICE_ALL: ("coach-settle-invoice-all", ("invoice",)),
    Outcome.SETTLED_BY_DEPOSIT: ("coach-settle-even", ()),
    Outcome.NOTHING_DUE: ("coach-settle-even", ()),
    Outcome.CONTINUE_UNKNOWN: None,
    Outcome.ABSORB_DEPOSIT: ("coach-settle-absorb", ()),
    Outcome.ABSORB: ("coach-settle-absorb-no-deposit", ()),
    Outcome.ABSORB_UNKNOWN_DEPOSIT: ("coach-settle-absorb-unknown-deposit", ()),
    Outcome.DEDUCT_UNKNOWN: None,
    Outcome.DEDUCT_NO_DEPOSIT: ("coach-settle-deduct-no-deposit", ("unusable",)),
    Outcome.DEDUCT_UNKNOWN_DEPOSIT: ("coach-settle-deduct-unknown-deposit", ("unusable",)),
    # One sentence: "deducted, 0 left" beside "invoice the rest" contradicted itself.
    Outcome.DEDUCT_EXCEEDS_DEPOSIT: (
        "coach-settle-deduct-invoice",
        ("unusable", "deposit", "invoice"),
    ),
    Outcome.DEDUCT_AND_CREDIT: ("coach-settle-deduct", ("unusable", "left")),
    Outcome.DEDUCT_ALL_OF_DEPOSIT: ("coach-settle-deduct", ("unusable", "left")),
}


def settlement_lines(answers: Answers, *, language: str) -> list[str]:
    """What the chosen payment variant means in money, one sentence per line."""
    settlement = settle(answers)
    result = outcome(answers, settlement)
    if result is None:
        return []
    amounts = _amounts(answers, settlement, language=language)
    lines: list[str] = []
    if settlement is not None and settlement.variant is PaymentVariant.KILL_FEE:
        lines.append(
            t(
                language,
                "coach-settle-kill-fee",
                share=amounts["share"],
                price=amounts["price"],
                keep=amounts["keep"],
            )
        )
    entry = _SETTLEMENT_LINES[result]
    if entry is not None:
        key, names = entry
        lines.append(t(language, key, **{name: amounts[name] for name in names}))
    if result is Outcome.REFUND_DIFFERENCE:
        lines.append(t(language, "coach-settle-refund-keep-deposit"))
    going_on = answers.solution is not Solution.PART_WAYS
    unknown_deposit = settlement is not None and not settlement.deposit_known
    if unknown_deposit and going_on and answers.price is not None:
        if answers.payment_variant is PaymentVariant.CONTINUE:
            lines.append(
                t(language, "coach-settle-new-version-unknown-deposit", price=amounts["price"])
            )
    elif settlement is not None and settlement.remaining is not None and going_on:
        if settlement.deposit_left:
            lines.append(
                t(
                    language,
                    "coach-settle-new-version",
                    price=amounts["price"],
                    left=amounts["left"],
                    remaining=amounts["remaining"],
                )
            )
        else:
            lines.append(t(language, "coach-settle-new-version-full", price=amounts["price"]))
    return lines


def _amounts(answers: Answers, settlement: Settlement | None, *, language: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if answers.kill_fee_percent is not None:
        out["share"] = format_percent(answers.kill_fee_percent, language=language)
    if settlement is None:
        return out

    def fmt(amount: Decimal) -> str:
        return format_money(amount, answers.currency, language=language)

    if answers.unusable_amount is not None:
        out["unusable"] = fmt(answers.unusable_amount)
    out["price"] = fmt(settlement.price or Decimal(0))
    out["deposit"] = fmt(settlement.deposit)
    out["keep"] = fmt(settlement.keep)
    out["refund"] = fmt(settlement.refund)
    out["invoice"] = fmt(settlement.invoice)
    out["left"] = fmt(settlement.deposit_left or Decimal(0))
    if settlement.remaining is not None:
        out["remaining"] = fmt(settlement.remaining)
    return out
