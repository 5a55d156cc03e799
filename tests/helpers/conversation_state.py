"""Read a user's conversation straight from the database, for comparisons.

:func:`conversation_state` returns every case of one platform user, oldest
first, with its step, status, stored state (answers, turn, trail), version and
event log — everything a worker persisted, minus random ids and timestamps,
so two runs of the same inputs can be compared with ``==``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True, slots=True)
class CaseSnapshot:
    """One stored case without its random id or timestamps."""

    step: str
    status: str
    state: dict[str, Any]
    version: int
    events: tuple[tuple[int, str | None, str, str], ...]

    @property
    def seqs(self) -> list[int]:
        """The ``seq`` numbers of the event log, in order."""
        return [seq for seq, *_ in self.events]


async def conversation_state(
    database: AsyncEngine, *, platform: str, user_id: str, workspace: str = ""
) -> list[CaseSnapshot]:
    """Every case of the user, oldest first (empty when the user is unknown)."""
    async with database.connect() as connection:
        cases = (
            await connection.execute(
                text(
                    "SELECT c.id, c.step, c.status, c.state, c.version FROM cases c "
                    "JOIN users u ON u.id = c.user_id "
                    "WHERE u.platform = :platform AND u.workspace = :workspace "
                    "AND u.platform_user_id = :user_id "
                    "ORDER BY c.created_at, c.id"
                ),
                {"platform": platform, "workspace": workspace, "user_id": user_id},
            )
        ).all()
        snapshots = []
        for case in cases:
            events = (
                await connection.execute(
                    text(
                        "SELECT seq, from_step, to_step, kind FROM case_events "
                        "WHERE case_id = :case_id ORDER BY seq, id"
                    ),
                    {"case_id": case.id},
                )
            ).all()
            snapshots.append(
                CaseSnapshot(
                    step=case.step,
                    status=case.status,
                    state=dict(case.state),
                    version=int(case.version),
                    events=tuple((e.seq, e.from_step, e.to_step, e.kind) for e in events),
                )
            )
    return snapshots


async def processed_update_count(database: AsyncEngine, *, platform: str) -> int:
    """How many update ids of ``platform`` are recorded as processed."""
    async with database.connect() as connection:
        result = await connection.execute(
            text("SELECT count(*) FROM processed_updates WHERE platform = :platform"),
            {"platform": platform},
        )
        return int(result.scalar_one())
