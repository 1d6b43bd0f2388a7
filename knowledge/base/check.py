"""Health checks of the knowledge base for staff (`sunshine kb check`).

Three kinds of finding:

- stale: an entry not reviewed within the allowed age;
- missing basis: an aspect that names no legal basis;
- contradiction: two different figures stated for the same thing — the same
  period named with two numbers (公示期 7 天 here, 5 天 there), a procedure
  step whose time limit the time-limit text never mentions, two finance rows
  for one period and item, two phone numbers for one contact.

Open review notes (facts still to verify) are listed as well, as a to-do.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources

import yaml

from knowledge.base.schema import Entry
from knowledge.texts import staff as texts
from knowledge.vocabulary import ASPECT_LABELS, Aspect

DEFAULT_MAX_AGE_DAYS = 365


@dataclass(frozen=True)
class _Figures:
    """What a stated figure looks like (knowledge/data/figures.yaml)."""

    measured: tuple[str, ...]
    same_as: dict[str, str]
    units: tuple[str, ...]
    working_days: str
    days: tuple[str, ...]  # the first names them all
    not_between: str

    @classmethod
    def load(cls) -> _Figures:
        data = yaml.safe_load(resources.files("knowledge").joinpath(FIGURES).read_text("utf-8"))
        return cls(
            measured=tuple(data["measured"]),
            same_as=dict(data["same_as"]),
            units=tuple(data["units"]),
            working_days=str(data["working_days"]),
            days=tuple(data["days"]),
            not_between=str(data["not_between"]),
        )

    def unit_class(self, unit: str) -> str:
        if self.working_days in unit:
            return self.working_days
        return self.days[0] if unit in self.days else unit


FIGURES = "data/figures.yaml"


@functools.cache
def _words() -> _Figures:
    return _Figures.load()


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(any figure with its unit, a measured thing followed by its figure)."""
    words = _words()
    unit = "(" + "|".join(map(re.escape, words.units)) + ")"
    figure = re.compile(r"(\d+(?:\.\d+)?)\s*" + unit)
    things = "|".join(map(re.escape, words.measured))
    gap = "[^" + re.escape(words.not_between) + r"\n\d]{0,10}?"
    measure = re.compile("(" + things + ")" + gap + r"(\d+(?:\.\d+)?)\s*" + unit)
    return figure, measure


class Kind(StrEnum):
    STALE = "stale"
    MISSING_BASIS = "missing-basis"
    CONTRADICTION = "contradiction"
    REVIEW_NOTE = "review-note"


@dataclass(frozen=True)
class Finding:
    kind: Kind
    entry: str
    where: str
    message: str


def _places(entry: Entry) -> Iterable[tuple[str, str]]:
    for aspect, text in entry.aspects.items():
        yield _aspect_place(aspect), text
    for proc in entry.procedures:
        for n, step in enumerate(proc.steps, start=1):
            yield _step_place(proc.name, n), f"{step.title}{step.detail}{step.time_limit}"


def _aspect_place(aspect: Aspect) -> str:
    return texts.CHECK_ASPECT.format(label=ASPECT_LABELS[aspect], aspect=aspect.value)


def _step_place(name: str, number: int) -> str:
    return texts.CHECK_STEP.format(name=name, number=number)


def _unit_class(unit: str) -> str:
    return _words().unit_class(unit)


def contradictions(entry: Entry) -> list[Finding]:
    """Different figures stated for the same thing within one entry."""
    found: list[Finding] = []
    stated: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for where, text in _places(entry):
        for m in _patterns()[1].finditer(text):
            key = (_words().same_as.get(m.group(1), m.group(1)), _unit_class(m.group(3)))
            stated[key].setdefault(m.group(2), where)
    for (word, unit), values in stated.items():
        if len(values) > 1:
            listed = texts.CHECK_SEPARATOR.join(
                texts.CHECK_STATED.format(where=where, value=v, unit=unit)
                for v, where in values.items()
            )
            message = texts.CHECK_TWO_FIGURES.format(word=word, listed=listed)
            found.append(Finding(Kind.CONTRADICTION, entry.id, word, message))
    limits = entry.aspects.get(Aspect.TIME_LIMIT, "")
    mentioned = {(v, _unit_class(u)) for v, u in _patterns()[0].findall(limits)}
    if limits:
        for proc in entry.procedures:
            for n, step in enumerate(proc.steps, start=1):
                for v, u in _patterns()[0].findall(step.time_limit):
                    if (v, _unit_class(u)) not in mentioned:
                        message = texts.CHECK_STEP_LIMIT.format(limit=step.time_limit)
                        where = _step_place(proc.name, n)
                        found.append(Finding(Kind.CONTRADICTION, entry.id, where, message))
    if entry.finance is not None:
        seen: dict[tuple[str, str], tuple[float, float]] = {}
        for row in entry.finance.rows:
            key = (row.period, row.item)
            if key in seen and seen[key] != (row.budget, row.spent):
                where = texts.CHECK_FINANCE_ROW.format(period=row.period, item=row.item)
                found.append(
                    Finding(Kind.CONTRADICTION, entry.id, where, texts.CHECK_FINANCE_TWICE)
                )
            seen[key] = (row.budget, row.spent)
    phones: dict[str, set[str]] = defaultdict(set)
    for c in entry.contacts:
        if c.phone:
            phones[c.name].add(c.phone)
    for name, numbers in phones.items():
        if len(numbers) > 1:
            where = texts.CHECK_CONTACT.format(name=name)
            phones_text = texts.LIST_SEPARATOR.join(sorted(numbers))
            message = texts.CHECK_TWO_PHONES.format(phones=phones_text)
            found.append(Finding(Kind.CONTRADICTION, entry.id, where, message))
    return found


def check_entries(
    entries: Sequence[Entry], *, today: dt.date, max_age_days: int = DEFAULT_MAX_AGE_DAYS
) -> list[Finding]:
    """Every finding for the knowledge base, grouped by kind."""
    findings: list[Finding] = []
    for e in entries:
        age = (today - e.last_reviewed).days
        if age > max_age_days:
            message = texts.CHECK_STALE.format(
                reviewed=e.last_reviewed.isoformat(), age=age, days=max_age_days
            )
            findings.append(Finding(Kind.STALE, e.id, texts.CHECK_REVIEWED, message))
    for e in entries:
        for aspect in e.aspects:
            if not e.basis_for(aspect):
                findings.append(
                    Finding(Kind.MISSING_BASIS, e.id, _aspect_place(aspect), texts.CHECK_NO_BASIS)
                )
    for e in entries:
        findings.extend(contradictions(e))
    for e in entries:
        findings.extend(
            Finding(Kind.REVIEW_NOTE, e.id, texts.CHECK_REVIEW_NOTE, note)
            for note in e.review_notes
        )
    return findings


PROBLEM_KINDS = (Kind.STALE, Kind.MISSING_BASIS, Kind.CONTRADICTION)
