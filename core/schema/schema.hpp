#pragma once
// The one declaration of the data model. Every entity of docs/DOMAIN.md is declared once (in
// entities.cpp); SQLite DDL, PostgreSQL DDL, TypeScript types, the JSON mapping and the
// structural validation are all derived from these declarations.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/schema/history.hpp"
#include "core/time.hpp"

namespace ec::schema {

using json = nlohmann::json;

/// Storage/JSON type of a field. JSON form in brackets; SQLite / PostgreSQL storage after.
enum class Type {
  Uuid,     // ["8-4-4-4-12" lower-case hex]  TEXT / uuid
  String,   // [string, single line]          TEXT / text
  Text,     // [string, may be long markdown] TEXT / text
  Int,      // [integer]                      INTEGER / bigint
  Bool,     // [boolean]                      INTEGER 0/1 / boolean
  Instant,  // ["…Z" ISO-8601 UTC]            INTEGER ms since epoch / timestamptz
  Date,     // ["YYYY-MM-DD"]                 TEXT / date
  Enum,     // [one of enum_values]           TEXT + CHECK / text + CHECK
  Json,     // [object or array]              TEXT + json_valid / jsonb
  Money,    // [integer micro-pounds, exact]  INTEGER / bigint (see docs/adr/0001-money.md)
};

/// Domain rule applied on top of the type (see core/validate).
enum class Rule {
  None,
  Email,
  Timezone,     // a real IANA zone name from core/tz
  Slug,         // lower-case a-z0-9 and single dashes
  EventType,    // dotted lower-case name: "onboarding.completed"
  Cadence,      // Project.cadenceConfig
  Memories,     // Project.memories (MVP list)
  GenErrors,    // Episode.generationErrors: [{at, code, message}]
  JsonObject,   // any JSON object (bounded size)
  JsonChanges,  // AuditLog.changes: {field: {before, after}}
  Model,        // LLM model name
};

/// Who sets a field: the caller, or the store.
enum class Origin {
  Input,   // given by callers on create/update
  System,  // set only by the store (id, organizationId, timestamps, soft-delete, counters)
};

/// Number.MAX_SAFE_INTEGER (2^53 - 1): no declared integer bound exceeds it.
inline constexpr int64_t kMaxSafeInteger = 9'007'199'254'740'991;
/// Money of one row (micro-pounds): £1,000,000.
inline constexpr int64_t kMaxMoneyMicros = 1'000'000'000'000;
/// Episode.number: the auto-number (max + 1) refuses cleanly at this cap.
inline constexpr int64_t kMaxEpisodeNumber = 1'000'000;
/// Entries of any JSON list/object field (checked before any entry is validated).
inline constexpr int64_t kMaxJsonEntries = 500;
/// Validation stops collecting issues after this many (a hostile request costs O(size)).
inline constexpr size_t kMaxIssues = 100;
/// Instants: years 0001-9999 in both engines (ms since the Unix epoch).
inline constexpr int64_t kMinInstantMs = ec::kMinInstant;  // 0001-01-01T00:00:00.000Z
inline constexpr int64_t kMaxInstantMs = ec::kMaxInstant;  // 9999-12-31T23:59:59.999Z

struct Field {
  std::string name;    // camelCase JSON / TypeScript name
  std::string column;  // snake_case SQL name (derived from name)
  Type type = Type::String;
  bool nullable = false;
  std::optional<json> default_value;  // JSON-form default applied on create
  std::vector<std::string> enum_values;
  std::string references;  // target entity name ("" = none); always within the same org
  bool cascade = true;     // ON DELETE CASCADE for the reference (else RESTRICT)
  /// A reference inside a parent: the referenced row's field of this name equals this row's
  /// ("projectId": an episode of the row's own project). Checked by the core's entity writes
  /// and by the PostgreSQL fields trigger (ddl_postgres.cpp), both from this declaration.
  std::string within;
  Rule rule = Rule::None;
  Origin origin = Origin::Input;
  bool immutable = false;      // may be set on create, never changed by update
  bool actor_default = false;  // on create, defaults to the acting user (authorId, userId, …)
  std::optional<int64_t> min;  // Int/Money: minimum value; String/Text: minimum length
  std::optional<int64_t> max;  // Int/Money: maximum value; String/Text: max length in Unicode
                               // code points; Json: max serialized bytes
  std::optional<int64_t> max_entries;  // Json: max entries of the top-level list/object
  bool not_blank = false;  // String/Text: refused when only kBlankCodePoints (issue `blank`)
  std::string doc;

  bool required_on_create() const {
    return origin == Origin::Input && !nullable && !default_value.has_value() && !actor_default;
  }
};

struct Index {
  std::vector<std::string> columns;  // SQL column names
  bool unique = false;
  std::string where;          // partial index predicate (portable SQL), "" = none
  bool nocase_first = false;  // case-insensitive on the last column (e-mail)
};

struct Entity {
  std::string name;   // "Project"
  std::string table;  // "projects"
  std::string doc;
  std::vector<Field> fields;
  std::vector<Index> indexes;
  bool tenant_scoped = true;  // has organizationId (all but Organization)
  bool soft_delete = false;   // deletedAt / deletedBy
  bool append_only = false;   // rows can never be updated or deleted (AuditLog)
  bool api_writable = true;   // false: maintained by the store/triggers only
  bool api_updatable = true;  // false: rows are facts once written (events, chat messages)

  const Field* field(std::string_view json_name) const;
  const Field* column(std::string_view sql_name) const;
  /// Lookup by index_name ("ix_episodes_organization_id_project_id_deleted_at_status").
  const Index* index(std::string_view name) const;
};

/// An index's name: "ux_" (unique) or "ix_", the table, its columns ("ix_token_usage_
/// organization_id_occurred_at"). SQLite uses it as is; PostgreSQL shortens one over 63 bytes.
std::string index_name(const Entity& e, const Index& ix);

/// Code points a not-blank field may not consist of only (Field::not_blank): Unicode
/// White_Space (25 code points) plus the invisible U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER
/// and U+FEFF BOM. The core's validator, the SQLite CHECK (trim(x, char(…))) and the PostgreSQL
/// CHECK (btrim(x, U&'…')) all use this one list (docs/adr/0015-blank-names.md).
inline constexpr char32_t kBlankCodePoints[] = {
    0x0009, 0x000A, 0x000B, 0x000C, 0x000D, 0x0020, 0x0085, 0x00A0, 0x1680, 0x2000,
    0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A,
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0x200B, 0x2060, 0xFEFF};
/// What an upgrade writes into a not-blank field that held a blank value (both engines).
inline constexpr const char* kBlankPlaceholder = "Untitled";

/// True when `s` (UTF-8) is empty or only kBlankCodePoints.
bool is_blank(std::string_view s);

/// Every entity, in dependency order (parents before children).
const std::vector<Entity>& entities();
/// Lookup by entity name ("Project"); nullptr if unknown.
const Entity* find_entity(std::string_view name);
/// Lookup by table name.
const Entity* find_table(std::string_view table);

/// The fields of `e` in storage order: declaration order, except that fields added by a
/// Change::AddColumn after kColumnOrderBaseline come last, in version order (core/schema/
/// history.hpp). CREATE TABLE in both engines lists columns in this order.
std::vector<const Field*> storage_fields(const Entity& e);

/// The version whose Change::AddColumn added `field` of `entity` (0 = none: part of its table
/// since the table was created).
int added_in(std::string_view entity, std::string_view field);

/// Refuses (std::abort at start, like the bound checks of builder.hpp) a history that does not
/// match the declarations: versions 1, 2, … in order, changes naming real entities and fields
/// of a known version, AddColumn only for nullable or defaulted fields without a reference, a
/// PostgreSQL file for every version from 2. Run by entities() once.
void check_history(const std::vector<Entity>& all);

/// camelCase -> snake_case ("organizationId" -> "organization_id").
std::string snake_case(std::string_view camel);

std::string_view type_name(Type t);

}  // namespace ec::schema
