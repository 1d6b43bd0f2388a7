"""entry summaries: what a desk holds of every entry, so it starts without reading them all

Revision ID: 0010_entry_summary
Revises: 0009_inbox_claims

Existing rows get NULL; the next start makes their summaries from their documents
(`store.load_summaries`), so this migration needs no application code.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_entry_summary"
down_revision = "0009_inbox_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("entry") as batch:
        batch.add_column(sa.Column("summary", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("entry") as batch:
        batch.drop_column("summary")
