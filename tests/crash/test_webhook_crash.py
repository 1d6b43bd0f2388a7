"""Crash tests of webhook mode: `sunshine run --webhook` killed with SIGKILL, or stopped.

The questions are held "in the handler" by making the fake server answer
sendMessage with 429 (retry after 30 s): every delivery has been answered 200
(Telegram will never send them again) and none has been answered when the bot
is killed. After the restart every question must have been answered.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.fakes.telegram import FakeBotApi
from tests.harness import (
    ROOT,
    BotProcess,
    clean_environ,
    free_port,
    wait_alive,
    wait_sends_refused,
)

SECRET = "crash-test-secret"
QUESTIONS = ["结婚要带什么材料", "火化费多少钱", "离婚冷静期几天"]
CHATS = [2101 + i for i in range(len(QUESTIONS))]


class WebhookProcess(BotProcess):
    """`sunshine run --webhook URL --port P` as a child process; its log in data/bot.log."""

    def __init__(self, api: FakeBotApi, data: Path) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/telegram/webhook"
        command = ("run", "--webhook", self.url, "--host", "127.0.0.1", "--port", str(port))
        super().__init__(api, data, command=command, TELEGRAM_WEBHOOK_SECRET=SECRET)


def _answers(api: FakeBotApi, chat: int) -> list[str]:
    return [m.text or "" for m in api.bot_messages(chat) if not m.photo]


def test_killed_after_the_200_before_handling_every_update_is_replayed_at_restart(
    api: FakeBotApi, tmp_path: Path
) -> None:
    first = WebhookProcess(api, tmp_path)
    try:
        wait_alive(api, first, lambda: api.webhook_url == first.url, timeout=60)
        api.fail_next("sendMessage", times=len(QUESTIONS), retry_after=30)
        ids = [api.send_text(q, chat_id=c) for q, c in zip(QUESTIONS, CHATS, strict=True)]
        # Every delivery answered 200: "Telegram" forgets them.
        wait_alive(api, first, lambda: all(api.statuses(i) == [200] for i in ids), timeout=30)
        wait_sends_refused(api, first, len(QUESTIONS))
        assert api.pending_updates() == 0
        assert not any(api.bot_messages(c) for c in CHATS)
    finally:
        first.kill()

    second = WebhookProcess(api, tmp_path)
    try:
        wait_alive(api, second, lambda: all(_answers(api, c) for c in CHATS), timeout=60)
        assert "婚姻登记" in _answers(api, CHATS[0])[0] and "殡葬" in _answers(api, CHATS[1])[0]
        assert all(api.statuses(i) == [200] for i in ids)  # nothing was delivered again
        # Replayed during start-up, before the server listens and sets the webhook again.
        wait_alive(api, second, lambda: api.webhook_url == second.url, timeout=30)
    finally:
        assert second.terminate() == 0, second.log.read_text()
    assert "replaying 3 update(s)" in second.log.read_text()


def test_sigterm_answers_and_exits_cleanly_leaving_the_webhook_set(
    api: FakeBotApi, tmp_path: Path
) -> None:
    bot = WebhookProcess(api, tmp_path)
    try:
        wait_alive(api, bot, lambda: api.webhook_url == bot.url, timeout=60)
        api.send_text("低保怎么申请", chat_id=CHATS[0])
        wait_alive(api, bot, lambda: bool(_answers(api, CHATS[0])), timeout=30)
    finally:
        code = bot.terminate()
    assert code == 0, bot.log.read_text()
    assert api.webhook_url == bot.url
    assert not any(c.method in ("deleteWebhook", "getUpdates") for c in api.calls)
    setting = next(c for c in api.calls if c.method == "setWebhook")
    assert setting.params["secret_token"] == SECRET
    assert setting.params["drop_pending_updates"] is False
    log = bot.log.read_text()
    assert "intent=answer" in log and "entry=dibao" in log


def test_a_webhook_without_its_secret_does_not_start(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run", "--webhook", "https://example.org/hook"],
        cwd=tmp_path,
        env={
            **clean_environ(),
            "SUNSHINE_DATA_DIR": str(tmp_path),
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "TELEGRAM_WEBHOOK_SECRET" in done.stderr and "Traceback" not in done.stderr
