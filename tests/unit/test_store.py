"""Revisions, history, diff, rollback and the unanswered log, on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from knowledge.answering.desk import prepare_database
from knowledge.base import store
from knowledge.db.engine import make_engine, open_session
from knowledge.db.models import EntryRevision
from knowledge.errors import NotFound
from tests.harness import make_entry


def test_first_use_creates_the_database_and_loads_the_shipped_knowledge(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'sunshine.db'}")
    assert prepare_database(engine) is True
    assert prepare_database(engine) is False  # a second start changes nothing
    with open_session(engine) as session:
        ids = [e.id for e in store.load_entries(session=session)]
        assert len(ids) == len(store.shipped_entries())
        revisions = store.history("dibao", session=session)
    assert [r.revision for r in revisions] == [1]
    assert revisions[0].author == store.SHIPPED_AUTHOR


def test_a_change_records_a_revision_naming_the_aspect(engine: Engine) -> None:
    entry = make_entry()
    with open_session(engine) as session:
        store.save_entries([entry], session=session, author="张三", source="test")
        changed = entry.model_copy(
            update={
                "aspects": {**entry.aspects, "fees": "工本费 9 元。"},
                "legal_basis": {**entry.legal_basis, "fees": ["《示例条例》第五条"]},
            }
        )
        result = store.save_entries([changed], session=session, author="李四", source="test")
        session.commit()
        assert result.changed == [entry.id]
        history = store.history(entry.id, session=session)
    assert [(r.revision, r.author) for r in history] == [(1, "张三"), (2, "李四")]
    assert history[1].changes == ["修改 收费(fees)：答复内容、法律依据"]


def test_saving_an_unchanged_entry_records_nothing(engine: Engine) -> None:
    with open_session(engine) as session:
        store.save_entries([make_entry()], session=session, author="a", source="t")
        result = store.save_entries([make_entry()], session=session, author="a", source="t")
        assert result.unchanged == ["sample-item"]
        assert len(store.history("sample-item", session=session)) == 1


def test_diff_shows_the_change_of_one_revision(engine: Engine) -> None:
    entry = make_entry()
    with open_session(engine) as session:
        store.save_entries([entry], session=session, author="a", source="t")
        store.save_entries(
            [entry.model_copy(update={"title": "新名称"})], session=session, author="b", source="t"
        )
        diff = store.diff_revision(entry.id, 2, session=session)
    assert "-title: 示例事项" in diff
    assert "+title: 新名称" in diff


def test_rollback_restores_as_a_new_revision(engine: Engine) -> None:
    entry = make_entry()
    with open_session(engine) as session:
        store.save_entries([entry], session=session, author="a", source="t")
        store.save_entries(
            [entry.model_copy(update={"title": "改错了"})], session=session, author="b", source="t"
        )
        store.rollback(entry.id, 1, session=session, author="c")
        session.commit()
        assert store.get_entry(entry.id, session=session).title == "示例事项"
        history = store.history(entry.id, session=session)
    assert [r.revision for r in history] == [1, 2, 3]
    assert history[2].source == "rollback to 1"


def test_unknown_entry_or_revision_is_a_clear_error(engine: Engine) -> None:
    with open_session(engine) as session, pytest.raises(NotFound, match="没有条目"):
        store.history("no-such-entry", session=session)
    with open_session(engine) as session:
        store.save_entries([make_entry()], session=session, author="a", source="t")
        with pytest.raises(NotFound, match="第 9 版"):
            store.diff_revision("sample-item", 9, session=session)


def test_unanswered_questions_are_counted_by_normalised_wording(engine: Engine) -> None:
    with open_session(engine) as session:
        store.record_unanswered("火星移民怎么办？", "火星移民怎么办?", session=session)
        store.record_unanswered("火星移民怎么办?", "火星移民怎么办?", session=session)
        store.record_unanswered("别的问题", "别的问题", session=session)
        session.commit()
        rows = store.unanswered(session=session)
    assert [(r.normalised, r.count) for r in rows] == [("火星移民怎么办?", 2), ("别的问题", 1)]


def test_revisions_are_append_only_rows(engine: Engine) -> None:
    from sqlmodel import select

    with open_session(engine) as session:
        store.save_entries([make_entry()], session=session, author="a", source="t")
        store.save_entries([make_entry(title="二")], session=session, author="a", source="t")
        rows = session.exec(select(EntryRevision)).all()
    assert [r.document["title"] for r in rows] == ["示例事项", "二"]


def test_an_upgrade_updates_shipped_entries_and_keeps_what_staff_edited(engine: Engine) -> None:
    shipped = {e.id: e for e in store.shipped_entries()}
    older = shipped["funeral"].model_copy(update={"leads": {}})  # as a previous version shipped
    edited = shipped["dibao"].model_copy(update={"title": "城乡低保（本旗）"})
    with open_session(engine) as s:
        store.save_entries(shipped.values(), session=s, author=store.SHIPPED_AUTHOR, source="v1")
        store.save_entries([older], session=s, author=store.SHIPPED_AUTHOR, source="v1")
        store.save_entries([edited], session=s, author="张三", source="staff")
        done = store.update_from_shipped(session=s, source="v2")
        s.commit()
    assert done.saved.changed == ["funeral"] and done.kept == ["dibao"]
    with open_session(engine) as s:
        assert store.get_entry("funeral", session=s) == shipped["funeral"]
        assert store.get_entry("dibao", session=s).title == "城乡低保（本旗）"
        again = store.update_from_shipped(session=s, source="v2")
    assert again.saved.changed == [] and again.kept == ["dibao"]
