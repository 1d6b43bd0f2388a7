"""What every public page shares: the page with the site's texts, the error page, JSON."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from handlers.web.context import render
from knowledge.texts import residents
from knowledge.texts import site as texts
from knowledge.vocabulary import SAMPLE_MARK

JSON_TYPE = "application/json; charset=utf-8"


def json_body(data: Any) -> bytes:
    """JSON as `sunshine ask --json` prints it: UTF-8, Chinese unescaped."""
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def json_response(data: Any, status_code: int = 200) -> Response:
    return Response(json_body(data), status_code=status_code, media_type=JSON_TYPE)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A public page: `render` with the site's texts."""
    return render(
        request,
        template,
        status_code,
        site=texts,
        residents=residents,
        sample_mark=SAMPLE_MARK,
        **context,
    )


def error_page(request: Request, status_code: int, title: str, message: str) -> HTMLResponse:
    return render(request, "error.html", status_code, title=title, message=message)
