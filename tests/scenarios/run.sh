#!/usr/bin/env bash
# The scenario runner and the model-based test on both engines: starts a private PostgreSQL 15
# (tests/pg/pgctl.sh, like tests/pg/run.sh), runs tests/scenarios/runner.mjs and
# tests/scenarios/model.mjs, stops the server whatever happens.
#   EC_SCENARIO_ENGINES=sqlite|pg|sqlite,pg   engines (default both; sqlite alone needs no server)
#   EC_MODEL_SEQUENCES=N                      random sequences per engine (default 2000)
#   EC_MODEL_SEED=S                           first seed (default 1)
#   EC_WITH_SCENARIOS=0 / EC_WITH_MODEL=0     the model only / the scenario files only (the test
#                                             matrix runs them as two ctest entries, each its own server)
# Ends with "scenarios: N passed, M failed (engine x file)" and "model: N sequences x engine, …".
set -uo pipefail
cd "$(dirname "$0")/../.."
export EC_CLI="${EC_CLI:-$PWD/build/native/episodes-core}"
[ -x "$EC_CLI" ] || { echo "scenarios: no CLI at $EC_CLI" >&2; exit 1; }
engines="${EC_SCENARIO_ENGINES:-sqlite,pg}"
if [[ "$engines" == *pg* ]] && [ -z "${PGPORT:-}" ]; then
  if [ ! -d tests/pg/node_modules/pg ] || [ tests/pg/package-lock.json -nt tests/pg/node_modules/.package-lock.json ]; then
    (cd tests/pg && npm ci --no-audit --no-fund --loglevel=error >&2) || exit 1
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  dir="$(mktemp -d /tmp/ec-scen-pg.XXXXXX)"
  chmod 755 "$dir"
  trap 'bash tests/pg/pgctl.sh stop "$dir"' EXIT
  bash tests/pg/pgctl.sh start "$dir" "$port" || exit 1
  export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres
fi
rc=0
if [ "${EC_WITH_SCENARIOS:-1}" = 1 ]; then node tests/scenarios/runner.mjs || rc=1; fi
if [ "${EC_WITH_MODEL:-1}" = 1 ]; then node tests/scenarios/model.mjs || rc=1; fi
exit $rc
