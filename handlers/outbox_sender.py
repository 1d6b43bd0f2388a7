"""Sending the outbox: at least once, retried, paced, with a digest for busy groups.

Telegram lets a bot post about 20 messages a minute into one group; when the
officers' group has more notices waiting than that allows, they go out as one
digest. A resident who blocked the bot (403) is marked unreachable and the
hotline officers get a phone follow-up task instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import defaultdict, deque
from typing import Any

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from handlers.services import Services
from knowledge import texts
from knowledge.complaints import outbox
from knowledge.complaints import store as cs
from knowledge.complaints.lifecycle import State
from knowledge.db.models import OutboxMessage

log = logging.getLogger(__name__)

GROUP_PER_MINUTE = 20
DIGESTIBLE = frozenset({"notice", "reminder"})


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


def _retry_seconds(exc: RetryAfter) -> float:
    delay = exc.retry_after
    return delay if isinstance(delay, int | float) else delay.total_seconds()


async def send_outbox(
    application: Application[Any, Any, Any, Any, Any, Any], wake: asyncio.Event
) -> None:
    """Run for as long as the bot runs: send what is due whenever woken, or every second."""
    svc: Services = application.bot_data["services"]
    pace = GroupPace()
    while True:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=1.0)
        wake.clear()
        try:
            waiting = pace.full(time.monotonic())
            rows = await asyncio.to_thread(outbox.due, svc.engine, skip_chats=waiting)
            by_chat: dict[int, list[OutboxMessage]] = defaultdict(list)
            for row in rows:
                by_chat[row.chat_id].append(row)
            for chat_id, queued in by_chat.items():
                await _send_chat(application, svc, pace, chat_id, queued)
        except Exception:  # the sender must outlive any single failure
            log.exception("outbox round failed; trying again")


async def _send_chat(
    application: Application[Any, Any, Any, Any, Any, Any],
    svc: Services,
    pace: GroupPace,
    chat_id: int,
    queued: list[OutboxMessage],
) -> None:
    room = pace.room(chat_id, time.monotonic())
    if room <= 0:
        return
    batches: list[list[OutboxMessage]] = [[row] for row in queued]
    if len(queued) > 1 and len(queued) > room // 2:
        # Busy group (the minute's allowance would run low): all waiting notices in one
        # digest, cards one by one, keeping room for what comes next.
        notices = [r for r in queued if r.kind in DIGESTIBLE and not r.reply_markup]
        others = [[r] for r in queued if r not in notices]
        batches = ([notices] if notices else []) + others
    for batch in batches[: max(room, 0)]:
        await _send_batch(application, svc, chat_id, batch)
        pace.used(chat_id, time.monotonic())


async def _send_batch(
    application: Application[Any, Any, Any, Any, Any, Any],
    svc: Services,
    chat_id: int,
    batch: list[OutboxMessage],
) -> None:
    first = batch[0]
    if len(batch) == 1:
        text = first.text
    else:
        text = texts.DIGEST_HEADING + "\n" + "\n".join(f"• {row.text}" for row in batch)
    markup = (
        InlineKeyboardMarkup.de_json(first.reply_markup, application.bot)
        if first.reply_markup
        else None
    )
    ids = [row.id for row in batch if row.id is not None]
    try:
        message = await application.bot.send_message(
            chat_id, text[:4096], parse_mode=ParseMode.HTML, reply_markup=markup
        )
    except RetryAfter as exc:
        for row_id in ids:
            await asyncio.to_thread(
                outbox.retry,
                svc.engine,
                row_id,
                after=dt.timedelta(seconds=_retry_seconds(exc)),
                error=str(exc),
            )
        return
    except Forbidden as exc:
        for row in batch:
            assert row.id is not None
            await asyncio.to_thread(outbox.give_up, svc.engine, row.id, error=str(exc))
        if chat_id == svc.staff.officers_chat_id:
            log.error("the bot cannot post to the officers' group %s: %s", chat_id, exc)
        elif first.kind == "reminder":
            await _remind_in_group(svc, batch)  # the officer never opened a chat with the bot
        else:
            await _unreachable(svc, batch)
        return
    except BadRequest as exc:
        log.error("outbox message %s refused: %s", ids, exc)
        for row_id in ids:
            await asyncio.to_thread(outbox.give_up, svc.engine, row_id, error=str(exc))
        return
    except TelegramError as exc:  # network trouble: back off and try again
        for row in batch:
            assert row.id is not None
            backoff = dt.timedelta(seconds=min(300, 2 ** min(row.attempts, 8)))
            await asyncio.to_thread(outbox.retry, svc.engine, row.id, after=backoff, error=str(exc))
        return
    await asyncio.to_thread(outbox.sent, svc.engine, ids, message.message_id)
    if first.kind == "card" and first.ticket:
        await asyncio.to_thread(
            cs.annotate, svc.engine, first.ticket, officer_card_id=message.message_id
        )
    elif first.kind == "status" and first.ticket:
        await asyncio.to_thread(
            cs.annotate, svc.engine, first.ticket, status_message_id=message.message_id
        )


async def _remind_in_group(svc: Services, batch: list[OutboxMessage]) -> None:
    if svc.staff.officers_chat_id is None:
        return
    for row in batch:
        await asyncio.to_thread(
            outbox.post,
            svc.engine,
            svc.staff.officers_chat_id,
            row.text,
            kind="reminder",
            ticket=row.ticket,
            key=f"group:{row.key}" if row.key else None,
        )


async def _unreachable(svc: Services, batch: list[OutboxMessage]) -> None:
    """The resident blocked the bot: flag it and give the hotline a phone follow-up task.

    A reply awaiting the resident's rating becomes the deadline watcher's 回访 task
    (with the buttons to record the answers), so it is woken instead.
    """
    for ticket in {row.ticket for row in batch if row.ticket}:
        await asyncio.to_thread(cs.annotate, svc.engine, ticket, unreachable=True)
        complaint = await asyncio.to_thread(cs.get, svc.engine, ticket)
        if complaint.state == State.REPLIED:
            svc.deadline_wake.set()
        elif svc.staff.officers_chat_id is not None:
            await asyncio.to_thread(
                outbox.post,
                svc.engine,
                svc.staff.officers_chat_id,
                texts.PHONE_FOLLOW_UP.format(ticket=ticket),
                kind="notice",
                ticket=ticket,
                key=f"phone-follow-up:{ticket}",
            )
        log.warning("resident of %s unreachable: phone follow-up queued", ticket)
