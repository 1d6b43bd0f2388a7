"""app secrets: the reports' pseudonym key

Revision ID: 0004_app_secret
Revises: 0003_complaints
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_app_secret"
down_revision = "0003_complaints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "app_secret",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("app_secret")
