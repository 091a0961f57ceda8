#include "core/validate/zone_rules.hpp"

#include "core/schedule/cadence.hpp"
#include "core/tz/tz.hpp"
#include "core/validate/validate.hpp"

namespace ec::validate {

void check_timezone(std::string_view field, std::string_view name, const Path& path,
                    std::vector<Issue>& out) {
  if (tz::find(name) == nullptr)
    out.push_back(
        make_issue(path, issue::invalid_timezone,
                   std::string(field) + " must be an IANA time zone name such as Europe/London",
                   kv("received", name)));
}

void check_cadence(const json& value, const Path& path, std::vector<Issue>& out) {
  (void)schedule::parse_cadence(value, path.get(), out);
}

}  // namespace ec::validate
