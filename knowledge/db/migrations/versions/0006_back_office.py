"""the web back office: staff accounts, sessions, audit, pending changes, unanswered decisions

Revision ID: 0006_back_office
Revises: 0005_outbox_as_domain
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_back_office"
down_revision = "0005_outbox_as_domain"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "staff_account",
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=True),
        sa.Column("telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("office", sa.String(length=120), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("password_changed_at", WHEN, nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", WHEN, nullable=True),
        sa.Column("last_login_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "staff_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("last_seen_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["username"], ["staff_account.username"]),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_staff_session_username", "staff_session", ["username"])
    op.create_index("ix_staff_session_expires_at", "staff_session", ["expires_at"])
    op.create_table(
        "staff_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_staff_audit_at", "staff_audit", ["at"])
    op.create_index("ix_staff_audit_username", "staff_audit", ["username"])
    op.create_table(
        "pending_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.String(length=80), nullable=False),
        sa.Column("base_revision", sa.Integer(), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=60), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("change_set", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reviewer", sa.String(length=60), nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pending_change_entry_id", "pending_change", ["entry_id"])
    op.create_index("ix_pending_change_change_set", "pending_change", ["change_set"])
    op.create_index("ix_pending_change_state", "pending_change", ["state"])
    op.create_table(
        "unanswered_decision",
        sa.Column("normalised", sa.String(length=400), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=True),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("normalised"),
    )
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("assignee_name", sa.String(length=60), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.drop_column("assignee_name")
    op.drop_table("unanswered_decision")
    op.drop_index("ix_pending_change_state", "pending_change")
    op.drop_index("ix_pending_change_change_set", "pending_change")
    op.drop_index("ix_pending_change_entry_id", "pending_change")
    op.drop_table("pending_change")
    op.drop_index("ix_staff_audit_username", "staff_audit")
    op.drop_index("ix_staff_audit_at", "staff_audit")
    op.drop_table("staff_audit")
    op.drop_index("ix_staff_session_expires_at", "staff_session")
    op.drop_index("ix_staff_session_username", "staff_session")
    op.drop_table("staff_session")
    op.drop_table("staff_account")
