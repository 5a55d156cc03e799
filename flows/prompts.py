"""What the coach offers at each step: buttons, checklists, fact and money lines.

Pure functions of a case's answers and a language; the texts come from
``locales/*/coach.ftl``. :mod:`flows.coach` decides *when* to show them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from flows.case import (
    CURRENCIES,
    Answers,
    Case,
    Channel,
    ContinueMode,
    Intermediary,
    PaymentVariant,
    Problem,
    Solution,
    Step,
    Tone,
)
from flows.i18n import t
from flows.text import dash, one_line
from flows.machine import EDITABLE_STEPS
from flows.money import format_money, format_percent
from flows.settlement import Outcome, Settlement, outcome, settle, suggest_variant

#: Commands every adapter offers (``/help`` …), in menu order; descriptions
#: are ``coach-cmd-<name>`` in the catalogs.
COMMANDS: tuple[str, ...] = (
    "start",
    "help",
    "back",
    "restart",
    "cancel",
    "lang",
    "cases",
    "export",
    "delete",
)

#: "Remind me to follow up" after the talk step.
FOLLOW_UP_DELAY = timedelta(days=1)

#: Marks the suggested payment variant on its button.
SUGGESTED_PREFIX = "★ "

#: Shared kill-fee shares offered as buttons.
KILL_FEE_SHARES: tuple[int, ...] = (30, 40, 50)

#: The "1. " that numbers a payment variant's button label.
_VARIANT_NUMBER = re.compile(r"^\d+\.\s*")

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


def _skip() -> list[Choice]:
    return [Choice("skip", "coach-btn-skip")]


def choices_for(case: Case) -> list[list[Choice]]:
    """The rows of buttons of the case's current step (empty for typed answers)."""
    answers = case.answers
    step = case.step
    if step is Step.START:
        return [[Choice("go", "coach-btn-begin")]]
    if step is Step.CALM:
        return [[Choice("calm", "coach-btn-calm")], [Choice("upset", "coach-btn-upset")]]
    if step is Step.COOL_DOWN:
        return [
            [Choice("r15", "coach-btn-remind-15"), Choice("r60", "coach-btn-remind-60")],
            [Choice("ready", "coach-btn-ready")],
        ]
    keep = [[Choice("keep", "coach-btn-keep")]] if has_answer(answers, step) else []
    if step in (
        Step.CLIENT_NAME,
        Step.DELIVERY,
        Step.CLIENT_SAID,
        Step.PRICE,
        Step.PROBLEM_DETAILS,
        Step.DEADLINE,
    ):
        return [*keep, _skip()]
    if step is Step.INTERMEDIARY:
        return [[Choice(i.value, f"coach-btn-{i.value}")] for i in Intermediary] + [_skip()]
    if step is Step.CHANNEL:
        return [[Choice(c.value, f"coach-btn-{c.value}")] for c in Channel] + [_skip()]
    if step is Step.CURRENCY:
        row = [Choice(code.lower(), f"coach-btn-currency-{code.lower()}") for code in CURRENCIES]
        return [row, _skip()]
    if step is Step.DEPOSIT:
        return [*keep, [Choice("none", "coach-btn-no-deposit")], _skip()]
    if step is Step.TALK:
        return [
            [Choice("arranged", "coach-btn-call-arranged")],
            [Choice("follow", "coach-btn-follow-up")],
            _skip(),
        ]
    if step is Step.PROBLEM:
        return [[Choice(p.value, f"coach-btn-problem-{p.value}")] for p in Problem]
    if step is Step.SOLUTION:
        return [[Choice("redo", "coach-btn-redo")], [Choice("part", "coach-btn-part-ways")]]
    if step is Step.PAYMENT:
        suggested = suggest_variant(answers)
        return [
            [Choice(v.value, f"coach-btn-pay-{dash(v.value)}", suggested=v is suggested)]
            for v in PaymentVariant
        ]
    if step is Step.KILL_FEE_SHARE:
        return [
            [Choice(f"p{share}", f"coach-btn-share-{share}") for share in KILL_FEE_SHARES],
            [Choice("other", "coach-btn-share-other")],
        ]
    if step is Step.KILL_FEE_AGREED:
        return [[Choice("yes", "coach-btn-yes"), Choice("no", "coach-btn-no")]]
    if step is Step.CONTINUE_MODE:
        return [[Choice(m.value, f"coach-btn-{m.value}")] for m in ContinueMode]
    if step is Step.REPLY:
        friendly = answers.tone is Tone.FORMAL
        tone_key = "coach-btn-tone-friendly" if friendly else "coach-btn-tone-formal"
        # Name the language the button switches to, once the reply has one.
        current = answers.reply_language
        lang_key = (
            "coach-btn-other-language"
            if current is None
            else f"coach-btn-reply-in-{'en' if current == 'bg' else 'bg'}"
        )
        return [
            [Choice("tone", tone_key), Choice("lang", lang_key)],
            [Choice("facts", "coach-btn-change-facts")],
            [Choice("done", "coach-btn-done")],
        ]
    if step is Step.EDIT_FACTS:
        items = [Choice(f"e.{s.value}", f"coach-btn-edit-{dash(s.value)}") for s in EDITABLE_STEPS]
        rows = [items[i : i + 2] for i in range(0, len(items), 2)]
        return [*rows, [Choice("ret", "coach-btn-back-to-reply")]]
    return []


#: Typed-answer steps and the text field each one fills.
TEXT_FIELDS: dict[Step, str] = {
    Step.CLIENT_NAME: "client_name",
    Step.DELIVERY: "delivery",
    Step.CLIENT_SAID: "client_said",
    Step.PROBLEM_DETAILS: "problem_details",
    Step.DEADLINE: "deadline",
}


def has_answer(answers: Answers, step: Step) -> bool:
    """Whether a typed-answer step already holds an answer (after /back or "Change facts")."""
    if step in TEXT_FIELDS:
        return bool(getattr(answers, TEXT_FIELDS[step]))
    if step is Step.PRICE:
        return answers.price is not None
    if step is Step.DEPOSIT:
        return answers.deposit is not None and answers.deposit > 0
    return False


def current_answer_line(answers: Answers, step: Step, *, language: str) -> str | None:
    """The "your answer so far" line of a typed-answer step that holds one, else ``None``."""
    if not has_answer(answers, step):
        return None
    if step is Step.PRICE and answers.price is not None:
        value = format_money(answers.price, answers.currency, language=language)
    elif step is Step.DEPOSIT and answers.deposit is not None:
        value = format_money(answers.deposit, answers.currency, language=language)
    else:
        value = _quote(str(getattr(answers, TEXT_FIELDS[step])))
    return t(language, "coach-current-answer", answer=value)


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
        out.insert(0, t(language, "coach-question-their-words", quote=_quote(answers.client_said)))
    elif not more:
        out.append(t(language, "coach-question-get-words"))
    return out


def _quote(text: str) -> str:
    return one_line(text, _QUOTE_LIMIT)


# ---------------------------------------------------------------------- summaries


def fact_lines(answers: Answers, *, language: str) -> list[tuple[str, str]]:
    """``(label, value)`` of every known fact, for the summary and the export.

    The vented text is never included.
    """
    out: list[tuple[str, str]] = []

    def add(key: str, value: str | None) -> None:
        if value:
            out.append((t(language, key), value))

    def money(amount: Decimal | None) -> str | None:
        if amount is None:
            return None
        return format_money(amount, answers.currency, language=language)

    add("coach-field-client", answers.client_name)
    add("coach-field-delivery", answers.delivery)
    add("coach-field-client-said", answers.client_said)
    if answers.intermediary is not None:
        add("coach-field-intermediary", t(language, f"coach-btn-{answers.intermediary.value}"))
    if answers.channel is not None:
        add("coach-field-channel", t(language, f"coach-btn-{answers.channel.value}"))
    add("coach-field-price", money(answers.price))
    if answers.deposit is not None and answers.deposit == 0:
        add("coach-field-deposit", t(language, "coach-btn-no-deposit"))
    else:
        add("coach-field-deposit", money(answers.deposit))
    if answers.problem is not None:
        add("coach-field-problem", t(language, f"coach-btn-problem-{answers.problem.value}"))
    add("coach-field-problem-details", answers.problem_details)
    if answers.solution is Solution.REDO:
        add("coach-field-solution", t(language, "coach-btn-redo"))
    elif answers.solution is Solution.PART_WAYS:
        add("coach-field-solution", t(language, "coach-btn-part-ways"))
    add("coach-field-deadline", answers.deadline)
    if answers.payment_variant is not None:
        key = f"coach-btn-pay-{dash(answers.payment_variant.value)}"
        # The button's "2. " numbers the keyboard; a summary line reads better without it.
        add("coach-field-payment", _VARIANT_NUMBER.sub("", t(language, key)))
    return out


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
    return out


#: The coach's line for each case of the settlement ladder and the amounts it names
#: (``None``: nothing to say). Variant 2's known amounts come after its lead line.
_SETTLEMENT_LINES: dict[Outcome, tuple[str, tuple[str, ...]] | None] = {
    Outcome.KEEP_DEPOSIT: ("coach-settle-keep-deposit", ("deposit",)),
    Outcome.KEEP_NO_DEPOSIT: ("coach-settle-keep-deposit-none", ()),
    Outcome.KEEP_UNKNOWN_DEPOSIT: ("coach-settle-keep-deposit-none", ()),
    Outcome.KILL_FEE_UNKNOWN: None,
    Outcome.KILL_FEE_NO_PRICE: ("coach-settle-kill-fee-no-price", ("share",)),
    Outcome.REFUND_DIFFERENCE: ("coach-settle-refund", ("deposit", "refund")),
    Outcome.INVOICE_REST: ("coach-settle-invoice", ("deposit", "invoice")),
    Outcome.INVOICE_ALL: ("coach-settle-invoice-all", ("invoice",)),
    Outcome.SETTLED_BY_DEPOSIT: ("coach-settle-even", ()),
    Outcome.NOTHING_DUE: ("coach-settle-even", ()),
    Outcome.CONTINUE_UNKNOWN: None,
    Outcome.ABSORB_DEPOSIT: ("coach-settle-absorb", ()),
    Outcome.ABSORB: ("coach-settle-absorb", ()),
    Outcome.DEDUCT_UNKNOWN: None,
    Outcome.DEDUCT_NO_DEPOSIT: ("coach-settle-deduct-no-deposit", ("unusable",)),
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
    return out
