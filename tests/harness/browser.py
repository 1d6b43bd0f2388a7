"""The web served by uvicorn on 127.0.0.1 for a real browser (Debian's Chromium, driven by
Playwright; `scripts/system-deps.sh dev` installs it — never `playwright install`).

Screenshots go to `test-output/screenshots/` (kept out of git) for people to look at.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

import uvicorn
from playwright.sync_api import Page, ViewportSize

from tests.harness import ROOT, free_port
from tests.harness.web import PASSWORD, Site

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-output" / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}


@dataclass
class Served:
    site: Site
    url: str
    server: uvicorn.Server
    thread: threading.Thread


def serve(site: Site) -> Served:
    port = free_port()
    config = uvicorn.Config(site.app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    return Served(site, f"http://127.0.0.1:{port}", server, thread)


def stop(served: Served) -> None:
    served.server.should_exit = True
    served.thread.join(timeout=10)
    served.site.engine.dispose()


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def sign_in(page: Page, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{url}/staff/**")
