"""Reading and writing the knowledge base, its revisions and the unanswered questions.

Every function takes the session as a keyword argument and leaves the
transaction to the caller, so that an import of many entries commits once
or not at all.
"""

from __future__ import annotations

import datetime as dt
import difflib
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources

import yaml
from sqlalchemy import Engine, Text, cast, func, update
from sqlmodel import Session, col, select

from knowledge.base.catalogue import Summary
from knowledge.base.schema import Entry
from knowledge.db.engine import open_session
from knowledge.db.models import EntryRecord, EntryRevision, UnansweredQuestion, utcnow
from knowledge.errors import NotFound
from knowledge.texts import staff as texts
from knowledge.vocabulary import ASPECT_LABELS, Aspect

SHIPPED_AUTHOR = "system"


def shipped_entries() -> list[Entry]:
    """The knowledge that ships with the code (`knowledge/data/entries/*.yaml`)."""
    folder = resources.files("knowledge").joinpath("data/entries")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".yaml")), key=lambda f: f.name)
    return [Entry.model_validate(yaml.safe_load(f.read_text("utf-8"))) for f in files]


def load_entries(*, session: Session) -> list[Entry]:
    """The current version of every entry, in id order."""
    records = session.exec(select(EntryRecord).order_by(col(EntryRecord.id))).all()
    return [Entry.model_validate(r.document) for r in records]


def entries_changed_since(revision: int, *, session: Session) -> dict[str, Entry | None]:
    """The entries with a revision newer than `revision` (its id), as they are now; None
    for one since deleted. A long-running desk applies a reviewer's edit by reading
    these rather than all 10,000 entries again."""
    ids = session.exec(
        select(EntryRevision.entry_id).where(col(EntryRevision.id) > revision).distinct()
    ).all()
    if not ids:
        return {}
    records = session.exec(select(EntryRecord).where(col(EntryRecord.id).in_(ids))).all()
    found: dict[str, Entry | None] = dict.fromkeys(ids)
    for r in records:
        found[r.id] = Entry.model_validate(r.document)
    return found


def load_summaries(engine: Engine) -> list[Summary]:
    """Every entry's summary, in id order: what a desk holds (`knowledge.base.catalogue`).

    A row without a summary of this format (a database from before summaries were
    kept, or from an older version) gets one made from its document, and stored, once.
    """
    with open_session(engine) as session:
        rows = session.exec(
            select(EntryRecord.id, EntryRecord.summary).order_by(col(EntryRecord.id))
        ).all()
    found = {entry_id: Summary.from_json(data) for entry_id, data in rows}
    missing = [entry_id for entry_id, summary in found.items() if summary is None]
    if missing:
        for entry in fetch_entries(engine, missing).values():
            found[entry.id] = Summary.of(entry)
        with open_session(engine) as session:
            for entry_id in missing:
                made = found[entry_id]
                if made is not None:
                    session.execute(
                        update(EntryRecord)
                        .where(col(EntryRecord.id) == entry_id)
                        .values(summary=made.to_json())
                    )
            session.commit()
    return [summary for summary in found.values() if summary is not None]


def fetch_entries(engine: Engine, ids: Sequence[str]) -> dict[str, Entry]:
    """The current version of the entries `ids` (those that exist), by id.

    Read as JSON text and parsed by pydantic in one step, rather than as ORM rows:
    half the cost of the ORM way is `json.loads` of escaped Chinese.
    """
    if not ids:
        return {}
    with open_session(engine) as session:
        documents = session.exec(
            select(cast(EntryRecord.document, Text)).where(col(EntryRecord.id).in_(list(ids)))
        ).all()
    entries = (Entry.model_validate_json(document) for document in documents)
    return {entry.id: entry for entry in entries}


def count_entries(*, session: Session) -> int:
    return session.exec(select(func.count()).select_from(EntryRecord)).one()


def get_entry(entry_id: str, *, session: Session) -> Entry:
    record = session.get(EntryRecord, entry_id)
    if record is None:
        raise NotFound(texts.KB_NO_ENTRY.format(id=entry_id))
    return Entry.model_validate(record.document)


def _document(entry: Entry) -> dict[str, object]:
    return entry.model_dump(mode="json")


def describe_changes(old: Entry | None, new: Entry) -> list[str]:
    """What changed between two versions, one line per field or aspect."""
    if old is None:
        return [texts.KB_CHANGE_NEW]
    changes: list[str] = []
    for aspect in Aspect:
        label = texts.CHECK_ASPECT.format(label=ASPECT_LABELS[aspect], aspect=aspect.value)
        before, after = old.aspects.get(aspect), new.aspects.get(aspect)
        if before is None and after is not None:
            changes.append(texts.KB_CHANGE_ADDED.format(aspect=label))
        elif before is not None and after is None:
            changes.append(texts.KB_CHANGE_REMOVED.format(aspect=label))
        elif before is not None:
            parts = []
            if before != after:
                parts.append(texts.KB_PART_TEXT)
            if old.basis_for(aspect) != new.basis_for(aspect):
                parts.append(texts.KB_PART_BASIS)
            if old.aspect_questions.get(aspect, []) != new.aspect_questions.get(aspect, []):
                parts.append(texts.KB_PART_QUESTIONS)
            if (aspect in old.sample_aspects) != (aspect in new.sample_aspects):
                parts.append(texts.KB_PART_SAMPLE)
            if parts:
                changes.append(
                    texts.KB_CHANGE_ASPECT.format(
                        aspect=label, parts=texts.LIST_SEPARATOR.join(parts)
                    )
                )
    for name, label in texts.KB_FIELDS.items():
        if getattr(old, name) != getattr(new, name):
            changes.append(texts.KB_CHANGE_FIELD.format(field=label))
    return changes


@dataclass(frozen=True)
class SaveResult:
    """What `save_entries` did to each entry it was given."""

    created: list[str]
    changed: list[str]
    unchanged: list[str]
    batch: str


def save_entries(
    entries: Iterable[Entry], *, session: Session, author: str, source: str
) -> SaveResult:
    """Insert or update entries, recording a revision for each one that changed."""
    batch = uuid.uuid4().hex[:12]
    created, changed, unchanged = [], [], []
    now = utcnow()
    for entry in entries:
        record = session.get(EntryRecord, entry.id)
        old = Entry.model_validate(record.document) if record is not None else None
        if old is not None and old == entry:
            unchanged.append(entry.id)
            continue
        document = _document(entry)
        # The summary of the entry as it will be read back (validated: an entry made with
        # `model_copy` skips the validators), so every process keys its index alike.
        summary = Summary.of(Entry.model_validate(document)).to_json()
        revision = 1 if record is None else record.revision + 1
        if record is None:
            record = EntryRecord(
                id=entry.id,
                title=entry.title,
                category=entry.category.value,
                last_reviewed=entry.last_reviewed,
                revision=1,
                document=document,
                summary=summary,
                updated_at=now,
            )
            created.append(entry.id)
        else:
            record.title, record.category = entry.title, entry.category.value
            record.last_reviewed, record.revision = entry.last_reviewed, revision
            record.document, record.updated_at = document, now
            record.summary = summary
            changed.append(entry.id)
        session.add(record)
        session.add(
            EntryRevision(
                entry_id=entry.id,
                revision=revision,
                created_at=now,
                author=author,
                source=source,
                batch=batch,
                changes=describe_changes(old, entry),
                document=document,
            )
        )
    session.flush()
    return SaveResult(created, changed, unchanged, batch)


@dataclass(frozen=True)
class ShippedUpdate:
    """What `update_from_shipped` did: saved, and kept because staff have edited them."""

    saved: SaveResult
    kept: list[str]


def update_from_shipped(*, session: Session, source: str) -> ShippedUpdate:
    """Bring the database's entries up to the knowledge shipped with this version.

    An entry whose latest revision came with the package (author SHIPPED_AUTHOR) is
    replaced by the shipped one — corrections and new leads reach residents; an entry
    staff have edited since is kept and listed, for them to merge by hand (`kb diff`).
    """
    take, kept = [], []
    for entry in shipped_entries():
        record = session.get(EntryRecord, entry.id)
        latest = None
        if record is not None:
            latest = session.exec(
                select(EntryRevision.author).where(
                    EntryRevision.entry_id == entry.id,
                    EntryRevision.revision == record.revision,
                )
            ).first()
        if record is None or latest == SHIPPED_AUTHOR:
            take.append(entry)
        elif Entry.model_validate(record.document) != entry:
            kept.append(entry.id)
    return ShippedUpdate(
        save_entries(take, session=session, author=SHIPPED_AUTHOR, source=source), kept
    )


def history(entry_id: str, *, session: Session) -> list[EntryRevision]:
    """Every revision of an entry, oldest first."""
    rows = session.exec(
        select(EntryRevision)
        .where(EntryRevision.entry_id == entry_id)
        .order_by(col(EntryRevision.revision))
    ).all()
    if not rows:
        raise NotFound(texts.KB_NO_REVISIONS.format(id=entry_id))
    return list(rows)


def get_revision(entry_id: str, revision: int, *, session: Session) -> EntryRevision:
    row = session.exec(
        select(EntryRevision).where(
            EntryRevision.entry_id == entry_id, EntryRevision.revision == revision
        )
    ).first()
    if row is None:
        raise NotFound(texts.KB_NO_REVISION.format(id=entry_id, revision=revision))
    return row


def _as_yaml(document: dict[str, object] | None) -> list[str]:
    if document is None:
        return []
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)
    return text.splitlines(keepends=True)


def diff_revision(entry_id: str, revision: int, *, session: Session) -> str:
    """The change revision `revision` made, as a unified diff of the YAML documents."""
    new = get_revision(entry_id, revision, session=session)
    old = get_revision(entry_id, revision - 1, session=session) if revision > 1 else None
    lines = difflib.unified_diff(
        _as_yaml(old.document if old else None),
        _as_yaml(new.document),
        fromfile=f"{entry_id}@{revision - 1}" if old else "/dev/null",
        tofile=f"{entry_id}@{revision}",
    )
    return "".join(lines)


def rollback(entry_id: str, revision: int, *, session: Session, author: str) -> SaveResult:
    """Restore an earlier revision as a new revision (history is never rewritten)."""
    target = get_revision(entry_id, revision, session=session)
    entry = Entry.model_validate(target.document)
    return save_entries([entry], session=session, author=author, source=f"rollback to {revision}")


def record_unanswered(
    text: str,
    normalised: str,
    *,
    session: Session,
    best_guess: str | None = None,
    best_score: float | None = None,
    when: dt.datetime | None = None,
) -> UnansweredQuestion:
    """Count a question the bot could not answer, grouped by its normalised wording."""
    when = when or utcnow()
    key = normalised[:400] or text[:400]
    row = session.exec(
        select(UnansweredQuestion).where(UnansweredQuestion.normalised == key)
    ).first()
    if row is None:
        row = UnansweredQuestion(
            normalised=key,
            text=text,
            first_seen=when,
            last_seen=when,
            best_guess=best_guess,
            best_score=best_score,
        )
    else:
        row.count += 1
        row.text, row.last_seen = text, when
        row.best_guess, row.best_score = best_guess, best_score
    session.add(row)
    session.flush()
    return row


def unanswered(*, session: Session, limit: int = 50) -> Sequence[UnansweredQuestion]:
    """The unanswered questions asked most often, then most recently."""
    return session.exec(
        select(UnansweredQuestion)
        .order_by(col(UnansweredQuestion.count).desc(), col(UnansweredQuestion.last_seen).desc())
        .limit(limit)
    ).all()
