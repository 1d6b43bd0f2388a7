"""`sunshine db …`: create, migrate, back up and restore the database."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from bot import wiring
from bot.config import Settings
from knowledge.texts import staff

if TYPE_CHECKING:
    from bot.cli.common import Subparsers

KILOBYTE = 1024


def init(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.answering.desk import prepare_database

    loaded = prepare_database(wiring.engine(settings))
    print(staff.CLI_DB_READY if loaded else staff.CLI_DB_KEPT)
    return 0


def upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.db.engine import schema_version
    from knowledge.db.engine import upgrade as migrate

    engine = wiring.engine(settings)
    before = schema_version(engine)
    migrate(engine)
    print(
        staff.CLI_DB_SCHEMA.format(
            before=before or staff.CLI_DB_EMPTY, after=schema_version(engine)
        )
    )
    return 0


def backup(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.db.backup import backup as copy

    size = copy(settings.database_url, Path(args.file))
    print(staff.CLI_BACKED_UP.format(file=args.file, kb=size / KILOBYTE))
    return 0


def restore(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.db.backup import restore as put_back

    put_back(settings.database_url, Path(args.file))
    print(staff.CLI_RESTORED.format(file=args.file))
    return 0


def copy_to(args: argparse.Namespace, settings: Settings) -> int:
    from knowledge.db.copy import copy_database
    from knowledge.db.engine import make_engine

    source, target = wiring.engine(settings), make_engine(args.url)
    try:
        copied = copy_database(source, target)
    finally:
        source.dispose()
        target.dispose()
    print(staff.CLI_DB_COPIED.format(rows=copied.rows, tables=len(copied.tables)))
    return 0


def register(sub: Subparsers) -> None:
    db = sub.add_parser("db", help="the database").add_subparsers(dest="db", required=True)
    p = db.add_parser("init", help="create the database and load the shipped knowledge")
    p.set_defaults(func=init)
    p = db.add_parser("upgrade", help="apply schema migrations")
    p.set_defaults(func=upgrade)
    p = db.add_parser("backup", help="copy the SQLite database while it runs")
    p.add_argument("file")
    p.set_defaults(func=backup)
    p = db.add_parser("restore", help="replace the SQLite database with a backup (bot stopped)")
    p.add_argument("file")
    p.set_defaults(func=restore)
    p = db.add_parser(
        "copy-to",
        help="copy every row into another, empty database (e.g. SQLite → PostgreSQL)",
        epilog="Example: sunshine db copy-to postgresql+psycopg://sunshine:…@db:5432/sunshine",
    )
    p.add_argument("url")
    p.set_defaults(func=copy_to)
