"""Signing in and out of the back office, and the staff home page."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from handlers.web.context import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    account,
    form_of,
    render,
    staff_page,
    web,
)
from handlers.web.security import login_token, login_token_ok
from knowledge.errors import Refused
from knowledge.staff import accounts
from knowledge.staff.accounts import SESSION_HOURS
from knowledge.texts import web as texts


def client_address(request: Request) -> str:
    """The client's address (uvicorn puts the proxy's X-Forwarded-For here when trusted)."""
    return request.client.host if request.client else "?"


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another one."""
    if target and target.startswith("/staff") and not target.startswith("//"):
        return target
    return "/staff/"


async def login_page(request: Request, *, error: str = "", status: int = 200) -> Response:
    w = web(request)
    if account(request) is not None and request.method == "GET":
        return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    token = login_token(w.secret)
    form = await form_of(request) if request.method == "POST" else None
    response = render(
        request,
        "staff/login.html",
        status,
        login_csrf=token,
        error=error,
        next=_safe_next(
            (form.get("next") if form else None) or request.query_params.get("next")  # type: ignore[arg-type]
        ),
        username=form.get("username") if form else "",
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=w.https, path="/staff"
    )
    return response


async def login(request: Request) -> Response:
    if request.method == "GET":
        return await login_page(request)
    w = web(request)
    form = await form_of(request)
    given = form.get("csrf")
    if not login_token_ok(
        w.secret, request.cookies.get(LOGIN_CSRF_COOKIE), given if isinstance(given, str) else None
    ):
        return await login_page(request, error=texts.CSRF_FAILED, status=403)
    address = client_address(request)
    if w.failures.blocked(address):
        return await login_page(request, error=texts.LOGIN_THROTTLED, status=429)
    username, password = str(form.get("username", "")).strip(), str(form.get("password", ""))
    try:
        signed = await asyncio.to_thread(
            accounts.sign_in, w.engine, username, password, address=address
        )
    except Refused as refused:
        w.failures.fail(address)
        return await login_page(request, error=str(refused), status=401)
    response = RedirectResponse(_safe_next(str(form.get("next", ""))), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=w.https,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/staff")
    return response


@staff_page()
async def logout(request: Request) -> Response:
    token = getattr(request.state, "session_token", None)
    if token:
        await asyncio.to_thread(accounts.sign_out, web(request).engine, token)
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@staff_page()
async def home(request: Request) -> Response:
    return render(request, "staff/home.html")


routes = [
    Route("/staff/login", login, methods=["GET", "POST"]),
    Route("/staff/logout", logout, methods=["POST"]),
    Route("/staff/", home),
]
