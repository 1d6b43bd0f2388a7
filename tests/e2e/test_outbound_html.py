"""Every outbound message is escaped and split in one place.

An officer's reply may contain `<` and `&`; it must reach the resident and the
hotline's 回访 task as written. A digest longer than one Telegram message must
arrive whole, split between its paragraphs, never cut inside one.
"""

from __future__ import annotations

import datetime as dt
import re

from knowledge.answering.desk import Desk
from knowledge.complaints import store as cs
from knowledge.complaints.calendar import WorkCalendar
from knowledge.complaints.policy import Bureau
from tests.fakes.telegram import FakeBotApi
from tests.harness import (
    GROUP,
    HANDLER,
    SUPERVISOR,
    StartBot,
    answer_prompt,
    message_with,
    ticket_in,
    wait_text,
)

REPLY = "经核实：月收入<300元 & 无劳动能力，符合条件，已纳入低保。"


def test_a_reply_with_html_characters_reaches_the_hotlines_follow_up_task(
    api: FakeBotApi, start_bot: StartBot
) -> None:
    hotline = 401
    start_bot(hotline_officers=str(hotline), deadline_scan_seconds=3600.0)
    api.send_text("/intake 13912345678 低保申请三个月没有答复", chat_id=hotline, user_id=hotline)
    ticket = ticket_in(wait_text(api, hotline, "已登记电话投诉"))
    card = message_with(api, GROUP, ticket)
    api.press(GROUP, "认领", user_id=HANDLER, message_id=card)
    api.wait_for(lambda: "回复" in api.buttons(GROUP, card))
    api.press(GROUP, "回复", user_id=HANDLER, message_id=card)
    answer_prompt(api, "写下给居民的答复", REPLY)
    api.wait_for(lambda: "审核通过" in api.buttons(GROUP, card))
    api.press(GROUP, "审核通过", user_id=SUPERVISOR, message_id=card)
    task = wait_text(api, GROUP, "【电话回访】")
    assert REPLY in task and ticket in task


def test_a_long_digest_arrives_whole_split_between_paragraphs(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    assert bot_desk.engine is not None
    two_weeks_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=14)
    tickets = []
    for i in range(120):
        complaint, _ = cs.submit(
            bot_desk.engine,
            cs.Submission(f"第{i}件：两周前反映的问题一直没人认领", chat_id=None, user_id=None),
            key=f"seed-{i}",
            bureau=Bureau(calendar=WorkCalendar.load()),
            now=two_weeks_ago,
        )
        tickets.append(complaint.ticket)
    start_bot(deadline_scan_seconds=0.2)

    def posted() -> str:
        return "\n".join(m.text or "" for m in api.bot_messages(GROUP))

    api.wait_for(lambda: all(t in posted() for t in tickets), timeout=30)
    for message in api.bot_messages(GROUP):
        # Whole notices only: every line that names a ticket is a complete 督办 sentence.
        for line in (message.text or "").splitlines():
            if re.search(r"TS\d{8}-\d{4}", line):
                assert line.rstrip().endswith("督办。"), line
