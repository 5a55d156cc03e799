"""Hot-path statements, built once at import.

SQLAlchemy then reuses their cache keys and compiled forms, and nothing is
coerced or constructed per call. Parameters are bound by name
(:func:`sqlalchemy.bindparam`); the comment above each statement names them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from flows.case import CaseStatus, FollowUp
from flows.io import ConversationKey
from storage.models import CaseEvent, CaseRow, DraftRow, ProcessedUpdate, User


def identity(key: ConversationKey) -> dict[str, str]:
    """The parameters of :data:`FIND_USER` and :data:`USER_AND_ACTIVE_CASE` for ``key``."""
    return {"platform": key.platform, "workspace": key.workspace, "platform_user_id": key.user_id}


_IDENTITY = and_(
    User.platform == bindparam("platform"),
    User.workspace == bindparam("workspace"),
    User.platform_user_id == bindparam("platform_user_id"),
)

#: The columns a :class:`flows.case.Case` is rebuilt from (see ``case_from_row``).
CASE_COLUMNS = (
    CaseRow.id,
    CaseRow.step,
    CaseRow.status,
    CaseRow.state,
    CaseRow.version,
    CaseRow.outcome,
    CaseRow.outcome_amount,
    CaseRow.outcome_currency,
    CaseRow.outcome_at,
    CaseRow.follow_up,
    CaseRow.created_at,
)

#: A user by platform identity: ``identity(key)``.
FIND_USER = select(User.id, User.language, User.platform_language, User.signature).where(_IDENTITY)

#: A user and their active case (NULL columns when none), one query: ``identity(key)``.
USER_AND_ACTIVE_CASE = (
    select(
        User.id.label("user_id"),
        User.language,
        User.platform_language,
        User.signature,
        *CASE_COLUMNS,
    )
    .select_from(User)
    .outerjoin(
        CaseRow,
        and_(CaseRow.user_id == User.id, CaseRow.status == CaseStatus.ACTIVE.value),
    )
    .where(_IDENTITY)
)

#: The user's active case: ``user_id``.
ACTIVE_CASE = select(*CASE_COLUMNS).where(
    CaseRow.user_id == bindparam("user_id"), CaseRow.status == CaseStatus.ACTIVE.value
)

#: The user's cases whose id starts with ``ref`` (a button's case reference): ``user_id``,
#: ``ref``. At most two rows: more than one means the reference names no single case.
CASE_BY_REF = (
    select(*CASE_COLUMNS)
    .where(CaseRow.user_id == bindparam("user_id"), CaseRow.id.startswith(bindparam("ref")))
    .limit(2)
)

#: A new case row: every column of ``cases``.
INSERT_CASE = insert(CaseRow)

#: The case at version ``expected`` of owner ``owner_id`` moves to ``version``.
UPDATE_CASE = (
    update(CaseRow)
    .where(
        CaseRow.id == bindparam("case_id"),
        CaseRow.user_id == bindparam("owner_id"),
        CaseRow.version == bindparam("expected"),
    )
    .values(
        step=bindparam("step"),
        status=bindparam("status"),
        state=bindparam("state"),
        version=bindparam("version"),
        updated_at=bindparam("now"),
        outcome=bindparam("outcome"),
        outcome_amount=bindparam("outcome_amount"),
        outcome_currency=bindparam("outcome_currency"),
        outcome_at=bindparam("outcome_at"),
        follow_up=bindparam("follow_up"),
    )
)

#: The user's closed case a follow-up press names (``user_id``, ``id_prefix``: its
#: button's 8 hex digits and ``%``) or, without a prefix, the one waiting for a
#: typed answer (issue 15); the newest first.
FOLLOW_UP_BY_REF = (
    select(*CASE_COLUMNS)
    .where(
        CaseRow.user_id == bindparam("user_id"),
        CaseRow.status == CaseStatus.DONE.value,
        CaseRow.follow_up.is_not(None),
        CaseRow.id.like(bindparam("id_prefix")),
    )
    .order_by(CaseRow.updated_at.desc())
    .limit(1)
)
FOLLOW_UP_TYPED = (
    select(*CASE_COLUMNS)
    .where(
        CaseRow.user_id == bindparam("user_id"),
        CaseRow.status == CaseStatus.DONE.value,
        CaseRow.follow_up.in_([FollowUp.ASKED.value, FollowUp.AMOUNT.value, FollowUp.NOTE.value]),
    )
    .order_by(CaseRow.updated_at.desc())
    .limit(1)
)

#: One event, numbered in the INSERT itself (one statement); the case row's lock
#: (PostgreSQL) or the write lock (SQLite) keeps the numbering gap-free.
APPEND_EVENT = (
    insert(CaseEvent)
    .from_select(
        ["case_id", "user_id", "seq", "from_step", "to_step", "kind", "created_at"],
        select(
            bindparam("case_id", type_=CaseEvent.case_id.type),
            bindparam("user_id", type_=CaseEvent.user_id.type),
            func.coalesce(func.max(CaseEvent.seq), 0) + 1,
            bindparam("from_step", type_=CaseEvent.from_step.type),
            bindparam("to_step", type_=CaseEvent.to_step.type),
            bindparam("kind", type_=CaseEvent.kind.type),
            bindparam("created_at", type_=CaseEvent.created_at.type),
        ).where(CaseEvent.case_id == bindparam("case_id")),
    )
    .returning(CaseEvent.seq)
)


def _mark_processed(insert_on_conflict: Any) -> Any:
    return (
        insert_on_conflict(ProcessedUpdate)
        .values(
            platform=bindparam("platform"),
            update_id=bindparam("update_id"),
            created_at=bindparam("created_at"),
        )
        .on_conflict_do_nothing()
        .returning(ProcessedUpdate.update_id)
    )


#: Per dialect: record an update id, returning it only when it was new.
MARK_PROCESSED: dict[str, Any] = {
    "postgresql": _mark_processed(postgresql.insert),
    "sqlite": _mark_processed(sqlite.insert),
}

#: A new draft row: every column of ``drafts`` but the id.
INSERT_DRAFT = insert(DraftRow)
