"""Replicas claim stored updates: each once, one chat's in order, a dead replica's again."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from bot.inbox import store as inbox
from bot.inbox.claims import CLAIM_SECONDS, chat_of, claim_next
from tests.harness.postgres import Databases


def _message(update_id: int, chat: int) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {"message_id": update_id, "date": 0, "chat": {"id": chat, "type": "private"}},
    }


@pytest.fixture
def shared(postgres: Databases) -> Iterator[Engine]:
    """Replicas share a PostgreSQL database (claims use FOR UPDATE SKIP LOCKED)."""
    with postgres.engine() as engine:
        yield engine


def test_the_chat_of_an_update() -> None:
    assert chat_of(_message(1, 42)) == 42
    press = {
        "update_id": 2,
        "callback_query": {
            "id": "q",
            "from": {"id": 7},
            "message": {"message_id": 3, "date": 0, "chat": {"id": -100, "type": "group"}},
        },
    }
    assert chat_of(press) == -100
    assert chat_of({"update_id": 3, "poll": {}}) is None


@pytest.mark.postgres
def test_one_chat_waits_for_its_previous_update_others_do_not(shared: Engine) -> None:
    for update_id, chat in ((1, 10), (2, 10), (3, 10), (4, 20), (5, 20)):
        inbox.store(shared, update_id, _message(update_id, chat))
    assert claim_next(shared, "r1") == (1, _message(1, 10))
    found = claim_next(shared, "r2")
    assert found is not None and found[0] == 4
    assert claim_next(shared, "r1") is None  # 2 waits for 1, 5 for 4
    inbox.mark_done(shared, 1)
    found = claim_next(shared, "r2")
    assert found is not None and found[0] == 2


@pytest.mark.postgres
def test_a_dead_replicas_claim_is_taken_again_after_it_expires(shared: Engine) -> None:
    inbox.store(shared, 1, _message(1, 10))
    assert claim_next(shared, "dead") is not None
    assert claim_next(shared, "alive") is None
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=CLAIM_SECONDS + 1)
    found = claim_next(shared, "alive", now=later)
    assert found is not None and found[0] == 1


@pytest.mark.postgres
def test_replicas_racing_handle_every_update_once_and_each_chat_in_order(shared: Engine) -> None:
    chats = 10
    for update_id in range(1, 201):
        inbox.store(shared, update_id, _message(update_id, update_id % chats))
    handled: list[tuple[str, int]] = []
    lock = threading.Lock()

    def replica(name: str) -> None:
        idle = 0
        while idle < 20:
            found = claim_next(shared, name)
            if found is None:
                idle += 1
                continue
            idle = 0
            with lock:
                handled.append((name, found[0]))
            inbox.mark_done(shared, found[0])

    threads = [threading.Thread(target=replica, args=(f"r{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [update_id for _, update_id in handled]
    assert sorted(ids) == list(range(1, 201))  # each once
    for chat in range(chats):
        mine = [u for u in ids if u % chats == chat]
        assert mine == sorted(mine)  # in order within the chat
    assert len({name for name, _ in handled}) > 1  # and shared among replicas
