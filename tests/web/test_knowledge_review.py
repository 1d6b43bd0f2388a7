"""The knowledge pages of the back office: an edit waits for review, another person publishes it,
workbooks come in through review, unanswered questions are grouped and decided."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import openpyxl
import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from knowledge.base import store
from knowledge.db.engine import open_session
from knowledge.db.models import AuditRecord, PendingChange, UnansweredDecision
from knowledge.errors import Refused
from knowledge.staff import review, unanswered
from knowledge.staff.roles import WebRole
from knowledge.texts import review as texts
from tests.harness.web import Site, page_csrf

QUESTION = "低保申请条件是什么"
NEW_TEXT = "申请低保须同时满足三项条件（测试修改甲乙丙）：户籍、收入、财产。"

SignedIn = Callable[[WebRole], TestClient]


def _answer(site: Site) -> str:
    return site.web.desk.ask(QUESTION, record=False).card.body


def _submit(browser: TestClient, text: str = NEW_TEXT) -> int:
    page = browser.get("/staff/entries/dibao/conditions")
    assert page.status_code == 200
    token = page_csrf(browser, "/staff/entries/dibao/conditions")
    lead = re.search(r'name="lead"[^>]*value="([^"]*)"', page.text)
    basis = re.search(r'name="basis"[^>]*>([^<]*)</textarea>', page.text)
    response = browser.post(
        "/staff/entries/dibao/conditions",
        data={
            "csrf": token,
            "lead": lead.group(1) if lead else "",
            "text": text,
            "basis": basis.group(1) if basis else "",
            "action": "submit",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    found = re.search(r"id=(\d+)", response.headers["location"])
    assert found
    return int(found.group(1))


def _pending(site: Site) -> list[PendingChange]:
    with open_session(site.engine) as session:
        return list(session.exec(select(PendingChange)).all())


def test_the_edit_page_labels_the_text_and_previews_it(signed_in: SignedIn) -> None:
    editor = signed_in(WebRole.EDITOR)
    page = editor.get("/staff/entries/dibao/conditions")
    assert '<label for="text">答复内容</label>' in page.text
    assert ">提交审核</button>" in page.text and ">预览</button>" in page.text
    assert "style=" not in page.text and " onclick" not in page.text
    token = page_csrf(editor)
    preview = editor.post(
        "/staff/entries/dibao/conditions/preview",
        data={"text": NEW_TEXT, "lead": "", "basis": ""},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert preview.status_code == 200
    assert "测试修改甲乙丙" in preview.text and "tg-bubble" in preview.text
    assert "<html" not in preview.text  # a fragment for htmx


def test_an_edit_is_invisible_until_another_person_approves_it(
    site: Site, signed_in: SignedIn
) -> None:
    assert "测试修改甲乙丙" not in _answer(site)
    editor = signed_in(WebRole.EDITOR)
    change_id = _submit(editor)
    assert not site.live.refresh()
    assert "测试修改甲乙丙" not in _answer(site)
    listing = editor.get("/staff/entries").text
    assert "待审核 1 项" in listing

    reviewer = signed_in(WebRole.REVIEWER)
    page = reviewer.get("/staff/reviews").text
    assert ">批准发布</button>" in page and ">退回</button>" in page
    assert "<ins>" in page and "测试修改甲乙丙" in page
    done = reviewer.post(
        f"/staff/reviews/{change_id}/approve",
        data={"csrf": page_csrf(reviewer)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "测试修改甲乙丙" in _answer(site)  # this process answers with it at once

    with open_session(site.engine) as session:
        revisions = store.history("dibao", session=session)
        latest = revisions[-1]
        assert latest.author == "editor"
        assert latest.source == texts.APPROVAL_SOURCE.format(id=change_id, reviewer="reviewer")
        actions = [r.action for r in session.exec(select(AuditRecord)).all()]
        store.rollback("dibao", latest.revision - 1, session=session, author="reviewer")
        session.commit()
    assert "knowledge.submit" in actions and "knowledge.approve" in actions
    assert site.live.refresh()
    assert "测试修改甲乙丙" not in _answer(site)


@pytest.mark.parametrize("role", [WebRole.REVIEWER, WebRole.ADMIN])
def test_nobody_approves_their_own_change(site: Site, signed_in: SignedIn, role: WebRole) -> None:
    author = signed_in(role)
    change_id = _submit(author)
    assert "需由另一位审核员批准" in author.get("/staff/reviews").text
    refused = author.post(
        f"/staff/reviews/{change_id}/approve",
        data={"csrf": page_csrf(author)},
        follow_redirects=False,
    )
    assert refused.status_code == 409
    assert texts.OWN_CHANGE in refused.text
    assert [c.state for c in _pending(site)] == ["pending"]
    assert "测试修改甲乙丙" not in _answer(site)
    with open_session(site.engine) as session, pytest.raises(Refused):
        review.approve(change_id, session=session, reviewer=role.value)


def test_a_returned_change_shows_its_reason_to_the_author(site: Site, signed_in: SignedIn) -> None:
    editor = signed_in(WebRole.EDITOR)
    change_id = _submit(editor)
    reviewer = signed_in(WebRole.REVIEWER)
    token = page_csrf(reviewer)
    no_reason = reviewer.post(f"/staff/reviews/{change_id}/return", data={"csrf": token})
    assert no_reason.status_code == 400
    done = reviewer.post(
        f"/staff/reviews/{change_id}/return",
        data={"csrf": token, "reason": "请注明收入标准的年份"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    mine = editor.get("/staff/entries").text
    assert "请注明收入标准的年份" in mine and "已退回" in mine
    assert [c.state for c in _pending(site)] == ["returned"]


def test_an_invalid_edit_shows_the_error_by_its_field_and_saves_nothing(
    site: Site, signed_in: SignedIn
) -> None:
    editor = signed_in(WebRole.EDITOR)
    response = editor.post(
        "/staff/entries/dibao/conditions",
        data={"csrf": page_csrf(editor), "text": "  ", "lead": "长" * 81, "action": "submit"},
    )
    assert response.status_code == 400
    assert 'id="text-error"' in response.text and 'id="lead-error"' in response.text
    assert _pending(site) == []


def test_a_change_on_a_republished_entry_is_refused_as_stale(
    site: Site, signed_in: SignedIn
) -> None:
    first = _submit(signed_in(WebRole.EDITOR))
    with open_session(site.engine) as session:
        entry = store.get_entry("dibao", session=session)
        store.save_entries(
            [entry.model_copy(update={"title": entry.title + "（改）"})],
            session=session,
            author="admin",
            source="kb import",
        )
        session.commit()
    reviewer = signed_in(WebRole.REVIEWER)
    assert "不能批准" in reviewer.get("/staff/reviews").text
    refused = reviewer.post(f"/staff/reviews/{first}/approve", data={"csrf": page_csrf(reviewer)})
    assert refused.status_code == 409 and texts.STALE.format(id=first) in refused.text


def test_a_post_without_the_csrf_token_is_refused(site: Site, signed_in: SignedIn) -> None:
    change_id = _submit(signed_in(WebRole.EDITOR))
    reviewer = signed_in(WebRole.REVIEWER)
    refused = reviewer.post(f"/staff/reviews/{change_id}/approve", follow_redirects=False)
    assert refused.status_code == 403
    assert [c.state for c in _pending(site)] == ["pending"]


# --- Excel ---------------------------------------------------------------------------------


def _workbook(browser: TestClient) -> openpyxl.Workbook:
    response = browser.get("/staff/entries/export.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _upload(browser: TestClient, book: openpyxl.Workbook) -> str:
    buffer = io.BytesIO()
    book.save(buffer)
    response = browser.post(
        "/staff/entries/import",
        data={"csrf": page_csrf(browser), "action": "check"},
        files={"file": ("kb.xlsx", buffer.getvalue(), "application/octet-stream")},
    )
    return f"{response.status_code}\n{response.text}"


def _column(sheet: openpyxl.worksheet.worksheet.Worksheet, header: str) -> int:
    return [c.value for c in sheet[1]].index(header) + 1


def test_a_bad_workbook_is_reported_by_sheet_row_and_column_and_changes_nothing(
    site: Site, signed_in: SignedIn
) -> None:
    editor = signed_in(WebRole.EDITOR)
    book = _workbook(editor)
    sheet = book["答复内容"]
    sheet.cell(row=3, column=_column(sheet, "方面"), value="不存在的方面")
    result = _upload(editor, book)
    assert result.startswith("422")
    assert "工作表“答复内容”第 3 行" in result
    assert _pending(site) == []


def test_a_good_workbook_goes_to_review_as_one_change_set(site: Site, signed_in: SignedIn) -> None:
    editor = signed_in(WebRole.EDITOR)
    book = _workbook(editor)
    sheet = book["答复内容"]
    text_col, id_col = _column(sheet, "答复内容"), _column(sheet, "条目ID")
    touched = set()
    for row in range(2, sheet.max_row + 1):
        entry_id = sheet.cell(row=row, column=id_col).value
        if entry_id in ("dibao", "wubao") and entry_id not in touched:
            cell = sheet.cell(row=row, column=text_col)
            cell.value = f"{cell.value}（上传修改）"
            touched.add(entry_id)
    checked = _upload(editor, book)
    assert checked.startswith("200") and "检查通过：将修改 2 个条目" in checked
    assert _pending(site) == []
    workbook = re.search(r'name="workbook" value="([^"]+)"', checked)
    assert workbook
    sent = editor.post(
        "/staff/entries/import",
        data={"csrf": page_csrf(editor), "workbook": workbook.group(1), "action": "submit"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    changes = _pending(site)
    assert {c.entry_id for c in changes} == {"dibao", "wubao"}
    assert len({c.change_set for c in changes}) == 1

    reviewer = signed_in(WebRole.REVIEWER)
    assert ">整批批准发布</button>" in reviewer.get("/staff/reviews").text
    done = reviewer.post(
        f"/staff/reviews/sets/{changes[0].change_set}/approve",
        data={"csrf": page_csrf(reviewer)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert {c.state for c in _pending(site)} == {"approved"}


def test_an_upload_without_a_file_is_a_client_error(signed_in: SignedIn) -> None:
    editor = signed_in(WebRole.EDITOR)
    response = editor.post("/staff/entries/import", data={"csrf": page_csrf(editor)})
    assert response.status_code == 400 and texts.UPLOAD_NONE in response.text


# --- unanswered questions -------------------------------------------------------------------


def _record(site: Site, *questions: str) -> None:
    with open_session(site.engine) as session:
        for q in questions:
            store.record_unanswered(q, site.web.desk.matcher.normalise(q), session=session)
        session.commit()


def test_near_duplicate_questions_are_one_group_that_can_be_dismissed(
    site: Site, signed_in: SignedIn
) -> None:
    _record(
        site, "我家猫丢了怎么办？", "我家的猫丢了怎么办", "我家猫丢了怎么办？", "办理护照需要什么"
    )
    editor = signed_in(WebRole.EDITOR)
    page = editor.get("/staff/unanswered").text
    assert "3 次" in page and "2 种问法" in page
    with open_session(site.engine) as session:
        groups = unanswered.open_groups(session=session)
    assert [g.count for g in groups] == [3, 1]
    cat = groups[0]
    dismissed = editor.post(
        f"/staff/unanswered/{cat.id}",
        data={"csrf": page_csrf(editor), "action": "dismiss"},
        follow_redirects=False,
    )
    assert dismissed.status_code == 303
    assert "我家猫丢了" not in editor.get("/staff/unanswered").text.split("本周问得最多")[0]
    with open_session(site.engine) as session:
        assert len(session.exec(select(UnansweredDecision)).all()) == 2


def test_a_group_becomes_an_example_question_through_review(
    site: Site, signed_in: SignedIn
) -> None:
    _record(site, "低保户家里有摩托车行不行")
    editor = signed_in(WebRole.EDITOR)
    with open_session(site.engine) as session:
        (group,) = unanswered.open_groups(session=session)
    response = editor.post(
        f"/staff/unanswered/{group.id}",
        data={"csrf": page_csrf(editor), "action": "example", "target": "dibao:conditions"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    (change,) = _pending(site)
    assert "低保户家里有摩托车行不行" in change.document["aspect_questions"]["conditions"]
    referred = editor.post(
        f"/staff/unanswered/{group.id}",
        data={"csrf": page_csrf(editor), "action": "refer", "department": "交通局"},
    )
    assert referred.status_code == 404  # decided: no longer listed


def test_this_weeks_most_asked_answers_are_counted(site: Site, signed_in: SignedIn) -> None:
    for _ in range(3):
        site.web.desk.ask(QUESTION)
    editor = signed_in(WebRole.EDITOR)
    page = editor.get("/staff/unanswered").text
    section = page.split("本周问得最多的问题")[1].split("</ol>")[0]
    assert "最低生活保障" in section or "低保" in section
    assert "3 次" in section
