"""Export and import of the whole knowledge base: JSON, YAML and an Excel workbook.

JSON and YAML are the `Entry` documents as a list. The workbook is for clerks:
one sheet per kind of thing, one row per item, Chinese headers, and
drop-down lists where a cell takes a fixed value —

    使用说明     how to edit (read-only guidance)
    条目         one row per entry: id, name, category, menus, last-reviewed date,
                 sources (one per line: 标题 | 网址), points to verify
    答复内容     one row per entry × aspect: the text, its legal basis (one per line),
                 whether it shows sample data
    别名与问题   one row per alias or example question (with its aspect, if any)
    同义词       one row per everyday word → the term it means
    办理流程     one row per procedure step, in order
    收支         one row per finance line (period, item, budget, spent)
    联系方式     one row per phone line or office

Import validates everything first and reports each problem with its sheet,
row and column (or entry and field); only a file without problems reaches
the database.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from knowledge.base.schema import Entry
from knowledge.errors import ImportRejected, InputError, Problem
from knowledge.texts import staff as texts
from knowledge.vocabulary import ASPECT_LABELS, Aspect, Category

Format = Literal["json", "yaml", "xlsx"]
FORMATS: tuple[Format, ...] = ("json", "yaml", "xlsx")

YES, NO = "是", "否"
ALIAS, QUESTION = "别名", "示例问题"


@dataclass(frozen=True)
class Sheet:
    name: str
    headers: tuple[str, ...]
    widths: tuple[int, ...]
    optional: tuple[str, ...] = ()  # columns added later: a workbook without them still loads


ENTRIES = Sheet(
    "条目",
    ("条目ID", "名称", "分类", "菜单", "最近审核日期", "来源", "待核实事项"),
    (24, 16, 10, 24, 14, 60, 60),
)
ASPECTS = Sheet(
    "答复内容",
    ("条目ID", "方面", "要点", "答复内容", "法律依据", "含示例数据"),
    (24, 10, 40, 80, 40, 10),
    optional=("要点",),
)
PHRASES = Sheet("别名与问题", ("条目ID", "类型", "方面", "内容"), (24, 10, 10, 60))
SYNONYMS = Sheet("同义词", ("条目ID", "日常说法", "对应术语"), (24, 20, 20))
STEPS = Sheet(
    "办理流程",
    ("条目ID", "流程名称", "步骤", "说明", "办理主体", "时限", "依据"),
    (24, 16, 16, 60, 16, 20, 30),
)
FINANCE = Sheet(
    "收支",
    ("条目ID", "单位", "示例数据", "期间", "项目", "预算", "支出", "备注"),
    (24, 8, 10, 14, 20, 10, 10, 30),
)
CONTACTS = Sheet(
    "联系方式",
    ("条目ID", "名称", "电话", "办公时间", "地址", "备注", "示例数据"),
    (24, 24, 18, 24, 30, 30, 10),
)
SHEETS = (ENTRIES, ASPECTS, PHRASES, SYNONYMS, STEPS, FINANCE, CONTACTS)
GUIDE = "使用说明"
# Every word of the workbook itself: its sheets, its headers, its fixed values. Staff
# see them in Excel, so they are text; they also name the columns the code reads.
WORKBOOK_WORDS = frozenset(
    {
        GUIDE,
        YES,
        NO,
        ALIAS,
        QUESTION,
        *(s.name for s in SHEETS),
        *(h for s in SHEETS for h in s.headers),
    }
)

GUIDE_LINES = texts.KB_GUIDE_LINES


# -- export -------------------------------------------------------------------------


def export_entries(entries: Sequence[Entry], fmt: Format) -> bytes:
    """The whole knowledge base in one of the formats."""
    documents = [e.model_dump(mode="json") for e in entries]
    if fmt == "json":
        return (json.dumps(documents, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "yaml":
        return yaml.safe_dump(documents, allow_unicode=True, sort_keys=False, width=100).encode()
    return _export_workbook(entries)


def _lines(values: Iterable[str]) -> str:
    return "\n".join(values)


def _export_workbook(entries: Sequence[Entry]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    guide = book.active
    guide.title = GUIDE
    for line in GUIDE_LINES:
        guide.append([line])
    guide.column_dimensions["A"].width = 100
    guide["A1"].font = Font(bold=True, size=14)

    rows: dict[str, list[list[Any]]] = defaultdict(list)
    for e in entries:
        rows[ENTRIES.name].append(
            [
                e.id,
                e.title,
                e.category.value,
                "、".join(m.value for m in e.menus),
                e.last_reviewed.isoformat(),
                _lines(f"{s.title} | {s.url}" if s.url else s.title for s in e.sources),
                _lines(e.review_notes),
            ]
        )
        for aspect, text in e.aspects.items():
            rows[ASPECTS.name].append(
                [
                    e.id,
                    ASPECT_LABELS[aspect],
                    e.leads.get(aspect, ""),
                    text,
                    _lines(e.basis_for(aspect)),
                    YES if aspect in e.sample_aspects else NO,
                ]
            )
        rows[PHRASES.name].extend([e.id, ALIAS, "", a] for a in e.aliases)
        rows[PHRASES.name].extend([e.id, QUESTION, "", q] for q in e.questions)
        for aspect, questions in e.aspect_questions.items():
            rows[PHRASES.name].extend([e.id, QUESTION, ASPECT_LABELS[aspect], q] for q in questions)
        rows[SYNONYMS.name].extend([e.id, s.term, s.means] for s in e.synonyms)
        for proc in e.procedures:
            rows[STEPS.name].extend(
                [e.id, proc.name, s.title, s.detail, s.actor, s.time_limit, s.basis]
                for s in proc.steps
            )
        if e.finance is not None:
            f = e.finance
            rows[FINANCE.name].extend(
                [
                    e.id,
                    f.unit,
                    YES if f.sample_data else NO,
                    r.period,
                    r.item,
                    r.budget,
                    r.spent,
                    r.note,
                ]
                for r in f.rows
            )
        rows[CONTACTS.name].extend(
            [e.id, c.name, c.phone, c.hours, c.address, c.note, YES if c.sample_data else NO]
            for c in e.contacts
        )

    wrap = Alignment(wrap_text=True, vertical="top")
    choices = {
        "分类": ",".join(c.value for c in Category),
        "方面": ",".join(ASPECT_LABELS.values()),
        "类型": f"{ALIAS},{QUESTION}",
        "含示例数据": f"{YES},{NO}",
        "示例数据": f"{YES},{NO}",
    }
    for sheet in SHEETS:
        ws = book.create_sheet(sheet.name)
        ws.append(list(sheet.headers))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows[sheet.name]:
            ws.append(row)
        ws.freeze_panes = "B2"
        for i, width in enumerate(sheet.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        if len(rows[sheet.name]) <= 5000:  # styling every cell of a huge export is slow
            for row_cells in ws.iter_rows(min_row=2):
                for cell in row_cells:
                    cell.alignment = wrap
        last = max(len(rows[sheet.name]) + 1, 200)
        for i, header in enumerate(sheet.headers, start=1):
            if header in choices:
                dv = DataValidation(type="list", formula1=f'"{choices[header]}"', allow_blank=True)
                col = get_column_letter(i)
                dv.add(f"{col}2:{col}{last + 500}")
                ws.add_data_validation(dv)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# -- import -------------------------------------------------------------------------


def detect_format(path: Path) -> Format:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("yml", "yaml"):
        return "yaml"
    if suffix in ("json", "xlsx"):
        return suffix  # type: ignore[return-value]
    raise InputError(texts.KB_UNKNOWN_FORMAT.format(file=path.name))


def parse_file(path: Path) -> list[Entry]:
    """Every entry in a knowledge file, or ImportRejected listing all problems."""
    fmt = detect_format(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(texts.CLI_CANNOT_READ.format(source=path, error=exc.strerror)) from exc
    return parse_bytes(data, fmt)


def parse_bytes(data: bytes, fmt: Format) -> list[Entry]:
    if fmt == "xlsx":
        return _parse_workbook(data)
    try:
        text = data.decode("utf-8")
        documents = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    except (UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise ImportRejected(
            [Problem(texts.KB_FILE, texts.KB_NOT_VALID.format(format=fmt.upper(), error=exc))]
        ) from exc
    if not isinstance(documents, list):
        raise ImportRejected([Problem(texts.KB_FILE, texts.KB_NOT_A_LIST)])
    problems: list[Problem] = []
    entries: list[Entry] = []
    for i, doc in enumerate(documents, start=1):
        label = texts.KB_NTH_ENTRY.format(number=i) + (
            texts.KB_ENTRY_ID.format(id=doc.get("id")) if isinstance(doc, dict) else ""
        )
        try:
            entries.append(Entry.model_validate(doc))
        except ValidationError as exc:
            problems.extend(
                Problem(texts.KB_FIELD.format(where=label, field=_loc(err["loc"])), err["msg"])
                for err in exc.errors()
            )
    problems.extend(_duplicate_ids(entries))
    if problems:
        raise ImportRejected(problems)
    return entries


def _loc(loc: Iterable[Any]) -> str:
    return ".".join(str(p) for p in loc) or texts.KB_WHOLE


def _duplicate_ids(entries: Sequence[Entry]) -> list[Problem]:
    seen: set[str] = set()
    out = []
    for e in entries:
        if e.id in seen:
            out.append(Problem(texts.KB_ENTRY.format(id=e.id), texts.KB_DUPLICATE_ID))
        seen.add(e.id)
    return out


class _Reader:
    """Walks the rows of one sheet, keeping the location for messages."""

    def __init__(self, sheet: Sheet, ws: Any, problems: list[Problem]) -> None:
        self.sheet, self.problems = sheet, problems
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None) or ()
        names = [str(h).strip() if h is not None else "" for h in header]
        self.columns: dict[str, int] = {}
        for wanted in sheet.headers:
            if wanted in names:
                self.columns[wanted] = names.index(wanted)
            elif wanted not in sheet.optional:
                where = texts.KB_HEADER_ROW.format(sheet=sheet.name)
                problems.append(Problem(where, texts.KB_MISSING_HEADER.format(header=wanted)))
        self.rows = rows
        self.row_number = 1

    def where(self, header: str) -> str:
        from openpyxl.utils import get_column_letter

        col = get_column_letter(self.columns.get(header, 0) + 1)
        return texts.KB_CELL.format(
            sheet=self.sheet.name, row=self.row_number, column=col, header=header
        )

    def __iter__(self) -> Any:
        if any(h not in self.columns and h not in self.sheet.optional for h in self.sheet.headers):
            return
        for values in self.rows:
            self.row_number += 1
            cells = {h: values[i] if i < len(values) else None for h, i in self.columns.items()}
            if all(v is None or str(v).strip() == "" for v in cells.values()):
                continue
            yield cells

    def text(self, cells: dict[str, Any], header: str, *, required: bool = False) -> str:
        value = cells.get(header)
        if isinstance(value, dt.datetime):
            value = value.date().isoformat()
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, float) and value.is_integer():
            value = str(int(value))
        text = "" if value is None else str(value).strip()
        if required and not text:
            self.problems.append(Problem(self.where(header), texts.KB_EMPTY))
        return text

    def lines(self, cells: dict[str, Any], header: str) -> list[str]:
        return [line.strip() for line in self.text(cells, header).splitlines() if line.strip()]

    def yes_no(self, cells: dict[str, Any], header: str) -> bool:
        text = self.text(cells, header)
        if text in (YES, "true", "True", "1", "yes"):
            return True
        if text in (NO, "", "false", "False", "0", "no"):
            return False
        wrong = texts.KB_YES_NO.format(yes=YES, no=NO, value=text)
        self.problems.append(Problem(self.where(header), wrong))
        return False

    def number(self, cells: dict[str, Any], header: str) -> float:
        value = cells.get(header)
        if isinstance(value, int | float):
            return float(value)
        try:
            return float(str(value).replace(",", "").strip())
        except ValueError:
            self.problems.append(Problem(self.where(header), texts.KB_NUMBER.format(value=value)))
            return 0.0

    def aspect(self, cells: dict[str, Any], header: str, *, required: bool) -> Aspect | None:
        text = self.text(cells, header, required=required)
        if not text:
            return None
        for aspect, label in ASPECT_LABELS.items():
            if text in (label, aspect.value):
                return aspect
        self.problems.append(
            Problem(
                self.where(header),
                texts.KB_UNKNOWN_ASPECT.format(
                    value=text, choices=texts.LIST_SEPARATOR.join(ASPECT_LABELS.values())
                ),
            )
        )
        return None


def _parse_workbook(data: bytes) -> list[Entry]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ImportRejected(
            [Problem(texts.KB_FILE, texts.KB_NOT_EXCEL.format(error=exc))]
        ) from exc
    problems: list[Problem] = []
    missing = [s.name for s in SHEETS if s.name not in book.sheetnames]
    if missing:
        sheets = texts.LIST_SEPARATOR.join(missing)
        raise ImportRejected(
            [Problem(texts.KB_FILE, texts.KB_MISSING_SHEETS.format(sheets=sheets))]
        )

    docs: dict[str, dict[str, Any]] = {}
    entry_rows: dict[str, int] = {}

    r = _Reader(ENTRIES, book[ENTRIES.name], problems)
    for cells in r:
        entry_id = r.text(cells, "条目ID", required=True)
        if entry_id in docs:
            problems.append(Problem(r.where("条目ID"), texts.KB_REPEATED_ID.format(id=entry_id)))
            continue
        sources = []
        for line in r.lines(cells, "来源"):
            title, _, url = line.partition("|")
            sources.append({"title": title.strip(), "url": url.strip()})
        menus = [
            m.strip()
            for m in r.text(cells, "菜单")
            .replace("\n", texts.LIST_SEPARATOR)
            .split(texts.LIST_SEPARATOR)
            if m.strip()
        ]
        category = r.text(cells, "分类", required=True)
        if category and category not in {c.value for c in Category}:
            problems.append(
                Problem(r.where("分类"), texts.KB_UNKNOWN_CATEGORY.format(value=category))
            )
        for m in menus:
            if m not in {c.value for c in Category}:
                problems.append(Problem(r.where("菜单"), texts.KB_UNKNOWN_MENU.format(value=m)))
        reviewed = r.text(cells, "最近审核日期", required=True)
        try:
            dt.date.fromisoformat(reviewed[:10])
        except ValueError:
            if reviewed:
                problems.append(
                    Problem(r.where("最近审核日期"), texts.KB_DATE.format(value=reviewed))
                )
        docs[entry_id] = {
            "id": entry_id,
            "title": r.text(cells, "名称", required=True),
            "category": category,
            "menus": menus,
            "last_reviewed": reviewed[:10],
            "sources": sources,
            "review_notes": r.lines(cells, "待核实事项"),
            "aliases": [],
            "questions": [],
            "aspects": {},
            "leads": {},
            "legal_basis": {},
            "aspect_questions": {},
            "sample_aspects": [],
            "synonyms": [],
            "procedures": [],
            "contacts": [],
        }
        entry_rows[entry_id] = r.row_number

    def owner(reader: _Reader, cells: dict[str, Any]) -> dict[str, Any] | None:
        entry_id = reader.text(cells, "条目ID", required=True)
        if entry_id and entry_id not in docs:
            missing = texts.KB_NO_SUCH_ENTRY.format(sheet=ENTRIES.name, id=entry_id)
            problems.append(Problem(reader.where("条目ID"), missing))
            return None
        return docs.get(entry_id)

    r = _Reader(ASPECTS, book[ASPECTS.name], problems)
    for cells in r:
        doc = owner(r, cells)
        aspect = r.aspect(cells, "方面", required=True)
        text = r.text(cells, "答复内容", required=True)
        if doc is None or aspect is None:
            continue
        if aspect.value in doc["aspects"]:
            twice = texts.KB_REPEATED_ASPECT.format(aspect=ASPECT_LABELS[aspect])
            problems.append(Problem(r.where("方面"), twice))
            continue
        doc["aspects"][aspect.value] = text
        lead = r.text(cells, "要点")
        if lead:
            doc["leads"][aspect.value] = lead
        basis = r.lines(cells, "法律依据")
        if basis:
            doc["legal_basis"][aspect.value] = basis
        if r.yes_no(cells, "含示例数据"):
            doc["sample_aspects"].append(aspect.value)

    r = _Reader(PHRASES, book[PHRASES.name], problems)
    for cells in r:
        doc = owner(r, cells)
        kind = r.text(cells, "类型", required=True)
        aspect = r.aspect(cells, "方面", required=False)
        text = r.text(cells, "内容", required=True)
        if kind not in (ALIAS, QUESTION):
            problems.append(
                Problem(r.where("类型"), texts.KB_KIND.format(alias=ALIAS, question=QUESTION))
            )
            continue
        if doc is None or not text:
            continue
        if kind == ALIAS:
            doc["aliases"].append(text)
        elif aspect is None:
            doc["questions"].append(text)
        else:
            doc["aspect_questions"].setdefault(aspect.value, []).append(text)

    r = _Reader(SYNONYMS, book[SYNONYMS.name], problems)
    for cells in r:
        doc = owner(r, cells)
        term, means = (
            r.text(cells, "日常说法", required=True),
            r.text(cells, "对应术语", required=True),
        )
        if doc is not None and term and means:
            doc["synonyms"].append({"term": term, "means": means})

    r = _Reader(STEPS, book[STEPS.name], problems)
    for cells in r:
        doc = owner(r, cells)
        name = r.text(cells, "流程名称", required=True)
        step = {
            "title": r.text(cells, "步骤", required=True),
            "detail": r.text(cells, "说明"),
            "actor": r.text(cells, "办理主体"),
            "time_limit": r.text(cells, "时限"),
            "basis": r.text(cells, "依据"),
        }
        if doc is None or not name:
            continue
        procs = doc["procedures"]
        if not procs or procs[-1]["name"] != name:
            if any(p["name"] == name for p in procs):
                problems.append(
                    Problem(r.where("流程名称"), texts.KB_STEPS_TOGETHER.format(name=name))
                )
                continue
            procs.append({"name": name, "steps": []})
        procs[-1]["steps"].append(step)

    r = _Reader(FINANCE, book[FINANCE.name], problems)
    for cells in r:
        doc = owner(r, cells)
        unit, sample = r.text(cells, "单位", required=True), r.yes_no(cells, "示例数据")
        row = {
            "period": r.text(cells, "期间", required=True),
            "item": r.text(cells, "项目", required=True),
            "budget": r.number(cells, "预算"),
            "spent": r.number(cells, "支出"),
            "note": r.text(cells, "备注"),
        }
        if doc is None:
            continue
        finance = doc.setdefault("finance", {"unit": unit, "sample_data": sample, "rows": []})
        if finance["unit"] != unit:
            problems.append(
                Problem(r.where("单位"), texts.KB_ONE_UNIT.format(unit=finance["unit"]))
            )
        if finance["sample_data"] != sample:
            problems.append(Problem(r.where("示例数据"), texts.KB_ONE_SAMPLE_FLAG))
        finance["rows"].append(row)

    r = _Reader(CONTACTS, book[CONTACTS.name], problems)
    for cells in r:
        doc = owner(r, cells)
        contact = {
            "name": r.text(cells, "名称", required=True),
            "phone": r.text(cells, "电话"),
            "hours": r.text(cells, "办公时间"),
            "address": r.text(cells, "地址"),
            "note": r.text(cells, "备注"),
            "sample_data": r.yes_no(cells, "示例数据"),
        }
        if doc is not None:
            doc["contacts"].append(contact)

    entries: list[Entry] = []
    for entry_id, doc in docs.items():
        try:
            entries.append(Entry.model_validate(doc))
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(
                    Problem(
                        texts.KB_ENTRY_FIELD.format(
                            id=entry_id,
                            sheet=ENTRIES.name,
                            row=entry_rows[entry_id],
                            field=_loc(err["loc"]),
                        ),
                        err["msg"],
                    )
                )
    if problems:
        raise ImportRejected(problems)
    return entries
