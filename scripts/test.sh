#!/usr/bin/env bash
# README command 2 (and CI): set up with the development tools, lint, type-check, test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# pytest exits 5 when it collects no tests; that must fail the run, and set -e sees to it.
.venv/bin/pytest -n auto --maxprocesses 4 "$@"
