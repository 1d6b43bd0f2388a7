"""What differs between SQLite and PostgreSQL, and must not show: time zones, the backup."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.cli import main
from knowledge.db.engine import make_engine, open_session
from knowledge.db.models import AppSecret


def test_timestamps_come_back_in_utc_whatever_the_servers_time_zone(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        # A server installed in China: sessions default to Shanghai time.
        with engine.connect() as conn:
            name = conn.execute(text("SELECT current_database()")).scalar_one()
            conn.execute(text(f"ALTER DATABASE {name} SET TimeZone = 'Asia/Shanghai'"))
            conn.commit()
    url = engine.url.render_as_string(hide_password=False)
    fresh = make_engine(url)  # new connections, so the database's setting applies
    moment = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
    with open_session(fresh) as session:
        session.add(AppSecret(name="probe", value="x", created_at=moment))
        session.commit()
    with open_session(fresh) as session:
        stored = session.get(AppSecret, "probe")
        assert stored is not None
        assert stored.created_at == moment
        assert stored.created_at.utcoffset() == dt.timedelta(0)
        assert stored.created_at.isoformat() == "2026-11-25T02:00:00+00:00"
    with fresh.connect() as conn:  # SQL itself, without the models' conversion
        as_text = conn.execute(text("SELECT CAST(created_at AS TEXT) FROM app_secret")).scalar()
    assert str(as_text).startswith("2026-11-25 02:00:00")
    fresh.dispose()


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_backup_on_postgresql_says_to_use_its_own_tools(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@127.0.0.1:1/sunshine")
    err = io.StringIO()
    assert main(["db", command, str(tmp_path / "sunshine.backup")], stderr=err) == 1
    said = err.getvalue()
    assert "SQLite" in said and "PostgreSQL" in said and "pg_dump" in said
    assert "Traceback" not in said
    assert not (tmp_path / "sunshine.backup").exists()
