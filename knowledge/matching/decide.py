"""From a resident's question to an intent, an entry, an aspect and a confidence.

The pipeline, in the order it runs:

1. read the question against the index of the knowledge (`knowledge.matching.index`):
   normalise it, spot known terms and cues, tokenise;
2. rank the entries by term evidence and similarity to their example questions,
   in two stages (`knowledge.matching.rank`);
3. decide the intent first (a request for a number, a complaint, another
   department's topic, small talk), then the entry and its aspect (here);
4. turn the evidence into a calibrated probability of being right
   (`knowledge.matching.calibration`) and compare it with two thresholds fitted on a
   labelled set: answer, offer "did you mean", or abstain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from knowledge.matching.calibration import Calibration
from knowledge.matching.index import (
    ASPECT,
    COMPLAINT,
    CONTACT,
    REFERRAL,
    SMALLTALK,
    STRONG_CUE,
    Index,
    Reading,
)
from knowledge.matching.lexicon import Lexicon, Referral
from knowledge.matching.rank import Ranking, choose_aspect, rank
from knowledge.matching.terms import noisy_or
from knowledge.schema import Entry
from knowledge.vocabulary import CONTACTS_ENTRY, Aspect, Intent

MAX_ALTERNATIVES = 3


class Decision(StrEnum):
    """What the desk does with a question."""

    ANSWER = "answer"
    CLARIFY = "clarify"  # 您是想问: a few choices
    ABSTAIN = "abstain"  # cannot answer: say who can, record the question for staff


class DecisionPath(StrEnum):
    """Which rule decided: each has its own calibrated confidence."""

    ANSWER = "answer"  # an entry (and aspect) of ours
    CONTACT = "contact"  # a request for a number or an address
    COMPLAINT = "complaint"  # a complaint or a report of misconduct
    REFERRAL = "referral"  # another department's topic
    SMALLTALK = "smalltalk"  # 你好, 谢谢, 在吗
    UNSURE = "unsure"  # ours, but not confidently any entry
    UNKNOWN = "unknown"  # nobody's topic we know


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

    def features(self, path: DecisionPath) -> tuple[float, ...]:
        """The inputs of the calibration model for one decision path."""
        if path is DecisionPath.ANSWER:
            return (
                self.entry_score,
                self.entry_score - self.runner_up,
                self.entry_terms,
                self.entry_similar,
                min(self.content, 3.0) / 3.0,
            )
        return (
            {
                DecisionPath.COMPLAINT: self.complaint,
                DecisionPath.CONTACT: self.contact,
                DecisionPath.REFERRAL: self.referral,
                DecisionPath.SMALLTALK: self.smalltalk,
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
    path: DecisionPath
    alternatives: tuple[Candidate, ...] = ()
    referral: Referral | None = None
    signals: Signals = field(default_factory=Signals)
    terms: tuple[str, ...] = ()

    @classmethod
    def unanswered(cls, question: str) -> Match:
        """A question nothing answers (the resident said none of the choices fit)."""
        return cls(question, Intent.NONE, None, None, 0.0, Decision.ABSTAIN, DecisionPath.UNKNOWN)


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
        self.calibration = calibration
        self.index = Index(entries, lexicon, cache_dir=cache_dir)

    @property
    def entries(self) -> dict[str, Entry]:
        return self.index.entries

    @property
    def lexicon(self) -> Lexicon:
        return self.index.lexicon

    def normalise(self, text: str) -> str:
        """The normalised form of `text` (for storage of unanswered questions)."""
        return self.index.normalise(text)

    def signals(self, reading: Reading, ranking: Ranking) -> tuple[Signals, str]:
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
                            p.intent_similar_weight * similar.get(REFERRAL + r.key, 0.0),
                        ]
                    ),
                )
                for r in self.index.lexicon.referrals
            ),
            key=lambda kv: kv[1],
            default=("", 0.0),
        )
        best_entry, best_score = ranking.best
        complaint_model = self.index.complaint_model.posterior(reading.phrasing, (True, False))
        content = sum(1 for t in reading.tokens if t in self.index.idf or len(t) > 1)
        signals = Signals(
            entry_terms=ranking.terms.get(best_entry, 0.0),
            entry_similar=similar.get(best_entry, 0.0),
            entry_score=best_score,
            runner_up=ranking.ranked[1][1] if len(ranking.ranked) > 1 else 0.0,
            complaint=noisy_or(
                [
                    *cue[COMPLAINT],
                    p.intent_similar_weight * similar.get(COMPLAINT, 0.0),
                    p.complaint_model_weight * complaint_model.get(True, 0.0),
                ]
            ),
            contact=noisy_or([*cue[CONTACT], p.intent_similar_weight * similar.get(CONTACT, 0.0)]),
            referral=referral_score,
            smalltalk=noisy_or(cue[SMALLTALK]),
            content=float(content),
        )
        return signals, referral_key

    def match(self, question: str) -> Match:
        """Decide what `question` asks. Never raises on any input string."""
        reading = self.index.read(
            question, shared_term_discount=self.calibration.params.shared_term_discount
        )
        ranking = rank(self.index, reading, self.calibration.params)
        signals, referral_key = self.signals(reading, ranking)
        p = self.calibration.params
        best_entry, best_score = ranking.best

        def aspect_of(entry_id: str) -> Aspect | None:
            return choose_aspect(
                self.index,
                self.calibration.params,
                entry_id,
                reading.cue,
                ranking.per_aspect.get(entry_id, {}),
                reading.phrasing,
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
                ).features(DecisionPath.ANSWER)
                probability = self.calibration.probability(DecisionPath.ANSWER, features)
                out.append(Candidate(entry_id, aspect_of(entry_id), probability))
            return tuple(out[:MAX_ALTERNATIVES])

        def result(
            intent: Intent,
            path: DecisionPath,
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
                alternatives(entry) if path is not DecisionPath.SMALLTALK else (),
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
            contacts = CONTACTS_ENTRY if CONTACTS_ENTRY in self.index.entries else None
            return result(Intent.CONTACT, DecisionPath.CONTACT, Decision.ANSWER, entry=contacts)
        if signals.complaint >= p.complaint_threshold:
            return result(Intent.COMPLAINT, DecisionPath.COMPLAINT, Decision.ANSWER)
        # Another department's topic wins over our service only when its term is
        # stronger than every alias and the question reads more like that
        # department's examples: 低保户 + 公租房 is about housing, while
        # 五保户 + 户口迁 still asks whether 五保 continues.
        strongest_alias = max((max(ws) for ws in reading.entry_terms.values()), default=0.0)
        referral_similar = ranking.similar.get(REFERRAL + referral_key, 0.0)
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
                REFERRAL + referral_key in ranking.topical
            ):
                referral = self.index.lexicon.referral(referral_key)
                return result(
                    Intent.NONE, DecisionPath.REFERRAL, Decision.ABSTAIN, referral=referral
                )
            return result(Intent.NONE, DecisionPath.UNKNOWN, Decision.ABSTAIN)
        asked = bool(reading.entry_terms) or any(k.startswith(ASPECT) for k in reading.cue)
        small_talk = signals.smalltalk >= STRONG_CUE and not asked  # 谢谢, 你好, 在吗
        if small_talk or best_score <= 0.0:
            talk = signals.smalltalk > 0 or signals.content == 0
            path = DecisionPath.SMALLTALK if talk else DecisionPath.UNKNOWN
            return result(Intent.NONE, path, Decision.ABSTAIN)

        confidence = self.calibration.probability(
            DecisionPath.ANSWER, signals.features(DecisionPath.ANSWER)
        )
        if confidence < p.clarify_threshold:
            return result(
                Intent.NONE, DecisionPath.UNSURE, Decision.ABSTAIN, score=1.0 - confidence
            )
        decision = Decision.ANSWER if confidence >= p.answer_threshold else Decision.CLARIFY
        return result(
            Intent.ANSWER,
            DecisionPath.ANSWER,
            decision,
            entry=best_entry,
            aspect=aspect_of(best_entry),
            score=confidence,
        )
