"""The fake server itself: lifecycle, HTTP routing, observing what the bot did."""

from __future__ import annotations

import asyncio
import copy
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from types import TracebackType

from aiohttp import ClientPayloadError, web

from tests.fakes.telegram.methods import BotApiMethods
from tests.fakes.telegram.records import (
    ApiError,
    BotMessage,
    Call,
    Handler,
    JsonDict,
    UploadedFile,
    decode_value,
    dumps,
    inline_buttons,
    snapshot,
)
from tests.fakes.telegram.residents import ResidentActions
from tests.fakes.telegram.webhook import WebhookDelivery


class FakeBotApi(ResidentActions, WebhookDelivery, BotApiMethods):
    """A fake Bot API server on 127.0.0.1, run in a background thread."""

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "sunshine_test_bot",
    ) -> None:
        super().__init__(token, host=host, port=port, bot_username=bot_username)
        self._init_webhook()
        self._methods: dict[str, tuple[str, Handler]] = {}
        for name, handler in (
            ("getMe", self._get_me),
            ("logOut", self._true),
            ("close", self._true),
            ("deleteWebhook", self._delete_webhook),
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
        await self._stop_delivering()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ---- observing the bot -----------------------------------------------------------------

    def bot_messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in a chat, in send order, with edits applied."""
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None:
                return []
            return [snapshot(chat.messages[mid]) for mid in chat.bot_ids]

    def last_bot_message(self, chat_id: int) -> BotMessage:
        with self._lock:
            chat = self._chats.get(chat_id)
            if chat is None or not chat.bot_ids:
                raise AssertionError(f"the bot sent nothing to chat {chat_id}")
            return snapshot(chat.messages[chat.bot_ids[-1]])

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
            return [str(b.get("text", "")) for b in inline_buttons(stored.markup)]

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

    def fail_next(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls of `method` get HTTP 429 with retry_after."""
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        with self._lock:
            self._failures.setdefault(name, deque()).extend([retry_after] * times)

    def clear_failures(self) -> None:
        """Forget the failures `fail_next` queued and no call has met yet."""
        with self._lock:
            self._failures.clear()

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
            params = dumps(call.params)
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
        return {key: decode_value(key, value) for key, value in raw.items()}

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
        return web.Response(text=dumps(body), status=status, content_type="application/json")

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
