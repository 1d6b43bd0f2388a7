"""The web application in process: a site over a real SQLite file, signing in as staff.

`make_site` builds a fresh database with the shipped knowledge and one account per
role (username = the role's name, password `PASSWORD`); the fixtures in
tests/web/conftest.py and tests/browser/conftest.py are built on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from handlers.web.app import create_app
from handlers.web.context import Web
from knowledge.answering.desk import Desk, LiveDesk, prepare_database
from knowledge.base.catalogue import Catalogue
from knowledge.complaints.policy import Bureau
from knowledge.db.engine import make_engine
from knowledge.staff import accounts
from knowledge.staff.roles import WebRole

PASSWORD = "a long test password"
BASE = "http://127.0.0.1"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Site:
    app: Starlette
    web: Web
    engine: Engine

    @property
    def live(self) -> LiveDesk:
        return self.web.live


def make_site(
    data_dir: Path, desk: Desk, bureau: Bureau | None = None, *, database: str = "web.db"
) -> Site:
    """A web application over the database `data_dir/database` (new, or a bot's), sharing
    `desk`'s model."""
    engine = make_engine(f"sqlite:///{data_dir / database}")
    prepare_database(engine)
    model, cache = desk.matcher.model, data_dir / "cache"

    def build(entries: Catalogue) -> Desk:
        return Desk(entries, engine=engine, cache_dir=cache, model=model)

    live = LiveDesk.start(engine, build)
    web = Web(engine=engine, live=live, bureau=bureau or Bureau(), secret=b"test", cache_dir=cache)
    for role in WebRole:
        accounts.add(engine, role.value, role, PASSWORD, display_name=f"{role.value}同事")
    return Site(create_app(web, allowed_hosts=["127.0.0.1", "testserver"]), web, engine)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> None:
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={"username": username, "password": password, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def page_csrf(browser: TestClient, path: str = "/staff/") -> str:
    """The CSRF token of the signed-in session (every staff page carries it)."""
    return csrf_of(browser.get(path).text)
