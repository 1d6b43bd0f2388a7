"""A crash test: `sunshine run` is killed with SIGKILL mid-handler and restarted.

The questions are held "in the handler" by making the fake server answer
sendMessage with 429 (retry after 30 s), so the bot is provably between
having confirmed the updates to Telegram and having answered them when it is
killed. Stock polling would lose them; after the restart every question must
have been answered at least once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.bot_harness import start_process
from tests.conftest import ROOT
from tests.fake_telegram import FakeBotApi

QUESTIONS = ["结婚要带什么材料", "火化费多少钱", "低保怎么申请", "离婚冷静期几天", "招待费公开吗"]
CHATS = [2001 + i for i in range(len(QUESTIONS))]


def _start(api: FakeBotApi, data: Path) -> subprocess.Popen[bytes]:
    return start_process(api, data)


def test_killed_mid_handler_every_question_is_answered_after_restart(
    api: FakeBotApi, tmp_path: Path
) -> None:
    first = _start(api, tmp_path)
    try:
        api.wait_for(lambda: any(c.method == "getUpdates" for c in api.calls), timeout=60)
        api.fail_next("sendMessage", times=len(QUESTIONS), retry_after=30)
        for question, chat in zip(QUESTIONS, CHATS, strict=True):
            api.send_text(question, chat_id=chat)
        # Confirmed to "Telegram" (update ids run 1..n) and stuck in the handlers.
        api.wait_for(lambda: max(api.confirmed_offsets, default=0) > len(QUESTIONS), timeout=30)
        api.wait_for(
            lambda: (
                sum(c.method == "sendMessage" and c.status == 429 for c in api.calls)
                >= len(QUESTIONS)
            ),
            timeout=30,
        )
        assert api.pending_updates() == 0
        assert not any(api.bot_messages(c) for c in CHATS)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)

    second = _start(api, tmp_path)
    try:
        for chat in CHATS:
            api.wait_replies(chat, 1, timeout=60)
        answered = {c: api.bot_messages(c)[0].text or "" for c in CHATS}
        assert "婚姻登记" in answered[CHATS[0]] and "殡葬" in answered[CHATS[1]]
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0, (tmp_path / "bot.log").read_text()


def test_sigterm_finishes_cleanly_and_confirms_the_offset(api: FakeBotApi, tmp_path: Path) -> None:
    bot = _start(api, tmp_path)
    try:
        api.wait_for(lambda: any(c.method == "getUpdates" for c in api.calls), timeout=60)
        api.send_text("低保怎么申请", chat_id=CHATS[0])
        api.wait_replies(CHATS[0], 1, timeout=30)
    finally:
        bot.send_signal(signal.SIGTERM)
        code = bot.wait(30)
    assert code == 0, (tmp_path / "bot.log").read_text()
    assert api.pending_updates() == 0
    log = (tmp_path / "bot.log").read_text()
    assert "intent=answer" in log and "entry=dibao" in log


def test_without_a_token_run_explains_how_to_get_one(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["SUNSHINE_DATA_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "BotFather" in done.stderr and "sunshine chat" in done.stderr
