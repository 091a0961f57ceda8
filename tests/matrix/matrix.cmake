# The test matrix: every suite of the project as ctest entries of the native tree, one label per
# suite (docs/TESTING.md, docs/adr/0016-one-test-command.md). Each entry runs through
# tests/matrix/suite.mjs, which records its case counts in build/native/test-results/NAME.json and
# fails when the runner is missing, finds no test or prints no summary. scripts/test.sh builds
# the three trees and runs `ctest --preset all`; `ctest --preset all -L pg` runs one suite.
# The wasm and asan entries run the binaries of the other two build trees (EC_WASM_DIR,
# EC_ASAN_DIR); they fail, not vanish, when those trees are not built.
set(EC_WASM_DIR "${CMAKE_SOURCE_DIR}/build/wasm" CACHE PATH "wasm build tree the matrix runs (label wasm)")
set(EC_ASAN_DIR "${CMAKE_SOURCE_DIR}/build/asan" CACHE PATH "sanitizer build tree the matrix runs (label asan)")
set(EC_TEST_RESULTS "${CMAKE_BINARY_DIR}/test-results")
find_program(EC_NODE node REQUIRED)
set(_suite ${CMAKE_CURRENT_LIST_DIR}/suite.mjs)
set(_cli $<TARGET_FILE:episodes_core_cli>)
set(_node_env "NODE_PATH=/usr/share/nodejs" "NEXT_TELEMETRY_DISABLED=1")

# ec_suite(NAME KIND LABELS "a;b" COMMAND cmd args... [ENV k=v...] [TIMEOUT s] [COST c] [LOCK r])
function(ec_suite name kind)
  cmake_parse_arguments(S "" "TIMEOUT;COST;LOCK" "LABELS;COMMAND;ENV" ${ARGN})
  add_test(NAME ${name}
           COMMAND ${EC_NODE} ${_suite} --name ${name} --kind ${kind} --results ${EC_TEST_RESULTS} -- ${S_COMMAND}
           WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
  set_tests_properties(${name} PROPERTIES LABELS "${S_LABELS}" ENVIRONMENT "${_node_env};${S_ENV}")
  if(S_TIMEOUT)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${S_TIMEOUT})
  endif()
  if(S_COST)  # long entries start first, so -j2 packs them with the short ones
    set_tests_properties(${name} PROPERTIES COST ${S_COST})
  endif()
  if(S_LOCK)
    set_tests_properties(${name} PROPERTIES RESOURCE_LOCK ${S_LOCK})
  endif()
endfunction()

# Catch2 (tests/core): one entry per file and build tree (native, wasm under Node, asan). The
# three runs of one file share its temporary paths (build/ectest_*, cwd = repo root), so they
# hold a lock named after the file and never overlap; different files run side by side.
foreach(_src ${EC_TEST_SOURCES})
  get_filename_component(_name ${_src} NAME_WE)
  ec_suite(native.${_name} catch2 LABELS native LOCK catch2.${_name}
           COMMAND $<TARGET_FILE:core_tests> "[#${_name}]" --use-colour no)
  ec_suite(wasm.${_name} catch2 LABELS wasm LOCK catch2.${_name}
           COMMAND ${EC_NODE} ${EC_WASM_DIR}/tests/core_tests.js "[#${_name}]" --use-colour no)
  ec_suite(asan.${_name} catch2 LABELS asan LOCK catch2.${_name} ENV ${EC_ASAN_ENV}
           COMMAND ${EC_ASAN_DIR}/tests/core_tests "[#${_name}]" --use-colour no)
endforeach()

# CLI scripts (tests/cli/*.sh, $1 = the CLI); the generated-file drift check and the tz oracle
# also carry their own label. Under ASan too, with the bounded `call` fuzzer.
foreach(_t ${EC_CLI_TESTS})
  get_filename_component(_name ${_t} NAME_WE)
  set(_labels cli)
  if(_name STREQUAL "generated_drift")
    list(APPEND _labels drift)
  elseif(_name STREQUAL "preview_oracle")
    list(APPEND _labels oracle)
  endif()
  ec_suite(cli.${_name} exit LABELS ${_labels} LOCK cli.${_name} COMMAND bash ${_t} ${_cli})
  ec_suite(asan.cli.${_name} exit LABELS asan LOCK cli.${_name} ENV ${EC_ASAN_ENV}
           COMMAND bash ${_t} ${EC_ASAN_DIR}/episodes-core)
endforeach()
ec_suite(asan.fuzz.call fuzz LABELS asan ENV ${EC_ASAN_ENV} TIMEOUT 1800 COST 400
         COMMAND python3 ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_call.py --cli ${EC_ASAN_DIR}/episodes-core)

# Node: the wasm module and the typed client (tests/js), the client + worker + storage in
# Debian's headless Chromium (tests/browser).
ec_suite(js node LABELS js TIMEOUT 900 COST 60 COMMAND ${EC_NODE} --test ${CMAKE_SOURCE_DIR}/tests/js/)
ec_suite(browser node LABELS browser TIMEOUT 900 COST 60 LOCK chromium
         COMMAND ${EC_NODE} --test --test-concurrency=1 ${CMAKE_SOURCE_DIR}/tests/browser/)

# PostgreSQL 15 (tests/pg) and the scenario runner / model-based test (tests/scenarios): each run.sh
# starts its own server (free port, private data directory under /tmp), so they run side by side.
# EC_SCENARIO_ENGINES / EC_MODEL_SEQUENCES from the caller's environment pass through.
ec_suite(pg node LABELS pg TIMEOUT 1200 COST 120 ENV EC_CLI=${_cli}
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/pg/run.sh)
ec_suite(scenarios scenarios LABELS scenarios TIMEOUT 900 COST 30 ENV EC_CLI=${_cli} EC_WITH_MODEL=0
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/scenarios/run.sh)
ec_suite(model model LABELS model TIMEOUT 2700 COST 300 ENV EC_CLI=${_cli} EC_WITH_SCENARIOS=0
         COMMAND bash ${CMAKE_SOURCE_DIR}/tests/scenarios/run.sh)

# The dashboard: Next.js build + Playwright end-to-end in Debian's Chromium (fixed port 3100).
ec_suite(web web LABELS web TIMEOUT 2400 COST 500 LOCK chromium
         COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/web-test.sh)
