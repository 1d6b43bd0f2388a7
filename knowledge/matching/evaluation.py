"""Scoring the matcher on a labelled set (`sunshine eval`).

A labelled set is JSON Lines in the format of ../shared/dev-questions.jsonl:
``{"q", "intent", "entry", "aspect", "tags"}``. The figures are the ones the
issue sets bars for:

- intent accuracy: the predicted intent equals the label, over every question;
- entry accuracy (in scope): the predicted entry equals the label, over questions
  labelled with an entry (intents answer and contact);
- strict accuracy: entry and aspect both equal the label (a null aspect must be
  predicted null), over questions labelled answer;
- out-of-scope abstention: questions labelled none that got intent none;
- false abstention: questions not labelled none that got intent none.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.errors import InputError
from knowledge.matching.decide import Match
from knowledge.texts import staff as texts
from knowledge.vocabulary import Aspect, Intent


@dataclass(frozen=True)
class Labelled:
    question: str
    intent: Intent
    entry: str | None
    aspect: Aspect | None
    tags: tuple[str, ...] = ()

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
    def strict_ok(self) -> bool:
        return self.entry_ok and self.match.aspect == self.item.aspect and self.intent_ok

    @property
    def correct(self) -> bool:
        if self.item.intent is Intent.ANSWER:
            return self.strict_ok
        if self.item.intent is Intent.CONTACT:
            return self.intent_ok and self.entry_ok
        return self.intent_ok


def _ratio(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


@dataclass
class Report:
    total: int
    intent_accuracy: float
    entry_accuracy: float
    strict_accuracy: float
    abstention: float
    false_abstention: float
    aspect_accuracy: float
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


def summarise(outcomes: Iterable[Outcome]) -> Report:
    outcomes = list(outcomes)
    in_scope = [o for o in outcomes if o.item.entry]
    answers = [o for o in outcomes if o.item.intent is Intent.ANSWER]
    none = [o for o in outcomes if o.item.intent is Intent.NONE]
    not_none = [o for o in outcomes if o.item.intent is not Intent.NONE]
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
    entry_right = [o for o in answers if o.entry_ok]
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
        per_entry=per_entry,
        confused=[(a, b, n) for (a, b), n in confused.most_common(10)],
        per_tag={t: _ratio(sum(o.correct for o in g), len(g)) for t, g in sorted(tags.items())},
        outcomes=outcomes,
    )


def format_report(report: Report, *, misses: bool = False) -> str:
    """The report as a person reads it."""

    def pct(x: float) -> str:
        return f"{x * 100:5.1f} %"

    lines = [
        f"questions                 {report.total}",
        f"intent accuracy           {pct(report.intent_accuracy)}",
        f"entry accuracy (in scope) {pct(report.entry_accuracy)}",
        f"strict entry+aspect       {pct(report.strict_accuracy)}",
        f"aspect (entry right)      {pct(report.aspect_accuracy)}",
        f"out-of-scope abstention   {pct(report.abstention)}",
        f"false abstention          {pct(report.false_abstention)}",
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
