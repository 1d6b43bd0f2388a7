"""Signing in, sessions, CSRF, throttling, and every staff route refused to every role
that must not use it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlmodel import select
from starlette.routing import Route
from starlette.testclient import TestClient

from handlers.web.context import REQUIREMENT, SESSION_COOKIE, Requirement
from knowledge.db.engine import open_session
from knowledge.db.models import AuditRecord, StaffSession
from knowledge.staff import accounts
from knowledge.staff.accounts import MAX_FAILURES
from knowledge.staff.roles import WebRole
from tests.harness.web import PASSWORD, Site, csrf_of, page_csrf, sign_in


def test_staff_sends_a_visitor_without_a_session_to_the_login_page(client: TestClient) -> None:
    response = client.get("/staff/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/login")
    page = client.get("/staff/login").text
    assert '<label for="username">用户名</label>' in page
    assert '<label for="password">密码</label>' in page
    assert ">登录</button>" in page


def test_signing_in_opens_a_session_with_a_safe_cookie(client: TestClient, site: Site) -> None:
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={"username": "editor", "password": PASSWORD, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "editor同事" in client.get("/staff/").text
    with open_session(site.engine) as session:
        stored = session.exec(select(StaffSession)).one()
    token = client.cookies[SESSION_COOKIE]
    assert stored.token_hash != token and token not in stored.token_hash  # only the hash is kept


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    client: TestClient,
) -> None:
    for username in ("editor", "nobody"):
        page = client.get("/staff/login")
        response = client.post(
            "/staff/login",
            data={"username": username, "password": "wrong", "csrf": csrf_of(page.text)},
        )
        assert response.status_code == 401
        assert "用户名或密码不正确" in response.text


def test_repeated_failures_lock_the_account(client: TestClient, site: Site) -> None:
    for _ in range(MAX_FAILURES):
        page = client.get("/staff/login")
        client.post(
            "/staff/login",
            data={"username": "officer", "password": "wrong", "csrf": csrf_of(page.text)},
        )
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={"username": "officer", "password": PASSWORD, "csrf": csrf_of(page.text)},
    )
    assert response.status_code == 401
    assert "分钟后再试" in response.text


def test_one_address_is_throttled_across_accounts(client: TestClient, site: Site) -> None:
    for i in range(site.web.failures.limit):
        page = client.get("/staff/login")
        client.post(
            "/staff/login",
            data={"username": f"guess{i}", "password": "x", "csrf": csrf_of(page.text)},
        )
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={"username": "admin", "password": PASSWORD, "csrf": csrf_of(page.text)},
    )
    assert response.status_code == 429


def test_the_login_form_needs_its_csrf_token(client: TestClient) -> None:
    client.get("/staff/login")
    response = client.post("/staff/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_a_post_without_the_session_csrf_token_is_refused(
    signed_in: Callable[[WebRole], TestClient],
) -> None:
    admin = signed_in(WebRole.ADMIN)
    refused = admin.post("/staff/logout", follow_redirects=False)
    assert refused.status_code == 403
    assert "页面已过期" in refused.text
    assert admin.get("/staff/", follow_redirects=False).status_code == 200  # still signed in
    done = admin.post("/staff/logout", data={"csrf": page_csrf(admin)}, follow_redirects=False)
    assert done.status_code == 303
    assert admin.get("/staff/", follow_redirects=False).status_code == 303


def test_disabling_an_account_ends_its_sessions(
    site: Site, signed_in: Callable[[WebRole], TestClient]
) -> None:
    editor = signed_in(WebRole.EDITOR)
    accounts.set_disabled(site.engine, "editor", True)
    assert editor.get("/staff/", follow_redirects=False).status_code == 303


def test_sign_ins_and_failures_are_in_the_audit_log(client: TestClient, site: Site) -> None:
    page = client.get("/staff/login")
    client.post("/staff/login", data={"username": "x", "password": "y", "csrf": csrf_of(page.text)})
    sign_in(client, "reviewer")
    with open_session(site.engine) as session:
        actions = [(r.username, r.action) for r in session.exec(select(AuditRecord)).all()]
    assert ("reviewer", "login") in actions
    assert ("x", "login.failed") in actions


def test_the_next_page_is_never_another_site(client: TestClient) -> None:
    page = client.get("/staff/login?next=//evil.example/")
    response = client.post(
        "/staff/login",
        data={
            "username": "admin",
            "password": PASSWORD,
            "csrf": csrf_of(page.text),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/staff/"


# --- every staff route × every role ------------------------------------------------------------

SAMPLE = {
    "entry_id": "dibao",
    "aspect": "overview",
    "ticket": "TS20261201-0001",
    "id": "1",
    "change_id": "1",
    "group": "1",
    "username": "editor",
    "month": "2026-11",
}


def staff_routes(site: Site) -> list[tuple[str, str, Requirement]]:
    found = []
    for route in site.app.routes:
        if not isinstance(route, Route) or not route.path.startswith("/staff"):
            continue
        requirement = getattr(route.endpoint, REQUIREMENT, None)
        if requirement is None:
            continue
        path = re.sub(r"{(\w+)(:\w+)?}", lambda m: SAMPLE.get(m.group(1), "1"), route.path)
        for method in sorted(route.methods or ()):
            if method != "HEAD":
                found.append((method, path, requirement))
    return found


def test_the_walk_covers_every_back_office_page(site: Site) -> None:
    paths = {path for _, path, _ in staff_routes(site)}
    assert "/staff/" in paths
    assert len(paths) >= 3


@pytest.mark.parametrize("role", list(WebRole))
def test_every_staff_route_is_refused_to_every_role_that_must_not_use_it(
    site: Site, signed_in: Callable[[WebRole], TestClient], role: WebRole
) -> None:
    browser = signed_in(role)
    token = page_csrf(browser)
    for method, path, requirement in staff_routes(site):
        if path == "/staff/logout":
            continue
        response = browser.request(
            method,
            path,
            data={"csrf": token} if method == "POST" else None,
            follow_redirects=False,
        )
        if requirement.allows(role):
            assert response.status_code != 403, (role, method, path)
            assert response.status_code < 500, (role, method, path, response.text[:300])
        else:
            assert response.status_code == 403, (role, method, path, response.status_code)
