"""End to end: the real python-telegram-bot Application against the fake Bot API server.

Tests act as residents — send text, press buttons by their label — and assert
on what the bot sent. Every test also checks that the server accepted every
call (HTML valid, no message over 4096 characters).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.inbox import store as inbox
from knowledge.answering import votes
from knowledge.answering.desk import Desk
from knowledge.base import store
from knowledge.db.engine import open_session
from knowledge.vocabulary import MENU_ORDER, SAMPLE_MARK
from tests.fakes.telegram import FakeBotApi
from tests.harness import StartBot, make_entry, texts_of

CHAT = 1001


def test_start_shows_the_welcome_and_main_menu(api: FakeBotApi, start_bot: StartBot) -> None:
    start_bot()
    api.send_text("/start")
    (welcome,) = api.wait_replies(CHAT, 1)
    assert "阳光民政咨询助手" in (welcome.text or "")
    assert api.buttons(CHAT) == [c.value for c in MENU_ORDER]
    api.wait_for(lambda: any(c.method == "setMyCommands" for c in api.calls))
    commands = next(c for c in api.calls if c.method == "setMyCommands").params["commands"]
    assert {c["command"] for c in commands} >= {"start", "menu", "help", "contact"}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in c["description"]) for c in commands)


def test_buttons_navigate_by_editing_one_message(api: FakeBotApi, start_bot: StartBot) -> None:
    start_bot()
    api.send_text("/menu")
    api.wait_replies(CHAT, 1)
    api.press(CHAT, "阳光审批")
    api.wait_for(lambda: "婚姻登记" in api.buttons(CHAT))
    api.press(CHAT, "婚姻登记")
    api.wait_for(lambda: "材料" in api.buttons(CHAT))
    api.press(CHAT, "材料")
    api.wait_for(lambda: "材料】" in (api.last_bot_message(CHAT).text or ""))
    card = api.last_bot_message(CHAT)
    assert "法律依据" in (card.text or "") and "内容审核日期" in (card.text or "")
    assert {"条件", "流程", "👍 有帮助", "👎 没帮助", "« 返回", "🏠 主菜单"} <= set(
        api.buttons(CHAT)
    )
    api.press(CHAT, "« 返回")
    api.wait_for(lambda: "材料" in api.buttons(CHAT) and "概述】" in texts_of(api)[-1])
    api.press(CHAT, "🏠 主菜单")
    api.wait_for(lambda: api.buttons(CHAT) == [c.value for c in MENU_ORDER])
    # All of it happened in the one message the menu was sent as.
    assert len(api.bot_messages(CHAT)) == 1
    assert all(c.params.get("text") is None for c in api.calls if c.method == "answerCallbackQuery")


def test_a_question_gets_its_card_with_basis_and_follow_ups(
    api: FakeBotApi, start_bot: StartBot
) -> None:
    start_bot()
    asked = api.send_text("结婚要带什么材料")
    (answer,) = api.wait_replies(CHAT, 1)
    assert answer.reply_to == asked
    assert "婚姻登记 · 材料" in (answer.text or "")
    assert "法律依据" in (answer.text or "") and "婚姻登记条例" in (answer.text or "")
    assert {"条件", "流程", "收费", "👍 有帮助", "👎 没帮助"} <= set(api.buttons(CHAT))
    api.press(CHAT, "收费")
    api.wait_for(lambda: "婚姻登记 · 收费" in (api.last_bot_message(CHAT).text or ""))


def test_procedure_answers_come_with_a_flow_chart_drawn_once(
    api: FakeBotApi, start_bot: StartBot
) -> None:
    bot = start_bot()
    api.send_text("dibao zenme shenqing")
    replies = api.wait_replies(CHAT, 2)
    assert "流程】" in (replies[0].text or "")
    assert replies[1].photo and "流程图" in (replies[1].caption or "")
    assert api.photo_bytes(CHAT, replies[1].message_id).startswith(b"\x89PNG")
    api.send_text("低保申请流程是什么")
    api.wait_replies(CHAT, 4)
    uploads = [c for c in api.calls if c.method == "sendPhoto"]
    assert isinstance(uploads[-1].params["photo"], str)  # the file id, not a new upload
    assert bot.services.charts.render_count <= len(bot.services.desk.entries) * 2


def test_finance_answers_total_and_chart_and_mark_sample_data(
    api: FakeBotApi, start_bot: StartBot
) -> None:
    start_bot()
    api.send_text("低保资金花了多少")
    replies = api.wait_replies(CHAT, 2)
    assert "合计" in (replies[0].text or "") and SAMPLE_MARK in (replies[0].text or "")
    assert replies[1].photo and SAMPLE_MARK in (replies[1].caption or "")


def test_unsure_questions_offer_choices(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    candidates = ["守灵厅按天收费还是按此", "群众监督员咋选的 我能报名不", "登记那个要多久"]
    unsure = [q for q in candidates if bot_desk.ask(q, record=False).match.decision == "clarify"]
    assert unsure, "no clarifying question among the candidates"
    start_bot()
    api.send_text(unsure[0])
    (reply,) = api.wait_replies(CHAT, 1)
    assert "您是想问" in (reply.text or "")
    labels = api.buttons(CHAT)
    assert 2 <= len(labels) <= 6 and "都不是" in labels
    api.press(CHAT, labels[0])
    api.wait_for(lambda: "法律依据" in (api.last_bot_message(CHAT).text or ""))


def test_none_of_these_records_the_question(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    candidates = ["守灵厅按天收费还是按此", "群众监督员咋选的 我能报名不", "登记那个要多久"]
    unsure = [q for q in candidates if bot_desk.ask(q, record=False).match.decision == "clarify"]
    start_bot()
    api.send_text(unsure[0])
    api.wait_replies(CHAT, 1)
    api.press(CHAT, "都不是")
    api.wait_for(lambda: "12345" in (api.last_bot_message(CHAT).text or ""))
    assert bot_desk.engine is not None
    with open_session(bot_desk.engine) as session:
        assert unsure[0] in [r.text for r in store.unanswered(session=session)]


def test_out_of_scope_names_the_department_and_the_hotline(
    api: FakeBotApi, start_bot: StartBot
) -> None:
    start_bot()
    api.send_text("社保卡丢了")
    (reply,) = api.wait_replies(CHAT, 1)
    assert "人社" in (reply.text or "") or "人力资源" in (reply.text or "")
    assert "12345" in (reply.text or "")


def test_unanswerable_questions_are_recorded_for_staff(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    candidates = ["火星上能办证吗", "隔壁老王的车停我家门口", "asdkjh qweoiu"]
    unknown = [q for q in candidates if bot_desk.ask(q, record=False).match.path == "unknown"]
    assert unknown, "no unanswerable question among the candidates"
    start_bot()
    api.send_text(unknown[0])
    (reply,) = api.wait_replies(CHAT, 1)
    assert "12345" in (reply.text or "") and "低保" in (reply.text or "")
    assert bot_desk.engine is not None
    with open_session(bot_desk.engine) as session:
        assert unknown[0] in [r.text for r in store.unanswered(session=session)]


def test_thumbs_down_asks_why_and_stores_the_comment(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    start_bot()
    api.send_text("火化费多少钱")
    api.wait_replies(CHAT, 1)
    api.press(CHAT, "👎 没帮助")
    prompt = api.wait_replies(CHAT, 2)[-1]
    assert "哪里不对" in (prompt.text or "")
    assert "👎 没帮助" not in api.buttons(CHAT, api.bot_messages(CHAT)[0].message_id)
    api.send_text("没说骨灰盒多少钱", reply_to=prompt.message_id)
    api.wait_for(lambda: "已转给工作人员" in texts_of(api)[-1])
    assert bot_desk.engine is not None
    (vote,) = votes.recent(bot_desk.engine)
    assert not vote.helpful and vote.question == "火化费多少钱"
    assert vote.entry == "funeral" and "殡葬" in vote.answer
    assert vote.comment == "没说骨灰盒多少钱"


def test_thumbs_up_is_stored_without_a_follow_up(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    start_bot()
    api.send_text("离婚冷静期几天")
    api.wait_replies(CHAT, 1)
    api.press(CHAT, "👍 有帮助")
    api.wait_for(lambda: any(c.method == "answerCallbackQuery" for c in api.calls))
    api.wait_for(lambda: "👍 有帮助" not in api.buttons(CHAT))
    assert bot_desk.engine is not None
    (vote,) = votes.recent(bot_desk.engine)
    assert vote.helpful and len(api.bot_messages(CHAT)) == 1


def test_deep_link_opens_the_entry(api: FakeBotApi, start_bot: StartBot) -> None:
    start_bot()
    api.send_text("/start adoption-registration")
    (page,) = api.wait_replies(CHAT, 1)
    assert "收养登记" in (page.text or "") and "材料" in api.buttons(CHAT)


def test_help_and_contact_commands(api: FakeBotApi, start_bot: StartBot) -> None:
    start_bot()
    api.send_text("/help")
    api.wait_replies(CHAT, 1)
    api.send_text("/contact")
    replies = api.wait_replies(CHAT, 2)
    assert "例如" in (replies[0].text or "")
    assert "电话" in (replies[1].text or "") and SAMPLE_MARK in (replies[1].text or "")


def test_non_text_messages_get_a_hint(api: FakeBotApi, start_bot: StartBot) -> None:
    start_bot()
    api.send_message_object(CHAT, {"sticker": _sticker()})
    api.send_message_object(CHAT, {"location": {"latitude": 42.8, "longitude": 120.6}})
    replies = api.wait_replies(CHAT, 2)
    assert all("只能看懂文字" in (r.text or "") for r in replies)


def test_in_groups_the_bot_answers_only_when_addressed(
    api: FakeBotApi, start_bot: StartBot
) -> None:
    start_bot()
    group = -5001
    api.send_text("大家好，结婚要带什么材料", chat_id=group, user_id=7, chat_type="group")
    mention = "@sunshine_test_bot"
    text = f"{mention} 结婚要带什么材料"
    api.send_text(
        text,
        chat_id=group,
        user_id=7,
        chat_type="group",
        entities=[{"type": "mention", "offset": 0, "length": len(mention)}],
    )
    (answer,) = api.wait_replies(group, 1)
    assert "婚姻登记" in (answer.text or "")
    api.send_text("那离婚呢", chat_id=group, user_id=8, chat_type="group")
    api.send_text(
        "火化费多少钱", chat_id=group, user_id=8, chat_type="group", reply_to=answer.message_id
    )
    replies = api.wait_replies(group, 2)
    assert "殡葬" in (replies[1].text or "")
    api.send_text("/help", chat_id=group, user_id=7, chat_type="group")
    assert len(api.wait_replies(group, 3)) == 3


def test_edited_messages_are_answered_as_new_questions(
    api: FakeBotApi, start_bot: StartBot
) -> None:
    start_bot()
    asked = api.send_text("结婚要带啥")
    api.wait_replies(CHAT, 1)
    api.edit_text(CHAT, asked, "火化费多少钱")
    replies = api.wait_replies(CHAT, 2)
    assert "殡葬" in (replies[1].text or "")


def test_flooding_gets_one_polite_warning(api: FakeBotApi, start_bot: StartBot) -> None:
    bot = start_bot(flood_burst=3, flood_rate=0.01)
    for _ in range(12):
        api.send_text("低保怎么申请")
    api.wait_for(lambda: any("请稍后再试" in t for t in texts_of(api)))
    api.wait_for(lambda: inbox.counts(bot.services.engine)[1] >= 12, timeout=5)
    sent = texts_of(api)
    assert sum("请稍后再试" in t for t in sent) == 1
    assert sum("低保" in t for t in sent) <= 3 * 2  # three answers (each may bring a chart)


def test_long_answers_are_split_at_paragraphs(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk, cache_dir: Path
) -> None:
    paragraph = "这一段说明办理要求，<注意>细节 & 例外。" * 40
    long_entry = make_entry(
        "long-item",
        aspects={
            "overview": "\n\n".join([paragraph] * 8),
            "time_limit": "受理后 20 个工作日内办结。",
            "procedure": "按步骤办理。",
            "fees": "不收费。",
        },
    )
    assert bot_desk.engine is not None
    desk = Desk([long_entry], engine=bot_desk.engine, cache_dir=cache_dir)
    start_bot(desk=desk)
    api.send_text("/start long-item")
    api.wait_for(lambda: len(api.bot_messages(CHAT)) >= 3)
    pages = api.bot_messages(CHAT)
    assert all(len(p.text or "") <= 4096 for p in pages)
    assert "<注意>" in "".join(p.text or "" for p in pages)
    assert pages[-1].reply_markup is not None and pages[0].reply_markup is None


def test_stale_or_forged_buttons_are_refused_politely(api: FakeBotApi, start_bot: StartBot) -> None:
    start_bot()
    api.send_text("/menu")
    (menu,) = api.wait_replies(CHAT, 1)
    for data in ("a:no-such-entry:fees", "x" * 64, "v:1:dibao:nonsense", "c:99"):
        api.send_update(
            {
                "callback_query": {
                    "id": f"q-{data[:8]}",
                    "from": {"id": CHAT, "is_bot": False, "first_name": "居民"},
                    "chat_instance": "1",
                    "data": data,
                    "message": api.message_payload(CHAT, menu.message_id),
                }
            }
        )
    api.wait_for(lambda: sum(c.method == "answerCallbackQuery" for c in api.calls) >= 4, timeout=10)
    answers = [c for c in api.calls if c.method == "answerCallbackQuery"]
    assert all("失效" in (c.params.get("text") or "") for c in answers)


def test_flood_control_answers_are_waited_out(api: FakeBotApi, start_bot: StartBot) -> None:
    start_bot()
    api.fail_next("sendMessage", retry_after=1)
    api.send_text("离婚冷静期几天")
    (answer,) = api.wait_replies(CHAT, 1, timeout=10)
    assert "冷静期" in (answer.text or "")
    statuses = [c.status for c in api.calls if c.method == "sendMessage"]
    assert statuses[:2] == [429, 200]
    # The 429 was the server's doing, not a refusal of our content.
    api.calls[:] = [c for c in api.calls if c.status != 429]


def _sticker() -> dict[str, Any]:
    return {
        "file_id": "sticker-1",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
