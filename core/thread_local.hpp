// EC_THREAD_LOCAL: `thread_local`, except in a WebAssembly build without threads (no atomics),
// where there is one thread and it is plain static storage. wasm-ld refuses thread-local
// storage in objects built with -mbulk-memory but without atomics (cmake/speed.cmake,
// EC_SPEED_BULK_MEMORY); without bulk memory it silently made it static storage already.
#pragma once

#if defined(__wasm__) && !defined(__wasm_atomics__)
#define EC_THREAD_LOCAL
#else
#define EC_THREAD_LOCAL thread_local
#endif
