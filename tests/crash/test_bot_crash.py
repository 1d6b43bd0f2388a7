"""A crash test: `sunshine run` is killed with SIGKILL mid-handler and restarted.

The questions are held "in the handler" by making the fake server answer
sendMessage with 429 (retry after 30 s), so the bot is provably between
having confirmed the updates to Telegram and having answered them when it is
killed. Stock polling would lose them; after the restart every question must
have been answered at least once. On SQLite and on PostgreSQL (`database_url`).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.fakes.telegram import FakeBotApi
from tests.harness import ROOT, BotProcess, clean_environ, wait_alive, wait_sends_refused

QUESTIONS = ["结婚要带什么材料", "火化费多少钱", "低保怎么申请", "离婚冷静期几天", "招待费公开吗"]
CHATS = [2001 + i for i in range(len(QUESTIONS))]


def _polling(api: FakeBotApi) -> bool:
    return any(c.method == "getUpdates" for c in api.calls)


def test_killed_mid_handler_every_question_is_answered_after_restart(
    api: FakeBotApi, tmp_path: Path, database_url: str
) -> None:
    first = BotProcess(api, tmp_path, database_url)
    try:
        wait_alive(api, first, lambda: _polling(api), timeout=60)
        api.fail_next("sendMessage", times=len(QUESTIONS), retry_after=30)
        for question, chat in zip(QUESTIONS, CHATS, strict=True):
            api.send_text(question, chat_id=chat)
        # Confirmed to "Telegram" (update ids run 1..n) and stuck in the handlers.
        wait_alive(
            api, first, lambda: max(api.confirmed_offsets, default=0) > len(QUESTIONS), timeout=30
        )
        wait_sends_refused(api, first, len(QUESTIONS))
        assert api.pending_updates() == 0
        assert not any(api.bot_messages(c) for c in CHATS)
    finally:
        first.kill()

    second = BotProcess(api, tmp_path, database_url)
    try:
        wait_alive(api, second, lambda: all(api.bot_messages(c) for c in CHATS), timeout=60)
        answered = {c: api.bot_messages(c)[0].text or "" for c in CHATS}
        assert "婚姻登记" in answered[CHATS[0]] and "殡葬" in answered[CHATS[1]]
    finally:
        assert second.terminate() == 0, second.log.read_text()


def test_sigterm_finishes_cleanly_and_confirms_the_offset(
    api: FakeBotApi, tmp_path: Path, database_url: str
) -> None:
    bot = BotProcess(api, tmp_path, database_url)
    try:
        wait_alive(api, bot, lambda: _polling(api), timeout=60)
        api.send_text("低保怎么申请", chat_id=CHATS[0])
        wait_alive(api, bot, lambda: bool(api.bot_messages(CHATS[0])), timeout=30)
    finally:
        code = bot.terminate()
    assert code == 0, bot.log.read_text()
    assert api.pending_updates() == 0
    log = bot.log.read_text()
    assert "intent=answer" in log and "entry=dibao" in log


def test_without_a_token_run_explains_how_to_get_one(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        env={**clean_environ(), "SUNSHINE_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "BotFather" in done.stderr and "sunshine chat" in done.stderr
