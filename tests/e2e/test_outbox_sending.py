"""The outbox sender: complaint messages are sent at least once, retried, paced in groups."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.answering.desk import Desk, prepare_database
from knowledge.complaints import outbox
from knowledge.complaints import store as cs
from knowledge.complaints.outbox import Outgoing
from knowledge.complaints.vocabulary import Message
from knowledge.db.engine import make_engine
from tests.fakes.telegram import FakeBotApi
from tests.harness import GROUP, RESIDENT, STAFF, BotThread, bot_settings, file_complaint, wait_text


@pytest.fixture
def bot(api: FakeBotApi, desk: Desk, tmp_path: Path) -> Iterator[BotThread]:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    prepare_database(engine)
    running = BotThread(bot_settings(api, tmp_path, **STAFF), desk=desk.using(engine)).start()
    yield running
    running.stop()


def test_a_failed_send_is_retried_not_lost(api: FakeBotApi, bot: BotThread) -> None:
    ticket = file_complaint(api)
    wait_text(api, GROUP, ticket)
    api.press(GROUP, "认领", user_id=501)
    api.fail_next("sendMessage", times=2, retry_after=1)
    wait_text(api, RESIDENT, "已分派给", timeout=15)
    api.wait_for(lambda: outbox.backlog(bot.services.engine) == 0)


def test_a_resident_who_blocked_the_bot_gets_a_phone_follow_up(
    api: FakeBotApi, bot: BotThread
) -> None:
    ticket = file_complaint(api)
    wait_text(api, GROUP, ticket)
    api.blocked.add(RESIDENT)
    api.press(GROUP, "认领", user_id=501)
    wait_text(api, GROUP, "电话回访")
    complaint = cs.get(bot.services.engine, ticket)
    assert complaint.unreachable and complaint.flagged


def test_a_busy_group_gets_a_digest_within_twenty_messages_a_minute(
    api: FakeBotApi, bot: BotThread
) -> None:
    for i in range(30):
        reminder = Outgoing(GROUP, f"第{i}条提醒", Message.REMINDER, key=f"r{i}")
        outbox.post(bot.services.engine, [reminder])
    bot.call(bot.services.outbox_wake.set)
    api.wait_for(lambda: outbox.backlog(bot.services.engine) == 0, timeout=15)
    posted = [m.text or "" for m in api.bot_messages(GROUP)]
    assert len(posted) <= 20
    assert any("汇总" in text for text in posted)
    assert all(any(f"第{i}条提醒" in text for text in posted) for i in range(30))


def test_a_bot_removed_from_the_officers_group_does_not_make_residents_unreachable(
    api: FakeBotApi, bot: BotThread, caplog: pytest.LogCaptureFixture
) -> None:
    api.blocked.add(GROUP)
    ticket = file_complaint(api)
    api.wait_for(lambda: "cannot post to the officers' group" in caplog.text)
    api.wait_for(lambda: outbox.backlog(bot.services.engine) == 0)
    assert not cs.get(bot.services.engine, ticket).unreachable
