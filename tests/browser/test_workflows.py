"""Whole workflows in a real browser: the web chat with and without JavaScript, review before
publish (seen through `sunshine ask`), a bad workbook, an officer answering a complaint that
the resident then receives through the fake Bot API, and a POST without its CSRF token."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from bot import wiring
from knowledge.answering.desk import Desk, prepare_database
from knowledge.db.engine import make_engine, open_session
from knowledge.db.models import PendingChange
from tests.fakes.telegram import FakeBotApi
from tests.harness import (
    RESIDENT,
    ROOT,
    STAFF,
    BotThread,
    bot_settings,
    clean_environ,
    file_complaint,
    wait_text,
)
from tests.harness.browser import PHONE, Served, screenshot, serve, sign_in, stop
from tests.harness.web import make_site

QUESTION = "结婚要带什么材料"
MARK = "（网页编辑测试：审核通过后可见）"


def test_the_web_chat_answers_in_place_with_javascript(served: Served, page: Page) -> None:
    page.goto(f"{served.url}/")
    page.evaluate("window.stayed = true")
    page.get_by_label("请输入您的问题").fill(QUESTION)
    page.get_by_role("button", name="提问").click()
    expect(page.locator("#answer")).to_contain_text("婚姻登记")
    expect(page.locator("#answer")).to_contain_text("身份证")
    assert page.evaluate("window.stayed === true")  # swapped in place, no page load
    screenshot(page, "web-chat")


def test_the_web_chat_works_without_javascript(served: Served, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{served.url}/")
    page.get_by_label("请输入您的问题").fill(QUESTION)
    page.get_by_role("button", name="提问").click()
    page.wait_for_url("**/ask?q=*")
    expect(page.locator("#answer")).to_contain_text("身份证")
    context.close()


def _ask(database: Path, question: str) -> str:
    """`sunshine ask --json` in its own process, on the site's database."""
    env = {
        **clean_environ(),
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{database}",
        "SUNSHINE_DATA_DIR": str(database.parent),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "ask", question, "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return str(json.loads(done.stdout)["text"])


def test_an_edit_is_invisible_until_a_reviewer_approves_it(
    served: Served, browser: Browser, tmp_path: Path
) -> None:
    database = tmp_path / "web.db"
    editor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(editor, served.url, "editor")
    editor.goto(f"{served.url}/staff/entries/marriage-registration/materials")
    text = editor.get_by_label("答复内容")
    text.fill(text.input_value() + MARK)
    editor.get_by_role("button", name="提交审核").click()
    expect(editor.locator("body")).to_contain_text("审核")
    assert MARK not in _ask(database, QUESTION)

    reviewer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(reviewer, served.url, "reviewer")
    reviewer.goto(f"{served.url}/staff/reviews")
    expect(reviewer.locator("ins", has_text="网页编辑测试")).to_have_count(1)
    expect(reviewer.locator(".diff del")).to_have_count(0)
    reviewer.locator("ins", has_text="网页编辑测试").scroll_into_view_if_needed()
    screenshot(reviewer, "review-diff", full_page=False)
    reviewer.get_by_role("button", name="批准发布").first.click()
    expect(reviewer.locator("body")).to_contain_text("已批准发布")
    assert MARK in _ask(database, QUESTION)
    editor.goto(f"{served.url}/entries/marriage-registration")
    expect(editor.locator("body")).to_contain_text("网页编辑测试")


def test_an_author_may_not_approve_their_own_change(served: Served, page: Page) -> None:
    sign_in(page, served.url, "admin")
    page.goto(f"{served.url}/staff/entries/dibao/fees")
    text = page.get_by_label("答复内容")
    text.fill(text.input_value() + MARK)
    page.get_by_role("button", name="提交审核").click()
    page.goto(f"{served.url}/staff/reviews")
    expect(page.get_by_role("button", name="批准发布")).to_have_count(0)
    expect(page.locator("body")).to_contain_text("需由另一位审核员批准")
    with open_session(served.site.engine) as session:
        change = session.exec(select(PendingChange)).one()
    token = page.locator("input[name=csrf]").first.get_attribute("value") or ""
    forged = page.request.post(
        f"{served.url}/staff/reviews/{change.id}/approve", form={"csrf": token}
    )
    assert forged.status == 409
    assert "不能审核自己提交的修改" in forged.text()
    with open_session(served.site.engine) as session:
        assert session.exec(select(PendingChange.state)).all() == ["pending"]


def test_a_bad_workbook_upload_reports_where_and_changes_nothing(
    served: Served, page: Page, tmp_path: Path
) -> None:
    sign_in(page, served.url, "editor")
    exported = page.request.get(f"{served.url}/staff/entries/export.xlsx")
    assert exported.ok
    book = openpyxl.load_workbook(io.BytesIO(exported.body()))
    sheet = book["答复内容"]
    column = [c.value for c in sheet[1]].index("方面") + 1
    sheet.cell(row=3, column=column, value="不存在的方面")
    broken = tmp_path / "broken.xlsx"
    book.save(broken)
    page.goto(f"{served.url}/staff/entries/import")
    page.get_by_label("Excel 工作簿（.xlsx）").set_input_files(str(broken))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.locator("body")).to_contain_text("第 3 行")
    expect(page.locator("body")).to_contain_text("答复内容")
    screenshot(page, "workbook-errors", full_page=False)
    with open_session(served.site.engine) as session:
        assert session.exec(select(PendingChange)).all() == []


def test_a_post_without_its_csrf_token_is_refused(served: Served, page: Page) -> None:
    sign_in(page, served.url, "admin")
    response = page.request.post(
        f"{served.url}/staff/accounts",
        form={"username": "intruder", "role": "admin", "password": "x" * 12},
    )
    assert response.status == 403
    page.goto(f"{served.url}/staff/accounts")
    expect(page.locator("table").first).not_to_contain_text("intruder")


def test_an_officer_answers_a_complaint_in_the_browser_and_the_resident_hears(
    api: FakeBotApi, desk: Desk, tmp_path: Path, browser: Browser
) -> None:
    settings = bot_settings(api, tmp_path, **STAFF)
    engine = make_engine(settings.database_url)
    prepare_database(engine)
    bot = BotThread(settings, desk=desk.using(engine)).start()
    served = serve(make_site(tmp_path, desk, wiring.bureau(settings), database="bot.db"))
    try:
        ticket = file_complaint(api)
        officer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(officer, served.url, "officer")
        officer.goto(f"{served.url}/staff/complaints")
        expect(officer.locator("table")).to_contain_text(ticket)
        screenshot(officer, "officers-queue", full_page=False)
        officer.get_by_role("link", name=ticket).click()
        officer.get_by_role("button", name="认领").click()
        wait_text(api, RESIDENT, "已分派给")
        reply = "经核查，村里已安排入户调查，本周内完成。"
        officer.get_by_label("给居民的答复（督查小组审核后发出）").fill(reply)
        officer.get_by_role("button", name="回复", exact=True).click()
        expect(officer.locator("body")).to_contain_text("答复审核中")

        supervisor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(supervisor, served.url, "supervisor")
        supervisor.goto(f"{served.url}/staff/complaints/{ticket}")
        supervisor.get_by_role("button", name="审核通过").click()
        wait_text(api, RESIDENT, reply)
        screenshot(supervisor, "officers-complaint", full_page=False)
    finally:
        stop(served)
        bot.stop()
