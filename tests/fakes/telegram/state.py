"""The state every part of the fake server shares, and the helpers all parts use."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import deque
from collections.abc import Callable

from aiohttp import web

from tests.fakes.telegram.records import BOT_FIRST_NAME, Call, Chat, File, JsonDict


class ServerState:
    """Chats, queued updates, files and failures, guarded by one lock."""

    def __init__(self, token: str, *, host: str, port: int, bot_username: str) -> None:
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
        # Set by setWebhook: updates are POSTed there and getUpdates is refused (webhook.py).
        self.webhook_url = ""
        self._lock = threading.RLock()
        self._updates: deque[JsonDict] = deque()
        self._next_update_id = 1
        self._chats: dict[int, Chat] = {}
        self._files: dict[str, File] = {}
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

    def _chat(self, chat_id: int, chat_type: str | None = None, first_name: str = "居民") -> Chat:
        with self._lock:
            return self._chat_locked(chat_id, chat_type, first_name)

    def _chat_locked(self, chat_id: int, chat_type: str | None, first_name: str) -> Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            kind = chat_type or ("private" if chat_id > 0 else "group")
            info: JsonDict = {"id": chat_id, "type": kind}
            if kind == "private":
                info["first_name"] = first_name
            else:
                info["title"] = f"测试群 {chat_id}"
            chat = Chat(info)
            self._chats[chat_id] = chat
        return chat

    def _user(self, user_id: int, first_name: str) -> JsonDict:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": "zh-hans",
        }

    def _bot_user(self) -> JsonDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": self.bot_username,
        }

    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        with self._lock:
            return len(self._updates)
