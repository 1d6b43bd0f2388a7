"""`sunshine run | qr`: the Telegram bot (polling or webhook), and QR codes that open an entry."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.asking import chat
from bot.cli.common import session
from bot.config import Settings
from knowledge.errors import InputError
from knowledge.texts import staff

if TYPE_CHECKING:
    from bot.cli.common import Subparsers

EXIT_NO_TOKEN = 2
TELEGRAM_API = "https://api.telegram.org/bot"


def run(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.telegram_token:
        print(staff.NO_TOKEN, file=sys.stderr)
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
        if interactive and input(staff.OPEN_CHAT_INSTEAD).strip().lower() in staff.CLI_YES:
            return chat(args, settings)
        return EXIT_NO_TOKEN
    import signal

    from bot.app import run as serve
    from bot.webhook import run as serve_webhook
    from bot.webhook import webhook_path
    from knowledge.texts import webhook as texts

    if args.webhook:  # checked before anything starts: a wrong setting names itself
        if not settings.webhook_secret:
            raise InputError(texts.WEBHOOK_NO_SECRET)
        webhook_path(args.webhook)

    # Until the bot installs its own handlers, SIGTERM stops start-up cleanly too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if logging.getLogger().level > logging.INFO:
        logging.getLogger().setLevel(logging.INFO)
    # httpx logs every request at INFO: one line per update is ours to write.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.webhook:
        host, port = args.host or settings.web_host, args.port or settings.web_port
        print(f"webhook {args.webhook} -> http://{host}:{port}/", file=sys.stderr)
        return serve_webhook(settings, url=args.webhook, host=host, port=port)
    return serve(settings)


def _bot_username(args: argparse.Namespace, settings: Settings) -> str:
    username = (args.bot or settings.bot_username or "").lstrip("@")
    if username:
        return username
    if not settings.telegram_token:
        raise InputError(staff.CLI_NAME_THE_BOT)
    import asyncio

    from telegram import Bot

    async def ask() -> str:
        base_url = settings.telegram_base_url or TELEGRAM_API
        async with Bot(settings.telegram_token or "", base_url=base_url) as bot:
            return bot.username

    return asyncio.run(ask())


def qr(args: argparse.Namespace, settings: Settings) -> int:
    import segno

    from knowledge.base.store import load_entries

    with session(settings) as s:
        ids = {e.id for e in load_entries(session=s)}
    if args.entry not in ids:
        raise InputError(
            staff.CLI_NO_ENTRY.format(entry=args.entry, entries=", ".join(sorted(ids)))
        )
    link = f"https://t.me/{_bot_username(args, settings)}?start={args.entry}"
    output = Path(args.output or f"{args.entry}.png")
    segno.make(link, error="m").save(str(output), scale=args.scale, border=4)
    print(staff.CLI_QR.format(file=output, link=link))
    return 0


def register(sub: Subparsers) -> None:
    p = sub.add_parser(
        "run",
        help="run the Telegram bot (polling, or a webhook with --webhook)",
        epilog="Example: sunshine run --webhook https://minzheng.example.gov.cn/telegram/webhook "
        "--port 8080   (TELEGRAM_WEBHOOK_SECRET set; the web pages share the port)",
    )
    p.add_argument(
        "--webhook",
        metavar="URL",
        help="the public URL Telegram posts updates to (behind the proxy); default: polling",
    )
    p.add_argument("--host", help="with --webhook: where to listen (default SUNSHINE_WEB_HOST)")
    p.add_argument(
        "--port", type=int, help="with --webhook: the port to listen on (default SUNSHINE_WEB_PORT)"
    )
    p.set_defaults(func=run)
    p = sub.add_parser(
        "qr",
        help="a QR code that opens an entry in the bot",
        epilog="Example: sunshine qr marriage-registration -o marriage.png --bot my_bot",
    )
    p.add_argument("entry")
    p.add_argument("-o", "--output")
    p.add_argument("--bot", help="the bot's username (default: SUNSHINE_BOT_USERNAME or getMe)")
    p.add_argument("--scale", type=int, default=10)
    p.set_defaults(func=qr)
