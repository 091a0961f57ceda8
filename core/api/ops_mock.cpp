// mock.seed: fills an empty database with the deterministic mock dataset (core/mock). Declared
// here for every build; the handler that runs the generator is ops_mock_generator.cpp, which the
// browser core leaves out (ops_mock_absent.cpp; docs/adr/0026-mock-generator-module.md).
#include "core/api/mock_seed.hpp"
#include "core/schema/builder.hpp"

namespace ec::api {

using namespace schema::build;  // NOLINT

namespace {
constexpr std::array kSizes{"demo", "small", "large"};
}  // namespace

void add_mock_ops(std::vector<Operation>& ops) {
  ops.emplace_back(OpDecl{
      .name = "mock.seed",
      .doc = "Fills an empty database with the deterministic mock dataset: the same seed, size (or "
             "counts) and "
             "reference date always give the same data. Refuses a database that already holds "
             "rows. Reports "
             "progress through the progress callback.",
      .access = {schema::authz::Level::System, false, true},
      .params =
          {std::move(
               integer("seed", 0, schema::kMaxSafeInteger).doc("Seed of every random stream.")),
           std::move(enumeration("size", kSizes).def("demo")),
           std::move(date("referenceDate")
                         .null()
                         .doc("'Now' is this date at 12:00Z (default 2025-08-15).")),
           std::move(
               jsonf("counts", schema::Rule::JsonObject, 4096, 20)
                   .null()
                   .doc("Explicit counts: organizations, users, projects, episodes, tokenUsage, "
                        "weeksAhead, chatSessions (missing keys keep the size's)."))},
      .result = result::named("SeedReport"),
      .errors = {code::conflict},
      // The seed runs its own transaction (one for the whole dataset).
      .writes = false,
      .handler = run_mock_seed});
}

}  // namespace ec::api
