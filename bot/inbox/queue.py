"""No message lost: updates are committed before Telegram is told they arrived.

(Webhook mode, `bot.webhook`: `DurableUpdateQueue.deliver` commits an update before
the webhook answers 200; the rest below holds for both modes.)

python-telegram-bot's polling loop confirms a batch to Telegram (by asking for
the next offset) once every update of the batch has been *put* on the update
queue — before any handler has run. `DurableUpdateQueue.put` commits the raw
update to the database first, so by the time the offset moves on, the update
is safe; `InboxApplication.process_update` marks it done after the handlers
ran, and `replay` feeds the ones not done back in at start-up. A crash can
make the bot answer a question twice, never not at all.

The order "put awaited, then offset advanced" is PTB's (22.8, pinned);
`tests/test_bot_inbox.py` guards it against the fake Bot API server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import Engine
from telegram import Update
from telegram.ext import Application, BaseUpdateProcessor

from bot.inbox import claims
from bot.inbox import store as inbox
from handlers.services import decision
from knowledge.privacy import mask

log = logging.getLogger("sunshine.updates")


class DurableUpdateQueue(asyncio.Queue[object]):
    """An update queue whose `put` commits each new update before queuing it.

    With replicas (`claiming`: webhook mode on a shared database) a delivered update is
    only committed here; `claim` takes work from the table — what this replica may
    handle now (bot/inbox/claims.py) — so each update is handled once, a chat's in order.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.claiming = False
        self.replica = ""
        self.wake = asyncio.Event()
        # Webhook deliveries waiting for their commit, and the task committing them.
        self._arrived: list[tuple[Update, dict[str, Any], asyncio.Future[bool]]] = []
        self._committing: asyncio.Task[None] | None = None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-commit")

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and not inbox.store(
            self.engine, item.update_id, item.to_dict()
        ):
            # Stored before: either handled already or queued by `replay`.
            log.debug("update %d delivered again; not queued twice", item.update_id)
            return
        await super().put(item)

    async def deliver(self, update: Update, payload: dict[str, Any]) -> bool:
        """Commit a webhook's update, then queue it; False when it was stored before.

        Telegram is answered only after this returns, so only after the commit. Up to
        `max_connections` deliveries arrive at once, and a transaction each would make
        the database the queue: deliveries that arrive while a commit runs wait for the
        next one and are committed together (group commit, `_commit_deliveries`). The
        commits run in a thread of their own, not the default executor, where they would
        wait behind the handlers' work (charts, matching) while the web server, sharing
        this event loop, holds Telegram's connections open. A database error propagates
        to every delivery of the batch: the webhook answers 500, Telegram delivers again.
        """
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._arrived.append((update, payload, done))
        if self._committing is None or self._committing.done():
            self._committing = asyncio.create_task(self._commit_deliveries())
        # Shielded: a delivery given up on (a closed connection) stays in its batch.
        return await asyncio.shield(done)

    async def _commit_deliveries(self) -> None:
        """Commit what has arrived, batch after batch, until nothing waits.

        The first delivery is committed at once; those that arrive meanwhile make the
        next batch, so a batch is as large as the load makes it and a lone delivery
        waits for no timer. Stored updates are queued here, before any 200 is sent, so
        a chat's order is the order of its deliveries (Telegram sends a chat's next
        update only after the 200 of the previous one).
        """
        loop = asyncio.get_running_loop()
        while self._arrived:
            await asyncio.sleep(0)  # deliveries parsed in this turn of the loop join in
            batch, self._arrived = self._arrived, []
            items = [(update.update_id, payload) for update, payload, _ in batch]
            try:
                stored = await loop.run_in_executor(
                    self._writer, inbox.store_many, self.engine, items
                )
            except Exception as exc:
                for _, _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            for (update, _, done), new in zip(batch, stored, strict=True):
                if not new:
                    log.debug("update %d delivered again; not queued twice", update.update_id)
                elif not self.claiming:
                    self.put_nowait(update)  # unbounded: never blocks
                if not done.done():
                    done.set_result(new)
            if self.claiming and any(stored):
                self.wake.set()  # claimed from the table, here or by another replica

    async def claim(self, bot: Any, *, idle_seconds: float = 0.25) -> None:
        """Queue what this replica may handle, as long as it runs (cancelled at shutdown).

        Woken at once by a delivery here; otherwise it looks every `idle_seconds`, for
        updates delivered to other replicas that became claimable (a chat's previous
        update done there) or were left by a replica that died.
        """
        swept = time.monotonic()
        while True:
            self.wake.clear()
            found = await asyncio.to_thread(claims.claim, self.engine, self.replica)
            if not found:
                if time.monotonic() - swept > claims.SWEEP_SECONDS:
                    # A replica of this host that died gives its claims back at once.
                    swept = time.monotonic()
                    await asyncio.to_thread(claims.release_dead, self.engine)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), timeout=idle_seconds)
                continue
            for update_id, payload in found:
                update = Update.de_json(payload, bot)
                if update is None:
                    await asyncio.to_thread(inbox.mark_done, self.engine, update_id)
                    continue
                await super().put(update)

    async def requeue(self, update: Update) -> None:
        """Queue a stored update again without storing it (used by `replay`)."""
        await super().put(update)


async def replay(application: Application[Any, Any, Any, Any, Any, Any], engine: Engine) -> int:
    """Queue every stored update whose handlers did not finish; returns how many."""
    queue = application.update_queue
    assert isinstance(queue, DurableUpdateQueue)
    if queue.claiming:
        # Replicas: unfinished updates are claimed from the table like new ones; what a
        # dead process of this host held is released now rather than after its claim ends.
        released = await asyncio.to_thread(claims.release_dead, engine)
        if released:
            log.warning("taking back %d update(s) left unfinished by the last run", released)
        return released
    count = 0
    for update_id, payload in inbox.pending(engine):
        update = Update.de_json(payload, application.bot)
        if update is None:
            inbox.mark_done(engine, update_id)
            continue
        await queue.requeue(update)
        count += 1
    if count:
        log.warning("replaying %d update(s) left unfinished by the last run", count)
    return count


DONE_FLUSH_SECONDS = 0.02


class InboxApplication(Application):  # type: ignore[type-arg]
    """An Application that marks each stored update done and logs one line for it.

    Done marks are written in small batches (every 20 ms): under load that saves
    a transaction per update, and a crash in between costs at most a repeated
    answer for the last few updates, never a lost one.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._done: list[int] = []
        self._flush: asyncio.Task[None] | None = None

    def _mark_done(self, engine: Engine, update_id: int) -> None:
        self._done.append(update_id)
        if self._flush is None or self._flush.done():
            self._flush = asyncio.get_running_loop().create_task(self._flush_done(engine))

    async def _flush_done(self, engine: Engine) -> None:
        await asyncio.sleep(DONE_FLUSH_SECONDS)
        batch, self._done = self._done, []
        try:
            inbox.mark_done(engine, *batch)
        except Exception:  # not marked: replayed after a restart, answered twice at worst
            log.exception("could not mark %d update(s) done", len(batch))
        queue = self.update_queue
        if isinstance(queue, DurableUpdateQueue) and queue.claiming:
            queue.wake.set()  # those chats' next updates may be claimed now

    async def flush_done(self) -> None:
        """Write pending done marks now (at shutdown)."""
        if self._flush is not None and not self._flush.done():
            self._flush.cancel()
        queue = self.update_queue
        if isinstance(queue, DurableUpdateQueue) and self._done:
            batch, self._done = self._done, []
            inbox.mark_done(queue.engine, *batch)

    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        queue = self.update_queue
        started = time.perf_counter()
        fields: dict[str, object] = {}
        token = decision.set(fields)
        try:
            await super().process_update(update)
        finally:
            decision.reset(token)
            if isinstance(queue, DurableUpdateQueue):
                self._mark_done(queue.engine, update.update_id)
            elapsed = (time.perf_counter() - started) * 1000
            log.info("update %d %s %.1f ms", update.update_id, describe(update, fields), elapsed)


def describe(update: Update, fields: dict[str, object]) -> str:
    """The decision of one update as key=value pairs; typed text is masked and shortened."""
    parts = [f"{k}={v}" for k, v in fields.items() if v is not None]
    message = update.effective_message
    if message is not None and message.text:
        parts.append(f"text={mask(message.text[:40])!r}")
    return " ".join(parts) or "unhandled"


class PerChatProcessor(BaseUpdateProcessor):
    """Different chats are handled concurrently; one chat's updates in arrival order.

    A resident's button press and their next question must not overtake each
    other, but one slow resident must not hold up the rest.
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _chat_key(update)
        if key is None:
            await coroutine
            return
        async with self.hold(key):
            await coroutine

    @contextlib.asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        """Hold one chat's updates back meanwhile (the outbox sender, while it records a
        prompt it sent there, so the answer to it cannot be handled before the record)."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._waiting[chat_id] = self._waiting.get(chat_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[chat_id] -= 1
            if not self._waiting[chat_id]:
                del self._waiting[chat_id]
                del self._locks[chat_id]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


def _chat_key(update: object) -> int | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user else None
