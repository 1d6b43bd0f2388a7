"""Shared fixtures: a real SQLite file per test, the shipped knowledge, one desk per session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from knowledge.db.engine import ensure_schema, make_engine
from knowledge.desk import Desk, prepare_database
from knowledge.schema import Entry
from knowledge.store import shipped_entries
from tests.fake_telegram import FakeBotApi

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


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


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database in a real SQLite file."""
    eng = make_engine(f"sqlite:///{tmp_path / 'test.db'}")
    ensure_schema(eng)
    yield eng
    eng.dispose()


def make_entry(entry_id: str = "sample-item", **changes: object) -> Entry:
    """A small valid entry for tests that need one."""
    data: dict[str, object] = {
        "id": entry_id,
        "title": "示例事项",
        "category": "阳光审批",
        "aliases": ["示例事项", "样板"],
        "questions": ["示例事项是什么"],
        "aspects": {
            "overview": "这是一个示例事项。",
            "time_limit": "受理后 20 个工作日内办结。",
            "procedure": "按步骤办理。",
            "fees": "不收费。",
        },
        "legal_basis": {
            "overview": ["《示例条例》第一条"],
            "time_limit": ["《示例条例》第二条"],
            "procedure": ["《示例条例》第三条"],
            "fees": ["《示例条例》第四条"],
        },
        "aspect_questions": {"fees": ["示例事项要钱吗"]},
        "sources": [{"title": "《示例条例》", "url": "https://example.org/rule"}],
        "last_reviewed": dt.date(2026, 11, 1),
        "procedures": [
            {
                "name": "办理",
                "steps": [
                    {"title": "申请", "actor": "申请人"},
                    {"title": "审核", "actor": "民政部门", "time_limit": "20个工作日"},
                ],
            }
        ],
    }
    data.update(changes)
    return Entry.model_validate(data)
