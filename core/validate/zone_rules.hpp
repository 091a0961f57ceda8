#pragma once
// Bridges to core/tz and core/schedule for the Timezone and Cadence rules.
#include <string_view>
#include <vector>

#include "core/validate/validate.hpp"

namespace ec::validate {

void check_timezone(std::string_view field, std::string_view name, const Path& path,
                    std::vector<Issue>& out);
void check_cadence(const json& value, const Path& path, std::vector<Issue>& out);

}  // namespace ec::validate
