"""The bot, started against the test's fake Bot API server and stopped after the test.

After every test the server must have accepted every call the bot made: valid HTML,
no message over 4096 characters, no unknown chat (long polls still waiting count as 0).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from knowledge.answering.desk import Desk
from tests.fakes.telegram import FakeBotApi
from tests.harness import STAFF, BotThread, StartBot, bot_settings


@pytest.fixture
def start_bot(api: FakeBotApi, bot_desk: Desk, tmp_path: Path) -> Iterator[StartBot]:
    running: list[BotThread] = []

    def start(desk: Desk | None = None, **changes: Any) -> BotThread:
        settings = bot_settings(api, tmp_path, **{**STAFF, **changes})
        bot = BotThread(settings, desk=desk or bot_desk).start()
        running.append(bot)
        return bot

    yield start
    for bot in running:
        bot.stop()
    rejected = [c for c in api.calls if c.status not in (0, 200) and c.method != "getUpdates"]
    assert not rejected, f"the server refused: {[(c.method, c.status) for c in rejected]}"
