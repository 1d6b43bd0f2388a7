"""The public pages and the back office in a real browser (Chromium through Playwright)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.harness.browser import Served, screenshot, sign_in


def test_an_entry_page_in_chinese_with_its_flow_chart(served: Served, page: Page) -> None:
    page.goto(f"{served.url}/entries/dibao")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_contain_text("低保")
    chart = page.locator("svg text")
    assert chart.count() >= 3  # the steps are text, readable by a screen reader
    screenshot(page, "entry-dibao")
    screenshot(page, "entry-dibao-top", full_page=False)
    page.locator("svg").first.scroll_into_view_if_needed()
    screenshot(page, "entry-dibao-flow", full_page=False)


def test_the_large_type_switch_is_remembered(served: Served, page: Page) -> None:
    page.goto(f"{served.url}/entries/dibao")
    size = page.evaluate("getComputedStyle(document.body).fontSize")
    page.get_by_role("link", name="大字版").click()
    expect(page.locator("body")).to_have_class(re.compile(r"\blarge\b"))
    larger = page.evaluate("getComputedStyle(document.body).fontSize")
    assert float(larger.rstrip("px")) > float(size.rstrip("px"))
    screenshot(page, "entry-dibao-large", full_page=False)
    page.goto(f"{served.url}/")
    expect(page.locator("body")).to_have_class(re.compile(r"\blarge\b"))
    page.get_by_role("link", name="标准版").click()
    expect(page.locator("body")).not_to_have_class(re.compile(r"\blarge\b"))


def test_the_checklist_prints_on_a4(served: Served, page: Page) -> None:
    page.goto(f"{served.url}/entries/dibao/checklist")
    assert page.locator("input[type=checkbox]").count() >= 3
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    screenshot(page, "checklist-print-preview")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_the_back_office_sign_in(served: Served, page: Page) -> None:
    page.goto(f"{served.url}/staff/")
    expect(page).to_have_url(re.compile(r"/staff/login"))
    sign_in(page, served.url, "admin")
    expect(page.locator("h1")).to_contain_text("admin同事")
    page.get_by_role("link", name="账号与审计").first.click()
    expect(page.locator("table").first).to_contain_text("reviewer")
