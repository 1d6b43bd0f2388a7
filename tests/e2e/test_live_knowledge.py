"""A running bot answers with a change as soon as a reviewer publishes it: no restart."""

from __future__ import annotations

from pathlib import Path

from knowledge.answering.desk import prepare_database
from knowledge.base.store import get_entry
from knowledge.db.engine import make_engine, open_session
from knowledge.staff import review
from knowledge.vocabulary import Aspect
from tests.fakes.telegram import FakeBotApi
from tests.harness import RESIDENT, BotThread, bot_settings, wait_text

QUESTION = "结婚要带什么材料"
MARK = "（审核通过的新内容）"


def test_a_published_change_reaches_the_running_bot_within_seconds(
    api: FakeBotApi, tmp_path: Path
) -> None:
    settings = bot_settings(api, tmp_path, knowledge_check_seconds=0.2)
    engine = make_engine(settings.database_url)
    prepare_database(engine)
    bot = BotThread(settings).start()  # no desk given: the bot follows the published knowledge
    try:
        api.send_text(QUESTION, chat_id=RESIDENT)
        first = wait_text(api, RESIDENT, "婚姻登记")
        assert MARK not in first
        with open_session(engine) as session:
            entry = get_entry("marriage-registration", session=session)
            aspects = dict(entry.aspects)
            aspects[Aspect.MATERIALS] = aspects[Aspect.MATERIALS] + MARK
            change = review.submit(
                entry.model_copy(update={"aspects": aspects}), session=session, author="editor"
            )
            session.commit()
            assert MARK not in bot.services.desk.ask(QUESTION).card.body  # pending: unchanged
            review.approve(change.id or 0, session=session, reviewer="reviewer")
            session.commit()
        api.wait_for(lambda: MARK in bot.services.desk.ask(QUESTION).card.body, timeout=10)
        api.send_text(QUESTION + "？", chat_id=RESIDENT)
        wait_text(api, RESIDENT, MARK)
    finally:
        bot.stop()
        engine.dispose()
