// The browser builds' SQLite VFS (episodes_core_web, episodes_core_mock): SQLite is compiled with
// SQLITE_OS_OTHER=1 (no os_unix.c) and this file is its operating system layer. Every file
// operation goes to the JS library bindings/library_ecvfs.js (Module.ECVFS), which keeps a flat
// table of named files: the host's "store files" (OPFS sync access handles, IndexedDB chunks)
// registered with ECVFS.mount, and in-memory files created on demand (temporary copies, the
// no-OPFS mode, import/export staging). Randomness and the clock come from the host too.
// docs/adr/0034-browser-vfs.md; the Node build keeps SQLite's unix VFS over NODERAWFS.
#include <sqlite3.h>

#include <cstring>

// bindings/library_ecvfs.js. Offsets and sizes travel as doubles (exact below 2^53), so no
// 64-bit integer crosses the wasm/JS boundary. Every function answers an SQLite result code,
// except ecvfs_open (a handle > 0, or 0: cannot open), ecvfs_access (1/0) and ecvfs_now (ms).
extern "C" {
int ecvfs_open(const char* name, int flags);
int ecvfs_close(int id);
int ecvfs_read(int id, void* buf, int amount, double offset);
int ecvfs_write(int id, const void* buf, int amount, double offset);
int ecvfs_truncate(int id, double size);
int ecvfs_sync(int id);
int ecvfs_size(int id, double* size);
int ecvfs_lock(int id, int level);
int ecvfs_unlock(int id, int level);
int ecvfs_reserved(int id, int* reserved);
int ecvfs_delete(const char* name);
int ecvfs_access(const char* name, int flags);
void ecvfs_random(int amount, char* buf);
double ecvfs_now();
}

namespace {

struct File {
  sqlite3_file base;
  int id;
};

int id_of(sqlite3_file* f) {
  return reinterpret_cast<File*>(f)->id;
}

int x_close(sqlite3_file* f) {
  return ecvfs_close(id_of(f));
}
int x_read(sqlite3_file* f, void* buf, int amount, sqlite3_int64 offset) {
  return ecvfs_read(id_of(f), buf, amount, static_cast<double>(offset));
}
int x_write(sqlite3_file* f, const void* buf, int amount, sqlite3_int64 offset) {
  return ecvfs_write(id_of(f), buf, amount, static_cast<double>(offset));
}
int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  return ecvfs_truncate(id_of(f), static_cast<double>(size));
}
int x_sync(sqlite3_file* f, int) {
  return ecvfs_sync(id_of(f));
}
int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  double d = 0;
  const int rc = ecvfs_size(id_of(f), &d);
  *size = static_cast<sqlite3_int64>(d);
  return rc;
}
int x_lock(sqlite3_file* f, int level) {
  return ecvfs_lock(id_of(f), level);
}
int x_unlock(sqlite3_file* f, int level) {
  return ecvfs_unlock(id_of(f), level);
}
int x_check_reserved(sqlite3_file* f, int* out) {
  return ecvfs_reserved(id_of(f), out);
}
int x_file_control(sqlite3_file*, int, void*) {
  return SQLITE_NOTFOUND;
}
// As the unix VFS answers for a regular file (SQLITE_DEFAULT_SECTOR_SIZE, powersafe overwrite):
// SQLite's journal and page writes stay what they were over ECSTORE.
int x_sector_size(sqlite3_file*) {
  return 4096;
}
int x_device_characteristics(sqlite3_file*) {
  return SQLITE_IOCAP_POWERSAFE_OVERWRITE;
}

const sqlite3_io_methods kMethods = {1,
                                     x_close,
                                     x_read,
                                     x_write,
                                     x_truncate,
                                     x_sync,
                                     x_file_size,
                                     x_lock,
                                     x_unlock,
                                     x_check_reserved,
                                     x_file_control,
                                     x_sector_size,
                                     x_device_characteristics,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr,
                                     nullptr};

int x_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* file = reinterpret_cast<File*>(f);
  file->base.pMethods = nullptr;  // SQLite calls no method of a file that did not open
  file->id = ecvfs_open(name, flags);
  if (file->id <= 0) return SQLITE_CANTOPEN;
  file->base.pMethods = &kMethods;
  if (out_flags) *out_flags = flags;
  return SQLITE_OK;
}
int x_delete(sqlite3_vfs*, const char* name, int) {
  return ecvfs_delete(name);
}
int x_access(sqlite3_vfs*, const char* name, int flags, int* out) {
  *out = ecvfs_access(name, flags);
  return SQLITE_OK;
}
// Names are used as they are (one flat table of paths).
int x_full_pathname(sqlite3_vfs*, const char* name, int n_out, char* out) {
  const size_t n = std::strlen(name);
  if (n + 1 > static_cast<size_t>(n_out)) return SQLITE_CANTOPEN;
  std::memcpy(out, name, n + 1);
  return SQLITE_OK;
}
int x_randomness(sqlite3_vfs*, int amount, char* buf) {
  ecvfs_random(amount, buf);
  return amount;
}
// A worker cannot block: nothing else in this thread could release a lock meanwhile anyway.
int x_sleep(sqlite3_vfs*, int microseconds) {
  return microseconds;
}
// Julian day in ms (the unix VFS's epoch offset) from Date.now().
int x_current_time_int64(sqlite3_vfs*, sqlite3_int64* out) {
  *out = static_cast<sqlite3_int64>(ecvfs_now()) + 210866760000000LL;
  return SQLITE_OK;
}
int x_current_time(sqlite3_vfs* vfs, double* out) {
  sqlite3_int64 ms = 0;
  x_current_time_int64(vfs, &ms);
  *out = static_cast<double>(ms) / 86400000.0;
  return SQLITE_OK;
}
int x_get_last_error(sqlite3_vfs*, int, char*) {
  return 0;
}

sqlite3_vfs vfs = {2,             // iVersion: xCurrentTimeInt64
                   sizeof(File),  // szOsFile
                   512,           // mxPathname
                   nullptr,       // pNext
                   "ecvfs",       // zName
                   nullptr,       // pAppData
                   x_open,
                   x_delete,
                   x_access,
                   x_full_pathname,
                   nullptr,
                   nullptr,
                   nullptr,
                   nullptr,  // no extensions (SQLITE_OMIT_LOAD_EXTENSION)
                   x_randomness,
                   x_sleep,
                   x_current_time,
                   x_get_last_error,
                   x_current_time_int64,
                   nullptr,
                   nullptr,
                   nullptr};

}  // namespace

// SQLITE_OS_OTHER: SQLite calls these from sqlite3_initialize / sqlite3_shutdown.
extern "C" int sqlite3_os_init(void) {
  return sqlite3_vfs_register(&vfs, 1);
}
extern "C" int sqlite3_os_end(void) {
  return SQLITE_OK;
}
