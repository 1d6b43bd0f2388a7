"""Moving an installation from SQLite to another database keeps every row and keeps working."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import SQLModel

from knowledge.answering.desk import prepare_database
from knowledge.base import store
from knowledge.complaints import store as complaints
from knowledge.complaints.policy import Bureau
from knowledge.complaints.store import Submission
from knowledge.db.copy import copy_database
from knowledge.db.engine import make_engine, open_session
from knowledge.errors import InputError


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
            for t in SQLModel.metadata.sorted_tables
        }


def test_every_row_moves_and_new_rows_do_not_collide(engine: Engine, tmp_path: Path) -> None:
    source = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    prepare_database(source)
    bureau = Bureau()
    for i in range(3):
        complaints.submit(
            source,
            Submission(summary=f"窗口推诿不办第{i}次", chat_id=7, user_id=7),
            key=f"k{i}",
            bureau=bureau,
        )
    copied = copy_database(source, engine)
    assert copied.rows > 0
    assert _counts(engine) == _counts(source)
    made, new = complaints.submit(
        engine,
        Submission(summary="复制以后的新投诉", chat_id=8, user_id=8),
        key="after",
        bureau=bureau,
    )
    assert new and made.ticket.endswith("-0004")
    with open_session(engine) as session:
        assert len(store.load_entries(session=session)) == 11
    with pytest.raises(InputError):
        copy_database(source, engine)  # the target is no longer empty
    source.dispose()
