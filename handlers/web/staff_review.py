"""Review of knowledge changes (/staff/reviews) and what residents could not get answered
(/staff/unanswered). The rules are in `knowledge.staff.review` and `knowledge.staff.unanswered`;
these views only carry a form to them and a page back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from itertools import groupby
from typing import TypeVar

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from handlers.web.context import CHINA, account, china_time, form_of, render, staff_page, web
from knowledge.answering import votes
from knowledge.base import store
from knowledge.base.check import check_entries
from knowledge.db.engine import Session, open_session
from knowledge.errors import InputError, NotFound, SunshineError
from knowledge.staff import review, unanswered
from knowledge.staff.accounts import Account
from knowledge.staff.roles import Capability, can
from knowledge.texts import review as texts
from knowledge.texts import staff as staff_texts
from knowledge.vocabulary import ASPECT_LABELS, Aspect

T = TypeVar("T")
REVIEW = Capability.REVIEW_KNOWLEDGE
UNANSWERED = Capability.SEE_UNANSWERED


def _who(request: Request) -> Account:
    who = account(request)
    assert who is not None  # staff_page let the request in
    return who


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def refusal(request: Request, exc: SunshineError, back: str) -> Response:
    """A domain refusal as a page: 404 for what does not exist, 400 for missing input,
    409 for what may not be done (another's change only, a decided or stale change)."""
    status = 404 if isinstance(exc, NotFound) else 400 if isinstance(exc, InputError) else 409
    return render(request, "error.html", status, title="", message=str(exc), back=back)


def notice_of(request: Request) -> str:
    """The message after a redirect, chosen by a key (never text from the address)."""
    query = request.query_params
    template = texts.NOTICES.get(query.get("done", ""), "")
    return template.format(id=query.get("id", ""), count=query.get("count", "")) if template else ""


# --- review -------------------------------------------------------------------------------


@staff_page(capability=REVIEW)
async def reviews(request: Request) -> Response:
    with open_session(web(request).engine) as session:
        changes = review.pending(session=session)
        shown = [
            (
                change,
                review.change_diff(change, session=session),
                review.is_stale(change, session=session),
            )
            for change in changes
        ]
    sets = [(key, list(members)) for key, members in groupby(shown, key=lambda s: s[0].change_set)]
    return render(
        request,
        "staff/knowledge/reviews.html",
        sets=sets,
        when=china_time,
        notice=notice_of(request),
    )


def _change_id(request: Request) -> int:
    value = request.path_params["change_id"]
    assert isinstance(value, int)
    return value


@staff_page(capability=REVIEW)
async def approve(request: Request) -> Response:
    """Publish: a revision by the change's author; this process answers with it at once."""
    change_id = _change_id(request)
    return await _decide(
        request,
        lambda session, who: review.approve(change_id, session=session, reviewer=who),
        lambda _: f"/staff/reviews?done=approved&id={change_id}",
        publishes=True,
    )


@staff_page(capability=REVIEW)
async def approve_set(request: Request) -> Response:
    change_set = request.path_params["change_set"]
    return await _decide(
        request,
        lambda session, who: review.approve_set(change_set, session=session, reviewer=who),
        lambda ids: f"/staff/reviews?done=set&count={len(ids)}",
        publishes=True,
    )


@staff_page(capability=REVIEW)
async def return_change(request: Request) -> Response:
    change_id = _change_id(request)
    reason = _field(await form_of(request), "reason")
    return await _decide(
        request,
        lambda session, who: review.return_change(change_id, reason, session=session, reviewer=who),
        lambda _: f"/staff/reviews?done=returned&id={change_id}",
        publishes=False,
    )


async def _decide(
    request: Request,
    act: Callable[[Session, str], T],
    done: Callable[[T], str],
    *,
    publishes: bool,
) -> Response:
    """A reviewer's decision in one transaction (refused: nothing kept, the reason shown);
    a publication is then applied to this process's desk off the event loop — at 10,000
    entries that takes up to a second, and the bot may share this loop."""
    w = web(request)
    with open_session(w.engine) as session:
        try:
            result = act(session, _who(request).username)
        except SunshineError as exc:
            session.rollback()
            return refusal(request, exc, "/staff/reviews")
        session.commit()
    if publishes:
        await asyncio.to_thread(w.live.refresh)
    return RedirectResponse(done(result), status_code=303)


# --- unanswered ---------------------------------------------------------------------------


@staff_page(capability=UNANSWERED)
async def unanswered_page(request: Request) -> Response:
    return _unanswered(request)


def _unanswered(request: Request, *, error: str = "", status: int = 200) -> Response:
    w = web(request)
    if w.desk.asked is not None:
        w.desk.asked.flush()  # this process's own answers of the last minute count too
    with open_session(w.engine) as session:
        groups = unanswered.open_groups(session=session)
        decided = unanswered.recent_decisions(session=session)
        asked = unanswered.most_asked(session=session)
        entries = store.load_entries(session=session)
    today = dt.datetime.now(CHINA).date()
    titles = {e.id: e.title for e in entries}
    return render(
        request,
        "staff/knowledge/unanswered.html",
        status,
        groups=groups,
        decided=decided,
        asked=asked,
        titles=titles,
        entries=entries,
        labels=ASPECT_LABELS,
        decisions=texts.DECISION_NAMES,
        disliked=votes.recent(w.engine, unhelpful_only=True),
        findings=check_entries(entries, today=today),
        kinds=staff_texts.CLI_CHECK_KINDS,
        when=china_time,
        error=error,
        notice=notice_of(request),
    )


def _target(value: str) -> tuple[str, Aspect] | None:
    entry_id, _, aspect = value.partition(":")
    return (entry_id, Aspect(aspect)) if entry_id and aspect in set(Aspect) else None


@staff_page(capability=UNANSWERED)
async def decide(request: Request) -> Response:
    """One decision for a group: an example question (to review), a referral, or dismissal."""
    who, w = _who(request), web(request)
    form = await form_of(request)
    action = _field(form, "action")
    with open_session(w.engine) as session:
        try:
            group = unanswered.find_group(request.path_params["group"], session=session)
            if action == unanswered.Decision.DISMISS:
                unanswered.decide(group, unanswered.Decision.DISMISS, session=session,
                                  username=who.username)  # fmt: skip
                done = "dismissed"
            elif action == unanswered.Decision.REFER:
                department = _field(form, "department")
                unanswered.refer(group, department, session=session, username=who.username)
                done = "referred"
            elif action == unanswered.Decision.EXAMPLE:
                if not can(who.role, Capability.EDIT_KNOWLEDGE):
                    return render(request, "error.html", 403, message=texts.UNKNOWN_ACTION)
                target = _target(_field(form, "target"))
                if target is None:
                    return _unanswered(request, error=texts.CHOOSE_ASPECT, status=400)
                question = _field(form, "question").strip() or group.text
                change = unanswered.add_as_example(
                    group, *target, question, session=session, username=who.username
                )
                done = f"example&id={change.id}"
            else:
                return _unanswered(request, error=texts.UNKNOWN_ACTION, status=400)
        except SunshineError as exc:
            return refusal(request, exc, "/staff/unanswered")
        session.commit()
    return RedirectResponse(f"/staff/unanswered?done={done}", status_code=303)


routes: list[BaseRoute] = [
    Route("/staff/reviews", reviews),
    Route("/staff/reviews/{change_id:int}/approve", approve, methods=["POST"]),
    Route("/staff/reviews/{change_id:int}/return", return_change, methods=["POST"]),
    Route("/staff/reviews/sets/{change_set}/approve", approve_set, methods=["POST"]),
    Route("/staff/unanswered", unanswered_page),
    Route("/staff/unanswered/{group:int}", decide, methods=["POST"]),
]
