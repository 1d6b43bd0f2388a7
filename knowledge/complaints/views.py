"""How a complaint reads: to its resident, on the officers' card, in /ticket and /queue.

Plain text from the sentences in `knowledge.texts`; the adapters escape and
render it. Personal data is masked for officers, and a sealed reporter's name
and number are shown only where `lifecycle.permitted` says so.
"""

from __future__ import annotations

import datetime as dt

from knowledge.complaints.calendar import CHINA, last_day
from knowledge.complaints.lifecycle import Permission, card_actions, permitted
from knowledge.complaints.outbox import Button, Keyboard
from knowledge.complaints.vocabulary import (
    Action,
    Channel,
    Identity,
    Kind,
    Press,
    Role,
    Satisfaction,
    State,
)
from knowledge.db.models import Complaint, ComplaintEvent
from knowledge.privacy import mask
from knowledge.texts import complaints as texts
from knowledge.texts import staff

# A card is one Telegram message, edited in place: long fields are cut to keep it one.
CARD_FIELD_LIMIT = 1200


def china_date(due: dt.datetime) -> str:
    """A deadline (the midnight after its last working day) as that last day: 2026年12月3日."""
    day = last_day(due)
    return texts.DATE.format(year=day.year, month=day.month, day=day.day)


def kind_label(complaint: Complaint) -> str:
    return texts.KIND_LABELS[Kind(complaint.kind)]


# --- the resident's view ----------------------------------------------------------------


def status_text(complaint: Complaint) -> str:
    """The resident's status card: state, office, the next deadline."""
    state = State(complaint.state)
    if state is State.RECEIVED:
        due = texts.STATUS_CLAIM_DUE.format(date=china_date(complaint.due_claim))
    elif state in (State.CLAIMED, State.REPLY_REVIEW, State.REOPENED):
        due = texts.STATUS_REPLY_DUE.format(date=china_date(complaint.due_reply))
    else:
        due = texts.STATUS_NO_DUE
    return texts.STATUS_CARD.format(
        ticket=complaint.ticket,
        state=texts.STATE_LABELS[state],
        office=complaint.responsible_office or texts.STATUS_NO_OFFICE,
        due=due,
    )


def acknowledgement(complaint: Complaint) -> str:
    return texts.COMPLAINT_ACK.format(
        kind=kind_label(complaint),
        ticket=complaint.ticket,
        claim_due=china_date(complaint.due_claim),
        reply_due=china_date(complaint.due_reply),
    )


def rating_buttons(ticket: str, question: Press) -> Keyboard:
    """解决 / 未解决, or 满意 / 基本满意 / 不满意."""
    if question is Press.RATE_SOLVED:
        return (
            (
                Button(texts.BUTTON_SOLVED, Press.RATE_SOLVED, ticket, "1"),
                Button(texts.BUTTON_UNSOLVED, Press.RATE_SOLVED, ticket, "0"),
            ),
        )
    return tuple(
        (Button(texts.SATISFACTION_LABELS[s], Press.RATE_SATISFIED, ticket, s.value),)
        for s in Satisfaction
    )


def reconsider_buttons(ticket: str) -> Keyboard:
    return ((Button(texts.BUTTON_RECONSIDER, Press.RECONSIDER, ticket),),)


# --- the officers' view -----------------------------------------------------------------


def _cut(text: str, ticket: str) -> str:
    if len(text) <= CARD_FIELD_LIMIT:
        return text
    return text[:CARD_FIELD_LIMIT] + staff.CARD_TOO_LONG.format(ticket=ticket)


def card_text(complaint: Complaint, line: str = "") -> str:
    """The officers' card: the case, with personal data masked and no resident name."""
    state = State(complaint.state)
    t = complaint.ticket
    lines = [
        staff.CARD_HEADING.format(
            ticket=t, kind=kind_label(complaint), state=staff.STATE_NAMES[state]
        ),
        staff.CARD_CHANNEL.format(
            channel=staff.CHANNEL_LABELS[Channel(complaint.channel)],
            identity=texts.IDENTITY_LABELS[Identity(complaint.identity)],
        ),
        staff.CARD_SUMMARY.format(summary=_cut(mask(complaint.summary), t)),
    ]
    if complaint.named_office:
        lines.append(staff.CARD_OFFICE_NAMED.format(office=mask(complaint.named_office)))
    if complaint.happened:
        lines.append(staff.CARD_HAPPENED.format(when=complaint.happened))
    if complaint.photos:
        lines.append(staff.CARD_PHOTOS.format(count=len(complaint.photos)))
    if complaint.contact_phone and complaint.identity != Identity.SEALED:
        lines.append(staff.CARD_PHONE.format(phone=mask(complaint.contact_phone)))
    lines.append(
        staff.CARD_DUE.format(
            claim=china_date(complaint.due_claim), reply=china_date(complaint.due_reply)
        )
    )
    if complaint.responsible_office:
        lines.append(staff.CARD_HANDLER.format(office=complaint.responsible_office))
    if complaint.draft_reply and state is State.REPLY_REVIEW:
        lines.append(staff.CARD_DRAFT.format(reply=_cut(complaint.draft_reply, t)))
    if complaint.flagged:
        lines.append(staff.CARD_FLAGGED)
    if line:
        lines.append(line)
    return "\n".join(lines)


def officer_button(action: Action, ticket: str) -> Button:
    return Button(staff.ACTION_LABELS[action], Press.OFFICER, ticket, action.value)


def card_buttons(complaint: Complaint) -> Keyboard:
    """The card's buttons for its state, three to a row."""
    buttons = [officer_button(a, complaint.ticket) for a in card_actions(State(complaint.state))]
    return tuple(tuple(buttons[i : i + 3]) for i in range(0, len(buttons), 3))


def follow_up_task(complaint: Complaint, why: str) -> tuple[str, Keyboard]:
    """The hotline's 回访 task for a reply the resident cannot or did not rate in the bot."""
    if not complaint.contact_phone:
        phone = staff.FOLLOW_UP_NO_PHONE
    elif complaint.identity == Identity.SEALED:
        phone = staff.SEALED_PHONE
    else:
        phone = mask(complaint.contact_phone)
    text = staff.FOLLOW_UP_TASK.format(
        ticket=complaint.ticket, why=why, reply=complaint.reply_text or staff.NONE_MARK, phone=phone
    )
    if not complaint.contact_phone:
        return text, ()
    show = ((Button(staff.BUTTON_SHOW_PHONE, Press.SHOW_PHONE, complaint.ticket),),)
    return text, show + rating_buttons(complaint.ticket, Press.RATE_SOLVED)


def _event_line(event: ComplaintEvent) -> str:
    why = staff.TICKET_REASON.format(reason=mask(event.reason)) if event.reason else ""
    action = staff.SUBMIT_LABEL if event.action == "submit" else staff.ACTION_LABELS[event.action]
    return staff.TICKET_EVENT.format(
        at=f"{event.at.astimezone(CHINA):%m-%d %H:%M}",
        role=staff.ROLE_LABELS[Role(event.actor_role)],
        action=action,
        reason=why,
    )


def ticket_text(complaint: Complaint, events: list[ComplaintEvent], roles: frozenset[Role]) -> str:
    """/ticket: the card and the whole audit trail; a sealed identity to supervisors only."""
    lines = [card_text(complaint), "", staff.TICKET_HISTORY]
    lines += [_event_line(e) for e in events]
    if complaint.identity == Identity.SEALED and permitted(roles, Permission.SEE_SEALED):
        lines.append(
            staff.TICKET_SEALED_IDENTITY.format(name=complaint.resident_name or staff.NONE_MARK)
        )
    return "\n".join(lines)


def queue_text(complaints: list[Complaint]) -> str:
    """/queue: open complaints by reply due date (the first fifty)."""
    rows = [
        staff.QUEUE_ROW.format(
            ticket=c.ticket,
            state=staff.STATE_NAMES[State(c.state)],
            due=china_date(c.due_reply),
        )
        for c in complaints[:50]
    ]
    return "\n".join(rows) or staff.QUEUE_EMPTY
