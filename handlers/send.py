"""Sending to Telegram: HTML pages in order, and waiting out 429 answers.

Every handler module sends through here, so flood control is handled once.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram import Bot, ForceReply, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import RetryAfter
from telegram.ext import ContextTypes

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
T = TypeVar("T")
SEND_ATTEMPTS = 4


async def telegram_call(call: Callable[[], Awaitable[T]]) -> T:
    """Call the Bot API, waiting out 429 flood-control answers instead of failing."""
    for attempt in range(SEND_ATTEMPTS):
        try:
            return await call()
        except RetryAfter as exc:
            if attempt == SEND_ATTEMPTS - 1:
                raise
            delay = exc.retry_after
            seconds = delay if isinstance(delay, int | float) else delay.total_seconds()
            log.warning("Telegram asked to retry after %.1f s", seconds)
            await asyncio.sleep(seconds)
    raise AssertionError("unreachable")


async def send_html(
    bot: Bot,
    chat_id: int,
    pages: Sequence[str],
    markup: InlineKeyboardMarkup | ForceReply | None = None,
    *,
    reply_to: int | None = None,
) -> Message:
    """Send HTML pages in order; the buttons go under the last one."""
    sent: Message | None = None
    for i, page in enumerate(pages):
        last = i == len(pages) - 1
        params = (
            ReplyParameters(reply_to, allow_sending_without_reply=True)
            if reply_to is not None and i == 0
            else None
        )
        sent = await telegram_call(
            functools.partial(
                bot.send_message,
                chat_id,
                page,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if last else None,
                reply_parameters=params,
            )
        )
    assert sent is not None
    return sent
