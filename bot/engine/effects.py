"""The write phase's pieces: save the changed cases, carry out the effects, keep the drafts.

All of it runs inside the one write transaction of an update (or a reminder).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flows.case import Case
from flows.coach import Coach
from flows.i18n import normalise_language
from flows.io import (
    CancelReminders,
    Draft,
    DraftKind,
    ExportCase,
    FlowResult,
    Outgoing,
    ScheduleReminder,
    SetLanguage,
    SetSignature,
    ShowHistory,
    ShowStats,
    UserInput,
)
from storage import StorageSession, StorageTransaction, StoredUser
from storage.transaction import outcome_columns


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a stored case looked like before the coach ran (to detect a change)."""

    step: str
    status: str
    state: dict[str, Any]
    #: The follow-up's columns (issue 15).
    outcome: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, case: Case) -> Snapshot:
        """The snapshot of ``case`` as it is now."""
        return cls(
            step=case.step.value,
            status=case.status.value,
            state=case.to_dict(),
            outcome=outcome_columns(case),
        )


async def save_cases(
    tx: StorageTransaction,
    *,
    user_id: int,
    result: FlowResult,
    before: dict[str, Snapshot],
    kind: str,
) -> None:
    """Save closed cases first (so a new active case may take their place), then the active.

    The active one may be a reopened case (``/cases``): it takes the place of the case
    that closed, so the closing write comes first, each with its version check. A closed
    case whose follow-up changed (``result.follow_up``) is saved too; it keeps its
    reminders (the follow-up's own reminder may be the one being delivered).
    """
    cases = [
        *result.closed,
        *([result.follow_up] if result.follow_up is not None else []),
        *([result.case] if result.case is not None else []),
    ]
    for case in cases:
        previous = before.get(case.id)
        after = Snapshot.of(case)
        if case.version != 0 and previous == after:
            continue  # unchanged: nothing to save, nothing to log
        await tx.save_case(user_id=user_id, case=case, state=after.state)
        kept = case is result.case or case is result.follow_up
        if case.version != 0 and previous is not None and not kept:
            # A case that closed (done, cancelled, restarted) keeps no pending reminder.
            await tx.cancel_reminders(case_id=case.id)
        await tx.append_event(
            case_id=case.id,
            user_id=user_id,
            from_step=previous.step if previous is not None else None,
            to_step=case.step.value,
            kind=kind,
        )


async def find_named_case(
    session: StorageSession, coach: Coach, user: StoredUser | None, user_input: UserInput
) -> Case | None:
    """The user's own case that ``user_input`` names (a "Reopen" press), read before the coach.

    Only ``user``'s cases are searched; a forged or stale reference finds nothing
    (and the coach says so). The case is saved later with its version check.
    """
    ref = coach.case_named_by(user_input)
    if ref is None or user is None:
        return None
    return await session.find_case(user_id=user.id, case_ref=ref)


def surface_of(platform: str) -> str:
    """The flow's surface of a platform: "terminal" for the console, "chat" elsewhere."""
    return "terminal" if platform == "console" else "chat"


async def apply_effects(
    tx: StorageTransaction,
    *,
    coach: Coach,
    due_at: Callable[[timedelta], datetime],
    user: StoredUser,
    result: FlowResult,
    language: str,
) -> tuple[str, list[Outgoing]]:
    """Carry out the effects; returns the (possibly new) language and extra replies."""
    extra: list[Outgoing] = []
    for effect in result.effects:
        if isinstance(effect, SetLanguage):
            language = normalise_language(effect.language)
            await tx.set_language(user_id=user.id, language=language)
        elif isinstance(effect, SetSignature):
            await tx.set_signature(user_id=user.id, signature=effect.text)
    for effect in result.effects:
        if isinstance(effect, ScheduleReminder):
            await tx.add_reminder(
                user_id=user.id,
                case_id=effect.case_id or (result.case.id if result.case is not None else None),
                platform=user.key.platform,
                kind=effect.kind,
                due_at=due_at(effect.delay),
            )
        elif isinstance(effect, CancelReminders) and effect.case_id is not None:
            await tx.cancel_reminders(case_id=effect.case_id, kind=effect.kind)
        elif isinstance(effect, CancelReminders) and result.case is not None:
            await tx.cancel_reminders(case_id=result.case.id, kind=effect.kind)
        elif isinstance(effect, ShowStats):
            cases = await tx.list_cases(user_id=user.id, limit=None)
            extra += coach.render_stats(cases, language=language)
            extra += coach.current_question(result.case, language=language)
        elif isinstance(effect, ShowHistory):
            cases = await tx.list_cases(user_id=user.id)
            extra += coach.render_history(cases, language=language)
            extra += coach.current_question(result.case, language=language)
        elif isinstance(effect, ExportCase):
            target = result.case or await tx.latest_case(user_id=user.id)
            replies = (
                await tx.latest_drafts(
                    user_id=user.id, limit=1, case_id=target.id, kind=DraftKind.REPLY
                )
                if target is not None
                else []
            )
            reply = replies[0] if replies else None
            extra += coach.render_export(target, language=language, reply=reply)
            extra += coach.current_question(result.case, language=language)
    return language, extra


async def store_drafts(
    tx: StorageTransaction,
    *,
    user_id: int,
    result: FlowResult,
    outgoing: Sequence[Outgoing],
) -> None:
    """Keep every draft of ``outgoing`` (Telegram's inline mode offers them later)."""
    # A follow-up's nudge or clause belongs to the closed case it is about (issue 15).
    owner = result.follow_up or result.case or (result.closed[-1] if result.closed else None)
    case_id = owner.id if owner is not None and owner.version > 0 else None
    for item in outgoing:
        if isinstance(item, Draft):
            await tx.add_draft(user_id=user_id, case_id=case_id, draft=item)
