"""kb check: stale entries, missing legal basis, contradictions."""

from __future__ import annotations

import datetime as dt

from knowledge.base.check import check_entries
from knowledge.base.schema import Entry
from tests.harness import make_entry

TODAY = dt.date(2026, 11, 25)


def kinds(entries: list[Entry], **kwargs: int) -> list[tuple[str, str]]:
    return [
        (f.kind, f.where)
        for f in check_entries(entries, today=TODAY, **kwargs)
        if f.kind != "review-note"
    ]


def test_a_clean_entry_has_no_findings() -> None:
    assert kinds([make_entry()]) == []


def test_an_entry_older_than_the_allowed_age_is_stale() -> None:
    old = make_entry(last_reviewed=dt.date(2025, 10, 1))
    assert kinds([old]) == [("stale", "最近审核日期")]
    assert kinds([old], max_age_days=500) == []


def test_an_aspect_without_legal_basis_is_reported() -> None:
    entry = make_entry()
    bare = entry.model_copy(
        update={"legal_basis": {k: v for k, v in entry.legal_basis.items() if k != "fees"}}
    )
    assert kinds([bare]) == [("missing-basis", "收费(fees)")]


def test_two_figures_for_the_same_period_are_a_contradiction() -> None:
    entry = make_entry(
        aspects={
            "overview": "申请后在村里公示，公示期 7 天。",
            "procedure": "乡镇审核后公示 5 天，无异议的报县级。",
            "time_limit": "20 个工作日。",
            "fees": "不收费。",
        }
    )
    findings = [f for f in check_entries([entry], today=TODAY) if f.kind == "contradiction"]
    assert len(findings) == 1
    assert "7" in findings[0].message and "5" in findings[0].message


def test_a_step_time_limit_missing_from_the_time_limit_text_is_reported() -> None:
    entry = make_entry(
        procedures=[{"name": "办理", "steps": [{"title": "审核", "time_limit": "15个工作日"}]}]
    )
    assert kinds([entry]) == [("contradiction", "流程“办理”第 1 步")]


def test_duplicate_finance_rows_and_phones_are_contradictions() -> None:
    entry = make_entry(
        aspects={"overview": "x", "finance": "y"},
        legal_basis={"overview": ["a"], "finance": ["b"]},
        aspect_questions={},
        procedures=[],
        finance={
            "rows": [
                {"period": "2025年", "item": "办公费", "budget": 1, "spent": 1},
                {"period": "2025年", "item": "办公费", "budget": 2, "spent": 1},
            ]
        },
        contacts=[
            {"name": "值班电话", "phone": "0475-0000001"},
            {"name": "值班电话", "phone": "0475-0000002"},
        ],
    )
    assert sorted(w for k, w in kinds([entry]) if k == "contradiction") == [
        "收支 2025年 办公费",
        "联系方式 值班电话",
    ]


def test_review_notes_are_listed_as_a_to_do() -> None:
    entry = make_entry(review_notes=["文号待核实"])
    notes = [f.message for f in check_entries([entry], today=TODAY) if f.kind == "review-note"]
    assert notes == ["文号待核实"]


def test_the_shipped_knowledge_passes_the_check(shipped: list[Entry]) -> None:
    assert kinds(shipped) == []
