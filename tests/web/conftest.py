"""Fixtures of the web tests: `site` (tests.harness.web.make_site), an anonymous `client`,
and `signed_in(role)`, a browser of its own signed in as that role's account."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from knowledge.answering.desk import Desk
from knowledge.staff.roles import WebRole
from tests.harness.web import BASE, Site, make_site, sign_in


@pytest.fixture
def site(tmp_path: Path, desk: Desk) -> Iterator[Site]:
    made = make_site(tmp_path, desk)
    yield made
    made.engine.dispose()


@pytest.fixture
def client(site: Site) -> Iterator[TestClient]:
    with TestClient(site.app, base_url=BASE) as visitor:
        yield visitor


@pytest.fixture
def signed_in(site: Site) -> Iterator[Callable[[WebRole], TestClient]]:
    """`signed_in(role)`: a browser of its own, signed in as that role's account."""
    opened: list[TestClient] = []

    def open_as(role: WebRole) -> TestClient:
        browser = TestClient(site.app, base_url=BASE)
        browser.__enter__()
        opened.append(browser)
        sign_in(browser, role.value)
        return browser

    yield open_as
    for browser in opened:
        browser.__exit__(None, None, None)
