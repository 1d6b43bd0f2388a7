"""Complaints survive SIGKILL: `sunshine run` is killed during intake, right after the
confirmation, and while the acknowledgement is being sent; after a restart every confirmed
complaint exists exactly once and every resident has its ticket number. On SQLite and on
PostgreSQL (`database_url`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from knowledge.complaints import store as cs
from knowledge.db.engine import make_engine
from tests.fakes.telegram import FakeBotApi
from tests.harness import GROUP, BotProcess, skip_to_summary, wait_alive

# Two rounds in the suite; the bar is ten in a row: SUNSHINE_KILL_ROUNDS=10.
ROUNDS = int(os.environ.get("SUNSHINE_KILL_ROUNDS", "2"))


def _start(api: FakeBotApi, data: Path, database_url: str) -> BotProcess:
    return BotProcess(api, data, database_url, SUNSHINE_OFFICERS_CHAT_ID=str(GROUP))


def _wait_text(
    api: FakeBotApi, bot: BotProcess, chat: int, needle: str, timeout: float = 30
) -> None:
    wait_alive(
        api, bot, lambda: any(needle in (m.text or "") for m in api.bot_messages(chat)), timeout
    )


def _up_to_confirmation(api: FakeBotApi, chat: int) -> None:
    skip_to_summary(api, chat, f"第{chat}号投诉：窗口工作人员不在岗，等了一上午", timeout=30)


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_killed_at_each_point_every_confirmed_complaint_exists_once(
    api: FakeBotApi, tmp_path: Path, database_url: str, round_: int
) -> None:
    bot = _start(api, tmp_path, database_url)
    wait_alive(api, bot, lambda: any(c.method == "getUpdates" for c in api.calls), timeout=60)
    confirmed: list[int] = []

    # 1. During intake: the draft is in the database, the restart continues it.
    api.send_text("/complain", chat_id=3001)
    _wait_text(api, bot, 3001, "发生了什么")
    api.send_text("殡仪馆收费不公示，火化后另收了好几项钱", chat_id=3001)
    _wait_text(api, bot, 3001, "涉及哪个单位")
    bot.kill()
    bot = _start(api, tmp_path, database_url)
    for prompt, button in (
        ("涉及哪个单位", "跳过"),
        ("什么时候", "跳过"),
        ("有照片", "照片发完了"),
        ("联系电话", "跳过"),
        ("身份方式", "公开"),
    ):
        _wait_text(api, bot, 3001, prompt)
        api.press(3001, button)
    _wait_text(api, bot, 3001, "请核对")
    api.press(3001, "✅ 确认提交")
    confirmed.append(3001)
    _wait_text(api, bot, 3001, "已受理您的")

    # 2. Right after the confirmation is pressed.
    _up_to_confirmation(api, 3002)
    api.press(3002, "✅ 确认提交")
    confirmed.append(3002)
    bot.kill()
    bot = _start(api, tmp_path, database_url)
    _wait_text(api, bot, 3002, "已受理您的", timeout=60)

    # 3. While the acknowledgement is being sent (Telegram answers 429, retry in 1 s).
    _up_to_confirmation(api, 3003)
    api.fail_next("sendMessage", times=1, retry_after=1)
    api.press(3003, "✅ 确认提交")
    confirmed.append(3003)
    wait_alive(
        api,
        bot,
        lambda: any(c.method == "sendMessage" and c.status == 429 for c in api.calls),
        timeout=30,
    )
    bot.kill()
    bot = _start(api, tmp_path, database_url)
    try:
        _wait_text(api, bot, 3003, "已受理您的", timeout=60)
    finally:
        assert bot.terminate() == 0, bot.log.read_text()

    engine = make_engine(database_url)
    complaints = cs.listing(engine)
    assert sorted(c.chat_id or 0 for c in complaints) == confirmed  # each exactly once
    for complaint in complaints:
        assert complaint.chat_id is not None
        acks = [m.text or "" for m in api.bot_messages(complaint.chat_id)]
        assert any(complaint.ticket in text and "已受理" in text for text in acks)
    engine.dispose()
