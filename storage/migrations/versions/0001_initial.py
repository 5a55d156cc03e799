"""Initial schema: users, cases, case_events, processed_updates, reminders, drafts.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001_initial"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "users",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("workspace", sa.String(64), nullable=False),
        sa.Column("platform_user_id", sa.String(128), nullable=False),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("platform_language", sa.String(16), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.UniqueConstraint("platform", "workspace", "platform_user_id", name="uq_users_identity"),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", _ID, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("state", _JSON, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
    )
    op.create_index("ix_cases_user_status", "cases", ["user_id", "status"])
    op.create_index(
        "uq_cases_one_active",
        "cases",
        ["user_id"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "case_events",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column(
            "case_id", sa.String(32), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("user_id", _ID, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("from_step", sa.String(32), nullable=True),
        sa.Column("to_step", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        _ts("created_at"),
        sa.UniqueConstraint("case_id", "seq", name="uq_case_events_seq"),
    )
    op.create_index("ix_case_events_case_id", "case_events", ["case_id"])
    op.create_index("ix_case_events_user_id", "case_events", ["user_id"])
    op.create_table(
        "processed_updates",
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("update_id", sa.String(128), primary_key=True),
        _ts("created_at"),
    )
    op.create_index("ix_processed_updates_created_at", "processed_updates", ["created_at"])
    op.create_table(
        "reminders",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("user_id", _ID, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "case_id", sa.String(32), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        _ts("due_at"),
        _ts("claimed_at", nullable=True),
        _ts("sent_at", nullable=True),
        _ts("created_at"),
    )
    op.create_index("ix_reminders_due", "reminders", ["platform", "sent_at", "due_at"])
    op.create_index("ix_reminders_user_id", "reminders", ["user_id"])
    op.create_index("ix_reminders_case_id", "reminders", ["case_id"])
    op.create_table(
        "drafts",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("user_id", _ID, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column(
            "case_id", sa.String(32), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=True
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _ts("created_at"),
    )
    op.create_index("ix_drafts_user_id", "drafts", ["user_id"])
    op.create_index("ix_drafts_case_id", "drafts", ["case_id"])


def downgrade() -> None:
    """Drop every table."""
    for table in ("drafts", "reminders", "processed_updates", "case_events", "cases", "users"):
        op.drop_table(table)
