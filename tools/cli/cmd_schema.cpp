// `episodes-core schema --dialect sqlite|postgres`: prints the DDL derived from core/schema.
#include <iostream>

#include "core/schema/ddl.hpp"
#include "core/schema/ddl_postgres.hpp"
#include "tools/cli/command.hpp"

namespace ec::cli {
namespace {

int run(const std::vector<std::string>& args) {
  const Flags flags = Flags::parse(args);
  const std::string dialect = flags.get("dialect") ? *flags.get("dialect") : "sqlite";
  if (dialect == "sqlite") {
    std::cout << schema::sqlite_ddl();
    return 0;
  }
  if (dialect == "postgres") {
    if (const auto from = flags.get("upgrade-from")) {
      int v = 0;
      try {
        v = std::stoi(*from);
      } catch (const std::exception&) {
        throw UsageError{"--upgrade-from needs a schema version number"};
      }
      std::cout << schema::postgres_upgrade(v);
      return 0;
    }
    std::cout << schema::postgres_ddl();
    return 0;
  }
  throw UsageError{"unknown dialect '" + dialect + "' (supported: sqlite, postgres)"};
}

const Register reg{
    {"schema",
     "schema [--dialect sqlite|postgres [--upgrade-from 2]] print the DDL (postgres: the "
     "Supabase migration, or the upgrade migration from an older version)",
     &run}};

}  // namespace
}  // namespace ec::cli
