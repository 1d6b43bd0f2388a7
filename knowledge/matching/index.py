"""The matcher's index of one knowledge snapshot, and reading a question against it.

Built once per knowledge snapshot: the vocabulary of terms and cues (entry
aliases and synonyms, other departments' topics, aspect, complaint, contact and
small-talk cues), the tf-idf vectors of every example question, the postings
that pick candidate entries, and the phrasing models. `read` turns a question
into tokens and term evidence: normalised (`normalise`), its terms spotted
exactly, by sound or with one wrong character (`terms`), the rest cut by jieba
(`segment`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.matching.lexicon import Lexicon
from knowledge.matching.normalise import Normaliser
from knowledge.matching.phrasing import PhrasingModel
from knowledge.matching.pinyin import PinyinReader, load_table
from knowledge.matching.segment import WordCutter
from knowledge.matching.terms import Hit, How, TermSpotter, Words
from knowledge.schema import Entry
from knowledge.vocabulary import Aspect

# A token found in more entries than this says nothing about which entry is meant.
MAX_ENTRY_DF = 400
# A word in the example questions of this share of the entries (and at least this
# many) is generic: it cannot by itself make a question look like an entry's.
GENERIC_SHARE = 0.3
GENERIC_MIN_ENTRIES = 4
TOPIC_ORDER_DISCOUNT = 0.01
# A cue at least this strong counts as "asked"; misspelt two-character cues must be this strong.
STRONG_CUE = 0.8

# Labels of the index: an entry, another department, an aspect cue, and the intents.
ENTRY = "e:"
REFERRAL = "r:"
ASPECT = "a:"
BUREAU = "bureau"
COMPLAINT = "complaint"
CONTACT = "contact"
SMALLTALK = "smalltalk"


@dataclass(slots=True)
class Doc:
    label: str  # an entry id, or "complaint" / "contact" / "r:<referral key>"
    aspect: Aspect | None
    text: str
    weights: dict[str, float]
    norm: float


@dataclass
class Reading:
    """What a question says: its tokens and the terms and cues found in it."""

    text: str
    tokens: list[str]
    phrasing: frozenset[str]
    found: tuple[str, ...]
    entry_terms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    referral_terms: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    bureau: list[float] = field(default_factory=list)
    cue: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    hits: tuple[Hit, ...] = ()  # topic hits, then cue hits, where they were found
    cue_from: int = 0  # hits[cue_from:] are cue hits


class Index:
    """The index of one snapshot of the knowledge base (read-only once built)."""

    def __init__(
        self,
        entries: Sequence[Entry],
        lexicon: Lexicon,
        *,
        cache_dir: Path | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.entries = {e.id: e for e in entries}
        self.norm = Normaliser(lexicon.colloquial)
        self.reader = PinyinReader(load_table(cache_dir))
        self.stop = frozenset(self.norm.normalise(w, limit=None) for w in lexicon.stopwords)

        self.topics: dict[str, dict[str, float]] = defaultdict(dict)
        self.canonical: dict[str, str] = {}
        self.cues: dict[str, dict[str, float]] = defaultdict(dict)
        self._build_vocabulary(entries)
        entry_terms = [
            t for t, keys in self.topics.items() if any(k.startswith(ENTRY) for k in keys)
        ]
        self.topic_spotter = TermSpotter(self.topics, self.reader, typo_terms=entry_terms)
        self.cue_spotter = TermSpotter(self.cues, self.reader)
        self.cutter = WordCutter([*self.topics, *self.cues], cache_dir=cache_dir)

        self.docs: list[Doc] = []
        self.docs_by_label: dict[str, list[int]] = defaultdict(list)
        self.idf: dict[str, float] = {}
        self.entry_postings: dict[str, list[str]] = {}
        self._build_index(entries)

    def n(self, text: str) -> str:
        return self.norm.normalise(text, limit=None)

    def _add_topic(self, term: str, key: str, weight: float, canonical: str | None = None) -> None:
        term = self.n(term)
        if not term:
            return
        known = self.topics[term].get(key, 0.0)
        self.topics[term][key] = max(known, weight)
        self.canonical.setdefault(term, self.n(canonical) if canonical else term)

    def _build_vocabulary(self, entries: Sequence[Entry]) -> None:
        for entry in entries:
            key = ENTRY + entry.id
            self._add_topic(entry.title, key, 1.0)
            for alias in entry.aliases:
                self._add_topic(alias, key, 1.0)
            for synonym in entry.synonyms:
                self._add_topic(synonym.term, key, 0.9, canonical=synonym.means)
        # A term several entries share is weaker evidence for each of them.
        for targets in self.topics.values():
            shared = [k for k in targets if k.startswith(ENTRY)]
            if len(shared) > 1:
                for k in shared:
                    targets[k] /= math.sqrt(len(shared))
        for term, weight in self.lexicon.bureau_terms.items():
            self._add_topic(term, BUREAU, weight)
        for referral in self.lexicon.referrals:
            for term, weight in referral.terms.items():
                self._add_topic(term, REFERRAL + referral.key, weight)
        for aspect, cues in self.lexicon.aspects.items():
            for term, weight in cues.terms.items():
                self.cues[self.n(term)][ASPECT + aspect.value] = weight
        for name, cueset in (
            (COMPLAINT, self.lexicon.complaint),
            (CONTACT, self.lexicon.contact),
            (SMALLTALK, self.lexicon.smalltalk),
        ):
            for term, weight in cueset.terms.items():
                self.cues[self.n(term)][name] = weight

    def _build_index(self, entries: Sequence[Entry]) -> None:
        raw: list[tuple[str, Aspect | None, str]] = []
        for entry in entries:
            raw.extend((entry.id, None, q) for q in entry.questions)
            for aspect, questions in entry.aspect_questions.items():
                raw.extend((entry.id, aspect, q) for q in questions)
        for name, cueset in (
            (COMPLAINT, self.lexicon.complaint),
            (CONTACT, self.lexicon.contact),
        ):
            raw.extend((name, None, q) for q in cueset.examples)
        for referral in self.lexicon.referrals:
            raw.extend((REFERRAL + referral.key, None, q) for q in referral.examples)

        tokenised = [
            (label, aspect, text, set(self.tokens(self.n(text), exact=True)[0]))
            for label, aspect, text in raw
        ]
        df: dict[str, int] = defaultdict(int)
        entry_sets: dict[str, set[str]] = defaultdict(set)
        for label, _, _, tokens in tokenised:
            for t in tokens:
                df[t] += 1
                if label in self.entries:
                    entry_sets[t].add(label)
        n = max(len(tokenised), 1)
        self.idf = {t: math.log(1.0 + n / c) for t, c in df.items()}
        for label, doc_aspect, text, tokens in tokenised:
            weights = {t: self.idf[t] for t in tokens}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            self.docs_by_label[label].append(len(self.docs))
            self.docs.append(Doc(label, doc_aspect, self.n(text), weights, norm))
        self.entry_postings = {
            t: sorted(s) for t, s in entry_sets.items() if len(s) <= MAX_ENTRY_DF
        }
        self.topic_tokens = frozenset(self.canonical.values())
        # Words found in the questions of many entries (到底, 这个, 办理) say nothing of
        # which entry, or which other department, a question is about.
        spread = max(GENERIC_MIN_ENTRIES, GENERIC_SHARE * len(self.entries))
        self.generic = frozenset(t for t, s in entry_sets.items() if len(s) >= spread)
        self.own_share = self._term_own_share(tokenised)
        self.aspect_model: PhrasingModel[Aspect | None] = PhrasingModel(
            (doc_aspect, self.phrasing(tokens))
            for label, doc_aspect, _, tokens in tokenised
            if label in self.entries
        )
        self.complaint_model: PhrasingModel[bool] = PhrasingModel(
            (label == COMPLAINT, self.phrasing(tokens)) for label, _, _, tokens in tokenised
        )

    def _term_own_share(
        self, tokenised: Sequence[tuple[str, Aspect | None, str, set[str]]]
    ) -> dict[tuple[str, str], float]:
        """For each entry term, the share of example questions using it that belong to its entry.

        低保户 often appears in other entries' questions as the asker's status
        (低保户看病能报多少), so it is weaker evidence for 低保 than 低保 itself.
        """
        uses: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for label, _, _, tokens in tokenised:
            if label in self.entries:
                for t in tokens:
                    if t in self.topic_tokens:
                        uses[t][label] += 1
        shares: dict[tuple[str, str], float] = {}
        for term, targets in self.topics.items():
            counts = uses.get(self.canonical[term], {})
            total = sum(counts.values())
            for key in targets:
                if key.startswith(ENTRY) and total:
                    shares[(term, key)] = counts.get(key[len(ENTRY) :], 0) / total
        return shares

    def phrasing(self, tokens: Iterable[str]) -> frozenset[str]:
        """The words of a question other than the names of services."""
        return frozenset(t for t in tokens if t not in self.topic_tokens)

    def tokens(self, text: str, *, exact: bool = False) -> tuple[list[str], list[Hit], list[Hit]]:
        """Canonical tokens of normalised text, and the topic and cue hits found.

        `exact` skips sound and typo matching: the knowledge's own example
        questions are spelt correctly, and indexing 10,000 entries is then
        several times faster.
        """
        words = None if exact else Words.of(self.cutter.pieces(text), self.cutter.is_word)
        topic_hits = self.topic_spotter.spot(text, words, exact=exact)
        cue_hits = self.cue_spotter.spot(text, words, exact=exact)
        return self._tokens(text, topic_hits, cue_hits), topic_hits, cue_hits

    def _tokens(self, text: str, topic_hits: list[Hit], cue_hits: list[Hit]) -> list[str]:
        """The words of `text`, each spotted term one canonical token, stopwords dropped."""
        spans: list[tuple[int, int, str]] = [
            (h.start, h.end, self.canonical[h.term]) for h in topic_hits
        ]
        taken = bytearray(len(text) + 1)
        for start, end, _ in spans:
            taken[start:end] = b"\x01" * (end - start)
        for h in cue_hits:
            if not any(taken[h.start : h.end]):
                spans.append((h.start, h.end, h.term))
        spans.sort()
        tokens: list[str] = []
        pos = 0
        for start, end, token in spans:
            if start > pos:
                tokens.extend(self.cutter.cut(text[pos:start]))
            tokens.append(token)
            pos = end
        if pos < len(text):
            tokens.extend(self.cutter.cut(text[pos:]))
        return [t for t in tokens if t not in self.stop]

    def read(self, question: str, *, shared_term_discount: float) -> Reading:
        """Normalise, spot and tokenise a question, and gather its term evidence."""
        text = self.norm.normalise(question)
        tokens, topic_hits, cue_hits = self.tokens(text)
        return self._reading(text, tokens, topic_hits, cue_hits, shared_term_discount)

    def read_part(
        self, whole: Reading, start: int, end: int, *, shared_term_discount: float
    ) -> Reading:
        """A part of a question already read (a long message's second question): the terms
        found in the whole that lie inside it, and its own words — no second spotting pass."""
        text = whole.text[start:end]

        def inside(hits: tuple[Hit, ...]) -> list[Hit]:
            return [
                Hit(h.term, h.start - start, h.end - start, h.how)
                for h in hits
                if start <= h.start and h.end <= end
            ]

        topic, cues = inside(whole.hits[: whole.cue_from]), inside(whole.hits[whole.cue_from :])
        tokens = self._tokens(text, topic, cues)
        return self._reading(text, tokens, topic, cues, shared_term_discount)

    def _reading(
        self,
        text: str,
        tokens: list[str],
        topic_hits: list[Hit],
        cue_hits: list[Hit],
        shared_term_discount: float,
    ) -> Reading:
        reading = Reading(
            text=text,
            tokens=tokens,
            phrasing=self.phrasing(tokens),
            found=tuple(h.term for h in (*topic_hits, *cue_hits)),
            hits=(*topic_hits, *cue_hits),
            cue_from=len(topic_hits),
        )
        for order, hit in enumerate(topic_hits):
            for key, weight in self.topics[hit.term].items():
                # The service named first is usually the subject (五保户 跟低保 一样吗):
                # later mentions weigh a little less, which only ever breaks ties.
                value = weight * hit.quality * (1.0 - TOPIC_ORDER_DISCOUNT * min(order, 3))
                shared = 1.0 - self.own_share.get((hit.term, key), 1.0)
                value *= 1.0 - shared_term_discount * shared
                if key.startswith(ENTRY):
                    reading.entry_terms[key[len(ENTRY) :]].append(value)
                elif key.startswith(REFERRAL):
                    k = key[len(REFERRAL) :]
                    reading.referral_terms[k] = max(reading.referral_terms[k], value)
                else:
                    reading.bureau.append(value)
        for hit in cue_hits:
            for key, weight in self.cues[hit.term].items():
                if hit.how is not How.EXACT and len(hit.term) == 2 and weight < STRONG_CUE:
                    continue  # 待着 sounds like 带着, but a weak cue is not worth the risk
                reading.cue[key].append(weight * hit.quality)
        return reading

    def normalise(self, text: str) -> str:
        """The normalised form of `text` (for storage of unanswered questions)."""
        return self.norm.normalise(text)
