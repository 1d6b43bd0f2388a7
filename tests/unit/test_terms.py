"""Spotting terms exactly, by sound, with one wrong character, and in English."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.matching.normalise import Normaliser
from knowledge.matching.pinyin import PinyinReader, fuzzy_syllable, load_table
from knowledge.matching.terms import How, TermSpotter, Words, noisy_or

TERMS = [
    "医疗救助",
    "后事",
    "表格",
    "签证",
    "低保",
    "低保资金",
    "五保",
    "低保户",
    "五保户",
    "材料",
    "户口簿",
    "收养",
    "投诉",
    "投诉电话",
    "申请",
    "marriage",
    "wedding",
]


@pytest.fixture(scope="module")
def reader(cache_dir: Path) -> PinyinReader:
    return PinyinReader(load_table(cache_dir))


@pytest.fixture(scope="module")
def spotter(reader: PinyinReader) -> TermSpotter:
    return TermSpotter(TERMS, reader, typo_terms=["医疗救助"])


def found(spotter: TermSpotter, text: str) -> list[tuple[str, How]]:
    return [(h.term, h.how) for h in spotter.spot(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("低保资金花了多少", [("低保资金", How.EXACT)]),
        ("申请底保要啥", [("申请", How.EXACT), ("低保", How.PINYIN)]),
        ("dibao zenme shenqing", [("低保", How.PINYIN), ("申请", How.PINYIN)]),
        ("shouyang", [("收养", How.PINYIN)]),
        ("投述民政大厅", [("投诉", How.FUZZY_PINYIN)]),
        ("投诉电话多少", [("投诉电话", How.EXACT)]),
        ("申请医疗求助", [("申请", How.EXACT), ("医疗救助", How.TYPO)]),
        ("our wedding in may", [("wedding", How.EXACT)]),
        ("weddings", [("wedding", How.EXACT)]),
    ],
)
def test_spotting(spotter: TermSpotter, text: str, expected: list[tuple[str, How]]) -> None:
    assert found(spotter, text) == expected


@pytest.mark.parametrize(
    ("pieces", "rejected"),
    [
        (["以后", "是", "什么"], "后事"),  # the span starts inside a word
        (["表哥", "能", "领证"], "表格"),  # the span is a real word
        (["钱", "怎么", "领"], "签证"),  # a two-character span keeping no character of the term
    ],
)
def test_implausible_typos_are_not_hits(
    spotter: TermSpotter, pieces: list[str], rejected: str
) -> None:
    text = "".join(pieces)
    words = Words.of(pieces, lambda w: w in {"以后", "表哥", "怎么", "领证", "什么"})
    assert rejected not in [h.term for h in spotter.spot(text, words)]


def test_a_real_homophone_typo_survives_the_word_check(spotter: TermSpotter) -> None:
    words = Words.of(["申请", "底", "保"], lambda w: w == "申请")
    assert [h.term for h in spotter.spot("申请底保", words)] == ["申请", "低保"]


def test_an_ambiguous_typo_proves_nothing(reader: PinyinReader) -> None:
    spotter = TermSpotter([], reader, typo_terms=["城乡低保户", "城乡五保户"])
    # 城乡特保户 is one character from both.
    assert found(spotter, "城乡特保户") == []


def test_typed_pinyin_segmentation(reader: PinyinReader) -> None:
    assert reader.segment("dibao") == ("di", "bao")
    assert reader.segment("zhuanxiangzijin") == ("zhuan", "xiang", "zi", "jin")
    assert reader.segment("xyz") is None


def test_fuzzy_syllables_merge_retroflex_and_nasals() -> None:
    assert fuzzy_syllable("shu") == fuzzy_syllable("su")
    assert fuzzy_syllable("qing") == fuzzy_syllable("qin")


def test_pinyin_table_is_cached_and_reloads_the_same(tmp_path: Path) -> None:
    first = load_table(tmp_path)
    assert list(tmp_path.iterdir())
    assert load_table(tmp_path) == first


def test_noisy_or_is_bounded_and_monotone() -> None:
    assert noisy_or([]) == 0.0
    assert noisy_or([0.5]) == pytest.approx(0.5)
    assert noisy_or([0.5, 0.5]) == pytest.approx(0.75)
    assert noisy_or([2.0]) < 1.0


def test_normaliser_full_width_traditional_and_colloquial() -> None:
    norm = Normaliser({"咋": "怎么", "啥": "什么", "咋整": "怎么办"})
    assert norm.normalise("結婚登記要帶啥　ＡＢＣ") == "结婚登记要带什么 abc"
    assert norm.normalise("离婚了咋整") == "离婚了怎么办"
    assert norm.normalise("\u200b低保\x00申请\u202e") == "低保申请"
    assert len(norm.normalise("好" * 10_000)) == 400


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (["低保", "五保户", "火化"], ["低保", "五保户", "火化", "婚姻登记"]),  # one added
        (["低保", "五保户", "火化"], ["低保", "火化"]),  # a sound's winner dropped
        (["低保", "火化"], ["低保", "火化", "底保"]),  # an added term sounds like one kept
        (["低保", "火化"], ["火化", "低保"]),  # the same terms in another order
    ],
)
def test_an_updated_spotter_is_the_one_a_build_makes(
    reader: PinyinReader, before: list[str], after: list[str]
) -> None:
    old = TermSpotter(before, reader, typo_terms=before)
    built = TermSpotter(after, reader, typo_terms=after)
    updated = old.updated(after, typo_terms=after)
    for text in ("底保怎么办", "低保和五保户", "婚因登记", "活化要钱吗", "dibao"):
        assert updated.spot(text) == built.spot(text), text
    assert updated._by_sound == built._by_sound
    assert dict(updated._by_mask) == dict(built._by_mask)
