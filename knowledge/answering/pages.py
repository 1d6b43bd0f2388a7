"""The public web pages as data: service guides, flow charts, finance tables, checklists,
complaint figures and a complaint's public status.

Pure functions over `Entry`, `MonthlyReport` and complaint rows, so the pages can be
tested without a web server and the adapter (`handlers.web.public`) only renders.
Nothing here invents a figure: every text and number comes from the knowledge entries
or the complaint records, and the complaint views carry no personal data by
construction (they copy only counts, dates, states and labels).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from knowledge.answering.answers import (  # the same formatting as the bot's finance lines
    _number,
    _rate,
)
from knowledge.base.citations import compact
from knowledge.base.schema import Entry, Finance, Procedure
from knowledge.complaints.calendar import CHINA, last_day
from knowledge.complaints.deadlines import running_deadline
from knowledge.complaints.report.figures import MonthlyReport
from knowledge.complaints.report.message import figures
from knowledge.complaints.vocabulary import SUBMIT, State
from knowledge.db.models import Complaint, ComplaintEvent
from knowledge.texts import site as texts
from knowledge.vocabulary import ASPECT_ORDER, Aspect

# The programme's order of a service guide (名称 comes first, from the title): the aspects
# are declared in that order, so the bot's buttons and the web's sections agree.
GUIDE_ORDER: tuple[Aspect, ...] = ASPECT_ORDER

TICKET = re.compile(r"TS\d{8}-\d{4}", re.IGNORECASE)
MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
QUESTION_LIMIT = 1000  # characters: longer is not a question but a paste


# --- the service guide -----------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One section of a service guide: an aspect of the entry, with its basis."""

    aspect: Aspect
    label: str
    lead: str
    body: str
    basis: tuple[str, ...]
    sample: bool


def guide(entry: Entry) -> list[Section]:
    """The entry's sections in the programme's order, skipping aspects it does not have."""
    return [
        Section(
            aspect=a,
            label=texts.GUIDE_LABELS[a.value],
            lead=entry.leads.get(a, ""),
            body=entry.aspects[a].strip(),
            basis=tuple(compact(entry.basis_for(a))),
            sample=entry.shows_sample_data(a),
        )
        for a in GUIDE_ORDER
        if a in entry.aspects
    ]


def shows_sample(entry: Entry) -> bool:
    """Whether anything on the entry's page is sample data (any aspect, contact or table)."""
    return any(entry.shows_sample_data(a) for a in entry.aspects) or any(
        c.sample_data for c in entry.contacts
    )


# --- flow charts -----------------------------------------------------------------------------

FLOW_WIDTH = 320  # SVG units: a phone's width, scaled up on wider screens
FLOW_MARGIN = 10
FLOW_GAP = 26  # room for the arrow between boxes
FLOW_LINE = 20  # line height of a box's text
FLOW_PAD = 10
FLOW_TITLE_CHARS = 13  # a box's text width in CJK characters at the chart's font size
FLOW_NOTE_CHARS = 16  # the smaller second lines (who, how long)


def text_width(text: str) -> float:
    """Width in CJK characters: Latin letters and digits count half."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def wrap(text: str, width: float) -> list[str]:
    """Break text into lines of at most `width` CJK characters (at least one character each)."""
    lines: list[str] = []
    line, used = "", 0.0
    for ch in text:
        w = text_width(ch)
        if line and used + w > width:
            lines.append(line)
            line, used = "", 0.0
        line += ch
        used += w
    if line:
        lines.append(line)
    return lines or [""]


@dataclass(frozen=True)
class FlowLine:
    text: str
    x: float
    y: float
    strong: bool  # the step's title (larger, bold); the rest is its actor and time limit


@dataclass(frozen=True)
class FlowBox:
    number: int
    title: str
    x: float
    y: float
    width: float
    height: float
    lines: tuple[FlowLine, ...]


@dataclass(frozen=True)
class FlowArrow:
    x: float
    y1: float
    y2: float


@dataclass(frozen=True)
class FlowChart:
    """A procedure laid out top to bottom: one box per step, an arrow between boxes."""

    name: str
    width: float
    height: float
    boxes: tuple[FlowBox, ...]
    arrows: tuple[FlowArrow, ...]
    description: str  # every step in words, for the SVG's <desc>


def step_notes(actor: str, time_limit: str) -> list[str]:
    notes = [texts.STEP_ACTOR.format(actor=actor)] if actor else []
    if time_limit:
        notes.append(texts.STEP_TIME_LIMIT.format(limit=time_limit))
    return notes


def flow_chart(procedure: Procedure) -> FlowChart:
    """The layout of one procedure, one column (reads on a 320-pixel-wide phone)."""
    boxes: list[FlowBox] = []
    arrows: list[FlowArrow] = []
    y = float(FLOW_MARGIN)
    width = FLOW_WIDTH - 2 * FLOW_MARGIN
    centre = FLOW_WIDTH / 2
    for n, step in enumerate(procedure.steps, start=1):
        title_lines = wrap(f"{n}. {step.title}", FLOW_TITLE_CHARS)
        note_lines = [
            piece
            for note in step_notes(step.actor, step.time_limit)
            for piece in wrap(note, FLOW_NOTE_CHARS)
        ]
        lines: list[FlowLine] = []
        line_y = y + FLOW_PAD + FLOW_LINE * 0.8
        for text in title_lines:
            lines.append(FlowLine(text, centre, line_y, True))
            line_y += FLOW_LINE
        for text in note_lines:
            lines.append(FlowLine(text, centre, line_y, False))
            line_y += FLOW_LINE
        height = 2 * FLOW_PAD + FLOW_LINE * (len(title_lines) + len(note_lines))
        boxes.append(FlowBox(n, step.title, FLOW_MARGIN, y, width, height, tuple(lines)))
        y += height
        if n < len(procedure.steps):
            arrows.append(FlowArrow(centre, y, y + FLOW_GAP))
            y += FLOW_GAP
    steps = texts.FLOW_STEP_SEPARATOR.join(
        texts.FLOW_STEP.format(number=n, title=s.title)
        for n, s in enumerate(procedure.steps, start=1)
    )
    return FlowChart(
        name=procedure.name,
        width=FLOW_WIDTH,
        height=y + FLOW_MARGIN,
        boxes=tuple(boxes),
        arrows=tuple(arrows),
        description=texts.FLOW_DESC.format(count=len(procedure.steps), steps=steps),
    )


# --- finance ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinanceRowView:
    item: str
    budget: str
    spent: str
    rate: str
    note: str
    budget_value: float
    spent_value: float


@dataclass(frozen=True)
class FinanceBar:
    label: str
    y: float
    budget_width: float
    spent_width: float
    budget_text: str
    spent_text: str


@dataclass(frozen=True)
class FinancePeriod:
    """One period of a disclosure: its rows, its total, and a bar chart of them."""

    period: str
    unit: str
    rows: tuple[FinanceRowView, ...]
    budget: str
    spent: str
    rate: str
    bars: tuple[FinanceBar, ...]
    chart_height: float
    description: str


BAR_CHART_WIDTH = 320
BAR_LABEL_HEIGHT = 18
BAR_HEIGHT = 14
BAR_ROW = BAR_LABEL_HEIGHT + 2 * BAR_HEIGHT + 14
BAR_AREA = 200  # the longest bar; its number is written after it


def finance_periods(finance: Finance) -> list[FinancePeriod]:
    """The disclosure by period, with totals: the same numbers as `answers.finance_lines`."""
    periods: dict[str, list[int]] = {}
    for i, row in enumerate(finance.rows):
        periods.setdefault(row.period, []).append(i)
    out: list[FinancePeriod] = []
    for period, indexes in periods.items():
        rows = [finance.rows[i] for i in indexes]
        views = tuple(
            FinanceRowView(
                item=r.item,
                budget=_number(r.budget),
                spent=_number(r.spent),
                rate=_rate(r.spent, r.budget),
                note=r.note,
                budget_value=r.budget,
                spent_value=r.spent,
            )
            for r in rows
        )
        top = max((max(r.budget, r.spent) for r in rows), default=0.0) or 1.0
        bars = tuple(
            FinanceBar(
                label=v.item,
                y=i * BAR_ROW,
                budget_width=BAR_AREA * v.budget_value / top,
                spent_width=BAR_AREA * v.spent_value / top,
                budget_text=v.budget,
                spent_text=v.spent,
            )
            for i, v in enumerate(views)
        )
        budget, spent = sum(r.budget for r in rows), sum(r.spent for r in rows)
        out.append(
            FinancePeriod(
                period=period,
                unit=finance.unit,
                rows=views,
                budget=_number(budget),
                spent=_number(spent),
                rate=_rate(spent, budget),
                bars=bars,
                chart_height=len(views) * BAR_ROW,
                description=texts.FLOW_STEP_SEPARATOR.join(
                    texts.FINANCE_CHART_DESC.format(
                        item=v.item, budget=v.budget, spent=v.spent, rate=v.rate
                    )
                    for v in views
                ),
            )
        )
    return out


# --- the materials checklist -----------------------------------------------------------------

_BULLET = re.compile(r"^[•·\-*]\s*")
HEADING_CHARS = 16  # a "收养人：" line introduces a group; a long "…：…" line is a note


@dataclass(frozen=True)
class ChecklistGroup:
    heading: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Checklist:
    groups: tuple[ChecklistGroup, ...]
    notes: tuple[str, ...]

    @property
    def items(self) -> list[str]:
        return [item for g in self.groups for item in g.items]


def checklist(materials: str) -> Checklist:
    """The materials text as groups of items to tick, every line kept.

    A bullet is an item; a line ending in a colon heads the bullets after it; a short
    "协议离婚：双方身份证…" line is a group of one item; any other line is a note.
    """
    groups: list[ChecklistGroup] = []
    notes: list[str] = []
    heading: str | None = None
    items: list[str] = []

    def close() -> None:
        nonlocal heading, items
        if heading is not None or items:
            groups.append(ChecklistGroup(heading or "", tuple(items)))
        heading, items = None, []

    for raw in materials.splitlines():
        line = raw.strip()
        if not line:
            continue
        if _BULLET.match(line):
            items.append(_BULLET.sub("", line))
            continue
        close()
        if line.endswith(("：", ":")):
            heading = line.rstrip("：:")
            continue
        head, colon, rest = line.partition("：")
        if colon and rest and text_width(head) <= HEADING_CHARS:
            groups.append(ChecklistGroup(head, (rest,)))
        else:
            notes.append(line)
    close()
    return Checklist(tuple(g for g in groups if g.items), tuple(notes))


# --- complaint figures -----------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    label: str
    count: int
    width: float  # a bar's share of the longest, 0–100


@dataclass(frozen=True)
class PublicStats:
    """A month's complaint figures as residents may see them: counts and rates only."""

    month: str
    total: int
    by_state: tuple[Count, ...]
    by_category: tuple[Count, ...]
    figures: tuple[tuple[str, str], ...]
    overdue: int


def _counts(pairs: Iterable[tuple[str, int]]) -> tuple[Count, ...]:
    listed = list(pairs)
    top = max((n for _, n in listed), default=0) or 1
    return tuple(Count(label, n, round(100 * n / top, 1)) for label, n in listed)


def category_name(category: str | None, entries: Mapping[str, Entry]) -> str:
    """A complaint's category as residents read it: the entry's title, or 其他."""
    if category and category in entries:
        return entries[category].title
    return texts.OTHER_CATEGORY


def public_stats(report: MonthlyReport, entries: Mapping[str, Entry]) -> PublicStats:
    """The report without its audit trail, tickets or anything written by a person."""
    categories: dict[str, int] = {}
    for category, n in report.by_category.items():
        name = category_name(category, entries)
        categories[name] = categories.get(name, 0) + n
    return PublicStats(
        month=report.month,
        total=report.total,
        by_state=_counts((texts.STATE_NAMES.get(s, s), n) for s, n in report.by_state.items()),
        by_category=_counts(sorted(categories.items(), key=lambda kv: (-kv[1], kv[0]))),
        figures=tuple(figures(report)),
        overdue=len(report.overdue),
    )


def month_of(now: dt.datetime) -> str:
    return now.astimezone(CHINA).strftime("%Y-%m")


def neighbour_months(month: str) -> tuple[str, str]:
    """The months before and after "YYYY-MM"."""
    year, number = int(month[:4]), int(month[5:7])
    before = f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"
    after = f"{year + 1}-01" if number == 12 else f"{year}-{number + 1:02d}"
    return before, after


# --- a complaint's public status -------------------------------------------------------------


def _date(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(CHINA).date().isoformat() if moment is not None else None


def public_status(
    complaint: Complaint, events: Sequence[ComplaintEvent], entries: Mapping[str, Entry]
) -> dict[str, Any]:
    """What anyone holding the ticket number may see: states, dates and public steps.

    Built field by field from an allow-list: never a name, phone, chat or user id,
    the summary, a reply, a result or a reason.
    """
    state = State(complaint.state)
    running = running_deadline(complaint)
    steps = [
        {
            "date": _date(e.at),
            "action": e.action,
            "action_name": texts.SUBMIT_LABEL
            if e.action == SUBMIT
            else texts.ACTION_LABELS.get(e.action, e.action),
            "state": e.to_state,
            "state_name": texts.STATE_NAMES.get(e.to_state, e.to_state),
        }
        for e in events
        if e.public
    ]
    return {
        "ticket": complaint.ticket,
        "state": state.value,
        "state_name": texts.STATE_NAMES[state.value],
        "category": category_name(complaint.category, entries),
        "kind": complaint.kind,
        "kind_name": texts.KIND_LABELS.get(complaint.kind, complaint.kind),
        "created": _date(complaint.created_at),
        "claimed": _date(complaint.claimed_at),
        "replied": _date(complaint.replied_at),
        "closed": _date(complaint.closed_at),
        "due": last_day(running.due).isoformat() if running is not None else None,
        "steps": steps,
    }
