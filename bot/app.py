"""Assembling the Telegram application: settings, desk, durable inbox, handlers.

`sunshine run` calls `run`; the tests and the benchmark build the same
application with `build_application` and point it at a fake Bot API server.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
from typing import Any

from telegram import BotCommand
from telegram.ext import Application, ApplicationBuilder

from bot import wiring
from bot.config import Settings
from bot.inbox import store as inbox
from bot.inbox.queue import DurableUpdateQueue, InboxApplication, PerChatProcessor, replay
from bot.transport import AiohttpRequest
from handlers import routing
from handlers.flood import FloodLimit
from handlers.services import KEY, Services
from handlers.watchers import send_outbox, watch_deadlines
from knowledge.answering.desk import Desk, LiveDesk
from knowledge.charts.cache import ChartCache
from knowledge.complaints import intake
from knowledge.errors import ChartError
from knowledge.texts import residents as texts

log = logging.getLogger(__name__)

# Opt in to python-telegram-bot's coming behaviour (durations as timedelta, e.g.
# RetryAfter.retry_after) instead of its deprecation warnings; handlers accept both.
os.environ.setdefault("PTB_TIMEDELTA", "1")

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
# Charts drawn at start, in the background: the first entries' (a large knowledge base's
# others are drawn when first asked for, and kept).
CHARTS_WARMED = 50


def build_application(
    settings: Settings, *, desk: Desk | None = None, live: LiveDesk | None = None
) -> AnyApplication:
    """The bot, ready for `run_polling` (or `async with` in tests).

    Without `desk` the bot answers from the published knowledge and picks up what
    reviewers approve while it runs (`live`, shared with the web in `sunshine serve`).
    """
    if not settings.telegram_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    engine = desk.engine if desk is not None and desk.engine is not None else None
    if engine is None:
        engine = wiring.engine(settings)
    if desk is None:
        live = live or wiring.live_desk(settings, engine)
        desk = live.desk
    processor = PerChatProcessor(settings.concurrency)
    builder = (
        ApplicationBuilder()
        .application_class(InboxApplication)
        .token(settings.telegram_token)
        .update_queue(DurableUpdateQueue(engine))
        .concurrent_updates(processor)
        .request(AiohttpRequest(connections=16))
        .get_updates_request(AiohttpRequest(connections=1))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if settings.telegram_base_url:
        builder = builder.base_url(settings.telegram_base_url)
    if settings.telegram_file_url:
        builder = builder.base_file_url(settings.telegram_file_url)
    application: AnyApplication = builder.build()
    # The knowledge and the matcher's indexes are millions of long-lived objects;
    # freezing them keeps the cyclic GC from rescanning them on every full pass.
    gc.collect()
    gc.freeze()
    application.bot_data[KEY] = Services(
        desk=desk,
        engine=engine,
        charts=ChartCache(settings.cache_dir / "charts"),
        flood=FloodLimit(burst=settings.flood_burst, rate=settings.flood_rate),
        deadline_scan_seconds=settings.deadline_scan_seconds,
        bureau=wiring.bureau(settings),
        hold_chat=processor.hold,
        live=live,
        knowledge_check_seconds=settings.knowledge_check_seconds,
    )
    routing.register(application)
    return application


async def _post_init(application: AnyApplication) -> None:
    svc: Services = application.bot_data[KEY]
    await application.bot.set_my_commands(
        [BotCommand(name, description) for name, description in texts.COMMANDS]
    )
    pruned = await asyncio.to_thread(inbox.prune, svc.engine)
    if pruned:
        log.info("pruned %d handled update(s) from the inbox", pruned)
    svc.draft_chats = await asyncio.to_thread(intake.chats_with_drafts, svc.engine)
    await replay(application, svc.engine)
    # A plain task: PTB's create_task expects a running application, and this one
    # must not delay start-up; _post_shutdown cancels it if it is still drawing.
    loop = asyncio.get_running_loop()
    svc.background.append(loop.create_task(_warm_charts(svc)))
    svc.background.append(loop.create_task(watch_deadlines(application)))
    svc.background.append(loop.create_task(send_outbox(application)))
    if svc.live is not None:
        svc.live.listeners.append(svc.use_desk)
        svc.use_desk(svc.live.desk)
        svc.background.append(loop.create_task(svc.live.watch(svc.knowledge_check_seconds)))


async def _warm_charts(svc: Services) -> None:
    """Draw the first entries' charts in the background, so the first residents do not wait."""
    catalogue = svc.desk.entries
    first = list(catalogue)[:CHARTS_WARMED]
    for entry in await asyncio.to_thread(lambda: list(catalogue.entries(first))):
        try:
            if entry.procedures:
                await asyncio.to_thread(svc.charts.procedure, entry)
            if entry.finance is not None:
                await asyncio.to_thread(svc.charts.finance, entry)
        except ChartError:
            log.exception("chart for %s could not be drawn", entry.id)
            return


async def _post_shutdown(application: AnyApplication) -> None:
    svc: Services = application.bot_data[KEY]
    if isinstance(application, InboxApplication):
        await application.flush_done()
    for task in svc.background:
        task.cancel()
    await asyncio.gather(*svc.background, return_exceptions=True)
    svc.engine.dispose()


ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


async def serve(
    application: AnyApplication, stop: asyncio.Event, *, poll_timeout: int = 30
) -> None:
    """Poll until `stop` is set, in the order `run_polling` uses (tests, embedding)."""
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0.0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
        )
        await application.start()
        await stop.wait()
        await application.updater.stop()
        await application.stop()
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def run(settings: Settings) -> int:
    """Poll Telegram until SIGINT/SIGTERM; finish in-flight updates, confirm the offset."""
    application = build_application(settings)
    log.info("starting the bot (polling)")
    application.run_polling(
        poll_interval=0.0,
        timeout=30,
        allowed_updates=ALLOWED_UPDATES,
        stop_signals=(signal.SIGINT, signal.SIGTERM),
        drop_pending_updates=False,
    )
    return 0
