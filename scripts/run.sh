#!/usr/bin/env bash
# README command 1: set up on a fresh machine and open the console chat
# (the database ./data/sunshine.db and the shipped knowledge are created on first use).
#   bash scripts/run.sh        the console chat (no bot token needed)
#   bash scripts/run.sh web    the public pages and the back office on http://127.0.0.1:8080/
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ "${1:-}" = "web" ]; then
  shift
  exec .venv/bin/sunshine web "$@"
fi
exec .venv/bin/sunshine chat "$@"
