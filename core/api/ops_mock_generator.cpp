// mock.seed's handler with the generator (core/mock): every build but the browser core, which
// links ops_mock_absent.cpp instead and runs the seed in the lazily loaded mock module
// (bindings/CMakeLists.txt episodes_core_mock; docs/adr/0026-mock-generator-module.md).
#include "core/api/mock_seed.hpp"
#include "core/mock/mock.hpp"

namespace ec::api {

bool mock_generator_linked() {
  return true;
}

json run_mock_seed(Context& ctx, const json& p) {
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
}

}  // namespace ec::api
