"""What the coach shows about a case as a whole: fact lines, /cases, /export, the closing.

The fact lines follow the step registry: every step with a ``field_label``
contributes its answer, in conversation order. The vented text is never shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from babel.dates import format_date

from flows import callback
from flows.case import Answers, Case, CaseStatus, Step
from flows.i18n import t
from flows.io import Button, Draft, DraftKind, Outgoing, Reply
from flows.money import format_money
from flows.prompts import settlement_lines
from flows.reopen import REOPEN, can_reopen
from flows.steps import SPECS
from flows.text import dash, one_line

#: Longest fact value in the closing summary (the export has them in full).
SUMMARY_VALUE_LIMIT = 160


def fact_lines(answers: Answers, *, language: str) -> list[tuple[str, str]]:
    """``(label, value)`` of every known fact, for the summary and the export."""
    out: list[tuple[str, str]] = []
    for spec in SPECS:
        if spec.field_label is None or spec.fact is None:
            continue
        value = spec.fact(answers, language)
        if value:
            out.append((t(language, spec.field_label), value))
    return out


def closing_summary(answers: Answers, *, language: str) -> str:
    """The closing message's summary: the facts (cut to one line each) and the money."""
    lines = [t(language, "coach-done-prompt")]
    # A pasted 1 000-character message would bury the summary; /export keeps it whole.
    lines.extend(
        f"• {label}: {one_line(value, SUMMARY_VALUE_LIMIT)}"
        for label, value in fact_lines(answers, language=language)
    )
    lines.extend(f"• {line}" for line in settlement_lines(answers, language=language))
    return "\n".join(lines)


def _step_name(case: Case, language: str) -> str:
    return t(language, f"coach-step-{dash(case.step.value)}")


def history(cases: Sequence[Case], *, language: str) -> list[Outgoing]:
    """``/cases``: the user's cases, newest first (``cases`` arrive newest first).

    A case that never began (it only held /delete's question) is none of them.
    Each cancelled case gets a "Reopen" button (:mod:`flows.reopen`).
    """
    cases = [case for case in cases if case.step is not Step.START]
    if not cases:
        return [Reply(text=t(language, "coach-history-empty"))]
    lines = []
    buttons: list[tuple[Button, ...]] = []
    for number, case in enumerate(cases, start=1):
        if can_reopen(case):
            data = callback.encode(case_id=case.id, turn=case.turn, choice=REOPEN)
            label = t(language, "coach-btn-reopen", number=number)
            buttons.append((Button(label=label, data=data),))
        client = one_line(case.answers.client_name or t(language, "coach-history-no-client"), 60)
        status = t(language, f"coach-status-{case.status.value}")
        if case.status is CaseStatus.DONE and case.outcome is not None:
            lines.append(
                t(
                    language,
                    "outcome-history-line",
                    number=number,
                    client=client,
                    status=status,
                    outcome=outcome_text(case, language=language),
                )
            )
            continue
        if case.status is CaseStatus.DONE:
            # "ACME — closed (closed)" said it twice: a finished case has no step to show.
            lines.append(
                t(language, "coach-history-line-done", number=number, client=client, status=status)
            )
            continue
        lines.append(
            t(
                language,
                "coach-history-line",
                number=number,
                client=client,
                step=_step_name(case, language),
                status=status,
            )
        )
    if buttons:
        lines += ["", t(language, "coach-history-reopen-hint")]
    return [
        Reply(
            text="\n".join(lines),
            title=t(language, "coach-history-title"),
            buttons=tuple(buttons),
        )
    ]


def outcome_text(case: Case, *, language: str) -> str:
    """How the case ended, with the money received or kept when told ("" without one)."""
    if case.outcome is None:
        return ""
    text = t(language, f"outcome-label-{dash(case.outcome.value)}")
    if case.outcome_amount is not None:
        currency = case.outcome_currency or case.answers.currency
        text += f" ({format_money(case.outcome_amount, currency, language=language)})"
    return text


def _outcome_lines(case: Case, *, language: str) -> list[str]:
    """The export's lines about the follow-up's outcome (issue 15)."""
    if case.outcome is None:
        return []
    ended = outcome_text(case, language=language)
    lines = [f"- **{t(language, 'outcome-field-outcome')}:** {ended}"]
    if case.outcome_at is not None:
        day = format_date(case.outcome_at.date(), format="long", locale=_babel(language))
        lines.append(f"- **{t(language, 'outcome-field-date')}:** {day}")
    if case.answers.outcome_note:
        lines.append(f"- **{t(language, 'outcome-field-note')}:** {case.answers.outcome_note}")
    return lines


def _babel(language: str) -> str:
    return "bg_BG" if language == "bg" else "en_US"


def export(case: Case | None, *, language: str, reply: Draft | None = None) -> list[Outgoing]:
    """``/export``: the case as Markdown, in a :class:`~flows.io.Draft` of kind EXPORT."""
    if case is None:
        return [Reply(text=t(language, "coach-export-none"))]
    title = t(language, "coach-export-title")
    client = case.answers.client_name or t(language, "coach-history-no-client")
    lines = [f"# {title}: {one_line(client, 80)}", ""]
    status = t(language, f"coach-status-{case.status.value}")
    lines.append(f"- **{t(language, 'coach-field-status')}:** {status}")
    if case.status is not CaseStatus.DONE:  # a finished case has no step ("closed" twice)
        lines.append(f"- **{t(language, 'coach-field-step')}:** {_step_name(case, language)}")
    lines.extend(_outcome_lines(case, language=language))
    for label, value in fact_lines(case.answers, language=language):
        value_lines = value.splitlines() or [""]
        if len(value_lines) == 1:
            lines.append(f"- **{label}:** {value_lines[0]}")
        else:
            lines.append(f"- **{label}:**")
            lines.extend(f"  > {v}" for v in value_lines)
    money = settlement_lines(case.answers, language=language)
    if money:
        lines += ["", f"## {t(language, 'coach-field-payment')}", ""]
        lines.extend(f"- {line}" for line in money)
    agreed = case.answers.kill_fee_agreed
    if agreed is not None:
        key = "coach-export-share-agreed" if agreed else "coach-export-share-not-agreed"
        if not money:
            lines += ["", f"## {t(language, 'coach-field-payment')}", ""]
        lines.append(f"- {t(language, key)}")
    if reply is not None:
        lines += ["", f"## {t(language, 'coach-export-reply')}", "", reply.text]
    return [Draft(kind=DraftKind.EXPORT, text="\n".join(lines), language=language, title=title)]
