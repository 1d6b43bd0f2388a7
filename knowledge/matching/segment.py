"""Chinese word segmentation with jieba, started fast and loaded once.

jieba's full dictionary (349k words) costs about a second per process. Words
that appear in no knowledge text cannot make two texts similar, so a
dictionary of jieba's most frequent words plus our domain dictionary does the
same job here; it is written once to the cache directory and loads in about
0.1 s. HMM is off: with it, typos become new "words" that never match
(see ../shared/matching-notes.md).
"""

from __future__ import annotations

import copy
import logging
import tempfile
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from knowledge.matching.index_store import CutterState

TOP_WORDS = 40_000


def domain_words() -> list[str]:
    """The shipped domain dictionary (民政 vocabulary, local place words)."""
    text = resources.files("knowledge").joinpath("data/userdict.txt").read_text("utf-8")
    return [line.split()[0] for line in text.splitlines() if line.strip() and line[0] != "#"]


def _trimmed_dictionary(cache_dir: Path) -> Path:
    import jieba

    target = cache_dir / f"jieba-top{TOP_WORDS}-{jieba.__version__}.txt"
    if target.exists():
        return target
    source = Path(jieba.__file__).with_name("dict.txt")
    rows = []
    with source.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2:
                rows.append((int(parts[1]), parts[0]))
    rows.sort(reverse=True)
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text("".join(f"{w} {f}\n" for f, w in rows[:TOP_WORDS]), encoding="utf-8")
    tmp.replace(target)
    return target


class WordCutter:
    """Splits text into words; one instance per process, built at start-up."""

    def __init__(
        self,
        extra_words: Iterable[str] = (),
        *,
        cache_dir: Path | None = None,
        state: CutterState | None = None,
    ) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        # Always the trimmed dictionary, so words are cut the same way the model was trained
        # on; without a cache directory of our own it is kept in the system's temporary one.
        folder = cache_dir or Path(tempfile.gettempdir()) / "sunshine-desk-cache"
        try:
            tokenizer: Any = jieba.Tokenizer(dictionary=str(_trimmed_dictionary(folder)))
            tokenizer.tmp_dir = str(folder)
        except OSError:
            tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        self._base: dict[str, int] = dict(tokenizer.FREQ)
        self._base_total = int(tokenizer.total)
        self._tokenizer = tokenizer
        self._added: set[str] = set()
        if state is not None:
            self._restore(state)
            return
        # In a fixed order: jieba suggests each added word's frequency from the words
        # already there, so set order (random per process) would change how text is cut.
        for word in sorted({*domain_words(), *extra_words}):
            self._add(word)

    def _add(self, word: str) -> None:
        if len(word) > 1 and not word.isascii():
            self._tokenizer.add_word(word)
            self._added.add(word)

    def _restore(self, state: CutterState) -> None:
        """What `add_word` left behind, set directly (it would cut every word again)."""
        freq = self._tokenizer.FREQ
        for word, f in zip(state.words, state.freqs, strict=True):
            freq[word] = f
            for end in range(1, len(word)):
                freq.setdefault(word[:end], 0)
        self._tokenizer.total = state.total
        self._added = set(state.words)

    def state(self) -> CutterState:
        """The words added to jieba's dictionary and their frequencies, for the index file."""
        from knowledge.matching.index_store import CutterState

        words = tuple(sorted(self._added))
        freq = self._tokenizer.FREQ
        return CutterState(words, tuple(int(freq[w]) for w in words), int(self._tokenizer.total))

    def updated(self, extra_words: Iterable[str]) -> WordCutter:
        """A cutter whose added words are the domain dictionary and `extra_words`, made from
        this one by adding and removing the difference (the old one keeps serving meanwhile).

        The new words get their frequencies suggested from the dictionary as it stands, so
        the result can differ from a full rebuild in jieba's running total by the changed
        words' frequencies: a fraction of a millionth of the total."""
        other = copy.copy(self)
        tokenizer = copy.copy(self._tokenizer)
        tokenizer.FREQ = dict(self._tokenizer.FREQ)
        other._tokenizer = tokenizer
        other._added = set(self._added)
        wanted = {w for w in {*domain_words(), *extra_words} if len(w) > 1 and not w.isascii()}
        for word in sorted(self._added - wanted):
            base = self._base.get(word, 0)
            tokenizer.total -= tokenizer.FREQ.get(word, 0) - base
            tokenizer.FREQ[word] = base
            other._added.discard(word)
        for word in sorted(wanted - self._added):
            other._add(word)
        return other

    def is_word(self, text: str) -> bool:
        """Whether `text` is a word of the dictionary (so not a typo of another)."""
        return bool(self._tokenizer.FREQ.get(text))

    def pieces(self, text: str) -> list[str]:
        """Words of `text` with the whitespace kept, so lengths add up to the text."""
        return list(self._tokenizer.lcut(text, HMM=False))

    def cut(self, text: str) -> list[str]:
        """Words of `text`, whitespace dropped."""
        return [w for w in self._tokenizer.lcut(text, HMM=False) if not w.isspace()]
