"""From a resident's question to an intent, an entry, an aspect and a confidence.

The pipeline, in the order it runs:

1. read the question against the index of the knowledge (`knowledge.matching.index`):
   normalise it, spot known terms and cues, tokenise; rank the entries by term
   evidence and similarity to their example questions (`knowledge.matching.rank`);
   find the asking clause of a long message (`knowledge.matching.sentences`);
2. turn all of it into features (`knowledge.matching.features`) and let the learned
   model (`knowledge.matching.model`) say how likely each topic is — an entry of
   ours, a request for a number, a complaint, another department's business, small
   talk — and which aspect is asked; its probabilities are calibrated;
3. decide (`topic_decision`, the one rule `sunshine train` also chooses its
   thresholds with): a complaint whenever it is likely enough, because every
   complaint must reach the officers; otherwise the likeliest topic — an entry is
   answered when sure, offered among "您是想问" when fairly sure, and otherwise
   the desk abstains politely.

Without a model trained for the knowledge at hand (a new entry, a fresh install
without `model.npz`), the lexical rules decide (`knowledge.matching.lexical`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from knowledge.base.catalogue import Catalogue
from knowledge.base.schema import Entry
from knowledge.matching.calibration import Calibration
from knowledge.matching.features import Evidence, Featurizer
from knowledge.matching.index import Index
from knowledge.matching.lexical import LexicalDecider
from knowledge.matching.lexicon import Lexicon, Referral
from knowledge.matching.match import (
    MAX_ALTERNATIVES,
    Candidate,
    Decision,
    DecisionPath,
    Match,
)
from knowledge.matching.model import (
    ANSWER,
    COMPLAINT,
    CONTACT,
    GENERAL,
    REFER,
    LearnedModel,
    Thresholds,
    fingerprint,
)
from knowledge.vocabulary import CONTACTS_ENTRY, Aspect, Intent

log = logging.getLogger(__name__)

SMALLTALK_TOPIC = REFER + "smalltalk"
# Only a question this likely to be about nothing in particular opens on the overview: a
# resident who names no aspect is served by any card, one who names one wants that card.
GENERAL_ASPECT = 0.6
UNKNOWN_TOPIC = REFER + "other"


def topic_decision(probs: dict[str, float], t: Thresholds) -> tuple[str, str]:
    """What to do with a question, from its topic probabilities: (kind, topic).

    Kinds: complaint, contact, refer (not ours), answer, clarify (offer choices),
    abstain (ours, but not sure which).
    """
    top = max(probs, key=probs.__getitem__)
    if top == COMPLAINT or probs.get(COMPLAINT, 0.0) >= t.complaint:
        return "complaint", COMPLAINT
    if top == CONTACT:
        return "contact", CONTACT
    if top.startswith(REFER):
        ours = max((k for k in probs if k.startswith(ANSWER)), key=probs.__getitem__, default=None)
        if ours is not None and probs[top] < t.refer and probs[ours] >= t.clarify:
            return "clarify", ours  # unsure it is not ours: offer ours rather than send away
        return "refer", top
    if probs[top] >= t.answer:
        return "answer", top
    if probs[top] >= t.clarify:
        return "clarify", top
    return "abstain", top


UNKNOWN_NAMED = 5  # entries named in the warning (a large knowledge base has thousands)


class Matcher:
    """The question-matching engine over one snapshot of the knowledge base.

    Build it once per process (it loads the pinyin table, jieba and the model) and
    call `match` for every question; it is read-only afterwards and safe to share.
    """

    def __init__(
        self,
        entries: Sequence[Entry] | Catalogue,
        lexicon: Lexicon,
        calibration: Calibration,
        *,
        model: LearnedModel | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        self._setup(Index(entries, lexicon, cache_dir=cache_dir), calibration, model)

    def _setup(self, index: Index, calibration: Calibration, model: LearnedModel | None) -> None:
        self.calibration = calibration
        self.index = index
        self.featurizer = Featurizer(self.index, calibration.params)
        self.lexical = LexicalDecider(self.index, calibration)
        self.offered = model
        self.model = model if model is not None and self._serves(model, index.entries) else None

    def updated(self, entries: Sequence[Entry] | Catalogue) -> Matcher:
        """A matcher for edited knowledge, made from this one (`Index.updated`): an edit
        re-reads only the questions it can have changed. This matcher keeps serving."""
        other = Matcher.__new__(Matcher)
        other._setup(self.index.updated(entries), self.calibration, self.offered)
        return other

    @staticmethod
    def _serves(model: LearnedModel, catalogue: Catalogue) -> bool:
        """Whether the model knows every entry; a changed vocabulary is only worth a warning."""
        entries = catalogue.summaries()
        unknown = {e.id for e in entries if e.id != CONTACTS_ENTRY} - model.entries()
        if unknown:
            named = sorted(unknown)
            more = f" and {len(named) - UNKNOWN_NAMED} more" if len(named) > UNKNOWN_NAMED else ""
            log.warning(
                "the model does not know %s%s: answering by the lexicon alone until "
                "`sunshine train` is run",
                ", ".join(named[:UNKNOWN_NAMED]),
                more,
            )
            return False
        if fingerprint(entries) != model.knowledge:
            log.warning("the knowledge changed since the model was trained: run `sunshine train`")
        return True

    @property
    def entries(self) -> Catalogue:
        return self.index.entries

    @property
    def lexicon(self) -> Lexicon:
        return self.index.lexicon

    def normalise(self, text: str) -> str:
        """The normalised form of `text` (for storage of unanswered questions)."""
        return self.index.normalise(text)

    def match(self, question: str) -> Match:
        """Decide what `question` asks. Never raises on any input string."""
        evidence = self.featurizer.read(question)
        if self.model is None:
            found = self.lexical.decide(question, evidence.reading, evidence.ranking)
        else:
            found = self._learned(question, evidence, self.model)
        if found.path is DecisionPath.SMALLTALK:
            return replace(found, talk=self.lexicon.smalltalk_kind(evidence.reading.text))
        return found

    def lexical_match(self, question: str) -> Match:
        """The lexical engine's decision (for `sunshine eval --engine lexical`)."""
        evidence = self.featurizer.read(question)
        return self.lexical.decide(question, evidence.reading, evidence.ranking)

    def _aspect(self, probs: dict[str, float], entry_id: str) -> Aspect | None:
        """The entry's aspect the question asks, from the aspect head's probabilities."""
        if entry_id not in self.entries:
            return None
        entry = self.entries.summary(entry_id)
        if probs.get(GENERAL, 0.0) >= GENERAL_ASPECT:
            return None  # 低保的事想问问: the overview
        allowed = {a.value for a in entry.aspects}
        best = max((k for k in probs if k in allowed), key=probs.__getitem__, default=None)
        return None if best is None else Aspect(best)

    def _first_question(self, evidence: Evidence, model: LearnedModel) -> Evidence:
        """For a message that asks two things, the evidence of the first, if it is clearly
        about an entry of ours: the story around both must not decide which one is first."""
        if evidence.focus is None or evidence.focus.second is None:
            return evidence
        first = self.featurizer.part(evidence, evidence.focus.opening)
        probs = model.topics(first.features)
        top = max(probs, key=probs.__getitem__)
        if top.startswith(ANSWER) and probs[top] >= model.thresholds.answer:
            return replace(first, focus=evidence.focus)
        return evidence

    def _learned(self, question: str, whole: Evidence, model: LearnedModel) -> Match:
        evidence = self._first_question(whole, model)
        probs, aspects = model.predict(evidence.features)
        kind, topic = topic_decision(probs, model.thresholds)
        not_ours = sum(p for k, p in probs.items() if k.startswith(REFER))
        found = whole.reading.found

        def answers(skip: str | None) -> tuple[Candidate, ...]:
            ranked = sorted(
                (k for k in probs if k.startswith(ANSWER) and k[len(ANSWER) :] != skip),
                key=probs.__getitem__,
                reverse=True,
            )
            return tuple(
                Candidate(k[len(ANSWER) :], self._aspect(aspects, k[len(ANSWER) :]), p)
                for k in ranked[:MAX_ALTERNATIVES]
                if (p := probs[k]) >= model.thresholds.clarify / 2
            )

        def result(
            intent: Intent,
            path: DecisionPath,
            decision: Decision,
            score: float,
            *,
            entry: str | None = None,
            aspect: Aspect | None = None,
            alternatives: tuple[Candidate, ...] = (),
            referral: Referral | None = None,
            also: Candidate | None = None,
        ) -> Match:
            return Match(
                question,
                intent,
                entry,
                aspect,
                round(score, 4),
                decision,
                path,
                alternatives,
                referral,
                terms=found,
                also=also,
            )

        if kind == "complaint":
            return result(
                Intent.COMPLAINT, DecisionPath.COMPLAINT, Decision.ANSWER, probs[COMPLAINT]
            )
        if kind == "contact":
            contacts = CONTACTS_ENTRY if CONTACTS_ENTRY in self.entries else None
            return result(
                Intent.CONTACT,
                DecisionPath.CONTACT,
                Decision.ANSWER,
                probs[CONTACT],
                entry=contacts,
            )
        if kind == "refer":
            key = topic[len(REFER) :]
            referral = self.lexicon.referral(key)
            path = (
                DecisionPath.SMALLTALK
                if topic == SMALLTALK_TOPIC
                else DecisionPath.REFERRAL
                if referral is not None and topic != UNKNOWN_TOPIC
                else DecisionPath.UNKNOWN
            )
            return result(
                Intent.NONE,
                path,
                Decision.ABSTAIN,
                not_ours,
                referral=referral if path is DecisionPath.REFERRAL else None,
                alternatives=answers(None) if path is not DecisionPath.SMALLTALK else (),
            )
        entry_id = topic[len(ANSWER) :]
        if kind == "abstain":
            return result(
                Intent.NONE,
                DecisionPath.UNSURE,
                Decision.ABSTAIN,
                not_ours,
                alternatives=answers(None),
            )
        decision = Decision.ANSWER if kind == "answer" else Decision.CLARIFY
        return result(
            Intent.ANSWER,
            DecisionPath.ANSWER,
            decision,
            probs[topic],
            entry=entry_id,
            aspect=self._aspect(aspects, entry_id),
            alternatives=answers(entry_id),
            also=self._second(whole, model, topic, self._aspect(aspects, entry_id)),
        )

    def _second(
        self, evidence: Evidence, model: LearnedModel, first: str, first_aspect: Aspect | None
    ) -> Candidate | None:
        """A long message's second question, when it asks about something else."""
        if evidence.focus is None or evidence.focus.second is None:
            return None
        second = self.featurizer.part(evidence, evidence.focus.second)
        probs, aspects = model.predict(second.features)
        topic = max(probs, key=probs.__getitem__)
        if not topic.startswith(ANSWER) or probs[topic] < model.thresholds.second:
            return None
        entry_id = topic[len(ANSWER) :]
        aspect = self._aspect(aspects, entry_id)
        if topic == first and aspect == first_aspect:
            return None
        return Candidate(entry_id, aspect, round(probs[topic], 4))
