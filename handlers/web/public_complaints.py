"""The public complaint pages: the monthly figures, a complaint's public status, its API.

Nothing personal leaves here: `knowledge.answering.pages.public_stats` and `public_status` list
the fields that may be shown, one by one. The status is rate-limited per address.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from handlers.web.auth import client_address
from handlers.web.context import china_time, web
from handlers.web.public_common import error_page, json_response, page
from knowledge.answering import pages
from knowledge.complaints import store as complaints
from knowledge.complaints.report.figures import monthly_report
from knowledge.errors import ComplaintNotFound
from knowledge.texts import site as texts


async def stats(request: Request) -> Response:
    w = web(request)
    now = dt.datetime.now(dt.UTC)
    month = request.query_params.get("month") or pages.month_of(now)
    if not pages.MONTH.fullmatch(month):
        return error_page(
            request, 400, texts.BAD_REQUEST_TITLE, texts.STATS_BAD_MONTH.format(month=month)
        )
    report = await run_in_threadpool(
        monthly_report, w.engine, month, calendar=w.bureau.calendar, now=now
    )
    before, after = pages.neighbour_months(month)
    return page(
        request,
        "public/stats.html",
        stats=pages.public_stats(report, w.desk.entries),
        month=month,
        before=before,
        after=after if after <= pages.month_of(now) else None,
        as_of=china_time(now),
    )


async def _status(request: Request, ticket: str) -> dict[str, Any] | int:
    """The complaint's public status, or the HTTP status that refuses it (429, 404)."""
    w = web(request)
    if not w.status_limit.allow(client_address(request)):
        return 429
    if not pages.TICKET.fullmatch(ticket):
        return 404
    try:
        complaint = await run_in_threadpool(complaints.get, w.engine, ticket)
    except ComplaintNotFound:
        return 404
    assert complaint.id is not None
    events = await run_in_threadpool(complaints.history, w.engine, complaint.id)
    return pages.public_status(complaint, events, w.desk.entries)


async def api_status(request: Request) -> Response:
    found = await _status(request, request.path_params["ticket"])
    if found == 429:
        return json_response({"error": texts.API_RATE_LIMITED}, 429)
    if not isinstance(found, dict):
        return json_response({"error": texts.API_NOT_FOUND}, 404)
    return json_response(found)


async def status_page(request: Request) -> Response:
    found = await _status(request, request.path_params["ticket"])
    if found == 429:
        return error_page(request, 429, texts.BAD_REQUEST_TITLE, texts.STATUS_RATE_LIMITED)
    if not isinstance(found, dict):
        return error_page(request, 404, texts.PAGE_NOT_FOUND_TITLE, texts.STATUS_NOT_FOUND)
    return page(request, "public/status.html", status=found)


async def status_lookup(request: Request) -> Response:
    """The home page's 查询 form (a GET without JavaScript): on to the ticket's page."""
    ticket = (request.query_params.get("ticket") or "").strip().upper()
    if not pages.TICKET.fullmatch(ticket):
        return error_page(request, 404, texts.PAGE_NOT_FOUND_TITLE, texts.STATUS_NOT_FOUND)
    return RedirectResponse(f"/complaints/{quote(ticket)}", status_code=303)


routes: list[BaseRoute] = [
    Route("/complaints/stats", stats),
    Route("/complaints", status_lookup),
    Route("/complaints/{ticket}", status_page),
    Route("/api/complaints/{ticket}", api_status),
]
