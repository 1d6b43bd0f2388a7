"""bot tables: the durable update inbox and answer feedback

Revision ID: 0002_bot
Revises: 0001_knowledge
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_bot"
down_revision = "0001_knowledge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id"),
    )
    with op.batch_alter_table("inbox_update", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_update_done_at"), ["done_at"], unique=False)

    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("entry", sa.String(length=80), nullable=True),
        sa.Column("aspect", sa.String(length=40), nullable=True),
        sa.Column("prompt_message_id", sa.BigInteger(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("answer_feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_feedback_created_at"), ["created_at"])
        batch_op.create_index(batch_op.f("ix_answer_feedback_chat_id"), ["chat_id"])
        batch_op.create_index(
            batch_op.f("ix_answer_feedback_prompt_message_id"), ["prompt_message_id"]
        )


def downgrade() -> None:
    op.drop_table("answer_feedback")
    op.drop_table("inbox_update")
