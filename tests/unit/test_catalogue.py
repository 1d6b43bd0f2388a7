"""A desk holds every entry's summary and reads a whole entry only when a reply needs it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlmodel import col, select

from knowledge.answering.desk import Desk, LiveDesk
from knowledge.base import store
from knowledge.base.catalogue import Catalogue, Summary
from knowledge.base.schema import Entry
from knowledge.base.store import shipped_entries
from knowledge.db.engine import open_session
from knowledge.db.models import EntryRecord


def _saved(engine: Engine) -> None:
    with open_session(engine) as session:
        store.save_entries(shipped_entries(), session=session, author="t", source="test")
        session.commit()


def test_summaries_are_stored_with_the_entries_and_read_back(engine: Engine) -> None:
    _saved(engine)
    expected = sorted((Summary.of(e) for e in shipped_entries()), key=lambda s: s.id)
    assert store.load_summaries(engine) == expected


def test_entries_stored_before_summaries_get_them_at_the_next_start(engine: Engine) -> None:
    _saved(engine)
    with open_session(engine) as session:
        session.execute(update(EntryRecord).values(summary=None))
        session.commit()
    made = store.load_summaries(engine)
    assert made == sorted((Summary.of(e) for e in shipped_entries()), key=lambda s: s.id)
    with open_session(engine) as session:
        left = session.exec(select(EntryRecord.id).where(col(EntryRecord.summary).is_(None)))
        assert left.all() == []


def test_a_live_desk_reads_only_the_entries_it_answers_from(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _saved(engine)
    asked: list[list[str]] = []
    fetch = store.fetch_entries

    def counting(engine: Engine, ids: Sequence[str]) -> dict[str, Entry]:
        asked.append(list(ids))
        return fetch(engine, ids)

    monkeypatch.setattr(store, "fetch_entries", counting)
    in_id_order = sorted(shipped_entries(), key=lambda e: e.id)
    Desk(in_id_order, cache_dir=tmp_path)  # the index file, as a first start leaves it
    live = LiveDesk.start(engine, lambda entries: Desk(entries, cache_dir=tmp_path))
    assert asked == []  # the index file and the summaries are enough to start
    reply = live.desk.ask("结婚登记要带什么材料", record=False)
    assert reply.match.entry == "marriage-registration"
    assert sorted(asked) == [["contacts"], ["marriage-registration"]]  # and the hotline's
    live.desk.ask("结婚登记要带什么材料", record=False)
    live.desk.ask("结婚登记要多少钱", record=False)
    assert len(asked) == 2  # kept after the first reply


def test_a_catalogue_of_entries_in_memory_never_fetches() -> None:
    entries = shipped_entries()
    catalogue = Catalogue.of(entries)
    assert list(catalogue) == [e.id for e in entries]
    assert catalogue[entries[0].id] is entries[0]
    assert list(catalogue.entries()) == entries
    with pytest.raises(KeyError):
        catalogue["no-such-entry"]
    renamed = entries[0].model_copy(update={"title": "新标题"})
    patched = catalogue.patched({entries[0].id: renamed, entries[1].id: None})
    assert patched[entries[0].id] is renamed
    assert entries[1].id not in patched
    assert patched.summary(entries[0].id).title == "新标题"


def test_the_stored_summary_is_that_of_the_entry_as_read_back(engine: Engine) -> None:
    """`model_copy` skips the validators (a duplicate alias stays); every process must key
    its index by the entry as the database gives it back, or a restart rebuilds it."""
    entry = shipped_entries()[0]
    doubled = entry.model_copy(update={"aliases": [*entry.aliases, entry.aliases[0]]})
    with open_session(engine) as session:
        store.save_entries([doubled], session=session, author="t", source="test")
        session.commit()
    read_back = store.fetch_entries(engine, [entry.id])[entry.id]
    assert store.load_summaries(engine) == [Summary.of(read_back)]


def test_what_the_desk_can_answer_names_a_large_knowledge_base_briefly() -> None:
    from knowledge.answering.answers import SCOPE_NAMES, scope

    entries = shipped_entries()
    assert "等" not in scope({e.id: e for e in entries})["services"]
    base = next(e for e in entries if e.id == "dibao")
    many = [
        base.model_copy(update={"id": f"dibao-{i}", "aliases": [f"事项{i}"]}) for i in range(100)
    ]
    services = scope(Catalogue.of(many))["services"]
    assert services.endswith("等 100 项") and services.count("、") == SCOPE_NAMES - 1
