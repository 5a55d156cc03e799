"""The outbox and the shared send budgets (issue 13).

``outbox``: a step's outgoing messages, written with the step, delivered by a loop.
``rate_limits``: one row per shared budget (Telegram's bot token, a Slack channel).
``inbox``: a Slack request stored before it is acknowledged, until it was worked on.

Revision ID: 0003_inbox_outbox
Revises: 0002_signature
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_inbox_outbox"
down_revision: str | Sequence[str] | None = "0002_signature"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create ``outbox`` and its indexes, and ``rate_limits`` (the shared send budgets)."""
    op.create_table(
        "outbox",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("chat", sa.String(128), nullable=False),
        sa.Column("user_id", _ID, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
        sa.Column("origin", sa.String(16), nullable=False),
        sa.Column("target", sa.String(64), nullable=True),
        sa.Column("payload", _JSON, nullable=True),
        sa.Column("parts_sent", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(32), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("next_attempt_at", _TIME, nullable=False),
        sa.Column("claimed_until", _TIME, nullable=True),
        sa.Column("claim_token", sa.String(32), nullable=True),
    )
    op.create_index(
        "ix_outbox_conversation", "outbox", ["platform", "workspace", "chat", "status", "id"]
    )
    op.create_index("ix_outbox_due", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_user_id", "outbox", ["user_id"])
    op.create_table(
        "inbox",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("received_at", _TIME, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", _TIME, nullable=False),
        sa.Column("claim_token", sa.String(32), nullable=False),
        sa.UniqueConstraint("platform", "digest", name="uq_inbox_digest"),
    )
    op.create_index("ix_inbox_claimable", "inbox", ["platform", "claimed_until"])
    op.create_table(
        "rate_limits",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("tat", _TIME, nullable=False),
    )


def downgrade() -> None:
    """Drop ``rate_limits`` and ``outbox``."""
    op.drop_table("rate_limits")
    op.drop_table("inbox")
    op.drop_table("outbox")
