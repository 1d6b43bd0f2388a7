"""From a resident's question to an intent, an entry, an aspect and a confidence.

The pipeline, in the order it runs:

1. normalise (NFKC, traditional → simplified, colloquial map);
2. spot known terms — topics (entry aliases and synonyms, other departments'
   topics) and cues (aspects, complaint, contact, small talk) — exactly, by
   sound or with one wrong character (`knowledge.matching.terms`);
3. tokenise: spotted terms become one canonical token each (底保 → 低保,
   领养 → 收养), the rest is cut by jieba;
4. rank entries by their term evidence and by tf-idf cosine similarity to
   the example questions of the knowledge base, in two stages so that 10,000
   entries cost no more than eleven: stage one picks a few candidate entries
   from term hits and rare tokens, stage two compares the question with the
   candidates' example questions only;
5. decide the intent first (a request for a number, a complaint, another
   department's topic, small talk), then the entry and its aspect;
6. turn the evidence into a calibrated probability of being right
   (`knowledge.matching.calibration`) and compare it with two thresholds fitted on a
   labelled set: answer, offer "did you mean", or abstain.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from rapidfuzz import fuzz

from knowledge.matching.calibration import Calibration
from knowledge.matching.lexicon import Lexicon, Referral
from knowledge.matching.normalise import Normaliser
from knowledge.matching.phrasing import PhrasingModel
from knowledge.matching.pinyin import PinyinReader, load_table
from knowledge.matching.segment import WordCutter
from knowledge.matching.terms import Hit, How, TermSpotter, Words, noisy_or
from knowledge.schema import Entry
from knowledge.vocabulary import CONTACTS_ENTRY, Aspect, Intent

Decision = Literal["answer", "clarify", "abstain"]

# Stage one keeps this many entries for the close comparison of stage two.
CANDIDATE_ENTRIES = 6
# A token found in more entries than this says nothing about which entry is meant.
MAX_ENTRY_DF = 400
# A word in the example questions of this share of the entries (and at least this
# many) is generic: it cannot by itself make a question look like an entry's.
GENERIC_SHARE = 0.3
GENERIC_MIN_ENTRIES = 4
MAX_ALTERNATIVES = 3
TOPIC_ORDER_DISCOUNT = 0.01
# A cue at least this strong counts as "asked"; misspelt two-character cues must be this strong.
STRONG_CUE = 0.8

_ENTRY = "e:"
_REFERRAL = "r:"
_ASPECT = "a:"
_BUREAU = "bureau"
_COMPLAINT = "complaint"
_CONTACT = "contact"
_SMALLTALK = "smalltalk"


@dataclass(frozen=True, slots=True)
class Candidate:
    """An entry (and aspect) the question may mean, with its calibrated score."""

    entry: str
    aspect: Aspect | None
    score: float


@dataclass(frozen=True, slots=True)
class Signals:
    """The evidence a decision rests on; also what the calibration is fitted on."""

    entry_terms: float = 0.0
    entry_similar: float = 0.0
    entry_score: float = 0.0
    runner_up: float = 0.0
    complaint: float = 0.0
    contact: float = 0.0
    referral: float = 0.0
    smalltalk: float = 0.0
    content: float = 0.0

    def features(self, path: str) -> tuple[float, ...]:
        """The inputs of the calibration model for one decision path."""
        if path == "answer":
            return (
                self.entry_score,
                self.entry_score - self.runner_up,
                self.entry_terms,
                self.entry_similar,
                min(self.content, 3.0) / 3.0,
            )
        return (
            {
                "complaint": self.complaint,
                "contact": self.contact,
                "referral": self.referral,
                "smalltalk": self.smalltalk,
            }.get(path, 0.0),
        )


@dataclass(frozen=True)
class Match:
    """What the matcher decided about one question. Data only: no markup."""

    question: str
    intent: Intent
    entry: str | None
    aspect: Aspect | None
    score: float
    decision: Decision
    path: str
    alternatives: tuple[Candidate, ...] = ()
    referral: Referral | None = None
    signals: Signals = field(default_factory=Signals)
    terms: tuple[str, ...] = ()

    @classmethod
    def unanswered(cls, question: str) -> Match:
        """A question nothing answers (the resident said none of the choices fit)."""
        return cls(question, Intent.NONE, None, None, 0.0, "abstain", "unknown")


@dataclass(slots=True)
class _Doc:
    label: str  # an entry id, or "complaint" / "contact" / "r:<referral key>"
    aspect: Aspect | None
    text: str
    weights: dict[str, float]
    norm: float


@dataclass
class _Reading:
    """What a question says: its tokens and the terms and cues found in it."""

    text: str
    tokens: list[str]
    phrasing: frozenset[str]
    found: tuple[str, ...]
    entry_terms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    referral_terms: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    bureau: list[float] = field(default_factory=list)
    cue: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))


@dataclass
class _Ranking:
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


class Matcher:
    """The question-matching engine over one snapshot of the knowledge base.

    Build it once per process (it loads the pinyin table and jieba) and call
    `match` for every question; it is read-only afterwards and safe to share.
    """

    def __init__(
        self,
        entries: Sequence[Entry],
        lexicon: Lexicon,
        calibration: Calibration,
        *,
        cache_dir: Path | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.calibration = calibration
        self.entries = {e.id: e for e in entries}
        self._norm = Normaliser(lexicon.colloquial)
        self._reader = PinyinReader(load_table(cache_dir))
        self._stop = frozenset(self._norm.normalise(w, limit=None) for w in lexicon.stopwords)

        self._topics: dict[str, dict[str, float]] = defaultdict(dict)
        self._canonical: dict[str, str] = {}
        self._cues: dict[str, dict[str, float]] = defaultdict(dict)
        self._build_vocabulary(entries)
        entry_terms = [
            t for t, keys in self._topics.items() if any(k.startswith(_ENTRY) for k in keys)
        ]
        self._topic_spotter = TermSpotter(self._topics, self._reader, typo_terms=entry_terms)
        self._cue_spotter = TermSpotter(self._cues, self._reader)
        self._cutter = WordCutter([*self._topics, *self._cues], cache_dir=cache_dir)

        self._docs: list[_Doc] = []
        self._docs_by_label: dict[str, list[int]] = defaultdict(list)
        self._idf: dict[str, float] = {}
        self._entry_postings: dict[str, list[str]] = {}
        self._build_index(entries)

    # -- building ---------------------------------------------------------------

    def _n(self, text: str) -> str:
        return self._norm.normalise(text, limit=None)

    def _add_topic(self, term: str, key: str, weight: float, canonical: str | None = None) -> None:
        term = self._n(term)
        if not term:
            return
        known = self._topics[term].get(key, 0.0)
        self._topics[term][key] = max(known, weight)
        self._canonical.setdefault(term, self._n(canonical) if canonical else term)

    def _build_vocabulary(self, entries: Sequence[Entry]) -> None:
        for entry in entries:
            key = _ENTRY + entry.id
            self._add_topic(entry.title, key, 1.0)
            for alias in entry.aliases:
                self._add_topic(alias, key, 1.0)
            for synonym in entry.synonyms:
                self._add_topic(synonym.term, key, 0.9, canonical=synonym.means)
        # A term several entries share is weaker evidence for each of them.
        for targets in self._topics.values():
            shared = [k for k in targets if k.startswith(_ENTRY)]
            if len(shared) > 1:
                for k in shared:
                    targets[k] /= math.sqrt(len(shared))
        for term, weight in self.lexicon.bureau_terms.items():
            self._add_topic(term, _BUREAU, weight)
        for referral in self.lexicon.referrals:
            for term, weight in referral.terms.items():
                self._add_topic(term, _REFERRAL + referral.key, weight)
        for aspect, cues in self.lexicon.aspects.items():
            for term, weight in cues.terms.items():
                self._cues[self._n(term)][_ASPECT + aspect.value] = weight
        for name, cueset in (
            (_COMPLAINT, self.lexicon.complaint),
            (_CONTACT, self.lexicon.contact),
            (_SMALLTALK, self.lexicon.smalltalk),
        ):
            for term, weight in cueset.terms.items():
                self._cues[self._n(term)][name] = weight

    def _build_index(self, entries: Sequence[Entry]) -> None:
        raw: list[tuple[str, Aspect | None, str]] = []
        for entry in entries:
            raw.extend((entry.id, None, q) for q in entry.questions)
            for aspect, questions in entry.aspect_questions.items():
                raw.extend((entry.id, aspect, q) for q in questions)
        for name, cueset in (
            (_COMPLAINT, self.lexicon.complaint),
            (_CONTACT, self.lexicon.contact),
        ):
            raw.extend((name, None, q) for q in cueset.examples)
        for referral in self.lexicon.referrals:
            raw.extend((_REFERRAL + referral.key, None, q) for q in referral.examples)

        tokenised = [
            (label, aspect, text, set(self._tokens(self._n(text), exact=True)[0]))
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
        self._idf = {t: math.log(1.0 + n / c) for t, c in df.items()}
        for label, doc_aspect, text, tokens in tokenised:
            weights = {t: self._idf[t] for t in tokens}
            norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
            self._docs_by_label[label].append(len(self._docs))
            self._docs.append(_Doc(label, doc_aspect, self._n(text), weights, norm))
        self._entry_postings = {
            t: sorted(s) for t, s in entry_sets.items() if len(s) <= MAX_ENTRY_DF
        }
        self._topic_tokens = frozenset(self._canonical.values())
        # Words found in the questions of many entries (到底, 这个, 办理) say nothing of
        # which entry, or which other department, a question is about.
        spread = max(GENERIC_MIN_ENTRIES, GENERIC_SHARE * len(self.entries))
        self._generic = frozenset(t for t, s in entry_sets.items() if len(s) >= spread)
        self._own_share = self._term_own_share(tokenised)
        self._aspect_model: PhrasingModel[Aspect | None] = PhrasingModel(
            (doc_aspect, self._phrasing(tokens))
            for label, doc_aspect, _, tokens in tokenised
            if label in self.entries
        )
        self._complaint_model: PhrasingModel[bool] = PhrasingModel(
            (label == _COMPLAINT, self._phrasing(tokens)) for label, _, _, tokens in tokenised
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
                    if t in self._topic_tokens:
                        uses[t][label] += 1
        shares: dict[tuple[str, str], float] = {}
        for term, targets in self._topics.items():
            counts = uses.get(self._canonical[term], {})
            total = sum(counts.values())
            for key in targets:
                if key.startswith(_ENTRY) and total:
                    shares[(term, key)] = counts.get(key[len(_ENTRY) :], 0) / total
        return shares

    def _phrasing(self, tokens: Iterable[str]) -> frozenset[str]:
        """The words of a question other than the names of services."""
        return frozenset(t for t in tokens if t not in self._topic_tokens)

    # -- reading a question ------------------------------------------------------

    def _tokens(self, text: str, *, exact: bool = False) -> tuple[list[str], list[Hit], list[Hit]]:
        """Canonical tokens of normalised text, and the topic and cue hits found.

        `exact` skips sound and typo matching: the knowledge's own example
        questions are spelt correctly, and indexing 10,000 entries is then
        several times faster.
        """
        words = None if exact else Words.of(self._cutter.pieces(text), self._cutter.is_word)
        topic_hits = self._topic_spotter.spot(text, words, exact=exact)
        cue_hits = self._cue_spotter.spot(text, words, exact=exact)
        spans: list[tuple[int, int, str]] = [
            (h.start, h.end, self._canonical[h.term]) for h in topic_hits
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
                tokens.extend(self._cutter.cut(text[pos:start]))
            tokens.append(token)
            pos = end
        if pos < len(text):
            tokens.extend(self._cutter.cut(text[pos:]))
        return [t for t in tokens if t not in self._stop], topic_hits, cue_hits

    def _read(self, question: str) -> _Reading:
        """Normalise, spot and tokenise a question, and gather its term evidence."""
        text = self._norm.normalise(question)
        tokens, topic_hits, cue_hits = self._tokens(text)
        p = self.calibration.params
        reading = _Reading(
            text=text,
            tokens=tokens,
            phrasing=self._phrasing(tokens),
            found=tuple(h.term for h in (*topic_hits, *cue_hits)),
        )
        for order, hit in enumerate(topic_hits):
            for key, weight in self._topics[hit.term].items():
                # The service named first is usually the subject (五保户 跟低保 一样吗):
                # later mentions weigh a little less, which only ever breaks ties.
                value = weight * hit.quality * (1.0 - TOPIC_ORDER_DISCOUNT * min(order, 3))
                shared = 1.0 - self._own_share.get((hit.term, key), 1.0)
                value *= 1.0 - p.shared_term_discount * shared
                if key.startswith(_ENTRY):
                    reading.entry_terms[key[len(_ENTRY) :]].append(value)
                elif key.startswith(_REFERRAL):
                    k = key[len(_REFERRAL) :]
                    reading.referral_terms[k] = max(reading.referral_terms[k], value)
                else:
                    reading.bureau.append(value)
        for hit in cue_hits:
            for key, weight in self._cues[hit.term].items():
                if hit.how is not How.EXACT and len(hit.term) == 2 and weight < STRONG_CUE:
                    continue  # 待着 sounds like 带着, but a weak cue is not worth the risk
                reading.cue[key].append(weight * hit.quality)
        return reading

    def _rank(self, reading: _Reading) -> _Ranking:
        """Entries ranked by term evidence and similarity; intents' similarities."""
        p = self.calibration.params
        query = {t: self._idf[t] for t in set(reading.tokens) if t in self._idf}
        qnorm = math.sqrt(sum(w * w for w in query.values())) or 1.0
        terms = {e: noisy_or(ws) for e, ws in reading.entry_terms.items()}
        candidates = self._candidate_entries(query, terms)
        labels = [
            *candidates,
            _COMPLAINT,
            _CONTACT,
            *(_REFERRAL + r.key for r in self.lexicon.referrals),
        ]
        similar, per_aspect, topical = self._similarities(labels, query, qnorm, reading.text)
        scores = {
            e: noisy_or([terms.get(e, 0.0), p.similar_weight * similar.get(e, 0.0)])
            for e in candidates
        }
        if reading.bureau and CONTACTS_ENTRY in self.entries:
            scores[CONTACTS_ENTRY] = noisy_or([scores.get(CONTACTS_ENTRY, 0.0), *reading.bureau])
        ranked = heapq.nlargest(CANDIDATE_ENTRIES, scores.items(), key=lambda kv: kv[1])
        return _Ranking(terms, similar, per_aspect, ranked, topical)

    def _signals(self, reading: _Reading, ranking: _Ranking) -> tuple[Signals, str]:
        """The evidence for each decision path, and the likeliest other department."""
        p = self.calibration.params
        similar, cue = ranking.similar, reading.cue
        referral_key, referral_score = max(
            (
                (
                    r.key,
                    noisy_or(
                        [
                            min(reading.referral_terms.get(r.key, 0.0), 1.0),
                            p.intent_similar_weight * similar.get(_REFERRAL + r.key, 0.0),
                        ]
                    ),
                )
                for r in self.lexicon.referrals
            ),
            key=lambda kv: kv[1],
            default=("", 0.0),
        )
        best_entry, best_score = ranking.best
        complaint_model = self._complaint_model.posterior(reading.phrasing, (True, False))
        content = sum(1 for t in reading.tokens if t in self._idf or len(t) > 1)
        signals = Signals(
            entry_terms=ranking.terms.get(best_entry, 0.0),
            entry_similar=similar.get(best_entry, 0.0),
            entry_score=best_score,
            runner_up=ranking.ranked[1][1] if len(ranking.ranked) > 1 else 0.0,
            complaint=noisy_or(
                [
                    *cue[_COMPLAINT],
                    p.intent_similar_weight * similar.get(_COMPLAINT, 0.0),
                    p.complaint_model_weight * complaint_model.get(True, 0.0),
                ]
            ),
            contact=noisy_or(
                [*cue[_CONTACT], p.intent_similar_weight * similar.get(_CONTACT, 0.0)]
            ),
            referral=referral_score,
            smalltalk=noisy_or(cue[_SMALLTALK]),
            content=float(content),
        )
        return signals, referral_key

    def match(self, question: str) -> Match:
        """Decide what `question` asks. Never raises on any input string."""
        reading = self._read(question)
        ranking = self._rank(reading)
        signals, referral_key = self._signals(reading, ranking)
        p = self.calibration.params
        best_entry, best_score = ranking.best

        def aspect_of(entry_id: str) -> Aspect | None:
            return self._choose_aspect(
                entry_id, reading.cue, ranking.per_aspect.get(entry_id, {}), reading.phrasing
            )

        def alternatives(skip: str | None) -> tuple[Candidate, ...]:
            out = []
            for entry_id, score in ranking.ranked:
                if entry_id == skip or score <= 0.0:
                    continue
                features = Signals(
                    entry_terms=ranking.terms.get(entry_id, 0.0),
                    entry_similar=ranking.similar.get(entry_id, 0.0),
                    entry_score=score,
                    runner_up=best_score if entry_id != best_entry else signals.runner_up,
                    content=signals.content,
                ).features("answer")
                probability = self.calibration.probability("answer", features)
                out.append(Candidate(entry_id, aspect_of(entry_id), probability))
            return tuple(out[:MAX_ALTERNATIVES])

        def result(
            intent: Intent,
            path: str,
            decision: Decision,
            *,
            entry: str | None = None,
            aspect: Aspect | None = None,
            score: float | None = None,
            referral: Referral | None = None,
        ) -> Match:
            if score is None:
                score = self.calibration.probability(path, signals.features(path))
            return Match(
                question,
                intent,
                entry,
                aspect,
                score,
                decision,
                path,
                alternatives(entry) if path != "smalltalk" else (),
                referral,
                signals,
                reading.found,
            )

        # Intent before entry: a request for a number, then a complaint, then another
        # department's topic, then small talk; only then an entry.
        if (
            signals.contact >= p.contact_threshold
            and signals.contact >= signals.complaint + p.contact_over_complaint
        ):
            contacts = CONTACTS_ENTRY if CONTACTS_ENTRY in self.entries else None
            return result(Intent.CONTACT, "contact", "answer", entry=contacts)
        if signals.complaint >= p.complaint_threshold:
            return result(Intent.COMPLAINT, "complaint", "answer")
        # Another department's topic wins over our service only when its term is
        # stronger than every alias and the question reads more like that
        # department's examples: 低保户 + 公租房 is about housing, while
        # 五保户 + 户口迁 still asks whether 五保 continues.
        strongest_alias = max((max(ws) for ws in reading.entry_terms.values()), default=0.0)
        referral_similar = ranking.similar.get(_REFERRAL + referral_key, 0.0)
        referral_beats_alias = reading.referral_terms.get(referral_key, 0.0) > strongest_alias and (
            referral_similar >= signals.entry_similar * p.referral_similar_margin
        )
        if signals.referral >= p.referral_threshold and (
            referral_beats_alias or signals.referral > best_score
        ):
            # Name the other department only on a word of its topic: 多少钱 alone
            # reads like 诉讼费多少钱 but is nobody's topic, and naming the court for
            # it would mislead. Then it is a question we could not place (for staff).
            if reading.referral_terms.get(referral_key, 0.0) > 0 or (
                _REFERRAL + referral_key in ranking.topical
            ):
                referral = self.lexicon.referral(referral_key)
                return result(Intent.NONE, "referral", "abstain", referral=referral)
            return result(Intent.NONE, "unknown", "abstain")
        asked = bool(reading.entry_terms) or any(k.startswith(_ASPECT) for k in reading.cue)
        small_talk = signals.smalltalk >= STRONG_CUE and not asked  # 谢谢, 你好, 在吗
        if small_talk or best_score <= 0.0:
            path = "smalltalk" if signals.smalltalk > 0 or signals.content == 0 else "unknown"
            return result(Intent.NONE, path, "abstain")

        confidence = self.calibration.probability("answer", signals.features("answer"))
        if confidence < p.clarify_threshold:
            return result(Intent.NONE, "unsure", "abstain", score=1.0 - confidence)
        decision: Decision = "answer" if confidence >= p.answer_threshold else "clarify"
        return result(
            Intent.ANSWER,
            "answer",
            decision,
            entry=best_entry,
            aspect=aspect_of(best_entry),
            score=confidence,
        )

    def _candidate_entries(self, query: dict[str, float], terms: dict[str, float]) -> list[str]:
        """Stage one: a few entries worth a close look."""
        rough: dict[str, float] = defaultdict(float)
        for entry_id, score in terms.items():
            rough[entry_id] += 2.0 * score
        total = sum(query.values()) or 1.0
        for token, weight in query.items():
            for entry_id in self._entry_postings.get(token, ()):
                rough[entry_id] += weight / total
        return [
            e for e, _ in heapq.nlargest(CANDIDATE_ENTRIES, rough.items(), key=lambda kv: kv[1])
        ]

    def _similarities(
        self, labels: Iterable[str], query: dict[str, float], qnorm: float, text: str
    ) -> tuple[dict[str, float], dict[str, dict[Aspect | None, float]], frozenset[str]]:
        """Stage two: best cosine similarity per label, and per entry and aspect."""
        best: dict[str, float] = {}
        topical_labels: set[str] = set()
        per_aspect: dict[str, dict[Aspect | None, float]] = {}
        fuzzy_weight = self.calibration.params.fuzzy_weight
        for label in labels:
            top = 0.0
            topical = label in self.entries
            aspects: dict[Aspect | None, float] = {}
            for i in self._docs_by_label.get(label, ()):
                doc = self._docs[i]
                shared = [t for t in query if t in doc.weights]
                if not shared:
                    continue
                dot = sum(query[t] * doc.weights[t] for t in shared)
                sim = dot / (qnorm * doc.norm)
                # Character similarity refines a match that shares words; on its own,
                # 是什么 in common would make any question look like any other.
                if fuzzy_weight and len(doc.text) <= len(text) + 4:
                    sim = max(sim, fuzzy_weight * fuzz.ratio(text, doc.text) / 100.0)
                # Sharing only how-words (怎么申请, 多少钱), words every topic uses or a
                # lone character (拉, 1) says which aspect, not which entry.
                names = any(
                    len(t) > 1 and t not in self._cues and t not in self._generic for t in shared
                )
                if names and sim > 0.0:
                    topical_labels.add(label)
                if sim > top and (names or not topical):
                    top = sim
                if sim > aspects.get(doc.aspect, 0.0):
                    aspects[doc.aspect] = sim
            best[label] = top
            per_aspect[label] = aspects
        return best, per_aspect, frozenset(topical_labels)

    def _choose_aspect(
        self,
        entry_id: str,
        cue: dict[str, list[float]],
        similar: dict[Aspect | None, float],
        phrasing: frozenset[str],
    ) -> Aspect | None:
        """The aspect asked about, among those the entry has; None if none stands out."""
        entry = self.entries[entry_id]
        p = self.calibration.params
        evidence: dict[Aspect, list[float]] = defaultdict(list)
        for aspect, cues in self.lexicon.aspects.items():
            weights = cue.get(_ASPECT + aspect.value)
            if not weights:
                continue
            if aspect in entry.aspects:
                evidence[aspect].extend(weights)
            else:
                for fallback in cues.fallback:
                    if fallback in entry.aspects:
                        evidence[fallback].extend(weights)
                        break
        learnt = self._aspect_model.posterior(phrasing, [*entry.aspects, None])
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

    def normalise(self, text: str) -> str:
        """The normalised form of `text` (for storage of unanswered questions)."""
        return self._norm.normalise(text)
