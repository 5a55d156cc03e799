"""The payment terms of a reply: each settlement outcome mapped to the client's sentences.

The amounts come from :func:`flows.settlement.settle` only; this module names
them. Every sentence says what was paid, what stays with the freelancer, what
is refunded or invoiced and — when the work goes on — what the new version
costs and what remains to pay. A share that was not agreed is proposed and
asked about, never announced as an invoice; no amount is repeated.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flows.case import Answers, PaymentVariant
from flows.drafts.writer import Writer
from flows.money import format_percent
from flows.settlement import Outcome, Settlement, outcome, settle

#: The sentence of each outcome and the amounts it names (``None``: nothing to say).
#: For variant 2 it follows the share sentence; the ``_PROPOSED`` one replaces it
#: while the share is not agreed.
_PAYMENT_SENTENCES: dict[Outcome, tuple[str, tuple[str, ...]] | None] = {
    Outcome.KEEP_DEPOSIT: ("draft-pay-keep-deposit-amount", ("deposit",)),
    # "No deposit" was answered: claiming to keep one would contradict the facts.
    Outcome.KEEP_NO_DEPOSIT: None,
    Outcome.KEEP_UNKNOWN_DEPOSIT: ("draft-pay-keep-deposit", ()),
    Outcome.KILL_FEE_UNKNOWN: ("draft-pay-kill-fee", ()),
    Outcome.KILL_FEE_NO_PRICE: ("draft-pay-kill-fee-percent-agreed", ("percent",)),
    # The deposit was skipped: any deposit paid is set off, none is claimed or denied.
    Outcome.KILL_FEE_UNKNOWN_DEPOSIT: ("draft-pay-any-deposit-set-off", ()),
    Outcome.REFUND_DIFFERENCE: ("draft-pay-refund", ("deposit", "refund")),
    Outcome.INVOICE_REST: ("draft-pay-invoice-rest", ("deposit", "invoice")),
    Outcome.INVOICE_ALL: ("draft-pay-invoice-all", ()),
    Outcome.SETTLED_BY_DEPOSIT: ("draft-pay-even", ()),
    Outcome.NOTHING_DUE: None,
    Outcome.CONTINUE_UNKNOWN: None,
    Outcome.ABSORB_DEPOSIT: ("draft-pay-absorb-deposit", ("deposit",)),
    Outcome.ABSORB: ("draft-pay-absorb", ()),
    Outcome.ABSORB_UNKNOWN_DEPOSIT: ("draft-pay-absorb-any-deposit", ()),
    Outcome.DEDUCT_UNKNOWN: ("draft-pay-deduct", ()),
    Outcome.DEDUCT_NO_DEPOSIT: ("draft-pay-deduct-no-deposit", ("unusable",)),
    Outcome.DEDUCT_UNKNOWN_DEPOSIT: ("draft-pay-deduct-any-deposit", ("unusable",)),
    Outcome.DEDUCT_EXCEEDS_DEPOSIT: (
        "draft-pay-deduct-invoice",
        ("unusable", "deposit", "invoice"),
    ),
    Outcome.DEDUCT_AND_CREDIT: ("draft-pay-deduct-left", ("unusable", "deposit", "left")),
    Outcome.DEDUCT_ALL_OF_DEPOSIT: ("draft-pay-deduct-all", ("deposit",)),
}

#: Variant 2 while the share is not agreed: the proposal's own sentence.
_PROPOSED: dict[Outcome, tuple[str, tuple[str, ...]] | None] = {
    Outcome.KILL_FEE_NO_PRICE: ("draft-pay-kill-fee-percent", ("percent",)),
    Outcome.KILL_FEE_UNKNOWN_DEPOSIT: ("draft-pay-any-deposit-set-off-proposed", ()),
    Outcome.REFUND_DIFFERENCE: ("draft-pay-refund-proposed", ("deposit", "refund")),
    Outcome.INVOICE_REST: ("draft-pay-invoice-rest-proposed", ("deposit", "invoice")),
    Outcome.INVOICE_ALL: None,
    Outcome.SETTLED_BY_DEPOSIT: ("draft-pay-even-proposed", ()),
}

#: The next step after parting ways, by outcome: (agreed, not agreed).
_NEXT_PART_WAYS: dict[Outcome, tuple[str | None, str | None]] = {
    Outcome.KILL_FEE_UNKNOWN: ("draft-next-agree-amount", "draft-next-agree-amount"),
    Outcome.KILL_FEE_NO_PRICE: ("draft-next-invoice", "draft-next-proposal-invoice"),
    Outcome.KILL_FEE_UNKNOWN_DEPOSIT: ("draft-next-confirm", "draft-next-proposal"),
    Outcome.REFUND_DIFFERENCE: ("draft-next-refund-account", "draft-next-proposal-refund"),
    Outcome.INVOICE_REST: (None, "draft-next-proposal-invoice"),
    Outcome.INVOICE_ALL: (None, "draft-next-proposal-invoice"),
    Outcome.SETTLED_BY_DEPOSIT: (None, "draft-next-proposal"),
    Outcome.KEEP_DEPOSIT: (None, None),
    Outcome.KEEP_UNKNOWN_DEPOSIT: (None, None),
}


@dataclass(frozen=True, slots=True)
class PaymentText:
    """The payment paragraph of a reply and, after parting ways, its next step."""

    sentences: list[str]
    next_step: str | None


def payment_text(writer: Writer, answers: Answers) -> PaymentText:
    """The payment terms of the chosen variant, with amounts when they are known."""
    settlement = settle(answers)
    result = outcome(answers, settlement)
    if result is None:
        return PaymentText([], writer.say("draft-next-confirm"))
    agreed = answers.kill_fee_agreed is True
    amounts = _amounts(writer, answers, settlement)
    sentences: list[str] = []
    if settlement is not None and settlement.variant is PaymentVariant.KILL_FEE:
        key = "draft-pay-kill-fee-amount-agreed" if agreed else "draft-pay-kill-fee-amount"
        sentences.append(
            writer.say(
                key, percent=amounts["percent"], price=amounts["price"], keep=amounts["keep"]
            )
        )
    entry = _PAYMENT_SENTENCES[result]
    if not agreed and result in _PROPOSED:
        entry = _PROPOSED[result]
    if entry is not None:
        key, names = entry
        sentences.append(writer.say(key, **{name: amounts[name] for name in names}))
    if settlement is not None and not settlement.deposit_known and settlement.price is not None:
        if settlement.variant is PaymentVariant.CONTINUE:
            # The new version's price; any deposit was already said to count towards it.
            key = (
                "draft-pay-new-price-less-deposit-left"
                if result is Outcome.DEDUCT_UNKNOWN_DEPOSIT
                else "draft-pay-new-price"
            )
            sentences.append(writer.say(key, price=amounts["price"]))
    elif settlement is not None and settlement.remaining is not None:
        if settlement.deposit_left:
            sentences.append(
                writer.say(
                    "draft-pay-new-price-remaining",
                    price=amounts["price"],
                    remaining=amounts["remaining"],
                )
            )
        else:
            sentences.append(writer.say("draft-pay-new-price", price=amounts["price"]))
    agreed_next, proposed_next = _NEXT_PART_WAYS.get(result, ("draft-next-confirm",) * 2)
    next_key = agreed_next if agreed else proposed_next
    if answers.payment_variant is PaymentVariant.KEEP_DEPOSIT:
        next_key = agreed_next
    return PaymentText(sentences, writer.say(next_key) if next_key else None)


def _amounts(writer: Writer, answers: Answers, settlement: Settlement | None) -> dict[str, str]:
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
    if settlement.remaining is not None:
        out["remaining"] = writer.money(settlement.remaining, currency)
    return out
