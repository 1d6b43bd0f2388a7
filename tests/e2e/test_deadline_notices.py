"""The bot sends each reminder and 督办 notice once, even across a restart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from knowledge.answering.desk import Desk, prepare_database
from knowledge.complaints import outbox
from knowledge.complaints import store as cs
from knowledge.complaints.calendar import WorkCalendar
from knowledge.complaints.policy import Bureau
from knowledge.db.engine import make_engine
from tests.fakes.telegram import FakeBotApi
from tests.harness import BotThread, bot_settings

CALENDAR = WorkCalendar.load()


def _settle(api: FakeBotApi, bot: BotThread, engine: Engine) -> None:
    """The watcher has looked twice more, and nothing waits to be sent."""
    seen = bot.services.deadline_scans
    api.wait_for(lambda: bot.services.deadline_scans >= seen + 2)
    api.wait_for(lambda: outbox.backlog(engine) == 0)


def test_the_bot_sends_duban_once_across_a_restart(
    api: FakeBotApi, desk: Desk, tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    prepare_database(engine)
    cs.submit(
        engine,
        cs.Submission("十天前的投诉，一直没人认领", chat_id=1, user_id=1),
        key="old",
        bureau=Bureau(calendar=CALENDAR),
        now=dt.datetime.now(dt.UTC) - dt.timedelta(days=14),
    )
    settings = bot_settings(
        api,
        tmp_path,
        officers_chat_id="-9001",
        supervision_leader="601",
        deadline_scan_seconds=0.1,
    )
    for _ in range(2):
        bot = BotThread(settings, desk=desk.using(engine)).start()
        try:
            api.wait_for(lambda: any("督办" in (m.text or "") for m in api.bot_messages(-9001)))
            _settle(api, bot, engine)
        finally:
            bot.stop()
    assert sum("督办" in (m.text or "") for m in api.bot_messages(-9001)) == 1
