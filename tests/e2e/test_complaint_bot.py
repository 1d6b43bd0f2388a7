"""End to end: complaints through the real bot — the resident, the officers, the supervisors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.inbox import store as inbox
from knowledge.answering.desk import Desk
from knowledge.complaints import store as cs
from tests.fakes.telegram import FakeBotApi
from tests.harness import (
    CONFIRMS,
    GROUP,
    HANDLER,
    OTHER,
    RESIDENT,
    STRANGER,
    SUPERVISOR,
    TICKET,
    StartBot,
    answer_prompt,
    answers_with,
    file_complaint,
    last_text,
    message_with,
    press_and_answer,
    skip_to_summary,
    wait_text,
)


def _index(api: FakeBotApi, message_id: int) -> int:
    ids = [m.message_id for m in api.bot_messages(RESIDENT)]
    return ids.index(message_id)


def test_a_resident_files_a_complaint_and_gets_a_ticket_number(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    start_bot()
    ticket = file_complaint(api)
    ack = wait_text(api, RESIDENT, "已受理您的")
    assert ticket in ack and "前认领" in ack and "前答复" in ack
    card = wait_text(api, RESIDENT, f"【{ticket}】")  # the status card, edited at every step
    assert "已受理" in card
    assert bot_desk.engine is not None
    complaint = cs.get(bot_desk.engine, ticket)
    assert complaint.happened == "九月初" and complaint.photos == ["p1"]
    assert complaint.contact_phone == "13812345678"
    card = wait_text(api, GROUP, ticket)
    assert "13812345678" not in card and "138" in card
    assert {"认领", "转办", "内部备注"} <= set(api.buttons(GROUP))


def test_a_complaint_typed_as_a_question_is_confirmed_first(
    api: FakeBotApi, start_bot: StartBot
) -> None:
    start_bot()
    api.send_text("我要投诉婚姻登记处的工作人员态度恶劣")
    wait_text(api, RESIDENT, "您是要投诉/反映问题吗")
    api.press(RESIDENT, "是，我要反映")
    wait_text(api, RESIDENT, "发生了什么")
    api.send_text("/cancel")
    wait_text(api, RESIDENT, "已取消")


def test_the_complaints_menu_starts_the_intake(api: FakeBotApi, start_bot: StartBot) -> None:
    start_bot()
    api.send_text("/start")
    api.wait_for(lambda: "投诉监督" in " ".join(api.buttons(RESIDENT)))
    api.press(RESIDENT, "投诉监督")
    api.wait_for(lambda: "我要投诉" in " ".join(api.buttons(RESIDENT)))
    api.press(RESIDENT, "我要投诉")
    wait_text(api, RESIDENT, "发生了什么")


def test_cancel_drops_the_draft_and_a_draft_survives_a_restart(
    api: FakeBotApi, start_bot: StartBot
) -> None:
    first = start_bot()
    api.send_text("/complain")
    wait_text(api, RESIDENT, "发生了什么")
    api.send_text("殡仪馆乱收费，火化后又加收了好几项费用")
    wait_text(api, RESIDENT, "涉及哪个单位")
    first.stop()
    start_bot()
    api.send_text("县殡仪馆")
    wait_text(api, RESIDENT, "什么时候")
    api.send_text("/cancel")
    wait_text(api, RESIDENT, "已取消")
    api.send_text("低保怎么申请")
    wait_text(api, RESIDENT, "城乡低保")


def test_officers_claim_reply_supervisors_review_resident_rates(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    start_bot()
    ticket = file_complaint(api)
    wait_text(api, GROUP, ticket)
    api.press(GROUP, "认领", user_id=STRANGER)
    api.wait_for(lambda: answers_with(api, "权限") >= 1)
    status = message_with(api, RESIDENT, f"【{ticket}】")
    api.press(GROUP, "认领", user_id=HANDLER)
    wait_text(api, RESIDENT, "社会救助股")
    # The status card is the same message, edited in place.
    api.wait_for(lambda: "办理中" in (api.bot_messages(RESIDENT)[_index(api, status)].text or ""))
    api.press(GROUP, "回复", user_id=HANDLER)
    answer_prompt(api, "写下给居民的答复", "已督促苏木乡镇于12月1日入户调查。")
    wait_text(api, GROUP, "待审核答复")
    api.press(GROUP, "审核通过", user_id=HANDLER)  # no approving one's own reply
    api.wait_for(lambda: answers_with(api, "权限") >= 2)
    api.press(GROUP, "审核通过", user_id=SUPERVISOR)
    reply = wait_text(api, RESIDENT, "已有答复")
    assert "12月1日入户调查" in reply
    api.press(RESIDENT, "解决")
    wait_text(api, RESIDENT, "满意吗")
    api.press(RESIDENT, "满意")
    wait_text(api, RESIDENT, "已办结")
    assert bot_desk.engine is not None
    complaint = cs.get(bot_desk.engine, ticket)
    assert (
        complaint.state == "closed" and complaint.solved and complaint.satisfaction == "satisfied"
    )
    actions = [e.action for e in cs.history(bot_desk.engine, complaint.id or 0)]
    assert actions == [
        "submit",
        "claim",
        "draft_reply",
        "approve_reply",
        "feedback",
        "feedback",
        "close",
    ]


def reply_and_approve(api: FakeBotApi, text: str) -> None:
    """The handler writes a public reply, a supervisor approves it."""
    press_and_answer(api, "回复", "写下给居民的答复", text)
    wait_text(api, GROUP, "待审核答复")
    api.press(GROUP, "审核通过", user_id=SUPERVISOR)
    wait_text(api, RESIDENT, text)


def test_unsolved_reopens_once_and_flags_the_supervisors(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    start_bot()
    ticket = file_complaint(api)
    wait_text(api, GROUP, ticket)
    api.press(GROUP, "认领", user_id=HANDLER)
    wait_text(api, RESIDENT, "社会救助股")
    reply_and_approve(api, "已联系村委会。")
    api.press(RESIDENT, "未解决")
    wait_text(api, RESIDENT, "满意吗")
    api.press(RESIDENT, "不满意")
    wait_text(api, RESIDENT, "重新办理")
    wait_text(api, GROUP, "请督查小组关注")
    card = api.bot_messages(GROUP)[0].message_id
    api.press(GROUP, "认领", user_id=HANDLER)
    api.wait_for(lambda: "回复" in api.buttons(GROUP, card))
    reply_and_approve(api, "已入户调查，符合条件。")
    asked = sum("满意吗" in (m.text or "") for m in api.bot_messages(RESIDENT))
    api.press(RESIDENT, "未解决")
    api.wait_for(
        lambda: sum("满意吗" in (m.text or "") for m in api.bot_messages(RESIDENT)) > asked
    )
    api.press(RESIDENT, "不满意")
    wait_text(api, RESIDENT, "已办结")
    wait_text(api, GROUP, "仍反馈未解决")
    assert bot_desk.engine is not None
    complaint = cs.get(bot_desk.engine, ticket)
    assert complaint.reopen_count == 1 and complaint.flagged and complaint.state == "closed"


def test_residents_see_only_their_own_complaints(api: FakeBotApi, start_bot: StartBot) -> None:
    start_bot()
    ticket = file_complaint(api)
    api.send_text("/mycomplaints")
    assert ticket in wait_text(api, RESIDENT, "【")
    api.send_text(f"/status {ticket}", chat_id=OTHER)
    wait_text(api, OTHER, "没有找到")
    api.send_text("/mycomplaints", chat_id=OTHER)
    wait_text(api, OTHER, "还没有提交过")


def test_a_replayed_confirmation_creates_one_complaint(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    start_bot()
    ticket = file_complaint(api)
    summary = next(m for m in api.bot_messages(RESIDENT) if "请核对" in (m.text or ""))

    def acks() -> int:
        texts = [m.text or "" for m in api.bot_messages(RESIDENT)]
        return sum("已受理您的" in text and ticket in text for text in texts)

    assert acks() == 1
    assert bot_desk.engine is not None
    stored = inbox.counts(bot_desk.engine)[0]
    # Telegram delivers the same confirmation again (as after a crash before the offset).
    api.send_update(
        {
            "callback_query": {
                "id": CONFIRMS[RESIDENT],
                "from": {"id": RESIDENT, "is_bot": False, "first_name": "居民"},
                "chat_instance": "1",
                "data": "k:confirm",
                "message": api.message_payload(RESIDENT, summary.message_id),
            }
        }
    )
    engine = bot_desk.engine
    # The replay is stored and handled (done marks are written in short batches).
    api.wait_for(lambda: inbox.counts(engine) == (stored + 1, stored + 1))
    assert len(cs.listing(engine)) == 1
    # The acknowledgement was queued once (keyed by ticket) and delivered once.
    assert acks() == 1
    # Telegram refuses a second answer to one callback query; that is the replay's doing.
    api.calls[:] = [
        c for c in api.calls if not (c.method == "answerCallbackQuery" and c.status == 400)
    ]


def test_forged_stale_and_foreign_buttons_are_refused_and_logged(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    start_bot()
    ticket = file_complaint(api)
    card = message_with(api, GROUP, ticket)
    api.press(GROUP, "认领", user_id=HANDLER, message_id=card)
    api.wait_for(lambda: "认领" not in api.buttons(GROUP, card))
    refusals = len(api.callback_answers)
    # Stale: 认领 again, from a copy of the card taken before it was claimed.
    api.press_data(GROUP, HANDLER, f"o:claim:{ticket}", card)
    # Forged: an action that does not exist, a ticket that does not, a cut-short payload.
    api.press_data(GROUP, HANDLER, f"o:approve_everything:{ticket}", card)
    api.press_data(GROUP, HANDLER, "o:claim:TS20990101-0001", card)
    api.press_data(GROUP, HANDLER, "o:claim", card)
    # Foreign: another resident rates this resident's complaint.
    api.press_data(GROUP, OTHER, f"f:s:1:{ticket}", card)
    api.wait_for(lambda: len(api.callback_answers) >= refusals + 5)
    answers = [a.get("text") or "" for a in api.callback_answers[refusals:]]
    assert any("不能认领" in a for a in answers)
    assert sum("已失效" in a for a in answers) == 2
    assert any("没有找到编号为 TS20990101-0001" in a for a in answers)
    assert any("不是您的投诉" in a for a in answers)
    assert bot_desk.engine is not None
    complaint = cs.get(bot_desk.engine, ticket)
    assert complaint.state == "claimed" and complaint.solved is None
    assert sum(e.action == "claim" for e in cs.history(bot_desk.engine, complaint.id or 0)) == 1
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "refused stale or forged callback data" in logged and "refused rating" in logged
    assert "refused claim on TS20990101-0001" in logged


def test_sealed_identities_are_visible_only_to_the_supervision_group(
    api: FakeBotApi, start_bot: StartBot
) -> None:
    start_bot()
    ticket = file_complaint(api, identity="保密身份举报")
    api.send_text(f"/ticket {ticket}", chat_id=GROUP, user_id=HANDLER, chat_type="group")
    handler_view = wait_text(api, GROUP, "办理记录")
    assert "举报人" not in handler_view
    assert "居民 提交" in handler_view  # the audit trail, in words staff read
    api.send_text(f"/ticket {ticket}", chat_id=SUPERVISOR, user_id=SUPERVISOR)
    assert "举报人" in wait_text(api, SUPERVISOR, "办理记录")
    api.send_text(f"/ticket {ticket}", chat_id=STRANGER, user_id=STRANGER)
    wait_text(api, STRANGER, "权限")


def test_an_extension_is_requested_on_the_card_and_approved_by_supervision(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    start_bot()
    ticket = file_complaint(api)
    wait_text(api, GROUP, ticket)
    card = api.bot_messages(GROUP)[0].message_id
    api.press(GROUP, "认领", user_id=HANDLER, message_id=card)
    api.wait_for(lambda: "申请延期" in api.buttons(GROUP, card))
    api.press(GROUP, "申请延期", user_id=HANDLER, message_id=card)
    answer_prompt(api, "申请延期的理由", "需要入户调查核实收入")
    request = message_with(api, GROUP, "【延期申请】")
    assert bot_desk.engine is not None
    before = cs.get(bot_desk.engine, ticket).due_reply
    api.press(GROUP, "批准延期", user_id=HANDLER, message_id=request)
    api.wait_for(lambda: answers_with(api, "权限") >= 1)
    api.press(GROUP, "批准延期", user_id=SUPERVISOR, message_id=request)
    notice = wait_text(api, RESIDENT, "延至")
    assert "需要入户调查核实收入" in notice
    after = cs.get(bot_desk.engine, ticket)
    assert after.extension_used and after.due_reply > before


def test_return_refused_extension_and_closing_by_the_officer(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    start_bot()
    ticket = file_complaint(api)
    card = message_with(api, GROUP, ticket)
    api.press(GROUP, "认领", user_id=HANDLER, message_id=card)
    api.wait_for(lambda: "申请延期" in api.buttons(GROUP, card))
    # 申请延期, 不同意 (with a reason); the old request's 批准延期 then does nothing.
    api.press(GROUP, "申请延期", user_id=HANDLER, message_id=card)
    answer_prompt(api, "申请延期的理由", "需要等村里开评议会")
    request = message_with(api, GROUP, "【延期申请】")
    api.press(GROUP, "不同意", user_id=SUPERVISOR, message_id=request)
    answer_prompt(api, "不同意延期的理由", "五个工作日足够", SUPERVISOR)
    wait_text(api, GROUP, "已不同意延期")
    api.press(GROUP, "批准延期", user_id=SUPERVISOR, message_id=request)
    api.wait_for(lambda: answers_with(api, "没有待审批") >= 1)
    assert bot_desk.engine is not None
    assert not cs.get(bot_desk.engine, ticket).extension_used
    assert not any("延至" in (m.text or "") for m in api.bot_messages(RESIDENT))
    # 回复, 退回 with a reason (the resident sees neither), 回复 again, 审核通过.
    api.press(GROUP, "回复", user_id=HANDLER, message_id=card)
    answer_prompt(api, "写下给居民的答复", "已处理。")
    api.wait_for(lambda: "退回" in api.buttons(GROUP, card))
    api.press(GROUP, "退回", user_id=SUPERVISOR, message_id=card)
    answer_prompt(api, "退回答复的理由", "答复太笼统，请写明调查时间", SUPERVISOR)
    api.wait_for(lambda: "回复" in api.buttons(GROUP, card))
    assert cs.get(bot_desk.engine, ticket).state == "claimed"
    press_and_answer(
        api, "回复", "写下给居民的答复", "已于12月1日入户调查，符合条件。", message_id=card
    )
    api.wait_for(lambda: "审核通过" in api.buttons(GROUP, card))
    api.press(GROUP, "审核通过", user_id=SUPERVISOR, message_id=card)
    reply = wait_text(api, RESIDENT, "已有答复")
    assert "12月1日入户调查" in reply and "已处理。" not in reply
    assert not any("笼统" in (m.text or "") for m in api.bot_messages(RESIDENT))
    # 办结 by the officer with a result; the resident is told and offered a 复核.
    api.wait_for(lambda: "办结" in api.buttons(GROUP, card))
    api.press(GROUP, "办结", user_id=HANDLER, message_id=card)
    answer_prompt(api, "写下办结结果", "已纳入低保，12月起发放。")
    wait_text(api, RESIDENT, "已办结")
    api.wait_for(lambda: "申请复核" in " ".join(api.buttons(RESIDENT)))
    complaint = cs.get(bot_desk.engine, ticket)
    assert complaint.state == "closed" and complaint.result == "已纳入低保，12月起发放。"
    actions = [e.action for e in cs.history(bot_desk.engine, complaint.id or 0)]
    assert actions == [
        "submit",
        "claim",
        "request_extension",
        "refuse_extension",
        "draft_reply",
        "return_reply",
        "draft_reply",
        "approve_reply",
        "close",
    ]


def test_hotline_officers_register_phone_complaints(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    start_bot(hotline_officers="401")
    api.send_text("/intake 13912345678 殡仪馆收费不公示", chat_id=401, user_id=401)
    registered = wait_text(api, 401, "已登记电话投诉")
    found = TICKET.search(registered)
    assert found
    card = wait_text(api, GROUP, found.group(0))
    assert "渠道：电话" in card and "13912345678" not in card
    api.send_text("/intake 13912345678 冒充的登记", chat_id=STRANGER, user_id=STRANGER)
    wait_text(api, STRANGER, "权限")
    assert bot_desk.engine is not None
    (complaint,) = cs.listing(bot_desk.engine)
    assert complaint.channel == "phone" and complaint.chat_id is None


def test_a_phone_complaint_gets_a_phone_follow_up_and_its_answers_are_recorded(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    hotline = 401
    start_bot(hotline_officers=str(hotline), deadline_scan_seconds=3600.0)
    api.send_text("/intake 13912345678 殡仪馆收费不公示", chat_id=hotline, user_id=hotline)
    found = TICKET.search(wait_text(api, hotline, "已登记电话投诉"))
    assert found
    ticket = found.group(0)
    card = message_with(api, GROUP, ticket)
    api.press(GROUP, "认领", user_id=HANDLER, message_id=card)
    api.wait_for(lambda: "回复" in api.buttons(GROUP, card))
    api.press(GROUP, "回复", user_id=HANDLER, message_id=card)
    answer_prompt(api, "写下给居民的答复", "已责令殡仪馆公示收费标准。")
    api.wait_for(lambda: "审核通过" in api.buttons(GROUP, card))
    api.press(GROUP, "审核通过", user_id=SUPERVISOR, message_id=card)
    # The resident has no chat: the hotline gets the 回访 task at once (the scan is hourly).
    task_text = wait_text(api, GROUP, "【电话回访】")
    assert ticket in task_text and "已责令殡仪馆公示收费标准" in task_text
    assert "13912345678" not in task_text
    task = message_with(api, GROUP, "【电话回访】")
    # The full number: to the hotline officer only, as an alert, and into the audit trail.
    api.press(GROUP, "查看电话", user_id=HANDLER, message_id=task)
    api.wait_for(lambda: answers_with(api, "权限") >= 1)
    api.press(GROUP, "查看电话", user_id=hotline, message_id=task)
    api.wait_for(lambda: answers_with(api, "13912345678") == 1)
    assert all(
        "13912345678" not in (m.text or "")
        for chat in (GROUP, hotline)
        for m in api.bot_messages(chat)
    )
    api.press(GROUP, "解决", user_id=STRANGER, message_id=task)
    api.wait_for(lambda: answers_with(api, "不是您的投诉") >= 1)
    api.press(GROUP, "解决", user_id=hotline, message_id=task)
    asked = message_with(api, GROUP, "电话回访：居民对办理结果满意吗")
    api.press(GROUP, "基本满意", user_id=hotline, message_id=asked)
    assert bot_desk.engine is not None
    engine = bot_desk.engine
    api.wait_for(lambda: cs.get(engine, ticket).state == "closed")
    complaint = cs.get(engine, ticket)
    assert complaint.solved is True and complaint.satisfaction == "basically"
    events = cs.history(engine, complaint.id or 0)
    recorded = [(e.actor_role, e.reason) for e in events if e.action == "feedback"]
    assert recorded == [
        ("hotline", "电话回访：问题解决了吗？解决"),
        ("hotline", "电话回访：您对办理结果满意吗？基本满意"),
    ]
    assert any(e.action == "note" and e.actor_id == str(hotline) for e in events)


def test_the_supervision_group_gets_the_monthly_report(
    api: FakeBotApi, start_bot: StartBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = start_bot()
    ticket = file_complaint(api)
    month = f"{ticket[2:6]}-{ticket[6:8]}"
    api.send_text(f"/report {month}", chat_id=SUPERVISOR, user_id=SUPERVISOR)
    text = wait_text(api, SUPERVISOR, "1")
    assert "13812345678" not in text
    api.wait_for(lambda: any(m.photo for m in api.bot_messages(SUPERVISOR)))
    api.send_text(f"/report {month}", chat_id=HANDLER, user_id=HANDLER)
    wait_text(api, HANDLER, "权限")
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", str(bot.services.engine.url))
    out = tmp_path / "report.xlsx"
    assert main(["report", "--month", month, "--xlsx", str(out)]) == 0
    assert out.stat().st_size > 0


def test_transfer_note_queue_and_review_through_the_bot(
    api: FakeBotApi, start_bot: StartBot, bot_desk: Desk
) -> None:
    start_bot()
    ticket = file_complaint(api)
    wait_text(api, GROUP, ticket)
    card = api.bot_messages(GROUP)[0].message_id
    api.press(GROUP, "认领", user_id=HANDLER, message_id=card)
    api.wait_for(lambda: "转办" in api.buttons(GROUP, card) and "回复" in api.buttons(GROUP, card))
    api.press(GROUP, "内部备注", user_id=HANDLER, message_id=card)
    answer_prompt(api, "内部备注", "已电话联系村委会")
    wait_text(api, GROUP, "已内部备注")
    api.press(GROUP, "转办", user_id=HANDLER, message_id=card)
    answer_prompt(api, "转办给哪个科室", "殡葬管理所：属殡葬收费问题")
    wait_text(api, RESIDENT, "转交殡葬管理所")
    assert not any("已电话联系村委会" in (m.text or "") for m in api.bot_messages(RESIDENT))
    api.send_text("/queue", chat_id=HANDLER, user_id=HANDLER)
    assert ticket in wait_text(api, HANDLER, "待办投诉")
    reply_and_approve(api, "已退还多收的费用。")
    api.press(RESIDENT, "解决")
    wait_text(api, RESIDENT, "满意吗")
    api.press(RESIDENT, "满意")
    wait_text(api, RESIDENT, "申请复核")
    api.press(RESIDENT, "申请复核")
    wait_text(api, RESIDENT, "复核申请")
    assert bot_desk.engine is not None
    complaint = cs.get(bot_desk.engine, ticket)
    assert complaint.state == "reopened" and complaint.review_used
    assert complaint.responsible_office == "殡葬管理所"
    events = cs.history(bot_desk.engine, complaint.id or 0)
    note = next(e for e in events if e.action == "note")
    assert note.reason == "已电话联系村委会" and not note.public


def test_the_summary_can_be_edited_before_submitting(api: FakeBotApi, start_bot: StartBot) -> None:
    start_bot()
    skip_to_summary(api, RESIDENT, "婚姻登记处工作人员迟到一小时")
    api.press(RESIDENT, "✏️ 修改")
    wait_text(api, RESIDENT, "要修改哪一项")
    api.press(RESIDENT, "发生时间")
    api.wait_for(lambda: "什么时候" in last_text(api, RESIDENT))
    api.send_text("11月24日上午")
    api.wait_for(lambda: "11月24日上午" in last_text(api, RESIDENT))
    assert "请核对" in last_text(api, RESIDENT)
