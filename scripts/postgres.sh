#!/usr/bin/env bash
# A running PostgreSQL for the tests and for developers: installs Debian's postgresql
# where it is missing, starts the cluster (as the postgres user: the server refuses root),
# creates the role `sunshine` and a throw-away database, and prints its URL on stdout:
#   export SUNSHINE_TEST_POSTGRES=$(bash scripts/postgres.sh)        # database sunshine_test
#   bash scripts/postgres.sh mydb                                    # another database
# Idempotent; the database is dropped and made anew each time.
set -euo pipefail
db=${1:-sunshine_test}
sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo="sudo -n"
fi
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  { $sudo apt-get install -y -q --no-install-recommends postgresql >/dev/null 2>&1 \
    || { $sudo apt-get update -q >/dev/null 2>&1 && \
         $sudo apt-get install -y -q --no-install-recommends postgresql >/dev/null; }; } >&2
fi
version=$(ls /usr/lib/postgresql | sort -n | tail -1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
  $sudo pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  $sudo pg_ctlcluster "$version" main start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
as_postgres() {
  if [ "$(id -un)" = postgres ]; then "$@"; elif [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi
}
for _ in $(seq 1 50); do
  as_postgres psql -p "$port" -tAc "select 1" >/dev/null 2>&1 && break
  sleep 0.2
done
as_postgres psql -p "$port" -v ON_ERROR_STOP=1 -q >&2 <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sunshine') THEN
    CREATE ROLE sunshine LOGIN PASSWORD 'sunshine' CREATEDB;
  END IF;
END \$\$;
DROP DATABASE IF EXISTS $db WITH (FORCE);
CREATE DATABASE $db OWNER sunshine;
SQL
echo "postgresql+psycopg://sunshine:sunshine@127.0.0.1:$port/$db"
