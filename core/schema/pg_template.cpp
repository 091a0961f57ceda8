// The PostgreSQL template expander (expand_pg_template, pg_functions_sql.hpp): the markers of the
// queue and budget SQL (pg_queue_sql.cpp, pg_budget_sql.cpp) become checks and constants
// generated from the C++ declarations.
#include <stdexcept>
#include <string>

#include "core/api/registry.hpp"  // the operations' param declarations (bounds of the params)
#include "core/error_codes.hpp"   // the SQLSTATE raised per error code (@sqlstate)
#include "core/rules.hpp"         // the rule constants and state names (@const, @state)
#include "core/schema/pg_functions_sql.hpp"

namespace ec::schema {

namespace {

// The SQL below is a template: these markers expand to checks generated from the declarations,
// so PostgreSQL refuses exactly what the core refuses, with invalid (SQLSTATE 22023):
//   @param(<op>,<param>,<p_var>)  the op param's declared bounds (core/api/ops_schedule.cpp):
//                                 Int/Money value range, String/Text length range (String on
//                                 one line), required;
//   @usage(<p_var>)               the TokenUsage Int/Money fields (core/schema/entities.cpp)
//                                 of a usage jsonb: a number, integral, in the declared range,
//                                 present when required; then its @usageforms;
//   @usageforms(<p_var>)          the usage's Uuid and Instant fields in the core's text forms;
//   @const:<name>@                a rule constant of core/rules.hpp (inline);
//   @state:<List>.<value>@        a state name of core/rules.hpp, checked to exist (inline);
//   @sqlstate:<code>@             the SQLSTATE raised for an error code (core/errors.hpp).
// Any other @word( or @word: marker stops generation (std::logic_error).
// The SQLSTATE of `invalid` (core/errors.cpp pg_states).
std::string invalid_state() {
  return pg_raised_state(code::invalid);
}

std::string param_check(const std::string& op_name, const std::string& param,
                        const std::string& var) {
  const api::Operation* op = api::find_operation(op_name);
  if (!op) throw std::logic_error("pg_queue_sql: no operation " + op_name);
  for (const Field& f : op->params) {
    if (f.name != param) continue;
    const bool number = f.type == Type::Int || f.type == Type::Money;
    const bool text = f.type == Type::String || f.type == Type::Text;
    if (!number && !text) throw std::logic_error("pg_queue_sql: " + param + " is not bounded");
    const std::string v = number ? var : "char_length(" + var + ")";
    const int64_t lo = f.min.value_or(0);
    std::string cond = var + " is null";
    if (f.min || number) cond += " or " + v + " < " + std::to_string(lo);
    if (f.max) cond += " or " + v + " > " + std::to_string(*f.max);
    // String (not Text) is one line, as core/validate checks it.
    if (f.type == Type::String) cond += " or " + var + " ~ '[\\r\\n]'";
    // Not blank, as core/validate checks it (Field::not_blank).
    if (f.not_blank) cond += " or btrim(" + var + ", " + postgres_blank_chars() + ") = ''";
    const std::string range =
        std::to_string(lo) + ".." + (f.max ? std::to_string(*f.max) : std::string("any"));
    return "  if " + cond + " then\n    raise exception 'invalid: " + var + " must be " +
           (number ? "" : "a text of length ") + range +
           (f.type == Type::String ? " on one line" : "") + (f.not_blank ? ", not blank" : "") +
           "' using errcode = '" + invalid_state() + "';\n  end if;";
  }
  throw std::logic_error("pg_queue_sql: " + op_name + " has no param " + param);
}

std::string usage_forms_check(const std::string& var);

std::string usage_check(const std::string& var) {
  std::string out;
  for (const Field& f : find_entity("TokenUsage")->fields) {
    if (f.type != Type::Int && f.type != Type::Money) continue;
    const std::string key = "'" + f.name + "'";
    const std::string val = "(" + var + " ->> " + key + ")::numeric";
    const std::string lo = std::to_string(f.min.value_or(0));
    const std::string hi = std::to_string(f.max.value_or(kMaxSafeInteger));
    const std::string missing = f.required_on_create() ? "not " + var + " ? " + key + " or " : "";
    if (!out.empty()) out += "\n";
    out += "  if " + missing + "(" + var + " ? " + key + " and (jsonb_typeof(" + var + " -> " +
           key + ") <> 'number' or " + val + " <> trunc(" + val + ") or " + val + " < " + lo +
           " or " + val + " > " + hi + ")) then\n    raise exception 'invalid: usage." + f.name +
           " must be an integer " + lo + ".." + hi + "' using errcode = '" + invalid_state() +
           "', detail = '{\"path\": [\"usage\", \"" + f.name + "\"]}';\n  end if;";
  }
  return out + "\n" + usage_forms_check(var);
}

// The usage's ids and instants in the core's text forms only (lower-case UUIDs; ISO-8601 instants
// with a T, seconds 00-59, an offset): PostgreSQL's own ::uuid / ::timestamptz take more.
std::string usage_forms_check(const std::string& var) {
  std::string out;
  for (const Field& f : find_entity("TokenUsage")->fields) {
    if (f.origin != Origin::Input || (f.type != Type::Uuid && f.type != Type::Instant)) continue;
    const std::string key = "'" + f.name + "'";
    const std::string form =
        f.type == Type::Uuid
            ? "private.is_uuid_text(" + var + " ->> " + key + ")"
            : "private.parse_instant_text(" + var + " ->> " + key + ") is not null";
    out += std::string(out.empty() ? "" : "\n") + "  if jsonb_typeof(" + var + " -> " + key +
           ") = 'string' and not " + form + " then\n    raise exception 'invalid: usage." + f.name +
           " must be " +
           (f.type == Type::Uuid ? "a UUID (8-4-4-4-12 lower-case hex)" : "an ISO-8601 instant") +
           "' using errcode = '" + invalid_state() + "', detail = '{\"path\": [\"usage\", \"" +
           f.name + "\"]}';\n  end if;";
  }
  return out;
}

// One inline marker `@const:<name>@` (a rule constant) or `@state:<List>.<value>@` (a declared
// state name, checked to exist), both from core/rules.hpp.
std::string inline_marker(const std::string& kind, const std::string& arg) {
  if (kind == "sqlstate") {
    if (const char* state = pg_raised_state(arg)) return state;
    throw std::logic_error("pg template: no SQLSTATE is raised for @sqlstate:" + arg + "@");
  }
  if (kind == "const") {
    const rules::Constant* c = rules::find_constant(arg);
    if (!c) throw std::logic_error("pg template: unknown constant @const:" + arg + "@");
    return rules::constant_text(*c);
  }
  const size_t dot = arg.find('.');
  const rules::StateList* list =
      dot == std::string::npos ? nullptr : rules::find_state_list(arg.substr(0, dot));
  if (list)
    for (const auto& v : list->values)
      if (v == arg.substr(dot + 1)) return v;
  throw std::logic_error("pg template: unknown state @state:" + arg + "@");
}

}  // namespace

std::string expand_pg_template(std::string sql) {
  for (size_t at = 0; (at = sql.find('@', at)) != std::string::npos;) {
    // A marker is '@', a lower-case word, then '(' or ':'; any other '@' is text.
    size_t w = at + 1;
    while (w < sql.size() && sql[w] >= 'a' && sql[w] <= 'z') ++w;
    const std::string word = sql.substr(at + 1, w - at - 1);
    if (word.empty() || w >= sql.size() || (sql[w] != '(' && sql[w] != ':')) {
      ++at;
      continue;
    }
    if (sql[w] == ':') {
      const size_t close = sql.find('@', w);
      if ((word != "const" && word != "state" && word != "sqlstate") || close == std::string::npos)
        throw std::logic_error("pg template: unknown marker @" + word + ":");
      const std::string text = inline_marker(word, sql.substr(w + 1, close - w - 1));
      sql.replace(at, close + 1 - at, text);
      at += text.size();
      continue;
    }
    if (word != "param" && word != "usage" && word != "usageforms")
      throw std::logic_error("pg template: unknown marker @" + word + "(");
    const size_t close = sql.find(')', at);
    std::string args = sql.substr(w + 1, close - w - 1);
    std::string text;
    if (word == "usage") {
      text = usage_check(args);
    } else if (word == "usageforms") {
      text = usage_forms_check(args);
    } else {
      const size_t c1 = args.find(',');
      const size_t c2 = args.find(',', c1 + 1);
      text = param_check(args.substr(0, c1), args.substr(c1 + 1, c2 - c1 - 1), args.substr(c2 + 1));
    }
    // The marker stands alone on its line (indented): replace the whole line.
    const size_t line = sql.rfind('\n', at) + 1;
    sql.replace(line, close + 1 - line, text);
    at = line + text.size();
  }
  return sql;
}

}  // namespace ec::schema
