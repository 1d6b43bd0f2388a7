"""The outbox: complaint messages are stored, sent at least once, retried, paced in groups."""

from __future__ import annotations

from handlers.watchers import GroupPace
from knowledge.complaints import outbox
from knowledge.complaints.outbox import Outgoing
from knowledge.complaints.vocabulary import Message
from tests.harness import GROUP, RESIDENT


def test_group_pace_allows_twenty_a_minute() -> None:
    pace = GroupPace()
    assert pace.room(GROUP, 0.0) == 20
    for i in range(20):
        pace.used(GROUP, float(i))
    assert pace.room(GROUP, 30.0) == 0
    assert pace.room(GROUP, 61.0) == 2  # the first two left the window
    assert pace.room(RESIDENT, 30.0) > 1000  # private chats are not paced here


def test_a_key_queues_a_message_once(engine: object) -> None:
    for _ in range(3):
        outbox.post(engine, [Outgoing(1, "你好", Message.NOTICE, key="same")])  # type: ignore[arg-type]
    assert outbox.backlog(engine) == 1  # type: ignore[arg-type]
