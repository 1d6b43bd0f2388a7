"""Database tables (SQLModel). Schema changes go through alembic migrations.

An entry is stored as one JSON document (the `knowledge.schema.Entry`
model) with its searchable columns beside it: the knowledge is read whole at
start-up and versioned whole, so a document per entry keeps every revision a
faithful snapshot and needs no join to rebuild. JSON columns use SQLAlchemy's
portable `JSON` type, which is TEXT on SQLite and JSON on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> dt.datetime:
    """Timestamps are aware and stored in UTC on every backend."""
    return dt.datetime.now(dt.UTC)


class EntryRecord(SQLModel, table=True):
    """The current version of one entry."""

    __tablename__ = "entry"

    id: str = Field(primary_key=True, max_length=80)
    title: str = Field(max_length=200)
    category: str = Field(max_length=40, index=True)
    last_reviewed: dt.date
    revision: int = Field(default=1)
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow)


class EntryRevision(SQLModel, table=True):
    """An append-only snapshot of an entry after a change, with what changed."""

    __tablename__ = "entry_revision"
    __table_args__ = (UniqueConstraint("entry_id", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    entry_id: str = Field(index=True, max_length=80)
    revision: int
    created_at: dt.datetime = Field(default_factory=utcnow)
    author: str = Field(max_length=120)
    source: str = Field(max_length=200)
    batch: str = Field(max_length=40, index=True)
    changes: list[str] = Field(sa_column=Column(JSON, nullable=False))
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class UnansweredQuestion(SQLModel, table=True):
    """A question the bot could not answer, counted per normalised wording."""

    __tablename__ = "unanswered_question"

    id: int | None = Field(default=None, primary_key=True)
    normalised: str = Field(max_length=400, unique=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    count: int = Field(default=1)
    first_seen: dt.datetime = Field(default_factory=utcnow)
    last_seen: dt.datetime = Field(default_factory=utcnow)
    best_guess: str | None = Field(default=None, max_length=80)
    best_score: float | None = None


class InboxUpdate(SQLModel, table=True):
    """A raw incoming Telegram update, committed before Telegram is told it arrived.

    `done_at` is set once the handlers have run; rows without it are replayed at
    start-up, so a crash mid-handler costs at most a repeated answer, never a lost one.
    """

    __tablename__ = "inbox_update"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    received_at: dt.datetime = Field(default_factory=utcnow)
    done_at: dt.datetime | None = Field(default=None, index=True)


class AnswerFeedback(SQLModel, table=True):
    """A resident's 👍 / 👎 on an answer, with the question and the answer given."""

    __tablename__ = "answer_feedback"

    id: int | None = Field(default=None, primary_key=True)
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    message_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    helpful: bool
    question: str | None = Field(default=None, sa_column=Column(Text))
    answer: str = Field(sa_column=Column(Text, nullable=False))
    entry: str | None = Field(default=None, max_length=80)
    aspect: str | None = Field(default=None, max_length=40)
    # The "哪里不对？" prompt this row waits on for an optional comment.
    prompt_message_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, nullable=True, index=True)
    )
    comment: str | None = Field(default=None, sa_column=Column(Text))
