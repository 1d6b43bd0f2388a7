"""Export and import: lossless round trips, and precise rejection of bad files."""

from __future__ import annotations

import json
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from knowledge.base import store
from knowledge.base.schema import Entry
from knowledge.base.transfer import (
    ASPECTS,
    ENTRIES,
    FINANCE,
    export_entries,
    parse_bytes,
    parse_file,
)
from knowledge.db.engine import open_session
from knowledge.errors import ImportRejected
from tests.harness import make_entry


def rich_entries() -> list[Entry]:
    """Entries that use every field, including multi-line cells and sample data."""
    funds = make_entry(
        "sample-funds",
        title="示例经费",
        category="阳光理财",
        menus=["阳光理财"],
        aspects={"overview": "经费公开。\n第二行。", "finance": "示例数据：收支如下。"},
        legal_basis={
            "overview": ["《条例》第一条", "《办法》第二条"],
            "finance": ["《条例》第三条"],
        },
        aspect_questions={"finance": ["花了多少"]},
        sample_aspects=["finance"],
        procedures=[],
        synonyms=[{"term": "钱", "means": "经费"}],
        finance={
            "unit": "万元",
            "sample_data": True,
            "rows": [
                {
                    "period": "2025年",
                    "item": "办公费",
                    "budget": 12.5,
                    "spent": 10.0,
                    "note": "示例",
                },
                {"period": "2025年", "item": "招待费", "budget": 3, "spent": 2.25},
            ],
        },
        review_notes=["金额待财务股核实"],
    )
    contacts = make_entry(
        "sample-contacts",
        title="联系",
        category="联系我们",
        aspects={"overview": "电话如下"},
        legal_basis={"overview": ["《政府信息公开条例》第二十条"]},
        aspect_questions={},
        procedures=[],
        contacts=[
            {
                "name": "监督电话",
                "phone": "0475-0000001",
                "hours": "工作日",
                "address": "示例地址",
                "note": "",
                "sample_data": True,
            },
            {"name": "12345", "phone": "12345", "sample_data": False},
        ],
    )
    return [make_entry(menus=["阳光审批", "阳光收费"]), funds, contacts]


@pytest.mark.parametrize("fmt", ["json", "yaml", "xlsx"])
def test_export_then_import_gives_back_the_same_knowledge(fmt: str) -> None:
    entries = rich_entries()
    assert parse_bytes(export_entries(entries, fmt), fmt) == entries  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["json", "yaml", "xlsx"])
def test_the_shipped_knowledge_round_trips(shipped: list[Entry], fmt: str) -> None:
    assert parse_bytes(export_entries(shipped, fmt), fmt) == shipped  # type: ignore[arg-type]


def test_json_export_has_the_contract_fields() -> None:
    documents = json.loads(export_entries(rich_entries(), "json"))
    assert isinstance(documents, list)
    for doc in documents:
        assert {
            "id",
            "title",
            "category",
            "aliases",
            "questions",
            "aspects",
            "sources",
            "last_reviewed",
        } <= set(doc)
        assert all(isinstance(text, str) for text in doc["aspects"].values())


def _workbook(entries: list[Entry]):  # type: ignore[no-untyped-def]
    return load_workbook(BytesIO(export_entries(entries, "xlsx")))


def _save(book) -> bytes:  # type: ignore[no-untyped-def]
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_workbook_is_laid_out_for_clerks() -> None:
    book = _workbook(rich_entries())
    assert book.sheetnames[0] == "使用说明"
    aspects = book[ASPECTS.name]
    assert [c.value for c in aspects[1]] == list(ASPECTS.headers)
    rows = [[c.value for c in row] for row in aspects.iter_rows(min_row=2)]
    assert ["sample-funds", "收支", None, "示例数据：收支如下。", "《条例》第三条", "是"] in rows


def test_a_workbook_from_before_the_leads_column_still_loads() -> None:
    book = _workbook([make_entry()])
    aspects = book[ASPECTS.name]
    aspects.delete_cols(list(ASPECTS.headers).index("要点") + 1)
    (entry,) = parse_bytes(_save(book), "xlsx")
    assert entry.leads == {} and entry.aspects == make_entry().aspects


def test_a_lead_longer_than_eighty_characters_is_rejected() -> None:
    book = _workbook([make_entry()])
    aspects = book[ASPECTS.name]
    aspects.cell(row=2, column=list(ASPECTS.headers).index("要点") + 1, value="长" * 81)
    with pytest.raises(ImportRejected, match="80"):
        parse_bytes(_save(book), "xlsx")


def test_a_bad_workbook_is_rejected_naming_sheet_row_and_column() -> None:
    book = _workbook(rich_entries())
    book[ASPECTS.name]["B3"] = "材科"  # a typo in an aspect name
    book[FINANCE.name]["F2"] = "十二点五"  # not a number
    book[ENTRIES.name]["E2"] = "2026/13/45"  # not a date
    with pytest.raises(ImportRejected) as info:
        parse_bytes(_save(book), "xlsx")
    messages = [str(p) for p in info.value.problems]
    assert any("工作表“答复内容”第 3 行 B 列（方面）" in m and "材科" in m for m in messages)
    assert any("工作表“收支”第 2 行 F 列（预算）" in m for m in messages)
    assert any("工作表“条目”第 2 行 E 列（最近审核日期）" in m for m in messages)


def test_rows_naming_an_unknown_entry_are_rejected() -> None:
    book = _workbook(rich_entries())
    book[ASPECTS.name]["A2"] = "no-such-entry"
    with pytest.raises(ImportRejected, match="没有条目“no-such-entry”"):
        parse_bytes(_save(book), "xlsx")


def test_a_bad_json_file_is_rejected_naming_entry_and_field() -> None:
    documents = json.loads(export_entries(rich_entries(), "json"))
    documents[1]["aspects"]["nonsense"] = "x"
    documents[2]["last_reviewed"] = "yesterday"
    with pytest.raises(ImportRejected) as info:
        parse_bytes(json.dumps(documents).encode(), "json")
    text = str(info.value)
    assert "第 2 个条目（sample-funds） 字段 aspects.nonsense" in text
    assert "第 3 个条目（sample-contacts） 字段 last_reviewed" in text


def test_a_rejected_import_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    with open_session(engine) as session:
        store.save_entries(rich_entries(), session=session, author="a", source="t")
        session.commit()
    documents = json.loads(export_entries(rich_entries(), "json"))
    documents[0]["title"] = "改了名称"
    documents[2]["category"] = "不存在的分类"
    path = tmp_path / "kb.json"
    path.write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ImportRejected):
        parse_file(path)
    with open_session(engine) as session:
        assert store.get_entry("sample-item", session=session).title == "示例事项"


def test_garbage_is_rejected_not_crashed_on() -> None:
    with pytest.raises(ImportRejected):
        parse_bytes(b"\xff\xfe not json", "json")
    with pytest.raises(ImportRejected):
        parse_bytes(b"not a zip file", "xlsx")
    with pytest.raises(ImportRejected, match="顶层应当是条目的列表"):
        parse_bytes(b"{}", "yaml")
