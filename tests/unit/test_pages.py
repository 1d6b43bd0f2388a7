"""The public pages as data: guide order, flow-chart layout, finance periods, checklists,
public complaint figures."""

from __future__ import annotations

import datetime as dt

from knowledge.answering import pages
from knowledge.answering.answers import finance_lines
from knowledge.base.schema import Entry, Finance, FinanceRow, Procedure, Step
from knowledge.complaints.report.figures import MonthlyReport
from knowledge.texts import site as texts
from knowledge.vocabulary import Aspect


def test_the_guide_follows_the_programmes_order_and_skips_missing_aspects(
    shipped: list[Entry],
) -> None:
    for entry in shipped:
        sections = pages.guide(entry)
        aspects = [s.aspect for s in sections]
        assert aspects == [a for a in pages.GUIDE_ORDER if a in entry.aspects]
        for s in sections:
            assert s.label == texts.GUIDE_LABELS[s.aspect.value]
            assert s.sample == entry.shows_sample_data(s.aspect)
            assert bool(s.basis) == bool(entry.basis_for(s.aspect))


def test_wrap_counts_latin_as_half_width() -> None:
    assert pages.wrap("一二三四五六", 4) == ["一二三四", "五六"]
    assert pages.wrap("abcdefgh", 2) == ["abcd", "efgh"]
    assert pages.wrap("", 3) == [""]


def test_a_flow_chart_stacks_one_box_per_step_with_arrows_between() -> None:
    procedure = Procedure(
        name="测试",
        steps=[
            Step(title="提出申请", actor="申请人"),
            Step(
                title="一个非常非常非常非常长的步骤标题需要换行", actor="", time_limit="3个工作日"
            ),
            Step(title="发证", actor=""),
        ],
    )
    chart = pages.flow_chart(procedure)
    assert len(chart.boxes) == 3 and len(chart.arrows) == 2
    assert chart.boxes[1].lines[0].strong and len(chart.boxes[1].lines) >= 3
    for above, arrow, below in zip(chart.boxes, chart.arrows, chart.boxes[1:], strict=False):
        assert above.y + above.height == arrow.y1 and arrow.y2 == below.y
    assert chart.height == chart.boxes[-1].y + chart.boxes[-1].height + pages.FLOW_MARGIN
    assert all(line.x == chart.width / 2 for b in chart.boxes for line in b.lines)
    assert "第2步 一个非常非常非常非常长的步骤标题需要换行" in chart.description


def test_finance_periods_use_the_bots_numbers() -> None:
    finance = Finance(
        unit="万元",
        rows=[
            FinanceRow(period="2025年", item="甲", budget=100, spent=80.5),
            FinanceRow(period="2025年", item="乙", budget=0, spent=3),
            FinanceRow(period="2026年", item="甲", budget=1234.5, spent=1000),
        ],
    )
    periods = pages.finance_periods(finance)
    assert [p.period for p in periods] == ["2025年", "2026年"]
    first = periods[0]
    assert [(r.budget, r.spent, r.rate) for r in first.rows] == [
        ("100", "80.5", "80%"),
        ("0", "3", "—"),
    ]
    assert (first.budget, first.spent) == ("100", "83.5")
    lines = "\n".join(finance_lines(finance))
    for p in periods:
        for r in p.rows:
            assert r.budget in lines and r.spent in lines and r.rate in lines
        assert p.budget in lines
    assert max(b.budget_width for b in first.bars) == pages.BAR_AREA


def test_a_checklist_keeps_every_line() -> None:
    text = (
        "收养人：\n• 申请书；\n• 身份证。\n协议离婚：双方身份证、结婚证。\n"
        "材料必须真实，出具虚假材料的要记入信用记录。"
    )
    listed = pages.checklist(text)
    assert [g.heading for g in listed.groups] == ["收养人", "协议离婚"]
    assert listed.items == ["申请书；", "身份证。", "双方身份证、结婚证。"]
    assert listed.notes == ("材料必须真实，出具虚假材料的要记入信用记录。",)


def test_every_shipped_materials_text_gives_items(shipped: list[Entry]) -> None:
    for entry in shipped:
        if Aspect.MATERIALS in entry.aspects:
            assert pages.checklist(entry.aspects[Aspect.MATERIALS]).items, entry.id


def test_public_stats_name_categories_and_carry_only_counts(shipped: list[Entry]) -> None:
    entries = {e.id: e for e in shipped}
    report = MonthlyReport(
        month="2026-11",
        total=3,
        by_state={"received": 2, "closed": 1},
        by_category={"dibao": 2, "其他": 1},
        claim_on_time_rate=0.5,
        reply_on_time_rate=None,
        handling_avg_workdays=2.25,
        handling_p90_workdays=3.0,
        reopen_rate=None,
        solved_rate=1.0,
        satisfaction_rate=None,
        overdue=[],
        events=[],
        as_of=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    stats = pages.public_stats(report, entries)
    assert [(c.label, c.count) for c in stats.by_category] == [
        (entries["dibao"].title, 2),
        ("其他", 1),
    ]
    assert [(c.label, c.count) for c in stats.by_state] == [("已受理", 2), ("已办结", 1)]
    assert stats.by_state[0].width == 100
    assert dict(stats.figures)[texts.REPORT_FIGURES["claim_on_time"]] == "50.0%"
    assert dict(stats.figures)[texts.REPORT_FIGURES["handling_avg"]] == "2.2 个工作日"


def test_neighbour_months_cross_years() -> None:
    assert pages.neighbour_months("2026-01") == ("2025-12", "2026-02")
    assert pages.neighbour_months("2026-12") == ("2026-11", "2027-01")
