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


Span = tuple[int, int]  # [start, end) in the normalised text


@dataclass(frozen=True)
class Focus:
    """The part of a long message that asks: the first asking clause with its lead-in (its
    words weigh double), the message up to it (the first question in its context), and
    the span of a second question with its lead-in, if the message asks another thing."""

    first: str
    opening: Span
    second: Span | None = None


def clause_spans(text: str) -> list[Span]:
    """Where the clauses of normalised text are, short ones joined to the next."""
    out: list[Span] = []
    start = None
    pos = 0
    for cut in [*_CUT.finditer(text), None]:
        end = cut.start() if cut is not None else len(text)
        piece = text[pos:end]
        if piece.strip():
            if start is None:
                start = pos + (len(piece) - len(piece.lstrip()))
            if len(text[start:end].strip()) >= SHORT_CLAUSE:
                out.append((start, end))
                start = None
        pos = cut.end() if cut is not None else len(text)
    if start is not None:
        if out:
            out[-1] = (out[-1][0], len(text))
        else:
            out.append((start, len(text)))
    return out


def clauses(text: str) -> list[str]:
    """The clauses of normalised text, short ones joined to the next."""
    return [text[a:b] for a, b in clause_spans(text)]


@dataclass(frozen=True)
class Asking:
    """What makes a clause a question (from the lexicon)."""

    words: tuple[str, ...]
    endings: tuple[str, ...] = ()


def asks(clause: str, asking: Asking) -> bool:
    """Whether a clause carries a question word or ends like a question."""
    clause = clause.rstrip()
    return any(w in clause for w in asking.words) or clause.endswith(asking.endings)


def focus(text: str, asking: Asking) -> Focus | None:
    """The asking part of a long message; None for short messages and stories that
    never ask (a complaint told as a story is judged on the whole text)."""
    if len(text) < LONG:
        return None
    spans = clause_spans(text)
    if len(spans) < 2:
        return None
    asked = [i for i, (a, b) in enumerate(spans) if asks(text[a:b], asking)]
    if not asked:
        return None
    first = asked[0]
    lead_in = spans[first - 1][0] if first > 0 else spans[first][0]
    second = next((i for i in asked[1:] if i > first + 1), None)
    return Focus(
        first=text[lead_in : spans[first][1]],
        opening=(0, spans[first][1]),
        second=None if second is None else (spans[second - 1][0], spans[second][1]),
    )
