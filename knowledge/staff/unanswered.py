"""What residents could not get answered, and what they ask most: the staff's to-do list.

Unanswered questions are stored one row per normalised wording (`store.record_unanswered`);
here near-duplicates are grouped so staff decide once for "我家猫丢了怎么办" and
"猫丢了咋办啊". A decision (an example question for an entry, a referral to another
department, dismissal) is kept per wording in `UnansweredDecision`, so a decided
question leaves the list for good while a new wording of it shows up again.

"Most asked" counts answers given, per China-time day × entry × aspect (`AskedCount`):
counts stay small and hold no resident's words. The desk answers in about a
millisecond, so `AskedTally` counts in memory and writes one batch a minute; a crash
loses at most that minute of a statistic, never an answer.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz, process
from sqlalchemy import Engine, func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from knowledge.db.engine import open_session
from knowledge.db.models import (
    AskedCount,
    PendingChange,
    UnansweredDecision,
    UnansweredQuestion,
    utcnow,
)
from knowledge.errors import InputError, NotFound
from knowledge.staff import audit
from knowledge.texts import review as texts
from knowledge.vocabulary import Aspect

log = logging.getLogger(__name__)

CHINA = dt.timezone(dt.timedelta(hours=8))
SIMILAR = 80  # rapidfuzz ratio (0–100) at which two wordings are one question
LOADED = 500  # undecided wordings grouped at most (the most asked first)
FLUSH_SECONDS = 60.0
_PUNCTUATION = re.compile(r"[\W_]+")


class Decision(StrEnum):
    EXAMPLE = "example"  # added as an example question of an entry × aspect (a pending change)
    REFER = "refer"  # out of scope: residents are referred to another department
    DISMISS = "dismiss"  # not a question worth an answer (noise, a test)


# --- grouping ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Wording:
    id: int
    text: str
    normalised: str
    count: int
    first_seen: dt.datetime
    last_seen: dt.datetime
    best_guess: str | None


@dataclass(frozen=True)
class Group:
    """Near-duplicate wordings of one question; its id is the id of its most asked wording."""

    id: int
    wordings: tuple[Wording, ...]

    @property
    def text(self) -> str:
        return self.wordings[0].text

    @property
    def count(self) -> int:
        return sum(w.count for w in self.wordings)

    @property
    def first_seen(self) -> dt.datetime:
        return min(w.first_seen for w in self.wordings)

    @property
    def last_seen(self) -> dt.datetime:
        return max(w.last_seen for w in self.wordings)

    @property
    def best_guess(self) -> str | None:
        return next((w.best_guess for w in self.wordings if w.best_guess), None)


def _key(normalised: str) -> str:
    return _PUNCTUATION.sub("", normalised)


def group_wordings(wordings: Sequence[Wording], *, similar: int = SIMILAR) -> list[Group]:
    """Greedy clustering: the most asked wording left opens a group; all similar join it.

    Deterministic for the same rows, so a group's id names the same group when a
    decision is posted as when the page was drawn.
    """
    ordered = sorted(wordings, key=lambda w: (-w.count, -w.last_seen.timestamp(), w.id))
    if not ordered:
        return []
    keys = [_key(w.normalised) or w.normalised for w in ordered]
    scores = process.cdist(keys, keys, scorer=fuzz.ratio, workers=1)
    taken = [False] * len(ordered)
    groups: list[Group] = []
    for i, seed in enumerate(ordered):
        if taken[i]:
            continue
        members = [j for j in range(i, len(ordered)) if not taken[j] and scores[i][j] >= similar]
        for j in members:
            taken[j] = True
        groups.append(Group(seed.id, tuple(ordered[j] for j in members)))
    return sorted(groups, key=lambda g: (-g.count, -g.last_seen.timestamp()))


def open_groups(*, session: Session, limit: int = LOADED) -> list[Group]:
    """The undecided unanswered questions, grouped, the most asked first."""
    decided = select(UnansweredDecision.normalised)
    rows = session.exec(
        select(UnansweredQuestion)
        .where(col(UnansweredQuestion.normalised).not_in(decided))
        .order_by(col(UnansweredQuestion.count).desc(), col(UnansweredQuestion.last_seen).desc())
        .limit(limit)
    ).all()
    wordings = [
        Wording(r.id or 0, r.text, r.normalised, r.count, r.first_seen, r.last_seen, r.best_guess)
        for r in rows
    ]
    return group_wordings(wordings)


def find_group(group_id: int, *, session: Session) -> Group:
    for group in open_groups(session=session):
        if group.id == group_id:
            return group
    raise NotFound(texts.GROUP_GONE)


def decide(
    group: Group,
    decision: Decision,
    *,
    session: Session,
    username: str,
    detail: str | None = None,
) -> None:
    """Record one decision for every wording of the group, and its audit row (not committed)."""
    now = utcnow()
    for wording in group.wordings:
        row = session.get(UnansweredDecision, wording.normalised)
        if row is None:
            row = UnansweredDecision(
                normalised=wording.normalised, decision=decision.value, username=username
            )
        row.decision, row.detail, row.username, row.at = decision.value, detail, username, now
        session.add(row)
    audit.record(
        session,
        username,
        f"unanswered.{decision.value}",
        target=group.text[:200],
        detail=texts.AUDIT_GROUP.format(count=len(group.wordings), detail=detail or ""),
    )
    session.flush()


def refer(group: Group, department: str, *, session: Session, username: str) -> None:
    department = department.strip()
    if not department:
        raise InputError(texts.REFER_NEEDS_DEPARTMENT)
    decide(group, Decision.REFER, session=session, username=username, detail=department[:200])


def add_as_example(
    group: Group,
    entry_id: str,
    aspect: Aspect,
    question: str,
    *,
    session: Session,
    username: str,
) -> PendingChange:
    """Propose the question as an example of entry × aspect (reviewed like any change)."""
    from knowledge.staff import review

    entry = review.working_copy(entry_id, username, session=session)
    change = review.submit(
        review.add_example_question(entry, aspect, question),
        session=session,
        author=username,
        action="unanswered.example.submit",
    )
    detail = f"{entry_id}/{aspect.value} #{change.id}"
    decide(group, Decision.EXAMPLE, session=session, username=username, detail=detail)
    return change


def recent_decisions(*, session: Session, limit: int = 20) -> list[UnansweredDecision]:
    return list(
        session.exec(
            select(UnansweredDecision).order_by(col(UnansweredDecision.at).desc()).limit(limit)
        ).all()
    )


# --- most asked --------------------------------------------------------------------------


def china_day(when: dt.datetime | None = None) -> dt.date:
    return (when or utcnow()).astimezone(CHINA).date()


class AskedTally:
    """Answers given by this process not yet written: (day, entry, aspect) → count."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._counts: Counter[tuple[dt.date, str, str]] = Counter()
        self._lock = threading.Lock()
        self._written = time.monotonic()

    def add(self, entry: str, aspect: Aspect | None, when: dt.datetime | None = None) -> None:
        key = (china_day(when), entry, aspect.value if aspect else "")
        with self._lock:
            self._counts[key] += 1
            due = time.monotonic() - self._written >= FLUSH_SECONDS
        if due:
            self.flush()

    def flush(self) -> None:
        """Write the counts so far (one short transaction); kept for later if it fails."""
        with self._lock:
            taken, self._counts = self._counts, Counter()
            self._written = time.monotonic()
        if not taken:
            return
        try:
            with open_session(self.engine) as session:
                for (day, entry, aspect), n in taken.items():
                    row = session.get(AskedCount, (day, entry, aspect))
                    if row is None:
                        row = AskedCount(day=day, entry_id=entry, aspect=aspect, count=0)
                    row.count += n
                    session.add(row)
                session.commit()
        except SQLAlchemyError:
            log.exception("could not write the answer counts; keeping them for the next try")
            with self._lock:
                self._counts.update(taken)


_TALLIES: dict[str, AskedTally] = {}
_TALLIES_LOCK = threading.Lock()


def tally_for(engine: Engine) -> AskedTally:
    """One tally per database per process, shared by every desk the live desk builds."""
    key = engine.url.render_as_string(hide_password=False)
    with _TALLIES_LOCK:
        found = _TALLIES.get(key)
        if found is None or found.engine is not engine:
            if found is not None:
                found.flush()
            found = _TALLIES[key] = AskedTally(engine)
        return found


@dataclass(frozen=True)
class Asked:
    entry_id: str
    aspect: Aspect | None
    count: int


def most_asked(*, session: Session, days: int = 7, limit: int = 10) -> list[Asked]:
    """What residents asked most in the last `days` China-time days (today included)."""
    since = china_day() - dt.timedelta(days=days - 1)
    total = func.sum(AskedCount.count)
    rows = session.exec(
        select(AskedCount.entry_id, AskedCount.aspect, total)
        .where(AskedCount.day >= since)
        .group_by(col(AskedCount.entry_id), col(AskedCount.aspect))
        .order_by(total.desc())
        .limit(limit)
    ).all()
    known = {a.value for a in Aspect}
    return [
        Asked(entry, Aspect(aspect) if aspect in known else None, int(count or 0))
        for entry, aspect, count in rows
    ]
