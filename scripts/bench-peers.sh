#!/usr/bin/env bash
# The benchmark of issue 13 (docs/BENCHMARKS.md), one command for all its figures: installs its
# peers (bench/peers/package.json, better-sqlite3 compiles from source, ~4 min once), builds what
# it drives, measures the dashboard's cold first data in Chromium (web/e2e/perf.spec.ts,
# EC_BENCH_COLD_RUNS fresh-profile runs of each kind, default 10; 0 skips it), then runs
#   node bench/peers/run.mjs "$@" --cold web/e2e/.results/perf.json
# (e.g. --scale 0.1 --rounds 3 --clock cpu; --scale 0.01 for a quick look), which prints the
# engines' table, the browser core's size and every target with its figure.
# Not part of scripts/test.sh: these timings need an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
# Everything before the figures reports on stderr: stdout is the benchmark's tables only.
{
  bash scripts/setup.sh
  if [ ! -d bench/peers/node_modules ]; then
    (cd bench/peers && npm ci --no-audit --no-fund)
  fi
  bash scripts/build.sh native
  cmake --build --preset native --target peers_bench
  cmake --preset wasm >/dev/null
  cmake --build --preset wasm --target episodes_core_node peers_bench episodes_core_web
  cold_runs=${EC_BENCH_COLD_RUNS:-10}
  cold=()
  if [ "$cold_runs" -gt 0 ]; then
    # The dashboard as scripts/web-test.sh builds it (production build in web/e2e/.build), served
    # by the perf spec's own `next start`; its figures land in web/e2e/.results/perf.json.
    EC_NEXT_DIST=e2e/.build bash scripts/run.sh --build-only
    (cd web && EC_NEXT_DIST=e2e/.build EC_PERF_RUNS="$cold_runs" \
      npx --no-install playwright test --config e2e/playwright.config.ts e2e/perf.spec.ts) >&2
    cold=(--cold web/e2e/.results/perf.json)
  fi
} >&2
node bench/peers/run.mjs "$@" "${cold[@]}"
