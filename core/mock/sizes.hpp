#pragma once
// How much data a mock dataset holds: the named sizes and explicit counts.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/errors.hpp"

namespace ec::mock {

enum class Size { Demo, Small, Large };

/// Row counts a dataset aims at. organizations, projects and episodes are exact; tokenUsage
/// is exact too (episode calls, chat calls and the over-budget burst together); the other
/// tables follow from these (a few rows per project, user or episode).
struct Counts {
  int64_t organizations = 2;
  int64_t users = 8;           ///< in total; every organization has at least its owner
  int64_t projects = 6;        ///< in total, within each organization's plan limit
  int64_t episodes = 130;      ///< past episodes in total (failed ones included)
  int64_t token_usage = 1500;  ///< TokenUsage rows in total
  int64_t weeks_ahead = 3;     ///< pending queue horizon after the reference time
  int64_t chat_sessions = 10;  ///< in total
  bool operator==(const Counts&) const = default;
};

std::string_view size_name(Size s);
std::optional<Size> parse_size(std::string_view s);
/// The counts of a named size.
Counts counts_for(Size s);
/// Counts from JSON {"organizations","users","projects","episodes","tokenUsage","weeksAhead",
/// "chatSessions"}: missing keys keep `base`; throws Error::invalid with every problem.
Counts counts_from_json(const json& j, Counts base);
json to_json(const Counts& c);

}  // namespace ec::mock
