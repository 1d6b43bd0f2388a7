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
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from knowledge import charts
from knowledge.complaints.calendar import CHINA, WorkCalendar
from knowledge.complaints.lifecycle import EVENT_LABELS, OPEN_STATES, ROLE_LABELS, Role, State
from knowledge.db.engine import open_session
from knowledge.db.models import AppSecret, Complaint, ComplaintEvent, utcnow
from knowledge.privacy import mask

OTHER_CATEGORY = "其他"
NONE_MARK = "—"
TEXT_LIMIT = 3500  # a Telegram message holds 4096 characters; leave room to spare

# Short labels for staff; `complaints.STATE_LABELS` speaks to the resident.
STATE_NAMES: dict[str, str] = {
    State.RECEIVED.value: "已受理",
    State.CLAIMED.value: "办理中",
    State.REPLY_REVIEW.value: "答复审核中",
    State.REPLIED.value: "已答复",
    State.REOPENED.value: "重新办理",
    State.CLOSED.value: "已办结",
    State.WITHDRAWN.value: "已撤回",
}
DEADLINE_NAMES: dict[str, str] = {"claim": "认领期限", "reply": "答复期限"}
SATISFIED = frozenset({"satisfied", "basically"})
OFFICER_ROLES = frozenset(
    {Role.HOTLINE.value, Role.HANDLER.value, Role.SUPERVISOR.value, Role.LEADER.value}
)

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
        raise ValueError(f"month must be written as YYYY-MM (for example 2026-11), got {month!r}")
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
    """The database's pseudonym key, made on first use (by whichever process comes first)."""
    with open_session(engine) as session:
        row = session.get(AppSecret, PSEUDONYM_SECRET)
        if row is not None:
            return bytes.fromhex(row.value)
        session.add(AppSecret(name=PSEUDONYM_SECRET, value=secrets.token_hex(32)))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # made at the same moment elsewhere: use that one
    with open_session(engine) as session:
        made = session.get(AppSecret, PSEUDONYM_SECRET)
        assert made is not None
        return bytes.fromhex(made.value)


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
    return complaint.category or OTHER_CATEGORY


def running_deadline(complaint: Complaint) -> tuple[str, dt.datetime] | None:
    """("claim" | "reply", due) of an open complaint; None when it is not open."""
    state = State(complaint.state)
    if state not in OPEN_STATES:
        return None
    if state is State.RECEIVED:
        return "claim", complaint.due_claim
    return "reply", complaint.due_reply


def overdue_rows(
    complaints: Iterable[Complaint], *, calendar: WorkCalendar, now: dt.datetime
) -> list[OverdueRow]:
    """Open complaints whose running deadline has passed at `now`, most overdue first."""
    rows: list[OverdueRow] = []
    for c in complaints:
        running = running_deadline(c)
        if running is None:
            continue
        name, due = running
        if now < due:
            continue
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
        kind = "officer" if role in OFFICER_ROLES else "resident"
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
        text = text.replace(name.strip(), "某某")
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


# --- formatting --------------------------------------------------------------------


def percent(rate: float | None) -> str:
    return NONE_MARK if rate is None else f"{rate * 100:.1f}%"


def workdays_text(days: float | None) -> str:
    return NONE_MARK if days is None else f"{days:.1f} 个工作日"


def china_time(moment: dt.datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(CHINA).strftime(fmt)


def state_name(state: str) -> str:
    return STATE_NAMES.get(state, state)


def _figures(report: MonthlyReport) -> list[tuple[str, str]]:
    """The headline figures as (label, formatted value), shared by the text and the workbook."""
    return [
        ("按时认领率", percent(report.claim_on_time_rate)),
        ("按时答复率", percent(report.reply_on_time_rate)),
        ("平均办理时长", workdays_text(report.handling_avg_workdays)),
        ("90% 办结用时不超过", workdays_text(report.handling_p90_workdays)),
        ("重新办理（含复核）率", percent(report.reopen_rate)),
        ("解决率", percent(report.solved_rate)),
        ("满意率（满意＋基本满意）", percent(report.satisfaction_rate)),
    ]


def last_day(due: dt.datetime) -> dt.date:
    """The last day (China time) a deadline allows: limits end at the next midnight."""
    return (due - dt.timedelta(microseconds=1)).astimezone(CHINA).date()


def _overdue_line(row: OverdueRow) -> str:
    deadline = DEADLINE_NAMES.get(row.deadline, row.deadline)
    return (
        f"• {row.ticket} {state_name(row.state)}，{deadline}至 {last_day(row.due):%m-%d}，"
        f"已逾期 {row.days_overdue:.1f} 个工作日"
    )


def report_text(report: MonthlyReport, *, limit: int = TEXT_LIMIT) -> str:
    """The report as a plain Chinese message, at most `limit` characters."""
    lines = [f"📊 投诉办理月报 {report.month}"]
    if report.as_of is not None:
        lines.append(f"统计截至 {china_time(report.as_of)}（北京时间）")
    lines += ["", f"本月受理：{report.total} 件", "", "【按状态】"]
    lines += [f"{state_name(s)}：{n} 件" for s, n in report.by_state.items()]
    lines += ["", "【按类别】"]
    lines += [f"{c}：{n} 件" for c, n in report.by_category.items()] or ["（无）"]
    lines += ["", "【时效与质量】"]
    lines += [f"{label}：{value}" for label, value in _figures(report)]
    lines += ["", f"【逾期未办】{len(report.overdue)} 件"]
    if not report.overdue:
        lines.append("（无）")
    head = "\n".join(lines)
    body: list[str] = []
    used = len(head)
    for index, row in enumerate(report.overdue):
        line = _overdue_line(row)
        rest = len(report.overdue) - index - 1
        # Room for this line, and for the "…等 N 件" line if more follow.
        tail = len(f"\n…等 {rest} 件") if rest else 0
        if used + 1 + len(line) + tail > limit:
            body.append(f"…等 {len(report.overdue) - index} 件")
            break
        body.append(line)
        used += 1 + len(line)
    return "\n".join([head, *body])


# --- chart -------------------------------------------------------------------------

CHART_WIDTH = 8.0  # inches
BAR_HEIGHT = 0.42  # inches per bar
BAR_COLOR = charts.SPENT_COLOR
TITLE_SIZE = 16.0
LABEL_SIZE = 11.0


def _bar_panel(ax: Axes, heading: str, labels: list[str], counts: list[int]) -> None:
    if not labels:
        ax.set_axis_off()
        ax.set_title(heading, loc="left", color=charts.INK, fontproperties=charts.font(13))
        ax.text(
            0.5,
            0.5,
            "（本月无投诉）",
            ha="center",
            va="center",
            color=charts.MUTED,
            fontproperties=charts.font(LABEL_SIZE),
            parse_math=False,
            transform=ax.transAxes,
        )
        return
    x_max = max(max(counts), 1) * 1.15
    positions = list(range(len(labels)))
    ax.barh(positions, counts, height=0.6, color=BAR_COLOR)
    for y, n in zip(positions, counts, strict=True):
        ax.text(
            n + x_max * 0.01,
            y,
            str(n),
            ha="left",
            va="center",
            color=charts.INK,
            fontproperties=charts.font(LABEL_SIZE),
            parse_math=False,
        )
    ax.set_xlim(0, x_max)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.set_yticks(positions)
    ax.set_yticklabels(labels, fontproperties=charts.font(LABEL_SIZE), color=charts.INK)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    charts.style_bar_axes(ax, heading, tick_size=9, title_size=13)


def report_chart(report: MonthlyReport) -> bytes:
    """A PNG of the month's complaints by state and by category, two bar panels."""
    states = [(state_name(s), n) for s, n in report.by_state.items()]
    categories = list(report.by_category.items())
    labels = [label for label, _ in [*states, *categories]]
    widest = max((sum(charts.char_width(ch) for ch in label) for label in labels), default=4.0)
    left = 0.4 + widest * LABEL_SIZE / 72
    head, gap, panel_head, foot = 0.8, 0.5, 0.45, 0.45
    panels = [max(len(states), 1) * BAR_HEIGHT + 0.2, max(len(categories), 1) * BAR_HEIGHT + 0.2]
    height = head + sum(panels) + 2 * panel_head + gap + foot
    width = max(CHART_WIDTH, left + 4.0)
    with charts.RENDER_LOCK:  # matplotlib's font cache is shared with the other charts
        fig = Figure(figsize=(width, height), dpi=charts.DPI, facecolor="white")
        FigureCanvasAgg(fig)
        fig.text(
            0.5,
            1 - 0.4 / height,
            f"投诉办理月报 {report.month}",
            ha="center",
            va="center",
            color=charts.INK,
            fontproperties=charts.font(TITLE_SIZE),
            parse_math=False,
        )
        top = head
        for (heading, rows), panel in zip(
            (("按状态", states), ("按类别", categories)), panels, strict=True
        ):
            top += panel_head
            ax = fig.add_axes(
                (
                    left / width,
                    1 - (top + panel) / height,
                    (width - left - 0.5) / width,
                    panel / height,
                )
            )
            _bar_panel(
                ax, f"{heading}（共 {report.total} 件）", [r[0] for r in rows], [r[1] for r in rows]
            )
            top += panel + gap
        buffer = BytesIO()
        fig.savefig(buffer, format="png", dpi=charts.DPI, facecolor="white")
        return buffer.getvalue()


# --- workbook ----------------------------------------------------------------------

SUMMARY_SHEET, STATE_SHEET, CATEGORY_SHEET, OVERDUE_SHEET, AUDIT_SHEET = (
    "概况",
    "按状态",
    "按类别",
    "逾期",
    "办理记录",
)
SHEET_NAMES = (SUMMARY_SHEET, STATE_SHEET, CATEGORY_SHEET, OVERDUE_SHEET, AUDIT_SHEET)


def _summary_rows(report: MonthlyReport) -> list[list[Any]]:
    def rate(value: float | None) -> Any:
        return NONE_MARK if value is None else round(value, 4)

    def days(value: float | None) -> Any:
        return NONE_MARK if value is None else round(value, 2)

    return [
        ["月份", report.month, ""],
        ["统计截至（北京时间）", china_time(report.as_of) if report.as_of else NONE_MARK, ""],
        ["本月受理（件）", report.total, "按受理时间（北京时间）计入当月"],
        ["按时认领率", rate(report.claim_on_time_rate), "已认领的投诉中，在认领期限内认领的比例"],
        ["按时答复率", rate(report.reply_on_time_rate), "已答复的投诉中，在答复期限内答复的比例"],
        ["平均办理时长（工作日）", days(report.handling_avg_workdays), "已办结的投诉，受理到办结"],
        ["90% 办结用时不超过（工作日）", days(report.handling_p90_workdays), "最近秩法"],
        ["重新办理（含复核）率", rate(report.reopen_rate), "已答复的投诉中，重新办理或复核的比例"],
        ["解决率", rate(report.solved_rate), "居民评价中，表示已解决的比例"],
        ["满意率", rate(report.satisfaction_rate), "居民评价中，满意或基本满意的比例"],
        ["逾期未办（件）", len(report.overdue), "统计时仍未办结且已过期限"],
    ]


def write_workbook(report: MonthlyReport, path: Path) -> None:
    """The report as an .xlsx for the monthly briefing (简报), without personal data."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheets: list[tuple[str, list[str], list[int], list[list[Any]]]] = [
        (SUMMARY_SHEET, ["项目", "数值", "说明"], [30, 18, 48], _summary_rows(report)),
        (
            STATE_SHEET,
            ["状态", "件数"],
            [16, 10],
            [[state_name(s), n] for s, n in report.by_state.items()],
        ),
        (
            CATEGORY_SHEET,
            ["类别", "件数"],
            [24, 10],
            [[c, n] for c, n in report.by_category.items()],
        ),
        (
            OVERDUE_SHEET,
            ["编号", "状态", "逾期环节", "期限（截至当日）", "逾期工作日", "类别", "承办科室"],
            [18, 12, 12, 20, 12, 16, 20],
            [
                [
                    r.ticket,
                    state_name(r.state),
                    DEADLINE_NAMES.get(r.deadline, r.deadline),
                    last_day(r.due).isoformat(),
                    round(r.days_overdue, 2),
                    r.category,
                    r.office,
                ]
                for r in report.overdue
            ],
        ),
        (
            AUDIT_SHEET,
            [
                "编号",
                "时间（北京时间）",
                "角色",
                "操作人（化名）",
                "操作",
                "原状态",
                "新状态",
                "说明",
            ],
            [18, 18, 12, 16, 12, 12, 12, 60],
            [
                [
                    e.ticket,
                    china_time(e.at),
                    ROLE_LABELS.get(e.actor_role, e.actor_role),
                    e.actor,
                    EVENT_LABELS.get(e.action, e.action),
                    state_name(e.from_state) if e.from_state else "",
                    state_name(e.to_state),
                    e.reason,
                ]
                for e in report.events
            ],
        ),
    ]
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, (name, headers, widths, rows) in enumerate(sheets):
        ws = book.active if index == 0 else book.create_sheet(name)
        ws.title = name
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
        ws.freeze_panes = "A2"
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        for row_cells in ws.iter_rows(min_row=2):
            for cell in row_cells:
                cell.alignment = wrap
    summary = book[SUMMARY_SHEET]
    for row_cells in summary.iter_rows(min_row=2, min_col=2, max_col=2):
        for cell in row_cells:
            label = summary.cell(row=cell.row, column=1).value
            if isinstance(cell.value, float) and str(label).endswith("率"):
                cell.number_format = "0.0%"
    book.save(path)
