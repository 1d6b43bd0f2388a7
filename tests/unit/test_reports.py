"""The monthly complaint report: figures from real rows, its text, chart and workbook."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import warnings
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import Engine

from knowledge.answering.desk import prepare_database
from knowledge.charts.complaints import report_chart
from knowledge.complaints import store as cs
from knowledge.complaints.calendar import WorkCalendar, last_day
from knowledge.complaints.policy import Bureau, Policy
from knowledge.complaints.report import figures, message, workbook
from knowledge.complaints.report.figures import MonthlyReport
from knowledge.complaints.vocabulary import Action, Role, Satisfaction, State
from knowledge.db.engine import make_engine
from knowledge.db.models import Complaint
from knowledge.errors import InputError

CALENDAR = WorkCalendar.load()
BUREAU = Bureau(calendar=CALENDAR, policy=Policy())
CHINA = dt.timezone(dt.timedelta(hours=8))
PHONE = "13812345678"
NAME = "张三丰"
RESIDENT_ID = 987654321
OFFICER_ID = "424242"
# Tuesday 2026-12-01, 10:00 in China: the report of November is drawn up.
NOW = dt.datetime(2026, 12, 1, 10, 0, tzinfo=CHINA)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=CHINA)


def submit(engine: Engine, key: str, when: dt.datetime, category: str | None = "dibao") -> str:
    complaint, _ = cs.submit(
        engine,
        cs.Submission(
            summary=f"{NAME}反映低保申请两个月没人回复，身份证号110101199003071234，电话{PHONE}",
            category=category,
            chat_id=RESIDENT_ID,
            user_id=RESIDENT_ID,
            resident_name=NAME,
            contact_phone=PHONE,
        ),
        key=key,
        bureau=BUREAU,
        now=when,
    )
    return complaint.ticket


def act(
    engine: Engine, ticket: str, action: Action, role: Role, when: dt.datetime, **change: object
) -> None:
    actor_id = str(RESIDENT_ID) if role is Role.RESIDENT else OFFICER_ID
    cs.act(
        engine,
        ticket,
        action,
        cs.Actor(role, actor_id),
        cs.Change(**change),  # type: ignore[arg-type]
        bureau=BUREAU,
        now=when,
    )


def reply(engine: Engine, ticket: str, when: dt.datetime) -> None:
    act(engine, ticket, Action.DRAFT_REPLY, Role.HANDLER, when, reply="已入户调查，下周审批。")
    act(engine, ticket, Action.APPROVE_REPLY, Role.SUPERVISOR, when + dt.timedelta(minutes=30))


@pytest.fixture
def november(engine: Engine) -> dict[str, str]:
    """Seven complaints in November 2026 (China time) and one just before it."""
    t: dict[str, str] = {}
    # Before the month: 2026-10-31 23:30 in China is still October.
    t["october"] = submit(engine, "oct", at(31, 23, 30, month=10))

    # A: claimed and replied in time, solved and satisfied, closed on Thursday 17:00.
    t["a"] = submit(engine, "a", at(2, 9))  # Monday; claim by Tue, reply by Mon 11-09
    act(engine, t["a"], Action.CLAIM, Role.HANDLER, at(2, 10), office="社会救助股")
    reply(engine, t["a"], at(5, 10))
    act(engine, t["a"], Action.RATE, Role.RESIDENT, at(5, 12), solved=True)
    act(engine, t["a"], Action.RATE, Role.RESIDENT, at(5, 12), satisfaction=Satisfaction.SATISFIED)
    act(engine, t["a"], Action.CLOSE, Role.RESIDENT, at(5, 17))

    # B: claimed late, replied late, solved and basically satisfied, closed.
    t["b"] = submit(engine, "b", at(3, 9))  # Tuesday; claim by Wed, reply by Tue 11-10
    act(engine, t["b"], Action.CLAIM, Role.HANDLER, at(5, 9))
    reply(engine, t["b"], at(12, 9))
    act(engine, t["b"], Action.RATE, Role.RESIDENT, at(12, 12), solved=True)
    act(engine, t["b"], Action.RATE, Role.RESIDENT, at(12, 12), satisfaction=Satisfaction.BASICALLY)
    act(engine, t["b"], Action.CLOSE, Role.RESIDENT, at(12, 18))

    # C: in time, unsolved and unsatisfied, reopened, answered again in time, closed.
    t["c"] = submit(engine, "c", at(4, 9), category="funeral")
    act(engine, t["c"], Action.CLAIM, Role.HANDLER, at(4, 11))
    reply(engine, t["c"], at(6, 10))
    act(engine, t["c"], Action.RATE, Role.RESIDENT, at(6, 12), solved=False)
    unhappy = Satisfaction.UNSATISFIED
    act(engine, t["c"], Action.RATE, Role.RESIDENT, at(6, 12), satisfaction=unhappy)
    act(engine, t["c"], Action.REOPEN, Role.RESIDENT, at(6, 12, 30))
    act(engine, t["c"], Action.CLAIM, Role.HANDLER, at(9, 9))
    reply(engine, t["c"], at(10, 10))
    act(engine, t["c"], Action.CLOSE, Role.HOTLINE, at(10, 16), result="已电话回访")

    # D: never claimed; its claim deadline was the end of Tuesday 11-10.
    t["d"] = submit(engine, "d", at(9, 9), category=None)

    # E: claimed in time, not answered; reply deadline the end of Tuesday 11-17.
    t["e"] = submit(engine, "e", at(10, 9))
    act(engine, t["e"], Action.CLAIM, Role.HANDLER, at(10, 10), office="社会救助股")
    note = f"已联系居民{NAME}，电话{PHONE}，需入户核实"
    act(engine, t["e"], Action.NOTE, Role.HANDLER, at(10, 11), reason=note)

    # F: withdrawn by the resident.
    t["f"] = submit(engine, "f", at(20, 9), category="marriage")
    act(engine, t["f"], Action.WITHDRAW, Role.RESIDENT, at(20, 10), reason="已自行解决")

    # G: the last half hour of the month; its claim deadline is still ahead.
    t["g"] = submit(engine, "g", at(30, 23, 30), category=None)
    return t


@pytest.fixture
def report(engine: Engine, november: dict[str, str]) -> MonthlyReport:
    return figures.monthly_report(engine, "2026-11", calendar=CALENDAR, now=NOW)


def test_counts_by_state_and_category(report: MonthlyReport, november: dict[str, str]) -> None:
    assert report.month == "2026-11"
    assert report.total == 7
    assert report.by_state == {
        "received": 2,
        "claimed": 1,
        "reply_review": 0,
        "replied": 0,
        "reopened": 0,
        "closed": 3,
        "withdrawn": 1,
    }
    assert report.by_category == {"dibao": 3, "其他": 2, "funeral": 1, "marriage": 1}
    assert november["october"] not in {e.ticket for e in report.events}
    assert november["g"] in {e.ticket for e in report.events}


def test_rates(report: MonthlyReport) -> None:
    assert report.claim_on_time_rate == 3 / 4  # A, C, E in time; B late
    assert report.reply_on_time_rate == 2 / 3  # A, C (after reopening) in time; B late
    assert report.reopen_rate == 1 / 3  # C among A, B, C
    assert report.solved_rate == 2 / 3
    assert report.satisfaction_rate == 2 / 3  # satisfied + basically among three answers


def test_handling_time_in_working_days(report: MonthlyReport) -> None:
    # A: Mon 09:00 → Thu 17:00 = 15/24 + 2 + 17/24 working days.
    # B: Tue 11-03 09:00 → Thu 11-12 18:00 = 15/24 + 6 + 18/24.
    # C: Wed 11-04 09:00 → Tue 11-10 16:00 = 15/24 + 3 + 16/24.
    a, b, c = 2 + 32 / 24, 6 + 33 / 24, 3 + 31 / 24
    assert report.handling_avg_workdays == pytest.approx((a + b + c) / 3, abs=1e-9)
    assert report.handling_avg_workdays == pytest.approx(5.0, abs=1e-9)
    assert report.handling_p90_workdays == pytest.approx(b, abs=1e-9)


def test_overdue_list(report: MonthlyReport, november: dict[str, str]) -> None:
    assert [(r.ticket, r.state, r.deadline) for r in report.overdue] == [
        (november["d"], "received", "claim"),
        (november["e"], "claimed", "reply"),
    ]
    d, e = report.overdue
    assert last_day(d.due) == dt.date(2026, 11, 10)
    assert last_day(e.due) == dt.date(2026, 11, 17)
    # 11-11..11-30 hold 14 working days, then 10 hours of Tuesday 12-01.
    assert d.days_overdue == pytest.approx(14 + 10 / 24, abs=1e-9)
    assert e.days_overdue == pytest.approx(9 + 10 / 24, abs=1e-9)
    assert (d.category, d.office) == ("其他", "")
    assert (e.category, e.office) == ("dibao", "社会救助股")


def test_nothing_is_overdue_before_the_deadlines(engine: Engine, november: dict[str, str]) -> None:
    early = figures.monthly_report(engine, "2026-11", calendar=CALENDAR, now=at(10, 23))
    assert early.overdue == []


def test_audit_trail_is_pseudonymised_and_masked(
    report: MonthlyReport, november: dict[str, str]
) -> None:
    trail = [e for e in report.events if e.ticket == november["e"]]
    assert [e.action for e in trail] == ["submit", "claim", "note"]
    officer = trail[1].actor
    assert re.fullmatch(r"officer-[0-9a-f]{8}", officer) and trail[2].actor == officer
    assert trail[0].actor == ""
    assert trail[2].reason == "已联系居民某某，电话138******78，需入户核实"
    actors = {e.actor for e in report.events} - {"", officer}
    (resident,) = actors  # one officer, one resident, and the submissions
    assert re.fullmatch(r"resident-[0-9a-f]{8}", resident)
    assert OFFICER_ID not in officer and str(RESIDENT_ID) not in resident
    assert all(e.at.astimezone(CHINA).month == 11 for e in report.events)
    assert report.events == sorted(report.events, key=lambda e: e.at)


def test_pseudonyms_are_the_same_every_month_and_secret_to_each_database(
    engine: Engine, november: dict[str, str], tmp_path: Path
) -> None:
    def officers(month: str) -> set[str]:
        built = figures.monthly_report(engine, month, calendar=CALENDAR, now=NOW)
        return {e.actor for e in built.events if e.actor.startswith("officer-")}

    act(engine, november["october"], Action.CLAIM, Role.HANDLER, at(2, 10))
    assert officers("2026-10") == officers("2026-11") != set()
    # Another database has another key: its pseudonyms cannot be matched with ours.
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    prepare_database(other)
    assert figures.pseudonym_key(other) != figures.pseudonym_key(engine)
    assert figures.pseudonym_key(engine) == figures.pseudonym_key(engine)


def test_report_text(report: MonthlyReport, november: dict[str, str]) -> None:
    text = message.report_text(report)
    assert text.startswith("📊 投诉办理月报 2026-11")
    assert "本月受理：7 件" in text
    assert "按时认领率：75.0%" in text
    assert "按时答复率：66.7%" in text
    assert "平均办理时长：5.0 个工作日" in text
    assert "满意率（满意＋基本满意）：66.7%" in text
    assert "【逾期未办】2 件" in text
    assert f"{november['d']} 已受理，认领期限至 11-10，已逾期 14.4 个工作日" in text
    assert f"{november['e']} 办理中，答复期限至 11-17，已逾期 9.4 个工作日" in text
    assert PHONE not in text and NAME not in text and str(RESIDENT_ID) not in text


def test_empty_month_shows_dashes(engine: Engine) -> None:
    empty = figures.monthly_report(engine, "2026-02", calendar=CALENDAR, now=NOW)
    assert empty.total == 0 and set(empty.by_state.values()) == {0}
    assert empty.by_category == {} and empty.overdue == [] and empty.events == []
    rates = [empty.claim_on_time_rate, empty.handling_avg_workdays, empty.satisfaction_rate]
    assert rates == [None, None, None]
    text = message.report_text(empty)
    assert "按时认领率：—" in text and "90% 办结用时不超过：—" in text


def test_long_overdue_lists_are_cut(report: MonthlyReport) -> None:
    row = report.overdue[0]
    many = dataclasses.replace(
        report, overdue=[dataclasses.replace(row, ticket=f"TS20261101-{i:04d}") for i in range(500)]
    )
    text = message.report_text(many)
    assert len(text) <= message.TEXT_LIMIT
    shown = text.count("• TS20261101-")
    assert 0 < shown < 500
    assert text.endswith(f"…等 {500 - shown} 件")


def closed_complaint(ticket: str, *, review_used: bool) -> Complaint:
    due = at(20, 0)
    return Complaint(
        ticket=ticket,
        idempotency_key=ticket,
        created_at=at(2, 9),
        channel="phone",
        kind="complaint",
        summary="x",
        identity="public",
        state=State.CLOSED.value,
        due_claim=due,
        due_reply=due,
        replied_at=at(3, 9),
        closed_at=at(4, 9),
        review_used=review_used,
    )


def test_review_counts_as_reopened() -> None:
    reviewed = closed_complaint("TS1", review_used=True)
    plain = closed_complaint("TS2", review_used=False)
    built = figures.build_report(
        "2026-11", [reviewed, plain], [], calendar=CALENDAR, now=NOW, pseudonym_key=b"k"
    )
    assert built.reopen_rate == 1 / 2
    assert built.claim_on_time_rate is None  # nobody claimed
    assert figures.percentile_nearest_rank([5.0, 1.0, 3.0, 2.0, 4.0], 0.9) == 5.0
    assert figures.percentile_nearest_rank([float(i) for i in range(1, 21)], 0.9) == 18.0


def test_chart_is_a_png_without_missing_glyphs(report: MonthlyReport) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = report_chart(report)
        empty = report_chart(
            dataclasses.replace(report, total=0, by_category={}, overdue=[], events=[])
        )
    for data in (png, empty):
        assert data.startswith(b"\x89PNG")
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
        assert 600 <= width <= 2400 and 300 <= height <= 3000


def test_workbook_has_the_five_sheets_and_no_personal_data(
    report: MonthlyReport, november: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "简报.xlsx"
    workbook.write_workbook(report, path)
    book = load_workbook(path)
    assert book.sheetnames == ["概况", "按状态", "按类别", "逾期", "办理记录"]
    cells = [
        str(value)
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]
    everything = "\n".join(cells)
    for secret in (PHONE, NAME, str(RESIDENT_ID), OFFICER_ID, "110101199003071234"):
        assert secret not in everything
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=2, values_only=True)}
    assert summary["本月受理（件）"] == 7
    assert summary["按时认领率"] == 0.75
    assert summary["满意率"] == round(2 / 3, 4)
    overdue = list(book["逾期"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in overdue] == [november["d"], november["e"]]
    assert overdue[0][2:4] == ("认领期限", "2026-11-10")
    audit = list(book["办理记录"].iter_rows(min_row=2, values_only=True))
    assert len(audit) == len(report.events)
    assert "已联系居民某某，电话138******78，需入户核实" in [r[7] for r in audit]
    states = {row[0]: row[1] for row in book["按状态"].iter_rows(min_row=2, values_only=True)}
    assert states["已办结"] == 3 and states["答复审核中"] == 0


@pytest.mark.parametrize("month", ["2026-13", "2026-1", "26-11", "2026/11", "", "2026-11-01"])
def test_bad_month_is_refused(engine: Engine, month: str) -> None:
    with pytest.raises(InputError, match="YYYY-MM"):
        figures.monthly_report(engine, month, calendar=CALENDAR, now=NOW)


def test_month_bounds_are_china_time() -> None:
    start, end = figures.month_bounds("2026-12")
    assert start == dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 12, 31, 16, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("china_time", "month"),
    [
        ("2026-12-01T00:30", "2026-12"),  # 16:30 UTC on 30 November
        ("2026-12-01T07:59", "2026-12"),
        ("2026-11-30T23:59", "2026-11"),
        ("2027-01-01T06:00", "2027-01"),
    ],
)
def test_this_month_is_the_china_time_month(
    china_time: str,
    month: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`sunshine report` without --month reports the month it is in Beijing."""
    import time_machine

    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'sunshine.db'}")
    moment = dt.datetime.fromisoformat(china_time).replace(tzinfo=CHINA)
    with time_machine.travel(moment, tick=False):
        assert main(["report"]) == 0
    assert f"投诉办理月报 {month}" in capsys.readouterr().out
