"""Sending to Telegram: HTML pages in order, waiting out 429 answers, answering button presses.

Every handler module sends through here, so flood control is handled once.
"""

from __future__ import annotations

import asyncio
import functools
import html
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from telegram import (
    Bot,
    CallbackQuery,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, RetryAfter, TelegramError
from telegram.ext import ContextTypes

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
T = TypeVar("T")
SEND_ATTEMPTS = 4


@dataclass(frozen=True)
class Click:
    """A button press whose presser and message are known: the router checks once."""

    query: CallbackQuery
    user: User
    message: Message

    @property
    def request(self) -> str:
        """The idempotency key of this press: a replay of the same update has the same one."""
        return f"tg:{self.message.chat_id}:cb:{self.query.id}"


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


async def answer_query(
    query: CallbackQuery, text: str | None = None, *, alert: bool = False
) -> None:
    """Answer a button press; one too old to answer (after a restart) is not an error.

    The answer is a courtesy (a toast or an alert), never the record of anything:
    what a press changes is committed, with its messages, before it is answered.
    """
    try:
        await query.answer(text, show_alert=alert)
    except TelegramError as exc:
        log.info("callback query could not be answered: %s", exc)


async def show(
    update: Update, context: Context, pages: Sequence[str], markup: InlineKeyboardMarkup | None
) -> Message | None:
    """Edit the message a button was pressed on; pages beyond the first follow it."""
    query = update.callback_query
    message = query.message if query else None
    if not isinstance(message, Message):
        chat = update.effective_chat
        if chat is None:
            return None
        return await send_html(context.bot, chat.id, pages, markup)
    first_markup = markup if len(pages) == 1 else None
    if _shows(message, pages[0], first_markup):
        return message  # a double tap: Telegram refuses an edit that changes nothing
    try:
        await telegram_call(
            lambda: message.edit_text(
                pages[0], parse_mode=ParseMode.HTML, reply_markup=first_markup
            )
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    if len(pages) > 1:
        return await send_html(context.bot, message.chat_id, pages[1:], markup)
    return message


def _shows(message: Message, page: str, markup: InlineKeyboardMarkup | None) -> bool:
    """Whether the message already reads `page` with these buttons."""
    visible = html.unescape(re.sub(r"<[^>]+>", "", page))
    current = message.reply_markup or InlineKeyboardMarkup([])
    return (message.text or "") == visible and current == (markup or InlineKeyboardMarkup([]))
