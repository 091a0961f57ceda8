// mock.seed: fills an empty database with the deterministic mock dataset (core/mock).
#include "core/api/registry.hpp"
#include "core/mock/mock.hpp"
#include "core/schema/builder.hpp"

namespace ec::api {

using namespace schema::build;  // NOLINT

void add_mock_ops(std::vector<Operation>& ops) {
  ops.push_back(Operation{
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
           std::move(enumeration("size", {"demo", "small", "large"}).def("demo")),
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
      .handler = [](Context& ctx, const json& p) {
        mock::Options o;
        o.seed = static_cast<uint64_t>(p["seed"].get<int64_t>());
        o.size = *mock::parse_size(p["size"].get<std::string>());
        if (p.contains("referenceDate") && !p["referenceDate"].is_null())
          o.reference_date = *parse_date(p["referenceDate"].get<std::string>());
        if (p.contains("counts") && !p["counts"].is_null())
          o.counts = mock::counts_from_json(p["counts"], mock::counts_for(o.size));
        if (ctx.progress && *ctx.progress) {
          const Progress* progress = ctx.progress;
          o.progress = [progress](int64_t done, int64_t total, const std::string& phase) {
            (*progress)(done, total, phase);
          };
        }
        json out = mock::seed(ctx.store, o).to_json();
        out["digest"] = mock::dataset_digest(ctx.store.db());
        return out;
      }});
}

}  // namespace ec::api
