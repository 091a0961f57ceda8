#pragma once
// Prose that only the generators read: field and result-shape docs (TypeScript doc comments,
// PostgreSQL comments, docs/API.md). The browser build compiles it out (EC_NO_DOCS, defined for
// the size-compiled runtime in CMakeLists.txt; docs/BENCHMARKS.md "Session 5: browser core size,
// other steps"): no operation answers it at run time, the literals are simply never referenced.
// Operation docs are not prose of this kind: meta.operations answers them, so they stay.
namespace ec {
#ifdef EC_NO_DOCS
inline constexpr bool kWithDocs = false;
#else
inline constexpr bool kWithDocs = true;
#endif
}  // namespace ec
