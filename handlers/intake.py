"""Residents' complaints in Telegram: the guided intake, /status, and rating the reply.

Thin adapters over `knowledge.complaints.intake` (the step machine, with the
draft in the database) and `knowledge.complaints.rating`: each turns an update
into the domain's event, lets the domain commit the change with the messages it
causes, and wakes the outbox sender to deliver them. A replayed update changes
nothing and queues nothing twice.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.constants import ChatType

from handlers import callbacks as cb
from handlers.render import text_html
from handlers.send import Click, Context, answer_query, send_html
from handlers.services import Services, note, services
from knowledge.complaints import intake, rating
from knowledge.complaints.rating import Pressed
from knowledge.complaints.store import of_resident, show_status_here
from knowledge.complaints.views import status_text
from knowledge.complaints.vocabulary import Press, Satisfaction
from knowledge.errors import Refused
from knowledge.texts import complaints as texts
from knowledge.texts import residents

log = logging.getLogger(__name__)
STATUS_SHOWN = 10


async def _handle(
    update: Update, context: Context, chat_id: int, user_id: int, event: intake.Event, request: str
) -> intake.Handled:
    svc = services(context)
    name = update.effective_user.full_name if update.effective_user else None
    handled = await asyncio.to_thread(
        intake.handle,
        svc.engine,
        chat_id,
        user_id,
        event,
        update=update.update_id,
        request=request,
        bureau=svc.bureau,
        name=name,
    )
    if handled.has_draft:
        svc.draft_chats.add(chat_id)
    else:
        svc.draft_chats.discard(chat_id)
    if handled.consumed:
        svc.outbox_wake.set()
    note(kind="complaint-intake", ticket=handled.ticket, replayed=handled.replayed or None)
    return handled


async def start(update: Update, context: Context) -> None:
    """/complain: a fresh draft, asked in the resident's private chat."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if chat.type != ChatType.PRIVATE:
        await send_html(context.bot, chat.id, text_html(texts.INTAKE_PRIVATE_ONLY))
        return
    await _handle(update, context, chat.id, user.id, intake.Chosen(intake.START), "")


async def cancel(update: Update, context: Context) -> None:
    """/cancel: drop the complaint being written, at any step."""
    chat, user = update.effective_chat, update.effective_user
    if chat is not None and user is not None:
        await _handle(update, context, chat.id, user.id, intake.Chosen(intake.CANCEL), "")


async def message(update: Update, context: Context) -> bool:
    """A message while the resident has a draft: the answer to the current step, if it is one."""
    msg, user = update.effective_message, update.effective_user
    if msg is None or user is None or msg.chat.type != ChatType.PRIVATE:
        return False
    svc = services(context)
    if msg.chat_id not in svc.draft_chats and not svc.shared_database:
        return False  # most messages: no draft, and no database round trip to learn it
    event: intake.Event
    if msg.photo:
        event = intake.Photo(msg.photo[-1].file_id, msg.caption or "")
    else:
        event = intake.Typed(msg.text or msg.caption or "")
    request = f"tg:{msg.chat_id}:msg:{msg.message_id}"
    handled = await _handle(update, context, msg.chat_id, user.id, event, request)
    return handled.consumed


async def button(update: Update, context: Context, click: Click, choice: str) -> None:
    """A button of the intake: skip, identity, confirm, edit, cancel, start, or 不是."""
    query, user, chat = click.query, click.user, click.message.chat
    if choice == intake.START and chat.type != ChatType.PRIVATE:
        await answer_query(query)
        await send_html(context.bot, chat.id, text_html(texts.INTAKE_PRIVATE_ONLY))
        return
    handled = await _handle(update, context, chat.id, user.id, intake.Chosen(choice), click.request)
    if handled.stale or not handled.consumed:
        log.warning("refused intake button %r from %s: not for their draft", choice, user.id)
        await answer_query(query, residents.STALE_BUTTON)
    else:
        await answer_query(query)


async def status(update: Update, context: Context) -> None:
    """/status [ticket] and /mycomplaints: the resident's own complaints only."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    svc = services(context)
    mine = await asyncio.to_thread(of_resident, svc.engine, user.id)
    wanted = context.args[0].upper() if context.args else ""
    if wanted:
        mine = [c for c in mine if c.ticket == wanted]
        if not mine:
            await send_html(context.bot, chat.id, text_html(texts.STATUS_NOT_FOUND))
            return
    if not mine:
        await send_html(context.bot, chat.id, text_html(texts.STATUS_NONE))
        return
    for complaint in mine[:STATUS_SHOWN]:
        sent = await send_html(context.bot, chat.id, text_html(status_text(complaint)))
        await asyncio.to_thread(show_status_here, svc.engine, complaint.ticket, sent.message_id)
    note(kind="status", count=len(mine))


async def rate(context: Context, click: Click, press: cb.OnComplaint) -> None:
    """解决 / 未解决, 满意吗, 申请复核: by the resident, or a hotline officer recording a 回访."""
    svc: Services = services(context)
    query, user = click.query, click.user
    pressed = Pressed(click.message.chat_id, click.message.message_id)
    request = click.request
    note(kind="complaint-rating", ticket=press.ticket, press=press.press.value, value=press.value)
    try:
        if press.press is Press.RECONSIDER:
            outcome = await asyncio.to_thread(
                rating.reconsider,
                svc.engine,
                press.ticket,
                user.id,
                bureau=svc.bureau,
                request=request,
                pressed=pressed,
            )
        else:
            solved = press.value == "1" if press.press is Press.RATE_SOLVED else None
            satisfied = Satisfaction(press.value) if press.press is Press.RATE_SATISFIED else None
            outcome = await asyncio.to_thread(
                rating.rate,
                svc.engine,
                press.ticket,
                user.id,
                solved=solved,
                satisfaction=satisfied,
                bureau=svc.bureau,
                request=request,
                pressed=pressed,
            )
    except Refused as refused:
        log.warning("refused rating of %s by user %s: %s", press.ticket, user.id, refused)
        await answer_query(query, str(refused), alert=True)
        return
    svc.outbox_wake.set()
    await answer_query(query, outcome.toast or None)
