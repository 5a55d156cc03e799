"""One sender's inbox rows in order (issue 13): ``inbox.conversation``.

Revision ID: 0005_inbox_conversation
Revises: 0004_outcomes
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_inbox_conversation"
down_revision: str | Sequence[str] | None = "0004_outcomes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the nullable sender hash and the index that finds a sender's oldest row."""
    op.add_column("inbox", sa.Column("conversation", sa.String(32), nullable=True))
    op.create_index("ix_inbox_conversation", "inbox", ["platform", "conversation", "id"])


def downgrade() -> None:
    """Drop the sender hash."""
    op.drop_index("ix_inbox_conversation", table_name="inbox")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("conversation")
