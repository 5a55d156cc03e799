"""Step 8: the clause for the next contract (always formal: it goes into a contract)."""

from __future__ import annotations

from decimal import Decimal

from flows.case import Answers, Tone
from flows.drafts.writer import Writer
from flows.io import Draft, DraftKind
from flows.money import KILL_FEE_RANGE, format_percent

#: Working days the client has to accept or object before the work counts as accepted.
ACCEPTANCE_DAYS = 5


def clause_percent(answers: Answers) -> Decimal:
    """The compensation share for the next contract, within the advised 30–50 %.

    The user's own kill-fee percentage is used when given (brought into the
    range); otherwise the lower end, 30 %.
    """
    low, high = KILL_FEE_RANGE
    if answers.kill_fee_percent is None:
        return low
    return min(max(answers.kill_fee_percent, low), high)


def compose_contract_clause(
    answers: Answers, *, language: str, signature: str | None = None
) -> Draft:
    """Compose the step-8 clause for the next contract, in ``language``.

    Written acceptance criteria, an acceptance deadline (after which the work
    counts as accepted), and 30–50 % of the price as compensation for the
    work done when the client does not use it. The language is the caller's
    choice, independent of the coach's; a contract clause carries no sign-off,
    so ``signature`` is accepted for a uniform interface and not used.

    Args:
        answers: The case's answers (the kill-fee percentage, if any).
        language: The clause's language (``"bg"`` or ``"en"``).
        signature: Ignored (see above).
    """
    del signature
    writer = Writer(language, Tone.FORMAL)
    percent = format_percent(clause_percent(answers), language=language)
    writer.paragraph(writer.plain("draft-clause-heading"))
    writer.paragraph(writer.plain("draft-clause-criteria"))
    writer.paragraph(writer.plain("draft-clause-acceptance", days=str(ACCEPTANCE_DAYS)))
    writer.paragraph(writer.plain("draft-clause-compensation", percent=percent))
    writer.paragraph(writer.plain("draft-clause-changes"))
    return Draft(
        kind=DraftKind.CONTRACT_CLAUSE,
        text=writer.text(),
        language=language,
        title=writer.plain("draft-title-contract-clause"),
    )
