#!/usr/bin/env bash
# README command 1: set up on a fresh machine and open the console chat
# (the database ./data/sunshine.db and the shipped knowledge are created on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/sunshine chat "$@"
