"""Fixtures of the browser tests: `served`, a fresh site (tests.harness.web.make_site)
listening on a free port; `browser`, Debian's Chromium; `page`, a new tab on a phone-sized
screen.

Playwright's sync API keeps an event loop marked as running in its thread while it is
started, which breaks `asyncio.run` in any later test of the same worker process: it is
started per module, and stopped before the worker moves on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from knowledge.answering.desk import Desk
from knowledge.complaints.policy import Bureau
from tests.harness.browser import CHROMIUM, PHONE, Served, serve, stop
from tests.harness.web import make_site


@pytest.fixture
def served(tmp_path: Path, desk: Desk) -> Iterator[Served]:
    running = serve(make_site(tmp_path, desk, Bureau()))
    yield running
    stop(running)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            "no /usr/bin/chromium: run `bash scripts/system-deps.sh dev` (apt install chromium)"
        )
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()
