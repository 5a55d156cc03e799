"""``/stats``: the user's own cases — how many, how they ended, money kept, days to an outcome.

Only the cases handed in (the engine loads those of the one user asking): nothing
aggregated across users is ever shown to a user. Pure.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

from flows.case import FINAL_OUTCOMES, Case, CaseOutcome, CaseStatus, Step
from flows.i18n import t
from flows.io import Reply
from flows.money import format_money

#: The lines of "how they ended", in this order (``outcome-stats-<bucket>``).
BUCKETS: tuple[str, ...] = (
    "agreed",
    "parted",
    "escalated",
    "negotiating",
    "no_answer",
    "unreported",
    "active",
    "cancelled",
)

#: Outcomes whose amount counts as money kept or received.
_MONEY_OUTCOMES = frozenset({CaseOutcome.AGREED, CaseOutcome.PARTED})


def bucket_of(case: Case) -> str:
    """Which line of "how they ended" ``case`` counts in."""
    if case.status is CaseStatus.ACTIVE:
        return "active"
    if case.status is CaseStatus.CANCELLED:
        return "cancelled"
    return case.outcome.value if case.outcome is not None else "unreported"


def money_kept(cases: Sequence[Case]) -> dict[str, Decimal]:
    """Money received or kept, per currency, from the outcomes that reported it."""
    totals: dict[str, Decimal] = {}
    for case in cases:
        if case.outcome in _MONEY_OUTCOMES and case.outcome_amount is not None:
            currency = case.outcome_currency or case.answers.currency
            totals[currency] = totals.get(currency, Decimal(0)) + case.outcome_amount
    return totals


def median_days(cases: Sequence[Case]) -> Decimal | None:
    """Median days from the first message to a final outcome (one decimal), if any."""
    days = [
        max(Decimal(0), Decimal((case.outcome_at - case.created_at).total_seconds()))
        / Decimal(86_400)
        for case in cases
        if case.outcome in FINAL_OUTCOMES
        and case.outcome_at is not None
        and case.created_at is not None
    ]
    if not days:
        return None
    return Decimal(statistics.median(days)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def render(cases: Sequence[Case], *, language: str) -> Reply:
    """The /stats message of ``cases`` (one user's) in ``language``."""
    title = t(language, "outcome-stats-title")
    cases = [case for case in cases if case.step is not Step.START]  # never begun
    if not cases:
        return Reply(text=t(language, "outcome-stats-empty"), title=title)
    counts = dict.fromkeys(BUCKETS, 0)
    for case in cases:
        counts[bucket_of(case)] += 1
    lines = [t(language, "outcome-stats-cases", count=len(cases)), ""]
    lines.append(t(language, "outcome-stats-ended"))
    lines.extend(
        "• " + t(language, "outcome-stats-" + bucket.replace("_", "-"), count=count)
        for bucket, count in counts.items()
        if count
    )
    totals = money_kept(cases)
    lines.append("")
    if totals:
        amounts = "; ".join(
            format_money(amount, currency, language=language)
            for currency, amount in sorted(totals.items())
        )
        lines.append(t(language, "outcome-stats-money", amounts=amounts))
    else:
        lines.append(t(language, "outcome-stats-money-none"))
    days = median_days(cases)
    if days is not None and days < 1:
        lines.append(t(language, "outcome-stats-days-under-one"))
    elif days is not None:
        shown = format_decimal(days, format="#,##0.#", locale="bg_BG" if language == "bg" else "en")
        lines.append(t(language, "outcome-stats-days", days=shown, count=1 if days == 1 else 2))
    lines += ["", t(language, "outcome-stats-private")]
    return Reply(text="\n".join(lines), title=title)
