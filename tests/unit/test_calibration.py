"""Calibration: logistic fits that mean something, and a file that round-trips."""

from __future__ import annotations

import random

import pytest

from knowledge.matching.calibration import Calibration, Params, fit_logistic, load_calibration


def test_fit_logistic_recovers_a_known_relationship() -> None:
    rng = random.Random(7)
    rows, labels = [], []
    for _ in range(600):
        x = rng.random()
        rows.append((x,))
        labels.append(rng.random() < 1 / (1 + pow(2.718281828, -(8 * x - 4))))
    bias, slope = fit_logistic(rows, labels, l2=0.0)
    assert slope == pytest.approx(8, rel=0.3)
    assert bias == pytest.approx(-4, rel=0.3)


def test_probability_is_between_zero_and_one() -> None:
    cal = Calibration(Params(), {"answer": (-50.0, 100.0)})
    assert cal.probability("answer", (1.0,)) <= 1.0
    assert cal.probability("answer", (0.0,)) >= 0.0
    assert 0.0 <= cal.probability("unknown-path", (3.0,)) <= 1.0


def test_calibration_json_round_trip() -> None:
    cal = Calibration(Params(similar_weight=0.7), {"answer": (0.1, 2.0), "complaint": (-1.0, 3.0)})
    assert Calibration.from_json(cal.to_json()) == cal


def test_shipped_calibration_loads_with_thresholds_in_order() -> None:
    cal = load_calibration()
    assert 0.0 <= cal.params.clarify_threshold <= cal.params.answer_threshold <= 1.0
