"""The monthly report as an .xlsx workbook for the briefing (简报), without personal data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from knowledge.complaints.lifecycle import EVENT_LABELS, ROLE_LABELS
from knowledge.complaints.report.figures import MonthlyReport
from knowledge.complaints.report.message import (
    DEADLINE_NAMES,
    NONE_MARK,
    china_time,
    last_day,
    state_name,
)

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
