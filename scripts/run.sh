#!/usr/bin/env bash
# The offline dashboard: installs what is missing, builds the wasm core and the Next.js app, and
# serves it on http://127.0.0.1:3000 (it opens on the demo dataset; no other server is involved).
# Usage: scripts/run.sh              build and start
#        scripts/run.sh --build-only build only (used by scripts/web-test.sh)
# Env:   EC_PORT (default 3000), EC_NEXT_DIST (Next.js output folder inside web/, default .next)
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs NEXT_TELEMETRY_DISABLED=1
port="${EC_PORT:-3000}"

start=$(date +%s)
# Only what the dashboard needs: the browser and Node builds of the core (no tests, benchmarks or CLI).
# The first build on a new machine takes a few minutes (SQLite and the core under em++ -O2).
if [ "${1:-}" = "--build-only" ]; then bash scripts/setup.sh --web; else bash scripts/setup.sh --web-only; fi
cmake --preset wasm >/dev/null
cmake --build --preset wasm --target episodes_core_web episodes_core_mock episodes_core_node  # the Next build resolves the Node loader too

# The browser build of the core is served as static files from web/public/core/, with the mock
# data module the worker loads only for a seed the prebuilt demo does not serve (engine.ts).
mkdir -p web/public/core
for f in episodes_core_web.js episodes_core_web.wasm episodes_core_mock.js episodes_core_mock.wasm; do
  cp -f "build/wasm/bindings/$f" "web/public/core/$f"
done
# The dashboard's worker reads the wasm gzip-compressed once here (the file is unchanged; `next
# start` would gzip it again for every request): web/src/lib/earlyBoot.ts, core.worker.ts.
gzip -9 -n -c build/wasm/bindings/episodes_core_web.wasm > web/public/core/episodes_core_web.wasm.gz
# The prebuilt demo database the first visit opens (what mock.seed {size:"demo", seed:1} writes;
# web/src/core/demo.ts), made with the Node build of the same sources.
node tools/demo_db.mjs web/public/core build/wasm/bindings/episodes_core_node.mjs
# The core worker as one module at a fixed URL (its sources bundled by esbuild): the page's
# first script starts it before Next.js loads (web/src/lib/earlyBoot.ts).
node tools/core_worker.mjs web/public/core/worker

cd web
if [ -n "${EC_NEXT_DIST:-}" ] || ! pgrep -f "next start.*-p ${port}" >/dev/null 2>&1; then
  npx --no-install next build
else
  echo "run.sh: a 'next start' is serving on port ${port}; stop it before rebuilding .next" >&2
  exit 1
fi
echo "run.sh: built in $(( $(date +%s) - start )) s"
if [ "${1:-}" = "--build-only" ]; then exit 0; fi
echo "run.sh: open http://127.0.0.1:${port}/ (Ctrl-C stops the server)"
exec npx --no-install next start -H 127.0.0.1 -p "${port}"
