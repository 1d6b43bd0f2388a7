"""What officers do besides pressing a card's buttons: answer the bot's prompts, register
phone complaints, look up a resident's number for a 回访, read the queue and a ticket.

Each checks the officer's permission against `lifecycle` and refuses with a
message (`Refused`); each change is one transaction with its messages, keyed by
the request that made it so that a replay changes nothing twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from knowledge.complaints import intake, notices, outbox, views
from knowledge.complaints.lifecycle import (
    NEEDS_WORDS,
    Permission,
    permitted,
    phone_permission,
    transition,
)
from knowledge.complaints.outbox import Outgoing
from knowledge.complaints.policy import Bureau
from knowledge.complaints.store import (
    Change,
    Outcome,
    Submission,
    apply_in,
    find_by_key,
    get,
    history,
    is_replay,
    listing,
    lock,
    officer,
    submit_in,
)
from knowledge.complaints.vocabulary import Action, Channel, Identity, Message, State
from knowledge.db.engine import open_session
from knowledge.db.models import OfficerPrompt, utcnow
from knowledge.errors import Refused
from knowledge.texts import staff

MIN_SUMMARY = 5  # characters: "窗口没人" is not enough to act on


def require(bureau: Bureau, user_id: int, permission: Permission) -> None:
    """Refuse, with the words for it, anyone without `permission`."""
    if not permitted(bureau.staff.roles(user_id), permission):
        raise Refused(staff.NOT_ALLOWED)


# --- prompts: an action whose words the officer types -------------------------------------


def ask(
    engine: Engine,
    ticket: str,
    action: Action,
    user_id: int,
    *,
    chat_id: int,
    pressed: int,
    bureau: Bureau,
    request: str,
) -> Outcome:
    """Ask the officer for the words of `action` (转办给谁？答复内容？), if they may take it now."""
    actor = officer(bureau, user_id, action)
    with open_session(engine) as session:
        complaint = lock(session, ticket)
        transition(State(complaint.state), action, actor.role, reason="-")
        out = notices.prompt(
            chat_id, user_id, complaint.ticket, action, pressed, f"prompt:{request}"
        )
        outbox.enqueue(session, [out])
        session.commit()
        return Outcome(complaint.ticket, State(complaint.state))


def change_from_words(action: Action, words: str) -> Change:
    """What an officer typed, as the change of `action`: 科室：理由 for a transfer."""
    words = words.strip()
    if action is Action.TRANSFER:
        office, _, why = words.replace(":", staff.TRANSFER_SEPARATOR).partition(
            staff.TRANSFER_SEPARATOR
        )
        return Change(reason=why.strip() or words, office=office.strip() or None)
    if action is Action.DRAFT_REPLY:
        return Change(reply=words)
    if action is Action.CLOSE:
        return Change(result=words)
    return Change(reason=words)


def answer(
    engine: Engine,
    chat_id: int,
    reply_to: int,
    user_id: int,
    words: str,
    *,
    message_id: int,
    bureau: Bureau,
    request: str,
    now: dt.datetime | None = None,
) -> Outcome | None:
    """An officer's reply to a prompt: the action with their words. None: no prompt awaits it."""
    with open_session(engine) as session:
        prompt = session.get(OfficerPrompt, (chat_id, reply_to))
        if prompt is None:
            return None
        if prompt.user_id != user_id:
            raise Refused(staff.NOT_YOUR_PROMPT)
        action = Action(prompt.action)
        if action not in NEEDS_WORDS:
            return None
        actor = officer(bureau, user_id, action)
        complaint = lock(session, prompt.ticket)
        if is_replay(session, request):
            return Outcome(complaint.ticket, State(complaint.state), replayed=True)
        change = change_from_words(action, words)
        event = apply_in(
            session, complaint, action, actor, change, bureau, now or utcnow(), request=request
        )
        key = f"{complaint.ticket}:done:{event}"
        outbox.enqueue(
            session, [notices.confirmation(chat_id, message_id, complaint.ticket, action, key)]
        )
        session.delete(prompt)
        session.commit()
        return Outcome(complaint.ticket, State(complaint.state))


# --- phone and walk-in complaints -----------------------------------------------------------


def register_by_phone(
    engine: Engine,
    user_id: int,
    words: list[str],
    *,
    chat_id: int,
    message_id: int,
    bureau: Bureau,
    request: str,
    now: dt.datetime | None = None,
) -> Outcome:
    """/intake [电话] 内容: a hotline officer registers a phone or walk-in complaint.

    Same queue, ticket numbers and time limits; the resident has no chat, so the
    hotline calls them back (回访) once the reply is approved.
    """
    require(bureau, user_id, Permission.INTAKE)
    phone = intake.phone_number(words[0]) if words else None
    summary = " ".join(words[1:] if phone else words).strip()
    if len(summary) < MIN_SUMMARY:
        raise Refused(staff.INTAKE_USAGE)
    submission = Submission(
        summary=summary[: intake.WHAT_LIMIT], channel=Channel.PHONE, contact_phone=phone
    )
    with open_session(engine) as session:
        complaint = find_by_key(session, request)
        if complaint is not None:
            return Outcome(complaint.ticket, State(complaint.state), replayed=True)
        complaint = submit_in(session, submission, key=request, bureau=bureau, now=now or utcnow())
        text = staff.INTAKE_REGISTERED.format(
            ticket=complaint.ticket,
            claim_due=views.china_date(complaint.due_claim),
            reply_due=views.china_date(complaint.due_reply),
        )
        key = f"registered:{complaint.ticket}"
        outbox.enqueue(
            session,
            [Outgoing(chat_id, text, Message.NOTICE, complaint.ticket, key, reply_to=message_id)],
        )
        session.commit()
        return Outcome(complaint.ticket, State(complaint.state))


def reveal_phone(
    engine: Engine,
    ticket: str,
    user_id: int,
    *,
    bureau: Bureau,
    request: str,
    now: dt.datetime | None = None,
) -> str:
    """The full number, to the officer who calls the resident, written to the audit trail.

    A sealed reporter's number only to the supervision group.
    """
    with open_session(engine) as session:
        complaint = lock(session, ticket)
        permission = phone_permission(Identity(complaint.identity))
        actor = officer(bureau, user_id, Action.NOTE)
        if not permitted(bureau.staff.roles(user_id), permission):
            raise Refused(staff.NOT_ALLOWED)
        if not complaint.contact_phone:
            raise Refused(staff.NO_PHONE)
        shown = staff.SHOW_PHONE.format(ticket=complaint.ticket, phone=complaint.contact_phone)
        if not is_replay(session, request):
            change = Change(reason=staff.SHOW_PHONE_NOTE)
            apply_in(
                session,
                complaint,
                Action.NOTE,
                actor,
                change,
                bureau,
                now or utcnow(),
                request=request,
            )
            session.commit()
        return shown


# --- reading ---------------------------------------------------------------------------------


def queue_text(engine: Engine, user_id: int, bureau: Bureau) -> str:
    """/queue: the open complaints by reply due date."""
    require(bureau, user_id, Permission.QUEUE)
    return views.queue_text(listing(engine, open_only=True))


def ticket_text(engine: Engine, ticket: str, user_id: int, bureau: Bureau) -> str:
    """/ticket N: the case and its audit trail; a sealed identity to the supervision group."""
    require(bureau, user_id, Permission.TICKET)
    complaint = get(engine, ticket)
    assert complaint.id is not None
    return views.ticket_text(complaint, history(engine, complaint.id), bureau.staff.roles(user_id))
