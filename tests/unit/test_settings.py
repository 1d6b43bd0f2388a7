"""Settings: one place for every default, deployment recipes that keep their data where
they say, and settings errors that name the variable in one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot.cli import main
from bot.config import Settings
from tests.harness import ROOT

DEPLOY = ROOT / "deploy"


def _example() -> dict[str, str]:
    return {k: v or "" for k, v in dotenv_values(DEPLOY / ".env.example").items()}


def _unit_environment() -> dict[str, str]:
    """The `Environment=` settings of the systemd unit."""
    found: dict[str, str] = {}
    for line in (DEPLOY / "sunshine-desk.service").read_text(encoding="utf-8").splitlines():
        if line.startswith("Environment="):
            name, _, value = line.removeprefix("Environment=").partition("=")
            found[name] = value
    return found


def _dockerfile_environment() -> dict[str, str]:
    """The `ENV` settings of the container image."""
    found: dict[str, str] = {}
    for line in (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("ENV "):
            for pair in line.removeprefix("ENV ").split():
                name, _, value = pair.partition("=")
                found[name] = value
    return found


def test_the_env_example_sets_nothing_a_deployment_already_decides() -> None:
    """Copied to .env as it is, the example changes no default (only the token is to fill in)."""
    assert {k for k, v in _example().items() if v} == set()


def test_under_systemd_the_database_is_in_the_state_directory() -> None:
    # EnvironmentFile= (the .env copied from the example) overrides Environment=.
    effective = {**_unit_environment(), **_example()}
    settings = Settings.from_env(effective, dotenv=None)
    assert settings.database_url == "sqlite:////var/lib/sunshine-desk/sunshine.db"


def test_in_docker_the_database_is_in_the_data_volume() -> None:
    # `docker run --env-file .env` overrides the image's ENV.
    effective = {**_dockerfile_environment(), **_example()}
    settings = Settings.from_env(effective, dotenv=None)
    assert settings.database_url == "sqlite:////data/sunshine.db"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SUNSHINE_FLOOD_RATE", "fast"),
        ("SUNSHINE_FLOOD_BURST", "many"),
        ("SUNSHINE_CONCURRENCY", "1.5"),
        ("SUNSHINE_DEADLINE_SCAN_SECONDS", "soon"),
    ],
)
def test_a_bad_setting_is_named_in_one_line(
    variable: str,
    value: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv(variable, value)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'sunshine.db'}")
    assert main(["ask", "低保怎么申请"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert variable in err and "Traceback" not in err
    assert re.search(r"[\u4e00-\u9fff]", err), "the message is for staff, in Chinese"
