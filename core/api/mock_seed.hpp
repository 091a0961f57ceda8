#pragma once
// mock.seed's handler, linked in one of two forms (CMakeLists.txt): ops_mock_generator.cpp runs
// the generator (core/mock) in every build but the browser core, which links ops_mock_absent.cpp
// and runs the seed in the lazily loaded mock module (episodes_core_mock; docs/adr/
// 0026-mock-generator-module.md).
#include "core/api/registry.hpp"

namespace ec::api {

/// False in the browser core (episodes_core_web): its mock.seed answers bad_request after the
/// usual checks, and the client runs the seed in the mock module instead. True elsewhere.
bool mock_generator_linked();

/// mock.seed's handler (declared in ops_mock.cpp).
json run_mock_seed(Context& ctx, const json& params);

}  // namespace ec::api
