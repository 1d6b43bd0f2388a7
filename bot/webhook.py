"""Webhook mode (`sunshine run --webhook URL`): Telegram POSTs each update to us.

One uvicorn server on HOST:PORT serves the web pages and, at the URL's path,
the webhook (`handlers.web.webhook`), so a proxy needs one upstream. The inbox
guarantee is the polling one, moved to the HTTP answer: a delivered update is
committed to `inbox_update` (keyed by update_id; deliveries arriving together
share one transaction) before Telegram gets its 200, and queued for the handlers
after the commit; a redelivery of a stored update answers 200 and queues nothing.

Start-up: the application is initialised and started first (replaying updates
the last run left unfinished), then the server listens, and only then is
setWebhook called — a webhook left set by the last run may deliver the moment
the port opens. Shutdown (SIGTERM): the server stops accepting and finishes the
requests in flight (each ends committed and queued, or refused), then the
application handles what is queued. The webhook stays set: another replica, or
the next start, serves it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from telegram import Update

from bot import wiring
from bot.app import ALLOWED_UPDATES, AnyApplication, build_application
from bot.config import Settings
from bot.inbox.queue import DurableUpdateQueue
from handlers.web.webhook import Accepted, webhook_route
from knowledge.errors import InputError
from knowledge.texts import webhook as texts

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from handlers.web.context import Web

log = logging.getLogger(__name__)

# How long the server waits at shutdown for requests in flight (each is one commit).
GRACE_SECONDS = 30


def webhook_path(url: str) -> str:
    """The path the webhook is served at: the URL's own (a proxy forwards it unchanged).

    http is accepted for a local Bot API server (TELEGRAM_API_BASE_URL); Telegram's
    own servers refuse it at setWebhook. "/" is refused: it is the home page.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.path in ("", "/"):
        raise InputError(texts.WEBHOOK_BAD_URL.format(url=url))
    return parts.path


class Receiver:
    """Turns a delivered JSON object into a committed, queued update (see `Accepted`)."""

    def __init__(self, application: AnyApplication) -> None:
        self.application = application

    async def __call__(self, payload: dict[str, Any]) -> Accepted:
        update_id = payload.get("update_id")
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            return Accepted.INVALID
        try:
            update = Update.de_json(payload, self.application.bot)
        except (KeyError, TypeError, ValueError, AttributeError):  # the right keys, wrong shapes
            log.warning("update %d could not be read; refused", update_id)
            return Accepted.INVALID
        queue = self.application.update_queue
        assert isinstance(queue, DurableUpdateQueue)
        stored = await queue.deliver(update, payload)
        return Accepted.STORED if stored else Accepted.DUPLICATE


def webhook_app(
    application: AnyApplication,
    web: Web,
    *,
    url: str,
    secret: str,
    allowed_hosts: list[str],
) -> Starlette:
    """The web pages with the webhook mounted at the URL's path."""
    from handlers.web.app import create_app

    route = webhook_route(webhook_path(url), secret, Receiver(application))
    return create_app(web, allowed_hosts=allowed_hosts, extra_routes=[route])


async def serve_webhook(
    application: AnyApplication,
    app: Starlette,
    stop: asyncio.Event,
    *,
    url: str,
    secret: str,
    host: str,
    port: int,
    max_connections: int = 40,
    forwarded_allow_ips: str = "127.0.0.1",
) -> None:
    """Serve `app` (with the webhook) and run `application` until `stop` is set."""
    import uvicorn

    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)  # replays unfinished updates
        await application.start()
        queue = application.update_queue
        claiming = (
            asyncio.create_task(queue.claim(application.bot))
            if isinstance(queue, DurableUpdateQueue) and queue.claiming
            else None
        )
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            proxy_headers=True,
            forwarded_allow_ips=forwarded_allow_ips,
            log_level="warning",
            server_header=False,
            timeout_graceful_shutdown=GRACE_SECONDS,
        )
        server = uvicorn.Server(config)
        serving = asyncio.create_task(server.serve())
        # uvicorn takes SIGINT/SIGTERM while it serves: when it is done, everything stops.
        serving.add_done_callback(lambda _: stop.set())
        try:
            while not server.started and not serving.done() and not stop.is_set():
                await asyncio.sleep(0.01)
            if server.started and not stop.is_set():
                await application.bot.set_webhook(
                    url,
                    secret_token=secret,
                    allowed_updates=ALLOWED_UPDATES,
                    drop_pending_updates=False,
                    max_connections=max_connections,
                )
                log.warning("serving the web and the webhook on http://%s:%d", host, port)
                await stop.wait()
        finally:
            server.should_exit = True
            await asyncio.gather(serving, return_exceptions=True)
            if claiming is not None:
                claiming.cancel()
                await asyncio.gather(claiming, return_exceptions=True)
        # Every update answered 200 is queued by now (or, with replicas, stored for the
        # others to claim): the application handles what it holds.
        await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


async def serve(settings: Settings, *, url: str, host: str, port: int) -> None:
    """`sunshine run --webhook`: the bot and the web in one process until SIGINT/SIGTERM."""
    from bot.web import build_web

    secret = settings.webhook_secret
    if not secret:
        raise InputError(texts.WEBHOOK_NO_SECRET)
    webhook_path(url)
    engine = wiring.engine(settings)
    live = await asyncio.to_thread(wiring.live_desk, settings, engine)
    application = build_application(settings, live=live)
    queue = application.update_queue
    if engine.dialect.name != "sqlite" and isinstance(queue, DurableUpdateQueue):
        # A shared database: other replicas may serve the same webhook.
        queue.claiming = True
        queue.replica = application.bot_data["services"].replica
    web = build_web(settings, engine=engine, live=live)
    hosts = list(settings.allowed_hosts) or ["*"]
    app = webhook_app(application, web, url=url, secret=secret, allowed_hosts=hosts)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await serve_webhook(
            application,
            app,
            stop,
            url=url,
            secret=secret,
            host=host,
            port=port,
            max_connections=settings.webhook_connections,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
    finally:
        engine.dispose()


def run(settings: Settings, *, url: str, host: str, port: int) -> int:
    """Serve the webhook until SIGINT/SIGTERM; finish in-flight updates; leave the webhook set."""
    log.info("starting the bot (webhook %s)", url)
    asyncio.run(serve(settings, url=url, host=host, port=port))
    return 0
