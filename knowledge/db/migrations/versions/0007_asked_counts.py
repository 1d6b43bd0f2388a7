"""answers given per China-time day × entry × aspect (this week's most asked questions)

Revision ID: 0007_asked_counts
Revises: 0006_back_office
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_asked_counts"
down_revision = "0006_back_office"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "asked_count",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("entry_id", sa.String(length=80), nullable=False),
        sa.Column("aspect", sa.String(length=40), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "entry_id", "aspect"),
    )


def downgrade() -> None:
    op.drop_table("asked_count")
