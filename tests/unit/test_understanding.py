"""What the learned layer must understand, by mechanism: long stories, a second question,
small talk, English, the score, and the lexical fallback for entries the model never saw.

The held-out figures are in test_quality.py; these are behaviours a resident notices.
"""

from __future__ import annotations

import pytest

from knowledge.answering.answers import render_plain
from knowledge.answering.desk import Desk
from knowledge.matching.decide import Matcher
from knowledge.matching.match import DecisionPath
from knowledge.matching.sentences import clauses, focus
from knowledge.vocabulary import Aspect, Intent
from tests.harness import make_entry


def test_a_story_is_cut_into_clauses_and_its_question_found(desk: Desk) -> None:
    story = "我今年七十了 老伴前年走了 儿子在外地打工 一个月就几百块钱 像我这样的 能办低保不"
    assert len(clauses(story)) >= 4
    asking = desk.matcher.featurizer.asking
    found = focus(story, asking)
    assert found is not None and "能办低保不" in found.first and "像我这样的" in found.first
    assert focus("低保怎么申请", asking) is None  # short: read whole


def test_the_question_inside_a_long_story_is_answered(desk: Desk) -> None:
    story = (
        "俺今年六十九了，老头子去年冬天走了，闺女嫁到赤峰一年回来一趟，地包出去了一年就两千来块，"
        "腿上有老寒腿干不了重活，村里人说俺这情况可以找政府，俺想问问能不能吃上低保"
    )
    m = desk.matcher.match(story)
    assert (m.intent, m.entry) == (Intent.ANSWER, "dibao")


def test_a_second_question_is_offered_after_the_answer(desk: Desk) -> None:
    story = (
        "我父亲上个月在旗医院去世了，我们兄妹几个都在外地打工，刚回来处理后事，"
        "想问问火化要花多少钱，另外我妈一个人在家没收入，她能不能申请低保"
    )
    reply = desk.ask(story, record=False)
    assert reply.match.entry == "funeral"
    assert reply.match.also is not None and reply.match.also.entry == "dibao"
    assert "您还问到：" in render_plain(reply.card, desk.entries)


@pytest.mark.parametrize(
    ("message", "reply"),
    [("谢谢你", "不客气"), ("好的 明白了", "好的"), ("再见", "再见"), ("thanks!", "不客气")],
)
def test_small_talk_gets_a_fitting_reply(desk: Desk, message: str, reply: str) -> None:
    answer = desk.ask(message, record=False)
    assert answer.match.path is DecisionPath.SMALLTALK
    assert answer.card.body.startswith(reply)


@pytest.mark.parametrize(
    ("question", "entry", "aspect"),
    [
        ("How much does cremation cost here?", "funeral", Aspect.FEES),
        ("What documents do we need to register our marriage?", "marriage-registration", None),
    ],
)
def test_english_questions_get_the_chinese_answer_never_a_complaint(
    desk: Desk, question: str, entry: str, aspect: Aspect | None
) -> None:
    m = desk.matcher.match(question)
    assert (m.intent, m.entry) == (Intent.ANSWER, entry)
    if aspect is not None:
        assert m.aspect is aspect


@pytest.mark.parametrize(
    "question",
    ["低保怎么申请", "村主任把他小舅子弄成了低保户", "身份证丢了去哪补", "你好", "zxcvbnm"],
)
def test_the_score_is_a_probability(desk: Desk, question: str) -> None:
    assert 0.0 <= desk.matcher.match(question).score <= 1.0


def test_an_entry_the_model_never_saw_is_answered_by_the_lexical_rules(desk: Desk) -> None:
    extra = make_entry("pet-adoption-sample", title="示例宠物登记", aliases=["示例宠物登记"])
    entries = [*desk.entries.values(), extra]
    matcher = Matcher(
        entries,
        desk.matcher.lexicon,
        desk.matcher.calibration,
        model=desk.matcher.model,
        cache_dir=None,
    )
    assert matcher.model is None  # the model does not know the new entry: lexical rules decide
    assert matcher.match("示例宠物登记怎么办理").entry == "pet-adoption-sample"
