"""The bot's two background loops: the outbox sender and the deadline watcher.

The sender delivers what the domain queued in the outbox: at least once,
retried after 429s and network errors, paced to 20 messages a minute in a group
(Telegram's limit), with the notices of a busy group merged into one digest.
Every message is rendered here and only here — escaped, and split between
paragraphs to fit Telegram's 4096 characters — so an officer's `<` or `&` can
never make Telegram refuse a message. The deadline watcher queues reminders,
督办 notices and 回访 tasks as they fall due. Each runs in one replica at a time, under a
lease in the database (`only_here`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import ForceReply, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from handlers.keyboards import of_domain
from handlers.render import mention_link, text_html
from handlers.services import Services
from knowledge.complaints import deadlines, delivery, outbox
from knowledge.complaints.outbox import Outgoing, Queued
from knowledge.complaints.vocabulary import DIGESTIBLE
from knowledge.complaints.vocabulary import Message as Kind
from knowledge.db import lease
from knowledge.texts import staff

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
GROUP_PER_MINUTE = 20
NOT_MODIFIED = "not modified"


class GroupPace:
    """A sliding one-minute window of what was posted to each group."""

    def __init__(self, per_minute: int = GROUP_PER_MINUTE) -> None:
        self.per_minute = per_minute
        self.sent: dict[int, deque[float]] = defaultdict(deque)

    def room(self, chat_id: int, now: float) -> int:
        if chat_id > 0:
            return 1_000_000  # private chats: Telegram's own pace is ample
        window = self.sent[chat_id]
        while window and now - window[0] >= 60:
            window.popleft()
        return self.per_minute - len(window)

    def full(self, now: float) -> set[int]:
        """Groups that have used up this minute's allowance."""
        return {chat for chat in list(self.sent) if self.room(chat, now) <= 0}

    def used(self, chat_id: int, now: float) -> None:
        if chat_id < 0:
            self.sent[chat_id].append(now)


def _seconds(exc: RetryAfter) -> float:
    delay = exc.retry_after
    return delay if isinstance(delay, int | float) else delay.total_seconds()


def pages_of(batch: list[Queued]) -> list[str]:
    """The batch as HTML pages: one message, or a digest of several, split between paragraphs."""
    first = batch[0].message
    if len(batch) == 1:
        pages = text_html(first.text)
    else:
        rows = "\n\n".join(staff.DIGEST_ROW.format(text=q.message.text) for q in batch)
        pages = text_html(rows, heading=staff.DIGEST_HEADING)
    if first.mention is not None:
        pages = mention_link(pages, first.mention.user_id, first.mention.words)
    return pages


def batches(queued: list[Queued], room: int) -> list[list[Queued]]:
    """What to send to one chat now: one by one, or, when the minute's allowance would run
    low, all waiting notices as one digest (cards and tasks with buttons stay one by one)."""
    if len(queued) > 1 and len(queued) > room // 2:
        notices = [
            q
            for q in queued
            if q.message.kind in DIGESTIBLE
            and not q.message.buttons
            and q.message.edit_message_id is None
            and q.message.place is None
        ]
        others = [[q] for q in queued if q not in notices]
        return ([notices] if notices else []) + others
    return [[q] for q in queued]


class Sender:
    """Sends the outbox; one per application, woken whenever something is queued."""

    def __init__(self, application: AnyApplication) -> None:
        self.application = application
        self.svc: Services = application.bot_data["services"]
        self.pace = GroupPace()

    async def run(self) -> None:
        """Run for as long as the bot runs: send what is due whenever woken, or every second."""
        wake = self.svc.outbox_wake
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=1.0)
            wake.clear()
            try:
                await self.round()
            except Exception:  # the sender must outlive any single failure
                log.exception("outbox round failed; trying again")

    async def round(self) -> None:
        engine = self.svc.engine
        waiting = self.pace.full(time.monotonic())
        due = await asyncio.to_thread(outbox.due, engine, skip_chats=waiting)
        stale = outbox.superseded(due)
        if stale:
            await asyncio.to_thread(outbox.sent, engine, [q.id for q in stale], None)
        by_chat: dict[int, list[Queued]] = defaultdict(list)
        for q in due:
            if q not in stale:
                by_chat[q.message.chat_id].append(q)
        results = await asyncio.gather(
            *(self._chat(chat_id, queued) for chat_id, queued in by_chat.items()),
            return_exceptions=True,
        )
        for failure in (r for r in results if isinstance(r, BaseException)):
            log.error("outbox: sending to one chat failed", exc_info=failure)

    async def _chat(self, chat_id: int, queued: list[Queued]) -> None:
        """One chat's messages, in order; different chats are sent concurrently, so one
        resident's next intake question never waits behind another chat's round trip."""
        room = self.pace.room(chat_id, time.monotonic())
        for batch in batches(queued, room)[: max(room, 0)]:
            await self.send(batch)
            self.pace.used(chat_id, time.monotonic())

    async def _send(self, batch: list[Queued]) -> None:
        first = batch[0].message
        ids = [q.id for q in batch]
        engine = self.svc.engine
        try:
            if first.place is not None or first.edit_message_id is not None:
                message_id = await self._edit(batch[0])
            else:
                message_id = await self._post(first, pages_of(batch))
        except RetryAfter as exc:
            after = dt.timedelta(seconds=_seconds(exc))
            await asyncio.to_thread(outbox.retry, engine, ids, after=after, error=str(exc))
            return
        except (Forbidden, BadRequest) as exc:
            await self._refused(batch, exc)
            return
        except TelegramError as exc:  # network trouble: back off and try again
            backoff = dt.timedelta(seconds=min(300, 2 ** min(batch[0].attempts, 8)))
            await asyncio.to_thread(outbox.retry, engine, ids, after=backoff, error=str(exc))
            return
        if message_id is not False:
            await asyncio.to_thread(outbox.sent, engine, ids, message_id or None)

    async def send(self, batch: list[Queued]) -> None:
        """Send a batch; a prompt is sent and recorded while its chat's updates wait, so the
        officer's answer to it is never handled before the record of what it answers."""
        if batch[0].message.kind is Kind.PROMPT:
            async with self.svc.hold_chat(batch[0].message.chat_id):
                await self._send(batch)
        else:
            await self._send(batch)

    async def _post(self, out: Outgoing, pages: list[str]) -> int:
        """Send the pages in order; the buttons (or a forced reply) go under the last one."""
        bot = self.application.bot
        markup = ForceReply(selective=True) if out.force_reply else of_domain(out.buttons)
        sent: Message | None = None
        for i, page in enumerate(pages):
            reply = None
            if out.reply_to is not None and i == 0:
                reply = ReplyParameters(out.reply_to, allow_sending_without_reply=True)
            sent = await bot.send_message(
                out.chat_id,
                page,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if i == len(pages) - 1 else None,
                reply_parameters=reply,
            )
        assert sent is not None
        return sent.message_id

    async def _edit(self, queued: Queued) -> int | bool:
        """Edit a card or a pressed message in place; False while its message is not sent yet."""
        out = queued.message
        engine = self.svc.engine
        target, waiting = await asyncio.to_thread(outbox.edit_target, engine, queued)
        if target is None and waiting:
            after = dt.timedelta(seconds=1)
            await asyncio.to_thread(outbox.retry, engine, [queued.id], after=after, error="waiting")
            return False
        if target is None:
            return 0  # the message it edits was never sent: nothing to do
        bot = self.application.bot
        markup = of_domain(out.buttons)
        try:
            if out.text:
                await bot.edit_message_text(
                    text_html(out.text)[0],
                    chat_id=out.chat_id,
                    message_id=target,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                )
            else:
                await bot.edit_message_reply_markup(out.chat_id, target, reply_markup=markup)
        except BadRequest as exc:
            if NOT_MODIFIED not in str(exc).lower():
                raise
        return target

    async def _refused(self, batch: list[Queued], exc: TelegramError) -> None:
        blocked = isinstance(exc, Forbidden)
        verdict = await asyncio.to_thread(
            delivery.refused,
            self.svc.engine,
            batch,
            str(exc),
            blocked=blocked,
            bureau=self.svc.bureau,
        )
        ids = [q.id for q in batch]
        if verdict is delivery.Refusal.GROUP_LOST:
            log.error(
                "the bot cannot post to the officers' group %s: %s", batch[0].message.chat_id, exc
            )
        elif verdict is delivery.Refusal.UNREACHABLE:
            log.warning("resident unreachable (%s): phone follow-up queued", exc)
            self.svc.outbox_wake.set()
        elif verdict is delivery.Refusal.REDIRECTED:
            self.svc.outbox_wake.set()
        else:
            log.error("outbox message %s refused: %s", ids, exc)


async def only_here(
    svc: Services, name: str, work: Callable[[], Coroutine[Any, Any, None]]
) -> None:
    """Run `work` while this replica holds the database lease `name`; wait for it otherwise.

    The lease is renewed every `lease.RENEW_EVERY` seconds; a renewal that fails (another
    replica took over, the database is unreachable) stops the work at once, and it starts
    again here if the lease comes back. With one process this costs a small UPDATE every
    two seconds; with several, exactly one sends and one watches deadlines.
    """
    held: lease.Held | None = None
    task: asyncio.Task[None] | None = None
    try:
        while True:
            try:
                held = await asyncio.to_thread(lease.acquire, svc.engine, name, svc.replica)
            except Exception:
                log.exception("lease %s could not be renewed", name)
                held = None
            if held is not None and task is None:
                log.info("this replica now runs %s", name)
                task = asyncio.create_task(work())
            elif held is None and task is not None:
                log.warning("lease %s lost: %s stops here", name, name)
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
                task = None
            await asyncio.sleep(lease.RENEW_EVERY)
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        if held is not None:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(lease.release, svc.engine, held)


async def send_outbox(application: AnyApplication) -> None:
    svc: Services = application.bot_data["services"]
    await only_here(svc, "outbox-sender", Sender(application).run)


async def watch_deadlines(application: AnyApplication) -> None:
    svc: Services = application.bot_data["services"]
    await only_here(svc, "deadline-watcher", lambda: _watch_deadlines(svc))


async def _watch_deadlines(svc: Services) -> None:
    """Queue due reminders, 督办 notices and 回访 tasks every scan interval, or when woken."""
    while True:
        try:
            queued = await asyncio.to_thread(deadlines.queue_due, svc.engine, svc.bureau)
            if queued:
                log.info("%d deadline notice(s) queued", queued)
                svc.outbox_wake.set()
        except Exception:  # the watcher must outlive any single failure
            log.exception("deadline notices not queued; trying again later")
        svc.deadline_scans += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(svc.deadline_wake.wait(), timeout=svc.deadline_scan_seconds)
        svc.deadline_wake.clear()
