"""The legal-basis line: each law named once, its articles in order, runs as ranges.

Staff write an aspect's legal basis as a list of citations, one per sentence of the
text it supports, so the same law comes back several times:

    《社会救助法》第十八条 · 《社会救助法》第二十一条 · 《社会救助法》第十九条、第二十条

Residents read it as one line per answer; `compact` turns the list into

    《社会救助法》第十八条至第二十一条

Articles keep the wording staff wrote (a 款 or 项 stays attached to its article and is
never folded into a range; an article cited whole makes its 款 and 项 redundant).
Anything that does not read as 《title》(edition) + articles — a document number,
a note — is kept as written, in its place.

Chinese article numbers are parsed by hand: they are whole numbers below ten
thousand in one fixed style (第一千零七十七条), and the general converters on
PyPI cost more at start-up (about 150 ms to import) than this whole module.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}

_CITATION = re.compile(r"^(?P<title>《[^》]+》)(?P<edition>（[^）]*）)?(?P<rest>.*)$")
_ARTICLE = re.compile(r"^第(?P<n>[零〇一二两三四五六七八九十百千]+)条(?P<suffix>.*)$")
_RANGE = re.compile(
    r"^第(?P<a>[零〇一二两三四五六七八九十百千]+)条至第(?P<b>[零〇一二两三四五六七八九十百千]+)条$"
)
_PART = re.compile(r"^第[（(]?[零〇一二两三四五六七八九十百千]+[)）]?[款项]")
RUN = 3  # this many consecutive articles or more are written as a range
SEPARATOR = "、"


def chinese_number(text: str) -> int:
    """一千零七十七 → 1077; ValueError for anything else."""
    total, digit = 0, None
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[char]
            digit = None
        else:
            raise ValueError(text)
    return total + (digit or 0)


@dataclass
class _Law:
    """One law's citations, gathered from every item that names it."""

    title: str
    edition: str
    articles: dict[int, str] = field(default_factory=dict)  # whole articles: number → 第X条
    parts: dict[int, list[str]] = field(default_factory=dict)  # 款 / 项 of an article
    others: list[str] = field(default_factory=list)  # 第三章, a bare title's note …
    _last: int | None = None  # the article a following 款 or 项 belongs to

    def add(self, reference: str) -> None:
        ranged = _RANGE.match(reference)
        if ranged:
            first, last = chinese_number(ranged["a"]), chinese_number(ranged["b"])
            self._last = None
            for n in range(first, last + 1):
                self.articles.setdefault(n, "")
            self.articles[first] = f"第{ranged['a']}条"
            self.articles[last] = f"第{ranged['b']}条"
            return
        article = _ARTICLE.match(reference)
        if article is None and self._last is not None and _PART.match(reference):
            # 第二十条第（七）项、第（十一）项: the second item continues the first's article
            self.parts.setdefault(self._last, []).append(reference)
            return
        if article is None:
            if reference and reference not in self.others:
                self.others.append(reference)
            return
        n = self._last = chinese_number(article["n"])
        if article["suffix"]:
            parts = self.parts.setdefault(n, [])
            if reference not in parts:
                parts.append(reference)
        else:
            self.articles[n] = reference

    def text(self) -> str:
        refs: list[tuple[int, str]] = []
        numbers = sorted(self.articles)
        i = 0
        while i < len(numbers):
            j = i
            while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
                j += 1
            run = numbers[i : j + 1]
            if len(run) >= RUN:
                refs.append((run[0], f"{self._name(run[0])}至{self._name(run[-1])}"))
            else:
                refs.extend((n, self._name(n)) for n in run)
            i = j + 1
        for n, parts in self.parts.items():
            if n not in self.articles:
                refs.extend((n, p) for p in parts)
        refs.sort(key=lambda r: r[0])
        body = SEPARATOR.join([r for _, r in refs] + self.others)
        return f"{self.title}{self.edition}{body}"

    def _name(self, n: int) -> str:
        return self.articles[n] or f"第{_cardinal(n)}条"


def _cardinal(n: int) -> str:
    """1077 → 一千零七十七 (for the ends of a range built from its middle)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, unit)
        if d:
            if zero:
                out += "零"
            out += ("" if (name == "十" and not out and d == 1) else digits[d]) + name
            zero = False
        elif out:
            zero = True
    return out


def compact(citations: Iterable[str]) -> list[str]:
    """The citations of one answer, one item per law, in the order laws first appear."""
    laws: dict[tuple[str, str], _Law] = {}
    editions: dict[str, list[str]] = {}
    order: list[tuple[str, str] | str] = []
    parsed: list[tuple[str, str, str] | str] = []
    for citation in citations:
        found = _CITATION.match(citation.strip())
        if found is None:
            parsed.append(citation.strip())
            continue
        title, edition = found["title"], found["edition"] or ""
        parsed.append((title, edition, found["rest"].strip()))
        if edition and edition not in editions.setdefault(title, []):
            editions[title].append(edition)
    for item in parsed:
        if isinstance(item, str):
            if item not in order:
                order.append(item)
            continue
        title, edition, rest = item
        if not edition and len(editions.get(title, [])) == 1:
            edition = editions[title][0]  # the same law, cited once with its edition
        key = (title, edition)
        if key not in laws:
            laws[key] = _Law(title, edition)
            order.append(key)
        for reference in (r.strip() for r in rest.split(SEPARATOR)):
            laws[key].add(reference)
    return [laws[k].text() if isinstance(k, tuple) else k for k in order]
