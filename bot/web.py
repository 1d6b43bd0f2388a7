"""Assembling and serving the web application: alone, or with the bot in one process.

`sunshine web` serves the pages; `sunshine serve` also runs the bot (when
TELEGRAM_BOT_TOKEN is set) in the same event loop, sharing one engine and one
live desk, so a change a reviewer approves in the browser reaches both at once.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from bot import wiring
from bot.config import Settings

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from handlers.web.context import Web
    from knowledge.answering.desk import LiveDesk

log = logging.getLogger(__name__)

WEB_SECRET = "web-key"


def build_web(settings: Settings, *, engine: Engine, live: LiveDesk) -> Web:
    from handlers.web.context import Web
    from knowledge.db.secrets import database_secret

    secret = (
        settings.secret_key.encode() if settings.secret_key else database_secret(engine, WEB_SECRET)
    )
    return Web(
        engine=engine,
        live=live,
        bureau=wiring.bureau(settings),
        secret=secret,
        https=settings.https,
        cache_dir=settings.cache_dir,
    )


def build_app(settings: Settings, *, engine: Engine | None = None) -> Starlette:
    """The web application over the settings' database (the tests and benchmarks use this)."""
    from handlers.web.app import create_app

    engine = engine or wiring.engine(settings)
    live = wiring.live_desk(settings, engine)
    return create_app(build_web(settings, engine=engine, live=live), allowed_hosts=_hosts(settings))


def _hosts(settings: Settings) -> list[str]:
    return list(settings.allowed_hosts) or ["*"]


async def serve(settings: Settings, *, host: str, port: int, with_bot: bool) -> None:
    """Serve the web (and the bot) until SIGINT/SIGTERM."""
    import uvicorn

    from handlers.web.app import create_app

    engine = wiring.engine(settings)
    live = await asyncio.to_thread(wiring.live_desk, settings, engine)
    web = build_web(settings, engine=engine, live=live)
    app = create_app(web, allowed_hosts=_hosts(settings))
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_level="warning",
        server_header=False,
    )
    server = uvicorn.Server(config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    serving = asyncio.create_task(server.serve())
    # uvicorn takes SIGINT/SIGTERM while it serves and raises them again when it is done,
    # to the handlers above: either way `stop` is set and everything shuts down in order.
    serving.add_done_callback(lambda _: stop.set())
    bot: asyncio.Task[None] | None = None
    watcher: asyncio.Task[None] | None = None
    if with_bot and settings.telegram_token:
        from bot.app import build_application
        from bot.app import serve as serve_bot

        application = build_application(settings, live=live)
        bot = asyncio.create_task(serve_bot(application, stop))
        log.warning("serving the web on http://%s:%d and the bot", host, port)
    else:
        watcher = asyncio.create_task(live.watch(settings.knowledge_check_seconds))
        log.warning("serving the web on http://%s:%d", host, port)
    try:
        await stop.wait()
    finally:
        server.should_exit = True
        if watcher is not None:
            watcher.cancel()
        await asyncio.gather(serving, *(t for t in (bot, watcher) if t), return_exceptions=True)
        engine.dispose()
