"""The lexical decision: hand-set rules over the lexicon's evidence.

Intent before entry — a request for a number, then a complaint, then another
department's topic, then small talk — and only then an entry, with a probability
of being right fitted per rule (`sunshine tune`, knowledge/data/calibration.json)
and compared with two thresholds: answer, offer "您是想问", or abstain.

This was the whole engine before the learned layer (`knowledge.matching.decide`);
it still decides when no model has been trained for the knowledge at hand, and it
is measured beside the learned engine by `sunshine eval --engine lexical` and the
matching benchmark.
"""

from __future__ import annotations

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
from knowledge.matching.lexicon import Referral
from knowledge.matching.match import (
    MAX_ALTERNATIVES,
    Candidate,
    Decision,
    DecisionPath,
    Match,
    Signals,
)
from knowledge.matching.rank import Ranking, choose_aspect
from knowledge.matching.terms import noisy_or
from knowledge.vocabulary import CONTACTS_ENTRY, Aspect, Intent


class LexicalDecider:
    """Decides from the lexicon's evidence alone, by hand-set rules and a calibration
    fitted per rule (`sunshine tune`). The engine before the learned layer: it still
    decides when no model is trained for the knowledge at hand, and the benchmark
    and the evaluation report it beside the learned one."""

    def __init__(self, index: Index, calibration: Calibration) -> None:
        self.index = index
        self.calibration = calibration

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

    def decide(self, question: str, reading: Reading, ranking: Ranking) -> Match:
        """Decide what `question` asks, from its reading and ranking."""
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
