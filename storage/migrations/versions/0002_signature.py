"""The user's sign-off for drafts: ``users.signature`` (issue 11).

Revision ID: 0002_signature
Revises: 0001_initial
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_signature"
down_revision: str | Sequence[str] | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the nullable ``users.signature`` (``None`` never asked, ``""`` skipped)."""
    op.add_column("users", sa.Column("signature", sa.String(160), nullable=True))


def downgrade() -> None:
    """Drop ``users.signature``."""
    with op.batch_alter_table("users") as batch:
        batch.drop_column("signature")
