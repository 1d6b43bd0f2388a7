"""Every migration goes down and up again; 0005 converts the waiting outbox, both ways.

On SQLite and on PostgreSQL (the `database_url` fixture): alembic's batch operations
copy tables on SQLite and alter them in place on PostgreSQL, two different code paths.

An outbox written by the bot before the upgrade held Telegram's HTML and keyboard;
after it, plain text and the domain's buttons. A message queued just before an
upgrade (or a downgrade) must still go out, with buttons that still work.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources

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


def _legacy_outbox(database_url: str) -> Engine:
    engine = make_engine(database_url)
    _migrate(engine, BEFORE)
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO outbox_message (key, created_at, chat_id, text, reply_markup, kind,"
                " ticket, attempts, next_attempt_at, dead)"
                " VALUES ('k1', :now, -9001, :text, :markup, 'card', :ticket, 0, :now, :dead)"
            ),
            {
                "now": now,
                "text": f"<b>投诉 {TICKET}</b>\n月收入&lt;300元 &amp; 无劳动能力",
                "markup": json.dumps(OLD_MARKUP, ensure_ascii=False),
                "ticket": TICKET,
                "dead": False,  # a boolean column: PostgreSQL refuses the integer 0
            },
        )
    return engine


def test_upgrade_turns_a_waiting_html_message_into_the_domains_message(database_url: str) -> None:
    engine = _legacy_outbox(database_url)
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


def test_downgrade_gives_the_old_sender_html_and_its_keyboard_back(database_url: str) -> None:
    engine = _legacy_outbox(database_url)
    _migrate(engine, "head")
    _migrate(engine, BEFORE, down=True)

    assert schema_version(engine) == BEFORE
    with engine.connect() as conn:
        # Typed as JSON: SQLite hands back the text, PostgreSQL's driver the decoded value.
        query = sa.text("SELECT text, reply_markup FROM outbox_message").columns(
            sa.column("text", sa.Text), sa.column("reply_markup", sa.JSON)
        )
        text, markup = conn.execute(query).one()
    assert text == f"投诉 {TICKET}\n月收入&lt;300元 &amp; 无劳动能力"
    expected = {"inline_keyboard": OLD_MARKUP["inline_keyboard"][:2]}
    assert markup == expected
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert "answer_feedback" in tables and "answer_vote" not in tables


def test_every_migration_goes_down_to_nothing_and_up_again(database_url: str) -> None:
    engine = make_engine(database_url)
    _migrate(engine, "head")
    with engine.connect() as conn:
        migrated = set(sa.inspect(conn).get_table_names())
    _migrate(engine, "base", down=True)
    with engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) <= {"alembic_version"}
    assert schema_version(engine) is None
    _migrate(engine, "head")
    assert schema_version(engine) == SCHEMA_HEAD
    with engine.connect() as conn:
        assert set(sa.inspect(conn).get_table_names()) == migrated
    assert {"complaint", "entry", "outbox_message", "ticket_sequence"} <= migrated
    engine.dispose()
