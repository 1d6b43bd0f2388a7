"""Residents' side of the Telegram bot: commands, questions, buttons and feedback.

Thin adapters: the desk (`knowledge.desk`) decides what to answer and
`knowledge.answers` composes it; this module only turns that into Telegram
messages and buttons, and buttons back into actions (`handlers.callbacks`).
Navigation edits the message the button is on, so a conversation stays one
tidy message per question; every screen has a way back.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import logging
import re
from collections.abc import Awaitable, Sequence
from typing import Any

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatType, MessageEntityType, ParseMode
from telegram.error import BadRequest, TelegramError
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
from handlers import complaints
from handlers.flood import Verdict
from handlers.render import CAPTION_LIMIT, card_html, text_html
from handlers.send import Context, send_html, telegram_call
from handlers.services import Services, note, services
from knowledge import texts, votes
from knowledge.answers import (
    CATEGORY_ASPECT,
    Card,
    card_for,
    category_entries,
    choice_label,
    complaint_reply,
    entry_aspects,
    hotline,
    reply_for,
)
from knowledge.errors import ChartError
from knowledge.matching.matcher import Match
from knowledge.schema import Entry
from knowledge.vocabulary import (
    ASPECT_LABELS,
    CONTACTS_ENTRY,
    MENU_ORDER,
    SAMPLE_MARK,
    Aspect,
    Category,
    Intent,
)

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup


async def show(
    update: Update,
    context: Context,
    pages: Sequence[str],
    markup: Markup | None,
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


def _shows(message: Message, page: str, markup: Markup | None) -> bool:
    """Whether the message already reads `page` with these buttons."""
    visible = html.unescape(re.sub(r"<[^>]+>", "", page))
    current = message.reply_markup or Markup([])
    return (message.text or "") == visible and current == (markup or Markup([]))


# -- keyboards ----------------------------------------------------------------------


def _button(label: str, action: cb.Action) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=cb.encode(action))


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def menu_markup() -> Markup:
    buttons = [_button(c.value, cb.OpenCategory(c)) for c in MENU_ORDER]
    return Markup(_rows(buttons, 2))


def _home_row(back: cb.Action | None) -> list[InlineKeyboardButton]:
    row = [_button(texts.BUTTON_BACK, back)] if back is not None else []
    return [*row, _button(texts.BUTTON_HOME, cb.Menu())]


def card_markup(card: Card, entries: dict[str, Entry]) -> Markup:
    """Buttons under an answer: the entry's other aspects, 👍 / 👎, back and home."""
    rows: list[list[InlineKeyboardButton]] = []
    if card.choices:
        choices = [
            _button(choice_label(entries, e, a), _choice_action(e, a)) for e, a in card.choices
        ]
        rows += _rows(choices, 1)
        rows.append([_button(texts.BUTTON_NONE_OF_THESE, cb.NoneOfThese())])
        rows.append(_home_row(None))
        return Markup(rows)
    if card.entry is not None and card.entry in entries:
        aspects = [_button(ASPECT_LABELS[a], cb.ShowAspect(card.entry, a)) for a in card.followups]
        rows += _rows(aspects, 4)
        rows.append(
            [
                _button(texts.BUTTON_HELPFUL, cb.Vote(True, card.entry, card.aspect)),
                _button(texts.BUTTON_UNHELPFUL, cb.Vote(False, card.entry, card.aspect)),
            ]
        )
        rows.append(_home_row(cb.OpenEntry(card.entry)))
    else:
        rows.append(_home_row(None))
    return Markup(rows)


def _markup_for(svc: Services, card: Card) -> Markup:
    """The card's buttons, built once per card: the knowledge is fixed while the bot runs."""
    markup = svc.markups.get(card)
    if markup is None:
        markup = svc.markups[card] = card_markup(card, svc.desk.entries)
    return markup


def _choice_action(entry: str, aspect: Aspect | None) -> cb.Action:
    return cb.ShowAspect(entry, aspect) if aspect is not None else cb.OpenEntry(entry)


def _category_of(entry: Entry) -> Category | None:
    return entry.menus[0] if entry.menus else None


def entry_page(entry: Entry) -> tuple[list[str], Markup]:
    """An entry's page: its overview and a button per aspect."""
    card = card_for(entry, Aspect.OVERVIEW)
    aspects = [
        _button(ASPECT_LABELS[a], cb.ShowAspect(entry.id, a))
        for a in entry_aspects(entry)
        if a is not Aspect.OVERVIEW
    ]
    rows = _rows(aspects, 4)
    rows.append(
        [
            _button(texts.BUTTON_HELPFUL, cb.Vote(True, entry.id, None)),
            _button(texts.BUTTON_UNHELPFUL, cb.Vote(False, entry.id, None)),
        ]
    )
    category = _category_of(entry)
    rows.append(_home_row(cb.OpenCategory(category) if category else None))
    return card_html(card), Markup(rows)


def category_page(category: Category, entries: dict[str, Entry]) -> tuple[list[str], Markup]:
    if category is Category.CONTACTS and CONTACTS_ENTRY in entries:
        card = card_for(entries[CONTACTS_ENTRY], None)
        return card_html(card), card_markup(card, entries)
    if category is Category.COMPLAINTS:
        card = complaint_reply(entries)
        start = InlineKeyboardButton(texts.BUTTON_COMPLAIN, callback_data="k:start")
        return card_html(card), Markup([[start], _home_row(cb.Menu())])
    aspect = CATEGORY_ASPECT[category]
    members = category_entries(entries, category)
    buttons = [
        _button(
            e.title,
            cb.ShowAspect(e.id, aspect) if aspect and aspect in e.aspects else cb.OpenEntry(e.id),
        )
        for e in members
    ]
    rows = [*_rows(buttons, 2), _home_row(cb.Menu())]
    heading = texts.CATEGORY_HEADING.format(category=category.value)
    blurb = texts.CATEGORY_BLURBS.get(category.value, "")
    return text_html(blurb, heading=heading), Markup(rows)


def complaint_confirm_markup() -> Markup:
    """ "您是要投诉/反映问题吗？": 是 starts the intake, 不是 treats it as a question."""
    return Markup(
        [
            [
                InlineKeyboardButton(texts.BUTTON_YES_COMPLAIN, callback_data="k:start"),
                InlineKeyboardButton(texts.BUTTON_NOT_COMPLAIN, callback_data="k:no"),
            ],
            _home_row(cb.Menu()),
        ]
    )


def welcome_pages() -> list[str]:
    return text_html(texts.WELCOME.format(bot=texts.BOT_NAME), heading=texts.BOT_NAME)


# -- charts -------------------------------------------------------------------------


async def send_chart(
    update: Update, context: Context, entry: Entry, aspect: Aspect, reply_to: int | None
) -> None:
    """The flow chart of a procedure, or the chart of a finance disclosure, once rendered."""
    svc = services(context)
    chat = update.effective_chat
    if chat is None:
        return
    if aspect is Aspect.PROCEDURE and entry.procedures:
        render, caption = svc.charts.procedure, texts.CHART_CAPTION
    elif aspect is Aspect.FINANCE and entry.finance is not None:
        render, caption = svc.charts.finance, texts.FINANCE_CHART_CAPTION
    else:
        return
    key = f"{aspect.value}:{entry.id}"
    photo: str | bytes | None = svc.chart_file_ids.get(key)
    if photo is None:
        try:
            photo = await asyncio.to_thread(render, entry)
        except ChartError:
            log.exception("chart for %s could not be drawn", key)
            return
    text = caption.format(title=entry.title)
    if aspect is Aspect.FINANCE and entry.finance is not None and entry.finance.sample_data:
        text += f"（{SAMPLE_MARK}）"
    params = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    sent = await telegram_call(
        lambda: context.bot.send_photo(
            chat.id, photo, caption=text[:CAPTION_LIMIT], reply_parameters=params
        )
    )
    if sent.photo:
        svc.chart_file_ids[key] = sent.photo[-1].file_id
    note(chart=key)


# -- commands -----------------------------------------------------------------------


async def start(update: Update, context: Context) -> None:
    """/start, and deep links /start <entry-id> from the bureau's QR codes."""
    chat = update.effective_chat
    if chat is None:
        return
    entries = services(context).desk.entries
    if context.args and context.args[0] in entries:
        entry = entries[context.args[0]]
        pages, markup = entry_page(entry)
        await send_html(context.bot, chat.id, pages, markup)
        note(kind="deep-link", entry=entry.id)
        return
    await send_html(context.bot, chat.id, welcome_pages(), menu_markup())
    note(kind="start")


async def menu(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is not None:
        await send_html(context.bot, chat.id, text_html(texts.MENU_HEADING), menu_markup())
        note(kind="menu")


async def help_command(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is not None:
        await send_html(
            context.bot, chat.id, text_html(texts.HELP.format(bot=texts.BOT_NAME)), menu_markup()
        )
        note(kind="help")


async def contact(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    entries = services(context).desk.entries
    pages, markup = category_page(Category.CONTACTS, entries)
    await send_html(context.bot, chat.id, pages, markup)
    note(kind="contact")


# -- free text ----------------------------------------------------------------------


def _addressed(message: Message, bot: Bot) -> bool:
    """In groups the bot speaks only when mentioned or replied to."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == bot.id:
        return True
    mention = f"@{bot.username}".lower() if bot.username else None
    for entity, value in message.parse_entities(
        [MessageEntityType.MENTION, MessageEntityType.TEXT_MENTION]
    ).items():
        if entity.type == MessageEntityType.TEXT_MENTION and entity.user:
            if entity.user.id == bot.id:
                return True
        elif mention and value.lower() == mention:
            return True
    return False


def _question_text(message: Message, bot: Bot) -> str:
    text = message.text or ""
    if bot.username:
        text = text.replace(f"@{bot.username}", " ")
    return text.strip()


async def question(update: Update, context: Context) -> None:
    """A typed question (new or edited): answer, offer choices, or say who can help."""
    message = update.effective_message
    if message is None or not _addressed(message, context.bot):
        return
    svc = services(context)
    if await _feedback_comment(message, context):
        return
    if await complaints.officer_reply(update, context) or await complaints.intake_message(
        update, context
    ):
        return
    text = _question_text(message, context.bot)
    if not text:
        await send_html(context.bot, message.chat_id, text_html(texts.EMPTY_INPUT), menu_markup())
        note(kind="empty")
        return
    reply = svc.desk.ask(text)
    match, card = reply.match, reply.card
    note(
        kind="question",
        intent=match.intent.value,
        entry=match.entry,
        aspect=match.aspect.value if match.aspect else None,
        score=round(match.score, 3),
        decision=match.decision,
    )
    entries = svc.desk.entries
    if card.choices:
        card = dataclasses.replace(card, body=texts.CHOOSE_BY_BUTTON)
    markup = _markup_for(svc, card)
    if match.intent is Intent.COMPLAINT:
        card = dataclasses.replace(card, title=texts.COMPLAINT_CONFIRM)
        markup = complaint_confirm_markup()
    await send_html(
        context.bot, message.chat_id, card_html(card), markup, reply_to=message.message_id
    )
    if card.entry in entries and card.aspect in (Aspect.PROCEDURE, Aspect.FINANCE):
        assert card.entry is not None and card.aspect is not None
        await send_chart(update, context, entries[card.entry], card.aspect, message.message_id)


async def _feedback_comment(message: Message, context: Context) -> bool:
    """A reply to the "哪里不对？" prompt is the comment on a 👎, not a question."""
    reply = message.reply_to_message
    if reply is None or reply.from_user is None or reply.from_user.id != context.bot.id:
        return False
    if reply.text != texts.VOTE_ASK_WHY:
        return False
    engine = services(context).engine
    saved = await asyncio.to_thread(
        votes.add_comment, engine, message.chat_id, reply.message_id, message.text or ""
    )
    if saved:
        await send_html(
            context.bot,
            message.chat_id,
            text_html(texts.VOTE_COMMENT_THANKS),
            reply_to=message.message_id,
        )
        note(kind="feedback-comment")
    return saved


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have: say which ones it has."""
    message = update.effective_message
    if message is None or not _addressed(message, context.bot):
        return
    await send_html(
        context.bot,
        message.chat_id,
        text_html(texts.UNKNOWN_COMMAND),
        menu_markup(),
        reply_to=message.message_id,
    )
    note(kind="unknown-command")


async def not_text(update: Update, context: Context) -> None:
    """Stickers, photos, voice, locations, documents: ask for a typed question."""
    message = update.effective_message
    if message is None or not _addressed(message, context.bot):
        return
    if await complaints.intake_message(update, context):
        return  # a photo for the complaint being written
    await send_html(
        context.bot,
        message.chat_id,
        text_html(texts.NON_TEXT_HINT),
        menu_markup(),
        reply_to=message.message_id,
    )
    note(kind="not-text")


# -- buttons ------------------------------------------------------------------------


async def button(update: Update, context: Context) -> None:
    query = update.callback_query
    if query is None:
        return
    svc = services(context)
    entries = svc.desk.entries
    action = cb.parse(query.data, entries)
    note(kind="button", data=query.data)
    if action is None or not isinstance(query.message, Message):
        log.warning("refused stale or forged callback data %r", query.data)
        await _answer(query.answer(texts.STALE_BUTTON))
        await show(update, context, text_html(texts.MENU_HEADING), menu_markup())
        return
    match action:
        case cb.Vote():
            await _vote(update, context, action)
            return
        case cb.Menu():
            await _answer(query.answer())
            await show(update, context, text_html(texts.MENU_HEADING), menu_markup())
        case cb.OpenCategory(category):
            await _answer(query.answer())
            await show(update, context, *category_page(category, entries))
        case cb.OpenEntry(entry_id):
            await _answer(query.answer())
            await show(update, context, *entry_page(entries[entry_id]))
        case cb.ShowAspect(entry_id, aspect):
            await _answer(query.answer())
            entry = entries[entry_id]
            card = card_for(entry, aspect)
            shown = await show(update, context, card_html(card), _markup_for(svc, card))
            if card.aspect in (Aspect.PROCEDURE, Aspect.FINANCE) and card.aspect is not None:
                reply_to = shown.message_id if shown else None
                await send_chart(update, context, entry, card.aspect, reply_to)
        case cb.NoneOfThese():
            await _answer(query.answer())
            await _none_of_these(update, context, query.message)


async def _answer(call: Awaitable[bool]) -> None:
    """Answer a callback query; one that is too old (after a restart) is not an error."""
    try:
        await call
    except BadRequest as exc:
        log.info("callback query could not be answered: %s", exc)


async def _vote(update: Update, context: Context, vote: cb.Vote) -> None:
    query = update.callback_query
    assert query is not None and isinstance(query.message, Message)
    message = query.message
    svc = services(context)
    question_message = message.reply_to_message
    feedback_id = await asyncio.to_thread(
        votes.record,
        svc.engine,
        chat_id=message.chat_id,
        message_id=message.message_id,
        helpful=vote.helpful,
        answer=message.text or message.caption or "",
        question=question_message.text if question_message else None,
        entry=vote.entry,
        aspect=vote.aspect.value if vote.aspect else None,
    )
    note(kind="vote", helpful=vote.helpful, entry=vote.entry)
    await _answer(query.answer(texts.VOTE_THANKS))
    # The vote buttons go; the rest of the keyboard stays.
    keyboard = message.reply_markup.inline_keyboard if message.reply_markup else ()
    vote_data = {cb.encode(cb.Vote(h, vote.entry, vote.aspect)) for h in (True, False)}
    rows = [list(row) for row in keyboard if not any(b.callback_data in vote_data for b in row)]
    try:
        await telegram_call(lambda: message.edit_reply_markup(Markup(rows)))
    except BadRequest as exc:
        log.info("vote buttons not removed: %s", exc)
    if not vote.helpful:
        prompt = await send_html(
            context.bot,
            message.chat_id,
            [texts.VOTE_ASK_WHY],
            ForceReply(selective=True, input_field_placeholder="哪里不对？"),
            reply_to=message.message_id,
        )
        await asyncio.to_thread(votes.await_comment, svc.engine, feedback_id, prompt.message_id)


async def _none_of_these(update: Update, context: Context, message: Message) -> None:
    """None of the choices fit: record the question for staff and say who can help."""
    svc = services(context)
    asked = message.reply_to_message.text if message.reply_to_message else None
    match = Match(asked or "", Intent.NONE, None, None, 0.0, "abstain", "unknown")
    if asked:
        await asyncio.to_thread(svc.desk.record_unanswered, match)
    card = reply_for(match, svc.desk.entries)
    await show(update, context, card_html(card), Markup([_home_row(cb.Menu())]))


# -- cross-cutting ------------------------------------------------------------------


async def flood_gate(update: Update, context: Context) -> None:
    """Runs before every handler: a resident over the flood limit is told once, then ignored."""
    user = update.effective_user
    message = update.effective_message
    if user is None:
        return
    unaddressed = message is not None and not _addressed(message, context.bot)
    if update.callback_query is None and unaddressed:
        return  # group chatter the bot ignores anyway does not count
    verdict = services(context).flood.check(user.id)
    if verdict is Verdict.ALLOW:
        return
    note(kind="flood", verdict=verdict.value)
    if verdict is Verdict.WARN and update.effective_chat is not None:
        if update.callback_query is not None:
            await _answer(update.callback_query.answer(texts.FLOOD))
        else:
            await send_html(context.bot, update.effective_chat.id, text_html(texts.FLOOD))
    raise ApplicationHandlerStop


async def on_error(update: object, context: Context) -> None:
    """Log the failure and tell the resident politely; never show a traceback."""
    log.error("handler failed", exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    line = hotline(services(context).desk.entries)
    phone = ""
    if line is not None:
        phone = f"如需帮助请拨打 {line.phone}" + (f"（{SAMPLE_MARK}）" if line.sample_data else "")
    try:
        await context.bot.send_message(
            update.effective_chat.id, texts.ERROR_REPLY.format(hotline=phone)
        )
    except TelegramError:
        log.exception("could not tell the resident about the failure")


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Add the residents' handlers, in the order they must be tried."""
    application.add_handler(TypeHandler(Update, flood_gate), group=-1)
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("menu", menu))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler("contact", contact))
    application.add_handler(CallbackQueryHandler(button))
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGES & filters.TEXT & ~filters.COMMAND, question)
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.COMMAND, unknown_command)
    )
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE
            & (
                filters.Sticker.ALL
                | filters.PHOTO
                | filters.VOICE
                | filters.AUDIO
                | filters.VIDEO
                | filters.VIDEO_NOTE
                | filters.LOCATION
                | filters.Document.ALL
                | filters.CONTACT
            ),
            not_text,
        )
    )
    application.add_error_handler(on_error)
