"""The bot sends each reminder and 督办 notice once, even across a restart."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from knowledge.complaints import store as cs
from knowledge.complaints.calendar import WorkCalendar
from knowledge.complaints.lifecycle import Policy
from knowledge.db.engine import make_engine
from knowledge.desk import Desk, prepare_database
from tests.fakes.telegram import FakeBotApi
from tests.harness import BotThread, bot_settings

CALENDAR = WorkCalendar.load()


def test_the_bot_sends_duban_once_across_a_restart(
    api: FakeBotApi, desk: Desk, tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    prepare_database(engine)
    cs.submit(
        engine,
        cs.Submission("十天前的投诉，一直没人认领", chat_id=1, user_id=1),
        key="old",
        calendar=CALENDAR,
        policy=Policy(),
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
            api.wait_for(lambda: sum(c.method == "getUpdates" for c in api.calls) > 3)
        finally:
            bot.stop()
    assert sum("督办" in (m.text or "") for m in api.bot_messages(-9001)) == 1
