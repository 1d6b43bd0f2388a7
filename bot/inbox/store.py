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


def store_many(engine: Engine, updates: list[tuple[int, dict[str, Any]]]) -> list[bool]:
    """Commit several raw updates in one transaction; for each, False when stored before.

    Webhook deliveries that arrive together are committed together (group commit): one
    transaction instead of one per update. Ids already in the table, or given twice
    here (a delivery repeated at once), are not inserted again. Should a concurrent
    writer (another replica) insert one of them in between, the whole batch is rolled
    back and each update is stored on its own: the answers stay exact.
    """
    if not updates:
        return []
    ids = [update_id for update_id, _ in updates]
    try:
        with engine.begin() as conn:
            known = set(
                conn.execute(select(_TABLE.c.update_id).where(_TABLE.c.update_id.in_(ids)))
                .scalars()
                .all()
            )
            fresh: list[bool] = []
            rows: list[dict[str, Any]] = []
            now = utcnow()
            for update_id, payload in updates:
                new = update_id not in known
                fresh.append(new)
                if new:
                    known.add(update_id)
                    rows.append(
                        {
                            "update_id": update_id,
                            "payload": payload,
                            "received_at": now,
                            "chat_id": chat_of(payload),
                        }
                    )
            if rows:
                conn.execute(_TABLE.insert(), rows)
    except IntegrityError:
        return [store(engine, update_id, payload) for update_id, payload in updates]
    return fresh


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
