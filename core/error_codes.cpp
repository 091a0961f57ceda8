#include "core/error_codes.hpp"

namespace ec {

const std::vector<CodeInfo>& error_codes() {
  static const std::vector<CodeInfo> all = {
      {code::invalid, "invalid", "Params failed validation; `issues` lists every problem."},
      {code::bad_request, "badRequest",
       "Malformed request: unknown op, wrong JS type, value JSON cannot carry, bad option."},
      {code::not_found, "notFound", "No such row (another organization's rows included)."},
      {code::conflict, "conflict", "A unique rule or a state conflict."},
      {code::plan_limit, "planLimit", "The organization's plan allows no more."},
      {code::forbidden, "forbidden", "The principal may not do this."},
      {code::budget_exceeded, "budgetExceeded", "The daily budget would be passed."},
      {code::stale_lease, "staleLease", "The queue lease is no longer held by this token."},
      {code::schema_too_new, "schemaTooNew",
       "The database (stored or imported) has a newer schema than this build knows."},
      {code::not_a_database, "notADatabase",
       "Not an SQLite file, damaged, or made by another application."},
      {code::io, "io", "Storage failed (OPFS/IndexedDB error, quota)."},
      {code::internal, "internal", "A bug or an unexpected failure."},
      {code::closed, "closed", "The client was closed."},
      {code::busy, "busy",
       "The database stayed locked by another connection for the busy timeout; `retryable`."},
      {code::aborted, "aborted",
       "The wasm module aborted (e.g. out of memory); reopen the client."},
  };
  return all;
}

const std::vector<PgState>& pg_states() {
  static const std::vector<PgState> all = {
      {"22023", code::invalid, true},
      {"23514", code::invalid},
      {"23502", code::invalid},
      {"22P02", code::invalid},
      {"22021", code::invalid},
      {"22P05", code::invalid},
      {"22003", code::invalid},
      {"22007", code::invalid},
      {"22008", code::invalid},
      {"22001", code::invalid},
      {"2201X", code::invalid},
      {"22004", code::invalid},
      {"22P03", code::invalid},
      {"22025", code::invalid},
      {"22030", code::invalid},
      {"22032", code::invalid},
      {"22000", code::invalid},
      {"P0002", code::not_found, true},
      {"23503", code::not_found},
      {"EC410", code::conflict, true},
      {"23505", code::conflict},
      {"23P01", code::conflict},
      {"EC403", code::forbidden, true},
      {"42501", code::forbidden},
      {"EC402", code::budget_exceeded, true},
      {"EC409", code::stale_lease, true},
      {"EC429", code::plan_limit, true},
      {"40001", code::busy},
      {"40P01", code::busy},
      {"55P03", code::busy},
  };
  return all;
}

const char* pg_raised_state(std::string_view c) {
  for (const auto& s : pg_states())
    if (s.raised && c == s.code) return s.sqlstate;
  return nullptr;
}

}  // namespace ec
