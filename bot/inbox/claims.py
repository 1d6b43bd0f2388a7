"""Several replicas, one inbox: each stored update handled by exactly one, a chat's in order.

With webhooks behind a load balancer, a chat's updates reach different replicas.
Each replica commits what it receives to `inbox_update` (its update id the key, so
a second delivery is refused there) and then *claims* work from the table, never
from its own memory: the oldest undone update that no replica holds and that no
older undone update of the same chat precedes, locked with FOR UPDATE SKIP LOCKED
so that rivals skip it instead of waiting. A chat's next update becomes claimable
only once the previous one is marked done — in whichever replica handled it — so
one chat is handled in order across replicas while different chats run in
parallel everywhere. A claim lasts CLAIM_SECONDS: a replica that dies mid-update
loses its claims and another handles them again (the handlers are idempotent per
update, as for the replay after a crash); a dead process of the same host gives
them back within SWEEP_SECONDS.

PostgreSQL only: a single process on SQLite keeps its in-memory per-chat order.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, select, text, update

from knowledge.db.lease import dead_here
from knowledge.db.models import InboxUpdate, utcnow

_TABLE = InboxUpdate.__table__  # type: ignore[attr-defined]

CLAIM_SECONDS = 60
SWEEP_SECONDS = 2.0  # how often an idle replica looks for claims of dead local processes

_CLAIM = text(
    """
    WITH next AS (
        SELECT u.update_id FROM inbox_update u
        WHERE u.done_at IS NULL
          AND (u.claimed_until IS NULL OR u.claimed_until < :now)
          AND NOT EXISTS (
              SELECT 1 FROM inbox_update o
              WHERE o.chat_id = u.chat_id AND o.done_at IS NULL AND o.update_id < u.update_id)
        ORDER BY u.update_id
        LIMIT :limit
        FOR UPDATE SKIP LOCKED)
    UPDATE inbox_update SET claimed_by = :me, claimed_until = :until
    FROM next WHERE inbox_update.update_id = next.update_id
    RETURNING inbox_update.update_id, inbox_update.payload
    """
)


def claim(
    engine: Engine, me: str, *, limit: int = 32, now: dt.datetime | None = None
) -> list[tuple[int, dict[str, Any]]]:
    """Up to `limit` updates this replica may handle now (each of a different chat, the
    oldest first), claimed by it in one statement."""
    now = now or utcnow()
    until = now + dt.timedelta(seconds=CLAIM_SECONDS)
    with engine.begin() as conn:
        rows = conn.execute(_CLAIM, {"now": now, "until": until, "me": me, "limit": limit}).all()
    return sorted((int(r.update_id), dict(r.payload)) for r in rows)


def claim_next(
    engine: Engine, me: str, *, now: dt.datetime | None = None
) -> tuple[int, dict[str, Any]] | None:
    """The next update this replica may handle, now claimed by it; None when there is none."""
    found = claim(engine, me, limit=1, now=now)
    return found[0] if found else None


def release_dead(engine: Engine) -> int:
    """Release the claims of processes of this host that died (a restart after a crash)."""
    with engine.begin() as conn:
        holders = conn.execute(
            select(_TABLE.c.claimed_by)
            .where(_TABLE.c.done_at.is_(None), _TABLE.c.claimed_by.is_not(None))
            .distinct()
        ).scalars()
        dead = [h for h in holders if dead_here(h)]
        if not dead:
            return 0
        result = conn.execute(
            update(_TABLE)
            .where(_TABLE.c.done_at.is_(None), _TABLE.c.claimed_by.in_(dead))
            .values(claimed_by=None, claimed_until=None)
        )
    return int(result.rowcount or 0)


def chat_of(payload: dict[str, Any]) -> int | None:
    """The chat an update belongs to, from its raw JSON (None: no chat, e.g. a poll)."""
    for kind in ("message", "edited_message", "channel_post", "edited_channel_post"):
        found = payload.get(kind)
        if isinstance(found, dict):
            chat = found.get("chat")
            if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                return int(chat["id"])
    query = payload.get("callback_query")
    if isinstance(query, dict):
        message = query.get("message")
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            return int(message["chat"]["id"])
        sender = query.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return None
