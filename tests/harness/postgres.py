"""Throw-away PostgreSQL databases for the tests: one fresh database per test.

`scripts/test.sh` starts the cluster (`scripts/postgres.sh`) and exports the URL of a
database the role `sunshine` owns as SUNSHINE_TEST_POSTGRES. Each pytest worker
migrates a template database of its own once; a test then gets a copy of it
(`CREATE DATABASE … TEMPLATE`, about 30 ms) and it is dropped afterwards. A copy
rather than truncating shared tables, so that sequences, leftover rows and
connections the code under test forgot to close cannot leak into the next test.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from knowledge.db.engine import ensure_schema, make_engine

# Read at import, before the tests' `isolated` fixture hides our variables.
ENVIRONMENT_URL = os.environ.get("SUNSHINE_TEST_POSTGRES", "")
UNSET_REASON = (
    "PostgreSQL is not configured: export SUNSHINE_TEST_POSTGRES=$(bash scripts/postgres.sh)"
)


DROP_TRIES = 8
DROP_PAUSE = 0.25  # seconds, growing with each try


class Databases:
    """Makes and drops this worker's databases through an administrative connection."""

    def __init__(self, url: str, worker: str) -> None:
        self.base: URL = make_url(url)
        self.prefix = f"sunshine_{worker}"
        self._admin = create_engine(self.base, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self._numbers = itertools.count(1)
        self._template: str | None = None

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def _create(self, name: str, template: str | None = None) -> None:
        # Names come from this class only (a prefix and a number), never from input.
        copy = f" TEMPLATE {template}" if template else ""
        self._drop(name, must=True)
        with self._admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}{copy}"))

    def _drop(self, name: str, *, must: bool = False) -> None:
        """Drop a test database, ending its connections. An autovacuum worker that has just
        begun on it is not ours to end (InsufficientPrivilege): it finishes in moments, so
        try again; a database left behind is dropped when its name comes round again."""
        for attempt in range(DROP_TRIES):
            try:
                with self._admin.connect() as conn:
                    conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                return
            except DBAPIError:
                if attempt == DROP_TRIES - 1 and must:
                    raise
                time.sleep(DROP_PAUSE * (attempt + 1))

    def template(self) -> str:
        """The worker's migrated template, made on first use."""
        if self._template is None:
            name = f"{self.prefix}_template"
            self._create(name)
            engine = make_engine(self.url(name))
            try:
                ensure_schema(engine)
            finally:
                engine.dispose()  # a template with a connection open cannot be copied
            self._template = name
        return self._template

    @contextmanager
    def database(self, *, migrated: bool) -> Iterator[str]:
        """The URL of a database of the test's own: migrated and empty, or without tables."""
        name = f"{self.prefix}_{next(self._numbers)}"
        self._create(name, self.template() if migrated else None)
        try:
            yield self.url(name)
        finally:
            self._drop(name)

    @contextmanager
    def engine(self) -> Iterator[Engine]:
        with self.database(migrated=True) as url:
            engine = make_engine(url)
            try:
                yield engine
            finally:
                engine.dispose()

    def close(self) -> None:
        if self._template is not None:
            self._drop(self._template)
        self._admin.dispose()
