"""Step 6: who pays for the unused work — the three variants and their amounts."""

from __future__ import annotations

from decimal import Decimal

from flows.case import Answers, ContinueMode, PaymentVariant, Solution, Step
from flows.i18n import t
from flows.money import AmountError, parse_percent, parse_share
from flows.prompts import (
    KILL_FEE_SHARES,
    Choice,
    payment_amount_lines,
    settlement_lines,
)
from flows.settlement import contradicts, suggest_variant
from flows.steps.money_facts import amount_error
from flows.steps.spec import ANSWER, Edge, StepSpec, standard_question
from flows.text import dash
from flows.turn import Turn

KEEP_DEPOSIT, KILL_FEE, CONTINUE = "keep_deposit", "kill_fee", "continue_together"
CONFIRM, BACK_TO_OPTIONS = "confirm_variant", "back_to_options"
YES, NO = "yes", "no"
#: Typed answers to a yes/no question (casefolded, punctuation stripped).
_TYPED_YES = frozenset({"yes", "y", "yeah", "yep", "sure", "ok", "да", "д", "добре", "аха"})
_TYPED_NO = frozenset({"no", "n", "nope", "не", "н"})
SHARE, SHARE_OTHER, DEDUCT, ABSORB = "share", "share_other", "deduct", "absorb"


def note_settlement(turn: Turn) -> None:
    """Tell the user what the chosen variant means in money (when it can be said)."""
    assert turn.case is not None
    lines = settlement_lines(turn.case.answers, language=turn.language)
    if lines:
        turn.notes.append("\n".join(lines))


# ---------------------------------------------------------------------- the variants


def _payment_choices(answers: Answers) -> list[list[Choice]]:
    suggested = suggest_variant(answers)
    return [
        [Choice(v.value, f"coach-btn-pay-{dash(v.value)}", suggested=v is suggested)]
        for v in PaymentVariant
    ]


def _press_payment(turn: Turn, token: str) -> str:
    assert turn.case is not None
    answers = turn.case.answers
    variant = PaymentVariant(token)
    if contradicts(answers.solution, variant):
        # Never composed as it stands: the user confirms the change of solution first.
        answers.pending_variant = variant
        return CONFIRM
    answers.payment_variant = variant
    return _variant_trigger(turn)


def _variant_trigger(turn: Turn) -> str:
    """The trigger of the chosen variant (its settlement noted for variant 1)."""
    assert turn.case is not None
    answers = turn.case.answers
    if answers.payment_variant is PaymentVariant.KEEP_DEPOSIT:
        note_settlement(turn)
        return KEEP_DEPOSIT
    if answers.payment_variant is PaymentVariant.KILL_FEE:
        return KILL_FEE
    return CONTINUE


def _payment_question(turn: Turn, spec: StepSpec) -> str:
    assert turn.case is not None
    amounts = payment_amount_lines(turn.case.answers, language=turn.language)
    blocks = ["\n".join(amounts)] if amounts else []
    return standard_question(turn, spec, after_answer=[*blocks, turn.t("coach-payment-suggested")])


def _payment_fact(answers: Answers, language: str) -> str | None:
    if answers.payment_variant is None:
        return None
    return t(language, f"coach-fact-pay-{dash(answers.payment_variant.value)}")


# ---------------------------------------------------------------------- a contradictory pick


def _confirm_question(turn: Turn, spec: StepSpec) -> str:
    assert turn.case is not None
    redo = turn.case.answers.solution is Solution.REDO
    key = "coach-payment-confirm-part-ways" if redo else "coach-payment-confirm-continue"
    return f"{turn.t(spec.prompt_key)} {turn.t(key)}"


def _confirm_choices(answers: Answers) -> list[list[Choice]]:
    yes_key = (
        "coach-btn-confirm-part-ways"
        if answers.solution is Solution.REDO
        else "coach-btn-confirm-continue"
    )
    return [[Choice(YES, yes_key)], [Choice(NO, "coach-btn-back-to-options")]]


def _press_confirm(turn: Turn, token: str) -> str:
    assert turn.case is not None
    answers = turn.case.answers
    pending, answers.pending_variant = answers.pending_variant, None
    if token != YES or pending is None:
        return BACK_TO_OPTIONS
    if pending is PaymentVariant.CONTINUE:
        answers.solution = Solution.REDO
        turn.note("coach-payment-confirmed-continue")
    else:
        answers.solution = Solution.PART_WAYS
        answers.deadline = None
        turn.note("coach-payment-confirmed-part-ways")
    answers.payment_variant = pending
    return _variant_trigger(turn)


def _type_confirm(turn: Turn, text: str) -> str | None:
    word = "".join(ch for ch in text.casefold() if ch.isalnum() or ch.isspace()).strip()
    if word in _TYPED_YES:
        return _press_confirm(turn, YES)
    if word in _TYPED_NO:
        return _press_confirm(turn, NO)
    return None


# ---------------------------------------------------------------------- variant 2


def _press_share(turn: Turn, token: str) -> str:
    assert turn.case is not None
    if token == "other":
        return SHARE_OTHER
    turn.case.answers.kill_fee_percent = Decimal(token.removeprefix("p"))
    return SHARE


def _type_percent(turn: Turn, text: str) -> str | None:
    assert turn.case is not None
    try:
        percent = parse_percent(text)
    except AmountError as err:
        amount_error(turn, err)
        return None
    turn.case.answers.kill_fee_percent = percent
    return ANSWER


def _press_agreed(turn: Turn, token: str) -> str:
    assert turn.case is not None
    agreed = token == "yes"
    turn.case.answers.kill_fee_agreed = agreed
    note_settlement(turn)
    turn.note("coach-kill-fee-agreed-yes" if agreed else "coach-kill-fee-agreed-no")
    return ANSWER


# ---------------------------------------------------------------------- variant 3


def _press_continue_mode(turn: Turn, token: str) -> str:
    assert turn.case is not None
    answers = turn.case.answers
    answers.continue_mode = ContinueMode(token)
    if answers.continue_mode is ContinueMode.DEDUCT:
        return DEDUCT
    answers.unusable_amount = None
    note_settlement(turn)
    return ABSORB


def _type_unusable(turn: Turn, text: str) -> str | None:
    assert turn.case is not None
    answers = turn.case.answers
    try:
        amount = parse_share(text, base=answers.price)
    except AmountError as err:
        amount_error(turn, err)
        return None
    answers.unusable_amount = amount
    note_settlement(turn)
    return ANSWER


SPECS: tuple[StepSpec, ...] = (
    StepSpec(
        step=Step.PAYMENT,
        edges=(
            Edge(KEEP_DEPOSIT, Step.REPLY),
            Edge(KILL_FEE, Step.KILL_FEE_SHARE),
            Edge(CONTINUE, Step.CONTINUE_MODE),
            Edge(CONFIRM, Step.PAYMENT_CONFIRM),
        ),
        choices=_payment_choices,
        on_press=_press_payment,
        question=_payment_question,
        field="payment_variant",
        answered=lambda _a: False,
        field_label="coach-field-payment",
        fact=_payment_fact,
        editable=True,
    ),
    StepSpec(
        step=Step.PAYMENT_CONFIRM,
        edges=(
            Edge(KEEP_DEPOSIT, Step.REPLY),
            Edge(KILL_FEE, Step.KILL_FEE_SHARE),
            Edge(CONTINUE, Step.CONTINUE_MODE),
            Edge(BACK_TO_OPTIONS, Step.PAYMENT),
        ),
        choices=_confirm_choices,
        on_press=_press_confirm,
        on_text=_type_confirm,
        question=_confirm_question,
    ),
    StepSpec(
        step=Step.KILL_FEE_SHARE,
        edges=(Edge(SHARE, Step.KILL_FEE_AGREED), Edge(SHARE_OTHER, Step.KILL_FEE_OTHER)),
        choices=lambda _a: [
            [Choice(f"p{share}", f"coach-btn-share-{share}") for share in KILL_FEE_SHARES],
            [Choice("other", "coach-btn-share-other")],
        ],
        on_press=_press_share,
    ),
    StepSpec(
        step=Step.KILL_FEE_OTHER,
        edges=(Edge(ANSWER, Step.KILL_FEE_AGREED),),
        on_text=_type_percent,
    ),
    StepSpec(
        step=Step.KILL_FEE_AGREED,
        edges=(Edge(ANSWER, Step.REPLY),),
        choices=lambda _a: [[Choice("yes", "coach-btn-yes"), Choice("no", "coach-btn-no")]],
        on_press=_press_agreed,
    ),
    StepSpec(
        step=Step.CONTINUE_MODE,
        edges=(Edge(DEDUCT, Step.UNUSABLE), Edge(ABSORB, Step.REPLY)),
        choices=lambda _a: [[Choice(m.value, f"coach-btn-{m.value}")] for m in ContinueMode],
        on_press=_press_continue_mode,
    ),
    StepSpec(
        step=Step.UNUSABLE,
        edges=(Edge(ANSWER, Step.REPLY),),
        on_text=_type_unusable,
    ),
)
