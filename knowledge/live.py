"""The desk over the newest published knowledge, for long-running processes.

A bot or a web server builds its desk once, then keeps asking the database a
one-row question — the newest revision id and the number of entries — every
few seconds. When a reviewer approves a change (in this process, another
process, or with `sunshine kb import`), the answer changes, a new desk is
built off the event loop and swapped in whole: a question in flight finishes
on the old one, the next one gets the new text. No restart, no message bus.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, func
from sqlmodel import select

from knowledge import store
from knowledge.db.engine import open_session
from knowledge.db.models import EntryRecord, EntryRevision
from knowledge.desk import Desk
from knowledge.schema import Entry

log = logging.getLogger(__name__)

Version = tuple[int, int]


def knowledge_version(engine: Engine) -> Version:
    """Changes whenever any entry is saved, added, rolled back or deleted."""
    with open_session(engine) as session:
        newest = session.exec(select(func.max(EntryRevision.id))).one()
        count = session.exec(select(func.count()).select_from(EntryRecord)).one()
    return int(newest or 0), int(count)


@dataclass
class LiveDesk:
    """Holds the current desk; `refresh` swaps in a new one when the knowledge changed.

    `build` makes a desk from entries (the caller decides the model, the cache folder).
    """

    engine: Engine
    build: Callable[[list[Entry]], Desk]
    desk: Desk
    version: Version
    listeners: list[Callable[[Desk], None]]

    @classmethod
    def start(cls, engine: Engine, build: Callable[[list[Entry]], Desk]) -> LiveDesk:
        version = knowledge_version(engine)
        with open_session(engine) as session:
            entries = store.load_entries(session=session)
        return cls(engine, build, build(entries), version, [])

    def refresh(self) -> bool:
        """Rebuild the desk if the published knowledge changed; True when it did."""
        version = knowledge_version(self.engine)
        if version == self.version:
            return False
        with open_session(self.engine) as session:
            entries = store.load_entries(session=session)
        self.desk = self.build(entries)
        self.version = version
        log.info("knowledge changed (revision %d, %d entries): desk rebuilt", *version)
        for listener in self.listeners:
            listener(self.desk)
        return True

    async def watch(self, every: float) -> None:
        """Refresh every `every` seconds until cancelled (an error is logged, not fatal)."""
        while True:
            await asyncio.sleep(every)
            try:
                await asyncio.to_thread(self.refresh)
            except Exception:
                log.exception("could not check the knowledge for changes")
