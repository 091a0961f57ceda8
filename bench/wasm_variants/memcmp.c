/* A try for the Node wasm build (issue 13, not taken: docs/BENCHMARKS.md, "Session 7"): a memcmp
 * that compares eight bytes at a time. Emscripten 3.1.6's musl memcmp walks byte by byte, and
 * SQLite's B-tree compares (text keys: UUIDs) and the statement cache's lookups by SQL text
 * call it for every key. Linked into
 * episodes_core_node as an object file, it is taken before libc's archive member. Same contract
 * as the C standard's: the sign of the first differing byte, as unsigned char. The browser build
 * (size-driven) keeps libc's. Compiled with -fno-builtin so the loops never become a call to
 * memcmp itself. */
#include <stddef.h>
#include <stdint.h>

int memcmp(const void* a, const void* b, size_t n) {
  const unsigned char* p = (const unsigned char*)a;
  const unsigned char* q = (const unsigned char*)b;
  while (n >= 8) {
    uint64_t x, y;
    __builtin_memcpy(&x, p, 8);
    __builtin_memcpy(&y, q, 8);
    if (x != y) {
      /* wasm is little-endian: byte-swapped, the first differing byte is the most significant. */
      x = __builtin_bswap64(x);
      y = __builtin_bswap64(y);
      return x < y ? -1 : 1;
    }
    p += 8;
    q += 8;
    n -= 8;
  }
  for (; n; --n, ++p, ++q)
    if (*p != *q) return *p < *q ? -1 : 1;
  return 0;
}
