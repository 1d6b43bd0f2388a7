"""Webhook delivery the way Telegram does it, for the bot's webhook mode.

After `setWebhook(url, secret_token, ...)` every queued update is POSTed as JSON
to the URL with the `X-Telegram-Bot-Api-Secret-Token` header, and is forgotten
only when the answer is 2xx; any other answer, a refused connection or a timeout
is retried with a growing pause. Up to `max_connections` deliveries run at once,
but one chat's updates go one at a time, in order (the Bot API server keeps a
queue per chat), so a bot that answers each delivery only after queuing it keeps
each chat's order. `getUpdates` is refused with 409 while a webhook is set.

Differences from Telegram, on purpose: http URLs on any port are accepted (the
bot listens on 127.0.0.1), and pauses between retries are short (tests wait for
them). `duplicate_deliveries` makes the server deliver every update twice, as
Telegram does when an answer is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass
from typing import Literal

import aiohttp

from tests.fakes.telegram.records import JsonDict, bad_request, dumps
from tests.fakes.telegram.state import ServerState

SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class Delivery:
    """One POST of an update to the webhook; status 0: no connection, or no answer in time."""

    update_id: int
    status: int
    at: float


class WebhookDelivery(ServerState):
    """setWebhook, deleteWebhook, getWebhookInfo and the deliveries they start and stop."""

    # "after": each update is POSTed again once the first delivery was answered 2xx;
    # "together": two POSTs of each update at the same moment.
    duplicate_deliveries: Literal["after", "together"] | None = None
    retry_first_pause = 0.05
    retry_longest_pause = 1.0
    delivery_timeout = 15.0

    def _init_webhook(self) -> None:
        self.deliveries: list[Delivery] = []
        self.most_deliveries_at_once = 0
        self._secret: str | None = None
        self._max_connections = 40
        self._allowed: set[str] | None = None
        self._last_error: tuple[int, str] | None = None
        self._dispatcher: asyncio.Task[None] | None = None
        self._delivering: dict[int, asyncio.Task[None]] = {}  # update_id -> its delivery
        self._busy_chats: set[int] = set()
        self._session: aiohttp.ClientSession | None = None

    # ---- the Bot API methods ------------------------------------------------------------------

    async def _set_webhook(self, params: JsonDict) -> bool:
        url = params.get("url")
        if not isinstance(url, str):
            raise bad_request("bad webhook: url is empty")
        if url == "":
            await self._delete_webhook(params)
            return True
        if not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: unsupported URL protocol")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        connections = params.get("max_connections", 40)
        if not isinstance(connections, int) or not 1 <= connections <= 100:
            raise bad_request("bad webhook: invalid max_connections")
        allowed = params.get("allowed_updates")
        await self._stop_delivering()
        with self._lock:
            if params.get("drop_pending_updates") is True:
                self._updates.clear()
            self.webhook_url = url
            self._secret = secret
            self._max_connections = connections
            if isinstance(allowed, list):  # Telegram keeps the last list when none is given
                self._allowed = {str(kind) for kind in allowed} or None
        self._dispatcher = asyncio.get_running_loop().create_task(self._dispatch())
        return True

    async def _delete_webhook(self, params: JsonDict) -> bool:
        await self._stop_delivering()
        with self._lock:
            self.webhook_url = ""
            self._secret = None
            if params.get("drop_pending_updates") is True:
                self._updates.clear()
        return True

    async def _get_webhook_info(self, params: JsonDict) -> JsonDict:
        info: JsonDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": self.pending_updates(),
        }
        if self.webhook_url:
            info["max_connections"] = self._max_connections
            if self._allowed is not None:
                info["allowed_updates"] = sorted(self._allowed)
        if self._last_error is not None:
            info["last_error_date"], info["last_error_message"] = self._last_error
        return info

    # ---- delivering -------------------------------------------------------------------------

    async def _dispatch(self) -> None:
        """Start a delivery for every update whose chat is free, while slots are free."""
        while not self._closing:
            event = self._new_update
            self._start_deliveries()
            if event is None:
                return
            await event.wait()

    def _start_deliveries(self) -> None:
        """Start deliveries from the oldest update on, for chats with none in flight.

        The scan ends as soon as every connection is busy: with a thousand updates
        waiting it looks at about one per chat, not at all of them at every wake.
        """
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._allowed is not None:  # Telegram never delivers unwanted kinds
                kinds = self._allowed
                if not all(any(k in u for k in kinds) for u in self._updates):
                    kept = [u for u in self._updates if any(k in u for k in kinds)]
                    self._updates.clear()
                    self._updates.extend(kept)
            waiting: set[int] = set()  # chats with an earlier update not yet delivered
            for update in self._updates:
                if len(self._delivering) >= self._max_connections:
                    break
                update_id = int(update["update_id"])
                if update_id in self._delivering:
                    continue
                chat = _chat_of(update)
                if chat in self._busy_chats or chat in waiting:
                    waiting.add(chat)
                    continue
                self._busy_chats.add(chat)
                self._delivering[update_id] = loop.create_task(self._deliver(update, chat))
            self.most_deliveries_at_once = max(self.most_deliveries_at_once, len(self._delivering))

    async def _deliver(self, update: JsonDict, chat: int) -> None:
        update_id = int(update["update_id"])
        pause = self.retry_first_pause
        delivered = False
        try:
            while not self._closing:
                if self.duplicate_deliveries == "together":
                    statuses = list(await asyncio.gather(self._post(update), self._post(update)))
                else:
                    statuses = [await self._post(update)]
                if any(200 <= s < 300 for s in statuses):
                    if self.duplicate_deliveries == "after":
                        await self._post(update)
                    delivered = True
                    return
                await asyncio.sleep(pause)
                pause = min(pause * 2, self.retry_longest_pause)
        finally:
            with self._lock:
                self._delivering.pop(update_id, None)
                self._busy_chats.discard(chat)
                if delivered:
                    with contextlib.suppress(ValueError):  # near the front: found at once
                        self._updates.remove(update)
            self._wake()

    async def _post(self, update: JsonDict) -> int:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {"Content-Type": "application/json"}
        if self._secret is not None:
            headers[SECRET_HEADER] = self._secret
        try:
            async with self._session.post(
                self.webhook_url,
                data=dumps(update).encode(),
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.delivery_timeout),
            ) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            status = 0
            self._last_error = (int(time.time()), f"Connection failed: {exc!r}")
        else:
            if not 200 <= status < 300:
                self._last_error = (int(time.time()), f"Wrong response from the webhook: {status}")
        self.deliveries.append(Delivery(int(update["update_id"]), status, time.monotonic()))
        return status

    async def _stop_delivering(self) -> None:
        """Cancel the dispatcher and the deliveries (runs on the server loop)."""
        tasks = [t for t in (self._dispatcher, *self._delivering.values()) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._dispatcher = None
        with self._lock:
            self._delivering.clear()
            self._busy_chats.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None

    # ---- for the tests ------------------------------------------------------------------------

    def statuses(self, update_id: int) -> list[int]:
        """The answers the webhook gave to each delivery of an update, in order."""
        return [d.status for d in list(self.deliveries) if d.update_id == update_id]


def _chat_of(update: JsonDict) -> int:
    """The chat whose updates go one at a time (the sender's id when there is no chat)."""
    for kind in ("message", "edited_message", "channel_post", "callback_query"):
        item = update.get(kind)
        if isinstance(item, dict):
            message = item.get("message") if kind == "callback_query" else item
            if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                return int(message["chat"]["id"])
            sender = item.get("from")
            if isinstance(sender, dict):
                return int(sender["id"])
    return 0
