"""The knowledge pages of the back office: the entry list, editing an aspect, Excel in and out.

Every edit becomes a pending change (`knowledge.staff.review`); residents keep the
published text until another person approves it on /staff/reviews (`staff_review`,
whose routes are served from here too).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from handlers.render import card_html
from handlers.web import staff_review
from handlers.web.context import CHINA, account, china_time, form_of, render, staff_page, web
from handlers.web.staff_review import notice_of, refusal
from knowledge.answering.answers import card_for
from knowledge.base import store
from knowledge.base.schema import LEAD_LIMIT, Entry
from knowledge.base.transfer import export_entries
from knowledge.db.engine import open_session
from knowledge.errors import ImportRejected, NotFound, SunshineError
from knowledge.staff import audit, review
from knowledge.staff.accounts import Account
from knowledge.staff.roles import Capability
from knowledge.texts import residents as resident_texts
from knowledge.texts import review as texts
from knowledge.vocabulary import ASPECT_LABELS, Aspect

EDIT = Capability.EDIT_KNOWLEDGE
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_LIMIT_MB = 5


def _who(request: Request) -> Account:
    who = account(request)
    assert who is not None  # staff_page let the request in
    return who


def fields_of(form: FormData) -> dict[str, str]:
    """The form's text fields (files left out)."""
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


# --- the entry list ------------------------------------------------------------------------


@staff_page(capability=EDIT)
async def entries(request: Request) -> Response:
    who = _who(request)
    today = dt.datetime.now(CHINA).date()
    with open_session(web(request).engine) as session:
        rows = review.entry_rows(session=session, today=today)
        mine = review.by_author(who.username, session=session)
    return render(
        request,
        "staff/knowledge/entries.html",
        rows=rows,
        mine=mine,
        labels=ASPECT_LABELS,
        states=texts.STATE_NAMES,
        when=china_time,
        notice=notice_of(request),
    )


# --- editing one aspect --------------------------------------------------------------------


def _aspect(request: Request) -> Aspect | None:
    value = request.path_params["aspect"]
    return Aspect(value) if value in Aspect.__members__.values() else None


def _preview(entry: Entry, aspect: Aspect) -> dict[str, Any]:
    card = card_for(entry, aspect)
    return {
        "card": card,
        "telegram": card_html(card),
        "sample_notice": resident_texts.SAMPLE_NOTICE,
    }


def _form_values(entry: Entry, aspect: Aspect) -> dict[str, str]:
    """The form as the entry fills it (the same names `review.apply_form` reads)."""
    values = {
        "lead": entry.leads.get(aspect, ""),
        "text": entry.aspects.get(aspect, ""),
        "basis": "\n".join(entry.basis_for(aspect)),
    }
    if aspect is Aspect.PROCEDURE:
        for p, procedure in enumerate(entry.procedures):
            for n, step in enumerate(procedure.steps):
                for name in review.STEP_FIELDS:
                    values[f"step-{p}-{n}-{name}"] = str(getattr(step, name))
    if aspect is Aspect.FINANCE and entry.finance is not None:
        for n, row in enumerate(entry.finance.rows):
            for name in review.FINANCE_FIELDS:
                value = getattr(row, name)
                values[f"fin-{n}-{name}"] = f"{value:g}" if isinstance(value, float) else value
    return values


def _editor(
    request: Request,
    entry: Entry,
    aspect: Aspect,
    values: Mapping[str, str],
    *,
    shown: Entry,
    errors: Mapping[str, str] | None = None,
    status: int = 200,
) -> Response:
    steps = [len(p.steps) + 1 for p in entry.procedures]
    rows = len(entry.finance.rows) + 2 if entry.finance is not None else 0
    return render(
        request,
        "staff/knowledge/edit.html",
        status,
        entry=entry,
        aspect=aspect,
        labels=ASPECT_LABELS,
        values=values,
        errors=errors or {},
        problem=texts.FIX_ERRORS.format(count=len(errors)) if errors else "",
        steps=steps,
        step_fields=review.STEP_FIELDS,
        finance_rows=rows,
        finance_fields=review.FINANCE_FIELDS,
        lead_limit=LEAD_LIMIT,
        **_preview(shown, aspect),
    )


@staff_page(capability=EDIT)
async def edit(request: Request) -> Response:
    """GET: the form from the author's working copy; POST: preview (预览) or submit (提交审核)."""
    who = _who(request)
    aspect, entry_id = _aspect(request), request.path_params["entry_id"]
    with open_session(web(request).engine) as session:
        try:
            entry = review.working_copy(entry_id, who.username, session=session)
        except NotFound as exc:
            return refusal(request, exc, "/staff/entries")
        if aspect is None or aspect not in entry.aspects:
            return refusal(request, NotFound(texts.NO_SUCH_ASPECT.format(aspect="")), "/")
        if request.method == "GET":
            return _editor(request, entry, aspect, _form_values(entry, aspect), shown=entry)
        fields = fields_of(await form_of(request))
        if "text" not in fields:
            return _editor(
                request, entry, aspect, _form_values(entry, aspect), shown=entry, status=400
            )
        edited = review.apply_form(entry, aspect, fields)
        if edited.entry is None:
            return _editor(
                request, entry, aspect, fields, shown=entry, errors=edited.errors, status=400
            )
        if fields.get("action") != "submit":
            return _editor(request, entry, aspect, fields, shown=edited.entry)
        try:
            change = review.submit(edited.entry, session=session, author=who.username)
        except SunshineError as exc:
            return _editor(
                request, entry, aspect, fields, shown=edited.entry,
                errors={"text": str(exc)}, status=409,
            )  # fmt: skip
        session.commit()
    return RedirectResponse(f"/staff/entries?done=submitted&id={change.id}", status_code=303)


@staff_page(capability=EDIT)
async def preview(request: Request) -> Response:
    """The htmx live preview: the card as the resident would see it, or what is wrong."""
    who = _who(request)
    aspect, entry_id = _aspect(request), request.path_params["entry_id"]
    fields = fields_of(await form_of(request))
    with open_session(web(request).engine) as session:
        try:
            entry = review.working_copy(entry_id, who.username, session=session)
        except NotFound as exc:
            return refusal(request, exc, "/staff/entries")
    if aspect is None or aspect not in entry.aspects or "text" not in fields:
        return render(request, "error.html", 400, message=texts.CHOOSE_ASPECT)
    edited = review.apply_form(entry, aspect, fields)
    return render(
        request,
        "staff/knowledge/preview.html",
        errors=edited.errors,
        **_preview(edited.entry or entry, aspect),
    )


# --- Excel in and out ----------------------------------------------------------------------


@staff_page(capability=EDIT)
async def export(request: Request) -> Response:
    """The same workbook as `sunshine kb export --format xlsx`."""
    with open_session(web(request).engine) as session:
        data = export_entries(store.load_entries(session=session), "xlsx")
        audit.record(session, _who(request).username, "knowledge.export", target="xlsx")
        session.commit()
    day = dt.datetime.now(CHINA).date().isoformat()
    return Response(
        data,
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="knowledge-{day}.xlsx"'},
    )


async def _uploaded(form: FormData) -> bytes | str:
    """The workbook's bytes: a fresh upload, or the checked one sent back; else what is wrong."""
    sent = form.get("workbook")
    if isinstance(sent, str) and sent:
        try:
            return base64.b64decode(sent, validate=True)
        except (binascii.Error, ValueError):
            return texts.UPLOAD_LOST
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return texts.UPLOAD_NONE
    try:
        data = await upload.read(UPLOAD_LIMIT_MB * 1024 * 1024 + 1)
    finally:
        await upload.close()
    if len(data) > UPLOAD_LIMIT_MB * 1024 * 1024:
        return texts.UPLOAD_TOO_BIG.format(limit=UPLOAD_LIMIT_MB)
    return data if data else texts.UPLOAD_NONE


@staff_page(capability=EDIT)
async def upload(request: Request) -> Response:
    """GET: the form. POST: check the workbook (nothing saved), or send it to review."""
    page = "staff/knowledge/import.html"
    if request.method == "GET":
        return render(request, page)
    who = _who(request)
    form = await form_of(request)
    data = await _uploaded(form)
    if isinstance(data, str):
        return render(request, page, 400, error=data)
    with open_session(web(request).engine) as session:
        try:
            changed, planned = review.plan_import(data, session=session)
        except ImportRejected as exc:
            audit.record(session, who.username, "knowledge.upload.rejected", str(len(exc.problems)))
            session.commit()
            return render(request, page, 422, problems=exc.problems)
        if form.get("action") != "submit":
            audit.record(session, who.username, "knowledge.upload.check", str(len(planned)))
            session.commit()
            encoded = base64.b64encode(data).decode("ascii") if planned else ""
            notice = "" if planned else texts.UPLOAD_NO_CHANGES
            return render(request, page, planned=planned, workbook=encoded, notice=notice)
        try:
            review.submit_set(changed, session=session, author=who.username)
        except SunshineError as exc:
            return render(request, page, 409, error=str(exc))
        session.commit()
    return RedirectResponse(f"/staff/entries?done=uploaded&count={len(changed)}", status_code=303)


routes: list[BaseRoute] = [
    Route("/staff/entries", entries),
    Route("/staff/entries/export.xlsx", export),
    Route("/staff/entries/import", upload, methods=["GET", "POST"]),
    Route("/staff/entries/{entry_id}/{aspect}", edit, methods=["GET", "POST"]),
    Route("/staff/entries/{entry_id}/{aspect}/preview", preview, methods=["POST"]),
    *staff_review.routes,
]
