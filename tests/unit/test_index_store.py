"""The matcher's index kept as a file per knowledge version, and updated by an edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base.schema import Entry
from knowledge.base.store import shipped_entries
from knowledge.matching import index_store
from knowledge.matching.calibration import load_calibration
from knowledge.matching.decide import Matcher
from knowledge.matching.lexicon import load_lexicon
from knowledge.matching.model import load_model

QUESTIONS = [
    "低保怎么申请",
    "底保要带什么材料",
    "结婚登记要多少钱",
    "dibao shenqing",
    "村干部把救灾的棉被拿回家了",
    "身份证丢了怎么补办",
    "临时救助多久能批下来",
    "五保户跟低保一样吗",
    "我想收养一个孩子需要什么条件",
    "你好",
]


def _scores(matcher: Matcher) -> list[tuple[str | None, str | None, float, str]]:
    out: list[tuple[str | None, str | None, float, str]] = []
    for q in QUESTIONS:
        for m in (matcher.match(q), matcher.lexical_match(q)):
            out.append((m.entry, m.aspect.value if m.aspect else None, m.score, m.decision))
    return out


def _matcher(entries: list[Entry], cache: Path | None) -> Matcher:
    return Matcher(entries, load_lexicon(), load_calibration(), model=load_model(), cache_dir=cache)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


def _edited(entries: list[Entry]) -> list[Entry]:
    """One entry renamed and given new example questions, as a reviewer would."""
    first = entries[0]
    edited = first.model_copy(
        update={
            "aliases": [*first.aliases, "困难补贴"],
            "questions": [*first.questions, "困难补贴在哪里申请"],
        }
    )
    return [edited, *entries[1:]]


def test_a_saved_index_loads_to_the_same_scores(cache: Path) -> None:
    entries = shipped_entries()
    built = _matcher(entries, cache)
    assert index_store.index_path(cache, built.index.key).is_dir()
    loaded = _matcher(entries, cache)
    assert loaded.index.key == built.index.key
    assert _scores(loaded) == _scores(built)


def test_an_edit_updates_to_what_a_full_build_gives(cache: Path, tmp_path: Path) -> None:
    entries = shipped_entries()
    edited = _edited(entries)
    updated = _matcher(entries, cache).updated(edited)
    fresh = _matcher(edited, tmp_path)
    assert updated.index.key == fresh.index.key
    assert _scores(updated) == _scores(fresh)
    assert updated.index.postings("困难补贴") == fresh.index.postings("困难补贴")
    assert updated.index.idf == fresh.index.idf
    for spotter in ("topic_spotter", "cue_spotter"):  # updated, not rebuilt, yet the same
        assert getattr(updated.index, spotter).state() == getattr(fresh.index, spotter).state()


def test_an_entry_removed_and_added_back(cache: Path, tmp_path: Path) -> None:
    entries = shipped_entries()
    matcher = _matcher(entries, cache)
    fewer = matcher.updated(entries[1:])
    assert entries[0].id not in fewer.entries
    again = fewer.updated(entries)
    assert _scores(again) == _scores(_matcher(entries, tmp_path))


def test_a_stale_file_is_ignored(cache: Path) -> None:
    entries = shipped_entries()
    key = _matcher(entries, cache).index.key
    edited = _edited(entries)
    other = _matcher(edited, cache)
    assert other.index.key != key
    assert "困难补贴" in other.index.idf


def test_a_damaged_file_is_rebuilt(tmp_path: Path) -> None:
    entries = shipped_entries()
    key = _matcher(entries, tmp_path).index.key
    (index_store.index_path(tmp_path, key) / "meta.json").write_text("{", encoding="utf-8")
    assert index_store.load(tmp_path, key) is None
    assert _matcher(entries, tmp_path).match("低保怎么申请").entry
    assert index_store.load(tmp_path, key) is not None


def test_a_live_desk_reads_only_the_changed_entries(tmp_path: Path) -> None:
    from knowledge.answering.desk import Desk, LiveDesk, prepare_database
    from knowledge.base import store
    from knowledge.db.engine import make_engine, open_session

    engine = make_engine(f"sqlite:///{tmp_path / 'kb.db'}")
    prepare_database(engine)
    live = LiveDesk.start(engine, lambda entries: Desk(entries, cache_dir=tmp_path))
    edited = _edited(list(live.desk.entries.values()))[0]
    with open_session(engine) as session:
        assert set(store.entries_changed_since(live.version[0], session=session)) == set()
        store.save_entries([edited], session=session, author="t", source="test")
        session.commit()
        assert store.entries_changed_since(live.version[0], session=session) == {edited.id: edited}
    assert live.refresh()
    with open_session(engine) as session:
        assert list(live.desk.entries.values()) == store.load_entries(session=session)
    assert _scores(live.desk.matcher) == _scores(_matcher(list(live.desk.entries.values()), None))


@pytest.mark.parametrize("edit", ["renamed", "removed", "added"])
def test_an_edit_derives_what_summing_the_whole_table_gives(
    cache: Path, tmp_path: Path, edit: str
) -> None:
    """The arrays an edit works out from the old ones equal those summed afresh."""
    import numpy as np

    from knowledge.matching.index import COMPLAINT

    entries = shipped_entries()
    base = entries[1:] if edit == "added" else entries
    after = {"renamed": _edited(entries), "removed": entries[1:], "added": entries}[edit]
    updated = _matcher(base, cache).updated(after).index
    summed = index_store.derive(updated.table, updated._entry_labels(), COMPLAINT)
    assert summed.keys() == updated._derived.keys()
    for name, values in summed.items():
        assert np.array_equal(values, updated._derived[name]), name


def test_after_an_edit_is_saved_the_index_serves_from_its_file(tmp_path: Path) -> None:
    import numpy as np

    entries = shipped_entries()
    updated = _matcher(entries, tmp_path).updated(_edited(entries))
    before = _scores(updated)
    arrays = {name: np.array(getattr(updated.index.table, name)) for name in ("doc_tok", "text")}
    updated.index.save()
    updated.index.remap()
    assert isinstance(updated.index.table.doc_tok, np.memmap)
    for name, values in arrays.items():
        assert np.array_equal(getattr(updated.index.table, name), values)
    assert _scores(updated) == before
