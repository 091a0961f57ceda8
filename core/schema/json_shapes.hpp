#pragma once
// The shapes of the JSON lists kept inside rows (Rule::Memories, Rule::GenErrors), declared as
// data once: the core's validators (core/validate/rules.cpp) and the PostgreSQL fields trigger's
// generated validators (core/schema/pg_json_checks.cpp) both read them, and
// tests/pg/json_fields.test.mjs proves the two give the same issues (code and path).
#include <cstdint>
#include <string_view>

#include "core/schema/schema.hpp"

namespace ec::schema::json_shape {

/// How a key of an entry is checked (each exactly as core/validate/rules.cpp does):
enum class Kind {
  Uuid,  // missing, not a string or not lower-case 8-4-4-4-12: invalid_format; repeated: duplicate
  String,   // missing (required): required; not a string: invalid_type; "" (required): required;
            // more than `max` code points: too_long
  Instant,  // missing (required): required; not an ISO-8601 instant (core/time.hpp): invalid_format
  Int,      // present and not an integer in [min, max]: invalid_type
};

struct Key {
  std::string_view name;
  Kind kind;
  bool required;
  int64_t min;  // Int only
  int64_t max;  // String: code points; Int: value
};

/// A list of objects with declared keys; other keys are unknown_field.
struct ObjectList {
  Rule rule;
  std::string_view field;  // the field's name in messages ("memories")
  std::string_view entry;  // "a memory" (the message of a non-object entry)
  const Key* keys;
  size_t key_count;
  int64_t max_items;  // 0 = only the field's max_entries
};

/// Project.memories (MVP): [{id, content, createdAt, updatedAt?}]
inline constexpr Key kMemoryKeys[] = {
    {"id", Kind::Uuid, true, 0, 0},
    {"content", Kind::String, true, 0, 4000},
    {"createdAt", Kind::Instant, true, 0, 0},
    {"updatedAt", Kind::Instant, false, 0, 0},
};
/// Episode.generationErrors: [{at, code, message, attempt?}]
inline constexpr Key kGenErrorKeys[] = {
    {"at", Kind::Instant, true, 0, 0},
    {"code", Kind::String, true, 0, 100},
    {"message", Kind::String, true, 0, 4000},
    {"attempt", Kind::Int, false, 1, 1000},
};

inline constexpr ObjectList kObjectLists[] = {
    {Rule::Memories, "memories", "a memory", kMemoryKeys, std::size(kMemoryKeys), 500},
    {Rule::GenErrors, "generationErrors", "an error entry", kGenErrorKeys, std::size(kGenErrorKeys),
     0},
};

/// The declared list of a rule (nullptr for rules that are not object lists).
inline const ObjectList* object_list(Rule r) {
  for (const auto& l : kObjectLists)
    if (l.rule == r) return &l;
  return nullptr;
}

}  // namespace ec::schema::json_shape
