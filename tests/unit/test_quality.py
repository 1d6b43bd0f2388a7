"""Answer quality on the held-out sets, against the bars of the understanding issue.

The held-out sets were written separately from the training corpus
(knowledge/data/corpus) and are never read by `sunshine train`:
`heldout/a.jsonl` and `heldout/b.jsonl` by two writers who never saw the corpus
(near-duplicates of corpus questions removed), and `holdout.jsonl` from an earlier
round. The figures are those `sunshine eval` prints; strict accuracy counts the
aspect only where the label names one.

Two kinds of check: a floor per figure, just under what the engine measures, so
any regression fails the suite; and the issue's bar, asserted too — bars a set does
not reach yet are strict xfails listed in UNMET, so the day a change reaches one the
suite asks for it to be removed from the list (and the floor raised).
"""

from __future__ import annotations

import pytest

from knowledge.answering.desk import Desk
from knowledge.matching.evaluation import Labelled, Report, evaluate, read_labelled
from tests.harness import DATA

# The bars: figure → (bar, higher is better).
BARS: dict[str, tuple[float, bool]] = {
    "intent_accuracy": (0.96, True),
    "entry_accuracy": (0.95, True),
    "strict_accuracy": (0.90, True),
    "abstention": (0.92, True),
    "false_abstention": (0.02, False),
    "complaint_recall": (0.95, True),
    "ece": (0.05, False),
}

SETS: dict[str, tuple[str, ...]] = {
    "heldout": ("heldout/a.jsonl", "heldout/b.jsonl"),
    "holdout": ("holdout.jsonl",),
}

# What the engine measured when the floors were last set, less 1.5 points (ECE: plus 0.01).
FLOORS: dict[str, dict[str, float]] = {
    "heldout": {
        "intent_accuracy": 0.908,
        "entry_accuracy": 0.936,
        "strict_accuracy": 0.791,
        "abstention": 0.839,
        "false_abstention": 0.025,
        "complaint_recall": 0.903,
        "ece": 0.025,
    },
    "holdout": {
        "intent_accuracy": 0.957,
        "entry_accuracy": 0.948,
        "strict_accuracy": 0.829,
        "abstention": 0.945,
        "false_abstention": 0.023,
        "complaint_recall": 0.896,
        "ece": 0.025,
    },
}

# Bars a set does not reach yet (the closing note of the issue reports them).
UNMET: dict[str, tuple[str, ...]] = {
    "heldout": ("abstention", "complaint_recall", "intent_accuracy", "strict_accuracy"),
    "holdout": ("complaint_recall", "strict_accuracy"),
}


def _items(files: tuple[str, ...]) -> list[Labelled]:
    return [item for name in files for item in read_labelled(DATA / name)]


@pytest.fixture(scope="module", params=sorted(SETS))
def report(request: pytest.FixtureRequest, desk: Desk) -> tuple[str, Report]:
    name: str = request.param
    items = _items(SETS[name])
    assert len(items) >= 400
    return name, evaluate(items, desk.matcher.match)


@pytest.mark.parametrize("figure", sorted(BARS))
def test_held_out_quality_does_not_regress(report: tuple[str, Report], figure: str) -> None:
    name, result = report
    value, floor = getattr(result, figure), FLOORS[name][figure]
    _, higher = BARS[figure]
    assert value >= floor if higher else value <= floor, f"{name} {figure} = {value:.3f}"


@pytest.mark.parametrize("figure", sorted(BARS))
def test_held_out_quality_meets_the_bar(
    report: tuple[str, Report], figure: str, request: pytest.FixtureRequest
) -> None:
    name, result = report
    value = getattr(result, figure)
    bar, higher = BARS[figure]
    if figure in UNMET.get(name, ()):
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"{figure} = {value:.3f}"))
    assert value >= bar if higher else value <= bar, f"{name} {figure} = {value:.3f}, bar {bar}"


def test_every_complaint_class_is_represented(report: tuple[str, Report]) -> None:
    """The held-out sets keep enough of each hard kind to measure it."""
    name, result = report
    if name != "heldout":
        pytest.skip("the class table is measured on the new held-out sets")
    for kind in ("complaints and misconduct", "other departments", "long narratives"):
        assert result.per_class[kind].n >= 100, kind
