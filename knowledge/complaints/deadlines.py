"""Reminders, 督办 notices and 回访 tasks: which are due for a complaint now, and which were sent.

Computed from the complaint's own dates every time the bot looks (and the
keys of the notices already queued are in the database), so nothing lives only
in a scheduler: after a restart the next look finds exactly what is still due.
The ladder follows the programme's supervision rule: reminders to whoever has
the complaint at 50 % and 80 % of a deadline; at the deadline plus one working
day a formal 督办 notice to the supervision group, repeated each working day.
A reply the resident cannot rate in the bot (a phone complaint, a resident who
blocked the bot) or has not rated within `Limits.feedback_days` working days
becomes a phone 回访 task for the hotline.

`queue_due` writes each notice to the outbox and remembers it in one
transaction, so a notice is queued once and never lost.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from knowledge.complaints import outbox, views
from knowledge.complaints.outbox import Mention, Outgoing
from knowledge.complaints.policy import Bureau
from knowledge.complaints.vocabulary import OPEN_STATES, Deadline, Message, Reminder, State
from knowledge.db.engine import open_session
from knowledge.db.models import Complaint, ComplaintNotice, utcnow
from knowledge.texts import staff

SHARES: dict[Reminder, float] = {Reminder.AT_HALF: 0.5, Reminder.AT_FOUR_FIFTHS: 0.8}


@dataclass(frozen=True)
class Running:
    """The deadline a complaint is running against now."""

    deadline: Deadline
    start: dt.datetime
    due: dt.datetime


def running_deadline(complaint: Complaint) -> Running | None:
    """The claim deadline until someone claims it, the reply deadline after; None once replied."""
    state = State(complaint.state)
    if state not in OPEN_STATES:
        return None
    if state is State.RECEIVED:
        return Running(Deadline.CLAIM, complaint.created_at, complaint.due_claim)
    return Running(
        Deadline.REPLY, complaint.claimed_at or complaint.created_at, complaint.due_reply
    )


@dataclass(frozen=True)
class Notice:
    complaint_id: int
    ticket: str
    kind: Reminder
    deadline: Deadline
    due: dt.datetime
    key: str
    assignee_id: int | None
    days_overdue: int = 0


def _stamp(moment: dt.datetime) -> str:
    """A moment in a notice's key, the same however it was read (keys are in UTC)."""
    return moment.astimezone(dt.UTC).isoformat()


def needs_phone(complaint: Complaint) -> bool:
    """Whether the bot cannot reach the resident, so the hotline must call them."""
    return complaint.chat_id is None or complaint.unreachable


def follow_up_for(complaint: Complaint, now: dt.datetime, bureau: Bureau) -> Notice | None:
    """The phone 回访 task for a reply awaiting the resident's rating, once it is due."""
    if State(complaint.state) is not State.REPLIED or complaint.replied_at is None:
        return None
    assert complaint.id is not None
    due = complaint.replied_at
    if not needs_phone(complaint):
        due = bureau.calendar.add_workdays(due, bureau.limits(complaint.category).feedback_days)
    if now < due:
        return None
    return Notice(
        complaint.id,
        complaint.ticket,
        Reminder.FOLLOW_UP,
        Deadline.RATING,
        due,
        f"{complaint.ticket}:follow-up:{_stamp(complaint.replied_at)}",
        complaint.assignee_id,
    )


def notices_for(complaint: Complaint, now: dt.datetime, bureau: Bureau) -> list[Notice]:
    """Every notice due for the complaint at `now`, queued before or not."""
    follow_up = follow_up_for(complaint, now, bureau)
    if follow_up is not None:
        return [follow_up]
    running = running_deadline(complaint)
    if running is None or complaint.id is None:
        return []
    base = f"{complaint.ticket}:{running.deadline.value}:{_stamp(running.due)}"
    found: list[Notice] = []
    elapsed = bureau.calendar.fraction_elapsed(running.start, running.due, now)
    for kind, share in SHARES.items():
        if elapsed >= share and now < running.due:
            found.append(
                Notice(
                    complaint.id,
                    complaint.ticket,
                    kind,
                    running.deadline,
                    running.due,
                    f"{base}:{kind.value}",
                    complaint.assignee_id,
                )
            )
    # `due` is the midnight ending the last working day: the grace day is the working
    # day after that last day, and 督办 starts when it ends.
    calendar = bureau.calendar
    escalate_from = calendar.add_workdays(running.due - dt.timedelta(microseconds=1), 1)
    if now >= escalate_from:
        # One 督办 per working day past the deadline's grace day, until resolved
        # (counted by working days begun: none begins on a weekend or holiday).
        days = max(1, math.ceil(calendar.workdays_between(escalate_from, now)))
        found.append(
            Notice(
                complaint.id,
                complaint.ticket,
                Reminder.ESCALATION,
                running.deadline,
                running.due,
                f"{base}:duban:{days}",
                complaint.assignee_id,
                days_overdue=days,
            )
        )
    return found


def _watched(session: Session) -> list[Complaint]:
    states = [s.value for s in (*OPEN_STATES, State.REPLIED)]
    return list(session.exec(select(Complaint).where(col(Complaint.state).in_(states))).all())


def _unsent(session: Session, due: list[Notice]) -> list[Notice]:
    """The due notices not queued yet; of a deadline's reminders only the latest."""
    queued = {n.key for n in due if session.get(ComplaintNotice, n.key) is not None}
    latest: dict[tuple[int, Deadline, str], Notice] = {}
    for n in due:
        if n.key in queued:
            continue
        family = "remind" if n.kind in SHARES else n.kind.value
        latest[(n.complaint_id, n.deadline, family)] = n
    return list(latest.values())


def pending(engine: Engine, bureau: Bureau, now: dt.datetime | None = None) -> list[Notice]:
    """Notices due now and not queued yet, over all open complaints and unrated replies."""
    now = now or utcnow()
    with open_session(engine) as session:
        due = [n for c in _watched(session) for n in notices_for(c, now, bureau)]
        return _unsent(session, due)


def message(notice: Notice, complaint: Complaint, bureau: Bureau) -> Outgoing | None:
    """The notice as a message: to the group, or a reminder to the officer who has it."""
    group = bureau.staff.officers_chat_id
    if group is None:
        return None
    if notice.kind is Reminder.FOLLOW_UP:
        why = _follow_up_why(complaint, bureau)
        text, buttons = views.follow_up_task(complaint, why)
        return Outgoing(group, text, Message.FOLLOW_UP, notice.ticket, notice.key, buttons)
    which = staff.DEADLINE_SHORT[notice.deadline]
    if notice.kind is Reminder.ESCALATION:
        leader = bureau.staff.leader
        text = staff.DUBAN_NOTICE.format(
            ticket=notice.ticket, which=which, days=notice.days_overdue, who=staff.DUBAN_WHO
        )
        mention = Mention(leader, staff.DUBAN_WHO) if leader else None
        return Outgoing(group, text, Message.REMINDER, notice.ticket, notice.key, mention=mention)
    assignee = notice.assignee_id
    who = staff.REMINDER_ASSIGNEE if assignee else staff.REMINDER_ON_DUTY
    text = staff.DEADLINE_REMINDER.format(
        ticket=notice.ticket,
        which=which,
        share=int(SHARES[notice.kind] * 100),
        due=views.china_date(notice.due),
        who=who,
    )
    # To whoever has the complaint, privately (the group if nobody has it yet).
    return Outgoing(
        assignee or group,
        text,
        Message.REMINDER,
        notice.ticket,
        notice.key,
        mention=Mention(assignee, who) if assignee else None,
    )


def _follow_up_why(complaint: Complaint, bureau: Bureau) -> str:
    if complaint.chat_id is None:
        return staff.FOLLOW_UP_WHY["phone"]
    if complaint.unreachable:
        return staff.FOLLOW_UP_WHY["unreachable"]
    days = bureau.limits(complaint.category).feedback_days
    return staff.FOLLOW_UP_WHY["silent"].format(days=days)


def queue(session: Session, notice: Notice, complaint: Complaint, bureau: Bureau) -> None:
    """Queue a notice and remember it, in the caller's transaction.

    An 80 % reminder also stands for the 50 % one it made unnecessary.
    """
    out = message(notice, complaint, bureau)
    if out is None:
        return
    outbox.enqueue(session, [out])
    keys = [notice.key]
    if notice.kind is Reminder.AT_FOUR_FIFTHS:
        keys.append(notice.key.replace(Reminder.AT_FOUR_FIFTHS.value, Reminder.AT_HALF.value))
    for key in keys:
        if session.get(ComplaintNotice, key) is None:
            session.add(
                ComplaintNotice(key=key, complaint_id=notice.complaint_id, kind=notice.kind)
            )


def follow_up_now(session: Session, complaint: Complaint, bureau: Bureau, now: dt.datetime) -> None:
    """The 回访 task at once, for a reply nobody can rate in the bot (caller's transaction)."""
    notice = follow_up_for(complaint, now, bureau)
    if notice is not None and session.get(ComplaintNotice, notice.key) is None:
        queue(session, notice, complaint, bureau)


def queue_due(engine: Engine, bureau: Bureau, now: dt.datetime | None = None) -> int:
    """Queue every notice due now and not queued yet; returns how many."""
    now = now or utcnow()
    with open_session(engine) as session:
        complaints = {c.id: c for c in _watched(session)}
        due = [n for c in complaints.values() for n in notices_for(c, now, bureau)]
        fresh = _unsent(session, due)
        for notice in fresh:
            queue(session, notice, complaints[notice.complaint_id], bureau)
        session.commit()
    return len(fresh)
