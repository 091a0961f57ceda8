#!/usr/bin/env bash
# Builds the native tree (build/native) and the wasm tree (build/wasm).
# Usage: scripts/build.sh [native|wasm|all]
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs
what="${1:-all}"
if [ "$what" = native ] || [ "$what" = all ]; then
  cmake --preset native >/dev/null
  cmake --build --preset native
fi
if [ "$what" = wasm ] || [ "$what" = all ]; then
  cmake --preset wasm >/dev/null
  cmake --build --preset wasm
fi
