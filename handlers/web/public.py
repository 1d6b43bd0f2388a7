"""The public pages (no sign-in): home and web chat, service guides, checklists, complaint
figures and status, and the JSON API.

Thin: the desk answers, `knowledge.answering.pages` lays out guides, charts and figures, the
templates in `templates/public/` render. Every page works without JavaScript; with it,
htmx swaps the chat answer in place (the `HX-Request` header asks for the fragment).
Entry pages are cached as rendered HTML per (entry, 大字版, desk object): the desk is
replaced when staff publish a change, which drops the cache.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from handlers.web import public_complaints
from handlers.web.context import large_type, web
from handlers.web.public_common import JSON_TYPE, error_page, json_body, json_response, page
from knowledge.answering import pages
from knowledge.answering.answers import (
    CATEGORY_ASPECT,
    Card,
    category_blurb,
    category_entries,
    choice_label,
    hotline,
)
from knowledge.answering.desk import UNANSWERED, Desk, Reply
from knowledge.matching.match import Decision
from knowledge.texts import residents
from knowledge.texts import site as texts
from knowledge.vocabulary import (
    ASPECT_LABELS,
    CONTACTS_ENTRY,
    MENU_ORDER,
    Aspect,
    Category,
    Intent,
)

# What a checklist shows besides the materials: where to go, and how long it takes.
CHECKLIST_ASPECTS = (Aspect.MATERIALS, Aspect.METHOD, Aspect.TIME_LIMIT)


# --- asking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    label: str
    href: str


def entry_href(entry_id: str, aspect: Aspect | None = None) -> str:
    anchor = f"#{aspect.value}" if aspect is not None else ""
    return f"/entries/{quote(entry_id)}{anchor}"


@dataclass(frozen=True)
class Answer:
    """A reply as the page shows it: the card, and its buttons as links."""

    question: str
    card: Card
    choices: tuple[Link, ...] = ()
    followups: tuple[Link, ...] = ()
    also: Link | None = None
    guide: Link | None = None
    complaint: bool = False
    referral: str | None = None
    meta: tuple[tuple[str, str], ...] = field(default=())


def answer_of(desk: Desk, question: str, reply: Reply) -> Answer:
    """The card's did-you-mean choices, follow-up aspects and second question, as links."""
    card, entries = reply.card, desk.entries
    choices = tuple(Link(choice_label(entries, e, a), entry_href(e, a)) for e, a in card.choices)
    followups: tuple[Link, ...] = ()
    guide = None
    if card.entry is not None and card.entry in entries:
        followups = tuple(Link(ASPECT_LABELS[a], entry_href(card.entry, a)) for a in card.followups)
        guide = Link(texts.OPEN_GUIDE, entry_href(card.entry))
    also = None
    if card.also is not None and card.also[0] in entries:
        also = Link(card.also_text or choice_label(entries, *card.also), entry_href(*card.also))
    meta: list[tuple[str, str]] = []
    if card.basis:
        meta.append((texts.BASIS_LABEL, residents.BASIS_SEPARATOR.join(card.basis)))
    if card.last_reviewed is not None:
        meta.append((texts.REVIEWED_LABEL, card.last_reviewed.isoformat()))
    match = reply.match
    return Answer(
        question=question,
        card=card,
        choices=choices,
        followups=followups,
        also=also,
        guide=guide,
        complaint=match.intent is Intent.COMPLAINT,
        referral=match.referral.department if match.referral else None,
        meta=tuple(meta),
    )


async def ask_desk(desk: Desk, question: str) -> Reply:
    """Ask in the event loop (1–2 ms); only recording an unanswered question goes to a thread."""
    reply = desk.ask(question, record=False)
    match = reply.match
    if match.decision is Decision.ABSTAIN and match.path in UNANSWERED:
        await run_in_threadpool(desk.record_unanswered, match)
    return reply


def categories(desk: Desk) -> list[dict[str, Any]]:
    """The six menu categories with their entries (linked on the category's aspect)."""
    out = []
    for category in MENU_ORDER:
        aspect = CATEGORY_ASPECT[category]
        members = category_entries(desk.entries, category)
        out.append(
            {
                "name": category.value,
                "blurb": category_blurb(desk.entries, category),
                "links": [
                    Link(e.title, entry_href(e.id, aspect if aspect in e.aspects else None))
                    for e in members
                ],
                "complaints": category is Category.COMPLAINTS,
            }
        )
    return out


async def home(request: Request) -> Response:
    return await _home(request, None)


async def ask(request: Request) -> Response:
    question = (request.query_params.get("q") or "").strip()
    fragment = "hx-request" in request.headers and "hx-history-restore-request" not in (
        request.headers
    )
    desk = web(request).desk
    status = 200
    if not question:
        answer = None
        error = texts.EMPTY_INPUT
    elif len(question) > pages.QUESTION_LIMIT:
        answer, status = None, 400
        error = texts.CHAT_TOO_LONG.format(limit=pages.QUESTION_LIMIT)
    else:
        answer = answer_of(desk, question, await ask_desk(desk, question))
        error = ""
    if fragment:
        response = page(request, "public/_answer.html", status, answer=answer, error=error)
    else:
        response = await _home(request, answer, question=question, error=error, status=status)
    response.headers["vary"] = "HX-Request"
    return response


async def _home(
    request: Request,
    answer: Answer | None,
    *,
    question: str = "",
    error: str = "",
    status: int = 200,
) -> HTMLResponse:
    desk = web(request).desk
    return page(
        request,
        "public/home.html",
        status,
        categories=categories(desk),
        answer=answer,
        question=question,
        error=error,
        contacts=entry_href(CONTACTS_ENTRY) if CONTACTS_ENTRY in desk.entries else None,
    )


async def api_ask(request: Request) -> Response:
    question = (request.query_params.get("q") or "").strip()
    if not question:
        return json_response({"error": texts.API_EMPTY_QUESTION}, 400)
    if len(question) > pages.QUESTION_LIMIT:
        return json_response({"error": texts.API_TOO_LONG.format(limit=pages.QUESTION_LIMIT)}, 400)
    desk = web(request).desk
    reply = await ask_desk(desk, question)  # counted and recorded every time
    bodies = answer_cache(request).for_desk(desk)
    body = bodies.get(question)
    if body is None:
        body = json_body(desk.as_json(reply))
        if len(bodies) >= API_CACHE_SIZE:
            bodies.pop(next(iter(bodies)))  # the oldest answer first
        bodies[question] = body
    return Response(body, media_type=JSON_TYPE)


# Residents repeat themselves: the JSON of an answer already given is kept per desk, like the
# desk's own cache of matches (same size), and dropped with it when knowledge is published.
API_CACHE_SIZE = 4096


class AnswerCache:
    def __init__(self) -> None:
        self.desk: Desk | None = None
        self.bodies: dict[str, bytes] = {}

    def for_desk(self, desk: Desk) -> dict[str, bytes]:
        if self.desk is not desk:
            self.desk, self.bodies = desk, {}
        return self.bodies


def answer_cache(request: Request) -> AnswerCache:
    state = request.app.state
    found = getattr(state, "api_answers", None)
    if not isinstance(found, AnswerCache):
        found = state.api_answers = AnswerCache()
    return found


# --- service guides --------------------------------------------------------------------------


class PageCache:
    """Rendered entry pages for one desk: replaced wholesale when the desk changes.

    Holding the desk itself (not its id) means a new desk can never be mistaken for an
    old one that happened to live at the same address.
    """

    def __init__(self) -> None:
        self.desk: Desk | None = None
        self.pages: dict[tuple[str, str, bool], bytes] = {}

    def for_desk(self, desk: Desk) -> dict[tuple[str, str, bool], bytes]:
        if self.desk is not desk:
            self.desk, self.pages = desk, {}
        return self.pages


def page_cache(request: Request) -> PageCache:
    state = request.app.state
    found = getattr(state, "public_pages", None)
    if not isinstance(found, PageCache):
        found = PageCache()
        state.public_pages = found
    return found


def cached(request: Request, kind: str, entry_id: str, build: Any) -> Response:
    """The page from the cache, or built, stored and returned (only 200s are kept)."""
    desk = web(request).desk
    store = page_cache(request).for_desk(desk)
    key = (kind, entry_id, large_type(request))
    body = store.get(key)
    if body is None:
        response: Response = build(desk)
        if response.status_code != 200:
            return response
        body = bytes(response.body)
        if len(store) < 256:
            store[key] = body
    return HTMLResponse(body)


async def entry(request: Request) -> Response:
    entry_id = request.path_params["entry_id"]

    def build(desk: Desk) -> Response:
        found = desk.entries.get(entry_id)
        if found is None:
            return error_page(request, 404, texts.PAGE_NOT_FOUND_TITLE, texts.ENTRY_NOT_FOUND)
        return page(
            request,
            "public/entry.html",
            entry=found,
            sections=pages.guide(found),
            flows=[(p, pages.flow_chart(p)) for p in found.procedures],
            finance=pages.finance_periods(found.finance) if found.finance else [],
            sample=pages.shows_sample(found),
            contacts=found.contacts,
            checklist=Aspect.MATERIALS in found.aspects,
        )

    return cached(request, "entry", entry_id, build)


async def checklist(request: Request) -> Response:
    entry_id = request.path_params["entry_id"]

    def build(desk: Desk) -> Response:
        found = desk.entries.get(entry_id)
        if found is None:
            return error_page(request, 404, texts.PAGE_NOT_FOUND_TITLE, texts.ENTRY_NOT_FOUND)
        if Aspect.MATERIALS not in found.aspects:
            return error_page(request, 404, texts.PAGE_NOT_FOUND_TITLE, texts.NO_CHECKLIST)
        shown = [a for a in CHECKLIST_ASPECTS if a in found.aspects]
        return page(
            request,
            "public/checklist.html",
            entry=found,
            checklist=pages.checklist(found.aspects[Aspect.MATERIALS]),
            method=found.aspects.get(Aspect.METHOD, ""),
            time_limit=found.aspects.get(Aspect.TIME_LIMIT, ""),
            sample=any(found.shows_sample_data(a) for a in shown),
            hotline=hotline(desk.entries),
        )

    return cached(request, "checklist", entry_id, build)


routes: list[BaseRoute] = [
    Route("/", home),
    Route("/ask", ask),
    Route("/entries/{entry_id}", entry),
    Route("/entries/{entry_id}/checklist", checklist),
    Route("/api/ask", api_ask),
    *public_complaints.routes,
]
