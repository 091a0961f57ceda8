#!/usr/bin/env bash
# Installs what is missing, builds both targets and runs every test:
#   1. native Catch2 + CLI tests (ctest, build/native)
#   2. the same Catch2 tests built with em++ and run under Node (ctest, build/wasm)
#   2b. sanitizers: Catch2 + CLI tests and the `call` fuzzer under ASan+UBSan (ctest, build/asan;
#       EC_WITH_ASAN=0 skips it)
#   3. JavaScript tests of the wasm module and the typed client (node --test), incl. the type test
#   4. browser tests of the client + worker + storage in Debian's headless Chromium (node --test)
#   5. PostgreSQL tests of the Supabase migration on a private PostgreSQL 15 (tests/pg/run.sh)
#   6. the scenario runner and the model-based test on SQLite and PostgreSQL (tests/scenarios/run.sh)
#   7. the dashboard's Playwright end-to-end suite (scripts/web-test.sh; EC_WITH_WEB=0 skips it)
# Ends with one total line: "total: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs NEXT_TELEMETRY_DISABLED=1
bash scripts/setup.sh || exit 1
bash scripts/build.sh all || { echo "build failed"; exit 1; }

passed=0
failed=0
tally_ctest() {  # parses "N% tests passed, F tests failed out of T"
  local line; line="$(grep -E 'tests passed, [0-9]+ tests failed out of' "$1" | tail -1)"
  local f t; f="$(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")"
  t="$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")"
  passed=$((passed + t - f)); failed=$((failed + f))
}
rc=0
log="$(mktemp)"
echo "== native tests (ctest) =="
ctest --preset native -j2 2>&1 | tee "$log"; [ "${PIPESTATUS[0]}" = 0 ] || rc=1; tally_ctest "$log"
echo "== wasm tests under Node (ctest) =="
ctest --preset wasm -j2 2>&1 | tee "$log"; [ "${PIPESTATUS[0]}" = 0 ] || rc=1; tally_ctest "$log"
# ---- 2b. sanitizers: the native tests, CLI tests and 20,000 fuzzed `call` requests (docs/TESTING.md)
if [ "${EC_WITH_ASAN:-1}" = 1 ]; then
  echo "== sanitizers (ASan+UBSan) =="
  t0=$SECONDS
  if (cmake --preset asan >/dev/null && cmake --build --preset asan) >"$log" 2>&1; then
    echo "asan build: $((SECONDS - t0)) s"
    ctest --preset asan 2>&1 | tee "$log"; [ "${PIPESTATUS[0]}" = 0 ] || rc=1; tally_ctest "$log"
  else
    tail -60 "$log"; echo "asan build failed"; rc=1; failed=$((failed + 1))
  fi
  echo "sanitizers: $((SECONDS - t0)) s (build + run)"
fi
if compgen -G "tests/js/*.test.mjs" >/dev/null; then
  echo "== JavaScript tests (node --test) =="
  node --test tests/js/ 2>&1 | tee "$log"; [ "${PIPESTATUS[0]}" = 0 ] || rc=1
  p="$(grep -E '^(ℹ|#) pass [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)"; f="$(grep -E '^(ℹ|#) fail [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
fi
if compgen -G "tests/browser/*.test.mjs" >/dev/null; then
  echo "== browser tests (headless Chromium) =="
  node --test --test-concurrency=1 tests/browser/ 2>&1 | tee "$log"; [ "${PIPESTATUS[0]}" = 0 ] || rc=1
  p="$(grep -E '^(ℹ|#) pass [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)"; f="$(grep -E '^(ℹ|#) fail [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)"
  [ -n "$p$f" ] || f=1  # the runner itself failed (no summary): count it
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
fi
# ---- 5. PostgreSQL (Supabase migration, RLS, triggers, queue, budget, load) -------------------
# tests/pg/run.sh starts and stops its own server (private port and data directory under /tmp).
if [ "${EC_WITH_POSTGRES:-1}" = 1 ] && [ -f tests/pg/run.sh ]; then
  echo "== PostgreSQL tests (tests/pg, node --test) =="
  EC_CLI="$PWD/build/native/episodes-core" bash tests/pg/run.sh 2>&1 | tee "$log"; [ "${PIPESTATUS[0]}" = 0 ] || rc=1
  p="$(grep -E '^(ℹ|#) pass [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)"; f="$(grep -E '^(ℹ|#) fail [0-9]+' "$log" | grep -oE '[0-9]+' | tail -1)"
  [ -n "$p$f" ] || f=1  # the server or the runner failed (no summary): count it
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
fi
# ---- 6. scenarios and the model-based test on both engines (tests/scenarios/run.sh) ------------
# Starts and stops its own PostgreSQL; counts engine x file pairs and random sequences x engines.
if [ "${EC_WITH_SCENARIOS:-1}" = 1 ] && [ -f tests/scenarios/run.sh ]; then
  echo "== scenarios and model-based test (tests/scenarios) =="
  [ "${EC_WITH_POSTGRES:-1}" = 1 ] || export EC_SCENARIO_ENGINES=sqlite
  EC_CLI="$PWD/build/native/episodes-core" bash tests/scenarios/run.sh 2>&1 | tee "$log"; [ "${PIPESTATUS[0]}" = 0 ] || rc=1
  p="$(grep -oE '^scenarios: [0-9]+ passed' "$log" | grep -oE '[0-9]+' | tail -1)"; f="$(grep -oE '^scenarios: [0-9]+ passed, [0-9]+ failed' "$log" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' | tail -1)"
  [ -n "$p$f" ] || f=1  # the server or the runner failed (no summary): count it
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ "${EC_WITH_MODEL:-1}" = 1 ]; then
    v="$(grep -oE '^model: .* ([0-9]+) violations' "$log" | grep -oE '[0-9]+ violations' | grep -oE '[0-9]+' | tail -1)"
    if [ "${v:-1}" = 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  fi
fi
# ---- 7. the dashboard: Playwright end-to-end in Debian's Chromium (scripts/web-test.sh) --------
if [ "${EC_WITH_WEB:-1}" = 1 ] && [ -f web/package.json ] && [ -f scripts/web-test.sh ]; then
  echo "== dashboard end-to-end tests (Playwright) =="
  bash scripts/web-test.sh 2>&1 | tee "$log"; [ "${PIPESTATUS[0]}" = 0 ] || rc=1
  p="$(grep -oE '^web-e2e: [0-9]+ passed' "$log" | grep -oE '[0-9]+' | tail -1)"; f="$(grep -oE '^web-e2e: [0-9]+ passed, [0-9]+ failed' "$log" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+' | tail -1)"
  [ -n "$p$f" ] || f=1  # the build or the runner failed (no summary): count it
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
fi
# ------------------------------------------------------------------------------------------------
rm -f "$log"
echo "total: $passed passed, $failed failed"
exit $rc
