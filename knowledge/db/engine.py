"""Engines, migrations and first-use set-up of the database.

Everything here is portable SQLAlchemy, except the blocks marked below:
for SQLite the connection pragmas and the creation of the parent folder of a
database file, for PostgreSQL the session's time zone. PostgreSQL through
`DATABASE_URL` (`postgresql+psycopg://…`) needs no other change.
"""

from __future__ import annotations

import weakref
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import Session as Session  # re-exported: the type adapters pass on
from sqlmodel import create_engine

# The newest migration; a test checks it is alembic's head, so that start-up can
# skip importing alembic when the schema is already current.
SCHEMA_HEAD = "0010_entry_summary"


def make_engine(url: str) -> Engine:
    """An engine for `url`, with SQLite set up for a single-host service."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    # --- PostgreSQL only ----------------------------------------------------------
    if parsed.get_backend_name() == "postgresql":
        # The session in UTC whatever the server's TimeZone (Asia/Shanghai on a server
        # set up in China). The models' columns convert to UTC anyway (SQLModel's
        # UTCDateTime), but SQL itself (data migrations, casts, date(), a DBA's psql)
        # then sees the wall-clock times SQLite stores, not eight hours later.
        kwargs["connect_args"] = {"options": "-c TimeZone=UTC"}
    # --- SQLite only -------------------------------------------------------------
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    if parsed.get_backend_name() == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if parsed.database and parsed.database != ":memory:":
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    # --- end of SQLite only --------------------------------------------------------
    # An engine dropped without dispose() (a command-line run) closes its pooled
    # connections then, instead of leaving them to the garbage collector: a server
    # keeps an abandoned PostgreSQL connection open, and psycopg warns about it.
    weakref.finalize(engine, engine.pool.dispose)
    return engine


def schema_version(engine: Engine) -> str | None:
    """The alembic revision the database is at, or None for an empty database."""
    if not inspect(engine).has_table("alembic_version"):
        return None
    with engine.connect() as conn:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine) -> None:
    """Apply every pending migration (`sunshine db upgrade`)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("knowledge.db").joinpath("migrations"))
    )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def ensure_schema(engine: Engine) -> bool:
    """Bring the schema to head if it is not; True when migrations ran."""
    if schema_version(engine) == SCHEMA_HEAD:
        return False
    upgrade(engine)
    return True


def open_session(engine: Engine) -> Session:
    """A session whose objects stay readable after commit."""
    return Session(engine, expire_on_commit=False)
