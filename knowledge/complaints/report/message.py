"""The monthly report as a Telegram message, and the formatting it shares with the workbook."""

from __future__ import annotations

import datetime as dt

from knowledge.complaints.calendar import CHINA
from knowledge.complaints.lifecycle import State
from knowledge.complaints.report.figures import MonthlyReport, OverdueRow

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


