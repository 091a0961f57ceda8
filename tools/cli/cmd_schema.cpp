// `episodes-core schema --dialect sqlite|postgres`: prints the DDL derived from core/schema.
#include <iostream>
#include <optional>

#include "core/schema/ddl.hpp"
#include "core/schema/ddl_postgres.hpp"
#include "tools/cli/command.hpp"

namespace ec::cli {
namespace {

int run(const std::vector<std::string>& args) {
  const Flags flags = Flags::parse(args, {"history"});
  if (flags.has("history")) {  // one line per declared version: number, PostgreSQL file, doc
    for (const auto& v : schema::kVersions)
      std::cout << v.version << "\t" << v.pg_file << "\t" << v.doc << "\n";
    return 0;
  }
  const std::string dialect = flags.get("dialect") ? *flags.get("dialect") : "sqlite";
  std::optional<int> from;
  if (const auto f = flags.get("upgrade-from")) {
    try {
      from = std::stoi(*f);
    } catch (const std::exception&) {
      throw UsageError{"--upgrade-from needs a schema version number"};
    }
  }
  if (dialect == "sqlite") {
    std::cout << (from ? schema::sqlite_upgrade_sql(*from) : schema::sqlite_ddl());
    return 0;
  }
  if (dialect == "postgres") {
    std::cout << (from ? schema::postgres_migration(*from + 1) : schema::postgres_ddl());
    return 0;
  }
  throw UsageError{"unknown dialect '" + dialect + "' (supported: sqlite, postgres)"};
}

const Register reg{
    {"schema",
     "schema [--history | --dialect sqlite|postgres [--upgrade-from N]] print the DDL of a fresh "
     "install, "
     "or the upgrade from version N (sqlite: every step to the current version; postgres: the "
     "migration file N -> N+1, generated for the newest version only); --history: the declared "
     "versions (number, PostgreSQL file, what changed)",
     &run}};

}  // namespace
}  // namespace ec::cli
