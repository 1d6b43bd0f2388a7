"""A fake Telegram Bot API server for driving the real python-telegram-bot end to end.

`FakeBotApi` serves the Bot API over HTTP on 127.0.0.1 (aiohttp, in its own thread and
event loop). Tests act as residents through its synchronous methods (`send_text`, `press`,
...) and observe what the bot did (`calls`, `bot_messages`, ...). The server validates what
matters the way Telegram does: HTML entities, message length in UTF-16 code units,
callback data size, "message is not modified", flood control on request.

Run as a script (`python tests/fake_telegram.py --port N`) it prints `READY <port>` and
serves until SIGINT/SIGTERM; a small JSON control API under `/_control/` lets another
process act as residents and observe the bot.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import re
import signal
import struct
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import ClientPayloadError, web

JsonDict = dict[str, Any]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
BOT_FIRST_NAME = "阳光民政咨询助手"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"

# Parameters whose string values are plain strings, never JSON to decode.
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "language_code",
        "photo",
        "document",
        "file_id",
        "inline_message_id",
        "business_connection_id",
        "action",
        "message_effect_id",
        "secret_token",
        "ip_address",
        "description",
        "short_description",
        "name",
        "title",
        "emoji",
    }
)
_INT_FIELDS = frozenset(
    {"message_id", "offset", "limit", "timeout", "reply_to_message_id", "user_id", "cache_time"}
)
_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")


# --------------------------------------------------------------------------------------------
# Public records


@dataclass
class Call:
    """One Bot API request; `at` is when it arrived.

    Calls are listed when answered, except getUpdates, which is listed as soon as it
    arrives (status 0 while the long poll waits), so tests can see that the bot polls.
    """

    method: str
    params: dict[str, Any]
    at: float
    status: int


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes

    def __repr__(self) -> str:
        return f"UploadedFile({self.filename!r}, {len(self.data)} bytes)"


@dataclass(frozen=True)
class BotMessage:
    """A bot message as it currently is (edits applied).

    `text` and `caption` are what the resident sees (HTML already parsed into entities);
    `source` is the text or caption exactly as the bot sent it.
    """

    message_id: int
    text: str | None
    caption: str | None
    parse_mode: str | None
    reply_markup: JsonDict | None
    photo: bool
    reply_to: int | None
    edited: int
    source: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    document: bool = False
    date: int = 0


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JsonDict:
        body: JsonDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


# --------------------------------------------------------------------------------------------
# HTML parse mode


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8}));")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_RE = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z][a-zA-Z0-9_-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>"
)
_ATTR_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9_-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_SPECIAL_RE = re.compile(r"[<&]")
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_ALLOWED_TAGS = frozenset({*_SIMPLE_TAGS, "a", "span", "blockquote", "tg-emoji"})


class EntityError(Exception):
    """The text does not parse in the requested parse mode."""


@dataclass
class _OpenTag:
    name: str
    start: int
    attrs: dict[str, str]
    language: str | None = None


def _byte_offset(source: str, index: int) -> int:
    return len(source[:index].encode())


def _decode_entities(source: str, start: int, end: int) -> str:
    """Decodes HTML entities in source[start:end]; a bare `&` is an error."""
    out: list[str] = []
    i = start
    while i < end:
        amp = source.find("&", i, end)
        if amp < 0:
            out.append(source[i:end])
            break
        out.append(source[i:amp])
        match = _ENTITY_RE.match(source, amp, end)
        if match is None:
            raise EntityError(
                f"Character '&' is reserved and must be escaped with the preceding '\\' "
                f"at byte offset {_byte_offset(source, amp)}"
            )
        named, decimal, hexadecimal = match.groups()
        if named is not None:
            out.append(_NAMED_ENTITIES[named])
        else:
            code = int(decimal) if decimal is not None else int(hexadecimal, 16)
            if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                raise EntityError(
                    f"Invalid numeric entity at byte offset {_byte_offset(source, amp)}"
                )
            out.append(chr(code))
        i = match.end()
    return "".join(out)


def parse_html(source: str) -> tuple[str, list[JsonDict]]:
    """Parses Telegram's HTML style into (visible text, entities with UTF-16 offsets)."""
    chunks: list[str] = []
    entities: list[JsonDict] = []
    stack: list[_OpenTag] = []
    position = 0  # in UTF-16 code units
    i = 0
    n = len(source)
    while i < n:
        special = _SPECIAL_RE.search(source, i)
        stop = special.start() if special else n
        if stop > i:
            chunk = source[i:stop]
            chunks.append(chunk)
            position += utf16_len(chunk)
            i = stop
            continue
        if source[i] == "&":
            match = _ENTITY_RE.match(source, i)
            end = match.end() if match else i + 1
            chunk = _decode_entities(source, i, end)
            chunks.append(chunk)
            position += utf16_len(chunk)
            i = end
            continue
        tag = _TAG_RE.match(source, i)
        if tag is None:
            raise EntityError(
                f"Unsupported start tag at byte offset {_byte_offset(source, i)}"
                if source.startswith("<", i) and i + 1 < n and source[i + 1].isalpha()
                else f"Unexpected character '<' at byte offset {_byte_offset(source, i)}"
            )
        closing, name, attr_text = tag.group(1) == "/", tag.group(2).lower(), tag.group(3)
        if closing:
            if not stack:
                raise EntityError(
                    f'Unexpected end tag at byte offset {_byte_offset(source, i)}: "</{name}>"'
                )
            top = stack[-1]
            if top.name != name:
                raise EntityError(
                    f"Unmatched end tag at byte offset {_byte_offset(source, i)}, "
                    f'expected "</{top.name}>", found "</{name}>"'
                )
            stack.pop()
            _close_tag(top, position, stack, entities)
        else:
            if name not in _ALLOWED_TAGS:
                raise EntityError(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(source, i)}'
                )
            attrs: dict[str, str] = {}
            for attr in _ATTR_RE.finditer(attr_text):
                value = attr.group(2) or ""
                if value[:1] in ("'", '"'):
                    value = value[1:-1]
                attrs[attr.group(1).lower()] = _decode_entities(value, 0, len(value))
            if name == "span" and attrs.get("class") != "tg-spoiler":
                raise EntityError('Tag "span" must have class "tg-spoiler"')
            if name == "tg-emoji" and not attrs.get("emoji-id"):
                raise EntityError('Tag "tg-emoji" must have attribute "emoji-id"')
            stack.append(_OpenTag(name, position, attrs))
        i = tag.end()
    if stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(chunks), entities


def _close_tag(tag: _OpenTag, position: int, stack: list[_OpenTag], out: list[JsonDict]) -> None:
    length = position - tag.start
    if tag.name == "code" and stack and stack[-1].name == "pre":
        language = tag.attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1].language = language.removeprefix("language-")
            return
    if length <= 0:
        return
    entity: JsonDict = {"offset": tag.start, "length": length}
    if tag.name in _SIMPLE_TAGS:
        entity["type"] = _SIMPLE_TAGS[tag.name]
        if tag.name == "pre" and tag.language:
            entity["language"] = tag.language
    elif tag.name == "span":
        entity["type"] = "spoiler"
    elif tag.name == "a":
        href = tag.attrs.get("href")
        if not href:
            return
        entity.update(type="text_link", url=href)
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
    else:  # tg-emoji
        entity.update(type="custom_emoji", custom_emoji_id=tag.attrs["emoji-id"])
    out.append(entity)


# --------------------------------------------------------------------------------------------
# Internal state


@dataclass
class _Stored:
    """A message in a chat as Telegram holds it."""

    payload: JsonDict
    from_bot: bool
    source: str | None = None
    parse_mode: str | None = None
    markup: JsonDict | None = None
    reply_to: int | None = None
    edited: int = 0
    file_id: str | None = None


@dataclass
class _Chat:
    info: JsonDict
    next_id: int = 1
    messages: dict[int, _Stored] = field(default_factory=dict)
    bot_ids: list[int] = field(default_factory=list)


@dataclass
class _File:
    file_id: str
    unique_id: str
    data: bytes
    kind: str
    name: str | None = None
    mime_type: str | None = None
    width: int = 640
    height: int = 480


Handler = Callable[[JsonDict], Awaitable[Any]]


def _image_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 640, 480


def _decode_value(name: str, value: Any) -> Any:
    if name == "chat_id" or name in _INT_FIELDS:
        if isinstance(value, str):
            try:
                return int(value)
            except ValueError:
                return value
        return value
    if isinstance(value, str) and name not in _STRING_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return {"filename": value.filename, "size": len(value.data)}
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


# --------------------------------------------------------------------------------------------
# The server


class FakeBotApi:
    """A fake Bot API server on 127.0.0.1, run in a background thread."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "sunshine_test_bot",
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.bot_username = bot_username
        self.bot_id = int(token.split(":", 1)[0])
        self.calls: list[Call] = []
        self.confirmed_offsets: list[int] = []
        self.callback_answers: list[JsonDict] = []
        # Chats whose user blocked the bot: sendMessage there answers 403.
        self.blocked: set[int] = set()
        self.server_errors: list[Exception] = []
        self.on_get_updates: Callable[[int], None] | None = None
        self._lock = threading.RLock()
        self._updates: deque[JsonDict] = deque()
        self._next_update_id = 1
        self._chats: dict[int, _Chat] = {}
        self._files: dict[str, _File] = {}
        self._file_count = 0
        self._queries: dict[str, bool] = {}  # id -> answered
        self._query_count = 0
        self._failures: dict[str, deque[int]] = {}
        self._commands: dict[str, list[JsonDict]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._new_update: asyncio.Event | None = None
        self._closing = False
        self._methods: dict[str, tuple[str, Handler]] = {}
        for name, handler in (
            ("getMe", self._get_me),
            ("logOut", self._true),
            ("close", self._true),
            ("deleteWebhook", self._true),
            ("setWebhook", self._set_webhook),
            ("getWebhookInfo", self._get_webhook_info),
            ("getUpdates", self._get_updates),
            ("sendMessage", self._send_message),
            ("editMessageText", self._edit_message_text),
            ("editMessageCaption", self._edit_message_caption),
            ("editMessageReplyMarkup", self._edit_message_reply_markup),
            ("deleteMessage", self._delete_message),
            ("answerCallbackQuery", self._answer_callback_query),
            ("sendPhoto", self._send_photo),
            ("sendDocument", self._send_document),
            ("sendChatAction", self._send_chat_action),
            ("setMyCommands", self._set_my_commands),
            ("getMyCommands", self._get_my_commands),
            ("deleteMyCommands", self._delete_my_commands),
            ("getFile", self._get_file),
        ):
            self._methods[name.lower()] = (name, handler)

    # ---- lifecycle -------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def control_url(self) -> str:
        return f"http://{self.host}:{self.port}/_control"

    def start(self) -> None:
        """Starts serving in a background thread; returns once the port is listening."""
        if self._thread is not None:
            raise RuntimeError("already started")
        ready = threading.Event()
        errors: list[BaseException] = []
        self._closing = False
        loop = asyncio.new_event_loop()
        self._loop = loop

        def main() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._startup())
            except BaseException as exc:
                errors.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                pending = asyncio.all_tasks(loop)
                for task in pending:
                    task.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=main, name="fake-telegram", daemon=True)
        self._thread.start()
        ready.wait()
        if errors:
            self._thread.join()
            self._thread = None
            self._loop = None
            raise errors[0]

    def stop(self) -> None:
        """Stops the server and its thread (idempotent)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        self._closing = True
        future = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
        try:
            future.result(timeout=10)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
            self._thread = None
            self._loop = None

    def __enter__(self) -> FakeBotApi:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def _startup(self) -> None:
        self._new_update = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_post("/_control/send_text", self._control_send_text)
        app.router.add_post("/_control/send_update", self._control_send_update)
        app.router.add_post("/_control/send_message_object", self._control_send_object)
        app.router.add_post("/_control/edit_text", self._control_edit_text)
        app.router.add_post("/_control/press", self._control_press)
        app.router.add_post("/_control/fail_next", self._control_fail_next)
        app.router.add_get("/_control/messages", self._control_messages)
        app.router.add_get("/_control/calls", self._control_calls)
        app.router.add_get("/_control/state", self._control_state)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        self._runner = runner
        for address in runner.addresses:
            if isinstance(address, tuple):
                self.port = int(address[1])
                break

    async def _shutdown(self) -> None:
        self._wake()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _wake(self) -> None:
        """Wakes every long poll (runs on the server loop)."""
        event = self._new_update
        if event is not None:
            self._new_update = asyncio.Event()
            event.set()

    def _notify(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # closed in between
                loop.call_soon_threadsafe(self._wake)

    # ---- acting as residents ---------------------------------------------------------------

    def _chat(self, chat_id: int, chat_type: str | None = None, first_name: str = "居民") -> _Chat:
        with self._lock:
            return self._chat_locked(chat_id, chat_type, first_name)

    def _chat_locked(self, chat_id: int, chat_type: str | None, first_name: str) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            kind = chat_type or ("private" if chat_id > 0 else "group")
            info: JsonDict = {"id": chat_id, "type": kind}
            if kind == "private":
                info["first_name"] = first_name
            else:
                info["title"] = f"测试群 {chat_id}"
            chat = _Chat(info)
            self._chats[chat_id] = chat
        return chat

    def _enqueue(self, payload: JsonDict) -> int:
        with self._lock:
            update = dict(payload)
            given = update.get("update_id")
            if isinstance(given, int):
                self._next_update_id = max(self._next_update_id, given + 1)
            else:
                update["update_id"] = self._next_update_id
                self._next_update_id += 1
            query = update.get("callback_query")
            if isinstance(query, dict) and "id" in query:
                self._queries.setdefault(str(query["id"]), False)
            self._updates.append(update)
            update_id = int(update["update_id"])
        self._notify()
        return update_id

    def send_update(self, payload: JsonDict) -> int:
        """Enqueues a raw update (update_id assigned if missing); returns its update_id."""
        return self._enqueue(payload)

    def _user(self, user_id: int, first_name: str) -> JsonDict:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": "zh-hans",
        }

    def _resident_message(
        self,
        chat_id: int,
        fields: JsonDict,
        *,
        user_id: int | None,
        chat_type: str,
        first_name: str,
        reply_to: int | None,
    ) -> tuple[int, JsonDict]:
        with self._lock:
            chat = self._chat(chat_id, chat_type, first_name)
            message_id = chat.next_id
            chat.next_id += 1
            message: JsonDict = {
                "message_id": message_id,
                "from": self._user(chat_id if user_id is None else user_id, first_name),
                "chat": dict(chat.info),
                "date": int(time.time()),
            }
            if reply_to is not None:
                replied = chat.messages.get(reply_to)
                if replied is None:
                    raise AssertionError(f"no message {reply_to} in chat {chat_id} to reply to")
                message["reply_to_message"] = _without_reply(replied.payload)
            message.update(fields)
            chat.messages[message_id] = _Stored(message, from_bot=False, reply_to=reply_to)
            return message_id, message

    def send_text(
        self,
        text: str,
        *,
        chat_id: int = 1001,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "居民",
        reply_to: int | None = None,
        entities: list[JsonDict] | None = None,
    ) -> int:
        """Enqueues a `message` update with a text; returns the new message_id."""
        fields: JsonDict = {"text": text}
        found = detect_entities(text) if entities is None else entities
        if found:
            fields["entities"] = found
        message_id, message = self._resident_message(
            chat_id,
            fields,
            user_id=user_id,
            chat_type=chat_type,
            first_name=first_name,
            reply_to=reply_to,
        )
        self._enqueue({"message": message})
        return message_id

    def send_message_object(
        self,
        chat_id: int,
        fields: JsonDict,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> int:
        """Enqueues a `message` update with arbitrary fields (sticker, photo, ...)."""
        message_id, message = self._resident_message(
            chat_id,
            fields,
            user_id=user_id,
            chat_type=chat_type,
            first_name="居民",
            reply_to=None,
        )
        self._enqueue({"message": message})
        return message_id

    def edit_text(self, chat_id: int, message_id: int, text: str) -> None:
        """Enqueues an `edited_message` update for a resident's message."""
        with self._lock:
            chat = self._chats.get(chat_id)
            stored = chat.messages.get(message_id) if chat else None
            if stored is None or stored.from_bot:
                raise AssertionError(f"no resident message {message_id} in chat {chat_id}")
            payload = {**stored.payload, "text": text, "edit_date": int(time.time())}
            payload.pop("entities", None)
            stored.payload = payload
            stored.edited += 1
        self._enqueue({"edited_message": payload})

    def press(
        self,
        chat_id: int,
        label: str,
        *,
        message_id: int | None = None,
        user_id: int | None = None,
    ) -> str:
        """Presses an inline button of a bot message; returns the callback query id."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                raise AssertionError(f"no chat {chat_id}")
            if message_id is not None:
                if message_id not in chat.bot_ids:
                    raise AssertionError(f"no bot message {message_id} in chat {chat_id}")
                candidates = [message_id]
            else:
                candidates = list(reversed(chat.bot_ids))
            found = self._find_button(chat, candidates, label)
            target, button = found
            data = button.get("callback_data")
            if not isinstance(data, str):
                raise AssertionError(f"button {label!r} has no callback_data: {button}")
            self._query_count += 1
            query_id = str(4_000_000_000_000 + self._query_count)
            user = self._user(chat_id if user_id is None else user_id, "居民")
            query: JsonDict = {
                "id": query_id,
                "from": user,
                "message": copy.deepcopy(chat.messages[target].payload),
                "chat_instance": f"ci{abs(chat_id)}",
                "data": data,
            }
        self._enqueue({"callback_query": query})
        return query_id

    def _find_button(self, chat: _Chat, candidates: list[int], label: str) -> tuple[int, JsonDict]:
        keyboards = [(mid, _inline_buttons(chat.messages[mid].markup)) for mid in candidates]
        for mid, buttons in keyboards:
            for button in buttons:
                if button.get("text") == label:
                    return mid, button
        for mid, buttons in keyboards:
            partial = [b for b in buttons if label in str(b.get("text", ""))]
            if len(partial) == 1:
                return mid, partial[0]
            if len(partial) > 1:
                names = [b.get("text") for b in partial]
                raise AssertionError(f"button {label!r} is ambiguous in message {mid}: {names}")
        shown = next(((mid, b) for mid, b in keyboards if b), None)
        available = [b.get("text") for b in shown[1]] if shown else []
        where = f"message {shown[0]}" if shown else "no bot message with an inline keyboard"
        raise AssertionError(f"no button {label!r}; available in {where}: {available}")

    # ---- observing the bot -----------------------------------------------------------------

    def bot_messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in a chat, in send order, with edits applied."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                return []
            return [_snapshot(chat.messages[mid]) for mid in chat.bot_ids]

    def last_bot_message(self, chat_id: int) -> BotMessage:
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None or not chat.bot_ids:
                raise AssertionError(f"the bot sent nothing to chat {chat_id}")
            return _snapshot(chat.messages[chat.bot_ids[-1]])

    def buttons(self, chat_id: int, message_id: int | None = None) -> list[str]:
        """Labels of the inline keyboard of that (or the last) bot message."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None or not chat.bot_ids:
                return []
            mid = chat.bot_ids[-1] if message_id is None else message_id
            stored = chat.messages.get(mid)
            if stored is None or not stored.from_bot:
                raise AssertionError(f"no bot message {mid} in chat {chat_id}")
            return [str(b.get("text", "")) for b in _inline_buttons(stored.markup)]

    def message_payload(self, chat_id: int, message_id: int) -> JsonDict:
        """The full Message object (as Telegram would send it) of any message in a chat."""
        with self._lock:
            chat = self._chats.get(chat_id)
            stored = chat.messages.get(message_id) if chat else None
            if stored is None:
                raise AssertionError(f"no message {message_id} in chat {chat_id}")
            return copy.deepcopy(stored.payload)

    def photo_bytes(self, chat_id: int, message_id: int) -> bytes:
        """The bytes of the photo (or document) of a bot message."""
        with self._lock:
            chat = self._chats.get(chat_id)
            stored = chat.messages.get(message_id) if chat else None
            if stored is None or stored.file_id is None:
                raise AssertionError(f"no bot photo {message_id} in chat {chat_id}")
            return self._files[stored.file_id].data

    def file_bytes(self, file_id: str) -> bytes:
        with self._lock:
            return self._files[file_id].data

    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        with self._lock:
            return len(self._updates)

    def fail_next(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls of `method` get HTTP 429 with retry_after."""
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        with self._lock:
            self._failures.setdefault(name, deque()).extend([retry_after] * times)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Polls until `predicate()` is true, else AssertionError with the recent calls."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"condition not met within {timeout} s; recent calls:\n{self._recent_calls()}"
                )
            time.sleep(0.005)

    def wait_replies(self, chat_id: int, count: int, timeout: float = 10.0) -> list[BotMessage]:
        """Waits until the bot has at least `count` messages in the chat; returns them."""
        try:
            self.wait_for(lambda: len(self.bot_messages(chat_id)) >= count, timeout)
        except AssertionError as exc:
            texts = [m.text or m.caption for m in self.bot_messages(chat_id)]
            raise AssertionError(
                f"expected {count} bot messages in {chat_id}, got {texts}\n{exc}"
            ) from None
        return self.bot_messages(chat_id)

    def _recent_calls(self, count: int = 15) -> str:
        lines = []
        for call in list(self.calls)[-count:]:
            params = _dumps(call.params)
            if len(params) > 160:
                params = params[:157] + "..."
            lines.append(f"  {call.method} -> {call.status} {params}")
        return "\n".join(lines) or "  (none)"

    # ---- HTTP ------------------------------------------------------------------------------

    async def _read_params(self, request: web.Request) -> JsonDict:
        raw: JsonDict = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    raw.update(body)
            elif request.content_type in (
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ):
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        with value.file:
                            data = value.file.read()
                        raw[key] = UploadedFile(value.filename, value.content_type, data)
                    elif isinstance(value, bytes):
                        raw[key] = UploadedFile(None, None, value)
                    else:
                        raw[key] = value
        return {key: _decode_value(key, value) for key, value in raw.items()}

    async def _handle_api(self, request: web.Request) -> web.Response:
        at = time.monotonic()
        entry = self._methods.get(request.match_info["method"].lower())
        method = entry[0] if entry else request.match_info["method"]
        call = Call(method, {}, at, 0)
        listed = False
        try:
            call.params = await self._read_params(request)
            if method == "getUpdates":  # a long poll is visible while it waits (status 0)
                self.calls.append(call)
                listed = True
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found")
            self._check_flood(method)
            body: JsonDict = {"ok": True, "result": await entry[1](call.params)}
            status = 200
        except ApiError as exc:
            status, body = exc.code, exc.body()
        except (ConnectionError, ClientPayloadError) as exc:  # the client went away
            self.server_errors.append(exc)
            status, body = 499, {"ok": False, "error_code": 499, "description": repr(exc)}
        except Exception as exc:  # a bug of the fake server: kept for the tests to see
            self.server_errors.append(exc)
            traceback.print_exc()
            status = 500
            body = {"ok": False, "error_code": 500, "description": f"Internal error: {exc!r}"}
        call.status = status
        if not listed:
            self.calls.append(call)
        return web.Response(text=_dumps(body), status=status, content_type="application/json")

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        with self._lock:
            stored = self._files.get(file_id)
        if stored is None:
            return web.Response(status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type or "image/png")

    def _check_flood(self, method: str) -> None:
        with self._lock:
            queue = self._failures.get(method)
            if queue:
                retry_after = queue.popleft()
                raise ApiError(
                    429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
                )

    # ---- Bot API methods -------------------------------------------------------------------

    def _bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": self.bot_username,
        }

    async def _true(self, params: JsonDict) -> bool:
        return True

    async def _get_me(self, params: JsonDict) -> JsonDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _set_webhook(self, params: JsonDict) -> bool:
        raise bad_request("webhooks are not supported by the fake server")

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": self.pending_updates(),
        }

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        offset = params.get("offset")
        limit = params.get("limit", 100)
        timeout = params.get("timeout", 0)
        allowed = params.get("allowed_updates")
        if offset is not None and not isinstance(offset, int):
            raise bad_request("invalid offset")
        if not isinstance(limit, int) or not isinstance(timeout, int | float):
            raise bad_request("invalid limit or timeout")
        limit = min(max(limit, 1), 100)
        if offset is not None:
            self.confirmed_offsets.append(offset)
            hook = self.on_get_updates
            if hook is not None:
                hook(offset)
            with self._lock:
                if offset < 0:
                    while len(self._updates) > -offset:
                        self._updates.popleft()
                else:
                    while self._updates and self._updates[0]["update_id"] < offset:
                        self._updates.popleft()
        kinds = set(allowed) if isinstance(allowed, list) and allowed else None
        deadline = time.monotonic() + float(timeout)
        while True:
            event = self._new_update
            result = self._take_updates(offset, limit, kinds)
            remaining = deadline - time.monotonic()
            if result or remaining <= 0 or self._closing or event is None:
                return result
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except TimeoutError:
                return self._take_updates(offset, limit, kinds)

    def _take_updates(
        self, offset: int | None, limit: int, kinds: set[str] | None
    ) -> list[JsonDict]:
        result: list[JsonDict] = []
        with self._lock:
            skipped = False
            for update in self._updates:
                if offset is not None and offset > 0 and update["update_id"] < offset:
                    continue
                if kinds is not None and not any(k in update for k in kinds):
                    skipped = True
                    continue
                result.append(update)
                if len(result) >= limit:
                    break
            if skipped and kinds is not None:  # Telegram never delivers unwanted kinds
                self._updates = deque(u for u in self._updates if any(k in u for k in kinds))
        return result

    def _chat_for_bot(self, params: JsonDict) -> _Chat:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int) or isinstance(chat_id, bool):
            raise bad_request("chat not found")
        return self._chat(chat_id)

    def _parse(self, text: Any, parse_mode: Any, what: str, limit: int) -> tuple[str, list[Any]]:
        if not isinstance(text, str):
            raise bad_request(f"{what} is empty")
        entities: list[Any] = []
        if parse_mode in (None, ""):
            visible = text
        elif not isinstance(parse_mode, str):
            raise bad_request("unsupported parse_mode")
        elif parse_mode.lower() == "html":
            try:
                visible, entities = parse_html(text)
            except EntityError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        elif parse_mode.lower() in ("markdown", "markdownv2"):
            visible = text  # not emulated: accepted as is
        else:
            raise bad_request(f"unsupported parse_mode {parse_mode!r}")
        if what == "message text" and not visible.strip():
            raise bad_request("message text is empty")
        if utf16_len(visible) > limit:
            raise bad_request(
                "message is too long" if what == "message text" else "message caption is too long"
            )
        return visible, entities

    def _reply(self, chat: _Chat, params: JsonDict) -> tuple[int | None, JsonDict | None]:
        reply = params.get("reply_parameters")
        allow_missing = bool(params.get("allow_sending_without_reply", False))
        target: Any = params.get("reply_to_message_id")
        if isinstance(reply, dict):
            target = reply.get("message_id")
            allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
            other = reply.get("chat_id")
            if other is not None and other != chat.info["id"]:
                raise bad_request("replying to messages in other chats is not emulated")
        if target is None:
            return None, None
        stored = chat.messages.get(target) if isinstance(target, int) else None
        if stored is None:
            if allow_missing:
                return None, None
            raise bad_request("message to be replied not found")
        return int(target), _without_reply(stored.payload)

    def _new_bot_message(
        self,
        chat: _Chat,
        fields: JsonDict,
        params: JsonDict,
        *,
        source: str | None,
        markup: JsonDict | None,
        file_id: str | None = None,
    ) -> JsonDict:
        reply_to, replied = self._reply(chat, params)
        with self._lock:
            message_id = chat.next_id
            chat.next_id += 1
            payload: JsonDict = {
                "message_id": message_id,
                "from": self._bot_user(),
                "chat": dict(chat.info),
                "date": int(time.time()),
            }
            if replied is not None:
                payload["reply_to_message"] = replied
            payload.update(fields)
            if markup and "inline_keyboard" in markup:
                payload["reply_markup"] = markup
            chat.messages[message_id] = _Stored(
                payload,
                from_bot=True,
                source=source,
                parse_mode=params.get("parse_mode"),
                markup=markup,
                reply_to=reply_to,
                file_id=file_id,
            )
            chat.bot_ids.append(message_id)
        return payload

    async def _send_message(self, params: JsonDict) -> JsonDict:
        if params.get("chat_id") in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        chat = self._chat_for_bot(params)
        text = params.get("text")
        visible, entities = self._parse(text, params.get("parse_mode"), "message text", TEXT_LIMIT)
        if not params.get("parse_mode") and isinstance(params.get("entities"), list):
            entities = params["entities"]
        markup = _check_markup(params.get("reply_markup"))
        fields: JsonDict = {"text": visible}
        if entities:
            fields["entities"] = entities
        if isinstance(params.get("link_preview_options"), dict):
            fields["link_preview_options"] = params["link_preview_options"]
        return self._new_bot_message(chat, fields, params, source=text, markup=markup)

    def _bot_message_to_edit(self, params: JsonDict) -> tuple[_Chat, _Stored]:
        if "inline_message_id" in params:
            raise bad_request("inline messages are not emulated")
        chat = self._chat_for_bot(params)
        message_id = params.get("message_id")
        stored = chat.messages.get(message_id) if isinstance(message_id, int) else None
        if stored is None:
            raise bad_request("message to edit not found")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        return chat, stored

    def _apply_edit(
        self, stored: _Stored, fields: JsonDict, markup: JsonDict | None, source: str | None
    ) -> JsonDict:
        old = stored.payload
        new = {k: v for k, v in old.items() if k not in ("reply_markup", *fields)}
        new.update({k: v for k, v in fields.items() if v})
        if markup and "inline_keyboard" in markup:
            new["reply_markup"] = markup
        unchanged = all(old.get(k) == new.get(k) for k in (*fields, "reply_markup"))
        if unchanged and (stored.markup or None) == (markup or None):
            raise bad_request(NOT_MODIFIED.removeprefix("Bad Request: "))
        new["edit_date"] = int(time.time())
        with self._lock:
            stored.payload = new
            stored.markup = markup
            stored.edited += 1
            if source is not None:
                stored.source = source
        return new

    async def _edit_message_text(self, params: JsonDict) -> JsonDict:
        _, stored = self._bot_message_to_edit(params)
        if "text" not in stored.payload:
            raise bad_request("there is no text in the message to edit")
        text = params.get("text")
        visible, entities = self._parse(text, params.get("parse_mode"), "message text", TEXT_LIMIT)
        if not params.get("parse_mode") and isinstance(params.get("entities"), list):
            entities = params["entities"]
        markup = _check_markup(params.get("reply_markup"))
        fields: JsonDict = {"text": visible, "entities": entities}
        result = self._apply_edit(stored, fields, markup, text)
        stored.parse_mode = params.get("parse_mode")
        return result

    async def _edit_message_caption(self, params: JsonDict) -> JsonDict:
        _, stored = self._bot_message_to_edit(params)
        if "text" in stored.payload:
            raise bad_request("there is no caption in the message to edit")
        caption = params.get("caption") or ""
        visible, entities = self._parse(caption, params.get("parse_mode"), "caption", CAPTION_LIMIT)
        markup = _check_markup(params.get("reply_markup"))
        fields: JsonDict = {"caption": visible, "caption_entities": entities}
        result = self._apply_edit(stored, fields, markup, caption)
        stored.parse_mode = params.get("parse_mode")
        return result

    async def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        _, stored = self._bot_message_to_edit(params)
        markup = _check_markup(params.get("reply_markup"))
        return self._apply_edit(stored, {}, markup, None)

    async def _delete_message(self, params: JsonDict) -> bool:
        chat = self._chat_for_bot(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise bad_request("message to delete not found")
        with self._lock:
            stored = chat.messages.pop(message_id, None)
            if stored is None:
                raise bad_request("message to delete not found")
            if stored.from_bot:
                chat.bot_ids.remove(message_id)
        return True

    async def _answer_callback_query(self, params: JsonDict) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        text = params.get("text")
        if isinstance(text, str) and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        with self._lock:
            if self._queries.get(query_id, True):
                raise bad_request(QUERY_INVALID.removeprefix("Bad Request: "))
            self._queries[query_id] = True
            self.callback_answers.append(dict(params))
        return True

    def _store_file(self, value: Any, kind: str) -> _File:
        with self._lock:
            if isinstance(value, UploadedFile):
                if not value.data:
                    raise bad_request("file must be non-empty")
                self._file_count += 1
                number = self._file_count
                width, height = _image_size(value.data)
                stored = _File(
                    file_id=f"{kind}-{number}",
                    unique_id=f"u{kind}-{number}",
                    data=value.data,
                    kind=kind,
                    name=value.filename,
                    mime_type=value.content_type,
                    width=width,
                    height=height,
                )
                self._files[stored.file_id] = stored
                return stored
            if isinstance(value, str) and value in self._files:
                return self._files[value]
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                self._file_count += 1
                number = self._file_count
                stored = _File(f"{kind}-{number}", f"u{kind}-{number}", b"", kind, name=value)
                self._files[stored.file_id] = stored
                return stored
        raise bad_request("wrong file identifier/HTTP URL specified")

    async def _send_media(self, params: JsonDict, kind: str) -> JsonDict:
        chat = self._chat_for_bot(params)
        caption = params.get("caption")
        fields: JsonDict = {}
        if caption is not None:
            visible, entities = self._parse(
                caption, params.get("parse_mode"), "caption", CAPTION_LIMIT
            )
            if visible:
                fields["caption"] = visible
            if entities:
                fields["caption_entities"] = entities
        markup = _check_markup(params.get("reply_markup"))
        stored = self._store_file(params.get(kind), kind)
        if kind == "photo":
            fields["photo"] = [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.unique_id,
                    "width": stored.width,
                    "height": stored.height,
                    "file_size": len(stored.data),
                }
            ]
        else:
            document: JsonDict = {
                "file_id": stored.file_id,
                "file_unique_id": stored.unique_id,
                "file_size": len(stored.data),
            }
            if stored.name:
                document["file_name"] = stored.name
            if stored.mime_type:
                document["mime_type"] = stored.mime_type
            fields["document"] = document
        return self._new_bot_message(
            chat, fields, params, source=caption, markup=markup, file_id=stored.file_id
        )

    async def _send_photo(self, params: JsonDict) -> JsonDict:
        return await self._send_media(params, "photo")

    async def _send_document(self, params: JsonDict) -> JsonDict:
        return await self._send_media(params, "document")

    async def _send_chat_action(self, params: JsonDict) -> bool:
        self._chat_for_bot(params)
        if not isinstance(params.get("action"), str):
            raise bad_request("wrong parameter action in request")
        return True

    async def _get_file(self, params: JsonDict) -> JsonDict:
        with self._lock:
            stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.unique_id,
            "file_size": len(stored.data),
            "file_path": f"{stored.kind}s/{stored.file_id}",
        }

    @staticmethod
    def _commands_key(params: JsonDict) -> str:
        scope = params.get("scope") or {"type": "default"}
        return _dumps([scope, params.get("language_code") or ""])

    async def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("command description must be 1-256 characters")
        with self._lock:
            self._commands[self._commands_key(params)] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        return True

    async def _get_my_commands(self, params: JsonDict) -> list[JsonDict]:
        with self._lock:
            return list(self._commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: JsonDict) -> bool:
        with self._lock:
            self._commands.pop(self._commands_key(params), None)
        return True

    # ---- control API (for other processes) -------------------------------------------------

    @staticmethod
    def _ok(result: Any, status: int = 200) -> web.Response:
        body = {"ok": status == 200, "result": result}
        return web.Response(text=_dumps(body), status=status, content_type="application/json")

    async def _control_body(self, request: web.Request) -> JsonDict:
        body = await request.json() if request.can_read_body else {}
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="a JSON object is expected")
        return body

    async def _control_send_text(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        allowed = {"chat_id", "user_id", "chat_type", "first_name", "reply_to", "entities"}
        options = {k: v for k, v in body.items() if k in allowed}
        try:
            return self._ok(self.send_text(str(body["text"]), **options))
        except AssertionError as exc:
            return self._ok(str(exc), status=400)

    async def _control_send_update(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        return self._ok(self.send_update(body.get("payload", body)))

    async def _control_send_object(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        options = {k: v for k, v in body.items() if k in ("user_id", "chat_type")}
        return self._ok(self.send_message_object(int(body["chat_id"]), body["fields"], **options))

    async def _control_edit_text(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        try:
            self.edit_text(int(body["chat_id"]), int(body["message_id"]), str(body["text"]))
        except AssertionError as exc:
            return self._ok(str(exc), status=400)
        return self._ok(True)

    async def _control_press(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        options = {k: v for k, v in body.items() if k in ("message_id", "user_id")}
        try:
            return self._ok(self.press(int(body["chat_id"]), str(body["label"]), **options))
        except AssertionError as exc:
            return self._ok(str(exc), status=400)

    async def _control_fail_next(self, request: web.Request) -> web.Response:
        body = await self._control_body(request)
        options = {k: int(v) for k, v in body.items() if k in ("times", "retry_after")}
        self.fail_next(str(body["method"]), **options)
        return self._ok(True)

    async def _control_messages(self, request: web.Request) -> web.Response:
        chat_id = int(request.query.get("chat_id", "1001"))
        return self._ok([asdict(m) for m in self.bot_messages(chat_id)])

    async def _control_calls(self, request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        return self._ok([asdict(c) for c in self.calls[since:]])

    async def _control_state(self, request: web.Request) -> web.Response:
        return self._ok(
            {
                "pending_updates": self.pending_updates(),
                "confirmed_offsets": list(self.confirmed_offsets),
                "calls": len(self.calls),
            }
        )


# --------------------------------------------------------------------------------------------
# Helpers


def _without_reply(payload: JsonDict) -> JsonDict:
    """A message as embedded in reply_to_message (Telegram does not nest replies further)."""
    return {k: v for k, v in payload.items() if k != "reply_to_message"}


def _inline_buttons(markup: JsonDict | None) -> list[JsonDict]:
    if not markup:
        return []
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list):
        return []
    return [b for row in rows if isinstance(row, list) for b in row if isinstance(b, dict)]


def _check_markup(markup: Any) -> JsonDict | None:
    """Validates a reply_markup the way Telegram does where it matters."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return markup
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: field "inline_keyboard" of '
            "the InlineKeyboardMarkup must be an Array of Arrays"
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise bad_request("can't parse inline keyboard button: Text must be a String")
            if not _BUTTON_ACTIONS & set(button):
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                if not isinstance(data, str) or not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                    raise bad_request("BUTTON_DATA_INVALID")
    return markup


_AUTO_ENTITY_RE = re.compile(
    r"(?<![\w/@])(?:(/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?)|(@[A-Za-z0-9_]{5,32}))(?![\w@/])"
)


def detect_entities(text: str) -> list[JsonDict]:
    """The bot_command and mention entities Telegram adds to a resident's text."""
    entities: list[JsonDict] = []
    for match in _AUTO_ENTITY_RE.finditer(text):
        kind = "bot_command" if match.group(1) else "mention"
        offset = utf16_len(text[: match.start()])
        entities.append({"offset": offset, "length": utf16_len(match.group()), "type": kind})
    return entities


def _snapshot(stored: _Stored) -> BotMessage:
    payload = stored.payload
    return BotMessage(
        message_id=int(payload["message_id"]),
        text=payload.get("text"),
        caption=payload.get("caption"),
        parse_mode=stored.parse_mode,
        reply_markup=copy.deepcopy(stored.markup),
        photo="photo" in payload,
        reply_to=stored.reply_to,
        edited=stored.edited,
        source=stored.source,
        entities=list(payload.get("entities") or payload.get("caption_entities") or []),
        document="document" in payload,
        date=int(payload.get("date", 0)),
    )


def main(argv: list[str] | None = None) -> int:
    """Serves until SIGINT/SIGTERM, after printing `READY <port>`."""
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--bot-username", default="sunshine_test_bot")
    args = parser.parse_args(argv)
    api = FakeBotApi(args.token, host=args.host, port=args.port, bot_username=args.bot_username)
    done = threading.Event()

    def finish(signum: int, frame: Any) -> None:
        done.set()

    signal.signal(signal.SIGINT, finish)
    signal.signal(signal.SIGTERM, finish)
    api.start()
    print(f"READY {api.port}", flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        api.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
