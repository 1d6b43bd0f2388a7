"""The monthly report as a message for the supervision group, and the formatting it shares
with the workbook."""

from __future__ import annotations

import datetime as dt

from knowledge.complaints.calendar import CHINA, last_day
from knowledge.complaints.report.figures import MonthlyReport, OverdueRow
from knowledge.texts import staff

TEXT_LIMIT = 3500  # a Telegram message holds 4096 characters; leave room to spare


def percent(rate: float | None) -> str:
    return staff.NONE_MARK if rate is None else f"{rate * 100:.1f}%"


def workdays_text(days: float | None) -> str:
    return staff.NONE_MARK if days is None else staff.REPORT_WORKDAYS.format(days=days)


def china_time(moment: dt.datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(CHINA).strftime(fmt)


def state_name(state: str) -> str:
    return staff.STATE_NAMES.get(state, state)


def deadline_name(deadline: str) -> str:
    return staff.DEADLINE_NAMES.get(deadline, deadline)


def figures(report: MonthlyReport) -> list[tuple[str, str]]:
    """The headline figures as (label, formatted value), shared by the text and the workbook."""
    labels = staff.REPORT_FIGURES
    return [
        (labels["claim_on_time"], percent(report.claim_on_time_rate)),
        (labels["reply_on_time"], percent(report.reply_on_time_rate)),
        (labels["handling_avg"], workdays_text(report.handling_avg_workdays)),
        (labels["handling_p90"], workdays_text(report.handling_p90_workdays)),
        (labels["reopened"], percent(report.reopen_rate)),
        (labels["solved"], percent(report.solved_rate)),
        (labels["satisfied"], percent(report.satisfaction_rate)),
    ]


def _overdue_line(row: OverdueRow) -> str:
    return staff.REPORT_OVERDUE_ROW.format(
        ticket=row.ticket,
        state=state_name(row.state),
        deadline=deadline_name(row.deadline),
        due=f"{last_day(row.due):%m-%d}",
        days=row.days_overdue,
    )


def report_text(report: MonthlyReport, *, limit: int = TEXT_LIMIT) -> str:
    """The report as a plain Chinese message, at most `limit` characters."""
    lines = [staff.REPORT_HEADING.format(month=report.month)]
    if report.as_of is not None:
        lines.append(staff.REPORT_AS_OF.format(at=china_time(report.as_of)))
    lines += ["", staff.REPORT_TOTAL.format(count=report.total), "", staff.REPORT_BY_STATE]
    lines += [
        staff.REPORT_COUNT.format(name=state_name(s), count=n) for s, n in report.by_state.items()
    ]
    lines += ["", staff.REPORT_BY_CATEGORY]
    lines += [
        staff.REPORT_COUNT.format(name=c, count=n) for c, n in report.by_category.items()
    ] or [staff.REPORT_NONE]
    lines += ["", staff.REPORT_QUALITY]
    lines += [
        staff.REPORT_FIGURE.format(label=label, value=value) for label, value in figures(report)
    ]
    lines += ["", staff.REPORT_OVERDUE.format(count=len(report.overdue))]
    if not report.overdue:
        lines.append(staff.REPORT_NONE)
    head = "\n".join(lines)
    body: list[str] = []
    used = len(head)
    for index, row in enumerate(report.overdue):
        line = _overdue_line(row)
        rest = len(report.overdue) - index - 1
        # Room for this line, and for the "…等 N 件" line if more follow.
        tail = len("\n" + staff.REPORT_AND_MORE.format(count=rest)) if rest else 0
        if used + 1 + len(line) + tail > limit:
            body.append(staff.REPORT_AND_MORE.format(count=len(report.overdue) - index))
            break
        body.append(line)
        used += 1 + len(line)
    return "\n".join([head, *body])
