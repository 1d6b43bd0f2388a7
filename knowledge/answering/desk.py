"""The enquiry desk: a knowledge snapshot, its matcher, and the unanswered log.

The console chat, `sunshine ask`, the Telegram bot and the web all talk to a `Desk`,
so a question gets the same answer whichever way it arrives. Long-running processes
hold a `LiveDesk`, which swaps in a new desk when reviewers publish a change.
"""

from __future__ import annotations

import asyncio
import copy
import ctypes
import functools
import gc
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, func
from sqlmodel import select

from knowledge.answering.answers import Card, render_plain, reply_for
from knowledge.base import store
from knowledge.base.catalogue import Catalogue
from knowledge.base.schema import Entry
from knowledge.db.engine import ensure_schema, open_session
from knowledge.db.models import EntryRecord, EntryRevision
from knowledge.matching.calibration import Calibration, load_calibration
from knowledge.matching.decide import Matcher
from knowledge.matching.lexicon import Lexicon, load_lexicon
from knowledge.matching.match import Decision, DecisionPath, Match
from knowledge.matching.model import LearnedModel, load_model
from knowledge.staff.unanswered import AskedTally, tally_for

log = logging.getLogger(__name__)

ANSWER_CACHE_SIZE = 4096
# Questions the desk could not place are recorded for staff (not small talk or referrals).
UNANSWERED = frozenset({DecisionPath.UNSURE, DecisionPath.UNKNOWN})


def prepare_database(engine: Engine) -> bool:
    """Migrate the schema and load the shipped knowledge into an empty database.

    Returns True when the shipped knowledge was loaded (a first run).
    """
    ensure_schema(engine)
    with open_session(engine) as session:
        if store.count_entries(session=session):
            return False
        store.save_entries(
            store.shipped_entries(),
            session=session,
            author=store.SHIPPED_AUTHOR,
            source="shipped knowledge",
        )
        session.commit()
    log.info("loaded the shipped knowledge into a new database")
    return True


def catalogue_of(engine: Engine) -> Catalogue:
    """The database's knowledge as a desk holds it: every entry's summary, each full entry
    read when a reply needs it (`knowledge.base.catalogue`)."""
    return Catalogue(store.load_summaries(engine), functools.partial(store.fetch_entries, engine))


@dataclass(frozen=True)
class Reply:
    """A question's match and the card that answers it."""

    match: Match
    card: Card


class Desk:
    """Answers questions from one snapshot of the knowledge base."""

    def __init__(
        self,
        entries: Sequence[Entry] | Catalogue,
        *,
        engine: Engine | None = None,
        cache_dir: Path | None = None,
        lexicon: Lexicon | None = None,
        calibration: Calibration | None = None,
        model: LearnedModel | Literal["shipped"] | None = "shipped",
        matcher: Matcher | None = None,
    ) -> None:
        self.engine = engine
        self.entries = Catalogue.of(entries)
        # Answers given, counted in memory and written once a minute (this week's most asked).
        self.asked: AskedTally | None = tally_for(engine) if engine is not None else None
        self.matcher = matcher or Matcher(
            self.entries,
            lexicon or load_lexicon(),
            calibration or load_calibration(),
            model=load_model() if model == "shipped" else model,
            cache_dir=cache_dir,
        )
        # Residents ask the same few hundred questions over and over; the knowledge
        # is fixed for the desk's lifetime, so an exact repeat reuses its match.
        self._reply = functools.lru_cache(maxsize=ANSWER_CACHE_SIZE)(self._compose)

    @classmethod
    def from_database(
        cls,
        engine: Engine,
        *,
        cache_dir: Path | None = None,
        model: LearnedModel | Literal["shipped"] | None = "shipped",
    ) -> Desk:
        """A desk over the current knowledge in the database (created on first use)."""
        prepare_database(engine)
        return cls(catalogue_of(engine), engine=engine, cache_dir=cache_dir, model=model)

    def updated(self, entries: Sequence[Entry] | Catalogue) -> Desk:
        """A desk over edited knowledge with this one's model, lexicon and database, its
        matcher updated rather than rebuilt (`Matcher.updated`): an edit of one entry among
        10,000 reaches residents in well under a second instead of minutes."""
        catalogue = Catalogue.of(entries)
        return Desk(catalogue, engine=self.engine, matcher=self.matcher.updated(catalogue))

    def using(self, engine: Engine) -> Desk:
        """The same knowledge and matcher, recording to another database.

        Building a matcher takes a few hundred milliseconds; tests and tools that
        need many databases share one.
        """
        other = copy.copy(self)
        other.engine = engine
        other.asked = tally_for(engine)
        return other

    def _compose(self, question: str) -> Reply:
        match = self.matcher.match(question)
        return Reply(match, reply_for(match, self.entries))

    def ask(self, question: str, *, record: bool = True) -> Reply:
        """Match a question and compose its reply; log it for staff if unanswered.

        `record=False` leaves the unanswered log to the caller (the web writes it off
        its event loop); the answered count is in memory and always kept.
        """
        reply = self._reply(question)
        match = reply.match
        if match.decision is Decision.ABSTAIN and match.path in UNANSWERED:
            if record:
                self.record_unanswered(match)
        elif match.entry and match.decision is Decision.ANSWER and self.asked:
            self.asked.add(match.entry, match.aspect)
        return reply

    def as_json(self, reply: Reply) -> dict[str, Any]:
        """The reply as `sunshine ask --json` prints it (and the web's /api/ask returns it)."""
        m = reply.match
        return {
            "intent": m.intent.value,
            "entry": m.entry,
            "aspect": m.aspect.value if m.aspect else None,
            "score": m.score,
            "text": render_plain(reply.card, self.entries),
            "alternatives": [
                {"entry": c.entry, "aspect": c.aspect.value if c.aspect else None, "score": c.score}
                for c in m.alternatives
            ],
            "decision": m.decision,
            "referral": m.referral.department if m.referral else None,
        }

    def cannot_answer(self) -> Card:
        """What the desk says when it cannot answer: what it can, the hotline."""
        return reply_for(Match.unanswered(""), self.entries)

    def record_unanswered(self, match: Match) -> None:
        """Store the question so staff see what residents could not get answered."""
        if self.engine is None or not match.question.strip():
            return
        guess = match.alternatives[0] if match.alternatives else None
        with open_session(self.engine) as session:
            store.record_unanswered(
                match.question,
                self.matcher.normalise(match.question),
                session=session,
                best_guess=guess.entry if guess else None,
                best_score=guess.score if guess else None,
            )
            session.commit()


# --- the desk over the newest published knowledge ------------------------------------------
# The desk over the newest published knowledge, for long-running processes.

# A bot or a web server builds its desk once, then keeps asking the database a
# one-row question — the newest revision id and the number of entries — every
# few seconds. When a reviewer approves a change (in this process, another
# process, or with `sunshine kb import`), the answer changes, a new desk is
# built off the event loop and swapped in whole: a question in flight finishes
# on the old one, the next one gets the new text. No restart, no message bus.


Version = tuple[int, int]


def _give_back_memory() -> None:
    """Hand the memory an edit used and freed back to the system: glibc keeps freed heap
    pages for reuse, and at 10,000 entries an edit leaves ~150 MB resident otherwise."""
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: nothing to ask
        return
    libc.malloc_trim(0)


def knowledge_version(engine: Engine) -> Version:
    """Changes whenever any entry is saved, added, rolled back or deleted."""
    with open_session(engine) as session:
        newest = session.exec(select(func.max(EntryRevision.id))).one()
        count = session.exec(select(func.count()).select_from(EntryRecord)).one()
    return int(newest or 0), int(count)


@dataclass
class LiveDesk:
    """Holds the current desk; `refresh` swaps in a new one when the knowledge changed.

    `build` makes a desk from the database's catalogue (the caller decides the model, the
    cache folder); it is called once, at start. A change is applied by `Desk.updated`
    (only the entries the edit saved are read), and the updated index is saved for the
    next start.
    """

    engine: Engine
    build: Callable[[Catalogue], Desk]
    desk: Desk
    version: Version
    listeners: list[Callable[[Desk], None]]
    # One refresh at a time: the watcher's and a reviewer's publication may both see a change.
    _refreshing: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def start(cls, engine: Engine, build: Callable[[Catalogue], Desk]) -> LiveDesk:
        version = knowledge_version(engine)
        return cls(engine, build, build(catalogue_of(engine)), version, [])

    def refresh(self) -> bool:
        """Rebuild the desk if the published knowledge changed; True when it did."""
        with self._refreshing:
            return self._refresh()

    def _refresh(self) -> bool:
        version = knowledge_version(self.engine)
        if version == self.version:
            return False
        with open_session(self.engine) as session:
            changed = store.entries_changed_since(self.version[0], session=session)
        catalogue = self.desk.entries.patched(changed)
        if len(catalogue) != version[1]:  # a deletion without a revision: read them all
            catalogue = catalogue_of(self.engine)
        self.desk = self.desk.updated(catalogue)
        self.version = version
        log.info("knowledge changed (revision %d, %d entries): desk updated", *version)
        for listener in self.listeners:
            listener(self.desk)
        index = self.desk.matcher.index
        index.save()  # after the swap: residents do not wait for the disk
        index.remap()  # and the arrays built in memory give way to the file's
        gc.collect()  # the old index's caches refer to it: free it now, not some time later
        _give_back_memory()
        return True

    async def watch(self, every: float) -> None:
        """Refresh every `every` seconds until cancelled (an error is logged, not fatal)."""
        while True:
            await asyncio.sleep(every)
            try:
                await asyncio.to_thread(self.refresh)
            except Exception:
                log.exception("could not check the knowledge for changes")
