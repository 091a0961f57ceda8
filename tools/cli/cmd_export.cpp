// `episodes-core export --db FILE --dialect postgres > data.sql`: the whole SQLite database as a
// PostgreSQL load script for the Supabase migration (core/store/export_pg.hpp); load it with
// `psql -v ON_ERROR_STOP=1 -f data.sql`. A database of an older schema version is upgraded in
// place first (as opening it with the core would). Row counts go to stderr.
#include <filesystem>
#include <iostream>

#include "core/schema/ddl.hpp"
#include "core/schema/schema.hpp"
#include "core/store/export_pg.hpp"
#include "core/store/store.hpp"
#include "tools/cli/command.hpp"

namespace ec::cli {
namespace {

int run(const std::vector<std::string>& args) {
  const Flags flags = Flags::parse(args, {"quiet"});
  const std::string path = flags.require("db");
  const std::string dialect = flags.get("dialect") ? *flags.get("dialect") : "postgres";
  if (dialect != "postgres")
    throw UsageError{"unknown dialect '" + dialect + "' (supported: postgres)"};
  if (!std::filesystem::exists(path)) throw Error(code::not_found, "no database file " + path);
  int64_t version = 0;
  {
    store::Db probe(path, false);
    version = probe.query_int("PRAGMA user_version", {});
  }
  if (version < schema::kSchemaVersion)
    std::cerr << "export: upgrading " << path << " from schema v" << version << " to v"
              << schema::kSchemaVersion << "\n";
  store::Store s(path);  // upgrades an older schema; refuses foreign or newer files unchanged
  const store::PgExportStats stats = store::export_postgres(s.db(), std::cout);
  std::cout.flush();
  if (!flags.has("quiet")) {
    for (const auto& [table, n] : stats.rows) std::cerr << "export: " << table << " " << n << "\n";
    std::cerr << "export: " << stats.total << " rows\n";
  }
  return 0;
}

const Register reg{
    {"export", "export --db FILE [--dialect postgres] [--quiet]  SQLite data as a psql load script",
     &run}};

}  // namespace
}  // namespace ec::cli
