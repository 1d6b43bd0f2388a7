"""What every view needs: the domain objects, the templates, who is signed in, access rules.

`Web` is built once by `app.create_app` and stored on `app.state.web`; a view
fetches it with `web(request)`. Staff views are wrapped by `staff_page`, which
sends a visitor without a session to the login page, refuses a role that lacks
the page's requirement (403), and checks the CSRF token of every POST. The
requirement is kept on the view, so a test can walk every route × every role.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy import Engine
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from handlers.web.throttle import AddressLimit, FailureWindow
from knowledge.answering.desk import Desk, LiveDesk
from knowledge.complaints.lifecycle import Permission
from knowledge.complaints.policy import Bureau
from knowledge.staff.accounts import Account
from knowledge.staff.roles import Capability, WebRole, can, may
from knowledge.texts import web as texts

STATIC = Path(__file__).with_name("static")
SESSION_COOKIE = "sunshine_session"
DISPLAY_COOKIE = "sunshine_display"  # "large": the 大字版
LOGIN_CSRF_COOKIE = "sunshine_login_csrf"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
CHINA = dt.timezone(dt.timedelta(hours=8))


@dataclass
class Web:
    """The web's services: one per application."""

    engine: Engine
    live: LiveDesk
    bureau: Bureau
    secret: bytes
    https: bool = False
    cache_dir: Path = Path("data/cache")
    failures: FailureWindow = field(default_factory=FailureWindow)
    status_limit: AddressLimit = field(default_factory=AddressLimit)
    templates: Environment = field(
        default_factory=lambda: Environment(
            loader=PackageLoader("handlers.web", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
    )

    @property
    def desk(self) -> Desk:
        """The desk over the published knowledge (swapped when a change is approved)."""
        return self.live.desk


def web(request: Request) -> Web:
    found = request.app.state.web
    assert isinstance(found, Web)
    return found


def account(request: Request) -> Account | None:
    """Who is signed in (set by the session middleware), or None."""
    found = getattr(request.state, "account", None)
    return found if isinstance(found, Account) else None


def large_type(request: Request) -> bool:
    return request.cookies.get(DISPLAY_COOKIE) == "large"


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page: the template with what every page needs (who, 大字版, the CSRF token)."""
    w = web(request)
    html = w.templates.get_template(template).render(
        request=request,
        account=account(request),
        csrf=getattr(request.state, "csrf", ""),
        large=large_type(request),
        texts=texts,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


# --- access -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """What a staff page needs: a capability, a lifecycle permission, or only a session."""

    capability: Capability | None = None
    permission: Permission | None = None

    def allows(self, role: WebRole) -> bool:
        if self.capability is not None and not can(role, self.capability):
            return False
        return self.permission is None or may(role, self.permission)


View = Callable[[Request], Awaitable[Response]]
REQUIREMENT = "requirement"


async def form_of(request: Request) -> FormData:
    """The request's form, parsed once (the CSRF check reads it before the view)."""
    cached = getattr(request.state, "form", None)
    if isinstance(cached, FormData):
        return cached
    form = await request.form()
    request.state.form = form
    return form


async def csrf_ok(request: Request) -> bool:
    expected = getattr(request.state, "csrf", "")
    if not expected:
        return False
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await form_of(request)
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    return given is not None and _same(given, expected)


def _same(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


def staff_page(
    capability: Capability | None = None, permission: Permission | None = None
) -> Callable[[View], View]:
    """Wrap a back-office view: a session, the requirement, CSRF on every POST."""
    requirement = Requirement(capability, permission)

    def wrap(view: View) -> View:
        @functools.wraps(view)
        async def guarded(request: Request) -> Response:
            who = account(request)
            if who is None:
                target = quote(request.url.path)
                return RedirectResponse(f"/staff/login?next={target}", status_code=303)
            if not requirement.allows(who.role):
                return render(request, "error.html", 403, message=texts.FORBIDDEN)
            if request.method == "POST" and not await csrf_ok(request):
                return render(request, "error.html", 403, message=texts.CSRF_FAILED)
            return await view(request)

        setattr(guarded, REQUIREMENT, requirement)
        return guarded

    return wrap


def china_time(when: dt.datetime | None) -> str:
    """A timestamp as staff read it: China time, to the minute."""
    if when is None:
        return ""
    aware = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return aware.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
