"""The public pages: home and web chat, service guides, checklists, complaint figures and
status, the JSON API — and that no complaint page or answer leaks personal data."""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser

import pytest
from starlette.testclient import TestClient

from handlers.flood import FloodLimit
from handlers.web.throttle import AddressLimit
from knowledge.answering import pages
from knowledge.complaints import store as cs
from knowledge.complaints.calendar import CHINA
from knowledge.complaints.vocabulary import Action, Role
from knowledge.texts import residents
from knowledge.texts import site as texts
from knowledge.vocabulary import ENTRY_IDS, Aspect, Category
from tests.harness.web import Site

NAME = "欧阳铁柱"
PHONE = "13987654321"
SUMMARY = "独特投诉内容甲乙丙丁"
REPLY = "答复正文戊己庚辛"
REASON = "转办理由壬癸子丑"
OFFICE = "某某专门科室"
USER_ID = 55501234


class Inputs(HTMLParser):
    """Every <input> (but hidden ones) and every <label for>, to check inputs are labelled."""

    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []
        self.labels: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "input" and found.get("type") != "hidden":
            self.inputs.append(found)
        if tag == "label" and found.get("for"):
            self.labels.add(str(found["for"]))


def assert_labelled(html: str) -> int:
    parser = Inputs()
    parser.feed(html)
    for found in parser.inputs:
        assert found.get("id") in parser.labels or found.get("aria-label"), found
    return len(parser.inputs)


def complain(site: Site, key: str = "k1", category: str | None = "dibao") -> str:
    """A complaint this month with distinctive personal data, claimed, with a reply drafted."""
    complaint, _ = cs.submit(
        site.engine,
        cs.Submission(
            summary=f"{NAME}：{SUMMARY}，电话{PHONE}",
            category=category,
            named_office=OFFICE,
            contact_phone=PHONE,
            chat_id=USER_ID,
            user_id=USER_ID,
            resident_name=NAME,
        ),
        key=key,
        bureau=site.web.bureau,
    )
    actor = cs.Actor(Role.HANDLER, "424242")
    bureau = site.web.bureau
    for action, change in (
        (Action.CLAIM, cs.Change(office=OFFICE)),
        (Action.NOTE, cs.Change(reason=REASON)),
        (Action.DRAFT_REPLY, cs.Change(reply=REPLY)),
    ):
        cs.act(site.engine, complaint.ticket, action, actor, change, bureau=bureau)
    return complaint.ticket


def assert_private(text: str) -> None:
    for secret in (NAME, PHONE, SUMMARY, REPLY, REASON, OFFICE, str(USER_ID), "424242"):
        assert secret not in text


# --- home and chat ---------------------------------------------------------------------------


def test_home_lists_the_six_categories_and_the_chat_form(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="zh-CN">' in html
    for category in Category:
        assert f"<h3>{category.value}</h3>" in html
    assert '<form method="get" action="/ask"' in html
    assert '<label for="q">' in html and 'name="q"' in html
    assert 'hx-get="/ask"' in html
    assert '<form method="get" action="/complaints">' in html
    assert 'href="/entries/marriage-registration"' in html
    assert 'href="/entries/funeral#fees"' in html  # 阳光收费 opens on the fees
    assert assert_labelled(html) == 2
    assert "style=" not in html and "onclick" not in html
    assert "<script>" not in html


def test_asking_without_javascript_renders_the_page_with_the_answer(
    client: TestClient, site: Site
) -> None:
    response = client.get("/ask", params={"q": "结婚要带什么材料"})
    assert response.status_code == 200
    html = response.text
    assert html.startswith("<!doctype html>")
    card = site.web.desk.ask("结婚要带什么材料").card
    assert card.entry == "marriage-registration" and card.aspect is Aspect.MATERIALS
    lead = f'<p class="lead"><strong>{card.lead}</strong></p>'
    assert lead in html
    assert html.index(lead) < html.index("【婚姻登记 · 材料】")  # the lead comes first
    assert "双方各自的居民身份证" in html
    assert texts.BASIS_LABEL in html and card.basis[0] in html
    assert f"{texts.REVIEWED_LABEL}：{card.last_reviewed}" in html
    assert 'href="/entries/marriage-registration#procedure"' in html  # the follow-up aspects
    assert 'value="结婚要带什么材料"' in html


def test_htmx_gets_only_the_answer_fragment(client: TestClient) -> None:
    response = client.get("/ask", params={"q": "结婚要带什么材料"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and "<body" not in response.text
    assert 'id="answer-title"' in response.text
    assert "HX-Request" in response.headers["vary"]
    restore = client.get(
        "/ask",
        params={"q": "低保"},
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in restore.text  # a history restore needs the whole page


def test_a_vague_question_offers_the_same_choices_as_links(client: TestClient, site: Site) -> None:
    card = site.web.desk.ask("交通违章罚款").card
    assert card.choices
    html = client.get("/ask", params={"q": "交通违章罚款"}).text
    assert residents.DID_YOU_MEAN in html
    for entry_id, aspect in card.choices:
        anchor = f"#{aspect.value}" if aspect else ""
        assert f'href="/entries/{entry_id}{anchor}"' in html


def test_a_complaint_is_invited_to_the_bot_and_the_hotline(client: TestClient, site: Site) -> None:
    html = client.get("/ask", params={"q": "我要投诉民政局工作人员"}).text
    assert texts.COMPLAINT_INVITE in html
    card = site.web.desk.ask("我要投诉民政局工作人员").card
    phone = re.search(r"监督咨询电话：(\S+)", card.body)
    assert phone and phone.group(1) in html
    if card.sample:
        assert texts.SAMPLE_NOTICE in html


def test_a_referral_names_the_department(client: TestClient) -> None:
    html = client.get("/ask", params={"q": "办身份证去哪里"}).text
    assert texts.REFERRAL_DEPARTMENT.format(department="公安机关（派出所、户政窗口）") in html


def test_an_empty_or_overlong_question_is_answered_with_a_hint(client: TestClient) -> None:
    assert texts.EMPTY_INPUT in client.get("/ask", params={"q": "  "}).text
    response = client.get("/ask", params={"q": "低" * 1001})
    assert response.status_code == 400
    assert texts.CHAT_TOO_LONG.format(limit=1000) in response.text


# --- the JSON API ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question", ["结婚要带什么材料", "低保怎么申请", "我要投诉民政局工作人员", "办身份证去哪里"]
)
def test_api_ask_is_exactly_the_desks_json(client: TestClient, site: Site, question: str) -> None:
    response = client.get("/api/ask", params={"q": question})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    desk = site.web.desk
    assert response.json() == json.loads(json.dumps(desk.as_json(desk.ask(question))))
    assert "\\u" not in response.text  # Chinese is not escaped


def test_api_ask_refuses_a_missing_or_overlong_question(client: TestClient) -> None:
    for params in ({}, {"q": ""}, {"q": "低" * 1001}):
        response = client.get("/api/ask", params=params)
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["error"] in (
            texts.API_EMPTY_QUESTION,
            texts.API_TOO_LONG.format(limit=1000),
        )


# --- service guides --------------------------------------------------------------------------


@pytest.mark.parametrize("entry_id", ENTRY_IDS)
def test_every_entry_page_follows_the_programmes_order(
    client: TestClient, site: Site, entry_id: str
) -> None:
    response = client.get(f"/entries/{entry_id}")
    assert response.status_code == 200
    html = response.text
    entry = site.web.desk.entries[entry_id]
    assert '<html lang="zh-CN">' in html
    positions = [html.index('<h2 id="h-name">')]
    for aspect in pages.GUIDE_ORDER:
        heading = f'<h2 id="h-{aspect.value}">{texts.GUIDE_LABELS[aspect.value]}</h2>'
        if aspect in entry.aspects:
            positions.append(html.index(heading))
            for basis in pages.guide(entry)[0].basis[:1]:
                assert basis in html
        else:
            assert heading not in html
    assert positions == sorted(positions)
    assert f"{texts.REVIEWED_LABEL}：{entry.last_reviewed.isoformat()}" in html
    assert f"{texts.BASIS_LABEL}：" in html
    assert (texts.SAMPLE_NOTICE in html) == pages.shows_sample(entry)
    assert "style=" not in html and "<script>" not in html
    assert_labelled(html)


def test_an_entry_with_sample_data_shows_the_notice(client: TestClient, site: Site) -> None:
    entry = site.web.desk.entries["dibao"]
    assert entry.sample_aspects
    html = client.get("/entries/dibao").text
    assert texts.SAMPLE_NOTICE in html
    assert html.count(texts.SECTION_SAMPLE) == len(
        [a for a in entry.aspects if entry.shows_sample_data(a)]
    )


def test_the_flow_chart_has_text_for_every_step(client: TestClient, site: Site) -> None:
    entry = site.web.desk.entries["marriage-registration"]
    html = client.get("/entries/marriage-registration").text
    svgs = re.findall(r'<svg[^>]*role="img".*?</svg>', html, flags=re.S)
    flows = [s for s in svgs if "flow-box" in s]
    assert len(flows) == len(entry.procedures)
    for svg, procedure in zip(flows, entry.procedures, strict=True):
        texts_in_svg = "".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
        desc = re.search(r"<desc[^>]*>(.*?)</desc>", svg, flags=re.S)
        assert desc is not None
        for step in procedure.steps:
            assert step.title[:4] in texts_in_svg
            assert step.title in desc.group(1)
        assert svg.count('class="flow-box"') == len(procedure.steps)
    assert html.count('<ol class="steps">') == len(entry.procedures)  # the text version


def test_finance_is_a_table_with_the_bots_numbers_and_a_chart(
    client: TestClient, site: Site
) -> None:
    from knowledge.answering.answers import finance_lines

    entry = site.web.desk.entries["office-funds"]
    assert entry.finance is not None
    html = client.get("/entries/office-funds").text
    for line in finance_lines(entry.finance):
        for number in re.findall(r"\d[\d,]*(?:\.\d+)?%?", line):
            assert number in html
    assert "<table>" in html and '<td class="num">' in html
    assert 'class="bar-spent"' in html


def test_unknown_entry_is_404(client: TestClient) -> None:
    for path in ("/entries/nope", "/entries/nope/checklist", "/entries/office-funds/checklist"):
        response = client.get(path)
        assert response.status_code == 404
        assert '<html lang="zh-CN">' in response.text


def test_entry_pages_are_cached_until_the_desk_changes(client: TestClient, site: Site) -> None:
    first = client.get("/entries/dibao").text
    assert client.get("/entries/dibao").text == first
    client.cookies.set("sunshine_display", "large")
    large = client.get("/entries/dibao").text
    assert '<body class="large' in large and large != first
    client.cookies.delete("sunshine_display")
    old = site.web.live.desk
    changed = old.entries["dibao"].model_copy(update={"title": "低保（新标题）"})
    site.web.live.desk = old.using(site.engine)  # a new desk object, as a publication makes
    site.web.live.desk.entries = old.entries.patched({"dibao": changed})
    assert "低保（新标题）" in client.get("/entries/dibao").text


# --- checklists ------------------------------------------------------------------------------


@pytest.mark.parametrize("entry_id", ["dibao", "marriage-registration", "funeral"])
def test_the_checklist_has_a_checkbox_per_material_and_prints(
    client: TestClient, site: Site, entry_id: str
) -> None:
    entry = site.web.desk.entries[entry_id]
    listed = pages.checklist(entry.aspects[Aspect.MATERIALS])
    response = client.get(f"/entries/{entry_id}/checklist")
    assert response.status_code == 200
    html = response.text
    assert html.count('type="checkbox"') == len(listed.items) > 0
    for item in listed.items:
        assert item in html
    assert assert_labelled(html) == len(listed.items)
    assert '<link rel="stylesheet" href="/static/public.css">' in html
    assert "data-print" in html and "Ctrl+P" in html
    assert f"{texts.REVIEWED_LABEL}：{entry.last_reviewed.isoformat()}" in html
    shown = [a for a in (Aspect.MATERIALS, Aspect.METHOD, Aspect.TIME_LIMIT) if a in entry.aspects]
    assert (texts.SAMPLE_NOTICE in html) == any(entry.shows_sample_data(a) for a in shown)
    css = client.get("/static/public.css").text
    assert "@media print" in css


# --- complaint figures and status ------------------------------------------------------------


def test_an_empty_month_says_so_with_zeros(client: TestClient) -> None:
    html = client.get("/complaints/stats", params={"month": "2020-01"}).text
    assert texts.STATS_EMPTY in html
    assert texts.STATS_TOTAL.format(count=0) in html
    assert_labelled(html)


def test_stats_show_figures_without_personal_data(client: TestClient, site: Site) -> None:
    complain(site, "k1")
    complain(site, "k2", category=None)
    response = client.get("/complaints/stats")
    assert response.status_code == 200
    html = response.text
    assert texts.STATS_TOTAL.format(count=2) in html
    assert site.web.desk.entries["dibao"].title in html and texts.OTHER_CATEGORY in html
    assert texts.STATE_NAMES["claimed"] in html or texts.STATE_NAMES["reply_review"] in html
    for label in texts.REPORT_FIGURES.values():
        assert label in html
    assert_private(html)
    assert "TS" not in re.sub(r"<[^>]+>", "", html)  # not even the tickets


def test_a_bad_month_is_refused(client: TestClient) -> None:
    assert client.get("/complaints/stats", params={"month": "2026-13"}).status_code == 400


def test_api_status_shows_public_steps_only(client: TestClient, site: Site) -> None:
    ticket = complain(site)
    response = client.get(f"/api/complaints/{ticket}")
    assert response.status_code == 200
    data = response.json()
    assert data["ticket"] == ticket
    assert data["state"] == "reply_review"
    assert data["state_name"] == texts.STATE_NAMES["reply_review"]
    assert data["category"] == site.web.desk.entries["dibao"].title
    assert data["kind"] == "complaint"
    assert data["created"] == dt.datetime.now(CHINA).date().isoformat()
    assert data["claimed"] is not None and data["closed"] is None
    events = cs.history(site.engine, cs.get(site.engine, ticket).id or 0)
    assert [s["action"] for s in data["steps"]] == [e.action for e in events if e.public]
    assert "note" not in [s["action"] for s in data["steps"]]
    assert_private(response.text)
    assert set(data) == {
        "ticket", "state", "state_name", "category", "kind", "kind_name",
        "created", "claimed", "replied", "closed", "due", "steps",
    }  # fmt: skip
    page = client.get(f"/complaints/{ticket.lower()}")
    assert page.status_code == 200 and ticket in page.text
    assert_private(page.text)
    lookup = client.get("/complaints", params={"ticket": ticket}, follow_redirects=False)
    assert lookup.status_code == 303 and lookup.headers["location"] == f"/complaints/{ticket}"


def test_unknown_or_malformed_tickets_are_404(client: TestClient) -> None:
    for ticket in ("TS20200101-0001", "nonsense", "TS2020"):
        response = client.get(f"/api/complaints/{ticket}")
        assert response.status_code == 404
        assert response.json()["error"] == texts.API_NOT_FOUND
    assert client.get("/complaints/TS20200101-0001").status_code == 404


def test_the_status_api_is_rate_limited_per_address(client: TestClient, site: Site) -> None:
    site.web.status_limit = AddressLimit(FloodLimit(burst=3, rate=1.0, clock=lambda: 0.0))
    codes = [client.get("/api/complaints/TS20200101-0001").status_code for _ in range(5)]
    assert codes == [404, 404, 404, 429, 429]
    response = client.get("/api/complaints/TS20200101-0001")
    assert response.json()["error"] == texts.API_RATE_LIMITED
    assert client.get("/complaints/TS20200101-0001").status_code == 429


def test_the_api_answers_with_newly_published_text(client: TestClient, site: Site) -> None:
    """Answers the API keeps for repeated questions are dropped when knowledge is published."""
    from knowledge.base.store import get_entry
    from knowledge.db.engine import open_session
    from knowledge.staff import review

    question = "结婚要带什么材料"
    before = client.get("/api/ask", params={"q": question}).json()["text"]
    assert client.get("/api/ask", params={"q": question}).json()["text"] == before
    with open_session(site.engine) as session:
        entry = get_entry("marriage-registration", session=session)
        aspects = dict(entry.aspects)
        aspects[Aspect.MATERIALS] += "（新发布）"
        change = review.submit(
            entry.model_copy(update={"aspects": aspects}), session=session, author="editor"
        )
        session.commit()
        review.approve(change.id or 0, session=session, reviewer="reviewer")
        session.commit()
    site.live.refresh()
    assert "（新发布）" in client.get("/api/ask", params={"q": question}).json()["text"]
