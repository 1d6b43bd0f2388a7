"""The layout rules: knowledge/ is pure, SQL is portable, migrations are current."""

from __future__ import annotations

import ast
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import Engine

from knowledge.db.engine import SCHEMA_HEAD
from tests.harness import ROOT


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "knowledge").rglob("*.py")), ids=str)
def test_knowledge_never_imports_telegram_bot_or_handlers(path: Path) -> None:
    assert not _imports(path) & {"telegram", "bot", "handlers"}


@pytest.mark.parametrize("path", sorted((ROOT / "handlers").rglob("*.py")), ids=str)
def test_handlers_never_import_bot(path: Path) -> None:
    assert "bot" not in _imports(path)


def test_sqlite_specific_code_stays_in_the_marked_block() -> None:
    offenders = []
    for path in [*(ROOT / "knowledge").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if path.name == "engine.py":
            start, end = text.index("# --- SQLite only"), text.index("# --- end of SQLite only")
            text = text[:start] + text[end:]
        for marker in ("PRAGMA", "AUTOINCREMENT", "sqlite_master", "INSERT OR"):
            if marker in text:
                offenders.append(f"{path.name}: {marker}")
    assert offenders == []


def test_schema_head_constant_is_alembics_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("knowledge.db").joinpath("migrations"))
    )
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_HEAD


def test_migrations_match_the_models(engine: Engine) -> None:
    """A model changed without a migration shows up here as a difference."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import knowledge.db.models  # noqa: F401

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
