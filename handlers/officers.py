"""Officers in Telegram: the complaint card's buttons, prompts and their answers, the commands.

Thin adapters over `knowledge.complaints`: the store and `office` check every
press against the presser's role and the lifecycle, commit the change with the
messages it causes, and refuse with the words to show. Here a refusal is an
alert to the presser and a log line; the card is never touched by it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging

from telegram import Update

from handlers import callbacks as cb
from handlers.render import text_html
from handlers.send import Click, Context, answer_query, send_html, telegram_call
from handlers.services import note, services
from knowledge.complaints import office, store
from knowledge.complaints.calendar import month_of
from knowledge.complaints.lifecycle import NEEDS_WORDS, Permission
from knowledge.complaints.report import figures, message
from knowledge.complaints.vocabulary import Action
from knowledge.errors import Refused, SunshineError
from knowledge.texts import staff

log = logging.getLogger(__name__)


async def card_button(context: Context, click: Click, press: cb.OnComplaint) -> None:
    """A button of the officers' card (or of an extension request): one lifecycle action."""
    svc = services(context)
    query, user = click.query, click.user
    action, ticket = Action(press.value), press.ticket
    chat_id, pressed = click.message.chat_id, click.message.message_id
    request = click.request
    note(kind="officer-button", action=action.value, ticket=ticket)
    try:
        if action in NEEDS_WORDS:
            outcome = await asyncio.to_thread(
                office.ask,
                svc.engine,
                ticket,
                action,
                user.id,
                chat_id=chat_id,
                pressed=pressed,
                bureau=svc.bureau,
                request=request,
            )
        else:
            outcome = await asyncio.to_thread(
                store.act,
                svc.engine,
                ticket,
                action,
                store.officer(svc.bureau, user.id, action),
                store.Change(office=svc.bureau.staff.office_of(user.id)),
                bureau=svc.bureau,
                request=request,
                pressed=pressed,
            )
    except SunshineError as refused:
        log.warning("refused %s on %s by user %s: %s", action.value, ticket, user.id, refused)
        await answer_query(query, str(refused), alert=True)
        return
    svc.outbox_wake.set()
    await answer_query(query, outcome.toast or None)


async def prompt_answer(update: Update, context: Context) -> bool:
    """An officer's reply to one of the bot's prompts: the words of that action."""
    msg, user = update.effective_message, update.effective_user
    if msg is None or user is None or msg.reply_to_message is None:
        return False
    svc = services(context)
    try:
        outcome = await asyncio.to_thread(
            office.answer,
            svc.engine,
            msg.chat_id,
            msg.reply_to_message.message_id,
            user.id,
            msg.text or "",
            message_id=msg.message_id,
            bureau=svc.bureau,
            request=f"tg:{msg.chat_id}:msg:{msg.message_id}",
        )
    except Refused as refused:
        log.warning("refused an answer to a prompt from %s: %s", user.id, refused)
        await send_html(context.bot, msg.chat_id, text_html(str(refused)), reply_to=msg.message_id)
        return True
    if outcome is None:
        return False
    note(kind="officer-answer", ticket=outcome.ticket, replayed=outcome.replayed or None)
    svc.outbox_wake.set()
    return True


async def show_phone(context: Context, click: Click, press: cb.OnComplaint) -> None:
    """📞 查看电话: the full number as an alert only the presser sees, and into the audit trail."""
    svc = services(context)
    query, user = click.query, click.user
    try:
        shown = await asyncio.to_thread(
            office.reveal_phone,
            svc.engine,
            press.ticket,
            user.id,
            bureau=svc.bureau,
            request=click.request,
        )
    except SunshineError as refused:
        log.warning("refused the phone number of %s to user %s", press.ticket, user.id)
        await answer_query(query, str(refused), alert=True)
        return
    note(kind="show-phone", ticket=press.ticket)
    await answer_query(query, shown, alert=True)


async def _reply_or_refuse(
    update: Update, context: Context, work: functools.partial[str], heading: str | None = None
) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    try:
        text = await asyncio.to_thread(work)
    except SunshineError as refused:
        user = update.effective_user
        log.warning("refused %s from user %s", work.func.__name__, user.id if user else None)
        text, heading = str(refused), None
    await send_html(context.bot, chat.id, text_html(text, heading=heading))


async def queue(update: Update, context: Context) -> None:
    """/queue for officers: open complaints by due time."""
    user = update.effective_user
    if user is not None:
        svc = services(context)
        work = functools.partial(office.queue_text, svc.engine, user.id, svc.bureau)
        await _reply_or_refuse(update, context, work, staff.QUEUE_HEADING)


async def ticket(update: Update, context: Context) -> None:
    """/ticket N for officers: the case and its full audit trail."""
    user = update.effective_user
    if user is None:
        return
    svc = services(context)
    wanted = context.args[0] if context.args else ""
    work = functools.partial(office.ticket_text, svc.engine, wanted, user.id, svc.bureau)
    await _reply_or_refuse(update, context, work)


async def intake(update: Update, context: Context) -> None:
    """/intake [phone] what happened — a hotline officer registers a phone or walk-in complaint."""
    msg, user = update.effective_message, update.effective_user
    if msg is None or user is None:
        return
    svc = services(context)
    try:
        outcome = await asyncio.to_thread(
            office.register_by_phone,
            svc.engine,
            user.id,
            list(context.args or []),
            chat_id=msg.chat_id,
            message_id=msg.message_id,
            bureau=svc.bureau,
            request=f"tg:{msg.chat_id}:msg:{msg.message_id}",
        )
    except Refused as refused:
        log.warning("refused /intake from user %s: %s", user.id, refused)
        await send_html(context.bot, msg.chat_id, text_html(str(refused)))
        return
    note(kind="intake", ticket=outcome.ticket)
    svc.outbox_wake.set()


async def report(update: Update, context: Context) -> None:
    """/report [YYYY-MM] for the supervision group: the monthly figures and a chart."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    svc = services(context)
    month = context.args[0] if context.args else month_of(dt.datetime.now(dt.UTC))
    try:
        office.require(svc.bureau, user.id, Permission.REPORT)
        monthly = await asyncio.to_thread(
            figures.monthly_report, svc.engine, month, calendar=svc.bureau.calendar
        )
    except Refused as refused:
        log.warning("refused /report from user %s", user.id)
        await send_html(context.bot, chat.id, text_html(str(refused)))
        return
    except SunshineError:
        await send_html(context.bot, chat.id, text_html(staff.REPORT_USAGE))
        return
    await send_html(context.bot, chat.id, text_html(message.report_text(monthly)))
    from knowledge.charts.complaints import report_chart  # matplotlib, only when asked

    chart = await asyncio.to_thread(report_chart, monthly)
    caption = staff.REPORT_CAPTION.format(month=month)
    await telegram_call(functools.partial(context.bot.send_photo, chat.id, chart, caption=caption))
    note(kind="report", month=month)
