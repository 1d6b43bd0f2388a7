"""Accounts and the audit log (admins): the same operations as `sunshine staff`."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from handlers.web.context import account, china_time, form_of, render, staff_page, web
from knowledge.errors import SunshineError
from knowledge.staff import accounts, audit
from knowledge.staff.roles import Capability, WebRole
from knowledge.texts import web as texts

MANAGE = Capability.MANAGE_ACCOUNTS


def _back(message: str, *, error: bool = False) -> Response:
    key = "error" if error else "done"
    return RedirectResponse(f"/staff/accounts?{key}={quote(message)}", status_code=303)


@staff_page(MANAGE)
async def accounts_page(request: Request) -> Response:
    w = web(request)
    rows = await asyncio.to_thread(accounts.listing, w.engine)
    log = await asyncio.to_thread(audit.recent, w.engine, limit=100)
    return render(
        request,
        "staff/accounts.html",
        rows=rows,
        log=log,
        roles=list(WebRole),
        when=china_time,
        done=request.query_params.get("done", ""),
        error=request.query_params.get("error", ""),
    )


@staff_page(MANAGE)
async def add_account(request: Request) -> Response:
    w, who = web(request), account(request)
    assert who is not None
    form = await form_of(request)
    username = str(form.get("username", "")).strip()
    try:
        role = WebRole(str(form.get("role", "")))
        await asyncio.to_thread(
            accounts.add,
            w.engine,
            username,
            role,
            str(form.get("password", "")),
            display_name=str(form.get("display_name", "")).strip() or None,
            office=str(form.get("office", "")).strip() or None,
            by=who.username,
        )
    except ValueError:
        return _back(texts.FORBIDDEN, error=True)
    except SunshineError as exc:
        return _back(str(exc), error=True)
    return _back(texts.ACCOUNT_ADDED.format(username=username, role=texts.ROLE_NAMES[role]))


@staff_page(MANAGE)
async def change_account(request: Request) -> Response:
    w, who = web(request), account(request)
    assert who is not None
    username = request.path_params["username"]
    form = await form_of(request)
    action = str(form.get("action", ""))
    try:
        if action in ("disable", "enable"):
            await asyncio.to_thread(
                accounts.set_disabled, w.engine, username, action == "disable", by=who.username
            )
            done = texts.ACCOUNT_DISABLED if action == "disable" else texts.ACCOUNT_ENABLED
        elif action == "reset":
            await asyncio.to_thread(
                accounts.reset_password,
                w.engine,
                username,
                str(form.get("password", "")),
                by=who.username,
            )
            done = texts.ACCOUNT_RESET
        else:
            return _back(texts.FORBIDDEN, error=True)
    except SunshineError as exc:
        return _back(str(exc), error=True)
    return _back(done.format(username=username))


routes = [
    Route("/staff/accounts", accounts_page),
    Route("/staff/accounts", add_account, methods=["POST"]),
    Route("/staff/accounts/{username}", change_account, methods=["POST"]),
]
