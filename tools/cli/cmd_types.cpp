// `episodes-core types --lang ts`: TypeScript types of every entity and operation;
// `--target supabase`: the Supabase Database type of the PostgreSQL migration.
// `episodes-core docs --api`: the API reference (docs/API.md).
#include <iostream>

#include "core/api/typescript.hpp"
#include "core/schema/ts_supabase.hpp"
#include "tools/cli/command.hpp"

namespace ec::cli {
namespace {

int types(const std::vector<std::string>& args) {
  const Flags flags = Flags::parse(args);
  const std::string lang = flags.get("lang") ? *flags.get("lang") : "ts";
  const std::string target = flags.get("target") ? *flags.get("target") : "client";
  if (lang != "ts") throw UsageError{"unknown --lang '" + lang + "' (supported: ts)"};
  if (target == "client") {
    std::cout << api::typescript_types();
    return 0;
  }
  if (target == "supabase") {  // the Database type of supabase/migrations (schema-final.ts)
    std::cout << schema::supabase_types_ts();
    return 0;
  }
  throw UsageError{"unknown --target '" + target + "' (supported: client, supabase)"};
}

int docs(const std::vector<std::string>& args) {
  const Flags flags = Flags::parse(args, {"api"});
  if (!flags.has("api")) throw UsageError{"expected --api"};
  std::cout << api::api_markdown();
  return 0;
}

const Register reg_types{
    {"types", "types --lang ts [--target client|supabase]  TypeScript types", &types}};
const Register reg_docs{
    {"docs", "docs --api                        the API reference (markdown)", &docs}};

}  // namespace
}  // namespace ec::cli
