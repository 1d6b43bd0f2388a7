"""The web application: public pages, the JSON API, the back office, static files.

`create_app` takes a ready `Web` (the engine, the live desk, the complaint rules);
`bot.web` builds one from the settings and serves it with uvicorn, alone
(`sunshine web`) or beside the bot in one process (`sunshine serve`).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from handlers.web import auth, public
from handlers.web.context import DISPLAY_COOKIE, STATIC, Web, render
from handlers.web.navigation import staff_nav
from handlers.web.security import SecurityMiddleware
from knowledge.texts import web as texts


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def display(request: Request) -> Response:
    """The 大字版 switch: a plain link (works without JavaScript), remembered for a year."""
    mode = request.query_params.get("mode")
    target = request.query_params.get("next") or "/"
    if not target.startswith("/") or target.startswith("//"):
        target = "/"
    response = RedirectResponse(target, status_code=303)
    if mode == "large":
        response.set_cookie(DISPLAY_COOKIE, "large", max_age=365 * 86400, samesite="lax")
    else:
        response.delete_cookie(DISPLAY_COOKIE)
    return response


async def not_found(request: Request, exc: Exception) -> Response:
    return render(request, "error.html", 404, title=texts.NOT_FOUND_TITLE, message=texts.NOT_FOUND)


async def server_error(request: Request, exc: Exception) -> Response:
    return render(request, "error.html", 500, title=texts.ERROR_TITLE, message=texts.ERROR)


def staff_routes() -> list[BaseRoute]:
    """Every back-office page (imported here so the public pages load without them)."""
    from handlers.web import staff_accounts, staff_complaints, staff_knowledge

    return [
        *auth.routes,
        *staff_knowledge.routes,
        *staff_complaints.routes,
        *staff_accounts.routes,
    ]


def create_app(
    web: Web, *, allowed_hosts: Sequence[str] = ("*",), extra_routes: Sequence[BaseRoute] = ()
) -> Starlette:
    """The site; `extra_routes` come first (the bot's webhook, served on the same port)."""
    web.templates.globals["staff_nav"] = staff_nav
    routes: list[BaseRoute] = [
        *extra_routes,
        Route("/healthz", healthz),
        Route("/display", display),
        *public.routes,
        *staff_routes(),
        Route("/staff", lambda request: RedirectResponse("/staff/", status_code=308)),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)),
            Middleware(SecurityMiddleware, web=web),
        ],
        exception_handlers={404: not_found, 500: server_error},
    )
    app.state.web = web
    return app
