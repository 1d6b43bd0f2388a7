"""The outbox: every message a complaint causes, committed with the change that causes it.

A change (a new complaint, an officer's action, an intake step, a reminder)
writes its messages here in its own transaction (`enqueue`), as plain text with
abstract buttons: what to say and what each button does, not how Telegram
shows it. The bot's sender takes the `due` ones, renders and sends them, and
records the outcome (`sent`, `retry`, `refused`); a crash between the change
and the send costs a delayed message, never a lost one.

Messages carry a `key`: queueing the same key twice queues once, so code that
runs again after a crash (a replayed update, a re-scanned deadline) cannot
double a message. Some messages are edits of one already sent: the complaint's
status card or officers' card (`place`, resolved to the message when it is
sent), or a message the officer pressed a button on (`edit_message_id`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from knowledge.complaints.vocabulary import Message, Place, Press
from knowledge.db.engine import open_session
from knowledge.db.models import Complaint, OfficerPrompt, OutboxMessage, utcnow


@dataclass(frozen=True)
class Button:
    """A button under a message: its label and what pressing it does."""

    label: str
    press: Press
    ticket: str = ""
    value: str = ""


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Mention:
    """Words of the text that link to a Telegram user (they are notified in a group)."""

    user_id: int
    words: str


@dataclass(frozen=True)
class AwaitedAnswer:
    """A prompt to an officer: once it is sent, their reply to it is the words of `action`."""

    user_id: int
    ticket: str
    action: str


@dataclass(frozen=True)
class Outgoing:
    """One message to send, or an edit of one sent, as the domain means it."""

    chat_id: int
    text: str  # plain text; "" with `edit_message_id` changes only the buttons
    kind: Message
    ticket: str | None = None
    key: str | None = None
    buttons: Keyboard = ()
    place: Place | None = None
    edit_message_id: int | None = None
    reply_to: int | None = None
    force_reply: bool = False
    mention: Mention | None = None
    awaits: AwaitedAnswer | None = None


@dataclass(frozen=True)
class Queued:
    """A message waiting in the outbox, as the sender sees it."""

    id: int
    message: Outgoing
    attempts: int


def _buttons_json(buttons: Keyboard) -> list[list[dict[str, str]]] | None:
    if not buttons:
        return None
    return [
        [
            {"label": b.label, "press": b.press.value, "ticket": b.ticket, "value": b.value}
            for b in row
        ]
        for row in buttons
    ]


def _buttons(data: Any) -> Keyboard:
    if not data:
        return ()
    return tuple(
        tuple(
            Button(b["label"], Press(b["press"]), b.get("ticket", ""), b.get("value", ""))
            for b in row
        )
        for row in data
    )


def _options(out: Outgoing) -> dict[str, Any] | None:
    options: dict[str, Any] = {}
    if out.reply_to is not None:
        options["reply_to"] = out.reply_to
    if out.force_reply:
        options["force_reply"] = True
    if out.mention is not None:
        options["mention"] = {"user_id": out.mention.user_id, "words": out.mention.words}
    if out.awaits is not None:
        options["awaits"] = {
            "user_id": out.awaits.user_id,
            "ticket": out.awaits.ticket,
            "action": out.awaits.action,
        }
    return options or None


def _outgoing(row: OutboxMessage) -> Outgoing:
    options = row.options or {}
    mention = options.get("mention")
    awaits = options.get("awaits")
    return Outgoing(
        chat_id=row.chat_id,
        text=row.text,
        kind=Message(row.kind),
        ticket=row.ticket,
        key=row.key,
        buttons=_buttons(row.buttons),
        place=Place(row.place) if row.place else None,
        edit_message_id=row.edit_message_id,
        reply_to=options.get("reply_to"),
        force_reply=bool(options.get("force_reply")),
        mention=Mention(mention["user_id"], mention["words"]) if mention else None,
        awaits=AwaitedAnswer(awaits["user_id"], awaits["ticket"], awaits["action"])
        if awaits
        else None,
    )


def enqueue(session: Session, messages: Iterable[Outgoing]) -> None:
    """Add messages to the caller's transaction; a key already queued adds nothing."""
    for out in messages:
        if (
            out.key is not None
            and session.exec(select(OutboxMessage.id).where(OutboxMessage.key == out.key)).first()
        ):
            continue
        session.add(
            OutboxMessage(
                key=out.key,
                chat_id=out.chat_id,
                text=out.text,
                buttons=_buttons_json(out.buttons),
                options=_options(out),
                place=out.place.value if out.place else None,
                edit_message_id=out.edit_message_id,
                kind=out.kind.value,
                ticket=out.ticket,
            )
        )


def post(engine: Engine, messages: Iterable[Outgoing]) -> None:
    """`enqueue` in a transaction of its own (for messages no change causes)."""
    try:
        with open_session(engine) as session:
            enqueue(session, messages)
            session.commit()
    except IntegrityError:
        pass  # the same key queued concurrently: once is enough


def due(
    engine: Engine,
    *,
    now: dt.datetime | None = None,
    limit: int = 100,
    skip_chats: Collection[int] = (),
) -> list[Queued]:
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
        rows = session.exec(query.order_by(col(OutboxMessage.id)).limit(limit)).all()
        return [Queued(row.id or 0, _outgoing(row), row.attempts) for row in rows]


def first_key(ticket: str, place: Place) -> str:
    """The key of a complaint's first status card or officers' card, where its edits land."""
    return f"{place.value}:{ticket}"


def edit_target(engine: Engine, queued: Queued) -> tuple[int | None, bool]:
    """(the message an edit lands on, whether that message is still waiting to be sent)."""
    out = queued.message
    if out.edit_message_id is not None:
        return out.edit_message_id, False
    assert out.place is not None and out.ticket is not None
    with open_session(engine) as session:
        complaint = session.exec(select(Complaint).where(Complaint.ticket == out.ticket)).first()
        if complaint is None:
            return None, False
        target = (
            complaint.officer_card_id
            if out.place is Place.OFFICER_CARD
            else complaint.status_message_id
        )
        if target is not None:
            return target, False
        waiting = session.exec(
            select(OutboxMessage.id).where(
                OutboxMessage.key == first_key(out.ticket, out.place),
                col(OutboxMessage.sent_at).is_(None),
                col(OutboxMessage.dead).is_(False),
            )
        ).first()
        return None, waiting is not None


def superseded(queued: list[Queued]) -> list[Queued]:
    """Edits of a card that a newer queued edit of the same card makes pointless."""
    newest: dict[tuple[str | None, Place], int] = {}
    for q in queued:
        if q.message.place is not None:
            newest[(q.message.ticket, q.message.place)] = q.id
    return [
        q
        for q in queued
        if q.message.place is not None and newest[(q.message.ticket, q.message.place)] != q.id
    ]


def sent(engine: Engine, ids: list[int], message_id: int | None) -> None:
    """Record messages as sent, and what their being sent means, in one transaction.

    A complaint's first status card and officers' card are where later edits land;
    a prompt to an officer now waits for their reply to `message_id`.
    """
    now = utcnow()
    with open_session(engine) as session:
        for row_id in ids:
            row = session.get(OutboxMessage, row_id)
            if row is None:
                continue
            row.sent_at, row.message_id = now, message_id
            row.attempts += 1
            if message_id is None or row.place or row.edit_message_id:
                continue
            kind = Message(row.kind)
            if kind in (Message.CARD, Message.STATUS) and row.ticket:
                complaint = session.exec(
                    select(Complaint).where(Complaint.ticket == row.ticket)
                ).first()
                if complaint is not None and kind is Message.CARD:
                    complaint.officer_card_id = message_id
                elif complaint is not None:
                    complaint.status_message_id = message_id
            awaits = (row.options or {}).get("awaits")
            if kind is Message.PROMPT and awaits:
                session.merge(
                    OfficerPrompt(
                        chat_id=row.chat_id,
                        message_id=message_id,
                        user_id=awaits["user_id"],
                        ticket=awaits["ticket"],
                        action=awaits["action"],
                    )
                )
        session.commit()


def retry(engine: Engine, ids: list[int], *, after: dt.timedelta, error: str) -> None:
    """Try again after `after` (Telegram asked us to wait, or the network failed)."""
    with open_session(engine) as session:
        for row_id in ids:
            row = session.get(OutboxMessage, row_id)
            if row is not None:
                row.attempts += 1
                row.next_attempt_at = utcnow() + after
                row.last_error = error[:500]
        session.commit()


def give_up(session: Session, ids: list[int], *, error: str) -> None:
    """Refused for good (blocked, bad request): not retried, kept for the operator."""
    for row_id in ids:
        row = session.get(OutboxMessage, row_id)
        if row is not None:
            row.attempts += 1
            row.dead = True
            row.last_error = error[:500]


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
