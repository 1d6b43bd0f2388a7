"""What each change of a complaint tells whom: the messages it causes, as `Outgoing` data.

The store calls these inside the transaction of the change and queues what
they return, so the change and its messages are committed together. Keys are
derived from the audit event that records the change: the same change never
queues its messages twice.
"""

from __future__ import annotations

from knowledge.complaints import outbox, views
from knowledge.complaints.outbox import AwaitedAnswer, Keyboard, Outgoing
from knowledge.complaints.policy import Bureau
from knowledge.complaints.vocabulary import Action, Message, Place, Press
from knowledge.db.models import Complaint
from knowledge.texts import complaints as texts
from knowledge.texts import staff


def on_submit(complaint: Complaint, bureau: Bureau) -> list[Outgoing]:
    """A new complaint: its ticket number and status card to the resident, its card to the group."""
    out: list[Outgoing] = []
    t = complaint.ticket
    if complaint.chat_id is not None:
        out.append(
            Outgoing(
                complaint.chat_id, views.acknowledgement(complaint), Message.ACK, t, f"ack:{t}"
            )
        )
        out.append(
            Outgoing(
                complaint.chat_id,
                views.status_text(complaint),
                Message.STATUS,
                t,
                outbox.first_key(t, Place.STATUS_CARD),
            )
        )
    group = bureau.staff.officers_chat_id
    if group is not None:
        out.append(
            Outgoing(
                group,
                views.card_text(complaint),
                Message.CARD,
                t,
                outbox.first_key(t, Place.OFFICER_CARD),
                buttons=views.card_buttons(complaint),
            )
        )
    return out


def card_edit(complaint: Complaint, bureau: Bureau, event: int, line: str = "") -> list[Outgoing]:
    """The officers' card as it reads now, edited in place."""
    group = bureau.staff.officers_chat_id
    if group is None:
        return []
    return [
        Outgoing(
            group,
            views.card_text(complaint, line),
            Message.CARD,
            complaint.ticket,
            f"{complaint.ticket}:card:{event}",
            buttons=views.card_buttons(complaint),
            place=Place.OFFICER_CARD,
        )
    ]


def step_notice(
    complaint: Complaint,
    step: Action,
    bureau: Bureau,
    event: int,
    *,
    reason: str = "",
    buttons: Keyboard = (),
) -> list[Outgoing]:
    """A public step told to the resident, and their status card edited to match."""
    if complaint.chat_id is None:
        return []
    t = complaint.ticket
    text = texts.STEP_NOTICES[step].format(
        ticket=t,
        office=complaint.responsible_office or texts.DEFAULT_OFFICE,
        due=views.china_date(complaint.due_reply),
        reason=reason or texts.NO_REASON,
        reply=complaint.reply_text or "",
        review_days=bureau.limits(complaint.category).review_window_days,
    )
    return [
        Outgoing(complaint.chat_id, text, Message.NOTICE, t, f"{t}:{step.value}:{event}", buttons),
        Outgoing(
            complaint.chat_id,
            views.status_text(complaint),
            Message.STATUS,
            t,
            f"{t}:status:{event}",
            place=Place.STATUS_CARD,
        ),
    ]


def on_action(
    complaint: Complaint,
    action: Action,
    bureau: Bureau,
    event: int,
    *,
    reason: str = "",
    pressed: int | None = None,
) -> list[Outgoing]:
    """The messages one action of the lifecycle causes (`pressed`: the message it was on)."""
    t = complaint.ticket
    match action:
        case Action.CLAIM | Action.TRANSFER | Action.WITHDRAW:
            return card_edit(complaint, bureau, event) + step_notice(
                complaint, action, bureau, event
            )
        case Action.DRAFT_REPLY | Action.RETURN_REPLY:
            return card_edit(complaint, bureau, event)
        case Action.APPROVE_REPLY:
            rate = views.rating_buttons(t, Press.RATE_SOLVED)
            return card_edit(complaint, bureau, event) + step_notice(
                complaint, action, bureau, event, buttons=rate
            )
        case Action.REQUEST_EXTENSION:
            return _extension_request(complaint, bureau, event, reason)
        case Action.APPROVE_EXTENSION:
            out = card_edit(complaint, bureau, event)
            out += step_notice(complaint, action, bureau, event, reason=reason)
            if pressed is not None and bureau.staff.officers_chat_id is not None:
                out.append(_decided(complaint, bureau.staff.officers_chat_id, pressed, event))
            return out
        case Action.REOPEN:
            out = card_edit(complaint, bureau, event, staff.CARD_REOPENED)
            return out + step_notice(complaint, action, bureau, event)
        case Action.RECONSIDER:
            out = card_edit(complaint, bureau, event, staff.CARD_RECONSIDER)
            return out + step_notice(complaint, action, bureau, event)
        case Action.CLOSE:
            line = (
                staff.CLOSED_STILL_UNSATISFIED
                if complaint.flagged and complaint.reopen_count
                else ""
            )
            out = card_edit(complaint, bureau, event, line)
            return out + step_notice(
                complaint, action, bureau, event, buttons=views.reconsider_buttons(t)
            )
        case _:  # a note, a refused extension, a rating: nothing to tell
            return []


def _extension_request(
    complaint: Complaint, bureau: Bureau, event: int, reason: str
) -> list[Outgoing]:
    """The supervision group decides: 批准延期 or 不同意 (both checked against roles)."""
    group = bureau.staff.officers_chat_id
    if group is None:
        return []
    t = complaint.ticket
    text = staff.EXTENSION_REQUEST.format(
        ticket=t, due=views.china_date(complaint.due_reply), reason=reason
    )
    buttons = (
        tuple(
            views.officer_button(a, t) for a in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION)
        ),
    )
    return [Outgoing(group, text, Message.NOTICE, t, f"{t}:extension:{event}", buttons)]


def _decided(complaint: Complaint, group: int, pressed: int, event: int) -> Outgoing:
    """The extension request's buttons go once it is decided."""
    return Outgoing(
        group,
        "",
        Message.NOTICE,
        complaint.ticket,
        f"{complaint.ticket}:decided:{event}",
        edit_message_id=pressed,
    )


def without_buttons(chat_id: int, message_id: int, key: str, ticket: str) -> Outgoing:
    """A message's buttons removed, once they have been answered."""
    return Outgoing(chat_id, "", Message.NOTICE, ticket, key, edit_message_id=message_id)


def satisfaction_question(
    complaint: Complaint, chat_id: int, key: str, *, follow_up: bool
) -> Outgoing:
    """After 解决 / 未解决: 满意吗？ — to the resident, or in the group for a phone 回访."""
    t = complaint.ticket
    text = staff.FOLLOW_UP_SATISFIED.format(ticket=t) if follow_up else texts.RATE_SATISFIED
    buttons = views.rating_buttons(t, Press.RATE_SATISFIED)
    return Outgoing(chat_id, text, Message.NOTICE, t, key, buttons)


def confirmation(chat_id: int, reply_to: int, ticket: str, action: Action, key: str) -> Outgoing:
    """ "TS… 已转办。" under the officer's answer to a prompt."""
    text = staff.DONE.format(ticket=ticket, action=staff.ACTION_LABELS[action])
    return Outgoing(chat_id, text, Message.NOTICE, ticket, key, reply_to=reply_to)


def prompt(
    chat_id: int, user_id: int, ticket: str, action: Action, pressed: int, key: str
) -> Outgoing:
    """The question to an officer whose answer is the words of `action`."""
    text = staff.PROMPT.format(
        ticket=ticket, action=staff.ACTION_LABELS[action], prompt=staff.PROMPTS[action]
    )
    return Outgoing(
        chat_id,
        text,
        Message.PROMPT,
        ticket,
        key,
        reply_to=pressed,
        force_reply=True,
        awaits=AwaitedAnswer(user_id, ticket, action.value),
    )


def phone_follow_up_notice(complaint: Complaint, bureau: Bureau) -> list[Outgoing]:
    """The resident blocked the bot before a reply: the hotline is to call them."""
    group = bureau.staff.officers_chat_id
    if group is None:
        return []
    t = complaint.ticket
    return [
        Outgoing(
            group, staff.PHONE_FOLLOW_UP.format(ticket=t), Message.NOTICE, t, f"phone-follow-up:{t}"
        )
    ]
