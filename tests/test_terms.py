"""Spotting terms exactly, by sound, with one wrong character, and in English."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.pinyin import PinyinReader, fuzzy_syllable, load_table
from knowledge.terms import How, TermSpotter, noisy_or
from knowledge.text import Normaliser

TERMS = [
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
    return TermSpotter(TERMS, reader)


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
        ("带户口薄原件", [("户口簿", How.TYPO)]),
        ("our wedding in may", [("wedding", How.EXACT)]),
        ("weddings", [("wedding", How.EXACT)]),
    ],
)
def test_spotting(spotter: TermSpotter, text: str, expected: list[tuple[str, How]]) -> None:
    assert found(spotter, text) == expected


def test_an_ambiguous_typo_proves_nothing(spotter: TermSpotter) -> None:
    # 特保户 is one character from both 低保户 and 五保户.
    assert found(spotter, "特保户") == []


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
