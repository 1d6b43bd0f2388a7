"""Leases: a job that must run in one process at a time, among replicas sharing a database.

The outbox sender (and its per-group pacing) and the deadline watcher must each
run once, whatever the number of replicas. Each replica asks for the job's lease
every few seconds; the holder's request renews it, anyone else's takes it only
once it has expired. One UPDATE … WHERE (holder is me OR expired) decides
atomically on SQLite and PostgreSQL alike (the row lock serialises rivals), and
an INSERT makes the row the first time (a rival's insert fails on the key).

A holder that stops renewing — killed, frozen, cut off from the database —
loses the job after `ttl`; `Held.valid` lets it stop working a little before
that, so two replicas never send at once.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from knowledge.db.engine import open_session
from knowledge.db.models import Lease, utcnow

TTL = dt.timedelta(seconds=8)  # another replica takes over within TTL + one renewal interval
RENEW_EVERY = 2.0  # seconds
MARGIN = dt.timedelta(seconds=2)  # stop working this long before the lease could expire


def replica_id() -> str:
    """This process among the replicas: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class Held:
    """A lease as its holder knows it: held until `until` (as of the last renewal)."""

    name: str
    holder: str
    until: dt.datetime

    def valid(self, now: dt.datetime | None = None) -> bool:
        return (now or utcnow()) < self.until - MARGIN


def acquire(
    engine: Engine,
    name: str,
    holder: str,
    *,
    ttl: dt.timedelta = TTL,
    now: dt.datetime | None = None,
) -> Held | None:
    """Take or renew the lease `name` for `holder`; None while someone else holds it."""
    now = now or utcnow()
    until = now + ttl
    with open_session(engine) as session:
        taken = session.execute(
            update(Lease)
            .where(
                col(Lease.name) == name,
                or_(col(Lease.holder) == holder, col(Lease.expires_at) <= now),
            )
            .values(holder=holder, expires_at=until)
        )
        if taken.rowcount == 1:  # type: ignore[attr-defined]
            session.commit()
            return Held(name, holder, until)
        session.rollback()
    with open_session(engine) as session:
        session.add(Lease(name=name, holder=holder, expires_at=until, acquired_at=now))
        try:
            session.commit()
            return Held(name, holder, until)
        except IntegrityError:
            session.rollback()
    # Someone else's and unexpired — unless it is a process of this host that has died
    # (a restart after a crash need not wait out the lease of its former self).
    current = holder_of(engine, name, now=now)
    if current is None or not dead_here(current):
        return None
    with open_session(engine) as session:
        taken = session.execute(
            update(Lease)
            .where(col(Lease.name) == name, col(Lease.holder) == current)
            .values(holder=holder, expires_at=until, acquired_at=now)
        )
        session.commit()
    return Held(name, holder, until) if taken.rowcount == 1 else None  # type: ignore[attr-defined]


def dead_here(holder: str) -> bool:
    """Whether `holder` names a process of this host that no longer runs."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def release(engine: Engine, held: Held) -> None:
    """Give the job up at shutdown, so another replica need not wait for the expiry."""
    with open_session(engine) as session:
        session.execute(
            delete(Lease).where(col(Lease.name) == held.name, col(Lease.holder) == held.holder)
        )
        session.commit()


def holder_of(engine: Engine, name: str, *, now: dt.datetime | None = None) -> str | None:
    """Who holds `name` now (None: nobody, or expired)."""
    now = now or utcnow()
    with open_session(engine) as session:
        row = session.get(Lease, name)
        if row is None:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
        return row.holder if expires > now else None
