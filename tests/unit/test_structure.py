"""The layout rules, read off the code itself.

The arrows point one way (bot → handlers → knowledge; knowledge never imports
Telegram); the handlers are adapters (no database models, no complaint rules);
one place for each text, each exception and each setting's documentation; rooms
small enough to live in; SQL that PostgreSQL runs too; migrations that match the
models.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot import config
from knowledge.base import transfer
from knowledge.complaints.vocabulary import Channel, Identity, Kind, State
from knowledge.db.engine import SCHEMA_HEAD
from tests.harness import ROOT

PACKAGES = ("knowledge", "handlers", "bot")
HANDLER_LINES = 350
KNOWLEDGE_TOP_MODULES = 3  # errors, vocabulary, privacy: the rest live in a folder per concern
IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _sources(*packages: str) -> list[Path]:
    return sorted(p for package in packages for p in (ROOT / package).rglob("*.py"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, dotted in full."""
    names: set[str] = set()
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def _roots(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _imports(path)}


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- the arrows --------------------------------------------------------------------------


@pytest.mark.parametrize("path", _sources("knowledge"), ids=_id)
def test_knowledge_never_imports_telegram_bot_handlers_or_a_web_framework(path: Path) -> None:
    assert not _roots(path) & {"telegram", "bot", "handlers", "starlette", "fastapi", "aiohttp"}


@pytest.mark.parametrize("path", _sources("handlers"), ids=_id)
def test_handlers_never_import_bot_or_the_database_models(path: Path) -> None:
    imported = _imports(path)
    assert "bot" not in _roots(path)
    assert not {n for n in imported if n.startswith(("knowledge.db.models", "sqlmodel"))}


@pytest.mark.parametrize("path", _sources("knowledge/matching"), ids=_id)
def test_the_matcher_knows_nothing_of_complaints(path: Path) -> None:
    assert not {n for n in _imports(path) if n.startswith("knowledge.complaints")}


# --- handlers are adapters ------------------------------------------------------------------

# What a complaint looks like inside: the handlers ask the domain instead of reading it.
COMPLAINT_FIELDS = frozenset(
    {
        "state",
        "identity",
        "reopen_count",
        "extension_used",
        "review_used",
        "solved",
        "satisfaction",
        "flagged",
        "unreachable",
        "assignee_id",
    }
)
DOMAIN_VALUES = frozenset(v.value for enum in (State, Identity, Kind, Channel) for v in enum) - {
    "telegram"
}


def _compared_constants(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                for const in ast.walk(side):
                    if isinstance(const, ast.Constant) and isinstance(const.value, str):
                        yield const.value


def _framework_state(node: ast.Attribute) -> bool:
    """`request.state`, `app.state`, `request.app.state`: Starlette's, not a complaint's."""
    owner = node.value
    if isinstance(owner, ast.Attribute):
        return owner.attr == "app"
    return isinstance(owner, ast.Name) and owner.id in {"request", "app", "scope"}


@pytest.mark.parametrize("path", _sources("handlers"), ids=_id)
def test_handlers_decide_no_complaint_rule(path: Path) -> None:
    """No complaint state, identity or counter is read or compared in an adapter."""
    tree = _tree(path)
    read = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in COMPLAINT_FIELDS
        and not _framework_state(node)
    }
    assert not read, f"{_id(path)} reads {sorted(read)} of a complaint"
    assert not set(_compared_constants(tree)) & DOMAIN_VALUES


@pytest.mark.parametrize("path", _sources("handlers"), ids=_id)
def test_handler_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= HANDLER_LINES, f"{_id(path)} has {lines} lines"


def test_the_top_of_knowledge_has_few_modules() -> None:
    top = [p for p in (ROOT / "knowledge").glob("*.py") if p.name != "__init__.py"]
    assert len(top) <= KNOWLEDGE_TOP_MODULES, sorted(p.name for p in top)


def test_the_command_line_helpers_are_typed() -> None:
    """No `-> Any` helper in bot/cli: mypy sees what every command uses and returns."""
    untyped = [
        f"{_id(path)}:{node.name}"
        for path in _sources("bot/cli")
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and isinstance(node.returns, ast.Name)
        and node.returns.id == "Any"
    ]
    assert untyped == []


# --- one place for each text and each exception -----------------------------------------


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        kinds = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
        if isinstance(node, kinds) and node.body and isinstance(node.body[0], ast.Expr):
            found.add(id(node.body[0].value))
    return found


def _settings_documentation(tree: ast.AST) -> set[int]:
    """The literals that document a setting (`_setting(...)` in bot/config.py)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "_setting":
            found.update(id(n) for n in ast.walk(node) if isinstance(n, ast.Constant))
    return found


def _chinese_literals(path: Path) -> list[str]:
    tree = _tree(path)
    skip = _docstrings(tree) | _settings_documentation(tree)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skip
        and len(node.value) > 1
        and IDEOGRAPH.search(node.value)
    ]


# Where Chinese may stand outside knowledge/texts: the enum labels and values of the
# vocabulary, the grammar of a legal citation (numerals, 第 条 款 项 至), and the
# workbook's own sheet names and headers.
ALLOWED_FILES = {"knowledge/vocabulary.py", "knowledge/base/citations.py"}
ALLOWED_WORDS = {"knowledge/base/transfer.py": transfer.WORKBOOK_WORDS}


@pytest.mark.parametrize(
    "path",
    [p for p in _sources(*PACKAGES) if "texts" not in p.parts and "migrations" not in p.parts],
    ids=_id,
)
def test_every_sentence_lives_in_the_text_package(path: Path) -> None:
    name = _id(path)
    if name in ALLOWED_FILES:
        return
    allowed = ALLOWED_WORDS.get(name, frozenset())
    stray = [s for s in _chinese_literals(path) if s not in allowed]
    assert stray == [], f"{name}: move these to knowledge/texts: {stray[:5]}"


def test_every_exception_raised_on_purpose_is_in_the_errors_module() -> None:
    defined = [
        f"{_id(path)}:{node.name}"
        for path in _sources(*PACKAGES)
        if path.name != "errors.py"
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.ClassDef)
        and any(
            getattr(base, "id", getattr(base, "attr", "")).endswith(("Error", "Exception"))
            for base in node.bases
        )
    ]
    assert defined == []


@pytest.mark.parametrize("path", sorted((ROOT / "tests").rglob("test_*.py")), ids=_id)
def test_test_modules_share_the_harness_not_each_other(path: Path) -> None:
    from_tests = {n for n in _imports(path) if n.startswith("tests.")}
    assert all(n.startswith(("tests.harness", "tests.fakes")) for n in from_tests), from_tests


# --- settings documented from the settings model ------------------------------------------


def test_the_env_example_is_generated_from_the_settings() -> None:
    written = (ROOT / "deploy" / ".env.example").read_text(encoding="utf-8")
    assert written == config.env_example(), "run: python -m bot.config env-example"


def test_the_readme_configuration_table_is_generated_from_the_settings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert config.markdown_table() in readme, "run: python -m bot.config markdown"


def _commands() -> list[str]:
    """Every `sunshine` command and sub-command, e.g. "kb export", "report"."""
    import argparse

    from bot.cli import build_parser

    def walk(parser: argparse.ArgumentParser, prefix: str) -> Iterator[str]:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield from walk(sub, f"{prefix} {name}".strip())
                return
        yield prefix

    return list(walk(build_parser(), ""))


def test_the_readme_command_table_names_every_command() -> None:
    table = [
        line
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| `sunshine")
    ]
    missing = [
        c
        for c in _commands()
        if not any(c.split()[-1] in row and c.split()[0] in row for row in table)
    ]
    assert len(_commands()) > 15 and missing == []


def test_the_documents_name_no_file_outside_the_repository() -> None:
    documents = [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), ROOT / "benchmarks/README.md"]
    offenders = [
        d.name for d in documents if re.search(r"\.\./(shared|\.library)", d.read_text("utf-8"))
    ]
    assert offenders == []


# --- SQL and migrations --------------------------------------------------------------------


def test_sqlite_specific_code_stays_in_the_marked_block() -> None:
    offenders = []
    for path in _sources("knowledge", "bot"):
        text = path.read_text(encoding="utf-8")
        if path.name == "engine.py" and path.parent.name == "db":
            start, end = text.index("# --- SQLite only"), text.index("# --- end of SQLite only")
            text = text[:start] + text[end:]
        for marker in ("PRAGMA", "AUTOINCREMENT", "sqlite_master", "INSERT OR"):
            if marker in text:
                offenders.append(f"{path.name}: {marker}")
    assert offenders == []


def test_schema_head_constant_is_alembics_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    alembic = Config()
    alembic.set_main_option(
        "script_location", str(resources.files("knowledge.db").joinpath("migrations"))
    )
    assert ScriptDirectory.from_config(alembic).get_current_head() == SCHEMA_HEAD


def test_migrations_match_the_models(engine: Engine) -> None:
    """A model changed without a migration shows up here as a difference."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    import knowledge.db.models  # noqa: F401

    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
