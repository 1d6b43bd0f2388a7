"""The durable inbox of incoming updates: stored before confirmed, replayed until done.

The payloads are plain JSON dictionaries, so this module knows nothing of
Telegram; the bot turns them back into updates. Core SQL statements (not the
ORM) keep the two writes per update cheap, since every message pays them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from bot.inbox.claims import chat_of
from knowledge.db.models import InboxUpdate, utcnow

_TABLE = InboxUpdate.__table__  # type: ignore[attr-defined]


def store(engine: Engine, update_id: int, payload: dict[str, Any]) -> bool:
    """Commit a raw update; False when it was already stored (a re-delivery or replay)."""
    try:
        with engine.begin() as conn:
            conn.execute(
                _TABLE.insert().values(
                    update_id=update_id,
                    payload=payload,
                    received_at=utcnow(),
                    chat_id=chat_of(payload),
                )
            )
    except IntegrityError:
        return False
    return True


def mark_done(engine: Engine, *update_ids: int) -> None:
    """Record that the handlers have run for these updates (one transaction)."""
    if not update_ids:
        return
    with engine.begin() as conn:
        conn.execute(
            update(_TABLE).where(_TABLE.c.update_id.in_(update_ids)).values(done_at=utcnow())
        )


def pending(engine: Engine) -> list[tuple[int, dict[str, Any]]]:
    """Stored updates whose handlers have not finished, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(_TABLE.c.update_id, _TABLE.c.payload)
            .where(_TABLE.c.done_at.is_(None))
            .order_by(_TABLE.c.update_id)
        ).all()
    return [(int(r.update_id), dict(r.payload)) for r in rows]


def is_done(engine: Engine, update_id: int) -> bool:
    with engine.connect() as conn:
        done = conn.execute(
            select(_TABLE.c.done_at).where(_TABLE.c.update_id == update_id)
        ).scalar()
    return done is not None


def counts(engine: Engine) -> tuple[int, int]:
    """(stored, done) — for tests and the operator."""
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(_TABLE)).scalar_one()
        done = conn.execute(
            select(func.count()).select_from(_TABLE).where(_TABLE.c.done_at.is_not(None))
        ).scalar_one()
    return int(total), int(done)


def prune(engine: Engine, *, older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
    """Forget handled updates after a while; unhandled ones are never pruned."""
    cutoff = utcnow() - older_than
    with engine.begin() as conn:
        result = conn.execute(
            delete(_TABLE).where(_TABLE.c.done_at.is_not(None), _TABLE.c.done_at < cutoff)
        )
    return int(result.rowcount or 0)
