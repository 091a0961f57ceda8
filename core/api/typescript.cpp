// Generates TypeScript types and the API reference from the declarations, so the client's
// types and docs cannot drift from the core (a test compares them with the committed files).
#include "core/api/typescript.hpp"

#include <cctype>
#include <sstream>

#include "core/api/api.hpp"
#include "core/api/registry.hpp"
#include "core/schema/schema.hpp"

namespace ec::api {

using schema::Field;
using schema::Rule;
using schema::Type;

namespace {

// Result shapes shared by several operations. Declared here once, next to the generator.
const char* kSharedTypes = R"TS(/** A page of rows. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Project.cadenceConfig: weekly cadence in a local time zone. */
export interface CadenceConfig {
  days: Weekday[];
  /** "HH:MM", 24h, local time. */
  time: string;
  /** IANA zone; else the owner's timezone, else UTC. */
  timezone?: string;
  /** "YYYY-MM-DD" (episodes resume on that local date) or an ISO instant. */
  pausedUntil?: string | null;
  /** Local dates ("YYYY-MM-DD") without an episode. */
  skipDates?: string[];
}

/** Project.memories (MVP list). */
export interface ProjectMemory {
  id: string;
  content: string;
  createdAt: string;
  updatedAt?: string;
}

/** One failed generation attempt recorded on an Episode. */
export interface GenerationError {
  at: string;
  code: string;
  message: string;
  attempt?: number;
}

/** AuditLog.changes */
export type AuditChanges = Record<string, { before: unknown; after: unknown }>;

/** One validation problem. */
export interface Issue {
  path: (string | number)[];
  code: string;
  message: string;
  params: Record<string, unknown>;
}
)TS";

std::string ts_type(const Field& f) {
  std::string t;
  switch (f.type) {
    case Type::Int:
    case Type::Money:
      t = "number";
      break;
    case Type::Bool:
      t = "boolean";
      break;
    case Type::Enum:
      for (const auto& v : f.enum_values) t += (t.empty() ? "\"" : " | \"") + v + "\"";
      break;
    case Type::Json:
      switch (f.rule) {
        case Rule::Cadence:
          t = "CadenceConfig";
          break;
        case Rule::Memories:
          t = "ProjectMemory[]";
          break;
        case Rule::GenErrors:
          t = "GenerationError[]";
          break;
        case Rule::JsonChanges:
          t = "AuditChanges";
          break;
        default:
          t = "Record<string, unknown>";
          break;
      }
      break;
    default:
      t = "string";
  }
  return f.nullable ? t + " | null" : t;
}

void doc_comment(std::ostringstream& os, const std::string& doc, const char* indent) {
  if (!doc.empty()) os << indent << "/** " << doc << " */\n";
}

// The declared bounds in words (core/schema: the same numbers the CHECKs and validation use).
std::string bounds_doc(const Field& f) {
  const auto n = [](int64_t v) { return std::to_string(v); };
  switch (f.type) {
    case Type::Int:
    case Type::Money:
      if (f.min && f.max) return "Integer " + n(*f.min) + ".." + n(*f.max) + ".";
      return "";
    case Type::String:
    case Type::Text:
      if (f.max)
        return (f.min && *f.min > 0 ? n(*f.min) + ".." + n(*f.max) : "At most " + n(*f.max)) +
               " characters (code points), no U+0000." +
               (f.not_blank ? " Not blank (only white space is refused: `blank`)." : "");
      return "";
    case Type::Json:
      if (f.max_entries) return "At most " + n(*f.max_entries) + " entries.";
      return "";
    default:
      return "";
  }
}

std::string field_doc(const Field& f) {
  std::string d = f.doc;
  if (const std::string b = bounds_doc(f); !b.empty()) d += (d.empty() ? "" : " ") + b;
  if (f.type == Type::Money)
    d += (d.empty() ? "" : " ") + std::string("Integer micro-pounds (GBP).");
  if (f.type == Type::Instant) d += (d.empty() ? "" : " ") + std::string("ISO-8601 UTC instant.");
  if (f.type == Type::Date) d += (d.empty() ? "" : " ") + std::string("YYYY-MM-DD.");
  return d;
}

void fields_block(std::ostringstream& os, const std::vector<Field>& fields, bool all_required,
                  bool patch) {
  for (const auto& f : fields) {
    doc_comment(os, field_doc(f), "  ");
    const bool optional = patch || (!all_required && !f.required_on_create());
    os << "  " << f.name << (optional ? "?: " : ": ") << ts_type(f) << ";\n";
  }
}

std::string params_type(const Operation& op) {
  std::ostringstream os;
  std::vector<Field> plain = op.params;
  os << "{\n";
  fields_block(os, plain, false, false);
  if (!op.entity.empty() && !op.entity_key.empty())
    os << "  " << op.entity_key << ": " << op.entity
       << (op.entity_mode == validate::Mode::Patch ? "Patch" : "Create") << ";\n";
  os << "}";
  std::string t = os.str();
  if (plain.empty() && op.entity_key.empty()) t = "Record<string, never>";
  if (!op.entity.empty() && op.entity_key.empty()) {
    const std::string e =
        op.entity + (op.entity_mode == validate::Mode::Patch ? "Patch" : "Create");
    t = plain.empty() ? e : e + " & " + t;
  }
  return t;
}

// A named result shape: an interface for objects, a type alias otherwise.
void named_block(std::ostringstream& os, const result::NamedShape& n) {
  doc_comment(os, n.doc, "");
  if (n.shape.kind != result::Kind::Object) {
    os << "export type " << n.name << " = " << result::ts(n.shape) << ";\n\n";
    return;
  }
  os << "export interface " << n.name << " {\n";
  for (const auto& f : n.shape.fields) {
    doc_comment(os, f.doc, "  ");
    os << "  " << f.name << (f.optional ? "?: " : ": ") << result::ts(f) << ";\n";
  }
  os << "}\n\n";
}

}  // namespace

std::string typescript_types() {
  std::ostringstream os;
  os << "// Generated by `episodes-core types --lang ts` from core/schema and core/api. Do not "
        "edit.\n"
     << "/* eslint-disable */\n\n"
     << "export const SCHEMA_VERSION = " << schema::kSchemaVersion << ";\n\n"
     << kSharedTypes << "\n";
  for (const auto& e : schema::entities()) {
    doc_comment(os, e.doc, "");
    os << "export interface " << e.name << " {\n";
    fields_block(os, e.fields, true, false);
    os << "}\n";
    std::vector<Field> create, patch;
    for (const auto& f : e.fields) {
      if (f.origin != schema::Origin::Input) continue;
      create.push_back(f);
      if (!f.immutable) patch.push_back(f);
    }
    os << "/** Input of " << e.name << " creation (system fields are set by the core). */\n";
    os << "export interface " << e.name << "Create {\n";
    fields_block(os, create, false, false);
    os << "}\n";
    os << "/** Changeable fields of " << e.name << ". */\n";
    os << "export interface " << e.name << "Patch {\n";
    fields_block(os, patch, false, true);
    os << "}\n\n";
  }
  os << "// Operation results (core/api/results.cpp).\n\n";
  for (const auto& n : result::named_shapes()) named_block(os, n);
  os << "export type EntityName =";
  for (const auto& e : schema::entities()) os << "\n  | \"" << e.name << "\"";
  os << ";\n\n/** Every operation: its parameters and result. */\nexport interface Operations {\n";
  for (const auto& op : operations()) {
    doc_comment(os, op.doc, "  ");
    std::string params = params_type(op);
    // Indent multi-line parameter objects.
    std::string indented;
    for (char c : params) {
      indented += c;
      if (c == '\n') indented += "    ";
    }
    os << "  \"" << op.name << "\": {\n    params: " << indented
       << ";\n    result: " << result::ts(op.result)
       << ";\n    needsAs: " << (op.access.level != schema::authz::Level::Public ? "true" : "false")
       << ";\n    access: \"" << schema::authz::level_name(op.access.level) << "\";\n  };\n";
  }
  os << "}\n\nexport type OperationName = keyof Operations;\n";
  os << "export type ParamsOf<O extends OperationName> = Operations[O][\"params\"];\n";
  os << "export type ResultOf<O extends OperationName> = Operations[O][\"result\"];\n";
  os << "\nexport const OPERATION_NAMES = [";
  bool first = true;
  for (const auto& op : operations()) {
    os << (first ? "\n" : ",\n") << "  \"" << op.name << "\"";
    first = false;
  }
  os << "\n] as const;\n";
  return os.str();
}

namespace {

std::string access_text(const Operation& op) {
  using schema::authz::Level;
  std::string t;
  switch (op.access.level) {
    case Level::Public:
      t = "public (no `as` needed)";
      break;
    case Level::System:
      t = "the system only (`as`: `{\"system\": true, \"organizationId\"}`)";
      break;
    default:
      t = std::string("a user with role ") + schema::authz::level_name(op.access.level) +
          " or higher";
      if (op.access.system_too || (op.access.level == Level::Member && !op.writes))
        t += ", or the system";
  }
  if (op.access.demo) t += "; offline demo only";
  return t;
}

// A result shape in docs/API.md words: instants, dates, ids and integers by name, named shapes
// linked to their section under "Result types".
std::string result_md(const result::Shape& s) {
  using result::Kind;
  std::string t;
  switch (s.kind) {
    case Kind::String:
      t = "string";
      break;
    case Kind::Instant:
      t = "instant";
      break;
    case Kind::Date:
      t = "date";
      break;
    case Kind::Uuid:
      t = "uuid";
      break;
    case Kind::Int:
      t = "integer";
      break;
    case Kind::Number:
      t = "number";
      break;
    case Kind::Bool:
      t = "boolean";
      break;
    case Kind::Json:
      t = "any JSON";
      break;
    case Kind::Enum:
      t = "`" + result::ts(result::enumeration(s.values)) + "`";
      break;
    case Kind::Object:
      t = "`" + result::ts(s) + "`";
      break;
    case Kind::Array:
      t = "array of " + result_md(s.of.at(0));
      break;
    case Kind::Map:
      t = "object of " + result_md(s.of.at(0));
      break;
    case Kind::Page:
      t = "page of " + result_md(s.of.at(0));
      break;
    case Kind::Entity:
      t = "`" + result::ts(s) + "`";
      break;
    case Kind::Named: {
      std::string anchor = s.ref;
      for (auto& c : anchor) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      t = "[" + s.ref + "](#" + anchor + ")";
      break;
    }
  }
  if (s.kind == Kind::Object && s.nullable) return t;  // ts() already says "| null"
  return s.nullable ? t + " or null" : t;
}

}  // namespace

std::string api_markdown() {
  std::ostringstream os;
  os << "# API reference\n\n"
     << "Generated by `episodes-core docs --api` from the operation declarations in `core/api/`. "
        "Do not edit.\n\n"
     << "Every surface (CLI `episodes-core call`, the wasm module, the TypeScript client) sends "
        "the same JSON:\n\n"
     << "```json\n{\"op\":\"project.list\",\"as\":{\"organizationId\":\"…\",\"userId\":\"…\"},"
        "\"params\":{}}\n```\n\n"
     << "and receives `{\"ok\":true,\"result\":…}` or "
        "`{\"ok\":false,\"error\":{\"code\",\"message\",\"path\","
        "\"issues\":[…]}}`. `now` (the system only) is optional (default: the store clock). Every "
        "operation may also "
        "fail with "
     << "`invalid` (params failed validation; `issues` lists every problem), `bad_request` "
        "(malformed request), "
     << "`forbidden` (`as` is not a current member of that organization, the role is below the "
        "operation's level or a role rule refuses the change, or a user sent `now`) and "
        "`internal`. A request's fields are "
     << request_fields_text() << "; any other field is `bad_request` at its name.\n\n"
     << "`as` is a user `{\"organizationId\", \"userId\"}` or the system "
        "`{\"system\": true, \"organizationId\"}` (the worker, the service role, the offline "
        "demo); only the system may send `now`. Who may do what:\n\n"
     << schema::authz::markdown() << "\n"
     << "Another organization's ids behave exactly like ids that do not exist (`not_found`).\n\n"
     << "Two optional request fields serve clients that share one database between several "
        "views or tabs (the browser dashboard; docs/adr/0019-multi-tab-leader-election.md):\n\n"
     << "- `\"track\": true` adds `\"reads\"` (the tables the operation read) and "
        "`\"changed\"` (the tables it inserted into, updated or deleted from; `[]` for a read) "
        "to a successful response, both sorted names: `{\"ok\":true,\"result\":…,\"reads\":"
        "[\"episodes\"],\"changed\":[]}`. A view re-runs when a table it read changes. "
        "Without `track` (or with `false`) the response is unchanged; any other value is "
        "`bad_request` at `[\"track\"]`.\n"
     << "- `\"requestId\"` (1..128 characters) makes a write idempotent: its answer is stored "
        "in the write's own transaction (the last 1000 of each principal), and the same request "
        "sent again by the same principal with the same id answers that stored result with "
        "`\"replayed\": true` instead of writing twice. An id stands for the request it was "
        "first sent with (operation and params, compared whole; key order does not matter): "
        "another request of the principal reusing it is refused with `conflict` at "
        "`[\"requestId\"]` and writes nothing. Ids are per principal: another user or "
        "organization using the same id runs its own request. A failed write stores nothing; "
        "reads and the clock operations ignore the id.\n\n";
  std::string family;
  for (const auto& op : operations()) {
    const std::string f = op.name.substr(0, op.name.find('.'));
    if (f != family) {
      family = f;
      os << "## " << family << "\n\n";
    }
    os << "### `" << op.name << "`\n\n" << op.doc << "\n\n";
    os << "Access: " << access_text(op) << ".\n\n";
    if (!op.entity.empty()) {
      const char* mode = op.entity_mode == validate::Mode::Patch ? "Patch" : "Create";
      os << "- Input: "
         << (op.entity_key.empty() ? "the params object is a" : "`" + op.entity_key + "` is a")
         << " `" << op.entity << mode << "` (see the generated TypeScript types)\n";
    }
    for (const auto& p : op.params) {
      os << "- `" << p.name << "`: `" << ts_type(p) << "`"
         << (p.required_on_create() ? " (required)" : "");
      if (p.default_value) os << ", default `" << p.default_value->dump() << "`";
      if (const std::string d = field_doc(p); !d.empty()) os << ": " << d;
      os << "\n";
    }
    if (op.params.empty() && op.entity.empty()) os << "- no parameters\n";
    os << "- Result: " << result_md(op.result) << "\n";
    if (!op.errors.empty()) {
      os << "- Errors:";
      for (const auto& e : op.errors) os << " `" << e << "`";
      os << "\n";
    }
    os << "\n";
  }
  os << "## Result types\n\n"
     << "Declared once in `core/api/results.cpp` (the TypeScript interfaces of the same name are "
        "generated from them; entity rows have every field of the entity, a page is "
        "`{items, total, limit, offset}`; instants are ISO-8601 UTC, dates YYYY-MM-DD). Every key "
        "is always present unless marked "
        "optional; no other key is.\n\n";
  for (const auto& n : result::named_shapes()) {
    os << "### " << n.name << "\n\n" << n.doc << "\n\n";
    if (n.shape.kind != result::Kind::Object) {
      os << result_md(n.shape) << "\n\n";
      continue;
    }
    for (const auto& f : n.shape.fields) {
      os << "- `" << f.name << "`" << (f.optional ? " (optional)" : "") << ": " << result_md(f);
      if (!f.doc.empty()) os << " — " << f.doc;
      os << "\n";
    }
    os << "\n";
  }
  return os.str();
}

}  // namespace ec::api
