"""Reminders and 督办 notices: which are due for a complaint now, and which were sent.

Computed from the complaint's own dates every time the bot looks (and the
keys of the notices already sent are in the database), so nothing lives only
in a scheduler: after a restart the next look finds exactly what is still due.
The ladder follows the programme's supervision rule: reminders to whoever has
the complaint at 50 % and 80 % of a deadline; at the deadline plus one working
day a formal 督办 notice to the supervision group, repeated each working day.
A reply the resident cannot rate in the bot (a phone complaint, a resident who
blocked the bot) or has not rated within `Limits.feedback_days` working days
becomes a phone 回访 task for the hotline.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from knowledge.complaints import store as cs
from knowledge.complaints.calendar import WorkCalendar
from knowledge.complaints.lifecycle import Policy, State
from knowledge.db.engine import open_session
from knowledge.db.models import Complaint, ComplaintNotice

REMINDER_SHARES = (0.5, 0.8)


@dataclass(frozen=True)
class Notice:
    complaint_id: int
    ticket: str
    kind: str  # remind-50, remind-80, duban, follow-up
    deadline: str  # claim, reply or feedback
    due: dt.datetime
    key: str
    assignee_id: int | None
    days_overdue: int = 0


def _deadline(complaint: Complaint) -> tuple[str, dt.datetime, dt.datetime] | None:
    """The deadline the complaint is running against now: (name, start, due)."""
    state = State(complaint.state)
    if state is State.RECEIVED:
        return "claim", complaint.created_at, complaint.due_claim
    if state in (State.CLAIMED, State.REOPENED, State.REPLY_REVIEW):
        return "reply", complaint.claimed_at or complaint.created_at, complaint.due_reply
    return None


def needs_phone(complaint: Complaint) -> bool:
    """Whether the bot cannot reach the resident, so the hotline must call them."""
    return complaint.chat_id is None or complaint.unreachable


def follow_up_for(
    complaint: Complaint, now: dt.datetime, calendar: WorkCalendar, policy: Policy
) -> Notice | None:
    """The phone 回访 task for a reply awaiting the resident's rating, once it is due."""
    if State(complaint.state) is not State.REPLIED or complaint.replied_at is None:
        return None
    assert complaint.id is not None
    due = complaint.replied_at
    if not needs_phone(complaint):
        due = calendar.add_workdays(due, policy.limits(complaint.category).feedback_days)
    if now < due:
        return None
    return Notice(
        complaint.id,
        complaint.ticket,
        "follow-up",
        "feedback",
        due,
        f"{complaint.ticket}:follow-up:{complaint.replied_at.isoformat()}",
        complaint.assignee_id,
    )


def notices_for(
    complaint: Complaint,
    now: dt.datetime,
    calendar: WorkCalendar,
    policy: Policy | None = None,
) -> list[Notice]:
    """Every notice due for the complaint at `now`, sent before or not."""
    follow_up = follow_up_for(complaint, now, calendar, policy or Policy())
    if follow_up is not None:
        return [follow_up]
    running = _deadline(complaint)
    if running is None or complaint.id is None:
        return []
    name, start, due = running
    base = f"{complaint.ticket}:{name}:{due.isoformat()}"
    found: list[Notice] = []
    elapsed = calendar.fraction_elapsed(start, due, now)
    for share in REMINDER_SHARES:
        if elapsed >= share and now < due:
            kind = f"remind-{int(share * 100)}"
            found.append(
                Notice(
                    complaint.id,
                    complaint.ticket,
                    kind,
                    name,
                    due,
                    f"{base}:{kind}",
                    complaint.assignee_id,
                )
            )
    # `due` is the midnight ending the last working day: the grace day is the working
    # day after that last day, and 督办 starts when it ends.
    escalate_from = calendar.add_workdays(due - dt.timedelta(microseconds=1), 1)
    if now >= escalate_from:
        # One 督办 per working day past the deadline's grace day, until resolved.
        # (counted by working days begun: none begins on a weekend or holiday)
        days = max(1, math.ceil(calendar.workdays_between(escalate_from, now)))
        found.append(
            Notice(
                complaint.id,
                complaint.ticket,
                "duban",
                name,
                due,
                f"{base}:duban:{days}",
                complaint.assignee_id,
                days_overdue=days,
            )
        )
    return found


def pending(
    engine: Engine,
    calendar: WorkCalendar,
    now: dt.datetime | None = None,
    policy: Policy | None = None,
) -> list[Notice]:
    """Notices due now and not sent yet, over all open complaints and unrated replies."""
    now = now or dt.datetime.now(dt.UTC)
    watched = cs.listing(engine, open_only=True) + cs.listing(engine, state=State.REPLIED)
    due = [n for c in watched for n in notices_for(c, now, calendar, policy)]
    if not due:
        return []
    with open_session(engine) as session:
        rows = (session.get(ComplaintNotice, n.key) for n in due)
        sent_keys = {row.key for row in rows if row is not None}
    # Only the latest reminder of a deadline is worth sending after a long outage.
    latest: dict[tuple[int, str, str], Notice] = {}
    for n in due:
        if n.key in sent_keys:
            continue
        family = n.kind if n.kind in ("duban", "follow-up") else "remind"
        latest[(n.complaint_id, n.deadline, family)] = n
    return list(latest.values())


def mark_sent(engine: Engine, notice: Notice) -> None:
    """Remember a notice as sent (after sending: at least once, never lost).

    An 80 % reminder also stands for the 50 % one it made unnecessary.
    """
    keys = [notice.key]
    if notice.kind.startswith("remind-"):
        base = notice.key.rsplit(":", 1)[0]
        share = int(notice.kind.removeprefix("remind-"))
        keys += [f"{base}:remind-{int(s * 100)}" for s in REMINDER_SHARES if s * 100 < share]
    for key in keys:
        try:
            with open_session(engine) as session:
                session.add(
                    ComplaintNotice(key=key, complaint_id=notice.complaint_id, kind=notice.kind)
                )
                session.commit()
        except IntegrityError:
            pass  # sent twice around a restart: once is recorded
