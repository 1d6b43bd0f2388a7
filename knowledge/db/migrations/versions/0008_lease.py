"""leases: once-only jobs among replicas

Revision ID: 0008_lease
Revises: 0007_asked_counts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_lease"
down_revision = "0007_asked_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lease",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("holder", sa.String(length=120), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("lease")
