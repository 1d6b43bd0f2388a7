"""The matcher on the shipped knowledge: required behaviours, bad input, properties."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.answering.desk import Desk
from knowledge.vocabulary import Aspect, Intent

# The behaviours the issue names; each is a mechanism, not a memorised question.
REQUIRED = [
    ("低保资金花了多少", "answer", "special-funds", "finance"),
    ("招待费公开吗", "answer", "office-funds", None),
    ("火化费多少钱", "answer", "funeral", "fees"),
    ("乱埋乱葬怎么罚", "answer", "funeral", "penalties"),
    ("想成立个商会", "answer", "social-org-registration", None),
    ("离婚冷静期几天", "answer", "marriage-registration", None),
    ("dibao zenme shenqing", "answer", "dibao", "procedure"),
    ("結婚登記要什麼", "answer", "marriage-registration", "materials"),
    ("结婚要带什么材料", "answer", "marriage-registration", "materials"),
]


@pytest.mark.parametrize(("question", "intent", "entry", "aspect"), REQUIRED)
def test_required_questions(
    desk: Desk, question: str, intent: str, entry: str, aspect: str | None
) -> None:
    m = desk.matcher.match(question)
    assert (m.intent.value, m.entry) == (intent, entry)
    if aspect is not None:
        assert m.aspect == Aspect(aspect)
    assert m.decision == "answer"


def test_office_funds_hospitality_question_is_about_the_disclosure(desk: Desk) -> None:
    m = desk.matcher.match("招待费公开吗")
    assert m.aspect in (Aspect.FINANCE, Aspect.OVERVIEW, None)


@pytest.mark.parametrize(
    ("question", "department"),
    [
        ("离婚财产怎么分", "人民法院"),
        ("社保卡丢了", "人社"),
    ],
)
def test_other_departments_are_named(desk: Desk, question: str, department: str) -> None:
    reply = desk.ask(question, record=False)
    assert reply.match.intent is Intent.NONE
    assert reply.match.referral is not None
    assert department in reply.match.referral.department
    assert department in reply.card.body
    assert "12345" in reply.card.body


@pytest.mark.parametrize(
    "question", ["这个到底怎么弄呀", "那个东西到底咋整啊", "多少钱", "怎么申请", "在哪办"]
)
def test_questions_without_a_topic_are_neither_answered_nor_sent_elsewhere(
    desk: Desk, question: str
) -> None:
    """Only how-words (怎么申请, 多少钱): no entry, and no other department, is meant."""
    match = desk.matcher.match(question)
    assert match.decision != "answer"
    assert match.referral is None


@pytest.mark.parametrize("question", ["我要投诉婚姻登记处的工作人员", "举报村干部优亲厚友"])
def test_complaints_are_recognised(desk: Desk, question: str) -> None:
    assert desk.matcher.match(question).intent is Intent.COMPLAINT


@pytest.mark.parametrize("question", ["民政局电话多少", "有没有监督举报热线"])
def test_requests_for_a_number_are_contact(desk: Desk, question: str) -> None:
    m = desk.matcher.match(question)
    assert (m.intent, m.entry) == (Intent.CONTACT, "contacts")


BAD_INPUT = [
    "",
    "   ",
    "\n\t",
    "好" * 10_000,
    "😀😀😀",
    "🙏",
    "\x00\x01\x02\x1b[31m",
    "abc 低保 ДОБРО مرحبا",
    "'; DROP TABLE entry; --",
    "<script>alert(1)</script>",
    "\ud800\udfff",
    "\u202e\u200b",
    "1" * 500,
    "?" * 300,
    "a" * 10_000,
]


@pytest.mark.parametrize("question", BAD_INPUT, ids=range(len(BAD_INPUT)))
def test_bad_input_gets_a_polite_reply_not_an_exception(desk: Desk, question: str) -> None:
    reply = desk.ask(question, record=False)
    assert 0.0 <= reply.match.score <= 1.0
    assert reply.card.body.strip()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_matches_within_the_contract(desk: Desk, question: str) -> None:
    m = desk.matcher.match(question)
    assert 0.0 <= m.score <= 1.0
    assert m.intent in Intent
    if m.entry is not None:
        assert m.entry in desk.entries
        if m.aspect is not None:
            assert m.aspect in desk.entries[m.entry].aspects
    else:
        assert m.aspect is None
    for alt in m.alternatives:
        assert alt.entry in desk.entries and 0.0 <= alt.score <= 1.0
        assert alt.entry != m.entry


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(REQUIRED), st.sampled_from(["", " ", "？", "!!", "  谢谢"]))
def test_punctuation_and_politeness_do_not_change_the_answer(
    desk: Desk, case: tuple[str, str, str, str | None], suffix: str
) -> None:
    question, _, entry, _ = case
    assert desk.matcher.match(question + suffix).entry == entry


def test_aspect_is_only_one_the_entry_has(desk: Desk) -> None:
    # Funds have no "fees" aspect: asking what money was spent is their finance aspect.
    m = desk.matcher.match("救灾款花了多少钱")
    assert m.entry == "special-funds"
    assert m.aspect == Aspect.FINANCE
