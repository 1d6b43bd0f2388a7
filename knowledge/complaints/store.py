"""Complaints in the database: submitting (exactly once), acting on them, reading them.

Every function takes the engine and commits its own transaction, so a caller
(bot handler, CLI) never leaves a complaint half changed. `act` is the only
way a complaint's state changes: it asks `knowledge.complaints.transition`
and appends a `ComplaintEvent` in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from knowledge.complaints.calendar import WorkCalendar
from knowledge.complaints.lifecycle import (
    OPEN_STATES,
    Action,
    Limits,
    Policy,
    Role,
    State,
    TransitionRefused,
    transition,
)
from knowledge.db.engine import open_session
from knowledge.db.models import Complaint, ComplaintEvent, TicketSequence, utcnow

CHINA = ZoneInfo("Asia/Shanghai")


class ComplaintNotFound(LookupError):
    """No complaint has this ticket number: a typo, or callback data made up by a client."""

    def __init__(self, ticket: str) -> None:
        super().__init__(ticket)
        self.ticket = ticket

    def __str__(self) -> str:
        return f"没有找到编号为 {self.ticket} 的投诉。"


@dataclass(frozen=True)
class Submission:
    """What a resident (or a hotline officer on their behalf) tells us."""

    summary: str
    channel: str = "telegram"
    kind: str = "complaint"  # or "report" (举报)
    category: str | None = None
    named_office: str | None = None
    happened: str | None = None
    photos: tuple[str, ...] = ()
    contact_phone: str | None = None
    identity: str = "public"  # public, anonymous, sealed
    chat_id: int | None = None
    user_id: int | None = None
    resident_name: str | None = None


@dataclass(frozen=True)
class Actor:
    role: Role
    id: str | None = None  # a Telegram user id, or a staff name at the command line


SYSTEM = Actor(Role.SYSTEM, "system")


@dataclass
class Change:
    """Side data of an action: what the officer typed or decided."""

    reason: str = ""
    office: str | None = None
    assignee_id: int | None = None
    reply: str | None = None
    extension_days: int | None = None
    solved: bool | None = None
    satisfaction: str | None = None
    result: str | None = None
    flag: bool = False  # draw the supervision group's attention


def _next_ticket(session: Session, now: dt.datetime) -> str:
    """TS + the China-time date + a 4-digit daily sequence: TS20261125-0007.

    One atomic UPDATE … RETURNING (SQLite and PostgreSQL alike), so concurrent
    submissions never read the same number; the day's first one inserts the row.
    """
    day = now.astimezone(CHINA).strftime("%Y%m%d")
    table = TicketSequence.__table__  # type: ignore[attr-defined]
    bump = update(table).where(table.c.day == day).values(last=table.c.last + 1)
    number = session.execute(bump.returning(table.c.last)).scalar()
    if number is None:
        try:
            with session.begin_nested():
                session.execute(insert(table).values(day=day, last=1))
            number = 1
        except IntegrityError:  # another submission inserted the day's row first
            number = session.execute(bump.returning(table.c.last)).scalar_one()
    return f"TS{day}-{number:04d}"


def submit(
    engine: Engine,
    submission: Submission,
    *,
    key: str,
    calendar: WorkCalendar,
    policy: Policy,
    now: dt.datetime | None = None,
    _retry: bool = True,
) -> tuple[Complaint, bool]:
    """Store a complaint once per `key`; (complaint, True) when it is new.

    Committed before anyone is told its ticket number, so an acknowledgement
    never names a complaint that does not exist.
    """
    now = now or utcnow()
    existing = find_by_key(engine, key)
    if existing is not None:
        return existing, False
    limits = policy.limits(submission.category)
    anonymous = submission.identity == "anonymous"
    try:
        with open_session(engine) as session:
            complaint = Complaint(
                ticket=_next_ticket(session, now),
                idempotency_key=key,
                created_at=now,
                updated_at=now,
                channel=submission.channel,
                kind=submission.kind,
                category=submission.category,
                summary=submission.summary,
                named_office=submission.named_office,
                happened=submission.happened,
                photos=list(submission.photos),
                contact_phone=submission.contact_phone,
                identity=submission.identity,
                chat_id=submission.chat_id,
                user_id=submission.user_id,
                resident_name=None if anonymous else submission.resident_name,
                state=State.RECEIVED.value,
                due_claim=calendar.add_workdays(now, limits.claim_days),
                due_reply=calendar.add_workdays(now, limits.reply_days),
            )
            session.add(complaint)
            session.flush()
            assert complaint.id is not None
            session.add(
                ComplaintEvent(
                    complaint_id=complaint.id,
                    at=now,
                    actor_role=Role.RESIDENT.value
                    if submission.channel == "telegram"
                    else Role.HOTLINE.value,
                    action="submit",
                    from_state="",
                    to_state=State.RECEIVED.value,
                    public=True,
                )
            )
            session.commit()
            return complaint, True
    except IntegrityError:
        # Two deliveries of the same confirmation raced and the other one won, or
        # two first complaints of a day raced for its ticket sequence: try again.
        existing = find_by_key(engine, key)
        if existing is not None:
            return existing, False
        if _retry:
            return submit(
                engine, submission, key=key, calendar=calendar, policy=policy, now=now, _retry=False
            )
        raise


def find_by_key(engine: Engine, key: str) -> Complaint | None:
    with open_session(engine) as session:
        return session.exec(select(Complaint).where(Complaint.idempotency_key == key)).first()


def get(engine: Engine, ticket: str) -> Complaint:
    with open_session(engine) as session:
        found = session.exec(select(Complaint).where(Complaint.ticket == ticket.upper())).first()
    if found is None:
        raise ComplaintNotFound(ticket)
    return found


def history(engine: Engine, complaint_id: int) -> list[ComplaintEvent]:
    with open_session(engine) as session:
        return list(
            session.exec(
                select(ComplaintEvent)
                .where(ComplaintEvent.complaint_id == complaint_id)
                .order_by(col(ComplaintEvent.id))
            ).all()
        )


def listing(
    engine: Engine, *, state: State | None = None, open_only: bool = False
) -> list[Complaint]:
    """Complaints by reply due time, soonest first."""
    with open_session(engine) as session:
        query = select(Complaint).order_by(col(Complaint.due_reply), col(Complaint.id))
        if state is not None:
            query = query.where(Complaint.state == state.value)
        if open_only:
            query = query.where(col(Complaint.state).in_([s.value for s in OPEN_STATES]))
        return list(session.exec(query).all())


def of_resident(engine: Engine, user_id: int) -> list[Complaint]:
    """A resident's own complaints, newest first; nobody else's."""
    with open_session(engine) as session:
        return list(
            session.exec(
                select(Complaint)
                .where(Complaint.user_id == user_id)
                .order_by(col(Complaint.id).desc())
            ).all()
        )


def act(
    engine: Engine,
    ticket: str,
    action: Action,
    actor: Actor,
    change: Change | None = None,
    *,
    calendar: WorkCalendar,
    policy: Policy,
    now: dt.datetime | None = None,
) -> Complaint:
    """Apply one action, checked against the lifecycle, with its audit row."""
    change = change or Change()
    now = now or utcnow()
    with open_session(engine) as session:
        complaint = session.exec(
            select(Complaint).where(Complaint.ticket == ticket.upper()).with_for_update()
        ).first()
        if complaint is None:
            raise ComplaintNotFound(ticket)
        before = State(complaint.state)
        after = transition(before, action, actor.role, reason=change.reason)
        if action is Action.FEEDBACK and actor.role is not Role.RESIDENT:
            _refuse_overriding_the_resident(session, complaint)
        if action in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION):
            _refuse_without_a_request(session, complaint)
        limits = policy.limits(complaint.category)
        public = _apply(complaint, action, actor, change, now, calendar, limits)
        complaint.state = after.value
        complaint.updated_at = now
        assert complaint.id is not None
        session.add(
            ComplaintEvent(
                complaint_id=complaint.id,
                at=now,
                actor_role=actor.role.value,
                actor_id=actor.id,
                action=action.value,
                from_state=before.value,
                to_state=after.value,
                reason=change.reason or change.result or None,
                public=public,
            )
        )
        session.commit()
        return complaint


def _refuse_overriding_the_resident(session: Session, complaint: Complaint) -> None:
    """A phone 回访 records the resident's answers; it never changes one they gave the bot."""
    rated = session.exec(
        select(ComplaintEvent.id).where(
            ComplaintEvent.complaint_id == complaint.id,
            ComplaintEvent.action == Action.FEEDBACK.value,
            ComplaintEvent.actor_role == Role.RESIDENT.value,
            col(ComplaintEvent.at) >= (complaint.replied_at or complaint.created_at),
        )
    ).first()
    if rated is not None:
        raise TransitionRefused(
            "居民已在机器人中评价过这次答复，回访不能更改；如需结案请直接办结。"
        )


def _refuse_without_a_request(session: Session, complaint: Complaint) -> None:
    """An extension is decided once, on a request still waiting (not on an old button)."""
    decisions = (
        Action.REQUEST_EXTENSION.value,
        Action.APPROVE_EXTENSION.value,
        Action.REFUSE_EXTENSION.value,
    )
    last = session.exec(
        select(ComplaintEvent.action)
        .where(
            ComplaintEvent.complaint_id == complaint.id,
            col(ComplaintEvent.action).in_(decisions),
        )
        .order_by(col(ComplaintEvent.id).desc())
    ).first()
    if last != Action.REQUEST_EXTENSION.value:
        raise TransitionRefused("没有待审批的延期申请。")


def _apply(
    complaint: Complaint,
    action: Action,
    actor: Actor,
    change: Change,
    now: dt.datetime,
    calendar: WorkCalendar,
    limits: Limits,
) -> bool:
    """The action's effect beside the state; returns whether the resident is told of it."""
    match action:
        case Action.CLAIM | Action.TRANSFER:
            complaint.responsible_office = change.office or complaint.responsible_office
            complaint.assignee_id = change.assignee_id or (
                int(actor.id) if actor.id and actor.id.isdigit() else complaint.assignee_id
            )
            complaint.claimed_at = complaint.claimed_at or now
            return True
        case Action.DRAFT_REPLY:
            if not (change.reply or "").strip():
                raise TransitionRefused("答复内容不能为空。")
            complaint.draft_reply = change.reply
            return False
        case Action.APPROVE_REPLY:
            complaint.reply_text = complaint.draft_reply
            complaint.replied_at = now
            return True
        case Action.RETURN_REPLY:
            return False
        case Action.REQUEST_EXTENSION:
            if complaint.extension_used:
                raise TransitionRefused("每件投诉只能延期一次。")
            if now >= complaint.due_reply:
                raise TransitionRefused("延期须在答复期限届满前申请。")
            return False
        case Action.APPROVE_EXTENSION:
            if complaint.extension_used:
                raise TransitionRefused("每件投诉只能延期一次。")
            days = change.extension_days or limits.extension_max_days
            if not 1 <= days <= limits.extension_max_days:
                raise TransitionRefused(f"延期最多 {limits.extension_max_days} 个工作日。")
            complaint.extension_used = True
            complaint.due_reply = calendar.add_workdays(complaint.due_reply, days)
            return True
        case Action.FEEDBACK:
            if change.solved is not None:
                complaint.solved = change.solved
            if change.satisfaction is not None:
                complaint.satisfaction = change.satisfaction
            return False
        case Action.REOPEN:
            if complaint.reopen_count >= 1:
                raise TransitionRefused("这件投诉已经重新办理过一次，请拨打监督电话。")
            complaint.reopen_count += 1
            complaint.flagged = True
            complaint.due_reply = calendar.add_workdays(now, limits.reply_days)
            return True
        case Action.REVIEW:
            if complaint.review_used:
                raise TransitionRefused("每件投诉只能申请一次复核。")
            closed = complaint.closed_at or now
            if now - closed > dt.timedelta(days=limits.review_window_days):
                raise TransitionRefused(f"办结 {limits.review_window_days} 天内才能申请复核。")
            complaint.review_used = True
            complaint.flagged = True
            complaint.due_reply = calendar.add_workdays(now, limits.reply_days)
            return True
        case Action.CLOSE:
            complaint.closed_at = now
            complaint.result = change.result or complaint.result
            complaint.flagged = complaint.flagged or change.flag
            return True
        case Action.WITHDRAW:
            complaint.closed_at = now
            return True
        case _:
            return False


def annotate(
    engine: Engine,
    ticket: str,
    *,
    status_message_id: int | None = None,
    officer_card_id: int | None = None,
    unreachable: bool | None = None,
) -> None:
    """Record where a complaint's cards are, or that its resident cannot be reached.

    Not a step of the lifecycle (no state changes), so no audit row; an
    unreachable resident is flagged for a phone follow-up by the hotline.
    """
    with open_session(engine) as session:
        row = session.exec(select(Complaint).where(Complaint.ticket == ticket)).first()
        if row is None:
            return
        if status_message_id is not None:
            row.status_message_id = status_message_id
        if officer_card_id is not None:
            row.officer_card_id = officer_card_id
        if unreachable:
            row.unreachable = row.flagged = True
        session.commit()


ERASED = "（个人信息已按保存期限删除）"


def erase_personal_data(
    engine: Engine, *, older_than: dt.timedelta, now: dt.datetime | None = None
) -> list[str]:
    """Erase the personal data of complaints closed (or withdrawn) before the retention period.

    The ticket, category, dates and states stay, so reports keep their counts;
    what the resident wrote, who they are and how to reach them goes, and so do
    the free-text reasons in the audit trail, which may quote them.
    """
    cutoff = (now or utcnow()) - older_than
    erased: list[str] = []
    with open_session(engine) as session:
        rows = session.exec(
            select(Complaint).where(
                col(Complaint.state).in_([State.CLOSED.value, State.WITHDRAWN.value]),
                col(Complaint.closed_at) < cutoff,
                col(Complaint.erased_at).is_(None),
            )
        ).all()
        for row in rows:
            row.summary = ERASED
            row.named_office = row.happened = row.contact_phone = row.resident_name = None
            row.photos = []
            row.chat_id = row.user_id = None
            row.draft_reply = row.reply_text = row.result = None
            row.erased_at = now or utcnow()
            for event in session.exec(
                select(ComplaintEvent).where(ComplaintEvent.complaint_id == row.id)
            ).all():
                if event.reason:
                    event.reason = ERASED
            erased.append(row.ticket)
        session.commit()
    return erased
