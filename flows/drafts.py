"""The draft composer: texts the user copies and sends (steps 3, 7 and 8).

A draft is built from sentence-level messages in ``locales/*/drafts.ftl``: a
sentence is included only when the facts it needs are known, so skipped facts
leave no holes, placeholders or dangling punctuation. Only what the user told
the coach is used — never ``Answers.vented``. The draft's language is passed by
the caller and is independent of the coach's language; amounts are formatted
for the draft's language.
"""

from __future__ import annotations

import logging
import re
from decimal import Decimal

from flows.case import (
    Answers,
    Channel,
    Intermediary,
    PaymentVariant,
    Problem,
    Solution,
    Tone,
)
from flows.i18n import t
from flows.io import Draft, DraftKind
from flows.money import KILL_FEE_RANGE, format_money, format_percent
from flows.settlement import Outcome, Settlement, outcome, settle

_LOGGER = logging.getLogger(__name__)

_WHITESPACE = re.compile(r"\s+")
_TRAILING = ".,;:!?…-–— \u00a0"
_PROBLEM_KEYS: dict[Problem, str] = {
    Problem.BRIEF: "draft-reply-problem-brief",
    Problem.STYLE: "draft-reply-problem-style",
    Problem.SCOPE: "draft-reply-problem-scope",
    Problem.PLANS: "draft-reply-problem-plans",
    Problem.UNCLEAR: "draft-reply-problem-unclear",
}


class _Writer:
    """Looks up sentences in one language and tone and joins them into paragraphs."""

    def __init__(self, language: str, tone: Tone) -> None:
        self.language = language
        self.tone = tone.value
        self.paragraphs: list[str] = []

    def say(self, key: str, **args: str) -> str:
        return t(self.language, key, tone=self.tone, **args)

    def plain(self, key: str, **args: str) -> str:
        return t(self.language, key, **args)

    def money(self, amount: Decimal, currency: str) -> str:
        return format_money(amount, currency, language=self.language)

    def paragraph(self, *sentences: str | None) -> None:
        present = [s.strip() for s in sentences if s and s.strip()]
        if present:
            self.paragraphs.append(" ".join(present))

    def text(self) -> str:
        return _tidy("\n\n".join(self.paragraphs))


def _fact(value: str | None) -> str | None:
    """A user fact ready to sit inside a sentence, or ``None`` when it is empty.

    Whitespace (line breaks too) collapses to single spaces, and trailing
    punctuation goes, since the sentence brings its own.
    """
    if value is None:
        return None
    cleaned = _WHITESPACE.sub(" ", value).strip().rstrip(_TRAILING).strip()
    return cleaned or None


def _tidy(text: str) -> str:
    lines = [re.sub(r" {2,}", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _greeting(writer: _Writer, client: str | None) -> str:
    if client:
        return writer.say("draft-greeting-named", client=client)
    return writer.say("draft-greeting")


# --------------------------------------------------------------------------- step 3


def compose_call_request(answers: Answers, *, language: str, tone: Tone) -> Draft:
    """Compose the step-3 message asking for a direct conversation.

    Through an agency or another freelancer: a message to the intermediary
    proposing one call with all three parties. Otherwise: a short message to
    the client asking for a phone or video call, or a meeting, soon.

    Args:
        answers: The case's answers (only the given facts are used).
        language: The language of the message (``"bg"`` or ``"en"``).
        tone: Formal ("Вие") or friendly ("ти").
    """
    writer = _Writer(language, tone)
    client = _fact(answers.client_name)
    delivery = _fact(answers.delivery)
    delivery_sentence = writer.plain("draft-call-delivery", delivery=delivery) if delivery else None
    if answers.intermediary in (Intermediary.AGENCY, Intermediary.FREELANCER):
        writer.paragraph(writer.say("draft-greeting"))
        intro = (
            writer.say("draft-call-intermediary-intro-named", client=client)
            if client
            else writer.say("draft-call-intermediary-intro")
        )
        writer.paragraph(intro, delivery_sentence, writer.plain("draft-call-intermediary-why"))
        writer.paragraph(
            writer.say("draft-call-intermediary-proposal"),
            writer.say("draft-call-intermediary-ask"),
        )
    else:
        writer.paragraph(_greeting(writer, client))
        writer.paragraph(
            writer.say("draft-call-client-thanks-delivery", delivery=delivery)
            if delivery
            else writer.say("draft-call-client-thanks")
        )
        why = (
            "draft-call-client-writing"
            if answers.channel is Channel.WRITING
            else "draft-call-client-soon"
        )
        writer.paragraph(writer.say(why), writer.say("draft-call-client-ask"))
    writer.paragraph(writer.say("draft-call-closing"))
    return Draft(
        kind=DraftKind.CALL_REQUEST,
        text=writer.text(),
        language=language,
        title=writer.plain("draft-title-call-request"),
    )


# --------------------------------------------------------------------------- step 7


def compose_reply(answers: Answers, *, language: str, tone: Tone) -> Draft:
    """Compose the step-7 suggested reply to the client.

    Greeting (with the client's name when known), thanks for the feedback on
    what was delivered, an acknowledgement of their view, the clarified
    problem, the solution (a new version with acceptance criteria and a new
    deadline, or parting on good terms), the payment terms with amounts from
    :func:`flows.money.settle`, and one concrete next step.

    Args:
        answers: The case's answers (only the given facts; never ``vented``).
        language: The reply's language, independent of the coach's language.
        tone: Formal ("Вие") or friendly ("ти").
    """
    writer = _Writer(language, tone)
    client = _fact(answers.client_name)
    delivery = _fact(answers.delivery)
    details = _fact(answers.problem_details)
    deadline = _fact(answers.deadline)

    writer.paragraph(_greeting(writer, client))
    writer.paragraph(
        writer.say("draft-reply-thanks-delivery", delivery=delivery)
        if delivery
        else writer.say("draft-reply-thanks"),
        writer.say("draft-reply-acknowledge"),
        writer.say(_PROBLEM_KEYS[answers.problem]) if answers.problem else None,
        writer.plain("draft-reply-problem-details", details=details) if details else None,
    )
    if answers.solution is Solution.REDO:
        writer.paragraph(
            writer.say("draft-reply-redo"),
            writer.say("draft-reply-criteria"),
            writer.plain("draft-reply-deadline", deadline=deadline) if deadline else None,
        )
    elif answers.solution is Solution.PART_WAYS:
        writer.paragraph(writer.say("draft-reply-part-ways"))
    writer.paragraph(*_payment_sentences(writer, answers))
    if answers.solution is Solution.REDO:
        writer.paragraph(writer.say("draft-reply-next-redo"))
    elif answers.solution is Solution.PART_WAYS:
        writer.paragraph(writer.say("draft-reply-next-part-ways"))
        writer.paragraph(writer.say("draft-reply-goodbye"))
    else:
        writer.paragraph(writer.say("draft-reply-next-call"))
    if answers.solution is not Solution.PART_WAYS:
        writer.paragraph(writer.say("draft-reply-closing"))
    return Draft(
        kind=DraftKind.REPLY,
        text=writer.text(),
        language=language,
        title=writer.plain("draft-title-reply"),
    )


#: The client's sentence for each case of the settlement ladder and the amounts it names
#: (``None``: nothing to say). Variant 2's known amounts come after its lead sentence.
_PAYMENT_SENTENCES: dict[Outcome, tuple[str, tuple[str, ...]] | None] = {
    Outcome.KEEP_DEPOSIT: ("draft-pay-keep-deposit-amount", ("deposit",)),
    # "No deposit" was answered: claiming to keep one would contradict the facts.
    Outcome.KEEP_NO_DEPOSIT: None,
    Outcome.KEEP_UNKNOWN_DEPOSIT: ("draft-pay-keep-deposit", ()),
    Outcome.KILL_FEE_UNKNOWN: ("draft-pay-kill-fee", ()),
    Outcome.KILL_FEE_NO_PRICE: ("draft-pay-kill-fee-percent", ("percent",)),
    Outcome.REFUND_DIFFERENCE: ("draft-pay-refund", ("deposit", "refund")),
    Outcome.INVOICE_REST: ("draft-pay-invoice-rest", ("deposit", "invoice")),
    Outcome.INVOICE_ALL: ("draft-pay-invoice-all", ("invoice",)),
    Outcome.SETTLED_BY_DEPOSIT: ("draft-pay-even", ("deposit",)),
    Outcome.NOTHING_DUE: None,
    Outcome.CONTINUE_UNKNOWN: None,
    Outcome.ABSORB_DEPOSIT: ("draft-pay-absorb-deposit", ("deposit",)),
    Outcome.ABSORB: ("draft-pay-absorb", ()),
    Outcome.DEDUCT_UNKNOWN: ("draft-pay-deduct", ()),
    Outcome.DEDUCT_NO_DEPOSIT: ("draft-pay-deduct-no-deposit", ("unusable",)),
    Outcome.DEDUCT_EXCEEDS_DEPOSIT: (
        "draft-pay-deduct-invoice",
        ("unusable", "deposit", "invoice"),
    ),
    Outcome.DEDUCT_AND_CREDIT: ("draft-pay-deduct-left", ("unusable", "left")),
    Outcome.DEDUCT_ALL_OF_DEPOSIT: ("draft-pay-deduct-all", ("unusable", "deposit")),
}


def _payment_sentences(writer: _Writer, answers: Answers) -> list[str]:
    """The payment terms of the chosen variant, with amounts when they are known."""
    settlement = settle(answers)
    result = outcome(answers, settlement)
    if result is None:
        return []
    agreed = answers.kill_fee_agreed is True
    sentences: list[str] = []
    amounts = _amounts(writer, answers, settlement)
    if result is Outcome.KILL_FEE_NO_PRICE and agreed:
        return [writer.say("draft-pay-kill-fee-percent-agreed", percent=amounts["percent"])]
    if settlement is not None and settlement.variant is PaymentVariant.KILL_FEE:
        key = "draft-pay-kill-fee-amount-agreed" if agreed else "draft-pay-kill-fee-amount"
        sentences.append(
            writer.say(
                key, percent=amounts["percent"], price=amounts["price"], keep=amounts["keep"]
            )
        )
    entry = _PAYMENT_SENTENCES[result]
    if entry is not None:
        key, names = entry
        sentences.append(writer.say(key, **{name: amounts[name] for name in names}))
    return sentences


def _amounts(writer: _Writer, answers: Answers, settlement: Settlement | None) -> dict[str, str]:
    """Every amount a payment sentence may name, formatted for the writer's language."""
    out: dict[str, str] = {}
    if answers.kill_fee_percent is not None:
        out["percent"] = format_percent(answers.kill_fee_percent, language=writer.language)
    if settlement is None:
        return out
    currency = settlement.currency
    if answers.unusable_amount is not None:
        out["unusable"] = writer.money(answers.unusable_amount, currency)
    if settlement.price is not None:
        out["price"] = writer.money(settlement.price, currency)
    out["deposit"] = writer.money(settlement.deposit, currency)
    out["keep"] = writer.money(settlement.keep, currency)
    out["refund"] = writer.money(settlement.refund, currency)
    out["invoice"] = writer.money(settlement.invoice, currency)
    out["left"] = writer.money(settlement.deposit_left or Decimal(0), currency)
    return out


# --------------------------------------------------------------------------- step 8


def clause_percent(answers: Answers) -> Decimal:
    """The compensation share for the next contract, within the advised 30–50 %.

    The user's own kill-fee percentage is used when given (brought into the
    range); otherwise the lower end, 30 %.
    """
    low, high = KILL_FEE_RANGE
    if answers.kill_fee_percent is None:
        return low
    return min(max(answers.kill_fee_percent, low), high)


def compose_contract_clause(answers: Answers, *, language: str) -> Draft:
    """Compose the step-8 clause for the next contract.

    Written acceptance criteria, and 30–50 % of the price as compensation for
    the work done when the client does not use it. Always formal: it goes into
    a contract.

    Args:
        answers: The case's answers (the kill-fee percentage, if any).
        language: The clause's language (``"bg"`` or ``"en"``).
    """
    writer = _Writer(language, Tone.FORMAL)
    percent = format_percent(clause_percent(answers), language=language)
    writer.paragraph(writer.plain("draft-clause-heading"))
    writer.paragraph(writer.plain("draft-clause-criteria"))
    writer.paragraph(writer.plain("draft-clause-acceptance"))
    writer.paragraph(writer.plain("draft-clause-compensation", percent=percent))
    writer.paragraph(writer.plain("draft-clause-changes"))
    return Draft(
        kind=DraftKind.CONTRACT_CLAUSE,
        text=writer.text(),
        language=language,
        title=writer.plain("draft-title-contract-clause"),
    )
