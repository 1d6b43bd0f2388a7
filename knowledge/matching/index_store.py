"""The example questions of the index as compact arrays, kept in a file per knowledge version.

Tokenising every example question is what the index costs: at 10,000 entries
(870,000 example questions) about two minutes, and as Python dictionaries per
question 1.3 GB. The tokens depend only on the knowledge, the lexicon and the
word-cutting dictionary, so they are worked out once per knowledge version and
kept as NumPy arrays (a CSR table of token ids per question, the questions'
text as UTF-8 bytes) in `<cache_dir>/index-<key>/`, memory-mapped when read
back: a few milliseconds, and only the pages a question touches become
resident. An edit replaces the rows of the labels it touched (`replaced`), and
what is derived from the rows (document frequencies, postings, phrasing counts)
is worked out from the old arrays by the rows taken off and added
(`derive_after_edit`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge.vocabulary import Aspect

FORMAT = 6
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

    def replaced(self, labels: Iterable[str], docs: Sequence[RawDoc]) -> tuple[DocTable, int]:
        """This table without the questions of `labels`, then with `docs`, in one copy of
        each array; and how many of its `grp_*` rows are kept ones (the rest are `docs`').
        A label's questions are kept
        together, so what stays is a few long runs, copied as slices: masking 870,000
        questions' tokens and 30 MB of text element by element took a quarter second, and
        an edit at 10,000 entries held three copies of the table at once instead of two."""
        dropped = set(labels)
        ids = [i for i, label in enumerate(self.labels) if label in dropped]
        added = replace(DocTable.empty(), tokens=self.tokens, labels=self.labels).plus(docs)
        ranges = self.label_ranges() if ids else {}
        cuts = sorted(ranges[label] for label in dropped if label in ranges)
        spans, at = [], 0
        for start, end in cuts:
            if start > at:
                spans.append((at, start))
            at = max(at, end)
        if at < len(self):
            spans.append((at, len(self)))
        doc_ptr, text_ptr = np.asarray(self.doc_ptr), np.asarray(self.text_ptr)

        def docs_of(values: npt.NDArray[Any], new: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return np.concatenate([values[:0], *(values[a:b] for a, b in spans), new])

        def flat(values: npt.NDArray[Any], ptr: I64, new: npt.NDArray[Any]) -> npt.NDArray[Any]:
            kept = (values[ptr[a] : ptr[b]] for a, b in spans)
            return np.concatenate([values[:0], *kept, new])

        def pointers(ptr: I64, new: I64) -> I64:
            lengths = docs_of(np.diff(ptr), np.diff(new))
            return np.concatenate([np.zeros(1, np.int64), np.cumsum(lengths, dtype=np.int64)])

        keep_group = ~np.isin(self.grp_label, ids) if ids else slice(None)

        def groups(values: npt.NDArray[Any], new: npt.NDArray[Any]) -> npt.NDArray[Any]:
            return np.concatenate([np.asarray(values)[keep_group], new])

        table = DocTable(
            added.tokens,
            added.labels,
            docs_of(np.asarray(self.doc_label), added.doc_label),
            docs_of(np.asarray(self.doc_aspect), added.doc_aspect),
            pointers(doc_ptr, added.doc_ptr),
            flat(np.asarray(self.doc_tok), doc_ptr, added.doc_tok),
            pointers(text_ptr, added.text_ptr),
            flat(np.asarray(self.text), text_ptr, added.text),
            groups(self.grp_label, added.grp_label),
            groups(self.grp_aspect, added.grp_aspect),
            groups(self.grp_tok, added.grp_tok),
            groups(self.grp_count, added.grp_count),
        )
        return table, len(table.grp_label) - len(added.grp_label)

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

    def rows(self, labels: Iterable[str]) -> list[tuple[str, Aspect | None, str]]:
        """The questions of `labels` as kept: label, aspect and normalised text, in order."""
        ranges = self.label_ranges()
        out: list[tuple[str, Aspect | None, str]] = []
        for label in sorted(labels, key=lambda la: ranges.get(la, (0, 0))):
            start, end = ranges.get(label, (0, 0))
            for i in range(start, end):
                aspect, text, _ = self.doc(i)
                out.append((label, aspect, text))
        return out

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


Derived = dict[str, npt.NDArray[Any]]


def _label_rank(labels: list[str]) -> I64:
    """Each label's place in id order (postings list entries in that order)."""
    rank = np.zeros(len(labels) or 1, np.int64)
    rank[np.argsort(np.array(labels or [""]), kind="stable")] = np.arange(len(labels) or 1)
    return rank


def _pairs(table: DocTable, rows: npt.NDArray[np.bool_], rank: I64) -> tuple[I64, I64]:
    """Per (token, entry) in `rows`: its code (token × labels + rank) and question count."""
    tok = np.asarray(table.grp_tok)[rows].astype(np.int64)
    label = np.asarray(table.grp_label)[rows]
    counts = np.asarray(table.grp_count)[rows].astype(np.int64)
    pairs, inverse = np.unique(tok * len(rank) + rank[label], return_inverse=True)
    return pairs, np.bincount(inverse, weights=counts, minlength=len(pairs)).astype(np.int64)


def _phrasing_sums(
    table: DocTable, rows: npt.NDArray[np.bool_], is_entry: npt.NDArray[np.bool_], complaint: int
) -> dict[tuple[int, int], npt.NDArray[np.int64]]:
    """The phrasing models' counts over `rows`, per (kind, key), dense by token: kind 0 sums
    entries' questions by aspect, kind 1 every question by whether it is a complaint."""
    n_tokens = max(len(table.tokens), 1)
    tok = np.asarray(table.grp_tok)[rows]
    label = np.asarray(table.grp_label)[rows]
    counts = np.asarray(table.grp_count)[rows].astype(np.int64)
    aspect = np.asarray(table.grp_aspect)[rows]
    entry_rows = is_entry[label] if len(label) else np.zeros(0, bool)
    out: dict[tuple[int, int], npt.NDArray[np.int64]] = {}
    for kind, keep, keys in (
        (0, entry_rows, aspect.astype(np.int64)),
        (1, np.ones(len(label), bool), (label == complaint).astype(np.int64)),
    ):
        for key in np.unique(keys[keep]).tolist():
            sub = keep & (keys == key)
            out[(kind, int(key))] = np.bincount(
                tok[sub], weights=counts[sub], minlength=n_tokens
            ).astype(np.int64)
    return out


def _finish(
    n_tokens: int,
    df: I64,
    codes: I64,
    pair_count: I64,
    rank: I64,
    phrasing: dict[tuple[int, int], npt.NDArray[np.int64]],
) -> Derived:
    order = np.argsort(rank)
    kinds, keys, toks, sums = [], [], [], []
    for (kind, key), summed in sorted(phrasing.items()):
        present = np.flatnonzero(summed)
        kinds.append(np.full(len(present), kind, np.int8))
        keys.append(np.full(len(present), key, np.int8))
        toks.append(present.astype(np.int32))
        sums.append(summed[present])
    return {
        "df": df,
        "tok_ptr": np.searchsorted(codes // len(rank), np.arange(n_tokens + 1)).astype(np.int64),
        "pair_label": order[codes % len(rank)].astype(np.int32),
        "pair_count": pair_count.astype(np.int32),
        "phrasing_kind": np.concatenate([np.zeros(0, np.int8), *kinds]),
        "phrasing_key": np.concatenate([np.zeros(0, np.int8), *keys]),
        "phrasing_tok": np.concatenate([np.zeros(0, np.int32), *toks]),
        "phrasing_count": np.concatenate([np.zeros(0, np.int64), *sums]),
    }


def derive(table: DocTable, is_entry: npt.NDArray[np.bool_], complaint: str) -> Derived:
    """What the index derives from the table, summed over its per-label token counts:
    document frequencies, the postings (per token, the entries using it and how often),
    and the phrasing models' counts (every token: the index leaves out names of services)."""
    n_tokens = max(len(table.tokens), 1)
    counts = np.asarray(table.grp_count, dtype=np.int64)
    df = np.bincount(np.asarray(table.grp_tok), weights=counts, minlength=n_tokens)
    label = np.asarray(table.grp_label)
    entry_rows = is_entry[label] if len(label) else np.zeros(0, bool)
    rank = _label_rank(table.labels)
    codes, pair_count = _pairs(table, entry_rows, rank)
    complaint_id = table.labels.index(complaint) if complaint in table.labels else -1
    everything = np.ones(len(label), bool)
    phrasing = _phrasing_sums(table, everything, is_entry, complaint_id)
    return _finish(n_tokens, df.astype(np.int64), codes, pair_count, rank, phrasing)


def derive_after_edit(
    old: DocTable,
    old_is_entry: npt.NDArray[np.bool_],
    derived: Derived,
    new: DocTable,
    is_entry: npt.NDArray[np.bool_],
    dropped: set[str],
    kept_groups: int,
    complaint: str,
) -> Derived:
    """`derive(new)`, worked out from `old`'s arrays rather than summed again: `new` is `old`
    without the rows of the `dropped` labels, then `kept_groups` rows on, the labels'
    new rows. Their counts are taken off and added on, and the new (token, entry) pairs
    merged into the sorted ones — no sort of millions of rows (0.5 s at 10,000 entries)."""
    n_tokens = max(len(new.tokens), 1)
    dropped_ids = [i for i, label in enumerate(old.labels) if label in dropped]
    gone = np.isin(np.asarray(old.grp_label), dropped_ids)
    added = np.zeros(len(new.grp_label), bool)
    added[kept_groups:] = True
    complaint_id = new.labels.index(complaint) if complaint in new.labels else -1

    def padded(values: npt.NDArray[Any]) -> I64:
        return np.concatenate(
            [np.asarray(values, np.int64), np.zeros(n_tokens - len(values), np.int64)]
        )

    df = padded(derived["df"])
    for sign, table, rows in ((-1, old, gone), (1, new, added)):
        counts = np.asarray(table.grp_count)[rows].astype(np.int64)
        df += sign * padded(np.bincount(np.asarray(table.grp_tok)[rows], weights=counts))

    # Postings: the old pairs minus the dropped labels', re-coded with the new label ranks
    # (adding labels keeps the old ones' relative order, so the codes stay sorted), and the
    # new pairs inserted where they belong (they are the dropped labels', so never equal).
    rank = _label_rank(new.labels)
    tok_ptr = np.asarray(derived["tok_ptr"])
    pair_label = np.asarray(derived["pair_label"])
    pair_tok = np.repeat(np.arange(len(tok_ptr) - 1, dtype=np.int64), np.diff(tok_ptr))
    keep = ~np.isin(pair_label, dropped_ids)
    kept = pair_tok[keep] * len(rank) + rank[pair_label[keep]]
    kept_count = np.asarray(derived["pair_count"], np.int64)[keep]
    label = np.asarray(new.grp_label)
    fresh, fresh_count = _pairs(new, added & is_entry[label], rank)
    at = np.searchsorted(kept, fresh)
    codes = np.insert(kept, at, fresh)
    pair_count = np.insert(kept_count, at, fresh_count)

    phrasing: dict[tuple[int, int], npt.NDArray[np.int64]] = {}
    kind, key = np.asarray(derived["phrasing_kind"]), np.asarray(derived["phrasing_key"])
    tok, count = np.asarray(derived["phrasing_tok"]), np.asarray(derived["phrasing_count"])
    for k, v in set(zip(kind.tolist(), key.tolist(), strict=True)):
        rows = (kind == k) & (key == v)
        dense = np.zeros(n_tokens, np.int64)
        dense[tok[rows]] = count[rows]
        phrasing[(k, v)] = dense
    old_complaint = old.labels.index(complaint) if complaint in old.labels else -1
    for sign, table, rows, entries, complaint_at in (
        (-1, old, gone, old_is_entry, old_complaint),
        (1, new, added, is_entry, complaint_id),
    ):
        for group, summed in _phrasing_sums(table, rows, entries, complaint_at).items():
            base = phrasing.setdefault(group, np.zeros(n_tokens, np.int64))
            base += sign * padded(summed)
    return _finish(n_tokens, df, codes, pair_count, rank, phrasing)


@dataclass(frozen=True)
class CutterState:
    """The word-cutting dictionary's additions: each added word's final frequency, and the
    total, so that reloading it costs dictionary assignments rather than jieba's `add_word`
    (which cuts every word again to suggest its frequency)."""

    words: tuple[str, ...]
    freqs: tuple[int, ...]
    total: int


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
