"""The Bot API methods the bot calls, validated the way Telegram validates them."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Any

from tests.fakes.telegram.html import EntityError, parse_html, utf16_len
from tests.fakes.telegram.records import (
    CAPTION_LIMIT,
    COMMAND_RE,
    NOT_MODIFIED,
    QUERY_INVALID,
    TEXT_LIMIT,
    ApiError,
    Chat,
    File,
    JsonDict,
    Stored,
    UploadedFile,
    bad_request,
    check_markup,
    dumps,
    image_size,
    without_reply,
)
from tests.fakes.telegram.state import ServerState

CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


class BotApiMethods(ServerState):
    """Bot API methods; each takes the decoded parameters and returns the `result`."""

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

    async def _get_updates(self, params: JsonDict) -> list[JsonDict]:
        if self.webhook_url:  # as Telegram: one way of receiving updates at a time
            raise ApiError(409, CONFLICT)
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

    def _chat_for_bot(self, params: JsonDict) -> Chat:
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

    def _reply(self, chat: Chat, params: JsonDict) -> tuple[int | None, JsonDict | None]:
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
        return int(target), without_reply(stored.payload)

    def _new_bot_message(
        self,
        chat: Chat,
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
            chat.messages[message_id] = Stored(
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
        markup = check_markup(params.get("reply_markup"))
        fields: JsonDict = {"text": visible}
        if entities:
            fields["entities"] = entities
        if isinstance(params.get("link_preview_options"), dict):
            fields["link_preview_options"] = params["link_preview_options"]
        return self._new_bot_message(chat, fields, params, source=text, markup=markup)

    def _bot_message_to_edit(self, params: JsonDict) -> tuple[Chat, Stored]:
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
        self, stored: Stored, fields: JsonDict, markup: JsonDict | None, source: str | None
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
        markup = check_markup(params.get("reply_markup"))
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
        markup = check_markup(params.get("reply_markup"))
        fields: JsonDict = {"caption": visible, "caption_entities": entities}
        result = self._apply_edit(stored, fields, markup, caption)
        stored.parse_mode = params.get("parse_mode")
        return result

    async def _edit_message_reply_markup(self, params: JsonDict) -> JsonDict:
        _, stored = self._bot_message_to_edit(params)
        markup = check_markup(params.get("reply_markup"))
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

    def _store_file(self, value: Any, kind: str) -> File:
        with self._lock:
            if isinstance(value, UploadedFile):
                if not value.data:
                    raise bad_request("file must be non-empty")
                self._file_count += 1
                number = self._file_count
                width, height = image_size(value.data)
                stored = File(
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
                stored = File(f"{kind}-{number}", f"u{kind}-{number}", b"", kind, name=value)
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
        markup = check_markup(params.get("reply_markup"))
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
        return dumps([scope, params.get("language_code") or ""])

    async def _set_my_commands(self, params: JsonDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not COMMAND_RE.fullmatch(name):
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
