"""Spotting known terms in a question: exactly, by sound, or with one wrong character.

A *term* is a word the knowledge or the lexicon attaches meaning to: an entry
alias (低保), a synonym (领养), an aspect cue (带什么), an intent cue (投诉), an
out-of-scope topic (社保卡). Residents misspell them in three typical ways,
each caught by its own index:

* by sound — 底保, 申情, 投述: the question's syllables are matched against
  the syllables of terms of two or more syllables, first exactly, then with
  z/zh, c/ch, s/sh and in/ing, en/eng merged; typed pinyin (dibao) joins the
  same syllable stream;
* by one wrong character — 医疗就助 for 医疗救助: entry terms of four or more
  characters are indexed under each one-character mask (not the first);
* in English — whole words, with a plural "s" tolerated.

Overlapping hits are resolved longest first, so 低保资金 wins over 低保, and
投诉电话 over 投诉.

Sound and typo hits on Chinese characters are only accepted where the resident
plausibly mistyped: the span must start and end on word boundaries of the
question when it is two characters long (以后是 does not hide 后事), must not
itself be a real word (表哥 is not a typo of 表格), and a two-character span
must keep one character of the term (钱怎 is not 签证). Measured on the
labelled sets, these rules remove most false hits and keep the real homophone
typos (底保, 才料, 电花, 申情).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from knowledge.matching.normalise import is_cjk
from knowledge.matching.pinyin import PinyinReader, fuzzy_syllable

MAX_TERM_CHARS = 12
MAX_ENGLISH_WORDS = 4
MIN_TYPO_CHARS = 4
_MASK = "\x00"
_ENGLISH_WORD = re.compile(r"[a-z][a-z']*")


@functools.lru_cache(maxsize=1 << 17)
def _all_cjk(term: str) -> bool:
    """Whether every character is Chinese (remembered: every edit builds the spotters of
    30,000 terms again)."""
    return all(is_cjk(c) for c in term)


class How(IntEnum):
    """How a term was found, best first; the value orders ties."""

    EXACT = 4
    PINYIN = 3
    FUZZY_PINYIN = 2
    TYPO = 1


# How much a hit found each way is trusted, relative to an exact hit; a
# two-character term found by sound is less certain than a longer one.
HOW_QUALITY: dict[How, float] = {
    How.EXACT: 1.0,
    How.PINYIN: 0.9,
    How.FUZZY_PINYIN: 0.75,
    How.TYPO: 0.7,
}
SHORT_SOUND_FACTOR = 0.8


@dataclass(frozen=True, slots=True)
class Hit:
    """A term found in the question, and where."""

    term: str
    start: int
    end: int
    how: How

    @property
    def quality(self) -> float:
        q = HOW_QUALITY[self.how]
        if self.how in (How.PINYIN, How.FUZZY_PINYIN) and len(self.term) == 2:
            q *= SHORT_SOUND_FACTOR
        return q


@dataclass(frozen=True)
class Words:
    """How the question splits into words: where words end, and which spans are words."""

    boundaries: frozenset[int]
    is_word: Callable[[str], bool]

    @classmethod
    def of(cls, words: Sequence[str], is_word: Callable[[str], bool]) -> Words:
        ends, pos = {0}, 0
        for w in words:
            pos += len(w)
            ends.add(pos)
        return cls(frozenset(ends), is_word)


def _is_english(term: str) -> bool:
    return term.isascii() and any(c.isalpha() for c in term)


class TermSpotter:
    """Finds the terms of one vocabulary in normalised text."""

    def __init__(
        self, terms: Iterable[str], reader: PinyinReader, *, typo_terms: Iterable[str] = ()
    ) -> None:
        self._reader = reader
        self._exact: set[str] = set()
        self._english: dict[tuple[str, ...], str] = {}
        self._by_sound: dict[tuple[str, ...], str] = {}
        self._by_fuzzy_sound: dict[tuple[str, ...], str] = {}
        self._by_mask: dict[str, set[str]] = defaultdict(set)
        self._lengths: set[int] = set()
        self._mask_lengths: set[int] = set()
        self._sound_lengths: set[int] = set()
        # What a window must begin with to be worth looking up (a question of 80 characters
        # is otherwise hundreds of look-ups per length): the lengths of the sounds that
        # begin with a syllable, and the beginnings one typo leaves intact (the first two
        # characters, or the first and the two after the second: masks never hide the first).
        self._sound_first: dict[str, frozenset[int]] = {}
        self._fuzzy_first: dict[str, frozenset[int]] = {}
        self._typo_starts: set[tuple[int, str]] = set()
        self._terms: dict[str, None] = dict.fromkeys(terms)
        self._typo: dict[str, None] = dict.fromkeys(typo_terms)
        for term in self._terms:
            self._add(term)
        for term in self._typo:
            self._add_typo(term)

    def _add_typo(self, term: str) -> None:
        if len(term) >= MIN_TYPO_CHARS and _all_cjk(term):
            self._mask_lengths.add(len(term))
            self._typo_starts.update(_typo_starts(term))
            for k in range(1, len(term)):
                self._by_mask[term[:k] + _MASK + term[k + 1 :]].add(term)

    def updated(self, terms: Iterable[str], *, typo_terms: Iterable[str] = ()) -> TermSpotter:
        """The spotter of `terms`, made from this one when that gives what building it would:
        an edit of one entry adds or drops a few of 30,000 terms (building reads every
        term's sound again: 0.4 s). The first term with a sound wins it, so a term dropped
        that had won one, a term added whose sound another has, or terms kept in another
        order, means a full build."""
        wanted, typo = dict.fromkeys(terms), dict.fromkeys(typo_terms)
        if list(wanted) == list(self._terms) and typo == self._typo:
            return self
        gone = [t for t in self._terms if t not in wanted]
        added = [t for t in wanted if t not in self._terms]
        if [t for t in wanted if t in self._terms] != [t for t in self._terms if t in wanted]:
            return TermSpotter(wanted, self._reader, typo_terms=typo)
        probe = TermSpotter((), self._reader)
        for term in [*gone, *added]:
            probe._add(term)
        won = {*self._english.values(), *self._by_sound.values(), *self._by_fuzzy_sound.values()}
        if (
            any(t in won for t in gone)
            or probe._english.keys() & self._english.keys()
            or probe._by_sound.keys() & self._by_sound.keys()
            or probe._by_fuzzy_sound.keys() & self._by_fuzzy_sound.keys()
        ):
            return TermSpotter(wanted, self._reader, typo_terms=typo)
        new = TermSpotter((), self._reader)
        new._exact = self._exact - set(gone)
        new._english, new._by_sound = dict(self._english), dict(self._by_sound)
        new._by_fuzzy_sound = dict(self._by_fuzzy_sound)
        new._lengths, new._sound_lengths = set(self._lengths), set(self._sound_lengths)
        new._mask_lengths = set(self._mask_lengths)
        new._sound_first, new._fuzzy_first = dict(self._sound_first), dict(self._fuzzy_first)
        new._typo_starts = set(self._typo_starts)
        # The mask sets are shared with this spotter; a set that changes is copied first.
        new._by_mask = defaultdict(set, self._by_mask)
        new._terms, new._typo = wanted, typo
        for term in added:
            new._add(term)
        for term, sign in [
            *((t, -1) for t in self._typo if t not in typo),
            *((t, 1) for t in typo if t not in self._typo),
        ]:
            if len(term) < MIN_TYPO_CHARS or not _all_cjk(term):
                continue
            if sign > 0:
                new._mask_lengths.add(len(term))
                new._typo_starts.update(_typo_starts(term))
            for k in range(1, len(term)):
                key = term[:k] + _MASK + term[k + 1 :]
                changed = set(new._by_mask.get(key, ()))
                if sign > 0:
                    changed.add(term)
                else:
                    changed.discard(term)
                if changed:
                    new._by_mask[key] = changed
                else:
                    new._by_mask.pop(key, None)
        return new

    def state(self) -> dict[str, Any]:
        """What the spotter found in its terms, for the index file: rebuilding it reads
        every term's sound and masks (about a second at 10,000 entries)."""
        return {k: v for k, v in self.__dict__.items() if k != "_reader"}

    @classmethod
    def restored(cls, state: dict[str, Any], reader: PinyinReader) -> TermSpotter:
        """The spotter `state` was taken from, reading sounds with `reader`."""
        spotter = cls.__new__(cls)
        spotter.__dict__.update(state)
        spotter._reader = reader
        return spotter

    def _add(self, term: str) -> None:
        if _is_english(term):
            words = tuple(_ENGLISH_WORD.findall(term))
            if words and len(words) <= MAX_ENGLISH_WORDS:
                self._english.setdefault(words, term)
            syllables = self._reader.of_term(term) if len(words) == 1 else None
        else:
            if len(term) > MAX_TERM_CHARS:
                return
            self._exact.add(term)
            self._lengths.add(len(term))
            syllables = self._reader.of_term(term)
        if syllables and len(syllables) >= 2:
            fuzzy = self._reader.fuzzy_of_term(syllables)
            self._by_sound.setdefault(syllables, term)
            self._by_fuzzy_sound.setdefault(fuzzy, term)
            self._sound_lengths.add(len(syllables))
            # New sets, never changed in place: an updated spotter shares these dictionaries.
            first = self._sound_first.get(syllables[0], frozenset())
            self._sound_first[syllables[0]] = first | {len(syllables)}
            first = self._fuzzy_first.get(fuzzy[0], frozenset())
            self._fuzzy_first[fuzzy[0]] = first | {len(fuzzy)}

    def spot(self, text: str, words: Words | None = None, *, exact: bool = False) -> list[Hit]:
        """Non-overlapping hits, longest and most exact first, in text order."""
        inexact = [] if exact else [*self._sound_hits(text), *self._typo_hits(text)]
        candidates = [
            *self._exact_hits(text),
            *self._english_hits(text),
            *(h for h in inexact if _plausible_typo(h, text, words)),
        ]
        candidates.sort(key=lambda h: (h.end - h.start, h.how), reverse=True)
        taken = bytearray(len(text) + 1)
        chosen: list[Hit] = []
        for hit in candidates:
            if any(taken[hit.start : hit.end]):
                continue
            taken[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)
            chosen.append(hit)
        chosen.sort(key=lambda h: h.start)
        return chosen

    def _exact_hits(self, text: str) -> Iterable[Hit]:
        n = len(text)
        lengths = sorted(self._lengths, reverse=True)
        for i in range(n):
            for length in lengths:
                if i + length <= n and text[i : i + length] in self._exact:
                    yield Hit(text[i : i + length], i, i + length, How.EXACT)

    def _english_hits(self, text: str) -> Iterable[Hit]:
        if not self._english:
            return
        words: list[tuple[str, int, int]] = []
        i, n = 0, len(text)
        while i < n:
            if "a" <= text[i] <= "z":
                j = i
                while j < n and ("a" <= text[j] <= "z" or text[j] == "'"):
                    j += 1
                words.append((text[i:j], i, j))
                i = j
            else:
                i += 1
        for k in range(len(words)):
            for size in range(1, MAX_ENGLISH_WORDS + 1):
                group = words[k : k + size]
                if len(group) < size:
                    break
                key = tuple(w for w, _, _ in group)
                term = self._english.get(key)
                if term is None and key[-1].endswith("s"):
                    term = self._english.get((*key[:-1], key[-1][:-1]))
                if term is not None:
                    yield Hit(term, group[0][1], group[-1][2], How.EXACT)

    def _sound_hits(self, text: str) -> Iterable[Hit]:
        if not self._by_sound:
            return
        stream = self._reader.read(text)
        texts = [s.text for s in stream]
        fuzzy = [fuzzy_syllable(s) if s else "" for s in texts]
        nothing: frozenset[int] = frozenset()
        for i in range(len(stream)):
            worth = self._sound_first.get(texts[i], nothing) | self._fuzzy_first.get(
                fuzzy[i], nothing
            )
            if not worth:
                continue
            for length in self._sound_lengths:
                if length not in worth:
                    continue
                window = texts[i : i + length]
                if len(window) < length or "" in window:
                    continue
                start, end = stream[i].start, stream[i + length - 1].end
                term = self._by_sound.get(tuple(window))
                how = How.PINYIN
                if term is None:
                    term = self._by_fuzzy_sound.get(tuple(fuzzy[i : i + length]))
                    how = How.FUZZY_PINYIN
                if term is not None and text[start:end] != term:
                    yield Hit(term, start, end, how)

    def _typo_hits(self, text: str) -> Iterable[Hit]:
        if not self._by_mask:
            return
        n = len(text)
        # run[i]: how many Chinese characters in a row start at i
        run = [0] * (n + 1)
        for i in range(n - 1, -1, -1):
            run[i] = run[i + 1] + 1 if is_cjk(text[i]) else 0
        starts = self._typo_starts
        for length in self._mask_lengths:
            for i in range(n - length + 1):
                if run[i] < length:
                    continue
                window = text[i : i + length]
                if (length, window[:2]) not in starts and (
                    length,
                    window[0] + _MASK + window[2:4],
                ) not in starts:
                    continue  # no term of this length begins so, one typo or not
                if window in self._exact:
                    continue
                found: set[str] = set()
                for k in range(length):
                    found |= self._by_mask.get(window[:k] + _MASK + window[k + 1 :], set())
                if len(found) == 1:  # an ambiguous typo (特保户: 低保户 or 五保户?) proves nothing
                    yield Hit(found.pop(), i, i + length, How.TYPO)


def _typo_starts(text: str) -> set[tuple[int, str]]:
    """How `text` begins, as far as one wrong character after the first leaves it intact."""
    return {(len(text), text[:2]), (len(text), text[0] + _MASK + text[2:4])}


def _plausible_typo(hit: Hit, text: str, words: Words | None) -> bool:
    span = text[hit.start : hit.end]
    if not all(is_cjk(c) for c in span):
        return True  # typed pinyin
    if len(span) == 2 and span[0] != hit.term[0] and span[1] != hit.term[1]:
        return False
    if words is None:
        return True
    if words.is_word(span):
        return False
    # Three or more syllables in a row rarely sound alike by chance (医疗救主 is
    # 医疗救助 although jieba cuts 救主要 its own way), so only short spans must
    # respect the word boundaries.
    return len(span) >= 3 or (hit.start in words.boundaries and hit.end in words.boundaries)


def noisy_or(weights: Iterable[float]) -> float:
    """Combine independent pieces of evidence into one strength in [0, 1)."""
    miss = 1.0
    for w in weights:
        miss *= 1.0 - min(max(w, 0.0), 0.999)
    return 1.0 - miss


def group_weights(pairs: Iterable[tuple[str, float]]) -> Mapping[str, list[float]]:
    """Collect weights per key."""
    out: dict[str, list[float]] = defaultdict(list)
    for key, weight in pairs:
        out[key].append(weight)
    return out
