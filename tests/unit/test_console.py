"""The console chat, driven as a resident would drive it."""

from __future__ import annotations

import io
from collections.abc import Callable

from handlers.console import ConsoleChat
from knowledge.answering.desk import Desk
from knowledge.vocabulary import APPROVAL_ENTRY_IDS, Aspect


def script(lines: list[str]) -> Callable[[str], str]:
    pending = iter(lines)

    def read(prompt: str) -> str:
        try:
            return next(pending)
        except StopIteration:
            raise EOFError from None

    return read


def converse(desk: Desk, lines: list[str]) -> str:
    out = io.StringIO()
    ConsoleChat(desk).run(script(lines), out)
    return out.getvalue()


def test_welcome_shows_the_six_categories_and_q_quits(desk: Desk) -> None:
    text = converse(desk, ["q"])
    for category in ("阳光审批", "阳光收费", "阳光处罚", "阳光理财", "投诉监督", "联系我们"):
        assert category in text
    assert text.rstrip().endswith("再见！")


def test_menu_numbers_lead_to_an_entry_and_its_aspects(desk: Desk) -> None:
    chat = ConsoleChat(desk)
    chat.welcome()
    listing = chat.handle("1")  # 阳光审批
    approval = APPROVAL_ENTRY_IDS
    assert {o.entry for o in chat.options} == set(approval)
    assert all(desk.entries[e].title in listing for e in approval)
    number = next(
        i for i, o in enumerate(chat.options, start=1) if o.entry == "marriage-registration"
    )
    card = chat.handle(str(number))
    marriage = desk.entries["marriage-registration"]
    assert card.startswith(marriage.leads[Aspect.OVERVIEW] + "\n\n【婚姻登记")
    assert "还可以了解" in card
    materials = next(i for i, o in enumerate(chat.options, start=1) if o.label == "材料")
    lead, heading = chat.handle(str(materials)).split("\n\n")[:2]
    assert (lead, heading) == (marriage.leads[Aspect.MATERIALS], "【婚姻登记 · 材料】")


def test_fees_category_opens_each_entry_on_its_fees(desk: Desk) -> None:
    chat = ConsoleChat(desk)
    chat.welcome()
    chat.handle("2")  # 阳光收费
    assert {o.entry for o in chat.options} >= {"marriage-registration", "funeral"}
    funeral = next(i for i, o in enumerate(chat.options, start=1) if o.entry == "funeral")
    title = desk.entries["funeral"].title
    assert chat.handle(str(funeral)).splitlines()[2] == f"【{title} · 收费】"


def test_a_free_question_then_a_follow_up_by_number(desk: Desk) -> None:
    chat = ConsoleChat(desk)
    answer = chat.handle("低保怎么申请")
    assert answer.splitlines()[2] == f"【{desk.entries['dibao'].title} · 流程】"
    assert "法律依据" in answer and "内容审核日期" in answer
    time_limit = next(i for i, o in enumerate(chat.options, start=1) if o.label == "时限")
    assert "时限" in chat.handle(str(time_limit)).splitlines()[2]


def test_out_of_range_numbers_and_empty_lines_are_answered_politely(desk: Desk) -> None:
    chat = ConsoleChat(desk)
    chat.welcome()
    assert "1 到 6" in chat.handle("9")
    assert "请输入" in chat.handle("   ")


def test_out_of_scope_question_names_the_department(desk: Desk) -> None:
    chat = ConsoleChat(desk)
    reply = chat.handle("社保卡丢了怎么补")
    assert "人社" in reply and "12345" in reply


def test_after_a_reply_without_follow_ups_numbers_pick_from_the_menu(desk: Desk) -> None:
    chat = ConsoleChat(desk)
    reply = chat.handle("社保卡丢了怎么补")
    assert "1. 阳光审批" in reply.splitlines()[-1]
    assert chat.handle("4").startswith("【阳光理财】")


def test_a_number_before_any_list_shows_the_menu(desk: Desk) -> None:
    chat = ConsoleChat(desk)
    assert chat.handle("3").startswith("请选择栏目")
