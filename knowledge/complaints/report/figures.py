"""The monthly complaint report (投诉办理月报): figures, a Telegram text, a chart, a workbook.

`monthly_report` reads the complaints created in one month (China time) and
their audit trail, two queries, and hands them to `build_report`, a plain
function over the loaded rows that tests can call directly. What leaves this
module is for the supervision group's briefing (简报), so it carries no
personal data: no names, no phone numbers, no summaries, no Telegram user ids.
Actors in the audit trail become pseudonyms keyed by a secret made once per
database (officer-3f9a2c1d), the same in every month's report, so a repeat
complainant or one officer's cases can be followed from month to month without
revealing a Telegram id (keyed: ids are too few to hide behind a plain hash).
Free text is passed through `privacy.mask` with residents' names blotted out.

All figures come from the complaints' own fields:

- on-time claim: ``claimed_at <= due_claim``, among the claimed;
- on-time reply: ``replied_at <= due_reply``, among the replied (both hold the
  latest values, so a reply after a reopening is judged against its new limit);
- handling time: ``created_at`` to ``closed_at`` in working days, among the
  closed, its mean and its 90th percentile (nearest rank);
- reopened: ``reopen_count > 0`` or ``review_used``, among the replied;
- solved and satisfied (满意 or 基本满意), among those who answered;
- overdue: the month's open complaints past their running deadline at `now` —
  the claim deadline while nobody has claimed it, the reply deadline after.

A rate is a fraction from 0 to 1, or None when nothing counts towards it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import col, select

from knowledge.complaints.calendar import CHINA, WorkCalendar
from knowledge.complaints.deadlines import running_deadline
from knowledge.complaints.vocabulary import OFFICERS, SATISFIED, Role, State
from knowledge.db.engine import open_session
from knowledge.db.models import Complaint, ComplaintEvent, utcnow
from knowledge.db.secrets import database_secret
from knowledge.errors import InputError
from knowledge.privacy import mask
from knowledge.texts import staff

_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class OverdueRow:
    """An open complaint past its running deadline."""

    ticket: str
    state: str  # a State value
    deadline: str  # "claim" or "reply"
    due: dt.datetime
    days_overdue: float  # working days from `due` to the report's `now`
    category: str  # the category, or 其他
    office: str  # the responsible office, or "" before anyone claimed it


@dataclass(frozen=True)
class AuditRow:
    """One audit event of a month's complaint, without personal data."""

    ticket: str
    at: dt.datetime
    actor_role: str  # a Role value
    actor: str  # a pseudonym: officer-1, resident-2, system, or "" when not recorded
    action: str  # an Action value, or "submit"
    from_state: str
    to_state: str
    reason: str  # masked, residents' names blotted out; "" when none


@dataclass(frozen=True)
class MonthlyReport:
    month: str  # "2026-11"
    total: int
    by_state: dict[str, int]  # every State value, 0 allowed
    by_category: dict[str, int]  # category (or 其他) -> count, most first
    claim_on_time_rate: float | None
    reply_on_time_rate: float | None
    handling_avg_workdays: float | None
    handling_p90_workdays: float | None
    reopen_rate: float | None
    solved_rate: float | None
    satisfaction_rate: float | None
    overdue: list[OverdueRow]  # most overdue first
    events: list[AuditRow]  # by time
    as_of: dt.datetime | None = None  # the `now` the overdue list was judged at


# --- loading -----------------------------------------------------------------------


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """The first moment of `month` and of the next one, in China time (aware)."""
    found = _MONTH.fullmatch(month)
    if found is None:
        raise InputError(staff.REPORT_MONTH_FORMAT.format(month=month))
    year, number = int(found.group(1)), int(found.group(2))
    start = dt.datetime(year, number, 1, tzinfo=CHINA)
    following = dt.datetime(year + number // 12, number % 12 + 1, 1, tzinfo=CHINA)
    return start, following


def load_month(engine: Engine, month: str) -> tuple[list[Complaint], list[ComplaintEvent]]:
    """The complaints created in `month` (China time) and their events, oldest first."""
    start, end = month_bounds(month)
    lo, hi = start.astimezone(dt.UTC), end.astimezone(dt.UTC)
    in_month = (col(Complaint.created_at) >= lo) & (col(Complaint.created_at) < hi)
    with open_session(engine) as session:
        complaints = list(
            session.exec(
                select(Complaint)
                .where(in_month)
                .order_by(col(Complaint.created_at), col(Complaint.id))
            ).all()
        )
        ids = select(Complaint.id).where(in_month)
        events = list(
            session.exec(
                select(ComplaintEvent)
                .where(col(ComplaintEvent.complaint_id).in_(ids))
                .order_by(col(ComplaintEvent.at), col(ComplaintEvent.id))
            ).all()
        )
    return complaints, events


def monthly_report(
    engine: Engine, month: str, *, calendar: WorkCalendar, now: dt.datetime | None = None
) -> MonthlyReport:
    """The report of the complaints created in `month` ("YYYY-MM", China time)."""
    month_bounds(month)  # a bad month fails before the database is asked
    complaints, events = load_month(engine, month)
    return build_report(
        month,
        complaints,
        events,
        calendar=calendar,
        now=now or utcnow(),
        pseudonym_key=pseudonym_key(engine),
    )


PSEUDONYM_SECRET = "report-pseudonyms"


def pseudonym_key(engine: Engine) -> bytes:
    """The database's pseudonym key, made on first use."""
    return database_secret(engine, PSEUDONYM_SECRET)


# --- figures -----------------------------------------------------------------------


def _rate(hits: int, total: int) -> float | None:
    return hits / total if total else None


def _at_or_before(moment: dt.datetime | None, due: dt.datetime) -> bool:
    return moment is not None and moment <= due


def percentile_nearest_rank(values: Sequence[float], share: float) -> float | None:
    """The smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def _category(complaint: Complaint) -> str:
    return complaint.category or staff.OTHER_CATEGORY


def overdue_rows(
    complaints: Iterable[Complaint], *, calendar: WorkCalendar, now: dt.datetime
) -> list[OverdueRow]:
    """Open complaints whose running deadline has passed at `now`, most overdue first."""
    rows: list[OverdueRow] = []
    for c in complaints:
        running = running_deadline(c)
        if running is None or now < running.due:
            continue
        name, due = running.deadline.value, running.due
        rows.append(
            OverdueRow(
                ticket=c.ticket,
                state=c.state,
                deadline=name,
                due=due,
                days_overdue=calendar.workdays_between(due, now),
                category=_category(c),
                office=c.responsible_office or "",
            )
        )
    rows.sort(key=lambda r: (-r.days_overdue, r.due, r.ticket))
    return rows


class _Pseudonyms:
    """Pseudonyms for actor ids: keyed hashes, computed once per actor."""

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._seen: dict[tuple[str, str], str] = {}

    def __call__(self, role: str, actor_id: str | None) -> str:
        if role == Role.SYSTEM.value:
            return "system"
        if not actor_id:
            return ""
        kind = "officer" if role in OFFICERS else "resident"
        seen = (kind, actor_id)
        if seen not in self._seen:
            digest = hmac.new(self._key, f"{kind}:{actor_id}".encode(), hashlib.sha256)
            self._seen[seen] = f"{kind}-{digest.hexdigest()[:8]}"
        return self._seen[seen]


def scrub(text: str | None, names: Iterable[str] = ()) -> str:
    """Free text fit for the briefing: numbers masked, the given names replaced by 某某."""
    if not text:
        return ""
    for name in sorted({n for n in names if n and n.strip()}, key=len, reverse=True):
        text = text.replace(name.strip(), staff.REPORT_NAME_MASK)
    return mask(text)


def audit_rows(
    complaints: Iterable[Complaint],
    events: Iterable[ComplaintEvent],
    pseudonym_key: bytes,
) -> list[AuditRow]:
    """The events of `complaints`, pseudonymised, in the order given."""
    known = list(complaints)
    tickets = {c.id: c.ticket for c in known}
    names = [c.resident_name for c in known if c.resident_name]
    pseudonym = _Pseudonyms(pseudonym_key)
    rows: list[AuditRow] = []
    for e in events:
        ticket = tickets.get(e.complaint_id)
        if ticket is None:
            continue
        rows.append(
            AuditRow(
                ticket=ticket,
                at=e.at,
                actor_role=e.actor_role,
                actor=pseudonym(e.actor_role, e.actor_id),
                action=e.action,
                from_state=e.from_state,
                to_state=e.to_state,
                reason=scrub(e.reason, names),
            )
        )
    return rows


def build_report(
    month: str,
    complaints: Sequence[Complaint],
    events: Sequence[ComplaintEvent],
    *,
    calendar: WorkCalendar,
    now: dt.datetime,
    pseudonym_key: bytes,
) -> MonthlyReport:
    """The figures of `complaints` (already chosen for the month) at `now`."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now.isoformat()}")
    by_state = {s.value: 0 for s in State}
    for c in complaints:
        by_state[c.state] = by_state.get(c.state, 0) + 1
    categories = Counter(_category(c) for c in complaints)
    by_category = dict(sorted(categories.items(), key=lambda kv: (-kv[1], kv[0])))

    claimed = [c for c in complaints if c.claimed_at is not None]
    replied = [c for c in complaints if c.replied_at is not None]
    closed = [c for c in complaints if c.state == State.CLOSED.value and c.closed_at is not None]
    durations = [
        calendar.workdays_between(c.created_at, c.closed_at)
        for c in closed
        if c.closed_at is not None
    ]
    with_solved = [c for c in complaints if c.solved is not None]
    with_satisfaction = [c for c in complaints if c.satisfaction is not None]

    return MonthlyReport(
        month=month,
        total=len(complaints),
        by_state=by_state,
        by_category=by_category,
        claim_on_time_rate=_rate(
            sum(_at_or_before(c.claimed_at, c.due_claim) for c in claimed), len(claimed)
        ),
        reply_on_time_rate=_rate(
            sum(_at_or_before(c.replied_at, c.due_reply) for c in replied), len(replied)
        ),
        handling_avg_workdays=sum(durations) / len(durations) if durations else None,
        handling_p90_workdays=percentile_nearest_rank(durations, 0.9),
        reopen_rate=_rate(sum(c.reopen_count > 0 or c.review_used for c in replied), len(replied)),
        solved_rate=_rate(sum(c.solved is True for c in with_solved), len(with_solved)),
        satisfaction_rate=_rate(
            sum(c.satisfaction in SATISFIED for c in with_satisfaction), len(with_satisfaction)
        ),
        overdue=overdue_rows(complaints, calendar=calendar, now=now),
        events=audit_rows(complaints, events, pseudonym_key),
        as_of=now,
    )
