#pragma once
// Operation declarations: each operation is declared once with its name, parameters (as schema
// fields, so validation, docs and TypeScript types derive from them), result type and handler.
#include <initializer_list>
#include <string>
#include <vector>

#include "core/api/api.hpp"
#include "core/api/result.hpp"
#include "core/schema/authz.hpp"
#include "core/schema/builder.hpp"
#include "core/store/store.hpp"
#include "core/validate/validate.hpp"

namespace ec::api {

struct Operation;

/// What a handler runs with: the store, who is acting, the request's time, and the operation.
struct Context {
  store::Store& store;
  store::Actor as;
  Instant now;
  const Progress* progress = nullptr;
  const Operation* op = nullptr;
};

/// Who may run an operation (docs/adr/0010-authorization.md). The level's rules are in
/// core/schema/authz.hpp: Public needs no `as`; Member/Admin/Owner need a user of at least that
/// role; System needs the system principal {"system": true, "organizationId"}. The system may
/// also run Member-level reads and every operation with `system_too`.
struct Access {
  schema::authz::Level level = schema::authz::Level::Member;
  /// A user-level operation the system may run too (queue.retry / queue.cancel).
  bool system_too = false;
  /// Only the offline demo needs it (clock, actor picker, mock data); production has none.
  bool demo = false;
};

struct Operation {
  std::string name;  // "project.create"
  std::string doc;
  Access access;
  std::vector<schema::Field> params;
  /// Entity-shaped parameters: "" = none; validated with `entity_mode` at `entity_key`
  /// ("" = the params object itself, e.g. create; "patch" = params.patch, e.g. update).
  std::string entity;
  validate::Mode entity_mode = validate::Mode::Create;
  std::string entity_key;
  /// The result (core/api/result.hpp): the TypeScript types, docs and the conformance test
  /// derive from it.
  result::Shape result;
  std::vector<std::string> errors;  // error codes the operation can return, besides invalid
  bool writes = true;               // runs inside a transaction
  // The handlers are plain function pointers (captureless lambdas): one std::function per
  // handler cost its own vtable, clone/destroy code and type name (docs/BENCHMARKS.md, "Session
  // 5: browser core size, other steps"). What a handler needs besides the params is in Context
  // (ctx.op->target for the generic entity operations).
  /// Fills caller-omitted values that have a contextual default (acting user, next number)
  /// before validation.
  void (*prefill)(Context&, json& params) = nullptr;
  json (*handler)(Context&, const json& params) = nullptr;
  /// Optional, for reads that go from SQLite rows straight to the response (docs/adr, raw JSON
  /// results): appends the result as JSON text, byte-identical to dump_text of what `handler`
  /// returns. An operation declared with it alone gets `handler` derived from it (the text
  /// parsed), so both paths run the same code.
  void (*write_result)(Context&, const json& params, std::string& out) = nullptr;
  /// The entity a generic entity operation (ops_entities.cpp) acts on; null for the others.
  const schema::Entity* target = nullptr;
};

/// An operation as declared (docs/adr/0031-declarations-as-data.md): Operation's members, in the same
/// order and with the same names, as literals, constant parameter declarations and lists, so
/// that a declaration compiles to constant data and one call (not to string, vector and field
/// constructions inlined at start-up). It converts into the Operation every reader uses.
struct OpDecl {
  const char* name = nullptr;  // null (unset): ""
  const char* doc = nullptr;
  Access access;
  std::initializer_list<schema::FieldDecl> params;
  const char* entity = nullptr;
  validate::Mode entity_mode = validate::Mode::Create;
  const char* entity_key = nullptr;
  result::Ref result;
  std::initializer_list<const char*> errors;
  bool writes = true;
  void (*prefill)(Context&, json& params) = nullptr;
  json (*handler)(Context&, const json& params) = nullptr;
  void (*write_result)(Context&, const json& params, std::string& out) = nullptr;

  operator Operation() &&;  // NOLINT: a declaration converts implicitly by design
};

/// Every declared operation, in declaration order.
const std::vector<Operation>& operations();
const Operation* find_operation(std::string_view name);

/// Validates `params` against an operation's declaration; throws Error::invalid with all issues.
void check_params(const Operation& op, const json& params);

// Registration, one function per operation family (core/api/ops_*.cpp).
void add_entity_ops(std::vector<Operation>& ops);
void add_org_ops(std::vector<Operation>& ops);
void add_project_ops(std::vector<Operation>& ops);
void add_event_ops(std::vector<Operation>& ops);
void add_meta_ops(std::vector<Operation>& ops);
void add_demo_ops(std::vector<Operation>& ops);
/// Organizations of the local database with their members (demo.actors).
json demo_actors(store::Store& s);
void add_mock_ops(std::vector<Operation>& ops);
void add_schedule_ops(std::vector<Operation>& ops);

}  // namespace ec::api
