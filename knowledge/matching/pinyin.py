"""Toneless pinyin for homophone typos (底保 → dibao) and typed pinyin.

`pypinyin` takes about 0.2 s to import its character table, which is most of
the start-up budget, so the table is flattened once into a small JSON file in
the cache directory and read from there afterwards (a few milliseconds).
Each character gets its most common reading; the matcher compares the
question and the knowledge through the same table, so a heteronym read
"wrongly" is read wrongly on both sides and still matches.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from knowledge.matching.normalise import is_cjk

_TABLE_VERSION = 1
_CACHE_NAME = f"pinyin-table-v{_TABLE_VERSION}.json"


@dataclass(frozen=True, slots=True)
class Syllable:
    """One syllable of a question and the characters it came from."""

    text: str
    start: int
    end: int


def _toneless(reading: str) -> str:
    decomposed = unicodedata.normalize("NFD", reading)
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return plain.replace("ü", "v")


def _build_table() -> dict[str, str]:
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[str, str] = {}
    for code, readings in pinyin_dict.items():
        ch = chr(code)
        if is_cjk(ch):
            table[ch] = _toneless(readings.split(",")[0])
    return table


def load_table(cache_dir: Path | None) -> dict[str, str]:
    """Character → toneless syllable, from the cache file when there is one."""
    cache = cache_dir / _CACHE_NAME if cache_dir is not None else None
    if cache is not None and cache.exists():
        try:
            grouped: dict[str, str] = json.loads(cache.read_text(encoding="utf-8"))
            # In code-point order, as built: what is looked up first must not depend on
            # whether the table came from the cache (homophone lists follow this order).
            return dict(sorted((ch, syl) for syl, chars in grouped.items() for ch in chars))
        except (OSError, ValueError):
            pass  # a damaged cache is rebuilt below
    table = _build_table()
    if cache is not None:
        grouped = {}
        for ch, syl in table.items():
            grouped[syl] = grouped.get(syl, "") + ch
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp")
            tmp.write_text(json.dumps(grouped, ensure_ascii=False), encoding="utf-8")
            tmp.replace(cache)
        except OSError:
            pass  # read-only host: keep the table in memory only
    return table


def fuzzy_syllable(syllable: str) -> str:
    """Merge the sounds many northern speakers do not tell apart in writing.

    Flat and retroflex initials (z/zh, c/ch, s/sh) and front and back nasals
    (in/ing, en/eng): 投述 for 投诉, 申情 for 申请.
    """
    if syllable[:2] in ("zh", "ch", "sh"):
        syllable = syllable[0] + syllable[2:]
    if syllable.endswith(("ing", "eng")):
        syllable = syllable[:-1]
    return syllable


class PinyinReader:
    """Turns normalised text into a stream of syllables with their spans."""

    def __init__(self, table: dict[str, str]) -> None:
        self._table = table
        self._valid = frozenset(s for s in table.values() if len(s) > 1 or s in "aeo")
        self._longest = max((len(s) for s in self._valid), default=1)
        self._terms: dict[str, tuple[str, ...] | None] = {}
        self._fuzzy: dict[tuple[str, ...], tuple[str, ...]] = {}

    def of_char(self, ch: str) -> str | None:
        """The syllable of one character, or None if it is not Chinese."""
        return self._table.get(ch)

    def of_term(self, term: str) -> tuple[str, ...] | None:
        """The syllables of a knowledge term, or None if it has non-Chinese parts
        (remembered: every edit builds the term spotters of 30,000 terms again)."""
        try:
            return self._terms[term]
        except KeyError:
            pass
        syllables: tuple[str, ...] | None = tuple(self._table.get(ch, "") for ch in term)
        if not syllables or not all(syllables):
            syllables = self.segment(term) if term.isascii() and term.isalpha() else None
        self._terms[term] = syllables
        return syllables

    def fuzzy_of_term(self, syllables: tuple[str, ...]) -> tuple[str, ...]:
        """`fuzzy_syllable` of each syllable of a term (remembered, as `of_term`)."""
        found = self._fuzzy.get(syllables)
        if found is None:
            found = self._fuzzy[syllables] = tuple(map(fuzzy_syllable, syllables))
        return found

    def segment(self, word: str) -> tuple[str, ...] | None:
        """Split typed pinyin such as `dibao` into syllables, or None if it is not pinyin."""
        return _segment(word, self._valid, self._longest)

    def read(self, text: str) -> list[Syllable]:
        """Syllables of every Chinese character and every pinyin-looking latin run."""
        out: list[Syllable] = []
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            syllable = self._table.get(ch)
            if syllable is not None:
                out.append(Syllable(syllable, i, i + 1))
                i += 1
                continue
            if "a" <= ch <= "z":
                j = i
                while j < n and "a" <= text[j] <= "z":
                    j += 1
                parts = self.segment(text[i:j])
                if parts:
                    pos = i
                    for part in parts:
                        out.append(Syllable(part, pos, pos + len(part)))
                        pos += len(part)
                else:
                    out.append(Syllable("", i, j))  # a break in the stream
                i = j
                continue
            if ch != " ":
                out.append(Syllable("", i, i + 1))
            i += 1
        return out


@lru_cache(maxsize=4096)
def _segment_cached(word: str, valid: frozenset[str], longest: int) -> tuple[str, ...] | None:
    # best[i]: fewest syllables covering word[:i]; ties keep the longer first syllable.
    n = len(word)
    best: list[tuple[int, tuple[str, ...]] | None] = [None] * (n + 1)
    best[0] = (0, ())
    for i in range(n):
        current = best[i]
        if current is None:
            continue
        for j in range(min(n, i + longest), i, -1):
            piece = word[i:j]
            if piece in valid:
                candidate = (current[0] + 1, (*current[1], piece))
                known = best[j]
                if known is None or candidate[0] < known[0]:
                    best[j] = candidate
    final = best[n]
    return final[1] if final is not None else None


def _segment(word: str, valid: frozenset[str], longest: int) -> tuple[str, ...] | None:
    if not word or len(word) > 40:
        return None
    return _segment_cached(word, valid, longest)
