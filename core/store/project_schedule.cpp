// A project's cadence and its next occurrence: what the queue plans from and what the overview
// shows as the next episode (declared in core/store/queue.hpp; the overview's memo:
// docs/adr/0041-overview-next-time-memo.md).
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/json/codec.hpp"
#include "core/rules.hpp"
#include "core/store/queue.hpp"
#include "core/thread_local.hpp"

namespace ec::store::queue {

ProjectSchedule project_schedule(Store& s, const std::string& org, const json& project) {
  std::optional<std::string> owner_tz;
  if (project.contains("ownerId") && project["ownerId"].is_string()) {
    Stmt& st = s.db().prepare("SELECT timezone FROM users WHERE organization_id = ? AND id = ?");
    st.bind(1, org).bind(2, project["ownerId"].get<std::string>());
    if (st.step()) owner_tz = st.text(0);
    st.reset();
  }
  return project_schedule(project, owner_tz);
}

namespace {

// The cadence (nullopt: none, or it does not parse) and the zone of a stored cadenceConfig
// (null: none) with the owner's time zone: what project_schedule reads of a project, shared by
// the memo of next_occurrence below.
void cadence_and_zone(const json& config, std::optional<std::string_view> owner_tz,
                      ProjectSchedule& ps) {
  std::vector<Issue> issues;
  if (!config.is_null())
    ps.cadence = schedule::parse_cadence(config, json::array({"cadenceConfig"}), issues);
  const schedule::Cadence none;
  const auto choice = schedule::resolve_zone(ps.cadence ? *ps.cadence : none, owner_tz);
  ps.zone = choice.zone;
  ps.zone_name = std::string(choice.name);
  ps.zone_source = std::string(choice.source);
}

}  // namespace

ProjectSchedule project_schedule(const json& project, const std::optional<std::string>& owner_tz) {
  ProjectSchedule ps;
  static const json no_config = nullptr;
  const auto it = project.find("cadenceConfig");
  cadence_and_zone(it == project.end() ? no_config : *it,
                   owner_tz ? std::optional<std::string_view>(*owner_tz) : std::nullopt, ps);
  ps.active = project.value("status", std::string()) == name(rules::ProjectStatus::active) &&
              (!project.contains("deletedAt") || project["deletedAt"].is_null());
  return ps;
}

namespace {

std::optional<schedule::Occurrence> first_occurrence(const ProjectSchedule& ps, Instant now) {
  if (!ps.cadence || !ps.active) return std::nullopt;
  auto occ =
      schedule::occurrences(*ps.cadence, *ps.zone, schedule::Window{now, 1, std::nullopt}, true);
  if (occ.empty()) return std::nullopt;
  return occ.front();
}

// What next_occurrence from columns keeps per (owner zone name, cadence text).
struct NextMemo {
  ProjectSchedule ps;  // active: whether a project is active is not part of the key
  bool known = false;  // `next` is the first occurrence at or after `from`
  Instant from = 0;
  std::optional<schedule::Occurrence> next;
};
constexpr size_t kMaxNextMemo = 4096;  // entries; all dropped when full

}  // namespace

std::optional<schedule::Occurrence> next_occurrence(Store& s, const std::string& org,
                                                    const json& project, Instant now) {
  return first_occurrence(project_schedule(s, org, project), now);
}

std::optional<schedule::Occurrence> next_occurrence(std::optional<std::string_view> cadence_json,
                                                    bool active,
                                                    std::optional<std::string_view> owner_tz,
                                                    Instant now) {
  if (!cadence_json) return std::nullopt;
  static EC_THREAD_LOCAL std::unordered_map<std::string, NextMemo> memo;
  static EC_THREAD_LOCAL std::string key;
  // resolve_zone takes no owner zone and an empty one alike: both are the empty name here. The
  // name's length first, so no (zone, text) pair reads as another.
  const std::string_view zone = owner_tz ? *owner_tz : std::string_view();
  key.assign(std::to_string(zone.size())).append(1, ':').append(zone).append(*cadence_json);
  auto it = memo.find(key);
  if (it == memo.end()) {
    NextMemo m;
    // As codec::from_sql reads a JSON column: a text that does not parse throws, every time.
    cadence_and_zone(codec::parse_own(*cadence_json), owner_tz, m.ps);
    m.ps.active = true;
    if (memo.size() >= kMaxNextMemo) memo.clear();
    it = memo.emplace(key, std::move(m)).first;
  }
  NextMemo& m = it->second;
  if (!active || !m.ps.cadence) return std::nullopt;
  // The first occurrence at or after `from` is also the first at or after any later instant up
  // to it (none lies between); past it, or before `from`, it is looked for again.
  if (!m.known || now < m.from || (m.next && now > m.next->utc)) {
    m.next = first_occurrence(m.ps, now);
    m.from = now;
    m.known = true;
  }
  return m.next;
}

}  // namespace ec::store::queue
