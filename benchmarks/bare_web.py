"""The baseline of bench_web: a bare Starlette endpoint returning a fixed string, served by
uvicorn with the same settings as `sunshine web` (one process, h11, no access log)."""

from __future__ import annotations

import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route


async def fixed(request: Request) -> Response:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/", fixed)])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
