"""The legal-basis line names each law once, its articles in order and runs as ranges."""

from __future__ import annotations

import pytest

from knowledge.base.citations import chinese_number, compact


@pytest.mark.parametrize(
    ("text", "number"),
    [("一", 1), ("十", 10), ("十八", 18), ("二十", 20), ("一百零五", 105), ("一千零七十七", 1077)],
)
def test_chinese_article_numbers(text: str, number: int) -> None:
    assert chinese_number(text) == number


def test_one_law_named_once_with_its_articles_in_order_and_runs_as_ranges() -> None:
    basis = [
        "《社会救助法》第十八条",
        "《社会救助法》第二十一条",
        "《社会救助法》第十九条、第二十条",
        "《社会救助法》第二十二条",
        "《社会救助法》第二十四条",
    ]
    assert compact(basis) == ["《社会救助法》第十八条至第二十二条、第二十四条"]


def test_two_articles_stay_a_list_and_parts_stay_with_their_article() -> None:
    basis = [
        "《最低生活保障审核确认办法》（民发〔2021〕57号）第九条、第十条",
        "《社会救助法》第四十条",
        "《社会救助法》第六十二条第二款",
        "《最低生活保障审核确认办法》第二十四条",
    ]
    assert compact(basis) == [
        "《最低生活保障审核确认办法》（民发〔2021〕57号）第九条、第十条、第二十四条",
        "《社会救助法》第四十条、第六十二条第二款",
    ]


def test_a_whole_article_makes_its_parts_redundant_and_items_continue_their_article() -> None:
    basis = [
        "《政府信息公开条例》第二十条第（七）项、第（十一）项",
        "《政府信息公开条例》第二十一条、第二十六条",
    ]
    expected = "《政府信息公开条例》第二十条第（七）项、第（十一）项、第二十一条、第二十六条"
    assert compact(basis) == [expected]
    assert compact(["《预算法》第十四条第二款", "《预算法》第十四条"]) == ["《预算法》第十四条"]


def test_editions_that_differ_stay_apart_and_other_text_is_kept() -> None:
    basis = [
        "《殡葬管理条例》（2025）第五十六条至第六十八条",
        "《殡葬管理条例》（2012年修订，已失效）第二十条（仅适用于2026年3月29日以前的行为）",
        "内发改规范字〔2013〕6号",
        "《社会救助法》第十五条至第十七条、第三章",
    ]
    assert compact(basis) == [
        "《殡葬管理条例》（2025）第五十六条至第六十八条",
        "《殡葬管理条例》（2012年修订，已失效）第二十条（仅适用于2026年3月29日以前的行为）",
        "内发改规范字〔2013〕6号",
        "《社会救助法》第十五条至第十七条、第三章",
    ]


def test_a_range_meeting_single_articles_is_one_range() -> None:
    basis = ["《民法典》第一千零四十六条至第一千零四十九条", "《民法典》第一千零五十条"]
    assert compact(basis) == ["《民法典》第一千零四十六条至第一千零五十条"]
