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
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from knowledge.schema import Entry
from knowledge.vocabulary import ASPECT_LABELS, Aspect

DEFAULT_MAX_AGE_DAYS = 365

# Things a figure is stated for; the same word with two different numbers and
# the same unit inside one entry is reported.
MEASURED = (
    "公示期",
    "公示",
    "公告期",
    "公告",
    "冷静期",
    "审查",
    "调查核实",
    "复核",
    "办结",
    "使用周期",
    "存放",
    "工本费",
    "登记费",
    "活动资金",
    "个人会员",
    "单位会员",
)
SAME_AS = {"公示期": "公示", "公告期": "公告"}
_UNIT = r"(个工作日|工作日|日|天|周岁|岁|万元|元|年|个月|个)"
_FIGURE = re.compile(r"(\d+(?:\.\d+)?)\s*" + _UNIT)
_MEASURE = re.compile(
    "(" + "|".join(MEASURED) + r")[^。；;，,\n\d不]{0,10}?(\d+(?:\.\d+)?)\s*" + _UNIT
)


@dataclass(frozen=True)
class Finding:
    kind: str  # stale | missing-basis | contradiction | review-note
    entry: str
    where: str
    message: str


def _places(entry: Entry) -> Iterable[tuple[str, str]]:
    for aspect, text in entry.aspects.items():
        yield f"{ASPECT_LABELS[aspect]}({aspect.value})", text
    for proc in entry.procedures:
        for n, step in enumerate(proc.steps, start=1):
            yield f"流程“{proc.name}”第 {n} 步", f"{step.title}{step.detail}{step.time_limit}"


def _unit_class(unit: str) -> str:
    return "工作日" if "工作日" in unit else ("天" if unit in ("日", "天") else unit)


def contradictions(entry: Entry) -> list[Finding]:
    """Different figures stated for the same thing within one entry."""
    found: list[Finding] = []
    stated: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for where, text in _places(entry):
        for m in _MEASURE.finditer(text):
            key = (SAME_AS.get(m.group(1), m.group(1)), _unit_class(m.group(3)))
            stated[key].setdefault(m.group(2), where)
    for (word, unit), values in stated.items():
        if len(values) > 1:
            listed = "；".join(f"{where}写 {v}{unit}" for v, where in values.items())
            found.append(
                Finding(
                    "contradiction",
                    entry.id,
                    word,
                    f"“{word}”出现不同的数字：{listed}。如果确属不同事项，请写明区别。",
                )
            )
    limits = entry.aspects.get(Aspect.TIME_LIMIT, "")
    mentioned = {(v, _unit_class(u)) for v, u in _FIGURE.findall(limits)}
    if limits:
        for proc in entry.procedures:
            for n, step in enumerate(proc.steps, start=1):
                for v, u in _FIGURE.findall(step.time_limit):
                    if (v, _unit_class(u)) not in mentioned:
                        found.append(
                            Finding(
                                "contradiction",
                                entry.id,
                                f"流程“{proc.name}”第 {n} 步",
                                f"步骤时限“{step.time_limit}”在“时限”说明中没有出现，请核对两处是否一致。",
                            )
                        )
    if entry.finance is not None:
        seen: dict[tuple[str, str], tuple[float, float]] = {}
        for row in entry.finance.rows:
            key = (row.period, row.item)
            if key in seen and seen[key] != (row.budget, row.spent):
                found.append(
                    Finding(
                        "contradiction",
                        entry.id,
                        f"收支 {row.period} {row.item}",
                        "同一期间、同一项目有两行不同的数字。",
                    )
                )
            seen[key] = (row.budget, row.spent)
    phones: dict[str, set[str]] = defaultdict(set)
    for c in entry.contacts:
        if c.phone:
            phones[c.name].add(c.phone)
    for name, numbers in phones.items():
        if len(numbers) > 1:
            found.append(
                Finding(
                    "contradiction",
                    entry.id,
                    f"联系方式 {name}",
                    f"同一名称有不同的电话：{'、'.join(sorted(numbers))}",
                )
            )
    return found


def check_entries(
    entries: Sequence[Entry], *, today: dt.date, max_age_days: int = DEFAULT_MAX_AGE_DAYS
) -> list[Finding]:
    """Every finding for the knowledge base, grouped by kind."""
    findings: list[Finding] = []
    for e in entries:
        age = (today - e.last_reviewed).days
        if age > max_age_days:
            findings.append(
                Finding(
                    "stale",
                    e.id,
                    "最近审核日期",
                    f"上次审核是 {e.last_reviewed.isoformat()}（{age} 天前），"
                    f"超过 {max_age_days} 天，请复核后更新日期。",
                )
            )
    for e in entries:
        for aspect in e.aspects:
            if not e.basis_for(aspect):
                findings.append(
                    Finding(
                        "missing-basis",
                        e.id,
                        f"{ASPECT_LABELS[aspect]}({aspect.value})",
                        "没有写法律依据（法规名称＋条号）。",
                    )
                )
    for e in entries:
        findings.extend(contradictions(e))
    for e in entries:
        findings.extend(Finding("review-note", e.id, "待核实事项", note) for note in e.review_notes)
    return findings


PROBLEM_KINDS = ("stale", "missing-basis", "contradiction")
