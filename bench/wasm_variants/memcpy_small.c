/* A try for the Node wasm build, after memcpy.c (issue 13; docs/BENCHMARKS.md, "Issue 13,
 * session 13", the mc and mc2 rows). Emscripten 3.1.6's libc copies byte by byte when source and
 * destination are not equally aligned (every std::string append in the prebuilt libc++ comes here),
 * and the memory.copy / memory.fill instructions that -mbulk-memory emits are, in Node 20's V8, a
 * call out of the wasm code into the engine's C++ (about 6-8 ns each whatever the size). The API's
 * reads make an estimated million or more copies of a few to a few dozen bytes per pass. Up to 32
 * bytes these functions use at most four 8-byte loads, all of them before any store (so overlapping
 * ranges are right for memmove too); longer ones use memory.copy / memory.fill (this file is
 * compiled with -mbulk-memory). Same contracts as the C standard's. Compiled with -fno-builtin so
 * no loop here becomes a call to the function itself. Tried in session 13 and not kept (no phase
 * moved beyond the noise, with -mbulk-memory elsewhere or without it); reproducible as a variant:
 *   emcc -O3 -mbulk-memory -fno-builtin -c bench/wasm_variants/memcpy_small.c -o /tmp/memcpy.o
 *   bash bench/wasm_variants/variant.sh memcpy "" "/tmp/memcpy.o" */
#include <stddef.h>
#include <stdint.h>

#ifndef __wasm_bulk_memory__
#error "compile with -mbulk-memory: the long copies below must be memory.copy/fill, not calls"
#endif

static inline uint64_t load8(const unsigned char* p) {
  uint64_t v;
  __builtin_memcpy(&v, p, 8);
  return v;
}
static inline void store8(unsigned char* p, uint64_t v) {
  __builtin_memcpy(p, &v, 8);
}
/* n <= 32 bytes from s to d; every load happens before the first store. */
static inline void copy_small(unsigned char* d, const unsigned char* s, size_t n) {
  if (n >= 16) {
    uint64_t a = load8(s), b = load8(s + 8), c = load8(s + n - 16), e = load8(s + n - 8);
    store8(d, a);
    store8(d + 8, b);
    store8(d + n - 16, c);
    store8(d + n - 8, e);
  } else if (n >= 8) {
    uint64_t a = load8(s), b = load8(s + n - 8);
    store8(d, a);
    store8(d + n - 8, b);
  } else if (n >= 4) {
    uint32_t a, b;
    __builtin_memcpy(&a, s, 4);
    __builtin_memcpy(&b, s + n - 4, 4);
    __builtin_memcpy(d, &a, 4);
    __builtin_memcpy(d + n - 4, &b, 4);
  } else if (n) {
    unsigned char a = s[0], b = s[n >> 1], c = s[n - 1];
    d[0] = a;
    d[n >> 1] = b;
    d[n - 1] = c;
  }
}

void* memcpy(void* restrict dest, const void* restrict src, size_t n) {
  if (n <= 32)
    copy_small((unsigned char*)dest, (const unsigned char*)src, n);
  else
    __builtin_memcpy(dest, src, n); /* memory.copy */
  return dest;
}

void* memmove(void* dest, const void* src, size_t n) {
  if (n <= 32)
    copy_small((unsigned char*)dest, (const unsigned char*)src, n);
  else
    __builtin_memmove(dest, src, n); /* memory.copy, which allows overlap */
  return dest;
}

void* memset(void* dest, int c, size_t n) {
  unsigned char* d = (unsigned char*)dest;
  if (n > 32) {
    __builtin_memset(dest, c, n); /* memory.fill */
    return dest;
  }
  uint64_t v = (uint64_t)(unsigned char)c * 0x0101010101010101ull;
  if (n >= 16) {
    store8(d, v);
    store8(d + 8, v);
    store8(d + n - 16, v);
    store8(d + n - 8, v);
  } else if (n >= 8) {
    store8(d, v);
    store8(d + n - 8, v);
  } else if (n >= 4) {
    uint32_t w = (uint32_t)v;
    __builtin_memcpy(d, &w, 4);
    __builtin_memcpy(d + n - 4, &w, 4);
  } else if (n) {
    d[0] = (unsigned char)c;
    d[n >> 1] = (unsigned char)c;
    d[n - 1] = (unsigned char)c;
  }
  return dest;
}
