"""The complaint queue and one complaint as a back-office account sees and acts on them.

The web pages are thin: what a row shows (the running deadline in working days,
overdue or not, whose case it is), what an account may see (a sealed reporter
only for the supervision group, a number only where `phone_permission` allows)
and which actions it is offered all come from here, decided by the same
`lifecycle` table the Telegram card obeys. An account acts in the lifecycle
roles `COMPLAINT_ROLES` gives its web role, and in the Telegram officer's name
when the account is linked to one, so both doors leave the same trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from knowledge.complaints import office
from knowledge.complaints.calendar import CHINA, month_of
from knowledge.complaints.deadlines import running_deadline
from knowledge.complaints.lifecycle import (
    CARD_ACTIONS,
    NEEDS_WORDS,
    REVIEW_ACTIONS,
    RULES,
    acting_role,
    allowed_actions,
    permitted,
    phone_permission,
)
from knowledge.complaints.policy import Bureau
from knowledge.complaints.store import (
    WEB_ACTOR,
    Actor,
    Change,
    apply_in,
    is_replay,
    lock,
    pending_extension,
)
from knowledge.complaints.views import china_date
from knowledge.complaints.vocabulary import (
    OPEN_STATES,
    SUBMIT,
    Action,
    Channel,
    Identity,
    Kind,
    Role,
    State,
)
from knowledge.db.engine import open_session
from knowledge.db.models import Complaint, ComplaintEvent, StaffAccount, utcnow
from knowledge.errors import ComplaintNotFound, Refused
from knowledge.privacy import mask
from knowledge.staff import audit
from knowledge.staff.accounts import Account
from knowledge.staff.roles import COMPLAINT_ROLES
from knowledge.texts import complaints as resident_texts
from knowledge.texts import officers_web as texts
from knowledge.texts import staff

QUEUE_LIMIT = 300  # rows on one page; the filters narrow a longer queue

# The actions the web offers, in the card's order, then the supervisors' decisions.
# The resident's own steps (rating, reopening, 复核, withdrawing) stay with the resident
# and the hotline's 回访 task in Telegram.
WEB_ACTIONS: tuple[Action, ...] = tuple(
    dict.fromkeys(
        (
            *CARD_ACTIONS,
            *REVIEW_ACTIONS,
            Action.APPROVE_EXTENSION,
            Action.REFUSE_EXTENSION,
        )
    )
)
EXTENSION_DECISIONS = frozenset({Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION})

# Filter values beside the states and categories.
OPEN, ALL = "", "all"
MINE, UNASSIGNED = "mine", "none"
OTHER = "-"  # complaints without a category


# --- who acts ----------------------------------------------------------------------------------


def roles_of(account: Account) -> frozenset[Role]:
    return COMPLAINT_ROLES[account.role]


def actor_id(account: Account) -> str:
    """The Telegram id of the linked officer, so a claim names the same assignee; or web:name."""
    if account.telegram_id is not None:
        return str(account.telegram_id)
    return f"{WEB_ACTOR}{account.username}"


def actor_for(account: Account, action: Action) -> Actor:
    """The account in the role in which it may take `action`, or `Refused`."""
    role = acting_role(roles_of(account), action)
    if role is None:
        raise Refused(staff.NOT_ALLOWED)
    return Actor(role, actor_id(account))


def office_for(account: Account, bureau: Bureau) -> str:
    """The office a claim names: the linked handler's, else the account's, else the hotline."""
    if account.telegram_id is not None and account.telegram_id in {
        uid for uid, _ in bureau.staff.handlers
    }:
        return bureau.staff.office_of(account.telegram_id)
    return account.office or staff.HOTLINE_OFFICE


def offered(state: State, roles: frozenset[Role], *, extension_pending: bool) -> list[Action]:
    """What the account's roles may do now, as `allowed_actions` says, in the card's order."""
    allowed = {a for role in roles for a in allowed_actions(state, role)}
    return [
        a
        for a in WEB_ACTIONS
        if a in allowed and (extension_pending or a not in EXTENSION_DECISIONS)
    ]


def is_mine(complaint: Complaint, account: Account) -> bool:
    if account.telegram_id is not None and complaint.assignee_id == account.telegram_id:
        return True
    return complaint.assignee_name == account.username


# --- the queue ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The queue's filters as the GET form sends them; anything unknown means "any"."""

    state: str = OPEN  # OPEN, ALL, or a State value
    category: str = ""  # "" any, OTHER, or a category
    assignee: str = ""  # "" any, MINE, UNASSIGNED
    overdue: bool = False

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> Filters:
        state = params.get("state", OPEN)
        if state not in {OPEN, ALL, *(s.value for s in State)}:
            state = OPEN
        assignee = params.get("assignee", "")
        if assignee not in {"", MINE, UNASSIGNED}:
            assignee = ""
        category = params.get("category", "").strip()[:80]
        return cls(state, category, assignee, params.get("overdue") in {"1", "on", "true"})


@dataclass(frozen=True)
class Due:
    """The deadline a complaint is running against, in working days from now."""

    deadline: str  # a Deadline value
    label: str  # 答复期限 2026年12月3日
    days: float  # working days left, or overdue when `overdue`
    overdue: bool
    badge: str  # 剩余 1.5 个工作日 / 逾期 2.0 个工作日


@dataclass(frozen=True)
class Row:
    ticket: str
    category: str
    kind: str
    state: str
    state_name: str
    due: Due | None
    assignee: str
    office: str
    channel: str
    mine: bool


def due_of(complaint: Complaint, bureau: Bureau, now: dt.datetime) -> Due | None:
    running = running_deadline(complaint)
    if running is None:
        return None
    overdue = now >= running.due
    calendar = bureau.calendar
    days = (
        calendar.workdays_between(running.due, now)
        if overdue
        else calendar.workdays_between(now, running.due)
    )
    label = texts.DUE_LINE.format(
        deadline=staff.DEADLINE_SHORT[running.deadline], date=china_date(running.due)
    )
    badge = (texts.DUE_OVERDUE if overdue else texts.DUE_LEFT).format(days=round(days, 1))
    return Due(running.deadline.value, label, days, overdue, badge)


class Names:
    """Who an assignee or an actor id is, by the back-office accounts (read once per page)."""

    def __init__(self, session: Session) -> None:
        rows = session.exec(select(StaffAccount)).all()
        self.by_telegram = {
            r.telegram_id: r.display_name or r.username for r in rows if r.telegram_id
        }
        self.by_username = {r.username: r.display_name or r.username for r in rows}

    def of_id(self, who: str | None) -> str:
        if not who:
            return staff.NONE_MARK
        if who.isdigit():
            return self.by_telegram.get(int(who)) or texts.ASSIGNEE_TELEGRAM.format(id=who)
        if who.startswith(WEB_ACTOR):
            username = who.removeprefix(WEB_ACTOR)
            return texts.ASSIGNEE_WEB.format(name=self.by_username.get(username, username))
        return who

    def assignee(self, complaint: Complaint) -> str:
        if complaint.assignee_id is not None:
            return self.of_id(str(complaint.assignee_id))
        if complaint.assignee_name:
            return self.of_id(f"{WEB_ACTOR}{complaint.assignee_name}")
        return staff.NONE_MARK


def category_label(category: str | None, titles: Mapping[str, str]) -> str:
    if not category:
        return staff.OTHER_CATEGORY
    return titles.get(category, category)


def _row(
    complaint: Complaint,
    account: Account,
    bureau: Bureau,
    now: dt.datetime,
    names: Names,
    titles: Mapping[str, str],
) -> Row:
    state = State(complaint.state)
    return Row(
        ticket=complaint.ticket,
        category=category_label(complaint.category, titles),
        kind=resident_texts.KIND_LABELS[Kind(complaint.kind)],
        state=state.value,
        state_name=staff.STATE_NAMES[state],
        due=due_of(complaint, bureau, now),
        assignee=names.assignee(complaint),
        office=complaint.responsible_office or staff.NONE_MARK,
        channel=staff.CHANNEL_LABELS[Channel(complaint.channel)],
        mine=is_mine(complaint, account),
    )


def _wanted(row: Row, complaint: Complaint, filters: Filters) -> bool:
    if filters.overdue and not (row.due and row.due.overdue):
        return False
    if filters.assignee == MINE and not row.mine:
        return False
    unclaimed = complaint.assignee_id is None and not complaint.assignee_name
    return not (filters.assignee == UNASSIGNED and not unclaimed)


def rows(
    engine: Engine,
    filters: Filters,
    account: Account,
    bureau: Bureau,
    *,
    titles: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> list[Row]:
    """The queue under `filters`, the soonest running deadline first, ended complaints last."""
    now = now or utcnow()
    titles = titles or {}
    with open_session(engine) as session:
        query = select(Complaint)
        if filters.state == OPEN:
            query = query.where(col(Complaint.state).in_([s.value for s in OPEN_STATES]))
        elif filters.state != ALL:
            query = query.where(Complaint.state == filters.state)
        if filters.category == OTHER:
            query = query.where(col(Complaint.category).is_(None))
        elif filters.category:
            query = query.where(Complaint.category == filters.category)
        complaints = list(session.exec(query).all())
        names = Names(session)
    found = []
    for complaint in complaints:
        row = _row(complaint, account, bureau, now, names, titles)
        if _wanted(row, complaint, filters):
            found.append((row, complaint))
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    found.sort(key=lambda pair: (_due_at(pair[1]) or far, pair[1].id or 0))
    return [row for row, _ in found[:QUEUE_LIMIT]]


def _due_at(complaint: Complaint) -> dt.datetime | None:
    running = running_deadline(complaint)
    return running.due.astimezone(dt.UTC) if running else None


def categories(engine: Engine, titles: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """The categories complaints were filed under, as (filter value, label)."""
    titles = titles or {}
    with open_session(engine) as session:
        used = session.exec(select(Complaint.category).distinct()).all()
    choices = sorted((c, category_label(c, titles)) for c in used if c)
    if None in used:
        choices.append((OTHER, staff.OTHER_CATEGORY))
    return choices


# --- one complaint -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EventView:
    at: str
    role: str
    actor: str
    action: str
    change: str  # 已受理 → 办理中, or "" when the state stayed
    reason: str


@dataclass(frozen=True)
class ActionForm:
    action: str  # the Action value posted back
    label: str  # the button: the card's label
    words: str  # the label of the textarea, or "" when the action needs no words
    office: bool  # a transfer also names the office
    needs_reason: bool


@dataclass(frozen=True)
class Detail:
    row: Row
    summary: str
    named_office: str
    happened: str
    photos: int
    identity: str
    name: str  # the resident's name, or why it is not shown ("" when none is kept)
    phone: str  # the number, or why it is not shown ("" when none was left)
    phone_shown: bool
    due_claim: str
    due_reply: str
    extension_used: bool
    draft_reply: str
    reply_text: str
    result: str
    extension_request: str | None
    events: list[EventView] = field(default_factory=list)
    actions: list[ActionForm] = field(default_factory=list)


def _event(event: ComplaintEvent, names: Names) -> EventView:
    action = staff.SUBMIT_LABEL if event.action == SUBMIT else staff.ACTION_LABELS[event.action]
    change = ""
    if event.from_state != event.to_state:
        change = texts.STATE_CHANGE.format(
            before=staff.STATE_NAMES.get(event.from_state, staff.NONE_MARK),
            after=staff.STATE_NAMES[event.to_state],
        )
    at = event.at if event.at.tzinfo else event.at.replace(tzinfo=dt.UTC)
    return EventView(
        at=at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
        role=staff.ROLE_LABELS[event.actor_role],
        actor=names.of_id(event.actor_id) if event.actor_id != "system" else "",
        action=action,
        change=change,
        reason=mask(event.reason) if event.reason else "",
    )


def _form(action: Action) -> ActionForm:
    return ActionForm(
        action=action.value,
        label=staff.ACTION_LABELS[action],
        words=texts.WORDS_LABELS[action.value] if action in NEEDS_WORDS else "",
        office=action is Action.TRANSFER,
        needs_reason=RULES[action].needs_reason,
    )


def _contact(complaint: Complaint, roles: frozenset[Role]) -> tuple[str, str, bool]:
    """(name, phone, whether the full number is shown) as `phone_permission` allows."""
    identity = Identity(complaint.identity)
    allowed = permitted(roles, phone_permission(identity))
    hidden = texts.SEALED_HIDDEN if identity is Identity.SEALED else texts.CONTACT_HIDDEN
    name = complaint.resident_name or ""
    phone = complaint.contact_phone or ""
    if allowed:
        return name, phone, bool(phone)
    return (hidden if name else ""), (hidden if phone else ""), False


def detail(
    engine: Engine,
    ticket: str,
    account: Account,
    bureau: Bureau,
    *,
    titles: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Detail:
    """One complaint for `account`: its case, its trail, its actions; `ComplaintNotFound`.

    Showing a resident's full number is recorded in the staff audit log, as the
    Telegram 📞 button records it in the complaint's trail.
    """
    now = now or utcnow()
    roles = roles_of(account)
    with open_session(engine) as session:
        complaint = session.exec(
            select(Complaint).where(Complaint.ticket == ticket.strip().upper())
        ).first()
        if complaint is None:
            raise ComplaintNotFound(ticket)
        names = Names(session)
        events = session.exec(
            select(ComplaintEvent)
            .where(ComplaintEvent.complaint_id == complaint.id)
            .order_by(col(ComplaintEvent.id))
        ).all()
        waiting = pending_extension(session, complaint)
        name, phone, shown = _contact(complaint, roles)
        if shown:
            audit.record(session, account.username, "complaint.show_phone", complaint.ticket)
            session.commit()
    state = State(complaint.state)
    actions = offered(state, roles, extension_pending=waiting is not None)
    return Detail(
        row=_row(complaint, account, bureau, now, names, titles or {}),
        summary=complaint.summary,
        named_office=complaint.named_office or "",
        happened=complaint.happened or "",
        photos=len(complaint.photos),
        identity=resident_texts.IDENTITY_LABELS[Identity(complaint.identity)],
        name=name,
        phone=phone,
        phone_shown=shown,
        due_claim=china_date(complaint.due_claim),
        due_reply=china_date(complaint.due_reply),
        extension_used=complaint.extension_used,
        draft_reply=complaint.draft_reply or "" if state is State.REPLY_REVIEW else "",
        reply_text=complaint.reply_text or "",
        result=complaint.result or "",
        extension_request=waiting,
        events=[_event(e, names) for e in events],
        actions=[_form(a) for a in actions],
    )


# --- acting ------------------------------------------------------------------------------------


def change_for(action: Action, words: str, office_name: str, default_office: str) -> Change:
    """The form's words as the action's change (the office of a claim is the account's)."""
    if action is Action.TRANSFER:
        return Change(reason=words.strip(), office=office_name.strip() or None)
    if action in NEEDS_WORDS:
        return office.change_from_words(action, words)
    return Change(office=default_office)


def act_as(
    engine: Engine,
    account: Account,
    ticket: str,
    action_name: str,
    *,
    words: str = "",
    office_name: str = "",
    bureau: Bureau,
    request: str,
    address: str | None = None,
    now: dt.datetime | None = None,
) -> bool:
    """One action from a web form with its staff audit row, in one transaction.

    The same lifecycle check, effect, trail and queued messages as a Telegram button
    (`store.apply_in`); `request` is the form's key, so a second submission of the
    same form is a replay that changes nothing (False). `Refused` says why not.
    """
    try:
        action = Action(action_name)
    except ValueError:
        raise Refused(texts.UNKNOWN_ACTION) from None
    if action not in WEB_ACTIONS:
        raise Refused(texts.UNKNOWN_ACTION)
    actor = actor_for(account, action)
    change = change_for(action, words, office_name, office_for(account, bureau))
    with open_session(engine) as session:
        complaint = lock(session, ticket)
        if is_replay(session, request):
            return False
        apply_in(
            session, complaint, action, actor, change, bureau, now or utcnow(), request=request
        )
        audit.record(
            session,
            account.username,
            f"complaint.{action.value}",
            complaint.ticket,
            f"role={actor.role.value}",
            address,
        )
        session.commit()
        return True


def this_month() -> str:
    """The report's default month: the current one, China time."""
    return month_of(utcnow())
