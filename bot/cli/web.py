"""`sunshine web | serve | staff`: the web pages, the bot and web together, back-office accounts."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from bot.cli.common import ready_engine
from bot.config import Settings
from knowledge.errors import InputError
from knowledge.texts import web as texts

if TYPE_CHECKING:
    from bot.cli.common import Subparsers


def web(args: argparse.Namespace, settings: Settings) -> int:
    from bot.web import serve

    ready_engine(settings).dispose()
    host, port = args.host or settings.web_host, args.port or settings.web_port
    print(f"http://{host}:{port}/  ·  http://{host}:{port}/staff/", file=sys.stderr)
    asyncio.run(serve(settings, host=host, port=port, with_bot=args.with_bot))
    return 0


def _password(args: argparse.Namespace) -> str:
    if not args.password_stdin:
        raise InputError(texts.PASSWORD_EMPTY)
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise InputError(texts.PASSWORD_EMPTY)
    return password


def staff(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.staff import accounts
    from knowledge.staff.roles import WebRole

    engine = ready_engine(settings)
    match args.action:
        case "add":
            role = WebRole(args.role)
            accounts.add(
                engine,
                args.username,
                role,
                _password(args),
                display_name=args.name,
                telegram_id=args.telegram_id,
                office=args.office,
            )
            print(texts.ACCOUNT_ADDED.format(username=args.username, role=texts.ROLE_NAMES[role]))
        case "list":
            rows = accounts.listing(engine)
            if not rows:
                print(texts.ACCOUNTS_NONE)
            for who, disabled, last in rows:
                state = texts.ACCOUNT_STATE[disabled]
                seen = last.strftime("%Y-%m-%d %H:%M") if last else "-"
                print(f"{who.username}\t{who.role.value}\t{state}\t{seen}\t{who.name}")
        case "disable" | "enable":
            accounts.set_disabled(engine, args.username, args.action == "disable")
            done = texts.ACCOUNT_DISABLED if args.action == "disable" else texts.ACCOUNT_ENABLED
            print(done.format(username=args.username))
        case "reset":
            accounts.reset_password(engine, args.username, _password(args))
            print(texts.ACCOUNT_RESET.format(username=args.username))
    engine.dispose()
    return 0


def register(sub: Subparsers) -> None:
    for name, with_bot, help in (
        ("web", False, "serve the public pages and the back office"),
        ("serve", True, "the web and, when TELEGRAM_BOT_TOKEN is set, the bot, in one process"),
    ):
        p = sub.add_parser(name, help=help)
        p.add_argument("--host", help="default SUNSHINE_WEB_HOST (127.0.0.1)")
        p.add_argument("--port", type=int, help="default SUNSHINE_WEB_PORT (8080)")
        p.set_defaults(func=web, with_bot=with_bot)
    p = sub.add_parser(
        "staff",
        help="back-office accounts",
        epilog="Example: echo 'a long password' | sunshine staff add admin --role admin "
        "--password-stdin",
    )
    actions = p.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add an account")
    add.add_argument("username")
    add.add_argument(
        "--role", required=True, choices=["editor", "reviewer", "officer", "supervisor", "admin"]
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument("--name", help="the name shown on pages (default: the username)")
    add.add_argument("--telegram-id", type=int, help="the same officer's Telegram user id")
    add.add_argument("--office", help="the office an officer acts for")
    actions.add_parser("list", help="every account")
    for action in ("disable", "enable"):
        a = actions.add_parser(action, help=f"{action} an account")
        a.add_argument("username")
    reset = actions.add_parser("reset", help="set a new password (ends its sessions)")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true")
    p.set_defaults(func=staff)
