/* memcmp for the Node wasm build (issue 13; ADR 0042; docs/BENCHMARKS.md, "Session 10: wasm
 * against native"): compares eight bytes at a time. Emscripten 3.1.6's musl memcmp walks byte by
 * byte, and SQLite's index seeks compare 36-byte UUID keys (an equal key, e.g. an index's leading
 * organization_id, is compared to its end), as do the statement cache's lookups by SQL text:
 * musl's loop took 2.0-2.2x native glibc's time in the raw reads and
 * load, 7-12 % of the wasm reads. cmake/speed.cmake (EC_SPEED_MEMCMP) puts it in a library on the
 * link line ahead of libc, so the linker takes this definition; only the Node build's programs
 * link it, the browser build (size-driven) keeps libc's. Same contract as the C standard's: the
 * sign of the first differing byte, as unsigned char. Compiled with -fno-builtin so the loops
 * never become a call to memcmp itself. */
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
