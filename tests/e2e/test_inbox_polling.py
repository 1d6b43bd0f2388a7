"""No message lost: every update is stored before Telegram is told it arrived.

PTB's polling loop awaits `update_queue.put` for a whole batch before it asks
for the next offset (which confirms the batch to Telegram). These tests check
that order against the fake server with the pinned PTB, and that updates the
last run did not finish are replayed at start-up.
"""

from __future__ import annotations

from pathlib import Path

from bot.inbox import store as inbox
from knowledge.answering.desk import Desk, prepare_database
from knowledge.db.engine import make_engine, open_session
from tests.fakes.telegram import FakeBotApi
from tests.harness import BotThread, bot_settings

CHAT = 1001


def test_every_update_is_committed_before_its_offset_is_confirmed(
    desk: Desk, tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    prepare_database(engine)
    violations: list[int] = []
    checked: list[int] = []

    with FakeBotApi() as api:

        def confirming(offset: int) -> None:
            # Called by the server before it forgets the updates below `offset`.
            for update_id in range(1, offset):
                checked.append(update_id)
                if not _stored(engine, update_id):
                    violations.append(update_id)

        api.on_get_updates = confirming
        bot = BotThread(bot_settings(api, tmp_path), desk=desk.using(engine)).start()
        try:
            for i in range(30):
                api.send_text(f"低保怎么申请 {i}", chat_id=CHAT + i % 5)
            api.wait_for(lambda: sum(len(api.bot_messages(CHAT + k)) for k in range(5)) >= 30)
            api.wait_for(lambda: inbox.counts(engine) == (30, 30))
        finally:
            bot.stop()
    assert checked, "the bot never confirmed an offset"
    assert not violations, f"confirmed before stored: {violations}"


def _stored(engine: object, update_id: int) -> bool:
    with open_session(engine) as session:  # type: ignore[arg-type]
        from knowledge.db.models import InboxUpdate

        return session.get(InboxUpdate, update_id) is not None


def test_unfinished_updates_are_replayed_at_start_up(desk: Desk, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    prepare_database(engine)
    with FakeBotApi() as api:
        # An update the last run stored (and so confirmed) but never answered.
        payload = {
            "update_id": 7,
            "message": {
                "message_id": 1,
                "date": 1764000000,
                "chat": {"id": CHAT, "type": "private", "first_name": "居民"},
                "from": {"id": CHAT, "is_bot": False, "first_name": "居民"},
                "text": "火化费多少钱",
            },
        }
        assert inbox.store(engine, 7, payload)
        bot = BotThread(bot_settings(api, tmp_path), desk=desk.using(engine)).start()
        try:
            (answer,) = api.wait_replies(CHAT, 1)
            assert "殡葬" in (answer.text or "")
            api.wait_for(lambda: inbox.is_done(engine, 7))
        finally:
            bot.stop()
