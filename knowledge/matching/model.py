"""The learned layer: linear models over the features, loaded from one file.

Two heads share one vocabulary of features:

- the *topic* head says what a question is: one of our entries (``answer:dibao``),
  a request for a number (``contact``), a complaint, or another department's,
  small talk or nobody's (``refer:police``, ``refer:smalltalk``, ``refer:other``);
- the *aspect* head says which side of an entry is asked (``fees``, ``procedure``…)
  or none in particular (``general``).

Each head is a multinomial logistic regression whose logits are divided by a
temperature fitted on held-out predictions, so its probabilities mean what they
say. The file (`knowledge/data/model.npz`) is written by `sunshine train`
(`knowledge.matching.training`) and only read here: prediction is a sum of rows
of a NumPy matrix, with no scikit-learn at run time (it costs a second to import).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge.base.catalogue import Summary, entry_digest
from knowledge.base.schema import Entry
from knowledge.matching.features import Features

MODEL_FILE = "model.npz"
FORMAT = 1
Matrix = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Head:
    """One classifier: class names, weights (features × classes), bias, temperature."""

    classes: tuple[str, ...]
    weights: Matrix
    bias: Matrix
    temperature: float = 1.0

    def probabilities(self, rows: npt.NDArray[np.intp], values: Matrix) -> dict[str, float]:
        # An element-wise product and a sum, not `values @ weights`: a vector times a matrix
        # goes to BLAS, whose worker threads would compete with the bot for the two cores.
        logits = (self.weights[rows] * values[:, None]).sum(axis=0) + self.bias
        logits = logits / self.temperature
        logits = logits - logits.max()
        exp = np.exp(logits)
        probs = exp / exp.sum()
        return dict(zip(self.classes, probs.tolist(), strict=True))


@dataclass(frozen=True)
class Thresholds:
    """Where the decision changes, chosen on held-out predictions by `sunshine train`."""

    answer: float = 0.5  # at least this sure of an entry: answer it
    clarify: float = 0.2  # at least this sure: offer it among "您是想问"
    complaint: float = 0.35  # this likely a complaint: offer the complaint intake
    second: float = 0.6  # a long message's second question this sure: offer it too
    refer: float = 0.0  # another department this unsure, an entry of ours fairly likely: offer ours


@dataclass(frozen=True)
class LearnedModel:
    """Both heads, their vocabulary, and what they were trained on."""

    vocabulary: Mapping[str, int]
    topic: Head
    aspect: Head
    thresholds: Thresholds
    knowledge: str  # fingerprint of the entries' own vocabulary it was trained with
    meta: Mapping[str, Any] = field(default_factory=dict)

    def _rows(self, features: Features) -> tuple[npt.NDArray[np.intp], Matrix]:
        get = self.vocabulary.get
        known = [(i, v) for k, v in features.items() if (i := get(k)) is not None]
        rows = np.fromiter((i for i, _ in known), dtype=np.intp, count=len(known))
        values = np.fromiter((v for _, v in known), dtype=np.float32, count=len(known))
        return rows, values

    def topics(self, features: Features) -> dict[str, float]:
        return self.topic.probabilities(*self._rows(features))

    def aspects(self, features: Features) -> dict[str, float]:
        return self.aspect.probabilities(*self._rows(features))

    def predict(self, features: Features) -> tuple[dict[str, float], dict[str, float]]:
        """Both heads at once (the features are looked up once)."""
        rows = self._rows(features)
        return self.topic.probabilities(*rows), self.aspect.probabilities(*rows)

    def entries(self) -> set[str]:
        """The entries the topic head knows."""
        return {c.split(":", 1)[1] for c in self.topic.classes if c.startswith(ANSWER)}


ANSWER = "answer:"
CONTACT = "contact"
COMPLAINT = "complaint"
REFER = "refer:"
GENERAL = "general"


def fingerprint(entries: Iterable[Entry | Summary]) -> str:
    """What the model learned from the knowledge: ids, names, aliases, synonyms, aspects and
    example questions, by the entries' digests (a desk holds those, not the questions).
    Another fingerprint means the knowledge changed since `sunshine train`."""
    digests = sorted(
        (e.id, e.digest if isinstance(e, Summary) else entry_digest(e)) for e in entries
    )
    text = "\n".join(f"{entry_id}:{digest}" for entry_id, digest in digests)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _head_arrays(name: str, head: Head) -> dict[str, Any]:
    return {
        f"{name}_classes": np.array(head.classes),
        f"{name}_weights": head.weights.astype(np.float16),
        f"{name}_bias": head.bias.astype(np.float32),
        f"{name}_temperature": np.array(head.temperature, dtype=np.float64),
    }


def save_model(model: LearnedModel, path: Path) -> None:
    vocabulary = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    meta = {
        "format": FORMAT,
        "knowledge": model.knowledge,
        "thresholds": vars(model.thresholds),
        **model.meta,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        np.savez_compressed(
            out,
            vocabulary=np.array("\n".join(vocabulary)),
            meta=np.array(json.dumps(meta, ensure_ascii=False)),
            **_head_arrays("topic", model.topic),
            **_head_arrays("aspect", model.aspect),
        )


def _head(data: Any, name: str) -> Head:
    return Head(
        classes=tuple(str(c) for c in data[f"{name}_classes"]),
        weights=data[f"{name}_weights"].astype(np.float32),
        bias=data[f"{name}_bias"].astype(np.float32),
        temperature=float(data[f"{name}_temperature"]),
    )


def load_model(path: Path | None = None) -> LearnedModel | None:
    """The shipped model (or the one at `path`); None when there is none to load."""
    source = path or Path(str(resources.files("knowledge").joinpath("data", MODEL_FILE)))
    if not source.is_file():
        return None
    with np.load(source, allow_pickle=False) as data:
        words: Sequence[str] = str(data["vocabulary"]).split("\n")
        meta = json.loads(str(data["meta"]))
        if meta.get("format") != FORMAT:
            return None
        return LearnedModel(
            vocabulary={w: i for i, w in enumerate(words)},
            topic=_head(data, "topic"),
            aspect=_head(data, "aspect"),
            thresholds=Thresholds(**meta.pop("thresholds")),
            knowledge=meta.pop("knowledge"),
            meta=meta,
        )
