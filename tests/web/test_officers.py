"""The back office's complaint pages: the queue, a complaint's actions, the monthly report.

A web action must do exactly what the same Telegram button does (state, trail,
messages to the resident and the group), must be refused where the lifecycle
refuses it, and must never happen twice for one form.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Protocol

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select
from starlette.testclient import TestClient

from handlers.web.context import Web
from knowledge.complaints import store
from knowledge.complaints.calendar import month_of
from knowledge.complaints.policy import Bureau, Staff
from knowledge.complaints.vocabulary import Action, Identity, Message, Place
from knowledge.db.engine import open_session
from knowledge.db.models import AuditRecord, ComplaintEvent, OutboxMessage, utcnow
from knowledge.staff.roles import WebRole

GROUP = -9001
RESIDENT_CHAT = 555
HOTLINE_UID = 111
SUPERVISOR_UID = 777
PHONE = "13812345678"
FORM = re.compile(
    r'<form[^>]*id="do-(?P<action>[a-z_]+)".*?name="request" value="(?P<nonce>[^"]+)"', re.S
)
Browser = Callable[[WebRole], TestClient]


class SiteLike(Protocol):
    web: Web
    engine: Engine


@pytest.fixture
def group(site: SiteLike) -> Bureau:
    """The bureau with an officers' group and Telegram officers, as in production."""
    bureau = Bureau(
        staff=Staff(
            hotline=frozenset({HOTLINE_UID}),
            supervisors=frozenset({SUPERVISOR_UID}),
            officers_chat_id=GROUP,
        )
    )
    site.web.bureau = bureau
    return bureau


def complaint(
    site: SiteLike,
    key: str,
    *,
    category: str | None = None,
    identity: Identity = Identity.PUBLIC,
    now: dt.datetime | None = None,
) -> str:
    made, _ = store.submit(
        site.engine,
        store.Submission(
            summary="低保申请两个月没有答复",
            category=category,
            identity=identity,
            chat_id=RESIDENT_CHAT,
            user_id=RESIDENT_CHAT,
            resident_name="王小明",
            contact_phone=PHONE,
        ),
        key=key,
        bureau=site.web.bureau,
        now=now,
    )
    return made.ticket


def forms(browser: TestClient, ticket: str) -> dict[str, str]:
    """The complaint page's action forms: action -> the form's request key."""
    page = browser.get(f"/staff/complaints/{ticket}")
    assert page.status_code == 200, page.text
    return {m["action"]: m["nonce"] for m in FORM.finditer(page.text)}


def submit(
    browser: TestClient, ticket: str, action: str, nonce: str, **fields: str
) -> tuple[int, str]:
    csrf = re.search(r'name="csrf" value="([^"]+)"', browser.get("/staff/").text)
    assert csrf
    response = browser.post(
        f"/staff/complaints/{ticket}",
        data={"csrf": csrf.group(1), "action": action, "request": nonce, **fields},
        follow_redirects=False,
    )
    return response.status_code, response.headers.get("location") or response.text


def state_of(site: SiteLike, ticket: str) -> str:
    return store.get(site.engine, ticket).state


def outbox_rows(site: SiteLike, ticket: str) -> list[OutboxMessage]:
    with open_session(site.engine) as session:
        return list(
            session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.ticket == ticket)
                .order_by(col(OutboxMessage.id))
            ).all()
        )


def events(site: SiteLike, ticket: str) -> list[ComplaintEvent]:
    found = store.get(site.engine, ticket)
    assert found.id is not None
    return store.history(site.engine, found.id)


def tickets_in(html: str) -> list[str]:
    return re.findall(r'data-ticket="([^"]+)"', html)


# --- the queue ---------------------------------------------------------------------------------


def test_the_queue_filters_by_state_category_assignee_and_overdue(
    site: SiteLike, signed_in: Browser
) -> None:
    old = utcnow() - dt.timedelta(days=40)
    late = complaint(site, "late", now=old)
    dibao = complaint(site, "dibao", category="dibao")
    other = complaint(site, "other")
    officer = signed_in(WebRole.OFFICER)
    nonce = forms(officer, dibao)["claim"]
    assert submit(officer, dibao, "claim", nonce)[0] == 303

    page = officer.get("/staff/complaints").text
    assert tickets_in(page) == [late, dibao, other] or tickets_in(page)[0] == late
    assert "逾期" in page and "剩余" in page
    assert tickets_in(officer.get("/staff/complaints?overdue=1").text) == [late]
    assert tickets_in(officer.get("/staff/complaints?assignee=mine").text) == [dibao]
    assert tickets_in(officer.get("/staff/complaints?assignee=none").text) == [late, other]
    assert tickets_in(officer.get("/staff/complaints?category=dibao").text) == [dibao]
    assert tickets_in(officer.get("/staff/complaints?category=-").text) == [late, other]
    assert tickets_in(officer.get("/staff/complaints?state=claimed").text) == [dibao]
    assert tickets_in(officer.get("/staff/complaints?state=bogus").text)[0] == late
    assert "办理中" in officer.get("/staff/complaints?state=claimed").text
    supervisor = signed_in(WebRole.SUPERVISOR)
    assert tickets_in(supervisor.get("/staff/complaints?assignee=mine").text) == []


# --- acting -----------------------------------------------------------------------------------


def test_a_claim_in_the_browser_tells_the_resident_what_a_telegram_claim_tells(
    site: SiteLike, group: Bureau, signed_in: Browser
) -> None:
    web_ticket, tg_ticket = complaint(site, "web"), complaint(site, "telegram")
    before = {t: len(outbox_rows(site, t)) for t in (web_ticket, tg_ticket)}
    officer = signed_in(WebRole.OFFICER)
    status, location = submit(officer, web_ticket, "claim", forms(officer, web_ticket)["claim"])
    assert (status, location) == (303, f"/staff/complaints/{web_ticket}?done=claim")
    assert state_of(site, web_ticket) == "claimed"
    page = officer.get(location).text
    assert f"{web_ticket} 已认领。" in page and "officer同事（网页）" in page
    assert store.get(site.engine, web_ticket).assignee_name == "officer"

    store.act(
        site.engine,
        tg_ticket,
        Action.CLAIM,
        store.officer(group, HOTLINE_UID, Action.CLAIM),
        store.Change(office=group.staff.office_of(HOTLINE_UID)),
        bureau=group,
        request="tg:claim",
    )

    def told(ticket: str) -> list[tuple[int, str, str | None, str]]:
        new = outbox_rows(site, ticket)[before[ticket] :]
        return [(m.chat_id, m.kind, m.place, m.text.replace(ticket, "T")) for m in new]

    assert told(web_ticket) == told(tg_ticket)
    kinds = {(chat, kind, place) for chat, kind, place, _ in told(web_ticket)}
    assert (RESIDENT_CHAT, Message.NOTICE.value, None) in kinds
    assert (GROUP, Message.CARD.value, Place.OFFICER_CARD.value) in kinds
    with open_session(site.engine) as session:
        audit = session.exec(select(AuditRecord).where(AuditRecord.target == web_ticket)).all()
    acted = [(a.username, a.action) for a in audit if a.action != "complaint.show_phone"]
    assert acted == [("officer", "complaint.claim")]


def test_a_reply_is_reviewed_and_sent_once_even_if_approved_twice(
    site: SiteLike, group: Bureau, signed_in: Browser
) -> None:
    ticket = complaint(site, "reply")
    officer, supervisor = signed_in(WebRole.OFFICER), signed_in(WebRole.SUPERVISOR)
    assert submit(officer, ticket, "claim", forms(officer, ticket)["claim"])[0] == 303
    page = officer.get(f"/staff/complaints/{ticket}").text
    assert '<label for="words-draft_reply">' in page and ">回复</button>" in page
    reply = "经核实，您的低保申请已于本周审批通过。"
    nonce = forms(officer, ticket)["draft_reply"]
    assert submit(officer, ticket, "draft_reply", nonce, words=reply)[0] == 303
    assert state_of(site, ticket) == "reply_review"
    assert reply in supervisor.get(f"/staff/complaints/{ticket}").text

    # The officer is offered no review, and a forged one is refused without a change.
    offered = forms(officer, ticket)
    assert (
        "approve_reply" not in offered
        and ">审核通过</button>" not in officer.get(f"/staff/complaints/{ticket}").text
    )
    status, body = submit(officer, ticket, "approve_reply", "forged-approval")
    assert status == 409 and "您没有权限进行这个操作。" in body
    assert state_of(site, ticket) == "reply_review"

    approve = forms(supervisor, ticket)["approve_reply"]
    assert submit(supervisor, ticket, "approve_reply", approve) == (
        303,
        f"/staff/complaints/{ticket}?done=approve_reply",
    )
    assert submit(supervisor, ticket, "approve_reply", approve) == (
        303,
        f"/staff/complaints/{ticket}?done=replayed",
    )
    assert state_of(site, ticket) == "replied"
    sent = [
        m
        for m in outbox_rows(site, ticket)
        if m.chat_id == RESIDENT_CHAT and m.kind == Message.NOTICE.value and reply in m.text
    ]
    assert len(sent) == 1
    approvals = [e for e in events(site, ticket) if e.action == Action.APPROVE_REPLY.value]
    assert len(approvals) == 1 and approvals[0].actor_role == "supervisor"


def test_a_refused_action_shows_why_and_changes_nothing(site: SiteLike, signed_in: Browser) -> None:
    ticket = complaint(site, "stale")
    officer = signed_in(WebRole.OFFICER)
    first, stale = forms(officer, ticket)["claim"], forms(officer, ticket)["claim"]
    assert submit(officer, ticket, "claim", first)[0] == 303
    trail = len(events(site, ticket))
    status, body = submit(officer, ticket, "claim", stale)
    assert status == 409
    assert "投诉当前状态为“办理中”，不能认领。" in body
    assert len(events(site, ticket)) == trail
    status, body = submit(officer, ticket, "draft_reply", forms(officer, ticket)["draft_reply"])
    assert status == 409 and "答复内容不能为空。" in body
    assert state_of(site, ticket) == "claimed" and len(events(site, ticket)) == trail
    assert submit(officer, ticket, "claim", "x")[0] == 400  # no form key: nothing is done


def test_a_sealed_reporter_is_shown_only_to_the_supervision_group(
    site: SiteLike, signed_in: Browser
) -> None:
    sealed = complaint(site, "sealed", identity=Identity.SEALED)
    public = complaint(site, "public")
    officer, supervisor = signed_in(WebRole.OFFICER), signed_in(WebRole.SUPERVISOR)
    hidden = officer.get(f"/staff/complaints/{sealed}").text
    assert "王小明" not in hidden and PHONE not in hidden and "138" not in hidden
    assert "保密（仅督查小组可查看）" in hidden
    shown = supervisor.get(f"/staff/complaints/{sealed}").text
    assert "王小明" in shown and PHONE in shown
    assert PHONE in officer.get(f"/staff/complaints/{public}").text  # the hotline calls back
    with open_session(site.engine) as session:
        looked = session.exec(
            select(AuditRecord).where(AuditRecord.action == "complaint.show_phone")
        ).all()
    assert {(a.username, a.target) for a in looked} == {
        ("supervisor", sealed),
        ("officer", public),
    }


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [WebRole.EDITOR, WebRole.REVIEWER])
def test_knowledge_staff_may_not_open_the_complaint_pages(
    site: SiteLike, signed_in: Browser, role: WebRole
) -> None:
    ticket = complaint(site, "private")
    browser = signed_in(role)
    month = month_of(utcnow())
    for path in (
        "/staff/complaints",
        f"/staff/complaints/{ticket}",
        "/staff/report",
        f"/staff/report/{month}.png",
        f"/staff/report/{month}.xlsx",
    ):
        assert browser.get(path).status_code == 403, path
    assert submit(browser, ticket, "claim", "a-valid-nonce")[0] == 403
    assert state_of(site, ticket) == "received"


def test_the_monthly_report_with_its_chart_and_workbook(site: SiteLike, signed_in: Browser) -> None:
    complaint(site, "counted", category="dibao")
    supervisor = signed_in(WebRole.SUPERVISOR)
    month = month_of(utcnow())
    page = supervisor.get(f"/staff/report?month={month}")
    assert page.status_code == 200
    assert "本月受理：1 件" in page.text and f"/staff/report/{month}.png" in page.text
    chart = supervisor.get(f"/staff/report/{month}.png")
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/png"
    assert chart.content.startswith(b"\x89PNG")
    assert supervisor.get(f"/staff/report/{month}.png").content == chart.content  # cached
    book = supervisor.get(f"/staff/report/{month}.xlsx")
    assert book.status_code == 200 and book.content.startswith(b"PK")
    assert book.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in book.headers["content-disposition"]
    assert supervisor.get("/staff/report?month=2026-13").status_code == 400
    assert signed_in(WebRole.OFFICER).get("/staff/report").status_code == 403


def test_an_extension_is_requested_by_the_officer_and_decided_by_a_supervisor(
    site: SiteLike, group: Bureau, signed_in: Browser
) -> None:
    ticket = complaint(site, "extension")
    officer, supervisor = signed_in(WebRole.OFFICER), signed_in(WebRole.SUPERVISOR)
    assert submit(officer, ticket, "claim", forms(officer, ticket)["claim"])[0] == 303
    assert "approve_extension" not in forms(supervisor, ticket)  # nothing to decide yet
    transfer = forms(officer, ticket)["transfer"]
    status, _ = submit(
        officer, ticket, "transfer", transfer, office="社会救助股", words="属低保审批"
    )
    assert status == 303
    assert "社会救助股" in officer.get(f"/staff/complaints/{ticket}").text
    due = store.get(site.engine, ticket).due_reply
    page = officer.get(f"/staff/complaints/{ticket}").text
    assert '<label for="words-request_extension">' in page and ">申请延期</button>" in page
    nonce = forms(officer, ticket)["request_extension"]
    assert submit(officer, ticket, "request_extension", nonce, words="需入户核查")[0] == 303
    offered = forms(supervisor, ticket)
    assert {"approve_extension", "refuse_extension"} <= set(offered)
    assert "approve_extension" not in forms(officer, ticket)
    assert submit(supervisor, ticket, "approve_extension", offered["approve_extension"])[0] == 303
    assert store.get(site.engine, ticket).due_reply > due
    assert "approve_extension" not in forms(supervisor, ticket)  # decided once
    trail = [(e.action, e.reason) for e in events(site, ticket)]
    assert ("transfer", "属低保审批") in trail and ("request_extension", "需入户核查") in trail
