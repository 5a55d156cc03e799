"""Who pays what under the chosen payment variant — the one settlement ladder.

:func:`settle` computes the amounts and :func:`outcome` names the case of the
ladder (refund the difference, invoice the rest, …). The coach's lines
(:func:`flows.prompts.settlement_lines`) and the client's sentences
(:mod:`flows.drafts`) only map an :class:`Outcome` to a message key, so a rule
of the ladder lives here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from flows.case import Answers, ContinueMode, PaymentVariant, Solution
from flows.money import CENT


class Outcome(StrEnum):
    """Which case of the settlement ladder applies."""

    #: Variant 1 with a deposit: the freelancer keeps it.
    KEEP_DEPOSIT = "keep_deposit"
    #: Variant 1, the user answered "no deposit".
    KEEP_NO_DEPOSIT = "keep_no_deposit"
    #: Variant 1, the deposit was skipped.
    KEEP_UNKNOWN_DEPOSIT = "keep_unknown_deposit"
    #: Variant 2 without a share yet.
    KILL_FEE_UNKNOWN = "kill_fee_unknown"
    #: Variant 2 with a share but no price.
    KILL_FEE_NO_PRICE = "kill_fee_no_price"
    #: Variant 2 with the share's amount, but the deposit was skipped: any deposit
    #: paid is set off against it (never "no deposit", never an invented one).
    KILL_FEE_UNKNOWN_DEPOSIT = "kill_fee_unknown_deposit"
    #: Variant 2: the deposit is more than the share; give back the difference.
    REFUND_DIFFERENCE = "refund_difference"
    #: Variant 2: the deposit covers part of the share; invoice the rest.
    INVOICE_REST = "invoice_rest"
    #: Variant 2 with no deposit: invoice the whole share.
    INVOICE_ALL = "invoice_all"
    #: Variant 2: the deposit is exactly the share.
    SETTLED_BY_DEPOSIT = "settled_by_deposit"
    #: Variant 2: nothing was paid and nothing is due.
    NOTHING_DUE = "nothing_due"
    #: Variant 3 without a mode yet.
    CONTINUE_UNKNOWN = "continue_unknown"
    #: Variant 3, the freelancer absorbs the unusable work; the deposit counts in full.
    ABSORB_DEPOSIT = "absorb_deposit"
    #: Variant 3, absorbed, and there was no deposit.
    ABSORB = "absorb"
    #: Variant 3, absorbed, the deposit skipped: any deposit paid counts in full.
    ABSORB_UNKNOWN_DEPOSIT = "absorb_unknown_deposit"
    #: Variant 3, deduct, but the unusable amount is not known.
    DEDUCT_UNKNOWN = "deduct_unknown"
    #: Variant 3, deduct, and there was no deposit to deduct from.
    DEDUCT_NO_DEPOSIT = "deduct_no_deposit"
    #: Variant 3, deduct, the deposit skipped: the unusable part comes off any
    #: deposit paid, and what it does not cover is invoiced.
    DEDUCT_UNKNOWN_DEPOSIT = "deduct_unknown_deposit"
    #: Variant 3: the unusable work is more than the deposit; invoice the difference.
    DEDUCT_EXCEEDS_DEPOSIT = "deduct_exceeds_deposit"
    #: Variant 3: deducted; the rest of the deposit counts towards the new work.
    DEDUCT_AND_CREDIT = "deduct_and_credit"
    #: Variant 3: the unusable work takes exactly the whole deposit.
    DEDUCT_ALL_OF_DEPOSIT = "deduct_all_of_deposit"


@dataclass(frozen=True, slots=True)
class Settlement:
    """Who pays what under the chosen payment variant.

    ``keep`` stays with the freelancer; ``refund`` goes back to the client;
    ``invoice`` is still to be billed; ``deposit_left`` (variant 3 only) is the
    part of the deposit that counts towards the continued work, and
    ``remaining`` (variant 3 with a known price) what is still to pay for the
    new version: its price less ``deposit_left``. ``outcome`` names the case
    of the ladder. ``deposit_known`` is false when the deposit was skipped:
    then ``deposit`` is 0 only for the sums, and the outcome is one of the
    ``…_UNKNOWN_DEPOSIT`` ones (the texts never say "no deposit").
    """

    variant: PaymentVariant
    outcome: Outcome
    currency: str
    price: Decimal | None
    deposit: Decimal
    keep: Decimal
    refund: Decimal
    invoice: Decimal
    deposit_left: Decimal | None
    kill_fee_percent: Decimal | None
    agreed: bool | None
    remaining: Decimal | None = None
    deposit_known: bool = True


def settle(answers: Answers) -> Settlement | None:
    """Compute the settlement of the chosen payment variant.

    Returns:
        The settlement, or ``None`` when no variant is chosen or the variant
        lacks its numbers (no deposit to keep; no price or percentage for the
        kill fee; no unusable amount to deduct; no continue mode) — then
        :func:`outcome` still names what is known.
    """
    variant = answers.payment_variant
    known = answers.deposit is not None  # skipped: unknown, not "no deposit" (D16)
    deposit = (answers.deposit or Decimal(0)).quantize(CENT)
    zero = Decimal(0).quantize(CENT)

    def make(
        chosen: PaymentVariant,
        result: Outcome,
        keep: Decimal,
        *,
        refund: Decimal = zero,
        invoice: Decimal = zero,
        deposit_left: Decimal | None = None,
    ) -> Settlement:
        is_kill_fee = chosen is PaymentVariant.KILL_FEE
        remaining = None
        if deposit_left is not None and answers.price is not None:
            remaining = max(answers.price.quantize(CENT) - deposit_left, zero)
        return Settlement(
            variant=chosen,
            outcome=result,
            currency=answers.currency,
            price=answers.price,
            deposit=deposit,
            keep=keep,
            refund=refund,
            invoice=invoice,
            deposit_left=deposit_left,
            kill_fee_percent=answers.kill_fee_percent if is_kill_fee else None,
            agreed=answers.kill_fee_agreed if is_kill_fee else None,
            remaining=remaining,
            deposit_known=known,
        )

    if variant is PaymentVariant.KEEP_DEPOSIT:
        return make(variant, Outcome.KEEP_DEPOSIT, deposit) if deposit > 0 else None
    if variant is PaymentVariant.KILL_FEE:
        percent, price = answers.kill_fee_percent, answers.price
        if percent is None or price is None:
            return None
        keep = (price * percent / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)
        if not known:
            return make(variant, Outcome.KILL_FEE_UNKNOWN_DEPOSIT, keep)
        if deposit > keep:
            return make(variant, Outcome.REFUND_DIFFERENCE, keep, refund=deposit - keep)
        if keep > deposit:
            rest = Outcome.INVOICE_REST if deposit > 0 else Outcome.INVOICE_ALL
            return make(variant, rest, keep, invoice=keep - deposit)
        even = Outcome.SETTLED_BY_DEPOSIT if deposit > 0 else Outcome.NOTHING_DUE
        return make(variant, even, keep)
    if variant is PaymentVariant.CONTINUE:
        if answers.continue_mode is ContinueMode.ABSORB:
            if not known:
                return make(variant, Outcome.ABSORB_UNKNOWN_DEPOSIT, zero)
            absorbed = Outcome.ABSORB_DEPOSIT if deposit > 0 else Outcome.ABSORB
            return make(variant, absorbed, zero, deposit_left=deposit)
        if answers.continue_mode is ContinueMode.DEDUCT and answers.unusable_amount is not None:
            unusable = answers.unusable_amount.quantize(CENT)
            if not known:
                return make(variant, Outcome.DEDUCT_UNKNOWN_DEPOSIT, zero)
            keep = min(unusable, deposit)
            invoice = unusable - deposit if unusable > deposit else zero
            left = deposit - keep
            if deposit <= 0:
                deducted = Outcome.DEDUCT_NO_DEPOSIT
            elif invoice > 0:
                deducted = Outcome.DEDUCT_EXCEEDS_DEPOSIT
            elif left > 0:
                deducted = Outcome.DEDUCT_AND_CREDIT
            else:
                deducted = Outcome.DEDUCT_ALL_OF_DEPOSIT
            return make(variant, deducted, keep, invoice=invoice, deposit_left=left)
    return None


def outcome(answers: Answers, settlement: Settlement | None = None) -> Outcome | None:
    """The case of the ladder, also when the amounts are not known (``None``: no variant)."""
    settled = settlement if settlement is not None else settle(answers)
    if settled is not None:
        return settled.outcome
    variant = answers.payment_variant
    if variant is PaymentVariant.KEEP_DEPOSIT:
        if answers.deposit is not None:
            return Outcome.KEEP_NO_DEPOSIT
        return Outcome.KEEP_UNKNOWN_DEPOSIT
    if variant is PaymentVariant.KILL_FEE:
        if answers.kill_fee_percent is None:
            return Outcome.KILL_FEE_UNKNOWN
        return Outcome.KILL_FEE_NO_PRICE
    if variant is PaymentVariant.CONTINUE:
        if answers.continue_mode is ContinueMode.DEDUCT:
            return Outcome.DEDUCT_UNKNOWN
        return Outcome.CONTINUE_UNKNOWN
    return None


def suggest_variant(answers: Answers) -> PaymentVariant:
    """Suggest the fitting payment variant: redo → continue; else by the deposit."""
    if answers.solution is Solution.REDO:
        return PaymentVariant.CONTINUE
    if answers.deposit is not None and answers.deposit > 0:
        return PaymentVariant.KEEP_DEPOSIT
    return PaymentVariant.KILL_FEE


def contradicts(solution: Solution | None, variant: PaymentVariant | None) -> bool:
    """Whether a payment variant contradicts the solution (FLOW.md step 6).

    Variants 1–2 (keep the deposit, the share of the price) end the work; variant 3
    continues it. A redo with variant 1–2, or parting ways with variant 3, would
    compose a reply that says both — the coach asks first.
    """
    if solution is None or variant is None:
        return False
    continues = variant is PaymentVariant.CONTINUE
    return continues != (solution is Solution.REDO)
