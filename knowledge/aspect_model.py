"""Which aspect a question asks about, learnt from the knowledge's own example questions.

Residents ask about materials, fees or time limits in much the same words
whatever the service: 要带啥, 收不收钱, 多久能下来. A naive Bayes model over
the words of every entry's example questions — with the names of services
taken out — learns that phrasing once for all entries, and so helps entries
whose own examples never used a particular wording. General questions (the
entry's `questions`) train the class "no particular aspect".
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from knowledge.vocabulary import Aspect

GENERAL = None


class AspectModel:
    """Multinomial naive Bayes over word sets, uniform prior, add-one smoothing."""

    def __init__(self, examples: Iterable[tuple[Aspect | None, frozenset[str]]]) -> None:
        counts: dict[Aspect | None, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        totals: dict[Aspect | None, int] = defaultdict(int)
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

    def posterior(
        self, words: Iterable[str], allowed: Iterable[Aspect | None]
    ) -> dict[Aspect | None, float]:
        """P(aspect | words) among the allowed aspects; empty when no word is known."""
        known = [w for w in set(words) if w in self._vocabulary]
        classes = [a for a in allowed if a in self._log_p]
        if not known or not classes:
            return {}
        logs = {a: sum(self._log_p[a].get(w, self._log_unseen[a]) for w in known) for a in classes}
        top = max(logs.values())
        exp = {a: math.exp(v - top) for a, v in logs.items()}
        total = sum(exp.values())
        return {a: v / total for a, v in exp.items()}
