"""What the fake server records and holds: calls, messages, chats, files, errors."""

from __future__ import annotations

import copy
import json
import re
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

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
COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")


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
# What a chat holds


@dataclass
class Stored:
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
class Chat:
    info: JsonDict
    next_id: int = 1
    messages: dict[int, Stored] = field(default_factory=dict)
    bot_ids: list[int] = field(default_factory=list)


@dataclass
class File:
    file_id: str
    unique_id: str
    data: bytes
    kind: str
    name: str | None = None
    mime_type: str | None = None
    width: int = 640
    height: int = 480


Handler = Callable[[JsonDict], Awaitable[Any]]


def image_size(data: bytes) -> tuple[int, int]:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    return 640, 480


def decode_value(name: str, value: Any) -> Any:
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


def json_default(value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return {"filename": value.filename, "size": len(value.data)}
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=json_default)


# --------------------------------------------------------------------------------------------
# Helpers


def without_reply(payload: JsonDict) -> JsonDict:
    """A message as embedded in reply_to_message (Telegram does not nest replies further)."""
    return {k: v for k, v in payload.items() if k != "reply_to_message"}


def inline_buttons(markup: JsonDict | None) -> list[JsonDict]:
    if not markup:
        return []
    rows = markup.get("inline_keyboard")
    if not isinstance(rows, list):
        return []
    return [b for row in rows if isinstance(row, list) for b in row if isinstance(b, dict)]


def check_markup(markup: Any) -> JsonDict | None:
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


def snapshot(stored: Stored) -> BotMessage:
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
