"""The outbox: complaint messages to Telegram, committed first, sent at least once.

`enqueue` writes a message in the caller's transaction (with the change it
reports, where there is one); the bot's sender takes `due` messages, sends
them and records the outcome with `sent`, `retry` or `give_up`. A `key`
makes enqueueing idempotent: the acknowledgement of a complaint, a card or a
reminder is queued once however often the code that queues it runs again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from knowledge.db.engine import open_session
from knowledge.db.models import OutboxMessage, utcnow


def enqueue(
    session: Session,
    chat_id: int,
    text: str,
    *,
    kind: str,
    markup: dict[str, Any] | None = None,
    ticket: str | None = None,
    key: str | None = None,
) -> None:
    """Add a message to the caller's transaction; a known key adds nothing."""
    if (
        key is not None
        and session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key)).first()
    ):
        return
    session.add(
        OutboxMessage(
            key=key, chat_id=chat_id, text=text, reply_markup=markup, kind=kind, ticket=ticket
        )
    )


def post(
    engine: Engine,
    chat_id: int,
    text: str,
    *,
    kind: str,
    markup: dict[str, Any] | None = None,
    ticket: str | None = None,
    key: str | None = None,
) -> None:
    """`enqueue` in a transaction of its own."""
    try:
        with open_session(engine) as session:
            enqueue(session, chat_id, text, kind=kind, markup=markup, ticket=ticket, key=key)
            session.commit()
    except IntegrityError:
        pass  # the same key queued concurrently: once is enough


def due(
    engine: Engine,
    *,
    now: dt.datetime | None = None,
    limit: int = 100,
    skip_chats: Collection[int] = (),
) -> list[OutboxMessage]:
    """Unsent messages whose time has come, oldest first.

    `skip_chats` are chats that must wait (a group at its minute's allowance), so
    their backlog does not starve everyone else's messages.
    """
    now = now or utcnow()
    query = select(OutboxMessage).where(
        col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.dead).is_(False),
        OutboxMessage.next_attempt_at <= now,
    )
    if skip_chats:
        query = query.where(col(OutboxMessage.chat_id).not_in(list(skip_chats)))
    with open_session(engine) as session:
        return list(session.exec(query.order_by(col(OutboxMessage.id)).limit(limit)).all())


def sent(engine: Engine, ids: list[int], message_id: int | None) -> None:
    with open_session(engine) as session:
        for row_id in ids:
            row = session.get(OutboxMessage, row_id)
            if row is not None:
                row.sent_at, row.message_id = utcnow(), message_id
                row.attempts += 1
        session.commit()


def retry(engine: Engine, row_id: int, *, after: dt.timedelta, error: str) -> None:
    with open_session(engine) as session:
        row = session.get(OutboxMessage, row_id)
        if row is not None:
            row.attempts += 1
            row.next_attempt_at = utcnow() + after
            row.last_error = error[:500]
            session.commit()


def give_up(engine: Engine, row_id: int, *, error: str) -> None:
    with open_session(engine) as session:
        row = session.get(OutboxMessage, row_id)
        if row is not None:
            row.attempts += 1
            row.dead = True
            row.last_error = error[:500]
            session.commit()


def backlog(engine: Engine) -> int:
    """Messages not sent yet (for the operator and the tests)."""
    with open_session(engine) as session:
        return len(
            session.exec(
                select(OutboxMessage.id).where(
                    col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.dead).is_(False)
                )
            ).all()
        )
