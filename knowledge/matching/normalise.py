"""Normalising what residents type, before any matching.

Residents write full-width characters, traditional characters, control
characters pasted from other apps, and dialect words. Everything the matcher
compares goes through `Normaliser.normalise` first, both the knowledge and the
question, so both sides agree on one spelling.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import cached_property

# Matching looks at this many characters at most; a resident's long message is
# still stored whole, but no question needs more than this to be understood.
MAX_MATCH_CHARS = 400

_SPACES = re.compile(r"\s+")
_LATIN_RUN = re.compile(r"[a-z][a-z']*")


def _strip_controls(text: str) -> str:
    """Drop control and format characters (zero-width joiners, BOM, bidi marks)."""
    return "".join(
        " " if ch in "\t\r\n" else ch
        for ch in text
        if ch in "\t\r\n" or unicodedata.category(ch)[0] != "C"
    )


def is_cjk(ch: str) -> bool:
    """A CJK unified ideograph (the characters pinyin and jieba know)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


class Normaliser:
    """NFKC, lower case, traditional to simplified, then the colloquial map.

    The colloquial map (咋 → 怎么, 啥 → 什么 …) is data from the lexicon, applied
    longest key first so that 咋整 wins over 咋.
    """

    def __init__(self, colloquial: Mapping[str, str]) -> None:
        self._colloquial = dict(colloquial)

    @cached_property
    def _converter(self) -> object:
        import opencc

        return opencc.OpenCC("t2s")

    @cached_property
    def _colloquial_pattern(self) -> re.Pattern[str] | None:
        if not self._colloquial:
            return None
        keys = sorted(self._colloquial, key=len, reverse=True)
        return re.compile("|".join(re.escape(k) for k in keys))

    def to_simplified(self, text: str) -> str:
        """Traditional to simplified characters (OpenCC t2s)."""
        return self._converter.convert(text)  # type: ignore[attr-defined, no-any-return]

    def normalise(self, text: str, *, limit: int | None = MAX_MATCH_CHARS) -> str:
        """The canonical form of `text` that all matching works on."""
        if limit is not None:
            text = text[: limit * 2]
        text = _strip_controls(text)
        text = unicodedata.normalize("NFKC", text).lower()
        text = self.to_simplified(text)
        pattern = self._colloquial_pattern
        if pattern is not None:
            text = pattern.sub(lambda m: self._colloquial[m.group(0)], text)
        text = _SPACES.sub(" ", text).strip()
        return text[:limit] if limit is not None else text


def latin_words(text: str) -> list[str]:
    """The runs of latin letters in normalised text (English words or typed pinyin)."""
    return _LATIN_RUN.findall(text)
