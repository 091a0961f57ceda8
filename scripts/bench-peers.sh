#!/usr/bin/env bash
# The peers benchmark of issue 13 (docs/BENCHMARKS.md): installs its peers (bench/peers/package.json,
# better-sqlite3 compiles from source, ~4 min once), builds the two targets it drives and runs
#   node bench/peers/run.mjs "$@"      (e.g. --scale 1 --rounds 3; --scale 0.01 for a quick look)
# Not part of scripts/test.sh: these timings need an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
bash scripts/setup.sh
if [ ! -d bench/peers/node_modules ]; then
  (cd bench/peers && npm ci --no-audit --no-fund)
fi
bash scripts/build.sh native
cmake --build --preset native --target peers_bench
cmake --preset wasm >/dev/null
cmake --build --preset wasm --target episodes_core_node peers_bench
node bench/peers/run.mjs "$@"
