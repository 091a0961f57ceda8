# SPEED FLAGS (issue 13): every compile option chosen for run time, in this one place, so the
# size-driven flags (-Oz/-Os, cmake/emscripten_check.cmake and the wasm targets) can be merged
# with it. Each try and its figure: docs/BENCHMARKS.md, "Peers benchmark". -DEC_SPEED_FLAGS=OFF
# builds without them (for comparing).
option(EC_SPEED_FLAGS "Speed-oriented compile options for SQLite in the wasm build" ON)
if(EC_SPEED_FLAGS AND EMSCRIPTEN)
  # SQLite is the hot code of every phase: -O3 for it alone (the rest stays at the size-chosen
  # level). The defines only drop checks we never need: no expression depth limit checks (our
  # SQL is generated, never user text), LIKE never compares blobs (we store none).
  target_compile_options(ec_sqlite3 PRIVATE -O3)
  target_compile_definitions(ec_sqlite3 PRIVATE SQLITE_MAX_EXPR_DEPTH=0
                                                SQLITE_LIKE_DOESNT_MATCH_BLOBS)
endif()
