"""Finding the question in a long message.

Residents in hardship write the longest messages: age, illness, debts, family,
what a cadre said — and one question somewhere inside (often last, sometimes in
the middle). A message is cut into clauses at sentence punctuation and at the
spaces people type instead of commas; a clause *asks* when it carries a
question word or mark. The matcher weighs the first asking clause (with the
clause before it, which often names the subject: "像俺们这样的 / 能办低保吗"), and
looks at a later asking clause to offer a second answer.

The question words are part of the lexicon (`question_words` in
knowledge/data/lexicon.yaml), so staff and developers extend them in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Sentence ends, and spaces between two characters that are not latin letters
# (in English and typed pinyin a space is only a word break).
_CUT = re.compile(r"[。！？!?；;…\n\r]+|(?<=[^a-z0-9\s])\s+(?=[^a-z0-9\s])|[，,、：:]\s*")
# A message shorter than this is one question, however it is punctuated.
LONG = 30
# Clauses shorter than this are joined to the next one (嗯 / 是这样 / 我想问下).
SHORT_CLAUSE = 4


@dataclass(frozen=True)
class Focus:
    """The part of a long message that asks: the first asking clause and its lead-in,
    and the next asking clause if the message asks a second thing."""

    first: str
    second: str | None = None
    opening: str = ""  # the message up to its first question: the first question in its context


def clauses(text: str) -> list[str]:
    """The clauses of normalised text, short ones joined to their neighbour."""
    out: list[str] = []
    carry = ""
    for piece in (p.strip() for p in _CUT.split(text)):
        if not piece:
            continue
        piece = carry + piece
        if len(piece) < SHORT_CLAUSE:
            carry = piece
            continue
        carry = ""
        out.append(piece)
    if carry:
        if out:
            out[-1] += carry
        else:
            out.append(carry)
    return out


@dataclass(frozen=True)
class Asking:
    """What makes a clause a question (from the lexicon)."""

    words: tuple[str, ...]
    endings: tuple[str, ...] = ()


def asks(clause: str, asking: Asking) -> bool:
    """Whether a clause carries a question word or ends like a question."""
    return any(w in clause for w in asking.words) or clause.endswith(asking.endings)


def focus(text: str, asking: Asking) -> Focus | None:
    """The asking part of a long message; None for short messages and stories that
    never ask (a complaint told as a story is judged on the whole text)."""
    if len(text) < LONG:
        return None
    parts = clauses(text)
    if len(parts) < 2:
        return None
    asked = [i for i, c in enumerate(parts) if asks(c, asking)]
    if not asked:
        return None
    first = asked[0]
    lead_in = parts[first - 1] + " " if first > 0 else ""
    second = next((i for i in asked[1:] if i > first + 1), None)
    return Focus(
        first=lead_in + parts[first],
        second=None if second is None else parts[second - 1] + " " + parts[second],
        opening=" ".join(parts[: first + 1]),
    )
