# SQLite: the official amalgamation shipped inside the pinned npm package better-sqlite3@12.9.0
# (SQLite 3.53.0). Fetched with `npm pack` at configure time, checked against recorded sha256
# sums, never committed. Shared by the native and wasm build trees via .deps/.
set(EC_SQLITE_PKG better-sqlite3@12.9.0)
set(EC_SQLITE_TGZ_SHA256 ad0e29650140c49d0335b1d356596aa8166f12b758f418a98446130e3278f250)
set(EC_SQLITE_C_SHA256 391855ddc7af04001364430884d263cbe8638f852c83865823a2d08358f6b87d)
set(EC_SQLITE_H_SHA256 8e43a79982422f4720685f62839718f0e41410c1b71355aa32af3615ccd9e31d)
set(_dir ${CMAKE_SOURCE_DIR}/.deps/sqlite-3.53.0)

function(_ec_check_sha file expected)
  file(SHA256 ${file} _actual)
  if(NOT _actual STREQUAL expected)
    message(FATAL_ERROR "sha256 mismatch for ${file}: expected ${expected}, got ${_actual}")
  endif()
endfunction()

if(NOT EXISTS ${_dir}/sqlite3.c OR NOT EXISTS ${_dir}/sqlite3.h)
  find_program(NPM npm REQUIRED)
  set(_tmp ${CMAKE_SOURCE_DIR}/.deps/tmp-sqlite)
  file(REMOVE_RECURSE ${_tmp})
  file(MAKE_DIRECTORY ${_tmp})
  message(STATUS "Fetching SQLite amalgamation from npm package ${EC_SQLITE_PKG}")
  execute_process(COMMAND ${NPM} pack ${EC_SQLITE_PKG} --silent WORKING_DIRECTORY ${_tmp}
                  RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "npm pack ${EC_SQLITE_PKG} failed: ${_err}")
  endif()
  _ec_check_sha(${_tmp}/better-sqlite3-12.9.0.tgz ${EC_SQLITE_TGZ_SHA256})
  file(ARCHIVE_EXTRACT INPUT ${_tmp}/better-sqlite3-12.9.0.tgz DESTINATION ${_tmp}
       PATTERNS package/deps/sqlite3/sqlite3.c package/deps/sqlite3/sqlite3.h)
  file(MAKE_DIRECTORY ${_dir})
  file(COPY ${_tmp}/package/deps/sqlite3/sqlite3.c ${_tmp}/package/deps/sqlite3/sqlite3.h
       DESTINATION ${_dir})
  file(REMOVE_RECURSE ${_tmp})
endif()
_ec_check_sha(${_dir}/sqlite3.c ${EC_SQLITE_C_SHA256})
_ec_check_sha(${_dir}/sqlite3.h ${EC_SQLITE_H_SHA256})

add_library(ec_sqlite3 STATIC ${_dir}/sqlite3.c)
target_include_directories(ec_sqlite3 SYSTEM PUBLIC ${_dir})
target_compile_definitions(ec_sqlite3 PUBLIC
  SQLITE_OMIT_LOAD_EXTENSION SQLITE_THREADSAFE=0 SQLITE_DQS=0 SQLITE_DEFAULT_MEMSTATUS=0
  SQLITE_OMIT_DEPRECATED SQLITE_OMIT_SHARED_CACHE SQLITE_USE_ALLOCA SQLITE_DEFAULT_FOREIGN_KEYS=1
  SQLITE_ENABLE_MATH_FUNCTIONS)
set_target_properties(ec_sqlite3 PROPERTIES POSITION_INDEPENDENT_CODE ON)
