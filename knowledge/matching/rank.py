"""Ranking the entries for a question, in two stages, and choosing the aspect asked.

Stage one picks a few candidate entries from term hits and rare tokens, so that
10,000 entries cost no more than eleven; stage two compares the question with the
candidates' example questions only (tf-idf cosine, refined by character
similarity). The aspect is chosen among those the entry has, from cue words,
close example questions and the phrasing model.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from knowledge.matching.calibration import Params
from knowledge.matching.index import (
    ASPECT,
    COMPLAINT,
    CONTACT,
    REFERRAL,
    STRONG_CUE,
    Index,
    Reading,
)
from knowledge.matching.terms import noisy_or
from knowledge.vocabulary import CONTACTS_ENTRY, Aspect

# Stage one keeps this many entries for the close comparison of stage two.
CANDIDATE_ENTRIES = 6


@dataclass
class Ranking:
    """Entries ranked for one question, with the similarities behind the ranking."""

    terms: dict[str, float]
    similar: dict[str, float]
    per_aspect: dict[str, dict[Aspect | None, float]]
    ranked: list[tuple[str, float]]
    # Labels whose similarity rests on a word naming a topic (not only on 怎么, 多少钱).
    topical: frozenset[str] = frozenset()

    @property
    def best(self) -> tuple[str, float]:
        return self.ranked[0] if self.ranked else ("", 0.0)


def rank(index: Index, reading: Reading, params: Params) -> Ranking:
    """Entries ranked by term evidence and similarity; intents' similarities."""
    p = params
    query = {t: index.idf[t] for t in set(reading.tokens) if t in index.idf}
    qnorm = math.sqrt(sum(w * w for w in query.values())) or 1.0
    terms = {e: noisy_or(ws) for e, ws in reading.entry_terms.items()}
    candidates = candidate_entries(index, query, terms)
    labels = [
        *candidates,
        COMPLAINT,
        CONTACT,
        *(REFERRAL + r.key for r in index.lexicon.referrals),
    ]
    similar, per_aspect, topical = similarities(
        index, labels, query, qnorm, reading.text, params.fuzzy_weight
    )
    scores = {
        e: noisy_or([terms.get(e, 0.0), p.similar_weight * similar.get(e, 0.0)]) for e in candidates
    }
    if reading.bureau and CONTACTS_ENTRY in index.entries:
        scores[CONTACTS_ENTRY] = noisy_or([scores.get(CONTACTS_ENTRY, 0.0), *reading.bureau])
    ranked = heapq.nlargest(CANDIDATE_ENTRIES, scores.items(), key=lambda kv: kv[1])
    return Ranking(terms, similar, per_aspect, ranked, topical)


def candidate_entries(index: Index, query: dict[str, float], terms: dict[str, float]) -> list[str]:
    """Stage one: a few entries worth a close look."""
    rough: dict[str, float] = defaultdict(float)
    for entry_id, score in terms.items():
        rough[entry_id] += 2.0 * score
    total = sum(query.values()) or 1.0
    for token, weight in query.items():
        for entry_id in index.postings(token):
            rough[entry_id] += weight / total
    return [e for e, _ in heapq.nlargest(CANDIDATE_ENTRIES, rough.items(), key=lambda kv: kv[1])]


def similarities(
    index: Index,
    labels: Iterable[str],
    query: dict[str, float],
    qnorm: float,
    text: str,
    fuzzy_weight: float,
) -> tuple[dict[str, float], dict[str, dict[Aspect | None, float]], frozenset[str]]:
    """Stage two: best cosine similarity per label, and per entry and aspect."""
    best: dict[str, float] = {}
    topical_labels: set[str] = set()
    per_aspect: dict[str, dict[Aspect | None, float]] = {}
    for label in labels:
        top = 0.0
        topical = label in index.entries
        aspects: dict[Aspect | None, float] = {}
        for doc_aspect, doc_text, doc_tokens, doc_norm in index.docs(label):
            shared = [t for t in doc_tokens if t in query]
            if not shared:
                continue
            dot = sum(query[t] * query[t] for t in shared)
            sim = dot / (qnorm * doc_norm)
            # Character similarity refines a match that shares words; on its own,
            # 是什么 in common would make any question look like any other. Between a
            # long story and a short example it measures nothing, so it is skipped.
            if fuzzy_weight and len(doc_text) <= len(text) + 4 <= 3 * len(doc_text) + 4:
                sim = max(sim, fuzzy_weight * fuzz.ratio(text, doc_text) / 100.0)
            # Sharing only how-words (怎么申请, 多少钱), words every topic uses or a
            # lone character (拉, 1) says which aspect, not which entry.
            names = any(
                len(t) > 1 and t not in index.cues and t not in index.generic for t in shared
            )
            if names and sim > 0.0:
                topical_labels.add(label)
            if sim > top and (names or not topical):
                top = sim
            if sim > aspects.get(doc_aspect, 0.0):
                aspects[doc_aspect] = sim
        best[label] = top
        per_aspect[label] = aspects
    return best, per_aspect, frozenset(topical_labels)


def choose_aspect(
    index: Index,
    params: Params,
    entry_id: str,
    cue: dict[str, list[float]],
    similar: dict[Aspect | None, float],
    phrasing: frozenset[str],
) -> Aspect | None:
    """The aspect asked about, among those the entry has; None if none stands out."""
    entry = index.entries.summary(entry_id)
    p = params
    evidence: dict[Aspect, list[float]] = defaultdict(list)
    for aspect, cues in index.lexicon.aspects.items():
        weights = cue.get(ASPECT + aspect.value)
        if not weights:
            continue
        if aspect in entry.aspects:
            evidence[aspect].extend(weights)
        else:
            for fallback in cues.fallback:
                if fallback in entry.aspects:
                    evidence[fallback].extend(weights)
                    break
    learnt = index.aspect_model.posterior(phrasing, [*entry.aspects, None])
    scores = {
        aspect: noisy_or(
            [
                *evidence.get(aspect, []),
                p.aspect_similar_weight * similar.get(aspect, 0.0),
                p.aspect_model_weight * learnt.get(aspect, 0.0),
            ]
        )
        for aspect in entry.aspects
    }
    if not scores:
        return None
    # A question that asks several things at once (怎么申请 要带什么 要等多久)
    # gets the entry's overview card, from which every aspect is one tap away.
    asked = [a for a, ws in evidence.items() if noisy_or(ws) >= STRONG_CUE]
    if len(asked) >= p.several_aspects:
        return None
    aspect, score = max(scores.items(), key=lambda kv: kv[1])
    general = max(
        p.aspect_similar_weight * similar.get(None, 0.0),
        p.aspect_model_weight * learnt.get(None, 0.0),
    )
    # Without any cue word, only a close example question names the aspect:
    # "低保" alone asks about 低保 in general.
    threshold = p.aspect_threshold if evidence else p.uncued_aspect_threshold
    if score >= threshold and score >= general * p.general_margin:
        return aspect
    return None
