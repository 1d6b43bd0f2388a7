"""knowledge base tables

Revision ID: 0001_knowledge
Revises: (none)
Create Date: 2026-11-25 03:45:56.025960
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_knowledge"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "entry",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("last_reviewed", sa.Date(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_category"), ["category"], unique=False)

    op.create_table(
        "entry_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=80), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author", sa.String(length=120), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("batch", sa.String(length=40), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("entry_id", "revision"),
    )
    with op.batch_alter_table("entry_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_entry_revision_batch"), ["batch"], unique=False)
        batch_op.create_index(batch_op.f("ix_entry_revision_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "unanswered_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("normalised", sa.String(length=400), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("best_guess", sa.String(length=80), nullable=True),
        sa.Column("best_score", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("normalised"),
    )


def downgrade() -> None:

    op.drop_table("unanswered_question")
    with op.batch_alter_table("entry_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_revision_entry_id"))
        batch_op.drop_index(batch_op.f("ix_entry_revision_batch"))

    op.drop_table("entry_revision")
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entry_category"))

    op.drop_table("entry")
