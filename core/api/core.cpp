// The dispatcher: request JSON -> operation lookup -> `as` check -> params check -> handler in a
// transaction -> response JSON. Tenancy, validation, audit and error mapping happen here once.
#include "core/api/entity_ops.hpp"
#include "core/api/registry.hpp"
#include "core/json/codec.hpp"
#include "core/store/repo.hpp"
#include "core/store/store.hpp"

#include <unordered_map>

namespace ec::api {

namespace {

// The handler of an operation declared with write_result alone: the written text, parsed.
json handler_from_text(Context& ctx, const json& params) {
  std::string text;
  ctx.op->write_result(ctx, params, text);
  return codec::parse_own(text);
}

}  // namespace

const std::vector<Operation>& operations() {
  static const std::vector<Operation> ops = [] {
    std::vector<Operation> all;
    add_org_ops(all);
    add_entity_ops(all);
    add_project_ops(all);
    add_event_ops(all);
    add_schedule_ops(all);
    add_meta_ops(all);
    add_demo_ops(all);
    add_mock_ops(all);
    for (auto& op : all)
      if (op.write_result && !op.handler) op.handler = handler_from_text;
    return all;
  }();
  return ops;
}

const Operation* find_operation(std::string_view name) {
  static const std::unordered_map<std::string_view, const Operation*> by_name = [] {
    std::unordered_map<std::string_view, const Operation*> m;
    for (const auto& op : operations()) m.emplace(op.name, &op);
    return m;
  }();
  auto it = by_name.find(name);
  return it == by_name.end() ? nullptr : it->second;
}

namespace {

json child(const char* key) {
  return key_path(key);
}

void check_plain(const std::vector<schema::Field>& fields, const json& params,
                 std::vector<Issue>& issues) {
  for (const auto& f : fields) {
    auto it = params.find(f.name);
    if (it == params.end()) {
      if (!f.nullable && !f.default_value)
        issues.push_back(validate::make_issue(child(f.name.c_str()), validate::issue::required,
                                              f.name + " is required",
                                              validate::kv("field", f.name)));
      continue;
    }
    validate::field(f, *it, validate::Path(validate::Path::root(), f.name), issues);
  }
}

bool declared(const std::vector<schema::Field>& fields, const std::string& key) {
  for (const auto& f : fields)
    if (f.name == key) return true;
  return false;
}

}  // namespace

void check_params(const Operation& op, const json& params) {
  std::vector<Issue> issues;
  if (!params.is_object())
    throw Error::invalid(
        {validate::make_issue(child("params"), validate::issue::invalid_type,
                              "params must be a JSON object", validate::kv("expected", "object"))});
  check_plain(op.params, params, issues);
  const schema::Entity* e = op.entity.empty() ? nullptr : schema::find_entity(op.entity);
  auto add = [&](std::vector<Issue> more) {
    for (auto& i : more) {
      if (validate::full(issues)) break;
      issues.push_back(std::move(i));
    }
  };
  if (e && op.entity_key.empty()) {
    // Unknown keys past the issue cap are not copied: validation stops there anyway.
    json doc = json::object();
    size_t unknown = 0;
    for (const auto& [k, v] : params.items()) {
      if (declared(op.params, k)) continue;
      if (!e->field(k) && ++unknown > schema::kMaxIssues + 1) continue;
      doc[k] = v;
    }
    add(validate::entity(*e, doc, op.entity_mode));
  } else {
    // Unknown parameters stop at the issue cap (290,000 of them cost one pass, not 290,000
    // issues).
    for (const auto& [k, v] : params.items()) {
      if (validate::full(issues)) break;
      if (declared(op.params, k) || (e && k == op.entity_key)) continue;
      issues.push_back(validate::make_issue(json::array({k}), validate::issue::unknown_field,
                                            "unknown parameter '" + k + "' for " + op.name,
                                            validate::kv("field", k)));
    }
    if (e && !validate::full(issues)) {
      auto it = params.find(op.entity_key);
      if (it == params.end()) {
        issues.push_back(validate::make_issue(child(op.entity_key.c_str()),
                                              validate::issue::required,
                                              op.entity_key + " is required"));
      } else {
        add(validate::entity(*e, *it, op.entity_mode, child(op.entity_key.c_str())));
      }
    }
  }
  if (!issues.empty()) throw Error::invalid(std::move(issues));
}

namespace {

// The principal of a request (docs/adr/0010-authorization.md): a user
// {"organizationId", "userId"} (a current member of that organization: role read from their row)
// or the system {"system": true, "organizationId"?}. Anything else is refused the same way, so
// probing ids reveals nothing.
store::Actor check_as(store::Store& s, const json& as, bool tenant_needed) {
  static const schema::Entity& users = *schema::find_entity("User");
  static const schema::Entity& orgs = *schema::find_entity("Organization");
  if (as.is_object() && as.contains("system")) {
    const json& org = as.value("organizationId", json(nullptr));
    if (as["system"] != true || as.size() > 2 ||
        (as.size() == 2 && !as.contains("organizationId")) || !(org.is_null() || org.is_string()))
      throw Error::at(code::bad_request,
                      "\"as\" of the system is {\"system\": true, \"organizationId\": uuid}", "as");
    store::Actor actor;
    actor.system = true;
    if (org.is_string()) {
      actor.organization_id = org.get<std::string>();
      // Only whether the organization exists is read (not its row).
      static const std::string exists_sql = [] {
        std::string sql = "SELECT 1 FROM " + orgs.table + " t WHERE t.id = ?";
        const std::string v = store::repo::visible_sql(orgs, "t");
        if (v != "1") sql += " AND " + v;
        return sql;
      }();
      bool found = false;
      if (validate::is_uuid(actor.organization_id)) {
        store::Stmt& st = s.db().prepare(exists_sql);
        st.bind(1, actor.organization_id);
        found = st.step();
        st.reset();
      }
      if (!found) throw Error::at(code::forbidden, "no such organization", "as");
    } else if (tenant_needed) {
      throw Error::at(code::bad_request,
                      "\"as\": {\"system\": true, \"organizationId\"} is required for this "
                      "operation",
                      "as");
    }
    return actor;
  }
  if (!as.is_object() || !as.contains("organizationId") || !as.contains("userId") ||
      !as["organizationId"].is_string() || !as["userId"].is_string())
    throw Error::at(code::bad_request,
                    "\"as\": {\"organizationId\", \"userId\"} is required for this operation",
                    "as");
  store::Actor actor{as["organizationId"].get<std::string>(), as["userId"].get<std::string>()};
  // Soft-deleted users are not found: they cannot act. Only the role is read (what
  // repo::find would return, without building the whole row as JSON).
  static const std::string role_sql = [] {
    std::string sql =
        "SELECT t.role FROM " + users.table + " t WHERE t.id = ? AND t.organization_id = ?";
    const std::string v = store::repo::visible_sql(users, "t");
    if (v != "1") sql += " AND " + v;
    return sql;
  }();
  bool found = false;
  if (validate::is_uuid(actor.organization_id) && validate::is_uuid(actor.user_id)) {
    store::Stmt& st = s.db().prepare(role_sql);
    st.bind(1, actor.user_id).bind(2, actor.organization_id);
    if (st.step()) {
      found = true;
      actor.role = st.text(0);
    }
    st.reset();
  }
  if (!found) throw Error::at(code::forbidden, "no such user in that organization", "as");
  return actor;
}

// The operation's declared level against the principal.
void authorize(const Operation& op, const store::Actor& who, bool has_principal) {
  using schema::authz::Level;
  const Level level = op.access.level;
  if (level == Level::Public) return;
  if (!has_principal)
    throw Error::at(code::bad_request, "\"as\" is required for this operation", "as");
  if (who.system) {
    if (level == Level::System || op.access.system_too || (level == Level::Member && !op.writes))
      return;
    throw Error::at(code::forbidden, op.name + " is run by a user, not by the system", "as");
  }
  if (level == Level::System)
    throw Error::at(code::forbidden,
                    op.name + " is run only by the system (the worker or the demo)", "as");
  if (!schema::authz::user_reaches(who.role, level))
    throw Error::at(code::forbidden,
                    op.name + " needs the " + schema::authz::level_name(level) + " role or higher",
                    "as");
}

/// A generic write operation (<prefix>.create/update/delete/restore/purge, see ops_entities.cpp)
/// of an entity whose rows only the system writes (core/schema/authz): the operation does not
/// exist, but the change is refused as PostgreSQL's row-level security refuses it (forbidden),
/// not reported as a typo.
void refuse_system_written(const std::string& name) {
  using schema::authz::Level;
  const auto dot = name.rfind('.');
  if (dot == std::string::npos) return;
  const std::string prefix = name.substr(0, dot);
  const std::string action = name.substr(dot + 1);
  for (const auto& e : schema::entities()) {
    if (op_prefix(e) != prefix) continue;
    const schema::authz::EntityAccess acc = schema::authz::entity_access(e.name);
    Level level;
    if (action == "create")
      level = acc.create;
    else if (action == "update")
      level = acc.update;
    else if (action == "delete" || action == "restore" || action == "purge")
      level = acc.remove;
    else
      return;
    if (level == Level::System)
      throw Error::at(code::forbidden,
                      e.name + " rows are written only by the system, through its own operations",
                      "op");
    return;
  }
}

/// The optional "requestId" of a write (a client's idempotency key), checked.
std::optional<std::string> request_id_of(const json& request) {
  auto it = request.find("requestId");
  if (it == request.end() || it->is_null()) return std::nullopt;
  if (!it->is_string() || it->get<std::string>().empty() ||
      codec::code_points(it->get<std::string>()) > 128)
    throw Error::at(code::bad_request, "\"requestId\" must be a string of 1 to 128 characters",
                    "requestId");
  return it->get<std::string>();
}

// ec_request_key: the answers of the last writes each principal sent with a request id, with
// the request that stored each one. Bookkeeping of this SQLite file only (no entity, not in the
// PostgreSQL schema); made on first use. It replaced ec_request (id, response: any request
// reusing an id got that answer back), which is dropped (docs/adr/0040).
constexpr int kRememberedRequests = 1000;  // per principal

void ensure_request_table(store::Db& db) {
  db.exec(
      "CREATE TABLE IF NOT EXISTS ec_request_key (principal TEXT NOT NULL, id TEXT NOT NULL, "
      "request TEXT NOT NULL, response TEXT NOT NULL, PRIMARY KEY (principal, id)); "
      "CREATE INDEX IF NOT EXISTS ec_request_key_by_principal ON ec_request_key (principal); "
      "DROP TABLE IF EXISTS ec_request");
}

/// Whose ids: each principal (a user in an organization, or the system in one) has its own, so
/// no principal can see, block or evict another's.
std::string request_principal(const store::Actor& who) {
  return (who.system ? std::string("system") : "user " + who.user_id) + " in " +
         who.organization_id;
}

/// What an id stands for: the operation and the params as sent, exactly (dump_text: keys
/// sorted, so key order does not matter; before prefill and defaults, which may depend on the
/// database's state). Compared whole, not hashed: a crafted collision cannot replay another
/// request's answer.
std::string request_text(const Operation& op, const json& params) {
  return op.name + "\n" + dump_text(params);
}

/// The stored answer of (principal, id), if any. An id the principal used for another request
/// is refused: it never answers for a request it was not sent with.
std::optional<std::string> recall_request(store::Db& db, const std::string& principal,
                                          const std::string& id, const std::string& request) {
  ensure_request_table(db);
  auto& st =
      db.prepare("SELECT request, response FROM ec_request_key WHERE principal = ? AND id = ?");
  st.bind(1, principal);
  st.bind(2, id);
  std::optional<std::string> out;
  bool other = false;
  if (st.step()) {
    if (st.text(0) == request)
      out = st.text(1);
    else
      other = true;
  }
  st.reset();
  if (other)
    throw Error::at(code::conflict,
                    "this requestId was already used for another request (another operation or "
                    "other params); a new request needs a new requestId",
                    "requestId");
  return out;
}

void remember_request(store::Db& db, const std::string& principal, const std::string& id,
                      const std::string& request, const std::string& response) {
  db.prepare("INSERT INTO ec_request_key (principal, id, request, response) VALUES (?, ?, ?, ?)")
      .bind(1, principal)
      .bind(2, id)
      .bind(3, request)
      .bind(4, response)
      .run();
  // The principal's oldest beyond the last kRememberedRequests (its index ends with the rowid).
  db.prepare(
        "DELETE FROM ec_request_key WHERE principal = ?1 AND rowid <= (SELECT rowid FROM "
        "ec_request_key WHERE principal = ?1 ORDER BY rowid DESC LIMIT 1 OFFSET ?2)")
      .bind(1, principal)
      .bind(2, int64_t{kRememberedRequests})
      .run();
}

/// The fields a request may carry (docs/API.md); any other one is refused, so that a misspelt
/// field ("parms", "requestID") is not silently ignored.
constexpr std::string_view kRequestFields[] = {"op", "as", "params", "now", "requestId", "track"};

void check_request_fields(const json& request) {
  for (const auto& [key, value] : request.items()) {
    bool known = false;
    for (const auto f : kRequestFields) known = known || key == f;
    if (!known)
      throw Error(
          code::bad_request,
          "unknown request field \"" + key + "\" (a request has " + request_fields_text() + ")",
          json::array({key}));
  }
}

/// The optional "track" flag: true, false or absent (null).
bool track_of(const json& request) {
  const auto it = request.find("track");
  if (it == request.end() || it->is_null()) return false;
  if (!it->is_boolean())
    throw Error::at(code::bad_request, "\"track\" must be true or false", "track");
  return it->get<bool>();
}

}  // namespace

std::string request_fields_text() {
  std::string list;
  for (const auto f : kRequestFields) {
    if (!list.empty()) list += f == kRequestFields[std::size(kRequestFields) - 1] ? " and " : ", ";
    list += f;
  }
  return list;
}

Core::Core(const std::string& path, Options options)
    : store_(std::make_unique<store::Store>(path, options.id_seed)) {
  if (options.busy_timeout_ms) store_->db().set_busy_timeout(*options.busy_timeout_ms);
}

Core::~Core() = default;

void Core::close() {
  store_.reset();
}

void Core::set_progress(Progress progress) {
  progress_ = std::move(progress);
}

json Core::call_json(const json& request) {
  json copy = request;
  return respond(copy, nullptr, nullptr);
}

json Core::respond(json& request, std::string* text_result, bool* written) {
  try {
    if (!store_) throw Error(code::closed, "the database is closed");
    if (!request.is_object()) throw Error(code::bad_request, "a request must be a JSON object");
    auto op_it = request.find("op");
    if (op_it == request.end() || !op_it->is_string())
      throw Error::at(code::bad_request, "\"op\" (the operation name) is required", "op");
    check_request_fields(request);
    const Operation* op = find_operation(op_it->get<std::string>());
    if (!op) refuse_system_written(op_it->get<std::string>());
    if (!op)
      throw Error::at(code::bad_request, "unknown operation '" + op_it->get<std::string>() + "'",
                      "op");
    store::Store& s = *store_;
    using schema::authz::Level;
    static const json no_principal = nullptr;
    const auto as_it = request.find("as");
    const json& as = as_it != request.end() ? *as_it : no_principal;
    // Public operations take an optional principal; every other one needs one.
    const bool has_principal = !as.is_null() || op->access.level != Level::Public;
    store::Actor who;
    if (has_principal) who = check_as(s, as, op->access.level != Level::Public && !op->access.demo);
    authorize(*op, who, has_principal);
    Instant now = s.now();
    if (auto it = request.find("now"); it != request.end() && !it->is_null()) {
      // Only the system picks the time of a request; a user acts now.
      if (!who.system) throw Error::at(code::forbidden, "only the system may set \"now\"", "now");
      auto t = it->is_string() ? parse_instant(it->get<std::string>()) : std::nullopt;
      if (!t) throw Error::at(code::bad_request, "\"now\" must be an ISO-8601 instant", "now");
      now = *t;
    }
    // The request is the caller's to give up (call() parsed it): params are moved, not copied.
    json params = json::object();
    if (auto it = request.find("params"); it != request.end() && !it->is_null())
      params = std::move(*it);
    const std::optional<std::string> request_id = request_id_of(request);
    const bool track = track_of(request);
    // What the request id stands for, from the params as sent (before prefill and defaults,
    // which may depend on the database's state).
    const bool keyed = request_id && op->writes;
    const std::string principal = keyed ? request_principal(who) : std::string();
    const std::string request_key = keyed ? request_text(*op, params) : std::string();
    Context ctx{s, who, now, progress_ ? &progress_ : nullptr, op};
    if (op->prefill && params.is_object()) op->prefill(ctx, params);
    check_params(*op, params);
    for (const auto& f : op->params)
      if (!params.contains(f.name) && f.default_value) params[f.name] = *f.default_value;
    json result;
    bool replayed = false;
    bool text = false;
    if (track) s.db().track();
    const std::size_t text_base = text_result ? text_result->size() : 0;
    if (op->writes) {
      s.db().transaction([&] {
        // A request id makes a write idempotent: the first answer is stored in the same
        // transaction, so a client that re-sends (another tab took over) gets it back instead
        // of a second write.
        if (request_id) {
          if (auto prior = recall_request(s.db(), principal, *request_id, request_key)) {
            result = codec::parse(*prior);
            replayed = true;
            return;
          }
        }
        if (text_result && op->write_result) {
          // A write whose result is written straight as text (its rows held as typed values),
          // appended to what call() put in the buffer (as a read's below); stored for a replay
          // as dump_text would have written it, byte for byte.
          text_result->resize(text_base);
          op->write_result(ctx, params, *text_result);
          text = true;
          if (request_id)
            remember_request(s.db(), principal, *request_id, request_key,
                             text_result->substr(text_base));
          return;
        }
        result = op->handler(ctx, params);
        if (request_id)
          remember_request(s.db(), principal, *request_id, request_key, dump_text(result));
      });
    } else if (text_result && op->write_result) {
      // A read written straight as text (docs/adr, raw JSON results), appended to what call()
      // put in the buffer: call() puts it in place.
      op->write_result(ctx, params, *text_result);
      text = true;
    } else {
      result = op->handler(ctx, params);
    }
    if (!s.db().in_transaction()) s.db().release_reads();
    json out{{"ok", true}};
    if (!text) out["result"] = std::move(result);
    if (track) {
      const store::Db::Tracked t = s.db().take_tracked();
      out["reads"] = json(std::vector<std::string>(t.reads.begin(), t.reads.end()));
      out["changed"] = json(std::vector<std::string>(t.changed.begin(), t.changed.end()));
    }
    if (replayed) out["replayed"] = true;
    if (written) *written = text;
    return out;
  } catch (...) {
    if (store_) store_->db().take_tracked();
    Error e = to_error(std::current_exception());
    // A failed request never leaves a statement holding a read lock on the file.
    if (store_ && !store_->db().in_transaction()) store_->db().release_reads();
    return error_response(e);  // only out of memory can throw here; call() catches that
  }
}

std::string Core::call(std::string_view request_json) {
  try {
    json request = codec::parse(request_json);
    // A result written as text goes in as the last key: every other key of a success response
    // ("changed", "ok", "reads", "replayed") sorts before "result", as dump_text orders them.
    // It is written after the envelope of the usual answer, {"ok":true} (no other key): that
    // answer is then the buffer itself, not a copy of the result into another string.
    static constexpr std::string_view kOkResult = "{\"ok\":true,\"result\":";
    std::string result(kOkResult);
    bool written = false;
    const json out = respond(request, &result, &written);
    if (written && out.size() == 1) {
      result += '}';
      return result;
    }
    std::string text = dump_text(out);
    if (written && text.size() > 1 && text.back() == '}' && out.value("ok", false)) {
      text.pop_back();
      text.reserve(text.size() + result.size() + 1);
      text += ",\"result\":";
      text.append(result, kOkResult.size());
      text += '}';
    }
    return text;
  } catch (...) {
    return error_response_text(to_error(std::current_exception()));
  }
}

}  // namespace ec::api
