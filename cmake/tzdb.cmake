# The embedded IANA time zone database (core/tz): tools/gen_tzdb.py turns the build machine's
# /usr/share/zoneinfo into one generated C++ source, compiled into the static library ec_tzdb.
# The generator runs on the host (Python 3, stdlib only) for both the native and the wasm
# (cross-compiled) builds, so both embed the same data and give the same answers.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(EC_ZONEINFO_DIR /usr/share/zoneinfo CACHE PATH "TZif tree the tz database is generated from")
if(NOT EXISTS ${EC_ZONEINFO_DIR}/tzdata.zi)
  message(FATAL_ERROR "${EC_ZONEINFO_DIR}/tzdata.zi is missing: install Debian's 'tzdata' package")
endif()

set(_tzdb_script ${CMAKE_SOURCE_DIR}/tools/gen_tzdb.py)
set(_tzdb_out ${CMAKE_BINARY_DIR}/generated/tzdb_data.cpp)
add_custom_command(
  OUTPUT ${_tzdb_out}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/generated
  COMMAND ${Python3_EXECUTABLE} ${_tzdb_script} ${EC_ZONEINFO_DIR} ${_tzdb_out}
  DEPENDS ${_tzdb_script} ${EC_ZONEINFO_DIR}/tzdata.zi
  COMMENT "Generating the embedded tz database from ${EC_ZONEINFO_DIR}"
  VERBATIM)

add_library(ec_tzdb STATIC ${_tzdb_out})
target_include_directories(ec_tzdb PRIVATE ${CMAKE_SOURCE_DIR})
# Data only: no -Werror, but it must stay warning-free.
target_compile_options(ec_tzdb PRIVATE -Wall -Wextra)
