"""The shipped knowledge keeps the issue's rules: every id, aspect, source and sample mark."""

from __future__ import annotations

import re

import pytest

from knowledge.answering.answers import card_for, render_plain
from knowledge.base.schema import Entry
from knowledge.texts.residents import SAMPLE_NOTICE
from knowledge.vocabulary import APPROVAL_ENTRY_IDS, ENTRY_IDS, SAMPLE_MARK, Aspect

APPROVAL_ITEMS = APPROVAL_ENTRY_IDS
APPROVAL_ASPECTS = {
    Aspect.OVERVIEW,
    Aspect.BASIS,
    Aspect.CONDITIONS,
    Aspect.PROCEDURE,
    Aspect.TIME_LIMIT,
    Aspect.METHOD,
    Aspect.MATERIALS,
    Aspect.FEES,
}
NATIONAL_NUMBERS = {"12345", "110", "119", "120", "122"}
PHONE = re.compile(r"(?<![\d.])(?:0\d{2,3}-?\d{7,8}|1[3-9]\d{9})(?!\d)")


@pytest.fixture(scope="module")
def by_id(shipped: list[Entry]) -> dict[str, Entry]:
    return {e.id: e for e in shipped}


def test_the_eleven_contract_entries_ship(by_id: dict[str, Entry]) -> None:
    assert set(by_id) == set(ENTRY_IDS)


@pytest.mark.parametrize("entry_id", APPROVAL_ITEMS)
def test_approval_items_have_every_aspect(by_id: dict[str, Entry], entry_id: str) -> None:
    assert set(by_id[entry_id].aspects) >= APPROVAL_ASPECTS


def test_fees_penalties_and_finances_are_where_the_programme_puts_them(
    by_id: dict[str, Entry],
) -> None:
    assert {Aspect.FEES, Aspect.PENALTIES} <= set(by_id["funeral"].aspects)
    assert Aspect.PENALTIES in by_id["non-enterprise-units"].aspects
    for entry_id in ("special-funds", "office-funds"):
        finance = by_id[entry_id].finance
        assert finance is not None and finance.sample_data and len(finance.rows) >= 4
    assert len(by_id["contacts"].contacts) >= 5


def test_every_aspect_names_its_legal_basis(shipped: list[Entry]) -> None:
    missing = [(e.id, a.value) for e in shipped for a in e.aspects if not e.basis_for(a)]
    assert missing == []


def test_procedures_are_ordered_steps_fit_for_a_chart(shipped: list[Entry]) -> None:
    for e in shipped:
        if Aspect.PROCEDURE in e.aspects:
            assert e.procedures, e.id
        for proc in e.procedures:
            assert all(len(step.title) <= 12 for step in proc.steps), (e.id, proc.name)


def test_only_sample_or_national_phone_numbers_appear(shipped: list[Entry]) -> None:
    for e in shipped:
        texts = [*e.aspects.values(), *(c.phone for c in e.contacts)]
        for number in (m.group(0) for t in texts for m in PHONE.finditer(t)):
            assert number.startswith("0475-00000"), (e.id, number)
        for c in e.contacts:
            numbers = set(re.findall(r"\d+", c.phone))
            assert c.sample_data or numbers <= NATIONAL_NUMBERS, (e.id, c.name)


def test_every_reply_that_shows_sample_data_says_so(shipped: list[Entry]) -> None:
    for e in shipped:
        for aspect in e.aspects:
            text = render_plain(card_for(e, aspect))
            if SAMPLE_MARK in e.aspects[aspect] or e.shows_sample_data(aspect):
                assert SAMPLE_NOTICE in text, (e.id, aspect.value)


def test_unverified_and_unfound_documents_stay_out_of_resident_text(shipped: list[Entry]) -> None:
    for e in shipped:
        for text in e.aspects.values():
            assert "UNVERIFIED" not in text
            assert "内价费发" not in text


def test_replies_show_the_basis_and_the_review_date(shipped: list[Entry]) -> None:
    for e in shipped:
        text = render_plain(card_for(e, None))
        assert "法律依据" in text and e.last_reviewed.isoformat() in text
