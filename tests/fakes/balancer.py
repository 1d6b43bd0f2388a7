"""A round-robin load balancer on 127.0.0.1 for the replica tests: what Caddy does in
deploy/compose.yaml, reduced to forwarding each request to the next live backend.

A backend that refuses the connection (a killed replica) is skipped for that request;
when none answers the balancer says 502 and the sender (the fake Bot API) retries.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading

import aiohttp
from aiohttp import web

HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection"}


class Balancer:
    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self._turn = itertools.count()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._main, name="balancer", daemon=True)
        self.port = 0
        self.forwarded: dict[str, int] = {b: 0 for b in backends}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Balancer:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._close(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _close(self) -> None:
        await self._session.close()
        await self._runner.cleanup()

    def _main(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._loop.run_forever()

    async def _serve(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20))
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._forward)
        runner = self._runner = web.AppRunner(app)
        await runner.setup()
        listening = socket.socket()
        listening.bind(("127.0.0.1", 0))
        self.port = int(listening.getsockname()[1])
        await web.SockSite(runner, listening).start()
        self._ready.set()

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        start = next(self._turn)
        for i in range(len(self.backends)):
            backend = self.backends[(start + i) % len(self.backends)]
            try:
                async with self._session.request(
                    request.method, backend + request.path_qs, data=body, headers=headers
                ) as answer:
                    self.forwarded[backend] += 1
                    return web.Response(status=answer.status, body=await answer.read())
            except aiohttp.ClientConnectionError:
                continue
        return web.Response(status=502)
