"""What the matcher decided about a question: data only, no markup.

The decision (answer, offer choices, abstain), the rule that decided it, the
intent, entry and aspect, a score that is the probability of being right, the
alternatives, and the evidence behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from knowledge.matching.lexicon import Referral
from knowledge.vocabulary import Aspect, Intent

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
    """What the matcher decided about one question."""

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
    also: Candidate | None = None  # a long message's second question, to offer after the answer
    talk: str | None = None  # small talk's kind (thanks, goodbye, ack): what to say back

    @classmethod
    def unanswered(cls, question: str) -> Match:
        """A question nothing answers (the resident said none of the choices fit)."""
        return cls(question, Intent.NONE, None, None, 0.0, Decision.ABSTAIN, DecisionPath.UNKNOWN)
