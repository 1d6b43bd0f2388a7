"""Scoring the matcher on a labelled set (`sunshine eval`).

A labelled set is JSON Lines: ``{"q", "intent", "entry", "aspect", "tags"}`` and,
for questions that are not ours, ``"refer"`` (the department key of
`knowledge/data/lexicon.yaml`, or smalltalk / ours-unlisted / other). The figures
are the ones the issues set bars for:

- intent accuracy: the predicted intent equals the label, over every question;
- entry accuracy (in scope): the predicted entry equals the label, over questions
  labelled with an entry (intents answer and contact);
- strict accuracy: over questions labelled answer, the entry is right and, where
  the label names an aspect, the answer's aspect equals it (a label without an
  aspect accepts any aspect: "低保每月发多少" is served by the fees card or the
  overview alike);
- out-of-scope abstention: questions labelled none that got intent none;
- false abstention: questions not labelled none that got intent none;
- complaint recall: questions labelled complaint (complaints and reports of
  misconduct) answered as a complaint;
- expected calibration error: how far the score is from the share of right
  answers, averaged over ten score buckets weighted by their size. A match is
  *right* when its intent is and, for an answer or a contact, its entry is: the
  score is the probability of exactly that.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.errors import InputError
from knowledge.matching.match import Match
from knowledge.texts import staff as texts
from knowledge.vocabulary import Aspect, Intent

# Referral labels that name no department: chat, our own unlisted work, anything else.
NOT_A_DEPARTMENT = frozenset({"smalltalk", "other", "ours-unlisted", "weather", "commerce"})
NOISY_TAGS = frozenset({"typo", "homophone", "pinyin", "traditional"})
BUCKETS = 10


@dataclass(frozen=True)
class Labelled:
    question: str
    intent: Intent
    entry: str | None
    aspect: Aspect | None
    tags: tuple[str, ...] = ()
    refer: str | None = None

    @property
    def label(self) -> str:
        return self.entry if self.entry else self.intent.value


def read_labelled(path: Path) -> list[Labelled]:
    """The questions of a labelled JSONL file; InputError names a bad line."""
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(texts.CLI_CANNOT_READ.format(source=path, error=exc)) from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            out.append(
                Labelled(
                    row["q"],
                    Intent(row["intent"]),
                    row.get("entry"),
                    Aspect(row["aspect"]) if row.get("aspect") else None,
                    tuple(row.get("tags") or ()),
                    row.get("refer"),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            message = texts.EVAL_NOT_LABELLED.format(file=path, number=number, error=exc)
            raise InputError(message) from exc
    return out


@dataclass(frozen=True)
class Outcome:
    item: Labelled
    match: Match

    @property
    def predicted_label(self) -> str:
        return self.match.entry if self.match.entry else self.match.intent.value

    @property
    def intent_ok(self) -> bool:
        return self.match.intent is self.item.intent

    @property
    def entry_ok(self) -> bool:
        return self.match.entry == self.item.entry

    @property
    def aspect_ok(self) -> bool:
        """Right where the label names an aspect; any aspect where it does not."""
        return self.item.aspect is None or self.match.aspect == self.item.aspect

    @property
    def strict_ok(self) -> bool:
        return self.intent_ok and self.entry_ok and self.aspect_ok

    @property
    def right(self) -> bool:
        """What the score claims the probability of: the intent, and the entry if any."""
        if self.item.intent in (Intent.ANSWER, Intent.CONTACT):
            return self.intent_ok and self.entry_ok
        return self.intent_ok

    @property
    def correct(self) -> bool:
        """All right, as a resident would judge the reply (the aspect included)."""
        return self.strict_ok if self.item.intent is Intent.ANSWER else self.right


def _ratio(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


@dataclass(frozen=True)
class Bucket:
    """One row of the reliability table: scores in [low, high)."""

    low: float
    high: float
    n: int
    mean_score: float
    accuracy: float


@dataclass(frozen=True)
class ClassFigures:
    """The figures of one kind of question (misconduct reports, long stories …)."""

    n: int
    intent: float
    entry: float | None  # None: no question of the class is labelled with an entry
    strict: float | None
    right: float


# The kinds of question the per-class table reports, by label and tags.
CLASSES: dict[str, Callable[[Labelled], bool]] = {
    "complaints and misconduct": lambda i: i.intent is Intent.COMPLAINT,
    "other departments": lambda i: (
        i.intent is Intent.NONE
        and (i.refer not in NOT_A_DEPARTMENT if i.refer else "hard-negative" in i.tags)
    ),
    "ours, in others' words": lambda i: (
        i.intent in (Intent.ANSWER, Intent.CONTACT) and "hard-negative" in i.tags
    ),
    "long narratives": lambda i: "long" in i.tags,
    "typos, homophones, pinyin, traditional": lambda i: bool(NOISY_TAGS & set(i.tags)),
    "english": lambda i: "english" in i.tags,
    "short": lambda i: "short" in i.tags,
    "small talk": lambda i: i.refer == "smalltalk",
}


@dataclass
class Report:
    total: int
    intent_accuracy: float
    entry_accuracy: float
    strict_accuracy: float
    abstention: float
    false_abstention: float
    aspect_accuracy: float
    complaint_recall: float
    referral_accuracy: float | None  # None: no question labelled with a department
    ece: float
    reliability: list[Bucket]
    per_class: dict[str, ClassFigures]
    per_entry: dict[str, dict[str, float]]
    confused: list[tuple[str, str, int]]
    per_tag: dict[str, float]
    outcomes: list[Outcome] = field(repr=False, default_factory=list)

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.correct]

    def to_dict(self, *, misses: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "total": self.total,
            "intent_accuracy": self.intent_accuracy,
            "entry_accuracy": self.entry_accuracy,
            "strict_accuracy": self.strict_accuracy,
            "aspect_accuracy": self.aspect_accuracy,
            "out_of_scope_abstention": self.abstention,
            "false_abstention": self.false_abstention,
            "complaint_recall": self.complaint_recall,
            "referral_accuracy": self.referral_accuracy,
            "expected_calibration_error": self.ece,
            "reliability": [vars(b) for b in self.reliability],
            "per_class": {k: vars(v) for k, v in self.per_class.items()},
            "per_entry": self.per_entry,
            "per_tag": self.per_tag,
            "confused": [{"expected": a, "answered": b, "count": n} for a, b, n in self.confused],
        }
        if misses:
            data["misses"] = [miss_dict(o) for o in self.misses()]
        return data


def miss_dict(o: Outcome) -> dict[str, Any]:
    return {
        "q": o.item.question,
        "expected": {
            "intent": o.item.intent.value,
            "entry": o.item.entry,
            "aspect": o.item.aspect.value if o.item.aspect else None,
        },
        "answered": {
            "intent": o.match.intent.value,
            "entry": o.match.entry,
            "aspect": o.match.aspect.value if o.match.aspect else None,
            "score": o.match.score,
            "decision": o.match.decision,
        },
    }


def evaluate(items: Sequence[Labelled], match: Callable[[str], Match]) -> Report:
    """Run every question through `match` and compute the figures."""
    outcomes = [Outcome(item, match(item.question)) for item in items]
    return summarise(outcomes)


def reliability(outcomes: Sequence[Outcome], buckets: int = BUCKETS) -> list[Bucket]:
    """Scores in equal-width buckets, each with its mean score and share of right answers."""
    rows = []
    for b in range(buckets):
        low, high = b / buckets, (b + 1) / buckets
        inside = [
            o
            for o in outcomes
            if low <= o.match.score < high or (b == buckets - 1 and o.match.score == 1.0)
        ]
        if inside:
            mean = sum(o.match.score for o in inside) / len(inside)
            accuracy = sum(o.right for o in inside) / len(inside)
            rows.append(Bucket(low, high, len(inside), round(mean, 4), round(accuracy, 4)))
    return rows


def calibration_error(table: Sequence[Bucket]) -> float:
    """Expected calibration error: |accuracy - mean score| weighted by bucket size."""
    total = sum(b.n for b in table)
    if not total:
        return 0.0
    return round(sum(b.n * abs(b.accuracy - b.mean_score) for b in table) / total, 4)


def _figures(group: Sequence[Outcome]) -> ClassFigures:
    with_entry = [o for o in group if o.item.entry]
    answers = [o for o in group if o.item.intent is Intent.ANSWER]
    return ClassFigures(
        n=len(group),
        intent=_ratio(sum(o.intent_ok for o in group), len(group)),
        entry=_ratio(sum(o.entry_ok for o in with_entry), len(with_entry)) if with_entry else None,
        strict=_ratio(sum(o.strict_ok for o in answers), len(answers)) if answers else None,
        right=_ratio(sum(o.correct for o in group), len(group)),
    )


def summarise(outcomes: Iterable[Outcome]) -> Report:
    outcomes = list(outcomes)
    in_scope = [o for o in outcomes if o.item.entry]
    answers = [o for o in outcomes if o.item.intent is Intent.ANSWER]
    none = [o for o in outcomes if o.item.intent is Intent.NONE]
    not_none = [o for o in outcomes if o.item.intent is not Intent.NONE]
    complaints = [o for o in outcomes if o.item.intent is Intent.COMPLAINT]
    referred = [o for o in none if o.item.refer and o.item.refer not in NOT_A_DEPARTMENT]
    per_entry: dict[str, dict[str, float]] = {}
    groups: dict[str, list[Outcome]] = defaultdict(list)
    for o in in_scope:
        groups[o.item.entry or ""].append(o)
    for entry, group in sorted(groups.items()):
        per_entry[entry] = {
            "n": len(group),
            "entry_accuracy": _ratio(sum(o.entry_ok for o in group), len(group)),
        }
    confused = Counter(
        (o.item.label, o.predicted_label) for o in outcomes if o.item.label != o.predicted_label
    )
    tags: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        for tag in o.item.tags:
            tags[tag].append(o)
    entry_right = [o for o in answers if o.entry_ok and o.item.aspect is not None]
    table = reliability(outcomes)
    per_class = {}
    for name, member in CLASSES.items():
        group = [o for o in outcomes if member(o.item)]
        if group:
            per_class[name] = _figures(group)
    return Report(
        total=len(outcomes),
        intent_accuracy=_ratio(sum(o.intent_ok for o in outcomes), len(outcomes)),
        entry_accuracy=_ratio(sum(o.entry_ok for o in in_scope), len(in_scope)),
        strict_accuracy=_ratio(sum(o.strict_ok for o in answers), len(answers)),
        abstention=_ratio(sum(o.match.intent is Intent.NONE for o in none), len(none)),
        false_abstention=_ratio(
            sum(o.match.intent is Intent.NONE for o in not_none), len(not_none)
        ),
        aspect_accuracy=_ratio(
            sum(o.match.aspect == o.item.aspect for o in entry_right), len(entry_right)
        ),
        complaint_recall=_ratio(
            sum(o.match.intent is Intent.COMPLAINT for o in complaints), len(complaints)
        ),
        referral_accuracy=None
        if not referred
        else _ratio(
            sum(
                o.match.referral is not None and o.match.referral.key == o.item.refer
                for o in referred
            ),
            len(referred),
        ),
        ece=calibration_error(table),
        reliability=table,
        per_class=per_class,
        per_entry=per_entry,
        confused=[(a, b, n) for (a, b), n in confused.most_common(10)],
        per_tag={t: _ratio(sum(o.correct for o in g), len(g)) for t, g in sorted(tags.items())},
        outcomes=outcomes,
    )


def format_report(report: Report, *, misses: bool = False) -> str:
    """The report as a person reads it."""

    def pct(x: float | None) -> str:
        return "    —  " if x is None else f"{x * 100:5.1f} %"

    lines = [
        f"questions                 {report.total}",
        f"intent accuracy           {pct(report.intent_accuracy)}",
        f"entry accuracy (in scope) {pct(report.entry_accuracy)}",
        f"strict entry+aspect       {pct(report.strict_accuracy)}",
        f"aspect (entry right)      {pct(report.aspect_accuracy)}",
        f"out-of-scope abstention   {pct(report.abstention)}",
        f"false abstention          {pct(report.false_abstention)}",
        f"complaint recall          {pct(report.complaint_recall)}",
        f"referral to the right dept {pct(report.referral_accuracy)}",
        f"calibration error (ECE)   {report.ece:7.3f}",
        "",
        "per class:                                  n  intent   entry  strict   right",
        *(
            f"  {name:<38} {c.n:4d} {pct(c.intent)} {pct(c.entry)} {pct(c.strict)} {pct(c.right)}"
            for name, c in report.per_class.items()
        ),
        "",
        "reliability (score bucket: n, mean score, share right):",
        *(
            f"  {b.low:.1f}-{b.high:.1f}  {b.n:5d}  {b.mean_score:.3f}  {b.accuracy:.3f}"
            for b in report.reliability
        ),
        "",
        "per entry:",
        *(
            f"  {e:<26} {pct(v['entry_accuracy'])}  (n={int(v['n'])})"
            for e, v in report.per_entry.items()
        ),
        "",
        "per tag (all right):",
        *(f"  {t:<26} {pct(v)}" for t, v in report.per_tag.items()),
        "",
        "most confused (expected -> answered):",
        *(f"  {a} -> {b}: {n}" for a, b, n in report.confused),
    ]
    if misses:
        lines += ["", "misses:"]
        for o in report.misses():
            m = o.match
            lines.append(
                f"  {o.item.question}\n"
                f"      expected {o.item.intent.value}/{o.item.entry}/"
                f"{o.item.aspect.value if o.item.aspect else None}"
                f"  answered {m.intent.value}/{m.entry}/{m.aspect.value if m.aspect else None}"
                f" ({m.decision}, {m.score:.2f})"
            )
    return "\n".join(lines)
