#pragma once
// Operation results declared as data (docs/adr/0013-0013-op-results-declared.md): each operation's
// `result` is a Shape, built like its params. The TypeScript types, the API reference and the
// result-conformance test (tests/core/result_conformance_test.cpp) all derive from it; composite
// shapes used by several operations are named once in core/api/results.cpp.
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/docs_switch.hpp"
#include "core/errors.hpp"

namespace ec::api::result {

enum class Kind {
  String,   // any string
  Instant,  // "…Z" ISO-8601 UTC instant
  Date,     // "YYYY-MM-DD"
  Uuid,     // lower-case 8-4-4-4-12
  Int,      // integer
  Number,   // any number
  Bool,     // true / false
  Enum,     // one of `values`
  Json,     // any JSON value (opaque to the declaration)
  Object,   // exactly `fields`
  Array,    // of `of[0]`
  Map,      // object with any keys, values `of[0]`
  Entity,   // a row of the entity `ref` (core/schema), every field
  Page,     // {items: of[0][], total, limit, offset}
  Named,    // the named shape `ref` (results.cpp)
};

struct Shape {
  Kind kind = Kind::Json;
  std::string name;  // the key, inside an object
  std::string doc;
  bool nullable = false;
  bool optional = false;  // a key that may be absent
  std::string ref;
  std::vector<std::string> values;
  std::vector<Shape> fields;
  std::vector<Shape> of;
};

/// A composite shape with a name: one TypeScript interface, one section of docs/API.md.
struct NamedShape {
  std::string name;
  std::string doc;
  Shape shape;
};

/// Every named result shape, in declaration order.
const std::vector<NamedShape>& named_shapes();
const NamedShape* find_named(std::string_view name);

/// The TypeScript text of a shape (named and entity shapes by name).
std::string ts(const Shape& s);

/// Every way `value` departs from `s` ("$.items[0].episode.status: …"); empty when it conforms.
/// Objects and entities must have every declared key (optional ones may be absent) and no other.
std::vector<std::string> check(const Shape& s, const json& value, const std::string& path = "$");

/// Every entity and named shape `s` refers to (to report unknown names).
void references(const Shape& s, std::vector<std::string>& entities,
                std::vector<std::string>& named);

// Builders: `.result = obj({{"added", integer()}, {"reason", str().null()}})`.
struct R {
  Shape s;
  explicit R(Kind k) { s.kind = k; }
  R& null() {
    s.nullable = true;
    return *this;
  }
  R& opt() {
    s.optional = true;
    return *this;
  }
  /// Generator-only prose (core/docs_switch.hpp): empty in the browser build.
  R& doc(const char* d) {
    if constexpr (kWithDocs) s.doc = d;
    return *this;
  }
  operator Shape() const { return s; }  // NOLINT: builder converts implicitly by design
};

inline R str() {
  return R(Kind::String);
}
inline R instant() {
  return R(Kind::Instant);
}
inline R date() {
  return R(Kind::Date);
}
inline R uuid() {
  return R(Kind::Uuid);
}
inline R integer() {
  return R(Kind::Int);
}
inline R number() {
  return R(Kind::Number);
}
inline R boolean() {
  return R(Kind::Bool);
}
inline R any() {
  return R(Kind::Json);
}
inline R enumeration(std::vector<std::string> values) {
  R r(Kind::Enum);
  r.s.values = std::move(values);
  return r;
}
/// The values of an entity's enum field (declared once in core/schema).
R enum_of(std::string_view entity, std::string_view field);
inline R entity(std::string name) {
  R r(Kind::Entity);
  r.s.ref = std::move(name);
  return r;
}
/// A row of entity `name` with extra keys (e.g. project.update's `replan?`); TypeScript
/// `Project & { replan?: PlanCounts }`.
inline R entity_with(std::string name, std::vector<std::pair<std::string, Shape>> extra) {
  R r(Kind::Entity);
  r.s.ref = std::move(name);
  for (auto& [k, v] : extra) {
    v.name = k;
    r.s.fields.push_back(std::move(v));
  }
  return r;
}
inline R named(std::string name) {
  R r(Kind::Named);
  r.s.ref = std::move(name);
  return r;
}

/// A named shape or an entity row (by a literal name), alone or as the items of an array or a
/// page: what almost every operation's result is, declared as constant data
/// (docs/adr/0031-declarations-as-data.md); it converts into the Shape.
struct Ref {
  Kind kind = Kind::Named;  // Named or Entity
  const char* ref = "";
  Kind in = Kind::Json;  // Json: alone; Array / Page: their items
  bool nullable = false;
  bool optional = false;
  constexpr Ref& null() {
    nullable = true;
    return *this;
  }
  constexpr Ref& opt() {
    optional = true;
    return *this;
  }
  operator Shape() const;  // NOLINT: converts implicitly by design
};
constexpr Ref named(const char* name) {
  return Ref{Kind::Named, name};
}
constexpr Ref entity(const char* name) {
  return Ref{Kind::Entity, name};
}
/// One level only: an array of a named shape or of entity rows (else a Shape builder below).
constexpr Ref array(Ref of) {
  if (of.in != Kind::Json || of.nullable || of.optional) std::abort();
  of.in = Kind::Array;
  return of;
}
constexpr Ref page(Ref of) {
  if (of.in != Kind::Json || of.nullable || of.optional) std::abort();
  of.in = Kind::Page;
  return of;
}

inline R array(Shape of) {
  R r(Kind::Array);
  r.s.of.push_back(std::move(of));
  return r;
}
inline R map(Shape of) {
  R r(Kind::Map);
  r.s.of.push_back(std::move(of));
  return r;
}
inline R page(Shape of) {
  R r(Kind::Page);
  r.s.of.push_back(std::move(of));
  return r;
}
inline R obj(std::vector<std::pair<std::string, Shape>> fields) {
  R r(Kind::Object);
  for (auto& [k, v] : fields) {
    v.name = k;
    r.s.fields.push_back(std::move(v));
  }
  return r;
}

}  // namespace ec::api::result
