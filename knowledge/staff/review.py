"""Knowledge changes go through review: staff propose, another person publishes.

A change is the whole proposed `Entry` (a `PendingChange`), based on the entry's
revision when it was proposed. Residents keep the published text until a reviewer
who is not the author approves; approval saves the document with
`store.save_entries` as a revision by the author (`sunshine kb history`, `kb diff`
and `kb rollback` see it like any other), in one transaction with the change's new
state and the audit row.

Conflicts: approving a change supersedes every other pending change of the same
entry (they were written against a text that is no longer published), and a change
whose base revision is no longer the published one is refused as stale — its author
resubmits on top of the current text. So an approval never silently undoes another.

An author's new submission for an entry replaces their own earlier pending one
(superseded): the edit page starts from it, so nothing of theirs is lost.

The command line's `sunshine kb import` still saves directly: it is the
administrator's shell, outside this review.
"""

from __future__ import annotations

import datetime as dt
import difflib
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import yaml
from pydantic import ValidationError
from sqlmodel import Session, col, select

from knowledge.base import store
from knowledge.base.check import DEFAULT_MAX_AGE_DAYS, Kind, check_entries
from knowledge.base.schema import Entry
from knowledge.base.transfer import parse_bytes
from knowledge.db.models import EntryRecord, PendingChange, utcnow
from knowledge.errors import InputError, NotFound, Refused
from knowledge.staff import audit
from knowledge.texts import review as texts
from knowledge.texts import staff as staff_texts
from knowledge.vocabulary import ASPECT_LABELS, Aspect


class State(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    SUPERSEDED = "superseded"


# --- proposing ----------------------------------------------------------------------------


def _revision(entry_id: str, session: Session) -> int | None:
    record = session.get(EntryRecord, entry_id)
    return record.revision if record is not None else None


def _published(entry_id: str, session: Session) -> Entry | None:
    record = session.get(EntryRecord, entry_id)
    return Entry.model_validate(record.document) if record is not None else None


def own_pending(entry_id: str, author: str, *, session: Session) -> PendingChange | None:
    return session.exec(
        select(PendingChange)
        .where(
            PendingChange.entry_id == entry_id,
            PendingChange.author == author,
            PendingChange.state == State.PENDING.value,
        )
        .order_by(col(PendingChange.id).desc())
    ).first()


def working_copy(entry_id: str, author: str, *, session: Session) -> Entry:
    """What an author edits: their own pending version of the entry, else the published one."""
    mine = own_pending(entry_id, author, session=session)
    if mine is not None:
        return Entry.model_validate(mine.document)
    return store.get_entry(entry_id, session=session)


def summarise(old: Entry | None, new: Entry) -> str:
    """One line: `store.describe_changes`, plus the leads it does not mention."""
    lines = store.describe_changes(old, new)
    if old is not None:
        leads = [ASPECT_LABELS[a] for a in Aspect if old.leads.get(a) != new.leads.get(a)]
        if leads:
            lines.append(texts.SUMMARY_LEADS.format(aspects=staff_texts.LIST_SEPARATOR.join(leads)))
    return staff_texts.LIST_SEPARATOR.join(lines)


def submit(
    entry: Entry,
    *,
    session: Session,
    author: str,
    change_set: str | None = None,
    action: str = "knowledge.submit",
) -> PendingChange:
    """Propose `entry` for review (not committed); refused when it changes nothing."""
    published = _published(entry.id, session)
    if published == entry:
        raise Refused(texts.NOTHING_CHANGED)
    base = _revision(entry.id, session)
    earlier = own_pending(entry.id, author, session=session)
    if earlier is not None:
        base = earlier.base_revision
        earlier.state, earlier.decided_at = State.SUPERSEDED.value, utcnow()
        earlier.reason = texts.REPLACED_BY_NEWER
        session.add(earlier)
    change = PendingChange(
        entry_id=entry.id,
        base_revision=base,
        document=entry.model_dump(mode="json"),
        summary=summarise(published, entry) or texts.SUMMARY_NONE,
        author=author,
        change_set=change_set or uuid.uuid4().hex[:12],
        state=State.PENDING.value,
    )
    session.add(change)
    session.flush()
    audit.record(session, author, action, target=f"{entry.id} #{change.id}", detail=change.summary)
    return change


def get(change_id: int, *, session: Session) -> PendingChange:
    change = session.get(PendingChange, change_id)
    if change is None:
        raise NotFound(texts.NO_CHANGE.format(id=change_id))
    return change


def pending(*, session: Session) -> list[PendingChange]:
    return list(
        session.exec(
            select(PendingChange)
            .where(PendingChange.state == State.PENDING.value)
            .order_by(col(PendingChange.id))
        ).all()
    )


def by_author(author: str, *, session: Session, limit: int = 20) -> list[PendingChange]:
    """An author's latest changes in every state ("我的提交", with the reasons of returns)."""
    return list(
        session.exec(
            select(PendingChange)
            .where(PendingChange.author == author)
            .order_by(col(PendingChange.id).desc())
            .limit(limit)
        ).all()
    )


def is_stale(change: PendingChange, *, session: Session) -> bool:
    """The entry was saved since the change was written: approving would undo that."""
    return _revision(change.entry_id, session) != change.base_revision


@dataclass(frozen=True)
class EntryRow:
    """An entry as the list shows it: overdue for review, changes waiting for review."""

    entry: Entry
    stale: bool
    pending: int


def entry_rows(
    *, session: Session, today: dt.date, stale_after_days: int = DEFAULT_MAX_AGE_DAYS
) -> list[EntryRow]:
    """Every entry; "stale" is exactly what `sunshine kb check` reports as overdue."""
    entries = store.load_entries(session=session)
    findings = check_entries(entries, today=today, max_age_days=stale_after_days)
    stale = {f.entry for f in findings if f.kind is Kind.STALE}
    waiting = Counter(c.entry_id for c in pending(session=session))
    return [EntryRow(e, e.id in stale, waiting[e.id]) for e in entries]


# --- deciding -----------------------------------------------------------------------------


def _decidable(change: PendingChange, reviewer: str) -> None:
    if change.state != State.PENDING.value:
        raise Refused(texts.NOT_PENDING.format(id=change.id, state=texts.STATE_NAMES[change.state]))
    if change.author == reviewer:
        raise Refused(texts.OWN_CHANGE)


def approve(change_id: int, *, session: Session, reviewer: str) -> store.SaveResult:
    """Publish a change (not committed): a revision by its author, the audit row, conflicts.

    Refused for the author themselves, a decided change, and a stale one.
    """
    change = get(change_id, session=session)
    _decidable(change, reviewer)
    if is_stale(change, session=session):
        raise Refused(texts.STALE.format(id=change.id))
    entry = Entry.model_validate(change.document)
    result = store.save_entries(
        [entry],
        session=session,
        author=change.author,
        source=texts.APPROVAL_SOURCE.format(id=change.id, reviewer=reviewer),
    )
    now = utcnow()
    change.state, change.reviewer, change.decided_at = State.APPROVED.value, reviewer, now
    session.add(change)
    for other in pending(session=session):
        if other.entry_id == change.entry_id and other.id != change.id:
            other.state, other.decided_at = State.SUPERSEDED.value, now
            other.reason = texts.SUPERSEDED_BY.format(id=change.id)
            session.add(other)
    audit.record(
        session,
        reviewer,
        "knowledge.approve",
        target=f"{change.entry_id} #{change.id}",
        detail=change.summary,
    )
    session.flush()
    return result


def approve_set(change_set: str, *, session: Session, reviewer: str) -> list[int]:
    """Approve every pending change of a set, all or none (the caller rolls back on refusal)."""
    ids = [c.id or 0 for c in pending(session=session) if c.change_set == change_set]
    if not ids:
        raise NotFound(texts.NO_SET)
    for change_id in ids:
        approve(change_id, session=session, reviewer=reviewer)
    return ids


def return_change(change_id: int, reason: str, *, session: Session, reviewer: str) -> None:
    """Send a change back to its author with a reason (not committed)."""
    change = get(change_id, session=session)
    reason = reason.strip()
    if not reason:
        raise InputError(texts.RETURN_NEEDS_REASON)
    _decidable(change, reviewer)
    change.state, change.reviewer = State.RETURNED.value, reviewer
    change.decided_at, change.reason = utcnow(), reason
    session.add(change)
    audit.record(
        session,
        reviewer,
        "knowledge.return",
        target=f"{change.entry_id} #{change.id}",
        detail=reason,
    )
    session.flush()


# --- showing a change ---------------------------------------------------------------------

Segment = tuple[str, str]  # ("same" | "del" | "ins", text)


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str
    segments: tuple[Segment, ...] = field(default=())


def _dump(value: Any) -> str:
    if value in (None, [], {}, ""):
        return ""
    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100).strip()


def _fields(entry: Entry | None) -> dict[str, str]:
    if entry is None:
        return {}
    found: dict[str, str] = {}
    for aspect in Aspect:
        name = ASPECT_LABELS[aspect]
        found[texts.FIELD_LEAD.format(aspect=name)] = entry.leads.get(aspect, "")
        found[texts.FIELD_TEXT.format(aspect=name)] = entry.aspects.get(aspect, "")
        found[texts.FIELD_BASIS.format(aspect=name)] = "\n".join(entry.basis_for(aspect))
        found[texts.FIELD_QUESTIONS.format(aspect=name)] = "\n".join(
            entry.aspect_questions.get(aspect, [])
        )
    document = entry.model_dump(mode="json")
    for name, label in staff_texts.KB_FIELDS.items():
        found[label] = _dump(document.get(name))
    return found


def segments(before: str, after: str) -> tuple[Segment, ...]:
    """Character-level differences (Chinese has no spaces to split words at)."""
    out: list[Segment] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(("same", before[a1:a2]))
            continue
        if a2 > a1:
            out.append(("del", before[a1:a2]))
        if b2 > b1:
            out.append(("ins", after[b1:b2]))
    return tuple(out)


def field_changes(before: Entry | None, after: Entry) -> list[FieldChange]:
    """Each field that differs, before and after, with the differences marked."""
    old, new = _fields(before), _fields(after)
    return [
        FieldChange(label, old.get(label, ""), text, segments(old.get(label, ""), text))
        for label, text in new.items()
        if old.get(label, "") != text
    ]


def change_diff(change: PendingChange, *, session: Session) -> list[FieldChange]:
    """What approving would change in the published entry."""
    return field_changes(
        _published(change.entry_id, session), Entry.model_validate(change.document)
    )


# --- editing one aspect -------------------------------------------------------------------

STEP_FIELDS = ("title", "detail", "actor", "time_limit", "basis")
FINANCE_FIELDS = ("period", "item", "budget", "spent", "note")


@dataclass(frozen=True)
class Edited:
    """An edit applied to an entry: the new entry, or the problems by form field."""

    entry: Entry | None
    errors: dict[str, str]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _rows(
    form: Mapping[str, str], prefix: str, names: Sequence[str]
) -> list[tuple[int, dict[str, str]]]:
    """Numbered rows `prefix-N-name` as (N, row), in order; a row left wholly blank is dropped."""
    numbers = {
        int(k.split("-")[-2]) for k in form if k.startswith(prefix) and k.split("-")[-2].isdigit()
    }
    rows = []
    for n in sorted(numbers):
        row = {name: form.get(f"{prefix}{n}-{name}", "").strip() for name in names}
        if any(row.values()):
            rows.append((n, row))
    return rows


def _message(error: Mapping[str, Any]) -> str:
    template = texts.VALIDATION.get(str(error.get("type")), texts.VALIDATION_OTHER)
    return template.format(**(error.get("ctx") or {}), msg=error.get("msg", ""))


def _field_of(loc: Sequence[Any], kept: Mapping[tuple[str, int], int]) -> str:
    """The form field a validation error belongs to (`kept` maps model rows to form rows)."""
    head = loc[0] if loc else ""
    if head == "aspects":
        return "text"
    if head == "leads":
        return "lead"
    if head == "legal_basis":
        return "basis"
    if head == "procedures" and len(loc) >= 5:
        p, i = int(loc[1]), int(loc[3])
        return f"step-{p}-{kept.get(('step', p * 1000 + i), i)}-{loc[4]}"
    if head == "finance" and len(loc) >= 4 and loc[1] == "rows":
        return f"fin-{kept.get(('fin', int(loc[2])), int(loc[2]))}-{loc[3]}"
    if head == "finance":
        return "fin"
    if head == "procedures":
        return f"proc-{loc[1]}" if len(loc) > 1 else "proc"
    return "text"


def apply_form(entry: Entry, aspect: Aspect, form: Mapping[str, str]) -> Edited:
    """The entry with one aspect as edited in the form, validated by the `Entry` model.

    Fields: `lead`, `text` (答复内容), `basis` (one per line); on the procedure aspect
    `step-P-N-<field>` per step of procedure P; on the finance aspect `fin-N-<field>`.
    A field the form does not carry at all leaves its part of the entry as it was.
    Browsers send a textarea's line breaks as CRLF: they are read as the LF the
    knowledge is written with, or every line would count as changed.
    """
    form = {name: value.replace("\r\n", "\n").replace("\r", "\n") for name, value in form.items()}
    document = entry.model_dump(mode="json")
    key = aspect.value
    document["aspects"][key] = form.get("text", "")
    lead = form.get("lead", "").strip()
    if lead:
        document["leads"][key] = lead
    elif "lead" in form:
        document["leads"].pop(key, None)
    basis = _lines(form.get("basis", ""))
    if basis:
        document["legal_basis"][key] = basis
    elif "basis" in form:
        document["legal_basis"].pop(key, None)
    kept: dict[tuple[str, int], int] = {}
    if aspect is Aspect.PROCEDURE:
        for p, procedure in enumerate(document["procedures"]):
            if not any(k.startswith(f"step-{p}-") for k in form):
                continue  # a procedure the form does not show keeps its steps
            steps: list[dict[str, str]] = []
            for n, row in _rows(form, f"step-{p}-", STEP_FIELDS):
                kept[("step", p * 1000 + len(steps))] = n
                steps.append(row)
            procedure["steps"] = steps
    if aspect is Aspect.FINANCE and document.get("finance") and any(k[:4] == "fin-" for k in form):
        rows: list[dict[str, str | None]] = []
        for n, row in _rows(form, "fin-", FINANCE_FIELDS):
            kept[("fin", len(rows))] = n
            rows.append({k: (v or None) if k in ("budget", "spent") else v for k, v in row.items()})
        document["finance"]["rows"] = rows
    try:
        return Edited(Entry.model_validate(document), {})
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            errors.setdefault(_field_of(error["loc"], kept), _message(error))
        return Edited(None, errors)


def add_example_question(entry: Entry, aspect: Aspect, question: str) -> Entry:
    """The entry with one more example question for an aspect (the matcher learns from it)."""
    if aspect not in entry.aspects:
        raise InputError(texts.NO_SUCH_ASPECT.format(aspect=aspect.value))
    document = entry.model_dump(mode="json")
    questions = document["aspect_questions"].setdefault(aspect.value, [])
    if question.strip() not in questions:
        questions.append(question.strip())
    return Entry.model_validate(document)


# --- a workbook from the browser ----------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    entry_id: str
    title: str
    changes: list[str]


def plan_import(data: bytes, *, session: Session) -> tuple[list[Entry], list[Planned]]:
    """Validate a workbook (raises `ImportRejected`) and say what it would change."""
    entries = parse_bytes(data, "xlsx")
    changed, planned = [], []
    for entry in entries:
        published = _published(entry.id, session)
        if published == entry:
            continue
        changed.append(entry)
        planned.append(Planned(entry.id, entry.title, store.describe_changes(published, entry)))
    return changed, planned


def submit_set(entries: Iterable[Entry], *, session: Session, author: str) -> str:
    """One pending change per entry, sharing a change set (not committed); its id."""
    change_set = uuid.uuid4().hex[:12]
    made = [
        submit(e, session=session, author=author, change_set=change_set, action="knowledge.upload")
        for e in entries
    ]
    if not made:
        raise Refused(texts.NOTHING_CHANGED)
    return change_set
