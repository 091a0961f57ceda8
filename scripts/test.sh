#!/usr/bin/env bash
# The one test command (README, .ci/run): set-up, build, then every suite through ctest.
#   1. scripts/setup.sh installs what is missing (with the dashboard's npm packages)
#   2. builds build/native and build/wasm (scripts/build.sh) and build/asan (preset asan)
#   3. `ctest --preset all`: the test matrix registered in the native tree, one label per suite
#      (tests/matrix/matrix.cmake, docs/TESTING.md), two entries at a time
#   4. tests/matrix/summary.mjs: a line per label and ONE total line "total: N passed, N failed"
#      (test cases); an expected label without entries or without a run case is a failure.
# Skip switches, each an explicit label exclusion that is printed:
#   EC_WITH_ASAN=0 (asan, and no asan build)   EC_WITH_WEB=0 (web)   EC_WITH_BROWSER=0 (browser)
#   EC_WITH_POSTGRES=0 (pg; scenarios and model on SQLite only)
#   EC_WITH_SCENARIOS=0 (scenarios, model)      EC_WITH_MODEL=0 (model)
set -uo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=/usr/share/nodejs NEXT_TELEMETRY_DISABLED=1
t0=$SECONDS
# Every suite the matrix must have (docs/TESTING.md); each needs at least one entry and one case.
labels=(native wasm asan cli drift oracle js browser pg scenarios model web)
skip=()
[ "${EC_WITH_ASAN:-1}" = 1 ] || skip+=(asan)
[ "${EC_WITH_WEB:-1}" = 1 ] || skip+=(web)
[ "${EC_WITH_BROWSER:-1}" = 1 ] || skip+=(browser)
if [ "${EC_WITH_POSTGRES:-1}" != 1 ]; then skip+=(pg); export EC_SCENARIO_ENGINES=sqlite; fi
[ "${EC_WITH_SCENARIOS:-1}" = 1 ] || skip+=(scenarios model)
[ "${EC_WITH_MODEL:-1}" = 1 ] || skip+=(model)
mapfile -t skip < <(printf '%s\n' "${skip[@]}" | awk 'NF && !seen[$0]++')

fail_early() { echo "$1"; echo "total: 0 passed, 1 failed"; exit 1; }
if [ "${EC_WITH_WEB:-1}" = 1 ]; then bash scripts/setup.sh --web || fail_early "setup failed"
else bash scripts/setup.sh || fail_early "setup failed"; fi
bash scripts/build.sh all || fail_early "build failed"
if [ "${EC_WITH_ASAN:-1}" = 1 ]; then
  echo "== sanitizer build (ASan+UBSan, build/asan) =="
  t1=$SECONDS
  cmake --preset asan >/dev/null && cmake --build --preset asan || fail_early "asan build failed"
  echo "asan build: $((SECONDS - t1)) s"
fi
echo "build: $((SECONDS - t0)) s"

matrix=build/native/test-matrix.json
results=build/native/test-results   # tests/matrix/matrix.cmake writes here (EC_TEST_RESULTS)
rm -rf "$results"
ctest --preset all --show-only=json-v1 >"$matrix" || fail_early "ctest cannot list the matrix"
filter=()
if [ ${#skip[@]} -gt 0 ]; then
  echo "skipping labels: ${skip[*]}"
  filter=(-LE "^($(IFS='|'; echo "${skip[*]}"))\$")
fi
echo "== test matrix (ctest --preset all ${filter[*]}) =="
t2=$SECONDS
ctest --preset all "${filter[@]}" --output-junit test-results.xml
rc=$?
echo "ctest: $((SECONDS - t2)) s (exit $rc); total wall time $((SECONDS - t0)) s"
node tests/matrix/summary.mjs --tests "$matrix" --results "$results" \
  --expect "${labels[*]}" --skip "${skip[*]}" || rc=1
exit $rc
