# SPEED FLAGS (issue 13): every compile option chosen for run time, in this one place, so the
# size-driven flags (-Oz/-Os, cmake/emscripten_check.cmake and the wasm targets) can be merged
# with it. Each try and its figure: docs/BENCHMARKS.md, "Peers benchmark" and "Session 4: wasm
# against native, and the peers". -DEC_SPEED_FLAGS=OFF builds without them (for comparing).
# Only the Node build (episodes_core_runtime, ec_sqlite3, ec_bindings, episodes_core_node and the
# Node test/bench programs linking the same libraries) is touched: the browser's *_small copies
# and episodes_core_web stay size-driven (-Oz).
option(EC_SPEED_FLAGS "Speed-oriented compile options for the Node wasm build" ON)
# Experiment switches (docs/BENCHMARKS.md, "SPEED FLAGS tried"): the chosen values are the defaults.
set(EC_SPEED_OPT "-O3" CACHE STRING "Optimisation level of the Node wasm runtime (SPEED FLAGS)")
# LTO: ON since session 13 (with EC_SPEED_LIBCPP_INLINE, against session 12's build in three
# paired interleaved runs: load -2.5 to -5 %, writes -3 to -10 %, queue -1 to -9 %, reads not
# settled; docs/BENCHMARKS.md, "Issue 13, session 13"; ADR 0045). Every Node program linking the
# runtime links with -flto, so Emscripten links its LTO builds of libc, libc++ and dlmalloc too.
option(EC_SPEED_LTO "LTO (-flto) for the Node wasm runtime, SQLite and bindings" ON)
# libc++'s std::string members instantiated (and so inlined, at -O3 with our features) in our own
# translation units instead of called in the prebuilt libc++ (_LIBCPP_DISABLE_EXTERN_TEMPLATE):
# append/push_back were 5.4 of the API's own 40 ms on reads (profile in BENCHMARKS). ON since
# session 13.
option(EC_SPEED_LIBCPP_INLINE "Instantiate libc++ templates in the Node runtime's own code" ON)
# -mbulk-memory: copies and fills as memory.copy/fill (Node 20 runs them; 3.1.6's libc otherwise
# calls out to JS for every memcpy >= 512 bytes). ON since session 5 (docs/BENCHMARKS.md).
option(EC_SPEED_BULK_MEMORY "-mbulk-memory (memcpy/memset as memory.copy/fill) in the Node wasm build" ON)
# wasm target features past MVP for the Node build (compile of SQLite, runtime, bindings and the
# link), e.g. "-msign-ext;-mnontrapping-fptoint;-msimd128" (Node 20 runs all three). Empty: MVP.
set(EC_SPEED_FEATURES "" CACHE STRING "wasm target feature flags (-m...) of the Node wasm build")
# A memcmp comparing eight bytes at a time (bindings/libc/memcmp.c) instead of musl's byte loop, for every
# Node program (a library linked by episodes_core_runtime, so it comes before libc on the link
# line). ON since session 10: reads -8 to -12 %, queue -4 to -5 %, load and writes -1 to -3 %
# (docs/BENCHMARKS.md, "Session 10: wasm against native"; ADR 0042).
option(EC_SPEED_MEMCMP "Word-wise memcmp (bindings/libc/memcmp.c) in the Node wasm build" ON)
set(EC_SPEED_MALLOC "" CACHE STRING "-sMALLOC= of the Node module (empty: Emscripten's default, dlmalloc)")
# 256 MiB from the start: the heap never grows while a large database is seeded (load -9 % in
# 5 of 5 interleaved rounds at scale 0.1, other phases level; docs/BENCHMARKS.md, "Session 7").
# Untouched pages cost no resident memory. Empty: Emscripten's default (16 MiB, then growth).
set(EC_SPEED_INITIAL_MEMORY "268435456" CACHE STRING "-sINITIAL_MEMORY= of the Node module (empty: default)")

if(EC_SPEED_FLAGS AND EMSCRIPTEN)
  # SQLite is the hot code of every phase: -O3. The defines only drop checks we never need: no
  # expression depth limit checks (our SQL is generated, never user text), LIKE never compares
  # blobs (we store none).
  target_compile_options(ec_sqlite3 PRIVATE -O3)
  target_compile_definitions(ec_sqlite3 PRIVATE SQLITE_MAX_EXPR_DEPTH=0
                                                SQLITE_LIKE_DOESNT_MATCH_BLOBS)
  # ec_sqlite3_small copies ec_sqlite3's COMPILE_OPTIONS (CMakeLists.txt): the feature switches
  # are turned off again for it below (_ec_speed_node_build), so the browser's copy stays as it
  # was (-flto it has anyway).
  if(EC_SPEED_LTO)
    target_compile_options(ec_sqlite3 PRIVATE -flto)
  endif()
  # -mbulk-memory and the target features of every Node build target compiled from source.
  function(_ec_speed_features _t)
    if(EC_SPEED_BULK_MEMORY)
      target_compile_options(${_t} PRIVATE -mbulk-memory)
    endif()
    if(EC_SPEED_FEATURES)
      target_compile_options(${_t} PRIVATE ${EC_SPEED_FEATURES})
    endif()
  endfunction()
  _ec_speed_features(ec_sqlite3)
  if(EC_SPEED_MEMCMP)
    # -fno-builtin: its loops never become a call to memcmp itself. No LTO: it must stay the
    # archive member the linker takes ahead of libc's.
    add_library(ec_node_memcmp STATIC ${CMAKE_SOURCE_DIR}/bindings/libc/memcmp.c)
    target_compile_options(ec_node_memcmp PRIVATE -O3 -fno-builtin)
    _ec_speed_features(ec_node_memcmp)
  endif()

  # The rest of the Node build (runtime, bindings, the module's link) once every target exists:
  # deferred to the end of the top directory, so this stays the one place.
  function(_ec_speed_node_build)
    foreach(_t episodes_core_runtime ec_bindings)
      if(TARGET ${_t})
        target_compile_options(${_t} PRIVATE ${EC_SPEED_OPT})
        if(EC_SPEED_LTO)
          target_compile_options(${_t} PRIVATE -flto)
        endif()
        if(EC_SPEED_LIBCPP_INLINE)
          target_compile_definitions(${_t} PRIVATE _LIBCPP_DISABLE_EXTERN_TEMPLATE)
        endif()
        _ec_speed_features(${_t})
      endif()
    endforeach()
    # The Node runtime's programs (module, CLI, tests, benchmarks) link it; the browser's
    # episodes_core_runtime_small does not.
    if(EC_SPEED_MEMCMP AND TARGET episodes_core_runtime)
      target_link_libraries(episodes_core_runtime PUBLIC ec_node_memcmp)
    endif()
    if(EC_SPEED_LTO AND TARGET episodes_core_runtime)
      target_link_options(episodes_core_runtime INTERFACE -flto)
    endif()
    # (ec_sqlite3_small is compiled -Oz -flto in any case: the browser build is an LTO link.)
    if(TARGET ec_sqlite3_small)
      if(EC_SPEED_BULK_MEMORY)
        target_compile_options(ec_sqlite3_small PRIVATE -mno-bulk-memory)
      endif()
      foreach(_f ${EC_SPEED_FEATURES})
        string(REGEX REPLACE "^-m" "-mno-" _nf "${_f}")
        target_compile_options(ec_sqlite3_small PRIVATE ${_nf})
      endforeach()
    endif()
    if(TARGET episodes_core_node)
      target_link_options(episodes_core_node PRIVATE ${EC_SPEED_OPT})
      if(EC_SPEED_LTO)
        target_link_options(episodes_core_node PRIVATE -flto)
      endif()
      if(EC_SPEED_BULK_MEMORY)
        target_link_options(episodes_core_node PRIVATE -mbulk-memory)
      endif()
      if(EC_SPEED_FEATURES)
        target_link_options(episodes_core_node PRIVATE ${EC_SPEED_FEATURES})
      endif()
      if(EC_SPEED_MALLOC)
        target_link_options(episodes_core_node PRIVATE -sMALLOC=${EC_SPEED_MALLOC})
      endif()
      if(EC_SPEED_INITIAL_MEMORY)
        target_link_options(episodes_core_node PRIVATE -sINITIAL_MEMORY=${EC_SPEED_INITIAL_MEMORY})
      endif()
    endif()
  endfunction()
  cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL _ec_speed_node_build)
endif()
