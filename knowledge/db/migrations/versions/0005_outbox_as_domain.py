"""outbox messages as the domain means them; request keys on complaint events; answer votes

The outbox kept Telegram's HTML and keyboard; it now keeps plain text and the
domain's buttons, which the sender renders (and escapes) at send time, and it
can hold edits of a card. Messages still waiting are converted. A complaint
event records the request that made it, so a replay changes nothing twice.
The 👍/👎 table is renamed from answer_feedback to answer_vote.

Revision ID: 0005_outbox_as_domain
Revises: 0004_app_secret
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005_outbox_as_domain"
down_revision = "0004_app_secret"
branch_labels = None
depends_on = None

_TAG = re.compile(r"<[^>]+>")
_FEEDBACK = {"s": "solved", "m": "satisfied", "r": "reconsider"}


def _plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


def _button(button: dict[str, Any]) -> dict[str, str] | None:
    """A Telegram button of the old outbox as the domain's button (None: not one of ours)."""
    label, data = str(button.get("text", "")), str(button.get("callback_data", ""))
    kind, _, rest = data.partition(":")
    parts = rest.split(":")
    if kind == "o" and len(parts) == 2:
        return {"label": label, "press": "officer", "ticket": parts[1], "value": parts[0]}
    if kind == "f" and len(parts) == 3 and parts[0] in _FEEDBACK:
        return {"label": label, "press": _FEEDBACK[parts[0]], "ticket": parts[2], "value": parts[1]}
    if kind == "p" and len(parts) == 1:
        return {"label": label, "press": "phone", "ticket": parts[0], "value": ""}
    if kind == "k":
        return {"label": label, "press": "intake", "ticket": "", "value": rest}
    return None


def _buttons(markup: Any) -> list[list[dict[str, str]]] | None:
    if isinstance(markup, str):
        markup = json.loads(markup)
    if not isinstance(markup, dict):
        return None
    rows = []
    for row in markup.get("inline_keyboard") or []:
        converted = [b for b in (_button(x) for x in row if isinstance(x, dict)) if b]
        if converted:
            rows.append(converted)
    return rows or None


def _data(button: dict[str, str]) -> str:
    """The callback data the old sender stored for a domain button (the same formats)."""
    press, ticket, value = button["press"], button.get("ticket", ""), button.get("value", "")
    if press == "officer":
        return f"o:{value}:{ticket}"
    if press == "phone":
        return f"p:{ticket}"
    if press == "intake":
        return f"k:{value}"
    short = {name: key for key, name in _FEEDBACK.items()}[press]
    return f"f:{short}:{value or '1'}:{ticket}"


def _markup(buttons: Any) -> dict[str, Any] | None:
    if isinstance(buttons, str):
        buttons = json.loads(buttons)
    if not buttons:
        return None
    return {
        "inline_keyboard": [
            [{"text": b["label"], "callback_data": _data(b)} for b in row] for row in buttons
        ]
    }


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("buttons", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("options", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("place", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("edit_message_id", sa.BigInteger(), nullable=True))
    outbox = sa.table(
        "outbox_message",
        sa.column("id", sa.Integer),
        sa.column("text", sa.Text),
        sa.column("reply_markup", sa.JSON),
        sa.column("buttons", sa.JSON),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(outbox.c.id, outbox.c.text, outbox.c.reply_markup)):
        connection.execute(
            outbox.update()
            .where(outbox.c.id == row.id)
            .values(text=_plain(row.text), buttons=_buttons(row.reply_markup))
        )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("reply_markup")

    with op.batch_alter_table("complaint_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_key", sa.String(length=120), nullable=True))
        batch_op.create_unique_constraint("uq_complaint_event_request_key", ["request_key"])

    op.rename_table("answer_feedback", "answer_vote")
    with op.batch_alter_table("answer_vote", schema=None) as batch_op:
        for column in ("created_at", "chat_id", "prompt_message_id"):
            batch_op.drop_index(f"ix_answer_feedback_{column}")
            batch_op.create_index(f"ix_answer_vote_{column}", [column], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("answer_vote", schema=None) as batch_op:
        for column in ("created_at", "chat_id", "prompt_message_id"):
            batch_op.drop_index(f"ix_answer_vote_{column}")
            batch_op.create_index(f"ix_answer_feedback_{column}", [column], unique=False)
    op.rename_table("answer_vote", "answer_feedback")

    with op.batch_alter_table("complaint_event", schema=None) as batch_op:
        batch_op.drop_constraint("uq_complaint_event_request_key", type_="unique")
        batch_op.drop_column("request_key")

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reply_markup", sa.JSON(), nullable=True))
    outbox = sa.table(
        "outbox_message",
        sa.column("id", sa.Integer),
        sa.column("text", sa.Text),
        sa.column("buttons", sa.JSON),
        sa.column("reply_markup", sa.JSON),
        sa.column("sent_at", sa.DateTime),
    )
    connection = op.get_bind()
    # Messages still waiting are plain text with the domain's buttons: the old sender
    # expects HTML and Telegram's keyboard.
    waiting = sa.select(outbox.c.id, outbox.c.text, outbox.c.buttons).where(
        outbox.c.sent_at.is_(None)
    )
    for row in connection.execute(waiting):
        connection.execute(
            outbox.update()
            .where(outbox.c.id == row.id)
            .values(text=html.escape(row.text, quote=False), reply_markup=_markup(row.buttons))
        )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("edit_message_id")
        batch_op.drop_column("place")
        batch_op.drop_column("options")
        batch_op.drop_column("buttons")
