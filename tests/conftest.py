"""Shared fixtures: a real database per test, the shipped knowledge, one desk per session.

Every test runs in its own temporary working directory with none of the project's
own environment variables, so a developer's `.env` or shell settings cannot leak
in. Tests are marked by their folder: `unit` (fast, no sockets), `e2e` (the real
bot against the fake Bot API server), `crash` (SIGKILL), `web` (the web application
in process, over a real SQLite file), `browser` (the web served by uvicorn, driven in
Debian's Chromium by Playwright); the fast loop is
`pytest -m "not e2e and not crash and not browser and not postgres"`.

A test that takes `engine` or `database_url` runs twice: on a SQLite file and on
PostgreSQL (marked `postgres`; `-m "not postgres"` leaves those out). Without
SUNSHINE_TEST_POSTGRES the PostgreSQL runs are skipped, except under CI, where
a missing database fails them: CI must not go green having tested one backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from knowledge.answering.desk import Desk, prepare_database
from knowledge.base.schema import Entry
from knowledge.base.store import shipped_entries
from knowledge.db.engine import ensure_schema, make_engine
from tests.fakes.telegram import FakeBotApi
from tests.harness import OWN_VARIABLES
from tests.harness.postgres import ENVIRONMENT_URL, UNSET_REASON, Databases

FOLDER_MARKS = ("unit", "e2e", "crash", "web", "browser")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.parent.name
        if folder in FOLDER_MARKS:
            item.add_marker(getattr(pytest.mark, folder))


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A working directory of the test's own, and none of our variables from the shell."""
    import os

    for name in list(os.environ):
        if name.startswith(OWN_VARIABLES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def shipped() -> list[Entry]:
    return shipped_entries()


@pytest.fixture(scope="session")
def desk(shipped: list[Entry], cache_dir: Path) -> Desk:
    """A desk over the shipped knowledge, without a database (nothing is recorded)."""
    return Desk(shipped, cache_dir=cache_dir)


@pytest.fixture
def api() -> Iterator[FakeBotApi]:
    """A fake Telegram Bot API server on 127.0.0.1 for the test."""
    with FakeBotApi() as server:
        yield server


@pytest.fixture
def bot_desk(desk: Desk, tmp_path: Path) -> Desk:
    """The session's desk (its matcher built once), recording to this test's database."""
    engine = make_engine(f"sqlite:///{tmp_path / 'bot.db'}")
    prepare_database(engine)
    return desk.using(engine)


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def postgres() -> Iterator[Databases]:
    """This worker's PostgreSQL databases; skipped (failed under CI) when none is configured."""
    import os

    if not ENVIRONMENT_URL:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI must test PostgreSQL too. {UNSET_REASON}")
        pytest.skip(UNSET_REASON)
    databases = Databases(ENVIRONMENT_URL, os.environ.get("PYTEST_XDIST_WORKER", "main"))
    yield databases
    databases.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database the test runs on: `sqlite` or `postgres`."""
    name: str = request.param
    return name


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a database of the test's own, without any table yet (first use)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'sunshine.db'}"
        return
    databases: Databases = request.getfixturevalue("postgres")
    with databases.database(migrated=False) as url:
        yield url


@pytest.fixture
def engine(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    """A migrated, empty database: a real SQLite file, or a PostgreSQL database."""
    if backend == "postgres":
        databases: Databases = request.getfixturevalue("postgres")
        with databases.engine() as eng:
            yield eng
        return
    eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    ensure_schema(eng)
    yield eng
    eng.dispose()
