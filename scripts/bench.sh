#!/usr/bin/env bash
# Runs the store and schedule benchmarks natively and in wasm under Node, alternating runs,
# and prints the wasm/native ratio of each figure (median of the runs).
# Usage: scripts/bench.sh [runs=3] [episodes=100000] [projects=2000]
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
runs="${1:-3}"; episodes="${2:-100000}"; projects="${3:-2000}"
cmake --build build/native -j2 --target store_bench schedule_bench >/dev/null
cmake --build build/wasm -j2 --target store_bench schedule_bench >/dev/null
out="$(mktemp -d)"
for i in $(seq "$runs"); do
  build/native/bench/store_bench "$episodes" "$projects" | grep '^RESULT' >> "$out/native"
  node build/wasm/bench/store_bench.js "$episodes" "$projects" | grep '^RESULT' >> "$out/wasm"
done
python3 - "$out" <<'PY'
import sys, statistics, re
d = sys.argv[1]
def load(name):
    runs = [dict(kv.split('=') for kv in line.split()[1:]) for line in open(f"{d}/{name}")]
    return {k: statistics.median(float(r[k]) for r in runs) for k in runs[0]}
n, w = load("native"), load("wasm")
print(f"{'figure':<22}{'native':>12}{'wasm':>12}{'wasm/native':>13}")
for k in n:
    print(f"{k:<22}{n[k]:>12.3f}{w[k]:>12.3f}{w[k]/n[k]:>12.2f}x")
PY
echo "== schedule (one year, 10,000 projects) =="
build/native/bench/schedule_bench | tail -3
node build/wasm/bench/schedule_bench.js | tail -3
rm -rf "$out"
