"""The fake Bot API server behaves like Telegram where the bot depends on it."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakes.telegram import FakeBotApi, detect_entities, parse_html, utf16_len

CHAT = 1001
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x00\x80" + b"\x00" * 32


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as server:
        yield server


@pytest.fixture
def client(api: FakeBotApi) -> Iterator[Callable[..., httpx.Response]]:
    with httpx.Client(base_url=f"{api.base_url}{api.token}/", timeout=10) as http:

        def call(method: str, **params: Any) -> httpx.Response:
            return http.post(method, json=params)

        yield call


def result(response: httpx.Response) -> Any:
    body = response.json()
    assert response.status_code == 200 and body["ok"] is True, body
    return body["result"]


def error(response: httpx.Response, code: int = 400) -> str:
    body = response.json()
    assert response.status_code == code and body["ok"] is False, body
    assert body["error_code"] == code
    return str(body["description"])


def keyboard(*labels: str) -> dict[str, Any]:
    return {
        "inline_keyboard": [[{"text": label, "callback_data": f"cb:{label}"}] for label in labels]
    }


def test_get_me_and_errors(api: FakeBotApi, client: Callable[..., httpx.Response]) -> None:
    me = result(client("getMe"))
    assert me["is_bot"] is True and me["id"] == 123456 == api.bot_id
    assert me["username"] == "sunshine_test_bot" and me["first_name"] == "阳光民政咨询助手"
    assert error(client("noSuchMethod"), 404) == "Not Found"
    wrong = httpx.post(f"{api.base_url}1:WRONG/getMe", timeout=5)
    assert error(wrong, 401) == "Unauthorized"
    assert result(client("deleteWebhook")) is True
    assert [c.method for c in api.calls][:1] == ["getMe"]


def test_get_updates_confirms_for_good(
    api: FakeBotApi, client: Callable[..., httpx.Response]
) -> None:
    ids = [api.send_text(f"问题 {i}") for i in range(5)]
    assert ids == [1, 2, 3, 4, 5]
    updates = result(client("getUpdates", limit=2))
    assert [u["update_id"] for u in updates] == [1, 2]
    message = updates[0]["message"]
    assert message["text"] == "问题 0" and message["chat"] == {
        "id": CHAT,
        "type": "private",
        "first_name": "居民",
    }
    assert message["from"]["id"] == CHAT and message["from"]["is_bot"] is False
    assert api.pending_updates() == 5  # nothing confirmed yet
    seen: list[int] = []
    api.on_get_updates = seen.append
    updates = result(client("getUpdates", offset=3))
    assert [u["update_id"] for u in updates] == [3, 4, 5]
    assert api.pending_updates() == 3 and seen == [3]
    assert [u["update_id"] for u in result(client("getUpdates", offset=1))] == [3, 4, 5]
    assert result(client("getUpdates", offset=6)) == []
    assert api.pending_updates() == 0
    assert api.confirmed_offsets == [3, 1, 6]


def test_long_poll_wakes_on_update_and_times_out(
    api: FakeBotApi, client: Callable[..., httpx.Response]
) -> None:
    started = time.monotonic()
    assert result(client("getUpdates", offset=1, timeout=1)) == []
    assert 0.9 <= time.monotonic() - started < 2

    def later() -> None:
        time.sleep(0.2)
        api.send_text("你好")

    thread = threading.Thread(target=later)
    started = time.monotonic()
    thread.start()
    updates = result(client("getUpdates", offset=1, timeout=5))
    elapsed = time.monotonic() - started
    thread.join()
    assert [u["message"]["text"] for u in updates] == ["你好"]
    assert 0.15 <= elapsed < 1.5


def test_send_message_is_stored_and_returned(
    api: FakeBotApi, client: Callable[..., httpx.Response]
) -> None:
    asked = api.send_text("结婚要带什么")
    sent = result(
        client(
            "sendMessage",
            chat_id=CHAT,
            text="<b>结婚</b>登记 &lt;材料&gt;",
            parse_mode="HTML",
            reply_markup=keyboard("条件", "流程"),
            reply_parameters={"message_id": asked},
        )
    )
    assert sent["message_id"] == asked + 1
    assert sent["from"]["is_bot"] is True and sent["chat"]["id"] == CHAT
    assert sent["text"] == "结婚登记 <材料>"
    assert sent["entities"] == [{"offset": 0, "length": 2, "type": "bold"}]
    assert sent["reply_to_message"]["text"] == "结婚要带什么"
    (message,) = api.bot_messages(CHAT)
    assert message.text == "结婚登记 <材料>" and message.reply_to == asked
    assert message.parse_mode == "HTML" and message.source == "<b>结婚</b>登记 &lt;材料&gt;"
    assert api.buttons(CHAT) == ["条件", "流程"]
    assert api.last_bot_message(CHAT) == message
    assert api.wait_replies(CHAT, 1) == [message]
    missing = client("sendMessage", chat_id=CHAT, text="x", reply_parameters={"message_id": 99})
    assert error(missing) == "Bad Request: message to be replied not found"


@pytest.mark.parametrize(
    "text",
    [
        "<b>x</b> &lt;",
        '<i>a</i><u>b</u><s>c</s><code>d</code><pre><code class="language-py">e</code></pre>',
        '<a href="https://example.org/?a=1&amp;b=2">链接</a> &#20320;&#x597D; &quot;',
        '<span class="tg-spoiler">秘</span><tg-spoiler>密</tg-spoiler>',
        "<blockquote expandable>引用</blockquote> 1 > 0",
    ],
)
def test_valid_html_is_accepted(client: Callable[..., httpx.Response], text: str) -> None:
    result(client("sendMessage", chat_id=CHAT, text=text, parse_mode="HTML"))


@pytest.mark.parametrize(
    "text", ["<div>x</div>", "<b>x", "a & b", "<b><i>x</b></i>", "x</b>", "a < b", "&nbsp;"]
)
def test_invalid_html_is_refused(client: Callable[..., httpx.Response], text: str) -> None:
    description = error(client("sendMessage", chat_id=CHAT, text=text, parse_mode="HTML"))
    assert description.startswith("Bad Request: can't parse entities: ")
    # Without a parse mode the same text is plain text.
    result(client("sendMessage", chat_id=CHAT, text=text))


def test_html_entities_are_measured_in_utf16() -> None:
    text, entities = parse_html("😀<b>好</b><a href='https://x.org'>x</a>")
    assert text == "😀好x"
    assert entities == [
        {"offset": 2, "length": 1, "type": "bold"},
        {"offset": 3, "length": 1, "type": "text_link", "url": "https://x.org"},
    ]
    assert utf16_len("😀好") == 3


def test_length_limit_counts_visible_text(client: Callable[..., httpx.Response]) -> None:
    result(client("sendMessage", chat_id=CHAT, text="民" * 4096))
    assert error(client("sendMessage", chat_id=CHAT, text="民" * 4097)) == (
        "Bad Request: message is too long"
    )
    # Markup does not count, escaped characters count once.
    result(
        client("sendMessage", chat_id=CHAT, text="<b>" + "&lt;" * 4096 + "</b>", parse_mode="HTML")
    )
    emoji = client("sendMessage", chat_id=CHAT, text="😀" * 2049)
    assert error(emoji) == "Bad Request: message is too long"
    assert error(client("sendMessage", chat_id=CHAT, text="  ")) == (
        "Bad Request: message text is empty"
    )
    assert error(client("sendMessage", chat_id=CHAT, text="<b></b>", parse_mode="HTML")) == (
        "Bad Request: message text is empty"
    )


def test_callback_data_is_limited_to_64_bytes(client: Callable[..., httpx.Response]) -> None:
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "民" * 22}]]}
    assert error(client("sendMessage", chat_id=CHAT, text="x", reply_markup=markup)) == (
        "Bad Request: BUTTON_DATA_INVALID"
    )
    markup = {"inline_keyboard": [[{"text": "a", "callback_data": "x" * 64}]]}
    result(client("sendMessage", chat_id=CHAT, text="x", reply_markup=markup))


def test_edits_and_the_not_modified_rule(
    api: FakeBotApi, client: Callable[..., httpx.Response]
) -> None:
    sent = result(client("sendMessage", chat_id=CHAT, text="菜单", reply_markup=keyboard("甲")))
    mid = sent["message_id"]
    same = client(
        "editMessageText", chat_id=CHAT, message_id=mid, text="菜单", reply_markup=keyboard("甲")
    )
    assert error(same).startswith("Bad Request: message is not modified")
    edited = result(
        client(
            "editMessageText",
            chat_id=CHAT,
            message_id=mid,
            text="<b>菜单</b>",
            parse_mode="HTML",
            reply_markup=keyboard("甲"),
        )
    )
    assert edited["entities"] and "edit_date" in edited
    again = client(
        "editMessageReplyMarkup", chat_id=CHAT, message_id=mid, reply_markup=keyboard("甲")
    )
    assert error(again).startswith("Bad Request: message is not modified")
    result(
        client("editMessageReplyMarkup", chat_id=CHAT, message_id=mid, reply_markup=keyboard("乙"))
    )
    message = api.last_bot_message(CHAT)
    assert message.edited == 2 and api.buttons(CHAT) == ["乙"] and message.text == "菜单"
    # Without reply_markup an edit removes the keyboard.
    result(client("editMessageText", chat_id=CHAT, message_id=mid, text="完"))
    assert api.buttons(CHAT) == [] and api.last_bot_message(CHAT).reply_markup is None
    gone = client("editMessageText", chat_id=CHAT, message_id=999, text="x")
    assert error(gone) == "Bad Request: message to edit not found"
    assert result(client("deleteMessage", chat_id=CHAT, message_id=mid)) is True
    assert api.bot_messages(CHAT) == []


def test_fail_next_answers_429(api: FakeBotApi, client: Callable[..., httpx.Response]) -> None:
    api.fail_next("sendMessage", times=2, retry_after=3)
    for _ in range(2):
        response = client("sendMessage", chat_id=CHAT, text="x")
        assert error(response, 429) == "Too Many Requests: retry after 3"
        assert response.json()["parameters"] == {"retry_after": 3}
    result(client("sendMessage", chat_id=CHAT, text="x"))
    assert [c.status for c in api.calls] == [429, 429, 200]


def test_form_encoded_values_are_decoded(api: FakeBotApi) -> None:
    data = {
        "chat_id": str(CHAT),
        "text": "123",
        "reply_markup": json.dumps(keyboard("好")),
        "disable_notification": "true",
    }
    response = httpx.post(f"{api.base_url}{api.token}/sendMessage", data=data, timeout=5)
    assert result(response)["text"] == "123"
    params = api.calls[-1].params
    assert params["chat_id"] == CHAT and params["text"] == "123"
    assert params["reply_markup"] == keyboard("好") and params["disable_notification"] is True
    commands = [{"command": "start", "description": "开始"}]
    url = f"{api.base_url}{api.token}/setMyCommands"
    assert result(httpx.post(url, data={"commands": json.dumps(commands)}, timeout=5)) is True
    got = httpx.get(f"{api.base_url}{api.token}/getMyCommands", timeout=5)
    assert result(got) == commands
    bad = [{"command": "Start", "description": "开始"}]
    assert error(httpx.post(url, data={"commands": json.dumps(bad)}, timeout=5)) == (
        "Bad Request: BOT_COMMAND_INVALID"
    )


def test_multipart_photo_is_stored_and_its_file_id_reusable(api: FakeBotApi) -> None:
    url = f"{api.base_url}{api.token}/sendPhoto"
    response = httpx.post(
        url,
        data={"chat_id": str(CHAT), "caption": "<b>流程图</b>", "parse_mode": "HTML"},
        files={"photo": ("chart.png", PNG, "image/png")},
        timeout=5,
    )
    sent = result(response)
    (size,) = sent["photo"]
    assert (size["width"], size["height"], size["file_size"]) == (256, 128, len(PNG))
    assert sent["caption"] == "流程图"
    message = api.last_bot_message(CHAT)
    assert message.photo and message.caption == "流程图"
    assert api.photo_bytes(CHAT, message.message_id) == PNG
    again = httpx.post(url, data={"chat_id": str(CHAT), "photo": size["file_id"]}, timeout=5)
    assert result(again)["photo"][0]["file_id"] == size["file_id"]
    assert api.calls[-1].params["photo"] == size["file_id"]
    unknown = httpx.post(url, data={"chat_id": str(CHAT), "photo": "nope"}, timeout=5)
    assert error(unknown) == "Bad Request: wrong file identifier/HTTP URL specified"
    long_caption = {"chat_id": str(CHAT), "photo": size["file_id"], "caption": "民" * 1025}
    too_long = httpx.post(url, data=long_caption, timeout=5)
    assert error(too_long) == "Bad Request: message caption is too long"


def test_press_builds_a_callback_query(
    api: FakeBotApi, client: Callable[..., httpx.Response]
) -> None:
    first = result(
        client("sendMessage", chat_id=CHAT, text="一", reply_markup=keyboard("👍 有帮助"))
    )
    result(client("sendMessage", chat_id=CHAT, text="二", reply_markup=keyboard("条件")))
    query_id = api.press(CHAT, "有帮助")  # a unique partial match, in an older message
    (update,) = result(client("getUpdates"))
    query = update["callback_query"]
    assert query["id"] == query_id and query["data"] == "cb:👍 有帮助"
    assert query["message"]["message_id"] == first["message_id"]
    assert query["message"]["reply_markup"] == keyboard("👍 有帮助")
    assert query["from"]["id"] == CHAT and query["chat_instance"]
    answer = {"callback_query_id": query_id, "text": "谢谢"}
    assert result(client("answerCallbackQuery", **answer)) is True
    assert error(client("answerCallbackQuery", **answer)).startswith("Bad Request: query is too")
    with pytest.raises(AssertionError, match="条件"):
        api.press(CHAT, "没有这个", wait=0)


def test_resident_replies_edits_and_other_messages(
    api: FakeBotApi, client: Callable[..., httpx.Response]
) -> None:
    sent = result(client("sendMessage", chat_id=CHAT, text="请补充"))
    mid = api.send_text("骨灰盒", reply_to=sent["message_id"])
    api.edit_text(CHAT, mid, "火化费")
    api.send_message_object(CHAT, {"sticker": {"file_id": "s"}})
    group = api.send_text(
        "@sunshine_test_bot 你好",
        chat_id=-5,
        user_id=7,
        chat_type="group",
        entities=[{"type": "mention", "offset": 0, "length": 18}],
    )
    updates = result(client("getUpdates"))
    reply, edit, sticker, mention = updates
    assert reply["message"]["reply_to_message"]["text"] == "请补充"
    assert edit["edited_message"]["text"] == "火化费" and "edit_date" in edit["edited_message"]
    assert sticker["message"]["sticker"] == {"file_id": "s"}
    assert mention["message"]["chat"]["type"] == "group" and mention["message"]["from"]["id"] == 7
    assert mention["message"]["message_id"] == group
    assert api.message_payload(CHAT, mid)["text"] == "火化费"
    # Like Telegram, commands and mentions in a resident's text get their entities.
    api.send_text("/start")
    (command,) = result(client("getUpdates", offset=mention["update_id"] + 1))
    assert command["message"]["entities"] == [{"offset": 0, "length": 6, "type": "bot_command"}]
    assert detect_entities("你好 @sunshine_test_bot") == [
        {"offset": 3, "length": 18, "type": "mention"}
    ]


def test_real_application_polls_and_answers(api: FakeBotApi) -> None:
    pressed: list[str] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("好的", callback_data="ok:1")]])
        await update.effective_message.reply_text(
            f"<b>收到</b>：{update.effective_message.text}",
            parse_mode="HTML",
            reply_markup=markup,
            do_quote=True,
        )

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        pressed.append(query.data)
        await query.answer("已收到")
        await query.edit_message_text("已确认")

    async def until(predicate: Callable[[], bool], timeout: float = 5) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, api.calls[-10:]
            await asyncio.sleep(0.01)

    async def scenario() -> None:
        application = (
            ApplicationBuilder()
            .token(api.token)
            .base_url(api.base_url)
            .base_file_url(api.base_file_url)
            .build()
        )
        application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        application.add_handler(CallbackQueryHandler(button))
        async with application:
            assert application.updater is not None
            await application.updater.start_polling(poll_interval=0, timeout=1)
            await application.start()
            try:
                asked = api.send_text("低保怎么申请")
                await until(lambda: len(api.bot_messages(CHAT)) == 1)
                reply = api.last_bot_message(CHAT)
                assert reply.text == "收到：低保怎么申请" and reply.reply_to == asked
                api.press(CHAT, "好的")
                await until(lambda: api.last_bot_message(CHAT).text == "已确认")
            finally:
                await application.updater.stop()
                await application.stop()

    asyncio.run(scenario())
    assert pressed == ["ok:1"]
    assert api.callback_answers[0]["text"] == "已收到"
    assert api.pending_updates() == 0
    # The long poll the updater abandoned when stopping may still be waiting (status 0).
    refused = [c for c in api.calls if c.status not in (0, 200)]
    assert not refused, refused
