"""What the Telegram handlers need from the rest of the application, in one object.

`bot.app` builds it and stores it in `application.bot_data`; handlers fetch it
with `services(context)`, so they stay free of globals and easy to test.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine
from telegram import InlineKeyboardMarkup
from telegram.ext import CallbackContext

from handlers.flood import FloodLimit
from knowledge.answering.answers import Card
from knowledge.answering.desk import Desk, LiveDesk
from knowledge.charts.cache import ChartCache
from knowledge.complaints.policy import Bureau
from knowledge.db.lease import replica_id

KEY = "services"


@contextlib.asynccontextmanager
async def _nothing_held(chat_id: int) -> AsyncIterator[None]:
    yield


@dataclass
class Services:
    desk: Desk
    engine: Engine
    charts: ChartCache
    flood: FloodLimit
    bureau: Bureau = field(default_factory=Bureau)
    deadline_scan_seconds: float = 60.0
    # Set whenever something is queued in the outbox, so the sender need not poll.
    outbox_wake: asyncio.Event = field(default_factory=asyncio.Event)
    # Set to look for due reminders now rather than at the next scan (tests, operators).
    deadline_wake: asyncio.Event = field(default_factory=asyncio.Event)
    # Counts the deadline watcher's scans (for the tests and the log).
    deadline_scans: int = 0
    # Chats with a complaint being written: the database is the record, this set
    # spares every other message a query.
    draft_chats: set[int] = field(default_factory=set)
    # Inline keyboards by answer card (a few hundred at most: entries × aspects).
    markups: dict[Card, InlineKeyboardMarkup] = field(default_factory=dict)
    # Telegram file ids of charts already uploaded, by chart key: a chart is sent once.
    chart_file_ids: dict[str, str] = field(default_factory=dict)
    background: list[asyncio.Task[None]] = field(default_factory=list)
    # Holds a chat's updates back while the sender records what it sent there (set by bot.app).
    hold_chat: Callable[[int], AbstractAsyncContextManager[None]] = _nothing_held
    # The published knowledge, watched for changes (None: the desk is fixed, as in tests).
    live: LiveDesk | None = None
    knowledge_check_seconds: float = 2.0
    # This process among the replicas (the holder of a lease).
    replica: str = field(default_factory=replica_id)

    @property
    def shared_database(self) -> bool:
        """Whether other processes may share the database (PostgreSQL: replicas behind one
        load balancer). Then nothing about a conversation may be known from this process's
        memory alone: a draft started on another replica lives only in the database."""
        return self.engine.dialect.name != "sqlite"

    def use_desk(self, desk: Desk) -> None:
        """Answer from now on with `desk` (newly published knowledge)."""
        self.desk = desk
        self.markups.clear()


def services(context: CallbackContext[Any, Any, Any, Any]) -> Services:
    found = context.application.bot_data[KEY]
    assert isinstance(found, Services)
    return found


# What the handlers decided about the update being processed, for its one log line.
decision: contextvars.ContextVar[dict[str, object] | None] = contextvars.ContextVar(
    "decision", default=None
)


def note(**fields: object) -> None:
    """Add to the current update's log line (no-op outside update processing)."""
    current = decision.get()
    if current is not None:
        current.update(fields)
