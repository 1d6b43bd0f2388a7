"""Training the learned layer (`sunshine train`): corpus in, `model.npz` out.

The labelled corpus (`knowledge/data/corpus/*.jsonl`, written the way residents
type) and the knowledge's own example questions are read through the same
`Featurizer` the matcher uses. Each head is a scikit-learn logistic regression;
its probabilities are calibrated by a temperature fitted on out-of-fold
predictions (five folds: every question is predicted by a model that never saw
it), and the decision thresholds are chosen on those same predictions. The
held-out sets under tests/data are never read here.

scikit-learn is imported only in this module, so the bot starts without it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge.base.schema import Entry
from knowledge.matching.evaluation import Labelled, read_labelled
from knowledge.matching.features import Features, Featurizer
from knowledge.matching.model import (
    ANSWER,
    COMPLAINT,
    CONTACT,
    GENERAL,
    REFER,
    Head,
    LearnedModel,
    Thresholds,
    fingerprint,
)
from knowledge.vocabulary import CONTACTS_ENTRY, Intent

# Regularisation of the logistic regressions, chosen by cross-validation on the corpus.
TOPIC_C = 8.0
ASPECT_C = 4.0
FOLDS = 5
# A surface feature seen in fewer questions than this is noise, not vocabulary.
MIN_COUNT = 2
# Lexicon and ranking features are few and always kept.
ALWAYS_KEPT = ("t:", "e:", "r:", "q:", "s:", "k:", "len:", "bureau", "focus")


@dataclass(frozen=True)
class Example:
    question: str
    topic: str
    aspect: str | None  # for questions about an entry: an aspect or GENERAL


def corpus_dir() -> Path:
    return Path(str(resources.files("knowledge").joinpath("data", "corpus")))


def read_corpus(directory: Path | None = None) -> list[Labelled]:
    """Every labelled question of the training corpus."""
    folder = directory or corpus_dir()
    return [item for path in sorted(folder.glob("*.jsonl")) for item in read_labelled(path)]


def corpus_fingerprint(corpus: Iterable[Labelled]) -> str:
    """A digest of the labelled questions: another one means the corpus changed since training."""
    digest = hashlib.sha256()
    for item in corpus:
        label = (item.question, item.intent.value, item.entry, item.aspect, item.refer)
        digest.update(repr(label).encode())
    return digest.hexdigest()[:16]


def topic_of(item: Labelled) -> str:
    if item.intent is Intent.ANSWER and item.entry:
        return ANSWER + item.entry
    if item.intent is Intent.CONTACT:
        return CONTACT
    if item.intent is Intent.COMPLAINT:
        return COMPLAINT
    return REFER + (item.refer or "other")


def examples(corpus: Iterable[Labelled], entries: Sequence[Entry]) -> list[Example]:
    """The corpus and the knowledge's own names and example questions, as examples."""
    out = [
        Example(
            i.question,
            topic_of(i),
            (i.aspect.value if i.aspect else GENERAL) if i.intent is Intent.ANSWER else None,
        )
        for i in corpus
    ]
    for entry in entries:
        if entry.id == CONTACTS_ENTRY:
            # Its examples mix requests for a number (contact) with questions about the
            # address or the leaders (answers of the entry); the corpus labels both.
            continue
        topic = ANSWER + entry.id
        for question in [entry.title, *entry.aliases, *entry.questions]:
            out.append(Example(question, topic, GENERAL))
        for aspect, questions in entry.aspect_questions.items():
            for question in questions:
                out.append(Example(question, ANSWER + entry.id, aspect.value))
    return out


class _Vocabulary:
    """Feature names → columns, keeping surface features seen in at least MIN_COUNT questions."""

    def __init__(self, rows: Sequence[Features]) -> None:
        counts = Counter(k for row in rows for k in row)
        kept = sorted(k for k, n in counts.items() if n >= MIN_COUNT or k.startswith(ALWAYS_KEPT))
        self.index = {k: i for i, k in enumerate(kept)}

    def matrix(self, rows: Sequence[Features]) -> Any:
        from scipy.sparse import csr_matrix

        data, cols, ptr = [], [], [0]
        for row in rows:
            for k, v in row.items():
                i = self.index.get(k)
                if i is not None:
                    cols.append(i)
                    data.append(v)
            ptr.append(len(cols))
        return csr_matrix((data, cols, ptr), shape=(len(rows), len(self.index)), dtype=np.float64)


def _fit(x: Any, y: Sequence[str], c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=2000).fit(x, y)


def _temperature(logits: npt.NDArray[np.float64], gold: npt.NDArray[np.intp]) -> float:
    """The temperature that makes out-of-fold probabilities best match the outcomes."""
    from scipy.optimize import minimize_scalar

    def nll(t: float) -> float:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-log_p[np.arange(len(gold)), gold].mean())

    return float(minimize_scalar(nll, bounds=(0.2, 5.0), method="bounded").x)


def _out_of_fold(
    x: Any, y: Sequence[str], classes: Sequence[str], c: float, seed: int
) -> npt.NDArray[np.float64]:
    """Logits of every question from a model trained without it."""
    from sklearn.model_selection import StratifiedKFold

    labels = np.array(y)
    counts = Counter(y)
    strata = np.array([t if counts[t] >= FOLDS else "rare" for t in y])
    logits = np.zeros((len(y), len(classes)))
    column = {k: i for i, k in enumerate(classes)}
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    for train, test in folds.split(np.zeros(len(y)), strata):
        model = _fit(x[train], labels[train], c)
        scores = model.decision_function(x[test])
        for j, cls in enumerate(model.classes_):
            logits[test, column[cls]] = scores[:, j] if scores.ndim > 1 else scores
        missing = [column[k] for k in classes if k not in set(model.classes_)]
        logits[np.ix_(test, missing)] = -30.0
    return logits


def _head(model: Any, temperature: float) -> Head:
    weights = np.asarray(model.coef_, dtype=np.float32).T
    bias = np.asarray(model.intercept_, dtype=np.float32)
    return Head(tuple(str(c) for c in model.classes_), weights, bias, temperature)


def _softmax(logits: npt.NDArray[np.float64], t: float) -> npt.NDArray[np.float64]:
    z = logits / t
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: npt.NDArray[np.float64] = e / e.sum(axis=1, keepdims=True)
    return out


def utility(kind: str, predicted: str, label: str) -> float:
    """What one decision is worth to the resident who asked.

    A complaint that does not reach the officers costs most (−3): the desk promises
    有诉必理. Sending a resident to another department with a question that is ours is
    as bad as answering theirs (−2.5, see the neighbouring departments' notes); a
    confident wrong answer misleads (−2); abstaining on a question we could answer
    sends the resident away for nothing (−1.5); "您是想问" that offers the right entry
    is nearly as good as answering (+0.7).
    """
    if label == COMPLAINT and predicted != COMPLAINT:
        return -3.0
    if kind == "answer":
        return 1.0 if predicted == label else -2.0
    if kind == "clarify":
        return 0.7 if predicted == label else -0.5
    if kind == "abstain":
        return 1.0 if label.startswith(REFER) else -1.5
    if kind == "refer":
        if not label.startswith(REFER):
            return -2.5
        return 1.0 if predicted == label else 0.6
    return 1.0 if predicted == label else -2.0  # complaint, contact


def choose_thresholds(
    probabilities: Sequence[dict[str, float]],
    gold: Sequence[str],
    decide: Callable[[dict[str, float], Thresholds], tuple[str, str]],
) -> Thresholds:
    """The thresholds that serve residents best (`utility`) on out-of-fold predictions."""
    best: tuple[float, Thresholds] | None = None
    grid = itertools.product(
        (0.4, 0.5, 0.6, 0.7, 0.8),  # answer
        (0.1, 0.15, 0.2, 0.25, 0.3),  # clarify
        (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6),  # complaint
        (0.0, 0.4, 0.5, 0.6),  # refer
    )
    for answer, clarify, complaint, refer in grid:
        t = Thresholds(answer=answer, clarify=clarify, complaint=complaint, refer=refer)
        total = sum(
            utility(*decide(probs, t), label)
            for probs, label in zip(probabilities, gold, strict=True)
        )
        if best is None or total > best[0]:
            best = (total, t)
    assert best is not None
    return best[1]


def train(
    entries: Sequence[Entry],
    featurizer: Featurizer,
    corpus: Sequence[Labelled],
    decide: Callable[[dict[str, float], Thresholds], tuple[str, str]],
    *,
    seed: int = 0,
    progress: Callable[[str], None] = lambda _: None,
) -> LearnedModel:
    """Fit both heads on the corpus and the knowledge, calibrated out of fold."""
    data = examples(corpus, entries)
    progress(f"reading {len(data)} questions")
    rows = [featurizer.read(e.question).features for e in data]
    vocabulary = _Vocabulary(rows)
    x = vocabulary.matrix(rows)
    topics = [e.topic for e in data]
    topic_classes = sorted(set(topics))
    progress(f"{x.shape[1]} features; topic head, {FOLDS} folds")
    oof = _out_of_fold(x, topics, topic_classes, TOPIC_C, seed)
    gold = np.array([topic_classes.index(t) for t in topics])
    t_topic = _temperature(oof, gold)
    calibrated = _softmax(oof, t_topic)
    probabilities = [dict(zip(topic_classes, p.tolist(), strict=True)) for p in calibrated]
    thresholds = choose_thresholds(probabilities, topics, decide)

    with_aspect = [i for i, e in enumerate(data) if e.aspect is not None]
    aspects = [data[i].aspect or GENERAL for i in with_aspect]
    aspect_classes = sorted(set(aspects))
    progress("aspect head")
    x_aspect = x[with_aspect]
    oof_aspect = _out_of_fold(x_aspect, aspects, aspect_classes, ASPECT_C, seed)
    gold_aspect = np.array([aspect_classes.index(a) for a in aspects])
    t_aspect = _temperature(oof_aspect, gold_aspect)

    progress("final fit")
    topic = _head(_fit(x, topics, TOPIC_C), t_topic)
    aspect = _head(_fit(x_aspect, aspects, ASPECT_C), t_aspect)
    accuracy = float((oof.argmax(axis=1) == gold).mean())
    return LearnedModel(
        vocabulary=vocabulary.index,
        topic=topic,
        aspect=aspect,
        thresholds=thresholds,
        knowledge=fingerprint(entries),
        meta={
            "trained": dt.date.today().isoformat(),
            "questions": len(data),
            "corpus": len(corpus),
            "corpus_fingerprint": corpus_fingerprint(corpus),
            "features": len(vocabulary.index),
            "out_of_fold_topic_accuracy": round(accuracy, 4),
            "topic_temperature": round(t_topic, 4),
            "aspect_temperature": round(t_aspect, 4),
        },
    )


def describe(model: LearnedModel) -> str:
    """One paragraph for the developer who ran `sunshine train`."""
    meta = model.meta
    t = model.thresholds
    return (
        f"trained on {meta.get('questions')} questions ({meta.get('corpus')} from the corpus), "
        f"{meta.get('features')} features; out-of-fold topic accuracy "
        f"{100 * float(meta.get('out_of_fold_topic_accuracy', math.nan)):.1f} %; "
        f"temperatures {meta.get('topic_temperature')} / {meta.get('aspect_temperature')}; "
        f"thresholds answer {t.answer}, clarify {t.clarify}, complaint {t.complaint}, "
        f"refer {t.refer}"
    )
