"""The knowledge a desk answers from: every entry's summary in memory, each full entry on demand.

Matching a question needs little of an entry: its names (title, aliases,
synonyms) for the vocabulary, which aspects it has, its menus, and a digest of
what the index reads (its example questions included) to find the index file.
Answering needs one whole entry — the one answered. At 10,000 entries the whole
entries are ~330 MB of JSON and take five seconds to parse; their summaries take
a few megabytes and a few hundred milliseconds. So a `Catalogue` holds every
`Summary` and reads a full `Entry` from the database the first time a reply
needs it, keeping the recently used ones. A catalogue made from entries already
in memory (`Catalogue.of`: the console, tests, `sunshine eval`) never reads.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from knowledge.base.schema import Entry, Synonym
from knowledge.vocabulary import Aspect, Category

# Bump when `entry_digest` or `Summary` change: stored summaries of another format are
# made again from their entries' documents at the next start.
SUMMARY_FORMAT = 1
# Full entries kept in memory after a reply needed them (the few dozen residents ask about).
FULL_ENTRIES_KEPT = 512

Fetch = Callable[[Sequence[str]], dict[str, Entry]]


def entry_digest(entry: Entry) -> str:
    """What of an entry the matcher reads: names, synonyms, aspects and example questions.

    Equal digests mean the entry tokenises and ranks the same, so it keys the index
    file (`index_store.index_key`) and tells an edit which entries it must read again.
    """
    data = {
        "id": entry.id,
        "title": entry.title,
        "aliases": entry.aliases,
        "synonyms": [(s.term, s.means) for s in entry.synonyms],
        "questions": entry.questions,
        "aspect_questions": {a.value: q for a, q in entry.aspect_questions.items()},
        "aspects": [a.value for a in entry.aspects],
    }
    return hashlib.sha1(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Summary:
    """What of an entry is held for every entry: enough to match and to list it."""

    id: str
    title: str
    category: Category
    menus: tuple[Category, ...]
    aliases: tuple[str, ...]
    synonyms: tuple[Synonym, ...]
    aspects: tuple[Aspect, ...]  # in the entry's order
    digest: str

    @classmethod
    def of(cls, entry: Entry) -> Summary:
        return cls(
            entry.id,
            entry.title,
            entry.category,
            tuple(entry.menus),
            tuple(entry.aliases),
            tuple(entry.synonyms),
            tuple(entry.aspects),
            entry_digest(entry),
        )

    def to_json(self) -> dict[str, Any]:
        """As stored beside the entry's document (`EntryRecord.summary`)."""
        return {
            "format": SUMMARY_FORMAT,
            "id": self.id,
            "title": self.title,
            "category": self.category.value,
            "menus": [m.value for m in self.menus],
            "aliases": list(self.aliases),
            "synonyms": [[s.term, s.means] for s in self.synonyms],
            "aspects": [a.value for a in self.aspects],
            "digest": self.digest,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Summary | None:
        """The stored summary; None when there is none or it is of another format."""
        if not data or data.get("format") != SUMMARY_FORMAT:
            return None
        return cls(
            data["id"],
            data["title"],
            Category(data["category"]),
            tuple(Category(m) for m in data["menus"]),
            tuple(data["aliases"]),
            tuple(Synonym(term=t, means=m) for t, m in data["synonyms"]),
            tuple(Aspect(a) for a in data["aspects"]),
            data["digest"],
        )


class Catalogue(Mapping[str, Entry]):
    """Every entry's summary, in the knowledge's order; `catalogue[id]` is the full entry.

    A full entry comes from the entries given (`held`) or from `fetch` (the database),
    whose answers are kept for the most recently used `FULL_ENTRIES_KEPT`. Iterating
    gives ids; code that lists many entries reads `summaries()`, never `values()`.
    """

    def __init__(
        self,
        summaries: Iterable[Summary],
        fetch: Fetch | None = None,
        held: Mapping[str, Entry] | None = None,
    ) -> None:
        self._summaries = {s.id: s for s in summaries}
        self._held = dict(held or {})
        self._fetch = fetch
        self._fetched = functools.lru_cache(maxsize=FULL_ENTRIES_KEPT)(self._fetch_one)

    @classmethod
    def of(cls, entries: Iterable[Entry] | Catalogue) -> Catalogue:
        """A catalogue of entries in memory (a catalogue is returned as it is)."""
        if isinstance(entries, Catalogue):
            return entries
        held = {e.id: e for e in entries}
        return cls((Summary.of(e) for e in held.values()), held=held)

    def _fetch_one(self, entry_id: str) -> Entry:
        if self._fetch is None:
            raise KeyError(entry_id)
        found = self._fetch([entry_id]).get(entry_id)
        if found is None:  # deleted since: the next knowledge check drops the summary
            raise KeyError(entry_id)
        return found

    def __getitem__(self, entry_id: str) -> Entry:
        if entry_id not in self._summaries:
            raise KeyError(entry_id)
        held = self._held.get(entry_id)
        return held if held is not None else self._fetched(entry_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._summaries)

    def __len__(self) -> int:
        return len(self._summaries)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._summaries

    def summary(self, entry_id: str) -> Summary:
        return self._summaries[entry_id]

    def summaries(self) -> list[Summary]:
        return list(self._summaries.values())

    def entries(self, ids: Iterable[str] | None = None, *, batch: int = 500) -> Iterator[Entry]:
        """Full entries — all, in the catalogue's order, or `ids`, in theirs — read in
        batches and not kept: building an index from scratch reads every question once."""
        wanted = [i for i in (self._summaries if ids is None else ids) if i in self._summaries]
        for start in range(0, len(wanted), batch):
            chunk = wanted[start : start + batch]
            missing = [i for i in chunk if i not in self._held]
            fetched = self._fetch(missing) if missing and self._fetch is not None else {}
            for entry_id in chunk:
                found = self._held.get(entry_id) or fetched.get(entry_id)
                if found is not None:
                    yield found

    def patched(self, changed: Mapping[str, Entry | None]) -> Catalogue:
        """This catalogue with entries saved (`Entry`) or deleted (None), in id order (the
        database's). The saved entries are held, so an index update reads their example
        questions without a fetch; a catalogue without `fetch` holds everything."""
        summaries = dict(self._summaries)
        for entry_id, entry in changed.items():
            if entry is None:
                summaries.pop(entry_id, None)
            else:
                summaries[entry_id] = Summary.of(entry)
        saved = {k: v for k, v in changed.items() if v is not None}
        kept = {k: v for k, v in self._held.items() if k not in changed}
        held = saved if self._fetch is not None else {**kept, **saved}
        return Catalogue([summaries[k] for k in sorted(summaries)], self._fetch, held)
