"""Webhook mode: Telegram POSTs updates; each is committed before it is answered 200.

The real application and the real web app are served by uvicorn on 127.0.0.1
(`serve_webhook`, as `sunshine run --webhook` does), and the fake Bot API
server delivers to it the way Telegram does: with the secret header, retrying
what is not answered 2xx, several chats at once and each chat in order.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from bot.app import build_application
from bot.inbox import store as inbox
from bot.webhook import serve_webhook, webhook_app
from handlers.web.context import Web
from knowledge.answering.desk import Desk, LiveDesk
from knowledge.complaints.policy import Bureau
from tests.fakes.telegram import FakeBotApi
from tests.harness import bot_settings, free_port, texts_of

SECRET = "test-webhook_SECRET-0123"
PATH = "/telegram/webhook"
CHAT = 1001
# Questions whose answers tell which one was answered (the entry's own words).
QUESTIONS = {
    "结婚要带什么材料": "婚姻登记",
    "火化费多少钱": "殡葬",
    "低保怎么申请": "低保",
}


class WebhookBot:
    """`serve_webhook` on its own event loop in a thread, until `stop`."""

    def __init__(self, api: FakeBotApi, data: Path, desk: Desk) -> None:
        assert desk.engine is not None
        self.engine = desk.engine
        self.url = f"http://127.0.0.1:{free_port()}{PATH}"
        settings = bot_settings(api, data)
        self.application = build_application(settings, desk=desk)
        live = LiveDesk.start(desk.engine, lambda _: desk)
        web = Web(engine=desk.engine, live=live, bureau=Bureau(), secret=b"test")
        self.app = webhook_app(
            self.application, web, url=self.url, secret=SECRET, allowed_hosts=["127.0.0.1"]
        )
        self._api = api
        self._loop = asyncio.new_event_loop()
        self._stop = asyncio.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="webhook-bot", daemon=True)

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        port = int(self.url.split(":")[2].split("/")[0])
        try:
            self._loop.run_until_complete(
                serve_webhook(
                    self.application,
                    self.app,
                    self._stop,
                    url=self.url,
                    secret=SECRET,
                    host="127.0.0.1",
                    port=port,
                )
            )
        except BaseException as exc:  # reported by stop()
            self._error = exc
        finally:
            self._loop.close()

    def start(self) -> WebhookBot:
        self._thread.start()
        self._api.wait_for(lambda: self._api.webhook_url == self.url or self._error is not None, 60)
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)
        assert not self._thread.is_alive(), "the webhook bot did not stop"
        if self._error is not None:
            raise self._error


@pytest.fixture
def webhook_bot(api: FakeBotApi, bot_desk: Desk, tmp_path: Path) -> Iterator[WebhookBot]:
    bot = WebhookBot(api, tmp_path, bot_desk).start()
    try:
        yield bot
    finally:
        bot.stop()
    # The bot never polls (a test may, to see the 409) and never deletes the webhook.
    bot_calls = [c for c in api.calls if c.method != "getUpdates"]
    refused = [(c.method, c.status) for c in bot_calls if c.status not in (0, 200)]
    assert not refused, f"the server refused: {refused}"
    assert not any(c.method == "deleteWebhook" for c in api.calls)
    assert not api.server_errors


def _update(update_id: int, text_: str, chat: int = CHAT) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "居民"},
            "from": {"id": chat, "is_bot": False, "first_name": "居民"},
            "text": text_,
        },
    }


def answers(api: FakeBotApi, chat: int = CHAT) -> list[str]:
    """The bot's text answers in a chat (an answer about a procedure adds its flow chart)."""
    return [m.text or "" for m in api.bot_messages(chat) if not m.photo]


def _settled(api: FakeBotApi, bot: WebhookBot, stored: int) -> None:
    """Wait until `stored` updates are stored and handled, then a little longer (for a
    second answer that should not come)."""
    api.wait_for(lambda: inbox.counts(bot.engine) == (stored, stored))
    time.sleep(0.5)


def test_a_question_is_answered_through_the_webhook(
    api: FakeBotApi, webhook_bot: WebhookBot
) -> None:
    update_id = api.send_text("结婚要带什么材料", chat_id=CHAT)
    (answer,) = api.wait_replies(CHAT, 1)
    assert "婚姻登记" in (answer.text or "")
    assert api.statuses(update_id) == [200]
    _settled(api, webhook_bot, 1)
    # Telegram refuses getUpdates while the webhook is set; the info names the URL.
    with httpx.Client(base_url=f"{api.base_url}{api.token}/", timeout=10) as http:
        assert http.post("getUpdates").status_code == 409
        info = http.post("getWebhookInfo").json()["result"]
    assert [c.status for c in api.calls if c.method == "getUpdates"] == [409]  # the test's
    assert info["url"] == webhook_bot.url and info["pending_update_count"] == 0
    assert info["allowed_updates"] == ["callback_query", "edited_message", "message"]
    # The web pages are served on the same port.
    assert httpx.get(webhook_bot.url.replace(PATH, "/healthz")).text == "ok"


def test_shutdown_finishes_the_update_in_flight_and_leaves_the_webhook_set(
    api: FakeBotApi, bot_desk: Desk, tmp_path: Path
) -> None:
    bot = WebhookBot(api, tmp_path, bot_desk).start()
    try:
        api.fail_next("sendMessage", retry_after=1)  # the handler waits a second to answer
        api.send_text("火化费多少钱", chat_id=CHAT)
        api.wait_for(lambda: any(c.method == "sendMessage" and c.status == 429 for c in api.calls))
        assert not api.bot_messages(CHAT)
    finally:
        bot.stop()
    assert "殡葬" in texts_of(api, CHAT)[0]
    assert inbox.counts(bot.engine) == (1, 1)
    assert api.webhook_url == bot.url
    assert not any(c.method == "deleteWebhook" for c in api.calls)


def test_a_request_without_the_secret_is_refused_and_nothing_is_stored(
    api: FakeBotApi, webhook_bot: WebhookBot
) -> None:
    url, body = webhook_bot.url, json.dumps(_update(900, "低保怎么申请"))
    json_type = {"Content-Type": "application/json"}
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
        assert httpx.post(url, content=body, headers={**json_type, **headers}).status_code == 403
    right = {**json_type, "X-Telegram-Bot-Api-Secret-Token": SECRET}
    for bad in ("{not json", "[1, 2]", '{"update_id": "900"}', '{"message": {}}', b"\xff\xfe"):
        response = httpx.post(url, content=bad, headers=right)
        assert response.status_code == 400 and "Traceback" not in response.text
    assert httpx.get(url).status_code == 405
    assert inbox.counts(webhook_bot.engine) == (0, 0)
    time.sleep(0.3)
    assert not api.bot_messages(CHAT)
    # The same body with the secret is stored and answered: the refusals were the secret's.
    assert httpx.post(url, content=body, headers=right).status_code == 200
    api.wait_replies(CHAT, 1)
    assert inbox.counts(webhook_bot.engine)[0] == 1


@pytest.mark.parametrize("mode", ["after", "together"])
def test_a_duplicate_delivery_is_handled_once(
    api: FakeBotApi, webhook_bot: WebhookBot, mode: str
) -> None:
    api.duplicate_deliveries = mode  # type: ignore[assignment]
    update_id = api.send_text("低保怎么申请", chat_id=CHAT)
    api.wait_replies(CHAT, 1)
    api.wait_for(lambda: len(api.statuses(update_id)) == 2)
    assert api.statuses(update_id) == [200, 200]
    _settled(api, webhook_bot, 1)
    assert len(answers(api)) == 1


def test_a_delivery_that_cannot_be_committed_gets_500_and_is_retried_once_answered(
    api: FakeBotApi, webhook_bot: WebhookBot
) -> None:
    engine = webhook_bot.engine
    with engine.begin() as conn:  # the inbox cannot be written: "the database is down"
        conn.execute(text("ALTER TABLE inbox_update RENAME TO inbox_update_away"))
    try:
        update_id = api.send_text("火化费多少钱", chat_id=CHAT)
        api.wait_for(lambda: api.statuses(update_id)[-2:] == [500, 500])
        assert not api.bot_messages(CHAT)
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE inbox_update_away RENAME TO inbox_update"))
    (answer,) = api.wait_replies(CHAT, 1)
    assert "殡葬" in (answer.text or "")
    statuses = api.statuses(update_id)
    assert statuses[-1] == 200 and set(statuses[:-1]) == {500}
    _settled(api, webhook_bot, 1)
    assert len(answers(api)) == 1


def test_many_chats_at_once_are_all_answered_each_in_order(
    api: FakeBotApi, webhook_bot: WebhookBot
) -> None:
    chats = [3001 + i for i in range(12)]
    asked = list(QUESTIONS)
    for round_ in range(2):
        for i, chat in enumerate(chats):
            for k in range(len(asked)):  # each chat asks in its own rotation
                api.send_text(asked[(i + k + round_) % len(asked)], chat_id=chat)
    per_chat = 2 * len(asked)
    api.wait_for(lambda: all(len(answers(api, c)) >= per_chat for c in chats), 60)
    for i, chat in enumerate(chats):
        expected = [
            QUESTIONS[asked[(i + k + round_) % len(asked)]]
            for round_ in range(2)
            for k in range(len(asked))
        ]
        given = answers(api, chat)
        assert len(given) == per_chat
        assert all(word in answer for word, answer in zip(expected, given, strict=True)), given
    assert api.most_deliveries_at_once > 1, "the deliveries were never concurrent"
    _settled(api, webhook_bot, len(chats) * per_chat)
