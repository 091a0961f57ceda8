#pragma once
// Field builders shared by the entity declarations (entities.cpp) and operation parameter
// declarations (core/api), so both describe data the same way.
#include <cstdlib>

#include "core/docs_switch.hpp"
#include "core/schema/schema.hpp"

namespace ec::schema::build {

/// Bounds are checked when the declarations are built (a static table, built once at start).
inline int64_t check_int_bounds(int64_t lo, int64_t hi) {
  if (lo > hi || hi > kMaxSafeInteger || lo < -kMaxSafeInteger) std::abort();
  return lo;
}

// A small fluent builder so each field reads as one line.
struct F {
  Field f;
  F(std::string name, Type t) {
    f.column = snake_case(name);
    f.name = std::move(name);
    f.type = t;
  }
  F& null() {
    f.nullable = true;
    return *this;
  }
  F& def(json v) {
    f.default_value = std::move(v);
    return *this;
  }
  F& values(std::vector<std::string> v) {
    f.enum_values = std::move(v);
    return *this;
  }
  F& ref(std::string entity, bool cascade = true) {
    f.references = std::move(entity);
    f.cascade = cascade;
    return *this;
  }
  /// The referenced row shares this row's `field` (schema::Field::within).
  F& within(std::string field) {
    f.within = std::move(field);
    return *this;
  }
  F& rule(Rule r) {
    f.rule = r;
    return *this;
  }
  F& sys() {
    f.origin = Origin::System;
    return *this;
  }
  F& by_actor() {
    f.actor_default = true;
    return *this;
  }
  F& fixed() {
    f.immutable = true;
    return *this;
  }
  F& range(std::optional<int64_t> lo, std::optional<int64_t> hi) {
    f.min = lo;
    f.max = hi;
    return *this;
  }
  /// Refused when only blank code points (schema::kBlankCodePoints), in every engine.
  F& not_blank() {
    f.not_blank = true;
    return *this;
  }
  /// Generator-only prose (core/docs_switch.hpp): empty in the browser build.
  F& doc(const char* d) {
    if constexpr (kWithDocs) f.doc = d;
    return *this;
  }
  operator Field() const { return f; }  // NOLINT: builder converts implicitly by design
};

inline F uuid(std::string n) {
  return F(std::move(n), Type::Uuid);
}
inline F str(std::string n, int64_t max_len, int64_t min_len = 0) {
  return std::move(F(std::move(n), Type::String).range(min_len, max_len));
}
inline F text(std::string n, int64_t max_len) {
  return std::move(F(std::move(n), Type::Text).range(0, max_len));
}
// Every integer declares both bounds (docs/adr/0012-bounds-and-value-parity.md): the maximum is
// at most kMaxSafeInteger and leaves derived arithmetic (max + 1, daily sums, seconds * 1000)
// no room to overflow int64 or JavaScript's safe integers.
inline F integer(std::string n, int64_t lo, int64_t hi) {
  return std::move(F(std::move(n), Type::Int).range(check_int_bounds(lo, hi), hi));
}
/// Micro-pounds of one row: at most £1,000,000 (1e12), so sums over a day stay exact.
inline F money(std::string n, int64_t hi = kMaxMoneyMicros) {
  return std::move(F(std::move(n), Type::Money).range(check_int_bounds(0, hi), hi));
}
inline F instant(std::string n) {
  return F(std::move(n), Type::Instant);
}
inline F date(std::string n) {
  return F(std::move(n), Type::Date);
}
inline F enumeration(std::string n, std::vector<std::string> v) {
  return std::move(F(std::move(n), Type::Enum).values(std::move(v)));
}
/// A JSON field: at most `max_bytes` serialized and `max_entries` top-level entries.
inline F jsonf(std::string n, Rule r, int64_t max_bytes, int64_t max_entries) {
  F f(std::move(n), Type::Json);
  f.rule(r).range(std::nullopt, max_bytes);
  f.f.max_entries = max_entries;
  return f;
}

inline F boolean(std::string n) {
  return F(std::move(n), Type::Bool);
}

}  // namespace ec::schema::build
