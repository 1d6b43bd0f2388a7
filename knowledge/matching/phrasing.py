"""Learning how residents phrase things, from the knowledge's own examples.

Residents ask about materials, fees or time limits in much the same words
whatever the service: 要带啥, 收不收钱, 多久能下来. A naive Bayes model over
the words of every entry's example questions — with the names of services
taken out — learns that phrasing once for all entries, and so helps entries
whose own examples never used a particular wording. General questions (the
entry's `questions`) train the class "no particular aspect". The same model,
trained on complaint examples against questions, recognises a complaint told
as a story (村干部把救灾的棉被拿回家了) without the word 投诉.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Generic, TypeVar

Label = TypeVar("Label")


class PhrasingModel(Generic[Label]):
    """Multinomial naive Bayes over word sets, uniform prior, add-one smoothing."""

    def __init__(self, examples: Iterable[tuple[Label, frozenset[str]]]) -> None:
        counts: dict[Label, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        totals: dict[Label, int] = defaultdict(int)
        vocabulary: set[str] = set()
        for aspect, words in examples:
            for w in words:
                counts[aspect][w] += 1
                totals[aspect] += 1
                vocabulary.add(w)
        size = len(vocabulary) or 1
        self._vocabulary = vocabulary
        self._log_unseen = {a: -math.log(totals[a] + size) for a in counts}
        self._log_p = {
            a: {w: math.log(c + 1) - math.log(totals[a] + size) for w, c in ws.items()}
            for a, ws in counts.items()
        }

    @classmethod
    def from_counts(cls, counts: Mapping[Label, Mapping[str, int]]) -> PhrasingModel[Label]:
        """The model from per-label word counts (how many examples of the label use the
        word), as the index keeps them: the same numbers as counting the examples."""
        model = cls(())
        vocabulary = {w for ws in counts.values() for w in ws}
        size = len(vocabulary) or 1
        totals = {a: sum(ws.values()) for a, ws in counts.items() if ws}
        model._vocabulary = vocabulary
        model._log_unseen = {a: -math.log(totals[a] + size) for a in totals}
        model._log_p = {
            a: {w: math.log(c + 1) - math.log(totals[a] + size) for w, c in counts[a].items()}
            for a in totals
        }
        return model

    def posterior(self, words: Iterable[str], allowed: Iterable[Label]) -> dict[Label, float]:
        """P(label | words) among the allowed labels; empty when no word is known."""
        known = [w for w in set(words) if w in self._vocabulary]
        classes = [a for a in allowed if a in self._log_p]
        if not known or not classes:
            return {}
        logs = {a: sum(self._log_p[a].get(w, self._log_unseen[a]) for w in known) for a in classes}
        top = max(logs.values())
        exp = {a: math.exp(v - top) for a, v in logs.items()}
        total = sum(exp.values())
        return {a: v / total for a, v in exp.items()}
