#!/usr/bin/env bash
# Installs what this project needs on Debian 12 and does nothing for what is already there.
# Usage: scripts/setup.sh [--web]       (--web also installs the dashboard's npm packages)
#        scripts/setup.sh --web-only  (only what the offline dashboard needs: no PostgreSQL, no
#                                      Chromium, no PostgreSQL test client; used by scripts/run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."

mode="${1:-}"
if [ "$mode" = "--web-only" ]; then EC_WITH_BROWSER=0 EC_WITH_POSTGRES=0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# Debian packages: compiler, CMake, Emscripten 3.1.6, header-only libraries, tzdata, the sqlite3
# CLI (tests open our files with it), PostgreSQL 15 (production schema tests), Chromium (browser tests).
PKGS=(build-essential cmake g++ emscripten catch2 nlohmann-json3-dev python3 tzdata sqlite3 git ca-certificates)
if [ "${EC_WITH_BROWSER:-1}" = 1 ]; then PKGS+=(chromium); fi
if [ "${EC_WITH_POSTGRES:-1}" = 1 ]; then PKGS+=(postgresql); fi
if ! command -v node >/dev/null 2>&1; then PKGS+=(nodejs npm); fi

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

want_emcc="$(tr -d '[:space:]' < emsdk-version)"
have_emcc="$(NODE_PATH=/usr/share/nodejs emcc --version 2>/dev/null | head -1 | grep -oE '[0-9]+\.[0-9]+\.[0-9]+' | head -1 || true)"
if [ "$have_emcc" != "$want_emcc" ]; then
  echo "setup: Emscripten $want_emcc is required (emsdk-version) but emcc reports '${have_emcc:-nothing}'" >&2
  exit 1
fi

# npm packages (test runners, TypeScript, the dashboard), only when the lock file changed. The
# root ones in every mode: the wasm build minifies the browser glue with their esbuild
# (bindings/CMakeLists.txt), so scripts/run.sh needs them too.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
# The PostgreSQL tests' client (node-postgres), locked in tests/pg/package-lock.json.
if [ "${EC_WITH_POSTGRES:-1}" = 1 ]; then
  if [ ! -d tests/pg/node_modules ] || [ tests/pg/package-lock.json -nt tests/pg/node_modules/.package-lock.json ]; then
    echo "setup: npm ci (tests/pg)" >&2
    (cd tests/pg && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
fi
if [ "$mode" = "--web" ] || [ "$mode" = "--web-only" ]; then
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    echo "setup: npm ci (web)" >&2
    (cd web && NEXT_TELEMETRY_DISABLED=1 npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
fi
