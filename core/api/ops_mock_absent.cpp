// mock.seed's handler in the browser core (episodes_core_web), which leaves the generator and its
// corpora out: the operation stays declared (meta.operations, the generated TypeScript), its `as`
// and params are checked as everywhere, and then it answers bad_request. The browser client runs
// the seed in the lazily loaded mock module instead (web/src/core/engine.ts; docs/adr/
// 0026-mock-generator-module.md). Linked only by the browser core (CMakeLists.txt).
#include "core/api/mock_seed.hpp"

namespace ec::api {

bool mock_generator_linked() {
  return false;
}

json run_mock_seed(Context&, const json&) {
  throw Error(code::bad_request,
              "mock.seed: this module has no mock data generator (the browser core leaves it out); "
              "the browser client runs the seed in the mock module (episodes_core_mock)",
              key_path("op"));
}

}  // namespace ec::api
