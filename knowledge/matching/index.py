"""The matcher's index of one knowledge snapshot, and reading a question against it.

Built once per knowledge snapshot: the vocabulary of terms and cues (entry
aliases and synonyms, other departments' topics, aspect, complaint, contact and
small-talk cues), the tf-idf vectors of every example question, the postings
that pick candidate entries, and the phrasing models. `read` turns a question
into tokens and term evidence: normalised (`normalise`), its terms spotted
exactly, by sound or with one wrong character (`terms`), the rest cut by jieba
(`segment`).
"""

from __future__ import annotations

import copy
import functools
import json
import math
import pickle
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from knowledge.base.catalogue import Catalogue, Summary
from knowledge.base.schema import Entry
from knowledge.matching import index_store as store
from knowledge.matching.lexicon import Lexicon
from knowledge.matching.normalise import Normaliser
from knowledge.matching.phrasing import PhrasingModel
from knowledge.matching.pinyin import PinyinReader, load_table
from knowledge.matching.segment import WordCutter
from knowledge.matching.terms import Hit, How, TermSpotter, Words
from knowledge.vocabulary import Aspect

# A token found in more entries than this says nothing about which entry is meant.
MAX_ENTRY_DF = 400
# A word in the example questions of this share of the entries (and at least this
# many) is generic: it cannot by itself make a question look like an entry's.
GENERIC_SHARE = 0.3
GENERIC_MIN_ENTRIES = 4
TOPIC_ORDER_DISCOUNT = 0.01
# A cue at least this strong counts as "asked"; misspelt two-character cues must be this strong.
STRONG_CUE = 0.8

# Labels of the index: an entry, another department, an aspect cue, and the intents.
ENTRY = "e:"
REFERRAL = "r:"
ASPECT = "a:"
BUREAU = "bureau"
COMPLAINT = "complaint"
CONTACT = "contact"
SMALLTALK = "smalltalk"


# One example question as the similarity stage reads it: aspect, text, tokens, tf-idf norm.
Doc = tuple[Aspect | None, str, tuple[str, ...], float]
# Labels whose questions are kept ready in memory (each about 90 questions at most).
DOC_CACHE_LABELS = 4096


@dataclass
class Reading:
    """What a question says: its tokens and the terms and cues found in it."""

    text: str
    tokens: list[str]
    phrasing: frozenset[str]
    found: tuple[str, ...]
    entry_terms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    referral_terms: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    bureau: list[float] = field(default_factory=list)
    cue: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    hits: tuple[Hit, ...] = ()  # topic hits, then cue hits, where they were found
    cue_from: int = 0  # hits[cue_from:] are cue hits


class Index:
    """The index of one snapshot of the knowledge base (read-only once built).

    The tokens of every example question are kept in a `DocTable` saved beside the
    other caches, one file per knowledge version (`index_store`): a process that
    finds the file for its knowledge loads it instead of tokenising again, and an
    edit (`updated`) tokenises only the questions it can have changed.
    """

    def __init__(
        self,
        entries: Sequence[Entry] | Catalogue,
        lexicon: Lexicon,
        *,
        cache_dir: Path | None = None,
    ) -> None:
        catalogue = Catalogue.of(entries)
        self.lexicon = lexicon
        self.cache_dir = cache_dir
        self.norm = Normaliser(lexicon.colloquial)
        self.reader = PinyinReader(load_table(cache_dir))
        self.stop = frozenset(self.norm.normalise(w, limit=None) for w in lexicon.stopwords)
        self._normalised: dict[str, str] = {}
        self._setting = _setting(lexicon)
        self.digests = [s.digest for s in catalogue.summaries()]
        self.key = store.index_key(self.digests, self._setting)
        saved = store.load(cache_dir, self.key) if cache_dir is not None else None
        if saved is not None:
            self.table = saved.table
            self.cutter = WordCutter(cache_dir=cache_dir, state=saved.cutter)
            self._restore_vocabulary(catalogue, saved.vocabulary)
            self._derive(saved.derived)
        else:
            self._vocabulary(catalogue)
            self.cutter = WordCutter(self._extra_words(), cache_dir=cache_dir)
            raw = self._raw(catalogue)
            self.table = store.DocTable.empty().plus(self._tokenised(raw))
            self._derive()
            self.save()

    def save(self) -> None:
        """Keep this index for the next process (a no-op without a cache)."""
        if self.cache_dir is not None:
            store.save(
                self.cache_dir,
                self.key,
                self.table,
                self.cutter.state(),
                self._derived,
                self._vocabulary_state(),
            )

    def remap(self) -> None:
        """Serve the arrays from this index's file rather than from memory (the same values).

        An edit builds the table anew in memory (about 120 MB at 10,000 entries); once it
        is saved, the file's pages serve instead, shared with the page cache and read on
        demand, and the copies are freed. A question in flight keeps the arrays it holds.
        """
        saved = store.load(self.cache_dir, self.key) if self.cache_dir is not None else None
        if saved is None:
            return
        self.table = saved.table
        self._derived = saved.derived
        self._pair_count = saved.derived["pair_count"]
        self._pair_label = saved.derived["pair_label"]
        self._tok_ptr = np.asarray(saved.derived["tok_ptr"])

    def _vocabulary_state(self) -> bytes:
        """The terms, cues and spotters, pickled: they depend only on what the index key
        covers, and the file is written by this code into the desk's own cache folder.
        The names' normalised forms go too: an edit builds the vocabulary again, and
        normalising 30,000 names costs 0.35 s."""
        state = {
            "normalised": self._normalised,
            "topics": self.topics,
            "canonical": self.canonical,
            "cues": self.cues,
            "topic_spotter": self.topic_spotter.state(),
            "cue_spotter": self.cue_spotter.state(),
        }
        return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)

    def _restore_vocabulary(self, catalogue: Catalogue, blob: bytes) -> None:
        state = pickle.loads(blob)  # our own cache file: see _vocabulary_state
        self.entries = catalogue
        self._normalised.update(state["normalised"])
        self.topics: dict[str, dict[str, float]] = state["topics"]
        self.canonical: dict[str, str] = state["canonical"]
        self.cues: dict[str, dict[str, float]] = state["cues"]
        self.topic_spotter = TermSpotter.restored(state["topic_spotter"], self.reader)
        self.cue_spotter = TermSpotter.restored(state["cue_spotter"], self.reader)
        self.topic_tokens = frozenset(self.canonical.values())

    def updated(self, entries: Sequence[Entry] | Catalogue) -> Index:
        """The index of `entries`, made from this one: only the labels whose questions can
        tokenise differently are tokenised again — the entries that changed (their example
        questions read from the entries), and any label with a question containing a term
        that appeared, disappeared or changed meaning (read back from the table: the text
        kept there is what tokenising starts from)."""
        catalogue = Catalogue.of(entries)
        new = copy.copy(self)
        new._vocabulary(catalogue, self)
        before = dict(zip(self.entries, self.digests, strict=True))
        summaries = catalogue.summaries()
        new.digests = [s.digest for s in summaries]
        new.key = store.index_key(new.digests, self._setting)
        changed = {s.id for s in summaries if before.get(s.id) != s.digest}
        gone = set(self.entries) - set(new.entries)
        terms = _term_kinds(self) ^ _term_kinds(new)
        touched = self.table.containing({term for term, _, _ in terms}) - changed - gone
        new.cutter = self.cutter.updated(new._extra_words())
        fresh = new._tokenised(new._raw(catalogue, only=changed))
        kept = new._tokenised(self.table.rows(touched), normalised=True)
        dropped = changed | gone | touched
        new.table, kept_groups = self.table.replaced(dropped, [*fresh, *kept])
        new._derive(
            store.derive_after_edit(
                self.table,
                self._entry_labels(),
                self._derived,
                new.table,
                new._entry_labels(),
                dropped,
                kept_groups,
                COMPLAINT,
            )
        )
        return new

    def n(self, text: str) -> str:
        """A name or cue normalised (remembered: an edit builds the vocabulary again)."""
        known = self._normalised.get(text)
        if known is None:
            known = self._normalised[text] = self.norm.normalise(text, limit=None)
        return known

    def _vocabulary(self, catalogue: Catalogue, before: Index | None = None) -> None:
        """The terms and cues of `catalogue` and their spotters (updated from `before`'s)."""
        self.entries = catalogue
        self.topics = defaultdict(dict)
        self.canonical = {}
        self.cues = defaultdict(dict)
        self._build_vocabulary(catalogue.summaries())
        entry_terms = [
            t for t, keys in self.topics.items() if any(k.startswith(ENTRY) for k in keys)
        ]
        if before is None:
            self.topic_spotter = TermSpotter(self.topics, self.reader, typo_terms=entry_terms)
            self.cue_spotter = TermSpotter(self.cues, self.reader)
        else:
            spotter = before.topic_spotter
            self.topic_spotter = spotter.updated(self.topics, typo_terms=entry_terms)
            self.cue_spotter = before.cue_spotter.updated(self.cues)
        self.topic_tokens = frozenset(self.canonical.values())

    def _extra_words(self) -> list[str]:
        return [*self.topics, *self.cues]

    def _add_topic(self, term: str, key: str, weight: float, canonical: str | None = None) -> None:
        term = self.n(term)
        if not term:
            return
        known = self.topics[term].get(key, 0.0)
        self.topics[term][key] = max(known, weight)
        self.canonical.setdefault(term, self.n(canonical) if canonical else term)

    def _build_vocabulary(self, entries: Sequence[Summary]) -> None:
        for entry in entries:
            key = ENTRY + entry.id
            self._add_topic(entry.title, key, 1.0)
            for alias in entry.aliases:
                self._add_topic(alias, key, 1.0)
            for synonym in entry.synonyms:
                self._add_topic(synonym.term, key, 0.9, canonical=synonym.means)
        # A term several entries share is weaker evidence for each of them.
        for targets in self.topics.values():
            shared = [k for k in targets if k.startswith(ENTRY)]
            if len(shared) > 1:
                for k in shared:
                    targets[k] /= math.sqrt(len(shared))
        for term, weight in self.lexicon.bureau_terms.items():
            self._add_topic(term, BUREAU, weight)
        for referral in self.lexicon.referrals:
            for term, weight in referral.terms.items():
                self._add_topic(term, REFERRAL + referral.key, weight)
        for aspect, cues in self.lexicon.aspects.items():
            for term, weight in cues.terms.items():
                self.cues[self.n(term)][ASPECT + aspect.value] = weight
        for name, cueset in (
            (COMPLAINT, self.lexicon.complaint),
            (CONTACT, self.lexicon.contact),
            (SMALLTALK, self.lexicon.smalltalk),
        ):
            for term, weight in cueset.terms.items():
                self.cues[self.n(term)][name] = weight

    def _raw(
        self, catalogue: Catalogue, *, only: set[str] | None = None
    ) -> list[tuple[str, Aspect | None, str]]:
        """Every example question with its label and aspect, a label's questions together;
        with `only`, just those labels' (an edit reads only the entries it changed)."""
        raw: list[tuple[str, Aspect | None, str]] = []
        wanted = None if only is None else [i for i in catalogue if i in only]
        for entry in catalogue.entries(wanted):
            raw.extend((entry.id, None, q) for q in entry.questions)
            for aspect, questions in entry.aspect_questions.items():
                raw.extend((entry.id, aspect, q) for q in questions)
        for name, cueset in (
            (COMPLAINT, self.lexicon.complaint),
            (CONTACT, self.lexicon.contact),
        ):
            if only is None or name in only:
                raw.extend((name, None, q) for q in cueset.examples)
        for referral in self.lexicon.referrals:
            label = REFERRAL + referral.key
            if only is None or label in only:
                raw.extend((label, None, q) for q in referral.examples)
        return raw

    def _tokenised(
        self, raw: Sequence[tuple[str, Aspect | None, str]], *, normalised: bool = False
    ) -> list[tuple[str, Aspect | None, str, set[str]]]:
        out = []
        for label, aspect, text in raw:
            # Not remembered (`n` is for names): 870,000 questions would fill the cache.
            normal = text if normalised else self.norm.normalise(text, limit=None)
            out.append((label, aspect, normal, set(self.tokens(normal, exact=True)[0])))
        return out

    def _derive(self, saved: dict[str, npt.NDArray[Any]] | None = None) -> None:
        """Everything the questions' tokens imply: idf, postings, generic words, the
        phrasing models — from the index file, or summed over the table's per-label
        token counts."""
        table = self.table
        tokens = table.tokens
        self.ranges = table.label_ranges()
        derived = (
            saved if saved is not None else store.derive(table, self._entry_labels(), COMPLAINT)
        )
        self._derived = derived
        df = np.asarray(derived["df"])
        n = max(len(table), 1)
        present = np.flatnonzero(df)
        self.idf = {
            tokens[t]: math.log(1.0 + n / d)
            for t, d in zip(present.tolist(), df[present].tolist(), strict=True)
        }
        self._pair_count = derived["pair_count"]
        self._pair_label = derived["pair_label"]
        self._tok_ptr = np.asarray(derived["tok_ptr"])
        self._token_id = {t: i for i, t in enumerate(tokens)}
        entry_df = np.diff(self._tok_ptr)
        # Words found in the questions of many entries (到底, 这个, 办理) say nothing of
        # which entry, or which other department, a question is about.
        spread = max(GENERIC_MIN_ENTRIES, GENERIC_SHARE * len(self.entries))
        self.generic = frozenset(tokens[t] for t in np.flatnonzero(entry_df >= spread))
        self._postings: dict[str, tuple[str, ...]] = {}
        self._shares: dict[tuple[str, str], float | None] = {}

        aspects: dict[Aspect | None, dict[str, int]] = {}
        complaint: dict[bool, dict[str, int]] = {}
        kind = np.asarray(derived["phrasing_kind"])
        key = np.asarray(derived["phrasing_key"])
        tok = np.asarray(derived["phrasing_tok"])
        count = np.asarray(derived["phrasing_count"])
        for k, out in ((0, aspects), (1, complaint)):
            rows = kind == k
            keys, toks, counts = key[rows], tok[rows], count[rows]
            for value in np.unique(keys).tolist():
                sub = keys == value
                label: Any = bool(value) if k else store.aspect_of(int(value))
                # The names of services are not phrasing: 低保 says nothing of "how much".
                out[label] = {
                    tokens[t]: c
                    for t, c in zip(toks[sub].tolist(), counts[sub].tolist(), strict=True)
                    if tokens[t] not in self.topic_tokens
                }
        self.aspect_model: PhrasingModel[Aspect | None] = PhrasingModel.from_counts(aspects)
        self.complaint_model: PhrasingModel[bool] = PhrasingModel.from_counts(complaint)
        self._docs = functools.lru_cache(maxsize=DOC_CACHE_LABELS)(self._label_docs)

    def _entry_labels(self) -> npt.NDArray[np.bool_]:
        """Which of the table's labels are entries (the rest: departments, intents)."""
        return np.array([label in self.entries for label in self.table.labels] or [False])

    def postings(self, token: str) -> tuple[str, ...]:
        """The entries whose questions use `token`, by id; none if too many do."""
        known = self._postings.get(token)
        if known is None:
            t = self._token_id.get(token)
            known = ()
            if t is not None:
                start, end = int(self._tok_ptr[t]), int(self._tok_ptr[t + 1])
                if end - start <= MAX_ENTRY_DF:
                    labels = self.table.labels
                    known = tuple(labels[i] for i in self._pair_label[start:end].tolist())
            self._postings[token] = known
        return known

    def own_share(self, term: str, key: str) -> float | None:
        """For an entry term, the share of example questions using it that belong to its entry.

        低保户 often appears in other entries' questions as the asker's status
        (低保户看病能报多少), so it is weaker evidence for 低保 than 低保 itself.
        """
        if not key.startswith(ENTRY):
            return None
        found = self._shares.get((term, key), -1.0)
        if found != -1.0:
            return found
        share: float | None = None
        t = self._token_id.get(self.canonical[term])
        if t is not None:
            start, end = int(self._tok_ptr[t]), int(self._tok_ptr[t + 1])
            labels = self.table.labels
            owners = [labels[i] for i in self._pair_label[start:end].tolist()]
            uses = self._pair_count[start:end].tolist()
            total = sum(uses)
            if total:
                share = sum(c for o, c in zip(owners, uses, strict=True) if o == key[2:]) / total
        self._shares[(term, key)] = share
        return share

    def docs(self, label: str) -> list[Doc]:
        """A label's example questions, ready for the similarity stage."""
        return self._docs(label)

    def _label_docs(self, label: str) -> list[Doc]:
        start, end = self.ranges.get(label, (0, 0))
        idf = self.idf
        out: list[Doc] = []
        for i in range(start, end):
            aspect, text, tokens = self.table.doc(i)
            norm = math.sqrt(sum(idf[t] * idf[t] for t in tokens)) or 1.0
            out.append((aspect, text, tuple(tokens), norm))
        return out

    def phrasing(self, tokens: Iterable[str]) -> frozenset[str]:
        """The words of a question other than the names of services."""
        return frozenset(t for t in tokens if t not in self.topic_tokens)

    def tokens(self, text: str, *, exact: bool = False) -> tuple[list[str], list[Hit], list[Hit]]:
        """Canonical tokens of normalised text, and the topic and cue hits found.

        `exact` skips sound and typo matching: the knowledge's own example
        questions are spelt correctly, and indexing 10,000 entries is then
        several times faster.
        """
        words = None if exact else Words.of(self.cutter.pieces(text), self.cutter.is_word)
        topic_hits = self.topic_spotter.spot(text, words, exact=exact)
        cue_hits = self.cue_spotter.spot(text, words, exact=exact)
        return self._tokens(text, topic_hits, cue_hits), topic_hits, cue_hits

    def _tokens(self, text: str, topic_hits: list[Hit], cue_hits: list[Hit]) -> list[str]:
        """The words of `text`, each spotted term one canonical token, stopwords dropped."""
        spans: list[tuple[int, int, str]] = [
            (h.start, h.end, self.canonical[h.term]) for h in topic_hits
        ]
        taken = bytearray(len(text) + 1)
        for start, end, _ in spans:
            taken[start:end] = b"\x01" * (end - start)
        for h in cue_hits:
            if not any(taken[h.start : h.end]):
                spans.append((h.start, h.end, h.term))
        spans.sort()
        tokens: list[str] = []
        pos = 0
        for start, end, token in spans:
            if start > pos:
                tokens.extend(self.cutter.cut(text[pos:start]))
            tokens.append(token)
            pos = end
        if pos < len(text):
            tokens.extend(self.cutter.cut(text[pos:]))
        return [t for t in tokens if t not in self.stop]

    def read(self, question: str, *, shared_term_discount: float) -> Reading:
        """Normalise, spot and tokenise a question, and gather its term evidence."""
        text = self.norm.normalise(question)
        tokens, topic_hits, cue_hits = self.tokens(text)
        return self._reading(text, tokens, topic_hits, cue_hits, shared_term_discount)

    def read_part(
        self, whole: Reading, start: int, end: int, *, shared_term_discount: float
    ) -> Reading:
        """A part of a question already read (a long message's second question): the terms
        found in the whole that lie inside it, and its own words — no second spotting pass."""
        text = whole.text[start:end]

        def inside(hits: tuple[Hit, ...]) -> list[Hit]:
            return [
                Hit(h.term, h.start - start, h.end - start, h.how)
                for h in hits
                if start <= h.start and h.end <= end
            ]

        topic, cues = inside(whole.hits[: whole.cue_from]), inside(whole.hits[whole.cue_from :])
        tokens = self._tokens(text, topic, cues)
        return self._reading(text, tokens, topic, cues, shared_term_discount)

    def _reading(
        self,
        text: str,
        tokens: list[str],
        topic_hits: list[Hit],
        cue_hits: list[Hit],
        shared_term_discount: float,
    ) -> Reading:
        reading = Reading(
            text=text,
            tokens=tokens,
            phrasing=self.phrasing(tokens),
            found=tuple(h.term for h in (*topic_hits, *cue_hits)),
            hits=(*topic_hits, *cue_hits),
            cue_from=len(topic_hits),
        )
        for order, hit in enumerate(topic_hits):
            for key, weight in self.topics[hit.term].items():
                # The service named first is usually the subject (五保户 跟低保 一样吗):
                # later mentions weigh a little less, which only ever breaks ties.
                value = weight * hit.quality * (1.0 - TOPIC_ORDER_DISCOUNT * min(order, 3))
                own = self.own_share(hit.term, key)
                shared = 1.0 - (1.0 if own is None else own)
                value *= 1.0 - shared_term_discount * shared
                if key.startswith(ENTRY):
                    reading.entry_terms[key[len(ENTRY) :]].append(value)
                elif key.startswith(REFERRAL):
                    k = key[len(REFERRAL) :]
                    reading.referral_terms[k] = max(reading.referral_terms[k], value)
                else:
                    reading.bureau.append(value)
        for hit in cue_hits:
            for key, weight in self.cues[hit.term].items():
                if hit.how is not How.EXACT and len(hit.term) == 2 and weight < STRONG_CUE:
                    continue  # 待着 sounds like 带着, but a weak cue is not worth the risk
                reading.cue[key].append(weight * hit.quality)
        return reading

    def normalise(self, text: str) -> str:
        """The normalised form of `text` (for storage of unanswered questions)."""
        return self.norm.normalise(text)


def _setting(lexicon: Lexicon) -> str:
    """What besides the entries decides how questions tokenise: the lexicon and jieba."""
    import jieba

    from knowledge.matching.segment import TOP_WORDS, domain_words

    data = lexicon.model_dump(mode="json")
    data["stopwords"] = sorted(data["stopwords"])  # a set: its order changes per process
    words = "\n".join(domain_words())
    lexicon_json = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return f"{lexicon_json}\n{words}\n{jieba.__version__}\n{TOP_WORDS}"


def _term_kinds(index: Index) -> set[tuple[str, str, bool]]:
    """Each term with what it becomes in a question's tokens (an edit compares these)."""
    return {
        *((t, c, False) for t, c in index.canonical.items()),
        *((t, t, True) for t in index.cues if t not in index.canonical),
    }
