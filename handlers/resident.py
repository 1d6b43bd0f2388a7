"""Residents at the enquiry desk in Telegram: commands, questions, navigation, votes, charts.

Thin adapters: the desk (`knowledge.answering.desk`) decides what to answer and
`knowledge.answering.answers` composes it; this module turns that into Telegram messages
and buttons (`handlers.keyboards`). Navigation edits the message the button is
on, so a conversation stays one tidy message per question; every screen has a
way back.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
import logging
from collections.abc import Mapping

from telegram import Bot, CallbackQuery, ForceReply, Message, ReplyParameters, Update
from telegram.constants import ChatType, MessageEntityType
from telegram.error import BadRequest

from handlers import callbacks as cb
from handlers import keyboards
from handlers.keyboards import Markup
from handlers.render import CAPTION_LIMIT, card_html, text_html
from handlers.send import Context, answer_query, send_html, show, telegram_call
from handlers.services import Services, note, services
from knowledge.answering import votes
from knowledge.answering.answers import (
    CATEGORY_ASPECT,
    Card,
    card_for,
    category_blurb,
    category_entries,
    complaint_reply,
    scope,
)
from knowledge.base.schema import Entry
from knowledge.errors import ChartError
from knowledge.matching.match import Match
from knowledge.texts import complaints as complaint_texts
from knowledge.texts import residents as texts
from knowledge.vocabulary import CONTACTS_ENTRY, SAMPLE_MARK, Aspect, Category, Intent

log = logging.getLogger(__name__)

CHARTED = (Aspect.PROCEDURE, Aspect.FINANCE)


def _markup_for(svc: Services, card: Card) -> Markup:
    """The card's buttons, built once per card: the knowledge is fixed while the bot runs."""
    markup = svc.markups.get(card)
    if markup is None:
        markup = svc.markups[card] = keyboards.card(card, svc.desk.entries)
    return markup


def entry_page(entry: Entry) -> tuple[list[str], Markup]:
    """An entry's page: its overview and a button per aspect."""
    return card_html(card_for(entry, Aspect.OVERVIEW)), keyboards.entry_page(entry)


def category_page(category: Category, entries: Mapping[str, Entry]) -> tuple[list[str], Markup]:
    if category is Category.CONTACTS and CONTACTS_ENTRY in entries:
        card = card_for(entries[CONTACTS_ENTRY], None)
        return card_html(card), keyboards.card(card, entries)
    if category is Category.COMPLAINTS:
        return card_html(complaint_reply(entries)), keyboards.start_complaint()
    members = category_entries(entries, category)
    heading = texts.CATEGORY_HEADING.format(category=category.value)
    markup = keyboards.category_page(members, CATEGORY_ASPECT[category])
    return text_html(category_blurb(entries, category), heading=heading), markup


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
        text += texts.SAMPLE_SUFFIX.format(mark=SAMPLE_MARK)
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
        await send_html(context.bot, chat.id, *entry_page(entry))
        note(kind="deep-link", entry=entry.id)
        return
    await send_html(context.bot, chat.id, welcome_pages(), keyboards.menu())
    note(kind="start")


async def menu(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is not None:
        await send_html(context.bot, chat.id, text_html(texts.MENU_HEADING), keyboards.menu())
        note(kind="menu")


async def help_command(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is not None:
        entries = services(context).desk.entries
        words = texts.HELP.format(bot=texts.BOT_NAME, **scope(entries))
        await send_html(context.bot, chat.id, text_html(words), keyboards.menu())
        note(kind="help")


async def contact(update: Update, context: Context) -> None:
    chat = update.effective_chat
    if chat is not None:
        entries = services(context).desk.entries
        await send_html(context.bot, chat.id, *category_page(Category.CONTACTS, entries))
        note(kind="contact")


# -- free text ----------------------------------------------------------------------


def addressed(message: Message, bot: Bot) -> bool:
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


async def question(update: Update, context: Context, message: Message) -> None:
    """A typed question (new or edited): answer, offer choices, or say who can help."""
    svc = services(context)
    text = _question_text(message, context.bot)
    if not text:
        await send_html(
            context.bot, message.chat_id, text_html(texts.EMPTY_INPUT), keyboards.menu()
        )
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
    if card.choices:
        card = dataclasses.replace(card, body=texts.CHOOSE_BY_BUTTON)
    markup = _markup_for(svc, card)
    if match.intent is Intent.COMPLAINT:
        card = dataclasses.replace(card, title=complaint_texts.COMPLAINT_CONFIRM)
        markup = keyboards.complaint_confirm()
    await send_html(
        context.bot, message.chat_id, card_html(card), markup, reply_to=message.message_id
    )
    entries = svc.desk.entries
    if card.entry in entries and card.aspect in CHARTED:
        assert card.entry is not None and card.aspect is not None
        await send_chart(update, context, entries[card.entry], card.aspect, message.message_id)


async def vote_comment(message: Message, context: Context) -> bool:
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
        thanks = text_html(texts.VOTE_COMMENT_THANKS)
        await send_html(context.bot, message.chat_id, thanks, reply_to=message.message_id)
        note(kind="vote-comment")
    return saved


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have: say which ones it has."""
    message = update.effective_message
    if message is None or not addressed(message, context.bot):
        return
    await send_html(
        context.bot,
        message.chat_id,
        text_html(texts.UNKNOWN_COMMAND),
        keyboards.menu(),
        reply_to=message.message_id,
    )
    note(kind="unknown-command")


async def not_text(update: Update, context: Context, message: Message) -> None:
    """Stickers, photos, voice, locations, documents: ask for a typed question."""
    await send_html(
        context.bot,
        message.chat_id,
        text_html(texts.NON_TEXT_HINT),
        keyboards.menu(),
        reply_to=message.message_id,
    )
    note(kind="not-text")


# -- navigation buttons --------------------------------------------------------------


async def navigate(
    update: Update, context: Context, query: CallbackQuery, pressed: cb.Navigation
) -> None:
    """Menu → category → entry → aspect, each shown by editing the same message."""
    svc = services(context)
    entries = svc.desk.entries
    match pressed:
        case cb.Vote():
            await _vote(context, query, pressed)
            return
        case cb.Menu():
            await answer_query(query)
            await show(update, context, text_html(texts.MENU_HEADING), keyboards.menu())
        case cb.OpenCategory(category):
            await answer_query(query)
            await show(update, context, *category_page(category, entries))
        case cb.OpenEntry(entry_id):
            await answer_query(query)
            await show(update, context, *entry_page(entries[entry_id]))
        case cb.ShowAspect(entry_id, aspect):
            await answer_query(query)
            card = card_for(entries[entry_id], aspect)
            shown = await show(update, context, card_html(card), _markup_for(svc, card))
            if card.aspect in CHARTED and card.aspect is not None:
                reply_to = shown.message_id if shown else None
                await send_chart(update, context, entries[entry_id], card.aspect, reply_to)
        case cb.NoneOfThese():
            await answer_query(query)
            if isinstance(query.message, Message):
                await _none_of_these(update, context, query.message)


async def _vote(context: Context, query: CallbackQuery, vote: cb.Vote) -> None:
    message = query.message
    if not isinstance(message, Message):
        return
    svc = services(context)
    question_message = message.reply_to_message
    vote_id = await asyncio.to_thread(
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
    await answer_query(query, texts.VOTE_THANKS)
    remaining = keyboards.without_votes(message.reply_markup, vote.entry, vote.aspect)
    try:
        await telegram_call(lambda: message.edit_reply_markup(remaining))
    except BadRequest as exc:
        log.info("vote buttons not removed: %s", exc)
    if not vote.helpful:
        prompt = await send_html(
            context.bot,
            message.chat_id,
            [html.escape(texts.VOTE_ASK_WHY, quote=False)],
            ForceReply(selective=True, input_field_placeholder=texts.VOTE_PLACEHOLDER),
            reply_to=message.message_id,
        )
        await asyncio.to_thread(votes.await_comment, svc.engine, vote_id, prompt.message_id)


async def _none_of_these(update: Update, context: Context, message: Message) -> None:
    """None of the choices fit: record the question for staff and say who can help."""
    svc = services(context)
    asked = message.reply_to_message.text if message.reply_to_message else None
    if asked:
        await asyncio.to_thread(svc.desk.record_unanswered, Match.unanswered(asked))
    card = svc.desk.cannot_answer()
    await show(update, context, card_html(card), Markup([keyboards.home_row(cb.Menu())]))
