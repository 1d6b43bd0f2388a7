"""Complaints in Telegram: the resident's guided intake and status, the officers' cards.

Thin adapters over `knowledge.complaints.store` (which owns the lifecycle) and
`knowledge.complaints.drafts` (which keeps half-written complaints and officers' pending
answers in the database). Every button is checked on the server: a resident
acts only on their own complaint and draft, an officer only within their role.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
import re
from typing import Any

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from handlers.render import text_html
from handlers.send import Context, send_html, telegram_call
from handlers.services import Services, note, services
from knowledge import texts
from knowledge.charts.complaints import report_chart
from knowledge.complaints import deadlines, drafts, outbox
from knowledge.complaints import store as cs
from knowledge.complaints.lifecycle import (
    ACTION_LABELS,
    EVENT_LABELS,
    ROLE_LABELS,
    RULES,
    STATE_LABELS,
    SUPERVISION,
    Action,
    Policy,
    Role,
    State,
    TransitionRefused,
)
from knowledge.complaints.report import figures, message
from knowledge.db.models import Complaint
from knowledge.privacy import mask

log = logging.getLogger(__name__)
Markup = InlineKeyboardMarkup

PHOTO_LIMIT = 3
PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
STEPS = ("what", "office", "when", "photos", "phone", "identity")
OPTIONAL = frozenset({"office", "when", "phone"})
PROMPTS = {
    "what": texts.INTAKE_WHAT,
    "office": texts.INTAKE_OFFICE,
    "when": texts.INTAKE_WHEN,
    "photos": texts.INTAKE_PHOTOS.format(limit=PHOTO_LIMIT),
    "phone": texts.INTAKE_PHONE,
    "identity": texts.INTAKE_IDENTITY,
}
# Officers' card buttons, in order; each is checked against the lifecycle table.
CARD_ACTIONS = (
    Action.CLAIM,
    Action.TRANSFER,
    Action.NOTE,
    Action.DRAFT_REPLY,
    Action.REQUEST_EXTENSION,
    Action.CLOSE,
)
# Actions that leave the officers' card as it reads (Telegram refuses an unchanged edit).
CARD_UNCHANGED = frozenset({Action.NOTE, Action.REQUEST_EXTENSION, Action.REFUSE_EXTENSION})
NEEDS_TEXT = {
    Action.TRANSFER: "请回复这条消息：转办给哪个科室，以及理由（格式：科室：理由）。",
    Action.NOTE: "请回复这条消息，写下内部备注（居民看不到）。",
    Action.DRAFT_REPLY: "请回复这条消息，写下给居民的答复（督查小组审核后发出）。",
    Action.CLOSE: "请回复这条消息，写下办结结果。",
    Action.RETURN_REPLY: "请回复这条消息，写下退回答复的理由。",
    Action.REQUEST_EXTENSION: "请回复这条消息，写下申请延期的理由（督查小组批准后生效）。",
    Action.REFUSE_EXTENSION: "请回复这条消息，写下不同意延期的理由。",
}


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _china_date(moment: dt.datetime) -> str:
    """A due moment (the midnight after the last working day) as that last day."""
    last = (moment - dt.timedelta(seconds=1)).astimezone(cs.CHINA)
    return f"{last.year}年{last.month}月{last.day}日"


async def _save_draft(
    svc: Services, chat_id: int, user_id: int, step: str, data: dict[str, Any]
) -> None:
    await asyncio.to_thread(drafts.save, svc.engine, chat_id, user_id, step, data)
    svc.draft_chats.add(chat_id)


async def _discard_draft(svc: Services, chat_id: int) -> bool:
    svc.draft_chats.discard(chat_id)
    return await asyncio.to_thread(drafts.discard, svc.engine, chat_id)


# -- resident: intake ------------------------------------------------------------------


def _step_markup(step: str) -> Markup | None:
    if step == "identity":
        return Markup(
            [[_button(label, f"k:id:{key}")] for key, label in texts.IDENTITY_LABELS.items()]
            + [[_button(texts.BUTTON_CANCEL, "k:cancel")]]
        )
    row = []
    if step in OPTIONAL:
        row.append(_button(texts.BUTTON_SKIP, "k:skip"))
    if step == "photos":
        row.append(_button(texts.BUTTON_PHOTOS_DONE, "k:skip"))
    row.append(_button(texts.BUTTON_CANCEL, "k:cancel"))
    return Markup([row])


def _summary(data: dict[str, Any]) -> str:
    lines = [texts.INTAKE_SUMMARY]
    for field in STEPS:
        value = data.get(field)
        if field == "photos":
            value = f"{len(value)} 张" if value else None
        if field == "identity" and value:
            value = texts.IDENTITY_LABELS.get(str(value), str(value))
        lines.append(f"• {texts.FIELD_LABELS[field]}：{value or '（未填）'}")
    return "\n".join(lines)


def _summary_markup() -> Markup:
    return Markup(
        [
            [_button(texts.BUTTON_SUBMIT, "k:confirm")],
            [_button(texts.BUTTON_EDIT, "k:edit"), _button(texts.BUTTON_CANCEL, "k:cancel")],
        ]
    )


async def _ask(context: Context, chat_id: int, step: str, data: dict[str, Any]) -> None:
    if step == "confirm":
        await send_html(context.bot, chat_id, text_html(_summary(data)), _summary_markup())
    else:
        await send_html(context.bot, chat_id, text_html(PROMPTS[step]), _step_markup(step))


def _next_step(step: str, data: dict[str, Any]) -> str:
    """After a step: the next one, or back to the summary when the resident was editing."""
    if data.get("editing"):
        return "confirm"
    index = STEPS.index(step)
    return STEPS[index + 1] if index + 1 < len(STEPS) else "confirm"


async def start_intake(update: Update, context: Context) -> None:
    """/complain, the menu's button, or 是 after "您是要投诉吗？"."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    if chat.type != ChatType.PRIVATE:
        await send_html(context.bot, chat.id, text_html(texts.INTAKE_PRIVATE_ONLY))
        return
    if update.callback_query is not None:
        await _answer(update.callback_query.answer())
    svc = services(context)
    await _save_draft(svc, chat.id, user.id, "what", {})
    await _ask(context, chat.id, "what", {})
    note(kind="complaint-start")


async def intake_message(update: Update, context: Context) -> bool:
    """A message while the resident has a draft: the answer to the current step."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.chat.type != ChatType.PRIVATE:
        return False
    svc = services(context)
    if message.chat_id not in svc.draft_chats:
        return False  # most messages: no draft, and no database round trip to learn it
    draft = await asyncio.to_thread(drafts.get, svc.engine, message.chat_id)
    if draft is None or draft.user_id != user.id or draft.step in ("identity", "confirm"):
        return False
    data, step = dict(draft.data), draft.step
    text = (message.text or message.caption or "").strip()
    note(kind="complaint-intake", step=step)
    if step == "photos":
        if not message.photo:
            return False  # a typed question while photos are awaited is a question
        photos = [*data.get("photos", []), message.photo[-1].file_id][:PHOTO_LIMIT]
        data["photos"] = photos
        if len(photos) < PHOTO_LIMIT:
            await _save_draft(svc, message.chat_id, user.id, step, data)
            reply = texts.INTAKE_PHOTO_SAVED.format(count=len(photos))
            await send_html(context.bot, message.chat_id, text_html(reply), _step_markup(step))
            return True
    elif step == "what":
        if len(text) < 5:
            await send_html(context.bot, message.chat_id, text_html(texts.INTAKE_WHAT_TOO_SHORT))
            return True
        data["what"] = text[:2000]
    elif step == "phone":
        number = re.sub(r"[\s()（）]", "", text)
        if not PHONE.match(number):
            await send_html(
                context.bot,
                message.chat_id,
                text_html(texts.INTAKE_PHONE_INVALID),
                _step_markup(step),
            )
            return True
        data["phone"] = number
    else:
        if not text:
            return False
        data[step] = text[:200]
    following = _next_step(step, data)
    if following == "confirm":
        data.pop("editing", None)
    await _save_draft(svc, message.chat_id, user.id, following, data)
    await _ask(context, message.chat_id, following, data)
    return True


async def intake_button(update: Update, context: Context) -> None:
    """k:… buttons: skip, identity, confirm, edit, cancel — only on the resident's own draft."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    chat_id = query.message.chat_id
    svc = services(context)
    data_str = query.data or ""
    if data_str == "k:start":
        await start_intake(update, context)
        return
    if data_str == "k:no":
        await _answer(query.answer())
        await send_html(context.bot, chat_id, text_html(texts.SMALLTALK_REPLY))
        return
    key = f"tg:{chat_id}:cb:{query.id}"
    if data_str == "k:confirm":
        done = await asyncio.to_thread(cs.find_by_key, svc.engine, key)
        if done is not None and done.user_id == user.id:
            # The same confirmation again (a replay after a crash): the complaint
            # exists once; make sure the resident has its ticket number.
            await _answer(query.answer())
            await _acknowledge(context, done)
            return
    draft = await asyncio.to_thread(drafts.get, svc.engine, chat_id)
    if draft is None or draft.user_id != user.id:
        log.warning("refused intake button %r from %s: no draft of theirs", data_str, user.id)
        await _answer(query.answer(texts.STALE_BUTTON))
        return
    data, step = dict(draft.data), draft.step
    await _answer(query.answer())
    note(kind="complaint-button", data=data_str)
    if data_str == "k:cancel":
        await _discard_draft(svc, chat_id)
        await send_html(context.bot, chat_id, text_html(texts.INTAKE_CANCELLED))
        return
    if data_str == "k:skip" and (step in OPTIONAL or step == "photos"):
        following = _next_step(step, data)
    elif data_str.startswith("k:id:") and step == "identity":
        identity = data_str.removeprefix("k:id:")
        if identity not in texts.IDENTITY_LABELS:
            return
        data["identity"] = identity
        following = "confirm"
    elif data_str == "k:edit" and step == "confirm":
        buttons = [[_button(texts.FIELD_LABELS[f], f"k:edit:{f}")] for f in STEPS]
        await send_html(context.bot, chat_id, text_html(texts.INTAKE_EDIT_WHICH), Markup(buttons))
        return
    elif data_str.startswith("k:edit:") and step == "confirm":
        field = data_str.removeprefix("k:edit:")
        if field not in STEPS:
            return
        data["editing"] = True
        if field == "photos":
            data["photos"] = []
        following = field
    elif data_str == "k:confirm" and step == "confirm":
        await _confirm(update, context, data, key)
        return
    else:
        return  # a button from an earlier step: the draft has moved on
    if following == "confirm":
        data.pop("editing", None)
    await _save_draft(svc, chat_id, user.id, following, data)
    await _ask(context, chat_id, following, data)


async def _confirm(update: Update, context: Context, data: dict[str, Any], key: str) -> None:
    """Commit the complaint, then (and only then) tell the resident its ticket number."""
    user, chat = update.effective_user, update.effective_chat
    assert user is not None and chat is not None
    svc = services(context)
    identity = str(data.get("identity") or "public")
    submission = cs.Submission(
        summary=str(data.get("what", "")),
        channel="telegram",
        kind="report" if identity == "sealed" else "complaint",
        named_office=data.get("office"),
        happened=data.get("when"),
        photos=tuple(data.get("photos", [])),
        contact_phone=data.get("phone"),
        identity=identity,
        chat_id=chat.id,
        user_id=user.id,
        resident_name=user.full_name,
    )
    complaint, created = await asyncio.to_thread(
        cs.submit, svc.engine, submission, key=key, calendar=svc.calendar, policy=svc.policy
    )
    await _discard_draft(svc, chat.id)
    note(kind="complaint-submitted", ticket=complaint.ticket, new=created)
    await _acknowledge(context, complaint)


async def _acknowledge(context: Context, complaint: Complaint) -> None:
    """The ticket number and due dates to the resident; the card to the officers once."""
    assert complaint.chat_id is not None
    ack = texts.COMPLAINT_ACK.format(
        kind=texts.KIND_LABELS.get(complaint.kind, "投诉"),
        ticket=complaint.ticket,
        claim_due=_china_date(complaint.due_claim),
        reply_due=_china_date(complaint.due_reply),
    )
    svc = services(context)
    # Through the outbox, keyed by ticket: a replayed confirmation queues nothing twice,
    # and a send that fails is retried until it is delivered.
    await asyncio.to_thread(
        outbox.post,
        svc.engine,
        complaint.chat_id,
        text_html(ack)[0],
        kind="ack",
        ticket=complaint.ticket,
        key=f"ack:{complaint.ticket}",
    )
    # The status card: one message per complaint, edited in place at every public step.
    await asyncio.to_thread(
        outbox.post,
        svc.engine,
        complaint.chat_id,
        text_html(status_text(complaint))[0],
        kind="status",
        ticket=complaint.ticket,
        key=f"status:{complaint.ticket}",
    )
    await post_officer_card(context, complaint)


# -- resident: status --------------------------------------------------------------------


def status_text(complaint: Complaint) -> str:
    state = State(complaint.state)
    if state in (State.RECEIVED, State.REOPENED):
        due = f"{_china_date(complaint.due_claim)}前认领" if state is State.RECEIVED else ""
        due = due or f"{_china_date(complaint.due_reply)}前答复"
    elif state in (State.CLAIMED, State.REPLY_REVIEW):
        due = f"{_china_date(complaint.due_reply)}前答复"
    else:
        due = "—"
    return texts.STATUS_CARD.format(
        ticket=complaint.ticket,
        state=STATE_LABELS[state],
        office=complaint.responsible_office or "待分派",
        due=due,
    )


async def status(update: Update, context: Context) -> None:
    """/status [ticket] and /mycomplaints: the resident's own complaints only."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    svc = services(context)
    mine = await asyncio.to_thread(cs.of_resident, svc.engine, user.id)
    wanted = (context.args or [""])[0].upper() if context.args else ""
    if wanted:
        mine = [c for c in mine if c.ticket == wanted]
        if not mine:
            await send_html(context.bot, chat.id, text_html(texts.STATUS_NOT_FOUND))
            return
    if not mine:
        await send_html(context.bot, chat.id, text_html(texts.STATUS_NONE))
        return
    for complaint in mine[:10]:
        sent = await send_html(context.bot, chat.id, text_html(status_text(complaint)))
        await asyncio.to_thread(
            cs.annotate, svc.engine, complaint.ticket, status_message_id=sent.message_id
        )
    note(kind="status", count=len(mine))


async def tell_resident(
    context: Context, complaint: Complaint, step: str, reason: str = ""
) -> None:
    """A public step: a message to the resident, and their status card edited in place."""
    if complaint.chat_id is None or step not in texts.STEP_NOTICES:
        return
    svc = services(context)
    text = texts.STEP_NOTICES[step].format(
        ticket=complaint.ticket,
        office=complaint.responsible_office or "承办科室",
        due=_china_date(complaint.due_reply),
        reason=reason or "—",
        reply=complaint.reply_text or "",
        review_days=svc.policy.limits(complaint.category).review_window_days,
    )
    markup = None
    if step == "approve_reply":
        markup = _feedback_markup(complaint.ticket, "solved")
    elif step == "close":
        markup = Markup([[_button(texts.BUTTON_REVIEW, f"f:r:1:{complaint.ticket}")]])
    await asyncio.to_thread(
        outbox.post,
        svc.engine,
        complaint.chat_id,
        text_html(text)[0],
        kind="notice",
        markup=markup.to_dict() if markup else None,
        ticket=complaint.ticket,
        key=f"{complaint.ticket}:{step}:{complaint.updated_at.isoformat()}",
    )
    svc.outbox_wake.set()
    if complaint.status_message_id:
        try:
            await telegram_call(
                lambda: context.bot.edit_message_text(
                    text_html(status_text(complaint))[0],
                    chat_id=complaint.chat_id,
                    message_id=complaint.status_message_id,
                    parse_mode=ParseMode.HTML,
                )
            )
        except (BadRequest, Forbidden) as exc:
            log.info("status card of %s not edited: %s", complaint.ticket, exc)


def _feedback_markup(ticket: str, question: str) -> Markup:
    if question == "solved":
        return Markup(
            [
                [
                    _button(texts.BUTTON_SOLVED, f"f:s:1:{ticket}"),
                    _button(texts.BUTTON_UNSOLVED, f"f:s:0:{ticket}"),
                ]
            ]
        )
    return Markup(
        [
            [_button(label, f"f:m:{key}:{ticket}")]
            for key, label in texts.SATISFACTION_LABELS.items()
        ]
    )


async def feedback_button(update: Update, context: Context) -> None:
    """f:… buttons: solved?, then satisfied?

    Pressed by the resident under the reply to their own complaint, or by a hotline
    officer recording a phone 回访 on the task in the officers' group (the store
    refuses a 回访 that would change what the resident answered in the bot).
    """
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    parts = (query.data or "").split(":")
    if len(parts) != 4:
        await _answer(query.answer(texts.STALE_BUTTON))
        return
    _, question, value, ticket = parts
    svc = services(context)
    try:
        complaint = await asyncio.to_thread(cs.get, svc.engine, ticket)
    except cs.ComplaintNotFound:
        await _answer(query.answer(texts.STALE_BUTTON))
        return
    if complaint.user_id is not None and complaint.user_id == user.id:
        actor, prefix = cs.Actor(Role.RESIDENT, str(user.id)), ""
    else:
        role = svc.staff.role_for(user.id, Action.FEEDBACK)
        if role is None:
            log.warning("refused feedback on %s from user %s", ticket, user.id)
            refusal = texts.NOT_ALLOWED if svc.staff.roles(user.id) else texts.NOT_YOURS
            await _answer(query.answer(refusal, show_alert=True))
            return
        actor, prefix = cs.Actor(role, str(user.id)), texts.FOLLOW_UP_PREFIX
    thanks = texts.FOLLOW_UP_RECORDED if prefix else texts.FEEDBACK_THANKS
    note(kind="complaint-feedback", ticket=ticket, question=question, value=value, by=actor.role)
    try:
        if question == "s" and value in ("0", "1"):
            label = texts.BUTTON_SOLVED if value == "1" else texts.BUTTON_UNSOLVED
            await _act(
                svc,
                ticket,
                Action.FEEDBACK,
                actor,
                cs.Change(solved=value == "1", reason=f"{prefix}{texts.FEEDBACK_SOLVED}{label}"),
            )
            await _answer(query.answer(thanks))
            await _drop_buttons(query.message)
            ask = texts.FOLLOW_UP_SATISFIED.format(ticket=ticket) if prefix else None
            await send_html(
                context.bot,
                query.message.chat_id,
                text_html(ask or texts.FEEDBACK_SATISFIED),
                _feedback_markup(ticket, "satisfied"),
            )
        elif question == "r":
            reviewed = await _act(svc, ticket, Action.REVIEW, actor, cs.Change())
            await _answer(query.answer(thanks))
            await _drop_buttons(query.message)
            await tell_resident(context, reviewed, "review")
            await refresh_officer_card(context, reviewed, "居民申请复核，请督查小组关注")
        elif question == "m" and value in texts.SATISFACTION_LABELS:
            label = texts.SATISFACTION_LABELS[value]
            updated = await _act(
                svc,
                ticket,
                Action.FEEDBACK,
                actor,
                cs.Change(satisfaction=value, reason=f"{prefix}{texts.FEEDBACK_SATISFIED}{label}"),
            )
            await _answer(query.answer(thanks))
            await _drop_buttons(query.message)
            await _after_rating(context, updated, actor, prefix)
        else:
            await _answer(query.answer(texts.STALE_BUTTON))
    except TransitionRefused as refused:
        await _answer(query.answer(str(refused), show_alert=True))


async def _after_rating(context: Context, updated: Complaint, actor: cs.Actor, prefix: str) -> None:
    """Both answers in: close, or reopen once, or close flagged for the supervision group."""
    svc = services(context)
    ticket = updated.ticket
    unhappy = updated.solved is False or updated.satisfaction == "unsatisfied"
    if unhappy and updated.reopen_count:
        # Reopened once already: close it for the supervision group to look at;
        # the resident can still ask for a 复核 within the window.
        result = prefix + texts.CLOSED_STILL_UNSATISFIED
        closed = await _act(
            svc, ticket, Action.CLOSE, cs.SYSTEM, cs.Change(result=result, flag=True)
        )
        await tell_resident(context, closed, "close")
        await refresh_officer_card(context, closed, texts.CLOSED_STILL_UNSATISFIED)
    elif unhappy:
        reopened = await _act(svc, ticket, Action.REOPEN, actor, cs.Change())
        await tell_resident(context, reopened, "reopen")
        await refresh_officer_card(context, reopened, "居民反馈未解决或不满意，已重新办理")
    else:
        result = prefix + texts.CLOSED_SATISFIED
        closed = await _act(svc, ticket, Action.CLOSE, cs.SYSTEM, cs.Change(result=result))
        await tell_resident(context, closed, "close")
        await refresh_officer_card(context, closed)


# -- officers --------------------------------------------------------------------------


def officer_card_text(complaint: Complaint) -> str:
    """The officers' view: the case, with personal data masked and no resident name."""
    lines = [
        f"【{complaint.ticket}】{texts.KIND_LABELS.get(complaint.kind, '投诉')} · "
        f"{STATE_LABELS[State(complaint.state)]}",
        f"渠道：{complaint.channel}　身份：{texts.IDENTITY_LABELS.get(complaint.identity, '')}",
        f"内容：{mask(complaint.summary)}",
    ]
    if complaint.named_office:
        lines.append(f"涉及：{mask(complaint.named_office)}")
    if complaint.happened:
        lines.append(f"时间：{complaint.happened}")
    if complaint.photos:
        lines.append(f"照片：{len(complaint.photos)} 张")
    if complaint.contact_phone and complaint.identity != "sealed":
        lines.append(f"电话：{mask(complaint.contact_phone)}")
    claim, reply = _china_date(complaint.due_claim), _china_date(complaint.due_reply)
    lines.append(f"认领期限：{claim}　答复期限：{reply}")
    if complaint.responsible_office:
        lines.append(f"承办：{complaint.responsible_office}")
    if complaint.draft_reply and State(complaint.state) is State.REPLY_REVIEW:
        lines.append(f"待审核答复：{complaint.draft_reply}")
    if complaint.flagged:
        lines.append("⚠️ 请督查小组关注")
    return "\n".join(lines)


def officer_markup(complaint: Complaint) -> Markup:
    state = State(complaint.state)
    actions = list(CARD_ACTIONS)
    if state is State.REPLY_REVIEW:
        actions = [Action.APPROVE_REPLY, Action.RETURN_REPLY, Action.NOTE]
    buttons = [
        _button(ACTION_LABELS[a], f"o:{a.value}:{complaint.ticket}")
        for a in actions
        if state in RULES[a].sources
    ]
    return Markup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])


async def post_officer_card(context: Context, complaint: Complaint) -> None:
    """Queue the complaint's card for the officers' group (once per ticket)."""
    svc = services(context)
    chat_id = svc.staff.officers_chat_id
    if chat_id is None:
        log.warning("no SUNSHINE_OFFICERS_CHAT_ID: complaint %s not posted", complaint.ticket)
    else:
        await asyncio.to_thread(
            outbox.post,
            svc.engine,
            chat_id,
            text_html(officer_card_text(complaint))[0],
            kind="card",
            markup=officer_markup(complaint).to_dict(),
            ticket=complaint.ticket,
            key=f"card:{complaint.ticket}",
        )
    svc.outbox_wake.set()


async def refresh_officer_card(
    context: Context, complaint: Complaint, line: str = "", *, card_id: int | None = None
) -> None:
    """Edit the officers' card in place (`card_id`: the card a button was pressed on)."""
    svc = services(context)
    chat_id = svc.staff.officers_chat_id
    card_id = card_id or complaint.officer_card_id
    if chat_id is None or card_id is None:
        return
    text = officer_card_text(complaint) + (f"\n{line}" if line else "")
    try:
        await telegram_call(
            lambda: context.bot.edit_message_text(
                text_html(text)[0],
                chat_id=chat_id,
                message_id=card_id,
                parse_mode=ParseMode.HTML,
                reply_markup=officer_markup(complaint),
            )
        )
    except BadRequest as exc:
        log.info("officer card of %s not edited: %s", complaint.ticket, exc)


async def officer_button(update: Update, context: Context) -> None:
    """o:<action>:<ticket>: checked against the presser's role and the lifecycle."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    svc = services(context)
    parts = (query.data or "").split(":")
    try:
        action = Action(parts[1]) if len(parts) == 3 else None
    except ValueError:
        action = None
    if action is None:
        log.warning("refused forged officer callback %r from %s", query.data, user.id)
        await _answer(query.answer(texts.STALE_BUTTON))
        return
    ticket = parts[2]
    role = svc.staff.role_for(user.id, action)
    note(kind="officer-button", action=action.value, ticket=ticket, role=role)
    if role is None:
        log.warning("refused %s on %s by user %s: not allowed", action.value, ticket, user.id)
        await _answer(query.answer(texts.NOT_ALLOWED, show_alert=True))
        return
    if action in NEEDS_TEXT:
        await _answer(query.answer())
        prompt = await send_html(
            context.bot,
            query.message.chat_id,
            text_html(f"{ticket} · {ACTION_LABELS[action]}\n{NEEDS_TEXT[action]}"),
            ForceReply(selective=True),
            reply_to=query.message.message_id,
        )
        await asyncio.to_thread(
            drafts.ask_officer,
            svc.engine,
            query.message.chat_id,
            prompt.message_id,
            user.id,
            ticket,
            action.value,
        )
        return
    change = cs.Change(office=svc.staff.office_of(user.id) or "民政局监督咨询办公室")
    try:
        updated = await _act(svc, ticket, action, cs.Actor(role, str(user.id)), change)
    except (TransitionRefused, cs.ComplaintNotFound) as refused:
        log.warning("refused %s on %s by user %s: %s", action.value, ticket, user.id, refused)
        await _answer(query.answer(str(refused), show_alert=True))
        return
    await _answer(query.answer(f"已{ACTION_LABELS[action]}"))
    if action is Action.APPROVE_EXTENSION:
        await _drop_buttons(query.message)
        await refresh_officer_card(context, updated)
        reason = await asyncio.to_thread(_last_reason, svc, updated, Action.REQUEST_EXTENSION)
        await tell_resident(context, updated, action.value, reason)
        return
    await refresh_officer_card(context, updated, card_id=query.message.message_id)
    await tell_resident(context, updated, action.value)
    if action is Action.APPROVE_REPLY and deadlines.needs_phone(updated):
        svc.deadline_wake.set()  # the hotline's 回访 task, now rather than at the next scan


def _last_reason(svc: Services, complaint: Complaint, action: Action) -> str:
    assert complaint.id is not None
    events = cs.history(svc.engine, complaint.id)
    return next((e.reason or "" for e in reversed(events) if e.action == action.value), "")


async def officer_reply(update: Update, context: Context) -> bool:
    """An officer's reply to one of the bot's prompts: the text of that action."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or message.reply_to_message is None:
        return False
    svc = services(context)
    prompt = await asyncio.to_thread(
        drafts.officer_prompt, svc.engine, message.chat_id, message.reply_to_message.message_id
    )
    if prompt is None:
        return False
    if prompt.user_id != user.id:
        log.warning("refused an answer to %s's prompt from %s", prompt.user_id, user.id)
        return True
    action = Action(prompt.action)
    role = svc.staff.role_for(user.id, action)
    if role is None:
        return True
    text = (message.text or "").strip()
    change = cs.Change(reason=text)
    if action is Action.TRANSFER:
        office, _, why = text.replace(":", "：").partition("：")
        change = cs.Change(reason=why.strip() or text, office=office.strip() or None)
    elif action is Action.DRAFT_REPLY:
        change = cs.Change(reply=text)
    elif action is Action.CLOSE:
        change = cs.Change(result=text)
    note(kind="officer-answer", action=action.value, ticket=prompt.ticket)
    try:
        updated = await _act(svc, prompt.ticket, action, cs.Actor(role, str(user.id)), change)
    except (TransitionRefused, cs.ComplaintNotFound) as refused:
        await send_html(
            context.bot, message.chat_id, text_html(str(refused)), reply_to=message.message_id
        )
        return True
    await asyncio.to_thread(
        drafts.answered, svc.engine, message.chat_id, message.reply_to_message.message_id
    )
    done = f"{updated.ticket} 已{ACTION_LABELS[action]}。"
    await send_html(context.bot, message.chat_id, text_html(done), reply_to=message.message_id)
    if action not in CARD_UNCHANGED:
        await refresh_officer_card(context, updated)
    await tell_resident(context, updated, action.value, change.reason)
    if action is Action.REQUEST_EXTENSION:
        await _ask_extension_approval(context, message.chat_id, updated, change.reason)
    return True


async def _ask_extension_approval(
    context: Context, chat_id: int, complaint: Complaint, reason: str
) -> None:
    """The supervision group decides: 批准延期 or 不同意 (both checked against roles)."""
    text = texts.EXTENSION_REQUEST.format(
        ticket=complaint.ticket, due=_china_date(complaint.due_reply), reason=reason
    )
    buttons = [
        _button(ACTION_LABELS[a], f"o:{a.value}:{complaint.ticket}")
        for a in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION)
    ]
    await send_html(context.bot, chat_id, text_html(text), Markup([buttons]))


async def intake(update: Update, context: Context) -> None:
    """/intake [phone] what happened — a hotline officer registers a phone or walk-in complaint.

    Same queue, ticket numbers and time limits; the resident has no chat, so the
    officer follows up by phone and records the outcome when closing.
    """
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    roles = svc.staff.roles(user.id)
    if not roles & {Role.HOTLINE, Role.SUPERVISOR, Role.LEADER}:
        log.warning("refused /intake from user %s", user.id)
        await send_html(context.bot, message.chat_id, text_html(texts.NOT_ALLOWED))
        return
    words = list(context.args or [])
    phone = None
    if words and PHONE.match(words[0]):
        phone = words.pop(0)
    summary = " ".join(words).strip()
    if len(summary) < 5:
        await send_html(context.bot, message.chat_id, text_html(texts.INTAKE_USAGE))
        return
    submission = cs.Submission(summary=summary[:2000], channel="phone", contact_phone=phone)
    key = f"tg:{message.chat_id}:msg:{message.message_id}"
    complaint, _ = await asyncio.to_thread(
        cs.submit, svc.engine, submission, key=key, calendar=svc.calendar, policy=svc.policy
    )
    note(kind="intake", ticket=complaint.ticket)
    reply = texts.INTAKE_REGISTERED.format(
        ticket=complaint.ticket,
        claim_due=_china_date(complaint.due_claim),
        reply_due=_china_date(complaint.due_reply),
    )
    await send_html(context.bot, message.chat_id, text_html(reply), reply_to=message.message_id)
    if complaint.officer_card_id is None:
        await post_officer_card(context, complaint)


async def report(update: Update, context: Context) -> None:
    """/report [YYYY-MM] for the supervision group: the monthly figures and a chart."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    svc = services(context)
    if not svc.staff.roles(user.id) & {Role.SUPERVISOR, Role.LEADER}:
        log.warning("refused /report from user %s", user.id)
        await send_html(context.bot, chat.id, text_html(texts.NOT_ALLOWED))
        return
    month = (context.args or [dt.datetime.now(dt.UTC).strftime("%Y-%m")])[0]
    try:
        monthly = await asyncio.to_thread(
            figures.monthly_report, svc.engine, month, calendar=svc.calendar
        )
    except ValueError:
        await send_html(context.bot, chat.id, text_html(texts.REPORT_USAGE))
        return
    await send_html(context.bot, chat.id, text_html(message.report_text(monthly)))
    chart = await asyncio.to_thread(report_chart, monthly)
    await telegram_call(
        functools.partial(context.bot.send_photo, chat.id, chart, caption=f"投诉办理月报 {month}")
    )
    note(kind="report", month=month)


async def cancel(update: Update, context: Context) -> None:
    """/cancel: drop the complaint being written, at any step."""
    chat = update.effective_chat
    if chat is None:
        return
    dropped = await _discard_draft(services(context), chat.id)
    reply = texts.INTAKE_CANCELLED if dropped else texts.INTAKE_NOTHING_TO_CANCEL
    await send_html(context.bot, chat.id, text_html(reply))
    note(kind="cancel", dropped=dropped)


async def queue(update: Update, context: Context) -> None:
    """/queue for officers: open complaints by due time."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    svc = services(context)
    if not svc.staff.roles(user.id):
        await send_html(context.bot, chat.id, text_html(texts.NOT_ALLOWED))
        return
    rows = await asyncio.to_thread(cs.listing, svc.engine, open_only=True)
    lines = [
        f"{c.ticket} {STATE_LABELS[State(c.state)]} 答复期限 {_china_date(c.due_reply)}"
        for c in rows[:50]
    ] or ["没有待办投诉。"]
    await send_html(context.bot, chat.id, text_html("\n".join(lines), heading="待办投诉"))


async def ticket(update: Update, context: Context) -> None:
    """/ticket N for officers: the case and its full audit trail."""
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return
    svc = services(context)
    roles = svc.staff.roles(user.id)
    if not roles or not context.args:
        await send_html(context.bot, chat.id, text_html(texts.NOT_ALLOWED))
        return
    try:
        complaint = await asyncio.to_thread(cs.get, svc.engine, context.args[0])
    except cs.ComplaintNotFound:
        await send_html(context.bot, chat.id, text_html(texts.STATUS_NOT_FOUND))
        return
    assert complaint.id is not None
    events = await asyncio.to_thread(cs.history, svc.engine, complaint.id)
    lines = [officer_card_text(complaint), "", "办理记录："]
    for e in events:
        why = f"（{mask(e.reason)}）" if e.reason else ""
        role = ROLE_LABELS.get(e.actor_role, e.actor_role)
        what = EVENT_LABELS.get(e.action, e.action)
        lines.append(f"{e.at.astimezone(cs.CHINA):%m-%d %H:%M} {role} {what}{why}")
    if complaint.identity == "sealed" and roles & {Role.SUPERVISOR, Role.LEADER}:
        lines.append(f"举报人（仅督查小组可见）：{complaint.resident_name or '—'}")
    await send_html(context.bot, chat.id, text_html("\n".join(lines)))


# -- phone 回访 -------------------------------------------------------------------------


def follow_up_task(complaint: Complaint, policy: Policy) -> tuple[str, Markup | None]:
    """The hotline's 回访 task for a reply the resident cannot or did not rate in the bot."""
    if complaint.chat_id is None:
        why = texts.FOLLOW_UP_WHY["phone"]
    elif complaint.unreachable:
        why = texts.FOLLOW_UP_WHY["unreachable"]
    else:
        days = policy.limits(complaint.category).feedback_days
        why = texts.FOLLOW_UP_WHY["silent"].format(days=days)
    if not complaint.contact_phone:
        phone = texts.FOLLOW_UP_NO_PHONE
    elif complaint.identity == "sealed":
        phone = texts.SEALED_PHONE
    else:
        phone = mask(complaint.contact_phone)
    text = texts.FOLLOW_UP_TASK.format(
        ticket=complaint.ticket, why=why, reply=complaint.reply_text or "—", phone=phone
    )
    if not complaint.contact_phone:
        return text, None
    rows = [[_button(texts.BUTTON_SHOW_PHONE, f"p:{complaint.ticket}")]]
    rows += [list(row) for row in _feedback_markup(complaint.ticket, "solved").inline_keyboard]
    return text, Markup(rows)


async def show_phone(update: Update, context: Context) -> None:
    """p:<ticket>: the full number, to the hotline officer who calls, and into the audit trail.

    Shown as an alert only the presser sees; a sealed reporter's number only to
    the supervision group.
    """
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    svc = services(context)
    ticket = (query.data or "").removeprefix("p:")
    try:
        complaint = await asyncio.to_thread(cs.get, svc.engine, ticket)
    except cs.ComplaintNotFound:
        await _answer(query.answer(texts.STALE_BUTTON))
        return
    allowed = SUPERVISION if complaint.identity == "sealed" else {Role.HOTLINE, *SUPERVISION}
    role = svc.staff.role_for(user.id, Action.NOTE)
    if role is None or not svc.staff.roles(user.id) & allowed:
        log.warning("refused the phone number of %s to user %s", ticket, user.id)
        await _answer(query.answer(texts.NOT_ALLOWED, show_alert=True))
        return
    if not complaint.contact_phone:
        await _answer(query.answer(texts.NO_PHONE, show_alert=True))
        return
    note(kind="show-phone", ticket=ticket)
    change = cs.Change(reason=texts.SHOW_PHONE_NOTE)
    await _act(svc, ticket, Action.NOTE, cs.Actor(role, str(user.id)), change)
    shown = texts.SHOW_PHONE.format(ticket=ticket, phone=complaint.contact_phone)
    await _answer(query.answer(shown, show_alert=True))


# -- deadlines -----------------------------------------------------------------------------


def notice_text(notice: deadlines.Notice, staff_leader: int | None) -> str:
    """A reminder for whoever has the complaint, or a 督办 for the supervision group."""
    which = "认领" if notice.deadline == "claim" else "答复"
    if notice.kind == "duban":
        who = f'<a href="tg://user?id={staff_leader}">督查小组</a>' if staff_leader else "督查小组"
        return texts.DUBAN_NOTICE.format(
            ticket=notice.ticket, which=which, days=notice.days_overdue, who=who
        )
    share = notice.kind.removeprefix("remind-")
    who = (
        f'<a href="tg://user?id={notice.assignee_id}">承办人</a>'
        if notice.assignee_id
        else "值班人员"
    )
    return texts.DEADLINE_REMINDER.format(
        ticket=notice.ticket, which=which, share=share, due=_china_date(notice.due), who=who
    )


async def watch_deadlines(
    application: Application[Any, Any, Any, Any, Any, Any], every: float
) -> None:
    """Queue due reminders, 督办 notices and 回访 tasks every `every` seconds, or when woken."""
    svc: Services = application.bot_data["services"]
    chat_id = svc.staff.officers_chat_id
    while True:
        try:
            if chat_id is not None:
                due = await asyncio.to_thread(
                    deadlines.pending, svc.engine, svc.calendar, policy=svc.policy
                )
                for notice in due:
                    await _queue_notice(svc, chat_id, notice)
                svc.outbox_wake.set()
        except Exception:  # the watcher must outlive any single failure
            log.exception("deadline notices not queued; trying again later")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(svc.deadline_wake.wait(), timeout=every)
        svc.deadline_wake.clear()


async def _queue_notice(svc: Services, group: int, notice: deadlines.Notice) -> None:
    """Into the outbox, then marked sent (so it is queued once, and never lost)."""
    markup: Markup | None = None
    target = group
    if notice.kind == "follow-up":
        complaint = await asyncio.to_thread(cs.get, svc.engine, notice.ticket)
        text, markup = follow_up_task(complaint, svc.policy)
    else:
        text = notice_text(notice, svc.staff.leader)
        # Reminders go to whoever has the complaint (the group if nobody does, or
        # if they never opened a chat with the bot); 督办 to the group.
        if notice.kind.startswith("remind-") and notice.assignee_id is not None:
            target = notice.assignee_id
    await asyncio.to_thread(
        outbox.post,
        svc.engine,
        target,
        text,
        kind="follow-up" if notice.kind == "follow-up" else "reminder",
        markup=markup.to_dict() if markup else None,
        ticket=notice.ticket,
        key=notice.key,
    )
    await asyncio.to_thread(deadlines.mark_sent, svc.engine, notice)
    log.info("%s for %s queued", notice.kind, notice.ticket)


# -- plumbing ----------------------------------------------------------------------------


async def _act(
    svc: Services, ticket: str, action: Action, actor: cs.Actor, change: cs.Change
) -> Complaint:
    return await asyncio.to_thread(
        cs.act, svc.engine, ticket, action, actor, change, calendar=svc.calendar, policy=svc.policy
    )


async def _answer(call: Any) -> None:
    try:
        await call
    except BadRequest as exc:
        log.info("callback query could not be answered: %s", exc)


async def _drop_buttons(message: Message) -> None:
    try:
        await telegram_call(lambda: message.edit_reply_markup(None))
    except TelegramError as exc:
        log.info("buttons not removed: %s", exc)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Complaint handlers, added before the residents' question and button handlers."""
    application.add_handler(CommandHandler(["complain", "complaint"], start_intake))
    application.add_handler(CommandHandler(["status", "mycomplaints"], status))
    application.add_handler(CommandHandler("cancel", cancel))
    application.add_handler(CommandHandler("queue", queue))
    application.add_handler(CommandHandler("intake", intake))
    application.add_handler(CommandHandler("report", report))
    application.add_handler(CommandHandler("ticket", ticket))
    application.add_handler(CallbackQueryHandler(intake_button, pattern=r"^k:"))
    application.add_handler(CallbackQueryHandler(officer_button, pattern=r"^o:"))
    application.add_handler(CallbackQueryHandler(feedback_button, pattern=r"^f:"))
    application.add_handler(CallbackQueryHandler(show_phone, pattern=r"^p:"))
