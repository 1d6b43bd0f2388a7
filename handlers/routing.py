"""Where every update goes, in one place and in the order it is tried.

Each kind of update has one handler here that decides which adapter it is for:
a button's data is parsed by the one codec and routed by what it stands for; a
message is a vote's comment, an officer's answer to a prompt, a step of a
resident's complaint, or a question, in that order. Cross-cutting rules live
here too: the flood gate before everything, and one error handler after.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import Message, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import callbacks as cb
from handlers import intake, officers, resident
from handlers.flood import Verdict
from handlers.render import text_html
from handlers.send import Click, Context, answer_query, send_html
from handlers.services import note, services
from knowledge.answering.answers import hotline_phone
from knowledge.complaints.vocabulary import Press
from knowledge.texts import residents as texts

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
NOT_TEXT = (
    filters.Sticker.ALL
    | filters.PHOTO
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
    | filters.LOCATION
    | filters.Document.ALL
    | filters.CONTACT
)


async def button(update: Update, context: Context) -> None:
    """Every button press: parsed by the one codec, routed by what it stands for.

    Data the codec does not know (a forged press, or a button from before an
    upgrade) is refused with an alert and a log line; the message it came from is
    never touched.
    """
    query = update.callback_query
    if query is None:
        return
    pressed = cb.parse(query.data, services(context).desk.entries)
    note(kind="button", data=query.data)
    user = update.effective_user
    if pressed is None or user is None or not isinstance(query.message, Message):
        log.warning(
            "refused stale or forged callback data %r from %s",
            query.data,
            user.id if user else None,
        )
        await answer_query(query, texts.STALE_BUTTON, alert=True)
        return
    if not isinstance(pressed, cb.OnComplaint):
        await resident.navigate(update, context, query, pressed)
        return
    click = Click(query, user, query.message)
    match pressed.press:
        case Press.INTAKE:
            await intake.button(update, context, click, pressed.value)
        case Press.OFFICER:
            await officers.card_button(context, click, pressed)
        case Press.SHOW_PHONE:
            await officers.show_phone(context, click, pressed)
        case Press.RATE_SOLVED | Press.RATE_SATISFIED | Press.RECONSIDER:
            await intake.rate(context, click, pressed)


async def text(update: Update, context: Context) -> None:
    """A typed message (new or edited): a vote's comment, a prompt's answer, an intake step,
    or a question — in that order."""
    message = update.effective_message
    if message is None or not resident.addressed(message, context.bot):
        return
    if await resident.vote_comment(message, context):
        return
    if await officers.prompt_answer(update, context) or await intake.message(update, context):
        return
    await resident.question(update, context, message)


async def not_text(update: Update, context: Context) -> None:
    """A photo may be for the complaint being written; anything else gets a hint to type."""
    message = update.effective_message
    if message is None or not resident.addressed(message, context.bot):
        return
    if await intake.message(update, context):
        return
    await resident.not_text(update, context, message)


async def flood_gate(update: Update, context: Context) -> None:
    """Runs before every handler: a resident over the flood limit is told once, then ignored."""
    user = update.effective_user
    message = update.effective_message
    if user is None:
        return
    unaddressed = message is not None and not resident.addressed(message, context.bot)
    if update.callback_query is None and unaddressed:
        return  # group chatter the bot ignores anyway does not count
    verdict = services(context).flood.check(user.id)
    if verdict is Verdict.ALLOW:
        return
    note(kind="flood", verdict=verdict.value)
    if verdict is Verdict.WARN and update.effective_chat is not None:
        if update.callback_query is not None:
            await answer_query(update.callback_query, texts.FLOOD)
        else:
            await send_html(context.bot, update.effective_chat.id, text_html(texts.FLOOD))
    raise ApplicationHandlerStop


async def on_error(update: object, context: Context) -> None:
    """Log the failure and tell the resident politely; never show a traceback."""
    log.error("handler failed", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    phone = hotline_phone(services(context).desk.entries)
    line = texts.ERROR_HOTLINE.format(phone=phone[0]) if phone else ""
    try:
        await send_html(
            context.bot, update.effective_chat.id, text_html(texts.ERROR_REPLY.format(hotline=line))
        )
    except Exception:
        log.exception("could not tell the resident about the failure")


def register(application: AnyApplication) -> None:
    """Every handler, in the order they are tried."""
    application.add_handler(TypeHandler(Update, flood_gate), group=-1)
    commands = (
        ("start", resident.start),
        ("menu", resident.menu),
        ("help", resident.help_command),
        ("contact", resident.contact),
        (["complain", "complaint"], intake.start),
        (["status", "mycomplaints"], intake.status),
        ("cancel", intake.cancel),
        ("queue", officers.queue),
        ("ticket", officers.ticket),
        ("intake", officers.intake),
        ("report", officers.report),
    )
    for names, callback in commands:
        application.add_handler(CommandHandler(names, callback))
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND, text)
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, resident.unknown_command)
    )
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE & NOT_TEXT, not_text))
    application.add_error_handler(on_error)
