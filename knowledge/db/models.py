"""Database tables (SQLModel). Schema changes go through alembic migrations.

An entry is stored as one JSON document (the `knowledge.base.schema.Entry`
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
    # What a desk holds of every entry (`knowledge.base.catalogue.Summary`); None until made.
    summary: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
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
    # Replicas claim updates from here (bot/inbox/claims.py, migration 0009).
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    claimed_by: str | None = Field(default=None, max_length=120)
    claimed_until: dt.datetime | None = None


class AnswerVote(SQLModel, table=True):
    """A resident's 👍 / 👎 on an answer (a vote), with the question and the answer given."""

    __tablename__ = "answer_vote"

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


class Complaint(SQLModel, table=True):
    """One complaint or report (举报), from its ticket number to its closing.

    The state only changes through `knowledge.complaints.store`, which checks
    `knowledge.complaints.lifecycle.transition` and writes a `ComplaintEvent` each time.
    """

    __tablename__ = "complaint"

    id: int | None = Field(default=None, primary_key=True)
    ticket: str = Field(max_length=20, unique=True)
    # The confirming update (chat and message or callback query): a replay after a
    # crash finds the complaint it already created instead of making a second one.
    idempotency_key: str = Field(max_length=120, unique=True)
    created_at: dt.datetime = Field(default_factory=utcnow, index=True)
    updated_at: dt.datetime = Field(default_factory=utcnow)
    channel: str = Field(max_length=20)  # telegram, phone, in_person
    kind: str = Field(max_length=20)  # complaint, report
    category: str | None = Field(default=None, max_length=80, index=True)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    named_office: str | None = Field(default=None, max_length=200)
    happened: str | None = Field(default=None, max_length=200)
    photos: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    contact_phone: str | None = Field(default=None, max_length=40)
    identity: str = Field(max_length=20)  # public, anonymous, sealed
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    user_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    resident_name: str | None = Field(default=None, max_length=120)
    state: str = Field(max_length=20, index=True)
    responsible_office: str | None = Field(default=None, max_length=120)
    assignee_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    assignee_name: str | None = Field(default=None, max_length=60)  # a back-office account
    due_claim: dt.datetime
    due_reply: dt.datetime
    claimed_at: dt.datetime | None = None
    replied_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    extension_used: bool = False
    reopen_count: int = 0
    review_used: bool = False
    draft_reply: str | None = Field(default=None, sa_column=Column(Text))
    reply_text: str | None = Field(default=None, sa_column=Column(Text))
    result: str | None = Field(default=None, sa_column=Column(Text))
    solved: bool | None = None
    satisfaction: str | None = Field(default=None, max_length=20)
    flagged: bool = False  # drawn to the supervision group's attention
    unreachable: bool = False  # the resident blocked the bot: follow up by phone
    status_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    officer_card_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    erased_at: dt.datetime | None = None


class ComplaintEvent(SQLModel, table=True):
    """Append-only audit trail: who did what to a complaint, when, from which state to which."""

    __tablename__ = "complaint_event"
    __table_args__ = (UniqueConstraint("request_key", name="uq_complaint_event_request_key"),)

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    at: dt.datetime = Field(default_factory=utcnow)
    actor_role: str = Field(max_length=20)
    actor_id: str | None = Field(default=None, max_length=40)
    action: str = Field(max_length=30)
    from_state: str = Field(max_length=20)
    to_state: str = Field(max_length=20)
    reason: str | None = Field(default=None, sa_column=Column(Text))
    public: bool = False  # shown to the resident as a step of their complaint
    # The request that made this change (a callback query, an update, a web form): a
    # replay of the same request finds it here and changes nothing a second time.
    request_key: str | None = Field(default=None, max_length=120)


class TicketSequence(SQLModel, table=True):
    """The last ticket number given out on a day (China time)."""

    __tablename__ = "ticket_sequence"

    day: str = Field(primary_key=True, max_length=8)
    last: int = 0


class ComplaintDraft(SQLModel, table=True):
    """A complaint being written, one per chat: a restart does not lose it."""

    __tablename__ = "complaint_draft"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    step: str = Field(max_length=20)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: dt.datetime = Field(default_factory=utcnow)


class OfficerPrompt(SQLModel, table=True):
    """A question the bot asked an officer (转办给谁？答复内容？), awaiting their reply to it."""

    __tablename__ = "officer_prompt"

    chat_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    message_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    ticket: str = Field(max_length=20)
    action: str = Field(max_length=30)
    created_at: dt.datetime = Field(default_factory=utcnow)


class ComplaintNotice(SQLModel, table=True):
    """A reminder or 督办 notice already sent, so a restart does not send it again."""

    __tablename__ = "complaint_notice"

    key: str = Field(primary_key=True, max_length=120)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    kind: str = Field(max_length=20)
    sent_at: dt.datetime = Field(default_factory=utcnow)


class AppSecret(SQLModel, table=True):
    """A random secret made once per database (the reports' pseudonym key).

    In the database rather than a file, so the bot and the command line, on any
    machine that reaches the database, derive the same pseudonyms.
    """

    __tablename__ = "app_secret"

    name: str = Field(primary_key=True, max_length=40)
    value: str = Field(max_length=200)
    created_at: dt.datetime = Field(default_factory=utcnow)


class OutboxMessage(SQLModel, table=True):
    """A message to Telegram, stored with the change that causes it and kept until sent.

    `text` is plain (the sender escapes and splits it); `buttons` are the domain's
    buttons (label, what pressing does); `options` carry a reply target, a forced
    reply, a mention, a prompt's awaited answer. An edit names its target: the
    complaint's card (`place`) or a message (`edit_message_id`).
    """

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    key: str | None = Field(default=None, max_length=160, unique=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    text: str = Field(sa_column=Column(Text, nullable=False))
    buttons: list[Any] | None = Field(default=None, sa_column=Column(JSON))
    options: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    place: str | None = Field(default=None, max_length=20)  # status, card
    edit_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    kind: str = Field(max_length=20)  # a knowledge.complaints.vocabulary.Message value
    ticket: str | None = Field(default=None, max_length=20)
    attempts: int = 0
    next_attempt_at: dt.datetime = Field(default_factory=utcnow, index=True)
    sent_at: dt.datetime | None = Field(default=None, index=True)
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    dead: bool = False  # refused for good (blocked, bad request): not retried
    last_error: str | None = Field(default=None, sa_column=Column(Text))


# --- the web back office (migration 0006) -------------------------------------------------


class StaffAccount(SQLModel, table=True):
    """A person who signs in to the back office; `role` is a knowledge.staff.roles.WebRole.

    `telegram_id` links the account to the same officer in the Telegram group, so a
    complaint claimed in the browser shows the same assignee as one claimed there.
    """

    __tablename__ = "staff_account"

    username: str = Field(primary_key=True, max_length=60)
    role: str = Field(max_length=20)
    password_hash: str = Field(max_length=200)
    display_name: str | None = Field(default=None, max_length=120)
    telegram_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    office: str | None = Field(default=None, max_length=120)
    disabled: bool = False
    created_at: dt.datetime = Field(default_factory=utcnow)
    password_changed_at: dt.datetime = Field(default_factory=utcnow)
    failed_logins: int = 0
    locked_until: dt.datetime | None = None
    last_login_at: dt.datetime | None = None


class StaffSession(SQLModel, table=True):
    """A signed-in browser: the cookie carries the token, the table only its hash."""

    __tablename__ = "staff_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    username: str = Field(foreign_key="staff_account.username", index=True, max_length=60)
    csrf: str = Field(max_length=64)
    created_at: dt.datetime = Field(default_factory=utcnow)
    expires_at: dt.datetime = Field(index=True)
    last_seen_at: dt.datetime = Field(default_factory=utcnow)


class AuditRecord(SQLModel, table=True):
    """Append-only: every staff action in the back office and on the staff command line."""

    __tablename__ = "staff_audit"

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    username: str = Field(max_length=60, index=True)
    action: str = Field(max_length=40)
    target: str | None = Field(default=None, max_length=200)
    detail: str | None = Field(default=None, sa_column=Column(Text))
    address: str | None = Field(default=None, max_length=64)


class PendingChange(SQLModel, table=True):
    """A knowledge change waiting for review: the whole proposed entry, and what it was based on.

    Residents keep the published text until a reviewer (not the author) approves it;
    approval saves the document as a new revision. A workbook upload is one change
    set: every entry it changes shares `change_set`.
    """

    __tablename__ = "pending_change"

    id: int | None = Field(default=None, primary_key=True)
    entry_id: str = Field(max_length=80, index=True)
    base_revision: int | None = None  # None: a new entry
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    summary: str = Field(sa_column=Column(Text, nullable=False))
    author: str = Field(max_length=60)
    created_at: dt.datetime = Field(default_factory=utcnow)
    change_set: str = Field(max_length=40, index=True)
    state: str = Field(max_length=20, index=True)  # pending, approved, returned, superseded
    reviewer: str | None = Field(default=None, max_length=60)
    decided_at: dt.datetime | None = None
    reason: str | None = Field(default=None, sa_column=Column(Text))


class UnansweredDecision(SQLModel, table=True):
    """What staff decided about an unanswered question (by its normalised wording)."""

    __tablename__ = "unanswered_decision"

    normalised: str = Field(primary_key=True, max_length=400)
    decision: str = Field(max_length=20)  # example, refer, dismiss
    detail: str | None = Field(default=None, max_length=200)
    username: str = Field(max_length=60)
    at: dt.datetime = Field(default_factory=utcnow)


# --- the back office's knowledge pages (migration 0007) -------------------------------------


class AskedCount(SQLModel, table=True):
    """How often an answer was given: one row per China-time day × entry × aspect.

    Counts, not questions: the table stays small (days × aspects), keeps no resident's
    words, and a desk adds to it in one batch a minute rather than once a question.
    """

    __tablename__ = "asked_count"

    day: dt.date = Field(primary_key=True)
    entry_id: str = Field(primary_key=True, max_length=80)
    aspect: str = Field(primary_key=True, max_length=40)  # "" when the card has none
    count: int = 0


class Lease(SQLModel, table=True):
    """Who runs a once-only job (the outbox sender, the deadline watcher) until when.

    Replicas sharing one database compete for the row; the holder renews it well
    before it expires, and another replica takes it over once it has (migration 0008).
    """

    __tablename__ = "lease"

    name: str = Field(primary_key=True, max_length=60)
    holder: str = Field(max_length=120)
    expires_at: dt.datetime
    acquired_at: dt.datetime = Field(default_factory=utcnow)
