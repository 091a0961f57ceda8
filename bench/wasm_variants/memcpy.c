/* A try for the Node wasm build (issue 13, not taken: docs/BENCHMARKS.md, "Session 7"): memcpy,
 * memmove and memset as the single bulk-memory instructions (memory.copy / memory.fill). Our
 * code and SQLite already compile their copies to them (-mbulk-memory), but Emscripten 3.1.6's
 * prebuilt libc and libc++ call libc's memcpy, which copies in a loop and calls out to JS
 * (emscripten_memcpy_big, copyWithin) from 512 bytes: ~3 % of the wasm reads (std::string
 * growth of the response text). Linked into episodes_core_node as an object file, these are
 * taken before libc's archive members. Compiled with -mbulk-memory, where the builtins below
 * lower to the instructions themselves (never a call back to these functions). */
#include <stddef.h>

void* memcpy(void* restrict d, const void* restrict s, size_t n) {
  return __builtin_memcpy(d, s, n);
}

void* memmove(void* d, const void* s, size_t n) {
  return __builtin_memmove(d, s, n);
}

void* memset(void* d, int c, size_t n) {
  return __builtin_memset(d, c, n);
}
