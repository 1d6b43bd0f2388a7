"""The bot's pure parts: HTML rendering and splitting, callback data, masking,
database backup and restore, QR codes."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.cli import main
from handlers import callbacks as cb
from handlers.render import TELEGRAM_LIMIT, card_html, paragraphs_html
from knowledge.answering.answers import Card
from knowledge.answering.desk import prepare_database
from knowledge.complaints import intake
from knowledge.complaints.vocabulary import Action, Press, Satisfaction
from knowledge.db.engine import make_engine, open_session
from knowledge.errors import InputError
from knowledge.privacy import mask
from knowledge.vocabulary import ENTRY_IDS, MENU_ORDER, Aspect

ENTRIES = set(ENTRY_IDS)


class _Balanced(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack.pop() == tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _visible(page: str) -> str:
    parser = _Balanced()
    parser.feed(page)
    parser.close()
    assert not parser.stack
    return "".join(parser.text)


def test_a_card_leads_with_its_answer_in_bold_before_the_heading() -> None:
    (page,) = card_html(Card(title="火化", body="细则。", lead="火化费按标准减免 & 自付其余。"))
    assert page.startswith("<b>火化费按标准减免 &amp; 自付其余。</b>\n\n<b>【火化】</b>")


@given(st.text(min_size=1, max_size=12000))
def test_any_text_renders_to_balanced_pages_within_the_limit(text: str) -> None:
    pages = card_html(Card(title="标题<&>", body=text, basis=("《条例》第1条",)))
    assert all(len(p) <= TELEGRAM_LIMIT for p in pages)
    visible = "".join(_visible(p) for p in pages)
    assert "标题<&>" in visible


def test_long_cards_split_between_paragraphs() -> None:
    paragraph = "办理须知 & <细则>。" * 100  # about 1,300 characters escaped
    pages = paragraphs_html([("", paragraph)] * 9)
    assert len(pages) > 2
    assert all(len(p) <= TELEGRAM_LIMIT for p in pages)
    assert all(p.count("&lt;细则&gt;") == p.count("细则") for p in pages)
    assert sum(p.count("办理须知") for p in pages) == 900


def test_callback_data_round_trips_and_fits() -> None:
    actions: list[cb.Pressed] = [
        cb.Menu(),
        cb.NoneOfThese(),
        *(cb.OpenCategory(c) for c in MENU_ORDER),
        *(cb.OpenEntry(e) for e in ENTRY_IDS),
        *(cb.ShowAspect(e, a) for e in ENTRY_IDS for a in Aspect),
        *(cb.Vote(h, e, a) for h in (True, False) for e in ENTRY_IDS for a in (None, *Aspect)),
    ]
    for action in actions:
        data = cb.encode(action)
        assert len(data.encode()) <= cb.MAX_BYTES
        assert cb.parse(data, ENTRIES) == action


def test_complaint_buttons_round_trip_through_the_one_codec() -> None:
    ticket = "TS20261125-0007"
    presses = [
        *(cb.OnComplaint(Press.OFFICER, ticket, a.value) for a in Action),
        cb.OnComplaint(Press.RATE_SOLVED, ticket, "1"),
        cb.OnComplaint(Press.RATE_SOLVED, ticket, "0"),
        *(cb.OnComplaint(Press.RATE_SATISFIED, ticket, s.value) for s in Satisfaction),
        cb.OnComplaint(Press.RECONSIDER, ticket, "1"),
        cb.OnComplaint(Press.SHOW_PHONE, ticket),
        *(cb.OnComplaint(Press.INTAKE, value=c) for c in sorted(intake.CHOICES)),
    ]
    for press in presses:
        data = cb.encode(press)
        assert len(data.encode()) <= cb.MAX_BYTES
        assert cb.parse(data, ENTRIES) == press, data


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "a:dibao",
        "a:nope:fees",
        "a:dibao:colour",
        "c:9",
        "c:-1",
        "e:",
        "v:2:dibao:-",
        "v:1:dibao:x",
        "m:extra",
        "zz",
        "é" * 40,
        "o:claim:TS1",
        "o:explode:TS20261125-0007",
        "f:s:2:TS20261125-0007",
        "f:m:delighted:TS20261125-0007",
        "p:../etc",
        "k:no-such-step",
    ],
)
def test_forged_callback_data_is_refused(data: str | None) -> None:
    assert cb.parse(data, ENTRIES) is None


def test_personal_numbers_are_masked() -> None:
    text = "我身份证150525199001011234，手机13812345678，座机0475-8212345，低保每月600元"
    masked = mask(text)
    assert not re.search(r"\d{7,}", masked.replace("-", ""))
    assert "600元" in masked and "150" in masked and "138" in masked
    assert mask("2026年11月25日") == "2026年11月25日"


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    engine = make_engine(url)
    prepare_database(engine)
    engine.dispose()
    env = {"DATABASE_URL": url}
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        assert main(["db", "backup", str(tmp_path / "b.db")]) == 0
        (tmp_path / "live.db").unlink()
        for suffix in ("-wal", "-shm"):
            (tmp_path / f"live.db{suffix}").unlink(missing_ok=True)
        assert main(["db", "restore", str(tmp_path / "b.db")]) == 0
    engine = make_engine(url)
    with open_session(engine) as session:
        from knowledge.base.store import count_entries

        assert count_entries(session=session) == len(ENTRY_IDS)


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    from knowledge.db.backup import restore

    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InputError, match="not a SQLite database"):
        restore(f"sqlite:///{tmp_path / 'live.db'}", junk)
    with pytest.raises(InputError, match="pg_dump"):
        restore("postgresql://u:p@localhost/x", junk)


def test_qr_code_opens_the_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'q.db'}")
    out = tmp_path / "dibao.png"
    assert main(["qr", "dibao", "-o", str(out), "--bot", "my_bot"]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert main(["qr", "no-such-entry", "-o", str(out), "--bot", "my_bot"]) == 1
