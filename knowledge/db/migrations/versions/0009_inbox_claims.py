"""inbox claims: replicas take stored updates from the table, a chat's in order

Revision ID: 0009_inbox_claims
Revises: 0008_lease
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_inbox_claims"
down_revision = "0008_lease"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox_update") as batch:
        batch.add_column(sa.Column("chat_id", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("claimed_by", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
        batch.create_index("ix_inbox_update_chat_id", ["chat_id"])


def downgrade() -> None:
    with op.batch_alter_table("inbox_update") as batch:
        batch.drop_index("ix_inbox_update_chat_id")
        batch.drop_column("claimed_until")
        batch.drop_column("claimed_by")
        batch.drop_column("chat_id")
