#pragma once
// Storage helpers the exports use (see storage.cpp). None of them throws.
#include <string>

struct sqlite3;

namespace ec::bindings {

/// Copies the connection's "main" database into the file at dst_path (created or replaced).
std::string export_connection(sqlite3* src, const std::string& dst_path);

/// Replaces the connection's "main" database with a copy of the file at src_path, in one
/// transaction of that connection (all-or-nothing; works for ":memory:").
std::string import_into_connection(sqlite3* dst, const std::string& src_path);

/// Sets journal_mode / synchronous on a connection ("" leaves one unchanged); values are
/// whitelisted. {"ok":true} or error JSON.
std::string tune_connection(sqlite3* db, const std::string& journal_mode,
                            const std::string& synchronous);

/// {"ok":true,"result":{applicationId,userVersion,pageSize,pageCount,quickCheck}} of a file.
std::string inspect_database(const std::string& path);

/// Makes dst_path a page-for-page copy of src_path in one transaction of dst. {"ok":true}.
std::string copy_database(const std::string& src_path, const std::string& dst_path);

/// {"ok":true,"result":{heapBytes,inUseBytes,freeBytes}} of the wasm allocator.
std::string memory_stats();

}  // namespace ec::bindings
