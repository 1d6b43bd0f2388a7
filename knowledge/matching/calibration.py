"""Turning the matcher's evidence into a probability of being right.

Each decision path (answer, complaint, contact, referral, small talk) has a
small logistic model over the evidence that path rests on, fitted on a
labelled set, so a score of 0.8 means "right about 8 times in 10" whichever
way the question went. The same file holds the matcher's few structural
parameters and the two answer thresholds, all fitted (`sunshine tune`), none
set by hand.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Params:
    """Structural parameters of the matcher, chosen by grid search on a labelled set."""

    similar_weight: float = 0.9
    intent_similar_weight: float = 0.8
    aspect_similar_weight: float = 0.7
    fuzzy_weight: float = 0.0
    aspect_threshold: float = 0.45
    uncued_aspect_threshold: float = 0.8
    several_aspects: float = 2
    aspect_model_weight: float = 0.5
    general_margin: float = 1.0
    contact_threshold: float = 0.75
    complaint_threshold: float = 0.6
    referral_threshold: float = 0.5
    referral_similar_margin: float = 0.0
    shared_term_discount: float = 0.0
    contact_over_complaint: float = 0.0
    complaint_model_weight: float = 0.0
    answer_threshold: float = 0.5
    clarify_threshold: float = 0.25

    def with_(self, **changes: float) -> Params:
        """A copy with some parameters changed."""
        return replace(self, **changes)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class Calibration:
    """Parameters plus one logistic model (bias first) per decision path."""

    params: Params = field(default_factory=Params)
    models: dict[str, tuple[float, ...]] = field(default_factory=dict)

    def probability(self, path: str, features: Sequence[float]) -> float:
        """P(the decision on `path` is right | features); a plain squash when unfitted."""
        weights = self.models.get(path)
        if weights is None or len(weights) != len(features) + 1:
            return round(min(max(features[0] if features else 0.0, 0.0), 1.0), 4)
        z = weights[0] + sum(w * x for w, x in zip(weights[1:], features, strict=True))
        return round(_sigmoid(z), 4)

    def to_json(self) -> str:
        data: dict[str, Any] = {
            "params": asdict(self.params),
            "models": {k: list(v) for k, v in sorted(self.models.items())},
        }
        return json.dumps(data, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Calibration:
        data = json.loads(text)
        known = set(Params.__dataclass_fields__)
        params = Params(**{k: v for k, v in data.get("params", {}).items() if k in known})
        models = {k: tuple(float(x) for x in v) for k, v in data.get("models", {}).items()}
        return cls(params, models)


def load_calibration(path: Path | None = None) -> Calibration:
    """The shipped calibration (or one from a file); defaults if there is none."""
    if path is not None:
        return Calibration.from_json(path.read_text(encoding="utf-8"))
    resource = resources.files("knowledge").joinpath("data/calibration.json")
    if not resource.is_file():
        return Calibration()
    return Calibration.from_json(resource.read_text("utf-8"))


def fit_logistic(
    rows: Sequence[Sequence[float]], labels: Sequence[bool], *, l2: float = 0.01, steps: int = 50
) -> tuple[float, ...]:
    """Fit P(label) = sigmoid(b + w·x) by Newton's method with a small ridge penalty.

    The sets are a few hundred rows of at most a handful of features, so a
    plain-Python Newton step (solving the small normal equations) is enough
    and avoids a numerical dependency.
    """
    if not rows:
        return ()
    dim = len(rows[0]) + 1
    xs = [(1.0, *row) for row in rows]
    ys = [1.0 if y else 0.0 for y in labels]
    w = [0.0] * dim
    for _ in range(steps):
        grad = [0.0] * dim
        hess = [[0.0] * dim for _ in range(dim)]
        for x, y in zip(xs, ys, strict=True):
            p = _sigmoid(sum(wi * xi for wi, xi in zip(w, x, strict=True)))
            for i in range(dim):
                grad[i] += (p - y) * x[i]
                for j in range(dim):
                    hess[i][j] += p * (1 - p) * x[i] * x[j]
        for i in range(1, dim):  # no penalty on the bias
            grad[i] += l2 * w[i]
            hess[i][i] += l2
        for i in range(dim):
            hess[i][i] += 1e-9
        step = _solve(hess, grad)
        w = [wi - si for wi, si in zip(w, step, strict=True)]
        if max(abs(s) for s in step) < 1e-7:
            break
    return tuple(round(v, 6) for v in w)


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting for a small dense system."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-12:
            continue
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                for c in range(col, n + 1):
                    m[r][c] -= f * m[col][c]
    return [m[i][n] / m[i][i] if abs(m[i][i]) > 1e-12 else 0.0 for i in range(n)]
