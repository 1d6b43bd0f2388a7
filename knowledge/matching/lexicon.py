"""The matcher's lexicon: colloquial map, aspect and intent cues, other departments.

The lexicon is developer-maintained data (`knowledge/data/lexicon.yaml`); the
per-entry vocabulary (aliases, synonyms, example questions) belongs to the
knowledge base that staff edit.
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field

from knowledge.vocabulary import Aspect

Weight = Annotated[float, Field(gt=0, le=1.5)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AspectCues(_Model):
    """Words that show which aspect is asked; `fallback` serves entries without it."""

    terms: dict[str, Weight]
    fallback: list[Aspect] = Field(default_factory=list)


class CueSet(_Model):
    """Words and whole example messages that show one intent."""

    terms: dict[str, Weight]
    examples: list[str] = Field(default_factory=list)


class Referral(_Model):
    """Another department's topic: the reply names who is responsible."""

    key: str
    department: str
    hint: str
    terms: dict[str, Weight]
    examples: list[str] = Field(default_factory=list)


class Lexicon(_Model):
    colloquial: dict[str, str]
    stopwords: frozenset[str]
    aspects: dict[Aspect, AspectCues]
    complaint: CueSet
    contact: CueSet
    smalltalk: CueSet
    bureau_terms: dict[str, Weight]
    referrals: list[Referral]
    question_words: tuple[str, ...] = ()
    question_endings: tuple[str, ...] = ()
    smalltalk_kinds: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    def referral(self, key: str) -> Referral | None:
        """The referral with this key, if any."""
        return next((r for r in self.referrals if r.key == key), None)

    def smalltalk_kind(self, text: str) -> str | None:
        """Which kind of small talk `text` is (thanks, goodbye, ack), by its first word."""
        found = [
            (text.find(w), kind)
            for kind, words in self.smalltalk_kinds.items()
            for w in words
            if w in text
        ]
        return min(found)[1] if found else None


def load_lexicon(text: str | None = None) -> Lexicon:
    """The shipped lexicon, or one given as YAML text (for tests)."""
    if text is None:
        text = resources.files("knowledge").joinpath("data/lexicon.yaml").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster to start
    return Lexicon.model_validate(yaml.load(text, Loader=loader))
