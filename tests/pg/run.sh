#!/usr/bin/env bash
# PostgreSQL tests of the Supabase migration: starts a private PostgreSQL 15 (data directory
# under /tmp, port 127.0.0.1:$EC_PG_PORT or a free one), runs `node --test tests/pg/`, stops the
# server and removes its data whatever happens. Needs the CLI (EC_CLI, default
# build/native/episodes-core), PostgreSQL 15 binaries and tests/pg/node_modules (npm ci).
set -uo pipefail
cd "$(dirname "$0")/../.."
export EC_CLI="${EC_CLI:-$PWD/build/native/episodes-core}"
[ -x "$EC_CLI" ] || { echo "pg tests: no CLI at $EC_CLI" >&2; exit 1; }
if [ ! -d tests/pg/node_modules/pg ] || [ tests/pg/package-lock.json -nt tests/pg/node_modules/.package-lock.json ]; then
  (cd tests/pg && npm ci --no-audit --no-fund --loglevel=error >&2) || exit 1
fi
port="${EC_PG_PORT:-}"
if [ -z "$port" ]; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
dir="$(mktemp -d /tmp/ec-pg-test.XXXXXX)"
chmod 755 "$dir"
cleanup() { bash tests/pg/pgctl.sh stop "$dir"; }
trap cleanup EXIT
bash tests/pg/pgctl.sh start "$dir" "$port" || exit 1
export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres
node --test --test-concurrency=2 "${@:-tests/pg/}" 2>&1
