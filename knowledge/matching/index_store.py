"""The example questions of the index as compact arrays, kept in a file per knowledge version.

Tokenising every example question is what the index costs: at 10,000 entries
(870,000 example questions) about two minutes, and as Python dictionaries per
question 1.3 GB. The tokens depend only on the knowledge, the lexicon and the
word-cutting dictionary, so they are worked out once per knowledge version and
kept as NumPy arrays (a CSR table of token ids per question, the questions'
text as UTF-8 bytes) in `<cache_dir>/index-<key>/`, memory-mapped when read
back: a few milliseconds, and only the pages a question touches become
resident. An edit replaces the rows of the labels it touched (`without` then
`plus`); everything derived from the rows (idf, postings, phrasing counts) is
recomputed from per-label token counts, which are small.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge.schema import Entry
from knowledge.vocabulary import Aspect

FORMAT = 2
ASPECTS: tuple[Aspect, ...] = tuple(Aspect)
NO_ASPECT = -1
KEEP_FILES = 2  # the current index and the one before it (a process may still read it)

I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
U8 = npt.NDArray[np.uint8]

# One example question: its label, aspect, normalised text and tokens.
RawDoc = tuple[str, Aspect | None, str, Iterable[str]]

_ARRAYS = (
    "doc_label",
    "doc_aspect",
    "doc_ptr",
    "doc_tok",
    "text_ptr",
    "text",
    "grp_label",
    "grp_aspect",
    "grp_tok",
    "grp_count",
)
# What the index derives from the table (document frequencies, postings, phrasing counts),
# kept too: deriving them sorts millions of rows, and a start need not read the `grp_*` rows.
DERIVED = (
    "df",
    "tok_ptr",
    "pair_label",
    "pair_count",
    "phrasing_kind",
    "phrasing_key",
    "phrasing_tok",
    "phrasing_count",
)
VOCABULARY = "vocabulary.pickle"


def aspect_code(aspect: Aspect | None) -> int:
    return NO_ASPECT if aspect is None else ASPECTS.index(aspect)


def aspect_of(code: int) -> Aspect | None:
    return None if code == NO_ASPECT else ASPECTS[code]


@dataclass
class DocTable:
    """Every example question's label, aspect, text and token ids, grouped by label.

    `grp_*` count, per (label, aspect, token), the questions containing the token:
    document frequencies, postings and the phrasing models are sums over these rows.
    """

    tokens: list[str]
    labels: list[str]
    doc_label: I32
    doc_aspect: I8
    doc_ptr: I64
    doc_tok: I32
    text_ptr: I64
    text: U8
    grp_label: I32
    grp_aspect: I8
    grp_tok: I32
    grp_count: I32

    @classmethod
    def empty(cls) -> DocTable:
        return cls(
            [],
            [],
            np.zeros(0, np.int32),
            np.zeros(0, np.int8),
            np.zeros(1, np.int64),
            np.zeros(0, np.int32),
            np.zeros(1, np.int64),
            np.zeros(0, np.uint8),
            np.zeros(0, np.int32),
            np.zeros(0, np.int8),
            np.zeros(0, np.int32),
            np.zeros(0, np.int32),
        )

    def __len__(self) -> int:
        return len(self.doc_label)

    def label_ranges(self) -> dict[str, tuple[int, int]]:
        """Where each label's questions are (they are kept together)."""
        labels = np.asarray(self.doc_label)
        if not len(labels):
            return {}
        starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
        ends = np.r_[starts[1:], len(labels)]
        return {
            self.labels[int(labels[s])]: (int(s), int(e))
            for s, e in zip(starts.tolist(), ends.tolist(), strict=True)
        }

    def plus(self, docs: Sequence[RawDoc]) -> DocTable:
        """This table with `docs` appended (a label's questions must come together)."""
        tokens, labels = list(self.tokens), list(self.labels)
        token_id = {t: i for i, t in enumerate(tokens)}
        label_id = {label: i for i, label in enumerate(labels)}
        doc_label, doc_aspect, lengths, doc_tok, texts = [], [], [], [], []
        for label, aspect, text, words in docs:
            if label not in label_id:
                label_id[label] = len(labels)
                labels.append(label)
            ids = []
            for w in words:
                i = token_id.get(w)
                if i is None:
                    i = token_id[w] = len(tokens)
                    tokens.append(w)
                ids.append(i)
            doc_label.append(label_id[label])
            doc_aspect.append(aspect_code(aspect))
            lengths.append(len(ids))
            doc_tok.extend(ids)
            texts.append(text.encode())
        new_label = np.array(doc_label, np.int32)
        new_aspect = np.array(doc_aspect, np.int8)
        new_tok = np.array(doc_tok, np.int32)
        counts = np.array(lengths, np.int64)
        text_lengths = np.array([len(t) for t in texts], np.int64)
        # (label, aspect, token) → how many questions contain it, in one sort.
        n_tokens = max(len(tokens), 1)
        code = (
            np.repeat(new_label.astype(np.int64) * (len(ASPECTS) + 1) + new_aspect + 1, counts)
            * n_tokens
            + new_tok
        )
        groups, group_count = np.unique(code, return_counts=True)
        group_la, group_tok = np.divmod(groups, n_tokens)
        group_label, group_aspect = np.divmod(group_la, len(ASPECTS) + 1)
        return DocTable(
            tokens,
            labels,
            np.concatenate([self.doc_label, new_label]),
            np.concatenate([self.doc_aspect, new_aspect]),
            np.concatenate([self.doc_ptr, self.doc_ptr[-1] + np.cumsum(counts)]),
            np.concatenate([self.doc_tok, new_tok]),
            np.concatenate([self.text_ptr, self.text_ptr[-1] + np.cumsum(text_lengths)]),
            np.concatenate([self.text, np.frombuffer(b"".join(texts), np.uint8)]),
            np.concatenate([self.grp_label, group_label.astype(np.int32)]),
            np.concatenate([self.grp_aspect, (group_aspect - 1).astype(np.int8)]),
            np.concatenate([self.grp_tok, group_tok.astype(np.int32)]),
            np.concatenate([self.grp_count, group_count.astype(np.int32)]),
        )

    def without(self, labels: Iterable[str]) -> DocTable:
        """This table without the questions of `labels`."""
        dropped = set(labels)
        ids = [i for i, label in enumerate(self.labels) if label in dropped]
        if not ids:
            return self
        keep = ~np.isin(self.doc_label, ids)
        doc_lengths = np.diff(self.doc_ptr)
        text_lengths = np.diff(self.text_ptr)
        keep_group = ~np.isin(self.grp_label, ids)
        return DocTable(
            self.tokens,
            self.labels,
            self.doc_label[keep],
            self.doc_aspect[keep],
            np.r_[0, np.cumsum(doc_lengths[keep])].astype(np.int64),
            self.doc_tok[np.repeat(keep, doc_lengths)],
            np.r_[0, np.cumsum(text_lengths[keep])].astype(np.int64),
            self.text[np.repeat(keep, text_lengths)],
            self.grp_label[keep_group],
            self.grp_aspect[keep_group],
            self.grp_tok[keep_group],
            self.grp_count[keep_group],
        )

    def doc(self, i: int) -> tuple[Aspect | None, str, list[str]]:
        """One question: its aspect, normalised text and tokens."""
        start, end = int(self.doc_ptr[i]), int(self.doc_ptr[i + 1])
        t0, t1 = int(self.text_ptr[i]), int(self.text_ptr[i + 1])
        tokens = self.tokens
        return (
            aspect_of(int(self.doc_aspect[i])),
            bytes(self.text[t0:t1]).decode(),
            [tokens[t] for t in self.doc_tok[start:end].tolist()],
        )

    def containing(self, needles: Iterable[str]) -> set[str]:
        """Labels with a question whose text contains any of `needles`."""
        data = bytes(self.text)
        hits: list[int] = []
        for needle in needles:
            raw = needle.encode()
            if not raw:
                continue
            at = data.find(raw)
            while at >= 0:
                hits.append(at)
                at = data.find(raw, at + 1)
        if not hits:
            return set()
        docs = np.searchsorted(self.text_ptr, np.array(hits), side="right") - 1
        return {self.labels[int(label)] for label in np.unique(self.doc_label[docs])}


@dataclass(frozen=True)
class CutterState:
    """The word-cutting dictionary's additions: each added word's final frequency, and the
    total, so that reloading it costs dictionary assignments rather than jieba's `add_word`
    (which cuts every word again to suggest its frequency)."""

    words: tuple[str, ...]
    freqs: tuple[int, ...]
    total: int


def entry_digest(entry: Entry) -> str:
    """What of an entry the index reads: names, synonyms and example questions."""
    data = {
        "id": entry.id,
        "title": entry.title,
        "aliases": entry.aliases,
        "synonyms": [(s.term, s.means) for s in entry.synonyms],
        "questions": entry.questions,
        "aspect_questions": {a.value: q for a, q in entry.aspect_questions.items()},
    }
    return hashlib.sha1(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:16]


def index_key(digests: Sequence[str], setting: str) -> str:
    """The knowledge version an index file belongs to: entries in order, the lexicon and the
    word-cutting dictionary (`setting`), and this file format."""
    digest = hashlib.sha256(f"{FORMAT}\n{setting}\n".encode())
    digest.update("\n".join(digests).encode())
    return digest.hexdigest()[:20]


def index_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"index-{key}"


@dataclass(frozen=True)
class Saved:
    """An index file read back: the table, jieba's additions, the derived arrays and the
    pickled vocabulary (terms, cues and their spotters)."""

    table: DocTable
    cutter: CutterState
    derived: dict[str, npt.NDArray[Any]]
    vocabulary: bytes


def save(
    cache_dir: Path,
    key: str,
    table: DocTable,
    cutter: CutterState,
    derived: dict[str, npt.NDArray[Any]],
    vocabulary: bytes,
) -> None:
    """Write the index for `key` (atomically: a reader sees the whole file or none)."""
    target = index_path(cache_dir, key)
    if target.exists():
        if load(cache_dir, key) is not None:
            return
        shutil.rmtree(target, ignore_errors=True)  # damaged: replaced below
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".index-", dir=cache_dir))
        for name in _ARRAYS:
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(getattr(table, name)))
        for name in DERIVED:
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(derived[name]))
        (tmp / VOCABULARY).write_bytes(vocabulary)
        meta = {
            "format": FORMAT,
            "tokens": table.tokens,
            "labels": table.labels,
            "words": cutter.words,
            "freqs": cutter.freqs,
            "total": cutter.total,
        }
        (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        try:
            os.replace(tmp, target)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)  # another process wrote it first
        _prune(cache_dir, keep=target)
    except OSError:
        pass  # a read-only cache: the index is rebuilt next time


def _prune(cache_dir: Path, keep: Path) -> None:
    """Remove older index files, keeping the newest few."""
    found = sorted(
        (p for p in cache_dir.glob("index-*") if p.is_dir() and p != keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in found[KEEP_FILES - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def load(cache_dir: Path, key: str) -> Saved | None:
    """The saved index for `key`, memory-mapped; None when there is none (or it is damaged)."""
    folder = index_path(cache_dir, key)
    try:
        meta: dict[str, Any] = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            return None
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
        derived = {name: np.load(folder / f"{name}.npy", mmap_mode="r") for name in DERIVED}
        vocabulary = (folder / VOCABULARY).read_bytes()
    except (OSError, ValueError):
        return None
    table = DocTable(tokens=list(meta["tokens"]), labels=list(meta["labels"]), **arrays)
    state = CutterState(tuple(meta["words"]), tuple(meta["freqs"]), int(meta["total"]))
    return Saved(table, state, derived, vocabulary)
