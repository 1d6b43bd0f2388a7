"""The resident's rating of a reply, their 复核, and the hotline's phone 回访 recording them.

A rating is two answers: 解决 / 未解决, then 满意 / 基本满意 / 不满意. Given by
the resident in the bot, or by a hotline officer who called them (回访), under the
same rules: a 回访 never changes what the resident answered themselves. What the
two answers mean — close, reopen once, or close for the supervision group to
look at — is applied in the same transaction as the second answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from knowledge.complaints import notices, outbox
from knowledge.complaints.policy import Bureau
from knowledge.complaints.store import SYSTEM, Actor, Change, Outcome, apply_in, is_replay, lock
from knowledge.complaints.vocabulary import SATISFIED, Action, Role, Satisfaction, State
from knowledge.db.engine import open_session
from knowledge.db.models import Complaint, utcnow
from knowledge.errors import Refused
from knowledge.texts import complaints as resident_texts
from knowledge.texts import staff


def rater(complaint: Complaint, user_id: int, bureau: Bureau) -> Actor:
    """The resident themselves, or a hotline officer recording a phone 回访; else `Refused`."""
    if complaint.user_id is not None and complaint.user_id == user_id:
        return Actor(Role.RESIDENT, str(user_id))
    role = bureau.staff.role_for(user_id, Action.RATE)
    if role is None:
        raise Refused(
            staff.NOT_ALLOWED if bureau.staff.roles(user_id) else resident_texts.NOT_YOURS
        )
    return Actor(role, str(user_id))


@dataclass(frozen=True)
class Pressed:
    """The message a button was pressed on."""

    chat_id: int
    message_id: int


def rate(
    engine: Engine,
    ticket: str,
    user_id: int,
    *,
    solved: bool | None = None,
    satisfaction: Satisfaction | None = None,
    bureau: Bureau,
    request: str,
    pressed: Pressed | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """One answer of the rating: 解决 / 未解决, then 满意吗？ and what both answers mean.

    Both in: satisfied and solved closes the complaint; otherwise it is reopened
    once, and unhappy again after that it is closed for the supervision group to
    look at (the resident can still ask for a 复核). All in one transaction.
    """
    now = now or utcnow()
    with open_session(engine) as session:
        complaint = lock(session, ticket)
        if is_replay(session, request):
            return Outcome(complaint.ticket, State(complaint.state), replayed=True)
        actor = rater(complaint, user_id, bureau)
        follow_up = actor.role is not Role.RESIDENT
        prefix = staff.FOLLOW_UP_PREFIX if follow_up else ""
        if solved is not None:
            label = resident_texts.BUTTON_SOLVED if solved else resident_texts.BUTTON_UNSOLVED
            question = resident_texts.RATE_SOLVED
        else:
            assert satisfaction is not None
            label = resident_texts.SATISFACTION_LABELS[satisfaction]
            question = resident_texts.RATE_SATISFIED
        reason = prefix + resident_texts.RATING_ANSWER.format(question=question, answer=label)
        change = Change(solved=solved, satisfaction=satisfaction, reason=reason)
        event = apply_in(
            session, complaint, Action.RATE, actor, change, bureau, now, request=request
        )
        t = complaint.ticket
        messages = []
        if pressed is not None:
            messages.append(
                notices.without_buttons(
                    pressed.chat_id, pressed.message_id, f"{t}:answered:{event}", t
                )
            )
        if solved is not None and pressed is not None:
            messages.append(
                notices.satisfaction_question(
                    complaint, pressed.chat_id, f"{t}:satisfied?:{event}", follow_up=follow_up
                )
            )
        outbox.enqueue(session, messages)
        if satisfaction is not None:
            _after_rating(session, complaint, actor, prefix, bureau, now, request)
        session.commit()
        toast = staff.FOLLOW_UP_RECORDED if follow_up else resident_texts.RATING_THANKS
        return Outcome(t, State(complaint.state), toast=toast)


def _after_rating(
    session: Session,
    complaint: Complaint,
    actor: Actor,
    prefix: str,
    bureau: Bureau,
    now: dt.datetime,
    request: str,
) -> None:
    """Both answers in: close, or reopen once, or close flagged for the supervision group."""
    unhappy = complaint.solved is False or complaint.satisfaction not in SATISFIED
    then = f"{request}#then"
    if unhappy and complaint.reopen_count:
        result = prefix + staff.CLOSED_STILL_UNSATISFIED
        change = Change(result=result, flag=True)
        apply_in(session, complaint, Action.CLOSE, SYSTEM, change, bureau, now, request=then)
    elif unhappy:
        apply_in(session, complaint, Action.REOPEN, actor, Change(), bureau, now, request=then)
    else:
        change = Change(result=prefix + staff.CLOSED_SATISFIED)
        apply_in(session, complaint, Action.CLOSE, SYSTEM, change, bureau, now, request=then)


def reconsider(
    engine: Engine,
    ticket: str,
    user_id: int,
    *,
    bureau: Bureau,
    request: str,
    pressed: Pressed | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """申请复核: the resident reopens a closed complaint, once, within the window."""
    with open_session(engine) as session:
        complaint = lock(session, ticket)
        if is_replay(session, request):
            return Outcome(complaint.ticket, State(complaint.state), replayed=True)
        actor = rater(complaint, user_id, bureau)
        event = apply_in(
            session,
            complaint,
            Action.RECONSIDER,
            actor,
            Change(),
            bureau,
            now or utcnow(),
            request=request,
        )
        if pressed is not None:
            key = f"{complaint.ticket}:answered:{event}"
            outbox.enqueue(
                session,
                [
                    notices.without_buttons(
                        pressed.chat_id, pressed.message_id, key, complaint.ticket
                    )
                ],
            )
        session.commit()
        return Outcome(
            complaint.ticket, State(complaint.state), toast=resident_texts.RECONSIDER_THANKS
        )
