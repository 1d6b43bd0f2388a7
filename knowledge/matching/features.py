"""What the learned model sees of a question: sparse, named features.

Three kinds, each kept because it generalises differently:

- surface: character n-grams (1–3) and jieba words of the normalised text, and
  toneless pinyin syllable pairs, so 底保 / 低保 / dibao / di bao are one feature;
- the lexicon's reading: spotted terms (aliases, synonyms, other departments'
  topics — exact, by sound, or with one wrong character), aspect and intent cues;
- the lexical ranking: each entry's, department's and intent's similarity to
  their example questions.

A long message adds its asking clause as a block of its own (prefix `f`), so the
question inside a story outweighs the story. Blocks are scaled to unit length:
a 300-character story and a 6-character question weigh the same.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass

from knowledge.matching.calibration import Params
from knowledge.matching.index import Index, Reading
from knowledge.matching.pinyin import fuzzy_syllable
from knowledge.matching.rank import Ranking, rank
from knowledge.matching.sentences import Asking, Focus, Span, focus
from knowledge.matching.terms import noisy_or

Features = dict[str, float]


@dataclass(frozen=True)
class Evidence:
    """A question as the matcher read it: for the model, and for the decision after it."""

    reading: Reading
    ranking: Ranking
    focus: Focus | None
    features: Features


def _unit(block: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in block.values())) or 1.0
    return {k: v / norm for k, v in block.items()}


def _grams(text: str, prefix: str, sizes: Iterable[int]) -> dict[str, float]:
    compact = "".join(text.split())
    out: dict[str, float] = {}
    for n in sizes:
        for i in range(len(compact) - n + 1):
            out[f"{prefix}{n}{compact[i : i + n]}"] = 1.0
    return out


class Featurizer:
    """Reads questions against one index and turns them into features."""

    def __init__(self, index: Index, params: Params) -> None:
        self.index = index
        self.params = params
        lexicon = index.lexicon
        self.asking = Asking(lexicon.question_words, lexicon.question_endings)

    def read(self, question: str) -> Evidence:
        index, p = self.index, self.params
        reading = index.read(question, shared_term_discount=p.shared_term_discount)
        return self._evidence(reading, rank(index, reading, p), focus(reading.text, self.asking))

    def part(self, whole: Evidence, span: Span) -> Evidence:
        """A part of a long message read on its own (its first or second question), from
        the terms already found in the whole and the ranking of its own words."""
        index, p = self.index, self.params
        reading = index.read_part(whole.reading, *span, shared_term_discount=p.shared_term_discount)
        return self._evidence(reading, rank(index, reading, p), None)

    def _evidence(self, reading: Reading, ranking: Ranking, asked: Focus | None) -> Evidence:
        features: Features = {}
        features |= _unit(_grams(reading.text, "c", (1, 2, 3)))
        features |= _unit(self._words(reading.tokens, "w"))
        features |= _unit(self._sounds(reading.text))
        features |= self._lexicon(reading)
        features |= {f"s:{label}": v for label, v in ranking.similar.items() if v > 0}
        features |= {f"k:{entry}": v for entry, v in ranking.ranked[:3]}
        length = len(reading.text)
        size = "s" if length <= 6 else "m" if length <= 25 else "l" if length <= 80 else "x"
        features[f"len:{size}"] = 1.0
        if asked is not None:
            features |= _unit(_grams(asked.first, "fc", (2, 3)))
            features["focus"] = 1.0
        return Evidence(reading, ranking, asked, features)

    @staticmethod
    def _words(tokens: list[str], prefix: str) -> dict[str, float]:
        out = {f"{prefix}:{t}": 1.0 for t in tokens}
        out |= {f"{prefix}2:{a}|{b}": 1.0 for a, b in itertools.pairwise(tokens)}
        return out

    def _sounds(self, text: str) -> dict[str, float]:
        syllables = self.index.reader.read(text)
        out: dict[str, float] = {}
        for a, b in itertools.pairwise(syllables):
            if a.text and b.text:
                out[f"p:{fuzzy_syllable(a.text)}{fuzzy_syllable(b.text)}"] = 1.0
        return out

    @staticmethod
    def _lexicon(reading: Reading) -> dict[str, float]:
        out = {f"t:{term}": 1.0 for term in reading.found}
        out |= {f"e:{entry}": noisy_or(ws) for entry, ws in reading.entry_terms.items()}
        out |= {f"r:{key}": v for key, v in reading.referral_terms.items() if v > 0}
        out |= {f"q:{key}": max(ws) for key, ws in reading.cue.items() if ws}
        if reading.bureau:
            out["bureau"] = max(reading.bureau)
        return out
