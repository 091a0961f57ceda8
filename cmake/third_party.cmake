# Header-only Debian packages. Under Emscripten find_package only searches the sysroot and
# -isystem /usr/include breaks em++, so we expose just these header folders via symlinks.
set(_hdr_root ${CMAKE_BINARY_DIR}/third_party_include)
file(MAKE_DIRECTORY ${_hdr_root})
foreach(_dir nlohmann catch2)
  if(NOT EXISTS /usr/include/${_dir})
    message(FATAL_ERROR "/usr/include/${_dir} is missing: run scripts/setup.sh (apt: nlohmann-json3-dev catch2)")
  endif()
  if(NOT EXISTS ${_hdr_root}/${_dir})
    file(CREATE_LINK /usr/include/${_dir} ${_hdr_root}/${_dir} SYMBOLIC)
  endif()
endforeach()
add_library(ec_json INTERFACE)
target_include_directories(ec_json SYSTEM INTERFACE ${_hdr_root})
