"""The review domain without the web: grouping near-duplicates, diffs, editing an aspect."""

from __future__ import annotations

import datetime as dt

from knowledge.base import store
from knowledge.staff import review
from knowledge.staff.unanswered import Wording, group_wordings
from knowledge.vocabulary import Aspect

NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def _wording(id_: int, text: str, count: int = 1) -> Wording:
    return Wording(id_, text, text, count, NOW, NOW, None)


def test_near_duplicates_group_and_different_questions_do_not() -> None:
    groups = group_wordings(
        [
            _wording(1, "我家猫丢了怎么办?", 2),
            _wording(2, "我家的猫丢了怎么办"),
            _wording(3, "猫丢了怎么办啊"),
            _wording(4, "办理护照需要什么"),
        ]
    )
    assert [sorted(w.id for w in g.wordings) for g in groups] == [[1, 2, 3], [4]]
    assert groups[0].id == 1 and groups[0].count == 4


def test_segments_mark_deletions_and_insertions() -> None:
    marked = review.segments("每月发放", "每季度发放")
    assert ("del", "月") in marked and ("ins", "季度") in marked
    assert "".join(t for op, t in marked if op != "ins") == "每月发放"


def test_a_step_error_is_reported_on_its_form_row() -> None:
    entry = next(e for e in store.shipped_entries() if e.id == "dibao")
    form = {"text": entry.aspects[Aspect.PROCEDURE], "step-0-0-title": "", "step-0-0-detail": "x"}
    form |= {f"step-0-1-{name}": "" for name in review.STEP_FIELDS}
    edited = review.apply_form(entry, Aspect.PROCEDURE, form)
    assert edited.entry is None
    assert "step-0-0-title" in edited.errors


def test_clearing_a_row_removes_the_step() -> None:
    entry = next(e for e in store.shipped_entries() if e.id == "dibao")
    steps = entry.procedures[0].steps
    form = {"text": entry.aspects[Aspect.PROCEDURE]}
    for n, step in enumerate(steps[1:], start=1):
        form |= {f"step-0-{n}-{name}": str(getattr(step, name)) for name in review.STEP_FIELDS}
    edited = review.apply_form(entry, Aspect.PROCEDURE, form)
    assert edited.entry is not None
    assert edited.entry.procedures[0].steps == steps[1:]
    changes = review.field_changes(entry, edited.entry)
    assert [c.label for c in changes] == ["办理流程"]
