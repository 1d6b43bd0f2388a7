"""Migration 0005 converts messages still waiting in the outbox, both ways.

An outbox written by the bot before the upgrade held Telegram's HTML and keyboard;
after it, plain text and the domain's buttons. A message queued just before an
upgrade (or a downgrade) must still go out, with buttons that still work.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from knowledge.complaints import outbox
from knowledge.complaints.outbox import Button
from knowledge.complaints.vocabulary import Message, Press
from knowledge.db.engine import SCHEMA_HEAD, make_engine, schema_version

BEFORE = "0004_app_secret"
TICKET = "TS20261125-0001"
OLD_MARKUP = {
    "inline_keyboard": [
        [
            {"text": "认领", "callback_data": f"o:claim:{TICKET}"},
            {"text": "转办", "callback_data": f"o:transfer:{TICKET}"},
        ],
        [{"text": "已解决", "callback_data": f"f:s:1:{TICKET}"}],
        [{"text": "官网", "url": "https://example.org"}],  # not one of ours: dropped
    ]
}


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("knowledge.db").joinpath("migrations"))
    )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _legacy_outbox(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    _migrate(engine, BEFORE)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO outbox_message (key, created_at, chat_id, text, reply_markup, kind,"
                " ticket, attempts, next_attempt_at, dead)"
                " VALUES ('k1', :now, -9001, :text, :markup, 'card', :ticket, 0, :now, 0)"
            ),
            {
                "now": now,
                "text": f"<b>投诉 {TICKET}</b>\n月收入&lt;300元 &amp; 无劳动能力",
                "markup": json.dumps(OLD_MARKUP, ensure_ascii=False),
                "ticket": TICKET,
            },
        )
    return engine


def test_upgrade_turns_a_waiting_html_message_into_the_domains_message(tmp_path: Path) -> None:
    engine = _legacy_outbox(tmp_path)
    _migrate(engine, "head")

    assert schema_version(engine) == SCHEMA_HEAD
    (queued,) = outbox.due(engine)
    message = queued.message
    assert message.text == f"投诉 {TICKET}\n月收入<300元 & 无劳动能力"
    assert message.kind is Message.CARD and message.chat_id == -9001
    assert message.buttons == (
        (
            Button("认领", Press.OFFICER, TICKET, "claim"),
            Button("转办", Press.OFFICER, TICKET, "transfer"),
        ),
        (Button("已解决", Press.RATE_SOLVED, TICKET, "1"),),
    )


def test_downgrade_gives_the_old_sender_html_and_its_keyboard_back(tmp_path: Path) -> None:
    engine = _legacy_outbox(tmp_path)
    _migrate(engine, "head")
    _migrate(engine, BEFORE, down=True)

    assert schema_version(engine) == BEFORE
    with engine.connect() as conn:
        text, markup = conn.execute(sa.text("SELECT text, reply_markup FROM outbox_message")).one()
    assert text == f"投诉 {TICKET}\n月收入&lt;300元 &amp; 无劳动能力"
    expected = {"inline_keyboard": OLD_MARKUP["inline_keyboard"][:2]}
    assert json.loads(markup) == expected
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert "answer_feedback" in tables and "answer_vote" not in tables
