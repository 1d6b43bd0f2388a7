"""The back office's complaint pages: the queue, one complaint with its actions, the report.

Thin adapters over `knowledge.complaints.queue` (what an account sees and may do)
and the report modules: a form becomes `queue.act_as`, which goes through the same
lifecycle table and outbox as a Telegram button, so the resident hears exactly
what a press in the group would have told them. Every form carries a fresh key;
submitted twice, the second is a replay that changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import tempfile
from pathlib import Path
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from handlers.web.context import account, form_of, render, staff_page, web
from knowledge.charts.complaints import report_chart
from knowledge.complaints import queue
from knowledge.complaints.lifecycle import Permission
from knowledge.complaints.report import figures, message, workbook
from knowledge.complaints.vocabulary import State
from knowledge.errors import ComplaintNotFound, InputError, Refused
from knowledge.staff.accounts import Account
from knowledge.texts import officers_web as texts
from knowledge.texts import staff as staff_texts

NONCE = re.compile(r"[A-Za-z0-9_-]{8,40}")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPLAYED = "replayed"


def _who(request: Request) -> Account:
    who = account(request)
    assert who is not None  # staff_page let the view run
    return who


def _titles(request: Request) -> dict[str, str]:
    """Category ids as staff know them: the knowledge entry's title."""
    return {s.id: s.title for s in web(request).desk.entries.summaries()}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


# --- the queue -------------------------------------------------------------------------------


@staff_page(permission=Permission.QUEUE)
async def complaint_queue(request: Request) -> Response:
    w, who = web(request), _who(request)
    filters = queue.Filters.parse(dict(request.query_params))
    titles = _titles(request)
    found = await run_in_threadpool(queue.rows, w.engine, filters, who, w.bureau, titles=titles)
    states = [(s.value, staff_texts.STATE_NAMES[s]) for s in State]
    return render(
        request,
        "staff/complaints/queue.html",
        rows=found,
        filters=filters,
        states=states,
        categories=queue.categories(w.engine, titles),
        limit=queue.QUEUE_LIMIT,
        t=texts,
        q=queue,
    )


# --- one complaint ----------------------------------------------------------------------------


def _detail_page(
    request: Request,
    ticket: str,
    *,
    status: int = 200,
    error: str = "",
    typed: dict[str, str] | None = None,
) -> Response:
    w, who = web(request), _who(request)
    try:
        found = queue.detail(w.engine, ticket, who, w.bureau, titles=_titles(request))
    except ComplaintNotFound:
        message_text = staff_texts.REFUSED_NOT_FOUND.format(ticket=ticket)
        return render(request, "error.html", 404, message=message_text, back="/staff/complaints")
    done = request.query_params.get("done", "")
    notice = ""
    if done == REPLAYED:
        notice = texts.REPLAYED
    elif done in staff_texts.ACTION_LABELS:
        notice = texts.DONE.format(ticket=found.row.ticket, action=staff_texts.ACTION_LABELS[done])
    forms = {form.action: secrets.token_urlsafe(12) for form in found.actions}
    return render(
        request,
        "staff/complaints/detail.html",
        status,
        c=found,
        notice=notice,
        error=error,
        typed=typed or {},
        nonces=forms,
        t=texts,
    )


@staff_page(permission=Permission.TICKET)
async def complaint_page(request: Request) -> Response:
    ticket = request.path_params["ticket"]
    return await run_in_threadpool(_detail_page, request, ticket)


@staff_page(permission=Permission.TICKET)
async def complaint_action(request: Request) -> Response:
    """A form of the complaint page: one action, then back to the page (303)."""
    w, who = web(request), _who(request)
    ticket = request.path_params["ticket"]
    form = await form_of(request)
    action, nonce = _text(form.get("action")), _text(form.get("request"))
    words, office_name = _text(form.get("words")), _text(form.get("office"))
    typed = {"action": action, "words": words, "office": office_name}
    if not NONCE.fullmatch(nonce):
        return await run_in_threadpool(
            _detail_page, request, ticket, status=400, error=texts.FORM_EXPIRED, typed=typed
        )
    address = request.client.host if request.client else None
    try:
        applied = await run_in_threadpool(
            lambda: queue.act_as(
                w.engine,
                who,
                ticket,
                action,
                words=words,
                office_name=office_name,
                bureau=w.bureau,
                request=f"web:{who.username}:{nonce}",
                address=address,
            )
        )
    except ComplaintNotFound:
        return await run_in_threadpool(_detail_page, request, ticket)
    except Refused as refused:
        return await run_in_threadpool(
            _detail_page, request, ticket, status=409, error=str(refused), typed=typed
        )
    done = action if applied else REPLAYED
    target = f"/staff/complaints/{quote(ticket)}?done={quote(done)}"
    return RedirectResponse(target, status_code=303)


# --- the monthly report -------------------------------------------------------------------------


def _report(request: Request, month: str) -> figures.MonthlyReport:
    w = web(request)
    return figures.monthly_report(w.engine, month, calendar=w.bureau.calendar)


@staff_page(permission=Permission.REPORT)
async def report_page(request: Request) -> Response:
    month = request.query_params.get("month") or queue.this_month()
    try:
        monthly = await run_in_threadpool(_report, request, month)
    except InputError as wrong:
        return render(
            request,
            "staff/complaints/report.html",
            400,
            error=str(wrong),
            month=month,
            t=texts,
            texts_staff=staff_texts,
        )
    return render(
        request,
        "staff/complaints/report.html",
        report=monthly,
        month=month,
        figures=message.figures(monthly),
        state_name=message.state_name,
        deadline_name=message.deadline_name,
        china_time=message.china_time,
        t=texts,
        texts_staff=staff_texts,
    )


def _chart_file(request: Request, monthly: figures.MonthlyReport) -> Path:
    """The chart's PNG, drawn once per distinct set of counts and kept in the cache."""
    counts = json.dumps([monthly.month, monthly.by_state, monthly.by_category], sort_keys=True)
    key = hashlib.sha256(counts.encode()).hexdigest()[:16]
    path = web(request).cache_dir / "report-charts" / f"{monthly.month}-{key}.png"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{secrets.token_hex(4)}.tmp")
        partial.write_bytes(report_chart(monthly))
        partial.replace(path)
    return path


def _workbook_bytes(monthly: figures.MonthlyReport) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.xlsx"
        workbook.write_workbook(monthly, path)
        return path.read_bytes()


@staff_page(permission=Permission.REPORT)
async def report_chart_png(request: Request) -> Response:
    try:
        monthly = await run_in_threadpool(_report, request, request.path_params["month"])
    except InputError as wrong:
        return render(request, "error.html", 404, message=str(wrong), back="/staff/report")
    path = await run_in_threadpool(_chart_file, request, monthly)
    headers = {"Cache-Control": "private, max-age=300"}
    return Response(path.read_bytes(), media_type="image/png", headers=headers)


@staff_page(permission=Permission.REPORT)
async def report_workbook(request: Request) -> Response:
    try:
        monthly = await run_in_threadpool(_report, request, request.path_params["month"])
    except InputError as wrong:
        return render(request, "error.html", 404, message=str(wrong), back="/staff/report")
    data = await run_in_threadpool(_workbook_bytes, monthly)
    name = texts.REPORT_FILE.format(month=monthly.month)
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=XLSX, headers=headers)


routes: list[BaseRoute] = [
    Route("/staff/complaints", complaint_queue),
    Route("/staff/complaints/{ticket}", complaint_page),
    Route("/staff/complaints/{ticket}", complaint_action, methods=["POST"]),
    Route("/staff/report", report_page),
    Route("/staff/report/{month}.png", report_chart_png),
    Route("/staff/report/{month}.xlsx", report_workbook),
]
