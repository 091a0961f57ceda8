# Checks the Emscripten version against emsdk-version and defines the wasm flags.
file(READ ${CMAKE_SOURCE_DIR}/emsdk-version EC_EMSDK_VERSION)
string(STRIP "${EC_EMSDK_VERSION}" EC_EMSDK_VERSION)

if(EMSCRIPTEN)
  execute_process(COMMAND ${CMAKE_C_COMPILER} --version OUTPUT_VARIABLE _emcc_out ERROR_QUIET)
  string(REGEX MATCH "[0-9]+\\.[0-9]+\\.[0-9]+" _emcc_version "${_emcc_out}")
  if(NOT _emcc_version STREQUAL EC_EMSDK_VERSION)
    message(FATAL_ERROR
      "Emscripten ${EC_EMSDK_VERSION} is required (see emsdk-version), but ${CMAKE_C_COMPILER} "
      "is version '${_emcc_version}'. Install Debian's 'emscripten' package (3.1.6) or put the "
      "right emcc first on PATH.")
  endif()
  if(NOT DEFINED ENV{NODE_PATH})
    message(WARNING "NODE_PATH is not set; emcc at -O1+ needs NODE_PATH=/usr/share/nodejs")
  endif()
  # Exceptions must be on at compile and link time, or catch blocks never run (no rollbacks).
  add_compile_options(-fexceptions)
  add_link_options(-fexceptions -sALLOW_MEMORY_GROWTH=1)
  # -O2 chosen by measurement (docs/BENCHMARKS.md): -Oz halves SQLite insert speed.
  set(CMAKE_C_FLAGS_RELEASE "-O2 -DNDEBUG")
  set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG")
endif()

# A program run under Node (tests, CLI, benchmarks): real files, exit codes, no global handlers.
function(ec_node_program target)
  target_link_options(${target} PRIVATE
    -sENVIRONMENT=node -sNODERAWFS=1 -sEXIT_RUNTIME=1
    -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0 -sSTACK_SIZE=1048576)
endfunction()
