"""The follow-up's outcome of a case (issue 15): ``cases.outcome`` and friends.

Revision ID: 0004_outcomes
Revises: 0003_inbox_outbox
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_outcomes"
down_revision: str | Sequence[str] | None = "0003_inbox_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the nullable outcome columns and the follow-up's state to ``cases``."""
    op.add_column("cases", sa.Column("outcome", sa.String(16), nullable=True))
    op.add_column("cases", sa.Column("outcome_amount", sa.String(32), nullable=True))
    op.add_column("cases", sa.Column("outcome_currency", sa.String(3), nullable=True))
    op.add_column("cases", sa.Column("outcome_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("cases", sa.Column("follow_up", sa.String(16), nullable=True))


def downgrade() -> None:
    """Drop the outcome columns."""
    with op.batch_alter_table("cases") as batch:
        for column in ("follow_up", "outcome_at", "outcome_currency", "outcome_amount", "outcome"):
            batch.drop_column(column)
