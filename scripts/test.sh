#!/usr/bin/env bash
# README command 2 (and CI): set up with the development tools, lint, type-check, test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
# The database tests run on SQLite and on PostgreSQL (tests/harness/postgres.py). Without
# a PostgreSQL a developer still gets the SQLite half, with a warning; CI must test both,
# so there a failure to start it fails the run (and the tests fail without the URL too).
if url=$(bash scripts/postgres.sh); then
  export SUNSHINE_TEST_POSTGRES=$url
elif [ "${CI:-}" = true ]; then
  echo "scripts/postgres.sh failed: CI tests PostgreSQL too" >&2
  exit 1
else
  echo "warning: no PostgreSQL (scripts/postgres.sh failed): the PostgreSQL tests are skipped" >&2
fi
# pytest exits 5 when it collects no tests; that must fail the run, and set -e sees to it.
.venv/bin/pytest -n auto --maxprocesses 4 "$@"
