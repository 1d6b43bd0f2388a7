"""The monthly report as an .xlsx workbook for the briefing (简报), without personal data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from knowledge.complaints.calendar import last_day
from knowledge.complaints.report.figures import MonthlyReport
from knowledge.complaints.report.message import china_time, deadline_name, state_name
from knowledge.texts import staff

SHEETS = staff.REPORT_SHEETS  # name -> column headers, in the workbook's order
SHEET_NAMES = tuple(SHEETS)
SUMMARY_SHEET, STATE_SHEET, CATEGORY_SHEET, OVERDUE_SHEET, AUDIT_SHEET = SHEET_NAMES
WIDTHS: dict[str, list[int]] = {
    SUMMARY_SHEET: [30, 18, 48],
    STATE_SHEET: [16, 10],
    CATEGORY_SHEET: [24, 10],
    OVERDUE_SHEET: [18, 12, 12, 20, 12, 16, 20],
    AUDIT_SHEET: [18, 18, 12, 16, 12, 12, 12, 60],
}
RATE_FORMAT = "0.0%"


def _summary_rows(report: MonthlyReport) -> list[list[Any]]:
    def rate(value: float | None) -> Any:
        return staff.NONE_MARK if value is None else round(value, 4)

    def days(value: float | None) -> Any:
        return staff.NONE_MARK if value is None else round(value, 2)

    values: dict[str, Any] = {
        "month": report.month,
        "as_of": china_time(report.as_of) if report.as_of else staff.NONE_MARK,
        "total": report.total,
        "claim_on_time": rate(report.claim_on_time_rate),
        "reply_on_time": rate(report.reply_on_time_rate),
        "handling_avg": days(report.handling_avg_workdays),
        "handling_p90": days(report.handling_p90_workdays),
        "reopened": rate(report.reopen_rate),
        "solved": rate(report.solved_rate),
        "satisfied": rate(report.satisfaction_rate),
        "overdue": len(report.overdue),
    }
    return [[label, values[key], note] for key, (label, note) in staff.REPORT_SUMMARY.items()]


RATES = frozenset({"claim_on_time", "reply_on_time", "reopened", "solved", "satisfied"})


def _rows(report: MonthlyReport) -> dict[str, list[list[Any]]]:
    action = {**staff.ACTION_LABELS, "submit": staff.SUBMIT_LABEL}
    return {
        SUMMARY_SHEET: _summary_rows(report),
        STATE_SHEET: [[state_name(s), n] for s, n in report.by_state.items()],
        CATEGORY_SHEET: [[c, n] for c, n in report.by_category.items()],
        OVERDUE_SHEET: [
            [
                r.ticket,
                state_name(r.state),
                deadline_name(r.deadline),
                last_day(r.due).isoformat(),
                round(r.days_overdue, 2),
                r.category,
                r.office,
            ]
            for r in report.overdue
        ],
        AUDIT_SHEET: [
            [
                e.ticket,
                china_time(e.at),
                staff.ROLE_LABELS.get(e.actor_role, e.actor_role),
                e.actor,
                action.get(e.action, e.action),
                state_name(e.from_state) if e.from_state else "",
                state_name(e.to_state),
                e.reason,
            ]
            for e in report.events
        ],
    }


def write_workbook(report: MonthlyReport, path: Path) -> None:
    """The report as an .xlsx for the monthly briefing (简报), without personal data."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    wrap = Alignment(wrap_text=True, vertical="top")
    for index, (name, rows) in enumerate(_rows(report).items()):
        ws = book.active if index == 0 else book.create_sheet(name)
        ws.title = name
        ws.append(list(SHEETS[name]))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
        ws.freeze_panes = "A2"
        for i, width in enumerate(WIDTHS[name], start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        for row_cells in ws.iter_rows(min_row=2):
            for cell in row_cells:
                cell.alignment = wrap
    summary = book[SUMMARY_SHEET]
    for row_number, key in enumerate(staff.REPORT_SUMMARY, start=2):
        if key in RATES and isinstance(summary.cell(row=row_number, column=2).value, float):
            summary.cell(row=row_number, column=2).number_format = RATE_FORMAT
    book.save(path)
