"""Complaints in the database: submitting (exactly once), acting on them, reading them.

Every change is one transaction with its audit row and the messages it causes
(`knowledge.complaints.notices`), so a crash can never leave a change told to
nobody. `act` is the only way a complaint's state changes: it asks
`lifecycle.transition`, applies the action's effect, appends a `ComplaintEvent`
and queues the notices. A change carries the key of the request that made it
(a button press, a message, a web form); the same request again is a replay and
changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from knowledge.complaints import deadlines, notices, outbox
from knowledge.complaints.calendar import CHINA
from knowledge.complaints.lifecycle import transition
from knowledge.complaints.policy import Bureau, Limits
from knowledge.complaints.vocabulary import (
    OPEN_STATES,
    SUBMIT,
    Action,
    Channel,
    Identity,
    Kind,
    Role,
    Satisfaction,
    State,
)
from knowledge.db.engine import open_session
from knowledge.db.models import Complaint, ComplaintEvent, TicketSequence, utcnow
from knowledge.errors import ComplaintNotFound, Refused
from knowledge.texts import staff


@dataclass(frozen=True)
class Submission:
    """What a resident (or a hotline officer on their behalf) tells us."""

    summary: str
    channel: Channel = Channel.TELEGRAM
    kind: Kind = Kind.COMPLAINT
    category: str | None = None
    named_office: str | None = None
    happened: str | None = None
    photos: tuple[str, ...] = ()
    contact_phone: str | None = None
    identity: Identity = Identity.PUBLIC
    chat_id: int | None = None
    user_id: int | None = None
    resident_name: str | None = None


@dataclass(frozen=True)
class Actor:
    role: Role
    id: str | None = None  # a Telegram user id, or a staff name at the command line


SYSTEM = Actor(Role.SYSTEM, "system")
# The id of a back-office account acting without a linked Telegram id: web:<username>.
WEB_ACTOR = "web:"


@dataclass
class Change:
    """Side data of an action: what the officer typed or decided."""

    reason: str = ""
    office: str | None = None
    assignee_id: int | None = None
    reply: str | None = None
    extension_days: int | None = None
    solved: bool | None = None
    satisfaction: Satisfaction | None = None
    result: str | None = None
    flag: bool = False  # draw the supervision group's attention


@dataclass(frozen=True)
class Outcome:
    """What became of a request: the complaint's state after it, and a word for the presser."""

    ticket: str
    state: State
    replayed: bool = False  # the same request again: nothing changed this time
    toast: str = ""


@dataclass
class _Applied:
    """Inside one transaction: the events written, for keys and the next event's number."""

    events: list[int] = field(default_factory=list)


# --- submitting ---------------------------------------------------------------------------


def _next_ticket(session: Session, now: dt.datetime) -> str:
    """TS + the China-time date + a 4-digit daily sequence: TS20261125-0007.

    One atomic upsert, `INSERT … ON CONFLICT (day) DO UPDATE … RETURNING`, on SQLite
    and PostgreSQL alike: the day's first submission inserts the row, later ones bump
    it, and the row stays locked until the complaint commits. So concurrent writers
    never read the same number, and one that rolls back gives its number back: the
    day's tickets have no gap. (Update-else-insert would need a savepoint and a retry
    when two first submissions of a day race.)
    """
    day = now.astimezone(CHINA).strftime("%Y%m%d")
    table = TicketSequence.__table__  # type: ignore[attr-defined]
    upsert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = upsert(table).values(day=day, last=1)
    bump = statement.on_conflict_do_update(
        index_elements=[table.c.day], set_={"last": table.c.last + 1}
    )
    number = session.execute(bump.returning(table.c.last)).scalar_one()
    return f"TS{day}-{number:04d}"


def find_by_key(session: Session, key: str) -> Complaint | None:
    return session.exec(select(Complaint).where(Complaint.idempotency_key == key)).first()


def submit_in(
    session: Session, submission: Submission, *, key: str, bureau: Bureau, now: dt.datetime
) -> Complaint:
    """Store a complaint and queue its acknowledgement and card, in the caller's transaction."""
    limits = bureau.limits(submission.category)
    anonymous = submission.identity is Identity.ANONYMOUS
    complaint = Complaint(
        ticket=_next_ticket(session, now),
        idempotency_key=key,
        created_at=now,
        updated_at=now,
        channel=submission.channel.value,
        kind=submission.kind.value,
        category=submission.category,
        summary=submission.summary,
        named_office=submission.named_office,
        happened=submission.happened,
        photos=list(submission.photos),
        contact_phone=submission.contact_phone,
        identity=submission.identity.value,
        chat_id=submission.chat_id,
        user_id=submission.user_id,
        resident_name=None if anonymous else submission.resident_name,
        state=State.RECEIVED.value,
        due_claim=bureau.calendar.add_workdays(now, limits.claim_days),
        due_reply=bureau.calendar.add_workdays(now, limits.reply_days),
    )
    session.add(complaint)
    session.flush()
    assert complaint.id is not None
    by_phone = submission.channel is not Channel.TELEGRAM
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            at=now,
            actor_role=(Role.HOTLINE if by_phone else Role.RESIDENT).value,
            action=SUBMIT,
            from_state="",
            to_state=State.RECEIVED.value,
            public=True,
            request_key=key,
        )
    )
    outbox.enqueue(session, notices.on_submit(complaint, bureau))
    return complaint


def submit(
    engine: Engine,
    submission: Submission,
    *,
    key: str,
    bureau: Bureau,
    now: dt.datetime | None = None,
) -> tuple[Complaint, bool]:
    """Store a complaint once per `key`; (complaint, True) when it is new.

    Committed, with its acknowledgement and card queued, before anyone is told its
    ticket number, so an acknowledgement never names a complaint that does not exist.
    """
    now = now or utcnow()
    for attempt in range(3):
        try:
            with open_session(engine) as session:
                existing = find_by_key(session, key)
                if existing is not None:
                    return existing, False
                complaint = submit_in(session, submission, key=key, bureau=bureau, now=now)
                session.commit()
                return complaint, True
        except IntegrityError:
            # Two deliveries of the same confirmation raced and the other one won: the
            # next attempt finds its complaint.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


# --- acting ----------------------------------------------------------------------------------


def lock(session: Session, ticket: str) -> Complaint:
    complaint = session.exec(
        select(Complaint).where(Complaint.ticket == ticket.strip().upper()).with_for_update()
    ).first()
    if complaint is None:
        raise ComplaintNotFound(ticket)
    return complaint


def is_replay(session: Session, request: str | None) -> bool:
    if request is None:
        return False
    found = session.exec(
        select(ComplaintEvent.id).where(ComplaintEvent.request_key == request)
    ).first()
    return found is not None


def apply_in(
    session: Session,
    complaint: Complaint,
    action: Action,
    actor: Actor,
    change: Change,
    bureau: Bureau,
    now: dt.datetime,
    *,
    request: str | None,
    pressed: int | None = None,
) -> int:
    """One action with its audit row and notices, in the caller's transaction; the event id."""
    before = State(complaint.state)
    after = transition(before, action, actor.role, reason=change.reason)
    if action is Action.RATE and actor.role is not Role.RESIDENT:
        _refuse_overriding_the_resident(session, complaint)
    reason = change.reason
    if action in (Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION):
        requested = _pending_extension(session, complaint)
        reason = reason or requested
    limits = bureau.limits(complaint.category)
    public = _effect(complaint, action, actor, change, now, bureau, limits)
    complaint.state = after.value
    complaint.updated_at = now
    assert complaint.id is not None
    event = ComplaintEvent(
        complaint_id=complaint.id,
        at=now,
        actor_role=actor.role.value,
        actor_id=actor.id,
        action=action.value,
        from_state=before.value,
        to_state=after.value,
        reason=change.reason or change.result or None,
        public=public,
        request_key=request,
    )
    session.add(event)
    session.flush()
    assert event.id is not None
    outbox.enqueue(
        session,
        notices.on_action(complaint, action, bureau, event.id, reason=reason, pressed=pressed),
    )
    if action is Action.APPROVE_REPLY and deadlines.needs_phone(complaint):
        deadlines.follow_up_now(session, complaint, bureau, now)
    return event.id


def act(
    engine: Engine,
    ticket: str,
    action: Action,
    actor: Actor,
    change: Change | None = None,
    *,
    bureau: Bureau,
    request: str | None = None,
    pressed: int | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """Apply one action, checked against the lifecycle, with its audit row and notices.

    `request` identifies what asked for it (a button press, a message); asked again,
    it is a replay and nothing changes. `pressed` is the message the button was on.
    """
    with open_session(engine) as session:
        complaint = lock(session, ticket)
        if is_replay(session, request):
            return Outcome(complaint.ticket, State(complaint.state), replayed=True)
        apply_in(
            session,
            complaint,
            action,
            actor,
            change or Change(),
            bureau,
            now or utcnow(),
            request=request,
            pressed=pressed,
        )
        session.commit()
        toast = staff.PRESSED.format(action=staff.ACTION_LABELS[action])
        return Outcome(complaint.ticket, State(complaint.state), toast=toast)


def officer(bureau: Bureau, user_id: int, action: Action) -> Actor:
    """The officer `user_id` in the role in which they may take `action`, or `Refused`."""
    role = bureau.staff.role_for(user_id, action)
    if role is None:
        raise Refused(staff.NOT_ALLOWED)
    return Actor(role, str(user_id))


def _refuse_overriding_the_resident(session: Session, complaint: Complaint) -> None:
    """A phone 回访 records the resident's answers; it never changes one they gave the bot."""
    rated = session.exec(
        select(ComplaintEvent.id).where(
            ComplaintEvent.complaint_id == complaint.id,
            ComplaintEvent.action == Action.RATE.value,
            ComplaintEvent.actor_role == Role.RESIDENT.value,
            col(ComplaintEvent.at) >= (complaint.replied_at or complaint.created_at),
        )
    ).first()
    if rated is not None:
        raise Refused(staff.REFUSED_OVERRIDE_RESIDENT)


def pending_extension(session: Session, complaint: Complaint) -> str | None:
    """The reason of the extension request still waiting, or None when none waits.

    An extension is decided once, not twice: only the last of the requests and
    decisions counts.
    """
    decisions = (
        Action.REQUEST_EXTENSION.value,
        Action.APPROVE_EXTENSION.value,
        Action.REFUSE_EXTENSION.value,
    )
    last = session.exec(
        select(ComplaintEvent)
        .where(
            ComplaintEvent.complaint_id == complaint.id,
            col(ComplaintEvent.action).in_(decisions),
        )
        .order_by(col(ComplaintEvent.id).desc())
    ).first()
    if last is None or last.action != Action.REQUEST_EXTENSION.value:
        return None
    return last.reason or ""


def _pending_extension(session: Session, complaint: Complaint) -> str:
    """The waiting request's reason, or `Refused` when there is nothing to decide."""
    reason = pending_extension(session, complaint)
    if reason is None:
        raise Refused(staff.REFUSED_NO_EXTENSION_REQUEST)
    return reason


def _effect(
    complaint: Complaint,
    action: Action,
    actor: Actor,
    change: Change,
    now: dt.datetime,
    bureau: Bureau,
    limits: Limits,
) -> bool:
    """The action's effect beside the state; returns whether the resident is told of it."""
    calendar = bureau.calendar
    match action:
        case Action.CLAIM | Action.TRANSFER:
            complaint.responsible_office = change.office or complaint.responsible_office
            if change.assignee_id:
                complaint.assignee_id, complaint.assignee_name = change.assignee_id, None
            elif actor.id and actor.id.isdigit():
                complaint.assignee_id, complaint.assignee_name = int(actor.id), None
            elif actor.id and actor.id.startswith(WEB_ACTOR):
                # A back-office account without Telegram: the case is theirs by username.
                complaint.assignee_id = None
                complaint.assignee_name = actor.id.removeprefix(WEB_ACTOR)
            complaint.claimed_at = complaint.claimed_at or now
            return True
        case Action.DRAFT_REPLY:
            if not (change.reply or "").strip():
                raise Refused(staff.REFUSED_EMPTY_REPLY)
            complaint.draft_reply = change.reply
            return False
        case Action.APPROVE_REPLY:
            complaint.reply_text = complaint.draft_reply
            complaint.replied_at = now
            return True
        case Action.REQUEST_EXTENSION:
            if complaint.extension_used:
                raise Refused(staff.REFUSED_SECOND_EXTENSION)
            if now >= complaint.due_reply:
                raise Refused(staff.REFUSED_LATE_EXTENSION)
            return False
        case Action.APPROVE_EXTENSION:
            if complaint.extension_used:
                raise Refused(staff.REFUSED_SECOND_EXTENSION)
            days = change.extension_days or limits.extension_max_days
            if not 1 <= days <= limits.extension_max_days:
                raise Refused(staff.REFUSED_EXTENSION_DAYS.format(days=limits.extension_max_days))
            complaint.extension_used = True
            complaint.due_reply = calendar.add_workdays(complaint.due_reply, days)
            return True
        case Action.RATE:
            if change.solved is not None:
                complaint.solved = change.solved
            if change.satisfaction is not None:
                complaint.satisfaction = change.satisfaction.value
            return False
        case Action.REOPEN:
            if complaint.reopen_count >= 1:
                raise Refused(staff.REFUSED_SECOND_REOPEN)
            complaint.reopen_count += 1
            complaint.flagged = True
            complaint.due_reply = calendar.add_workdays(now, limits.reply_days)
            return True
        case Action.RECONSIDER:
            if complaint.review_used:
                raise Refused(staff.REFUSED_SECOND_RECONSIDER)
            closed = complaint.closed_at or now
            if now - closed > dt.timedelta(days=limits.review_window_days):
                raise Refused(staff.REFUSED_LATE_RECONSIDER.format(days=limits.review_window_days))
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


# --- reading ----------------------------------------------------------------------------------


def get(engine: Engine, ticket: str) -> Complaint:
    with open_session(engine) as session:
        found = session.exec(
            select(Complaint).where(Complaint.ticket == ticket.strip().upper())
        ).first()
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


def show_status_here(engine: Engine, ticket: str, message_id: int) -> None:
    """The resident asked for their status: later steps edit this newest status card."""
    with open_session(engine) as session:
        row = session.exec(select(Complaint).where(Complaint.ticket == ticket)).first()
        if row is not None:
            row.status_message_id = message_id
            session.commit()


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
            row.summary = staff.ERASED
            row.named_office = row.happened = row.contact_phone = row.resident_name = None
            row.photos = []
            row.chat_id = row.user_id = None
            row.draft_reply = row.reply_text = row.result = None
            row.erased_at = now or utcnow()
            for event in session.exec(
                select(ComplaintEvent).where(ComplaintEvent.complaint_id == row.id)
            ).all():
                if event.reason:
                    event.reason = staff.ERASED
            erased.append(row.ticket)
        session.commit()
    return erased
