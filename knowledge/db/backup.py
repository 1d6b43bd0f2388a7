"""Backing up and restoring the database with SQLite's online backup API.

SQLite only (the embedded default): the backup is consistent while the bot
runs. A PostgreSQL deployment backs up with `pg_dump`; these functions refuse
other backends with that advice rather than doing something half right.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError

from knowledge.errors import InputError
from knowledge.texts import staff


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        backend = "PostgreSQL" if url.get_backend_name() == "postgresql" else url.get_backend_name()
        raise InputError(staff.CLI_BACKUP_NOT_SQLITE.format(backend=backend))
    return Path(url.database)


def backup(database_url: str, target: Path) -> int:
    """Copy the live database to `target`; returns its size in bytes."""
    source = sqlite_path(database_url)
    if not source.exists():
        raise InputError(f"no database at {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    with sqlite3.connect(source) as src, sqlite3.connect(partial) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    partial.replace(target)
    return target.stat().st_size


def restore(database_url: str, backup_file: Path) -> None:
    """Replace the database's content with a backup (stop the bot first)."""
    target = sqlite_path(database_url)
    if not backup_file.is_file():
        raise InputError(f"no backup file at {backup_file}")
    probe = create_engine(f"sqlite:///file:{backup_file}?mode=ro&uri=true")
    try:
        tables = set(inspect(probe).get_table_names())
    except DatabaseError as exc:
        raise InputError(f"{backup_file} is not a SQLite database: {exc.orig}") from exc
    finally:
        probe.dispose()
    if not {"alembic_version", "entry"} <= tables:
        raise InputError(f"{backup_file} is not a Sunshine Desk database backup")
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True) as src:
        with sqlite3.connect(target) as dst:
            src.backup(dst)
        dst.close()
    src.close()
