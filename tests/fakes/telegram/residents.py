"""Acting as residents: messages, edits and button presses become updates for the bot."""

from __future__ import annotations

import copy
import time

from tests.fakes.telegram.html import detect_entities
from tests.fakes.telegram.records import Chat, JsonDict, Stored, inline_buttons, without_reply
from tests.fakes.telegram.state import ServerState


class ResidentActions(ServerState):
    """What a resident can do in Telegram, as updates queued for the bot's getUpdates."""

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
                message["reply_to_message"] = without_reply(replied.payload)
            message.update(fields)
            chat.messages[message_id] = Stored(message, from_bot=False, reply_to=reply_to)
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
        wait: float = 5.0,
    ) -> str:
        """Presses an inline button of a bot message; returns the callback query id.

        Like a browser test's click, it waits up to `wait` seconds for the button to
        appear: messages to different chats are sent concurrently, so a card's edit in
        the group may land just after the resident's notice about the same step."""
        deadline = time.monotonic() + wait
        while True:
            try:
                return self._press(chat_id, label, message_id=message_id, user_id=user_id)
            except AssertionError:
                if time.monotonic() >= deadline:
                    raise
            time.sleep(0.02)

    def _press(
        self, chat_id: int, label: str, *, message_id: int | None, user_id: int | None
    ) -> str:
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

    def press_data(self, chat_id: int, user_id: int, data: str, message_id: int) -> str:
        """A callback query with any data, as a tampering client or a button from before an
        upgrade sends it; returns its id."""
        with self._lock:
            self._query_count += 1
            query_id = f"raw-{self._query_count}"
            query: JsonDict = {
                "id": query_id,
                "from": self._user(user_id, "某人"),
                "chat_instance": "1",
                "data": data,
                "message": copy.deepcopy(self._chats[chat_id].messages[message_id].payload),
            }
        self._enqueue({"callback_query": query})
        return query_id

    def _find_button(self, chat: Chat, candidates: list[int], label: str) -> tuple[int, JsonDict]:
        keyboards = [(mid, inline_buttons(chat.messages[mid].markup)) for mid in candidates]
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
