#pragma once
// Field builders shared by the entity declarations (entities.cpp) and operation parameter
// declarations (core/api), so both describe data the same way.
//
// A declaration is constant data (docs/adr/0031-declarations-as-data.md): the builders are constexpr
// and produce a FieldDecl (pointers to literals, enums, numbers), so a table of them is read-only
// data compiled into the binary, not start-up code. One out-of-line function (to_field) turns a
// FieldDecl into the runtime schema::Field every reader uses.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <span>
#include <type_traits>

#include "core/docs_switch.hpp"
#include "core/schema/schema.hpp"

namespace ec::schema {

/// The JSON-form default of a declared field (Field::default_value), as constant data.
struct DefaultDecl {
  enum class Kind { None, Int, Bool, String, EmptyArray, EmptyObject };
  Kind kind = Kind::None;
  int64_t i = 0;  // Int; Bool: 0/1
  const char* s = nullptr;
};

/// `.def(empty_array)` / `.def(empty_object)`: the JSON [] and {} defaults.
struct EmptyArray {};
struct EmptyObject {};
inline constexpr EmptyArray empty_array{};
inline constexpr EmptyObject empty_object{};

/// One field as declared (every member a constant); to_field makes the schema::Field.
struct FieldDecl {
  // The data (read by to_field); the members end in `_` so the builder methods keep the names
  // the declarations read with (`.within("projectId")`, `.doc("…")`).
  // Pointers are null when unset (to_field reads null as ""): an unset member is a zero, so a
  // declaration materialized at run time (an operation's parameter list) costs a store only
  // for what it sets.
  const char* name_ = nullptr;
  Type type_ = Type::String;
  bool nullable_ = false;
  DefaultDecl default_;
  std::span<const char* const> values_;
  const char* references_ = nullptr;
  bool restrict_ = false;  // !Field::cascade
  const char* within_ = nullptr;
  Rule rule_ = Rule::None;
  Origin origin_ = Origin::Input;
  bool immutable_ = false;
  bool actor_default_ = false;
  std::optional<int64_t> min_;
  std::optional<int64_t> max_;
  std::optional<int64_t> max_entries_;
  bool not_blank_ = false;
  const char* doc_ = nullptr;
  /// Set: the declaration is this existing field, kept as is (an operation parameter declared as
  /// an entity's field, e.g. `*org.field("name")`); it must outlive the conversion.
  const Field* same_as_ = nullptr;

  constexpr FieldDecl(const char* n, Type t) : name_(n), type_(t) {}
  FieldDecl(const Field& f) : same_as_(&f) {}  // NOLINT: implicit by design (params lists)

  // A small fluent builder so each field reads as one line.
  constexpr FieldDecl& null() {
    nullable_ = true;
    return *this;
  }
  template <class T>
  constexpr FieldDecl& def(T v) {
    using K = DefaultDecl::Kind;
    if constexpr (std::is_same_v<T, bool>) {
      default_ = {K::Bool, v ? 1 : 0, nullptr};
    } else if constexpr (std::is_integral_v<T>) {
      default_ = {K::Int, static_cast<int64_t>(v), nullptr};
    } else if constexpr (std::is_same_v<T, EmptyArray>) {
      default_ = {K::EmptyArray, 0, nullptr};
    } else if constexpr (std::is_same_v<T, EmptyObject>) {
      default_ = {K::EmptyObject, 0, nullptr};
    } else {
      static_assert(std::is_convertible_v<T, const char*>, "a default is a number, bool or text");
      default_ = {K::String, 0, v};
    }
    return *this;
  }
  /// `v` must outlive the declaration (a constant list: rules::States<E>::names).
  constexpr FieldDecl& values(std::span<const char* const> v) {
    values_ = v;
    return *this;
  }
  constexpr FieldDecl& ref(const char* entity, bool cascade = true) {
    references_ = entity;
    restrict_ = !cascade;
    return *this;
  }
  /// The referenced row shares this row's `field` (schema::Field::within).
  constexpr FieldDecl& within(const char* field) {
    within_ = field;
    return *this;
  }
  constexpr FieldDecl& rule(Rule r) {
    rule_ = r;
    return *this;
  }
  constexpr FieldDecl& sys() {
    origin_ = Origin::System;
    return *this;
  }
  constexpr FieldDecl& by_actor() {
    actor_default_ = true;
    return *this;
  }
  constexpr FieldDecl& fixed() {
    immutable_ = true;
    return *this;
  }
  constexpr FieldDecl& range(std::optional<int64_t> lo, std::optional<int64_t> hi) {
    min_ = lo;
    max_ = hi;
    return *this;
  }
  /// Refused when only blank code points (schema::kBlankCodePoints), in every engine.
  constexpr FieldDecl& not_blank() {
    not_blank_ = true;
    return *this;
  }
  /// Generator-only prose (core/docs_switch.hpp): empty in the browser build.
  constexpr FieldDecl& doc(const char* d) {
    if constexpr (kWithDocs) doc_ = d;
    return *this;
  }
  operator Field() const;  // NOLINT: a declaration converts implicitly by design (to_field)
};

/// The runtime field of a declaration (column = snake_case(name)).
Field to_field(const FieldDecl& d);
inline FieldDecl::operator Field() const {
  return to_field(*this);
}

}  // namespace ec::schema

namespace ec::schema::build {

using F = FieldDecl;

/// Bounds are checked where the declarations are compiled (a constant table: a bad bound is a
/// compile error; elsewhere std::abort at start).
constexpr int64_t check_int_bounds(int64_t lo, int64_t hi) {
  if (lo > hi || hi > kMaxSafeInteger || lo < -kMaxSafeInteger) std::abort();
  return lo;
}

constexpr F uuid(const char* n) {
  return F(n, Type::Uuid);
}
constexpr F str(const char* n, int64_t max_len, int64_t min_len = 0) {
  return F(n, Type::String).range(min_len, max_len);
}
constexpr F text(const char* n, int64_t max_len) {
  return F(n, Type::Text).range(0, max_len);
}
// Every integer declares both bounds (docs/adr/0012-bounds-and-value-parity.md): the maximum is
// at most kMaxSafeInteger and leaves derived arithmetic (max + 1, daily sums, seconds * 1000)
// no room to overflow int64 or JavaScript's safe integers.
constexpr F integer(const char* n, int64_t lo, int64_t hi) {
  return F(n, Type::Int).range(check_int_bounds(lo, hi), hi);
}
/// Micro-pounds of one row: at most £1,000,000 (1e12), so sums over a day stay exact.
constexpr F money(const char* n, int64_t hi = kMaxMoneyMicros) {
  return F(n, Type::Money).range(check_int_bounds(0, hi), hi);
}
constexpr F instant(const char* n) {
  return F(n, Type::Instant);
}
constexpr F date(const char* n) {
  return F(n, Type::Date);
}
/// `v`: a constant list (rules::States<E>::names or a constexpr array), never a temporary.
template <size_t N>
constexpr F enumeration(const char* n, const std::array<const char*, N>& v) {
  return F(n, Type::Enum).values(v);
}
/// A JSON field: at most `max_bytes` serialized and `max_entries` top-level entries.
constexpr F jsonf(const char* n, Rule r, int64_t max_bytes, int64_t max_entries) {
  F f(n, Type::Json);
  f.rule(r).range(std::nullopt, max_bytes);
  f.max_entries_ = max_entries;
  return f;
}

constexpr F boolean(const char* n) {
  return F(n, Type::Bool);
}

}  // namespace ec::schema::build
