"""Answer quality on our own labelled sets, against the issue's bars.

The sets under tests/data were written independently of the matcher and of
../shared/dev-questions.jsonl: `calibration.jsonl` is what `sunshine tune`
fits on (with the dev set and `questions.jsonl`), and `holdout.jsonl` is used
for nothing but this test.

Each figure has a floor just under what the current engine measures, so a
regression fails the suite. Where the engine does not yet reach the issue's
bar, the bar is kept as a strict xfail: it is reported on every run, and the
day the engine meets it the xfail turns into a failure that asks for the
floor to be raised to the bar.
"""

from __future__ import annotations

import pytest

from knowledge.desk import Desk
from knowledge.matching.evaluation import Report, evaluate, read_labelled
from tests.harness import DATA

# The issue's bars: (figure, bar, higher is better).
BARS = {
    "intent_accuracy": (0.95, True),
    "entry_accuracy": (0.93, True),
    "strict_accuracy": (0.85, True),
    "abstention": (0.90, True),
    "false_abstention": (0.03, False),
}

# What the engine measured when the floors were last raised, minus two points.
FLOORS: dict[str, dict[str, float]] = {
    "holdout.jsonl": {
        "intent_accuracy": 0.91,
        "entry_accuracy": 0.90,
        "strict_accuracy": 0.62,
        "abstention": 0.94,
        "false_abstention": 0.04,
    },
}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def report(request: pytest.FixtureRequest, desk: Desk) -> tuple[str, Report]:
    name: str = request.param
    items = read_labelled(DATA / name)
    assert len(items) >= 300
    return name, evaluate(items, desk.matcher.match)


@pytest.mark.parametrize("figure", sorted(BARS))
def test_quality_does_not_regress(report: tuple[str, Report], figure: str) -> None:
    name, result = report
    value, floor = getattr(result, figure), FLOORS[name][figure]
    _, higher = BARS[figure]
    assert value >= floor if higher else value <= floor, f"{name} {figure} = {value:.3f}"


@pytest.mark.parametrize("figure", sorted(BARS))
def test_quality_meets_the_issue_bar(
    report: tuple[str, Report], figure: str, request: pytest.FixtureRequest
) -> None:
    name, result = report
    value = getattr(result, figure)
    bar, higher = BARS[figure]
    if figure in UNMET.get(name, ()):
        request.applymarker(pytest.mark.xfail(strict=True, reason=f"{figure} = {value:.3f}"))
    assert value >= bar if higher else value <= bar, f"{name} {figure} = {value:.3f}, bar {bar}"


# Bars the engine does not meet yet on a set (reported in the issue's closing note).
UNMET: dict[str, tuple[str, ...]] = {
    "holdout.jsonl": ("intent_accuracy", "entry_accuracy", "strict_accuracy"),
}
