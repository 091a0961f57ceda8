#include "core/store/queue.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "core/schema/schema.hpp"
#include "core/store/audit.hpp"
#include "core/store/budget.hpp"
#include "core/store/repo.hpp"

namespace ec::store::queue {
namespace {

const schema::Entity& E(const char* name) {
  return *schema::find_entity(name);
}
const schema::Entity& Q() {
  return E("EpisodeScheduleQueue");
}

using rules::name;
using QS = rules::QueueStatus;
using ES = rules::EpisodeStatus;
using RS = rules::ReservationStatus;
// Items cancelled by planning (not by hand) may be planned again when the slot matches again.
constexpr const char* kPlanCancelled = rules::kCancelledByPlan;
constexpr size_t kMaxErrorsKept = rules::kMaxGenerationErrorsKept;

// A state name as an SQL literal ('pending'): a declared constant, never input.
template <class E>
std::string lit(E e) {
  return std::string("'") + name(e) + "'";
}

// Cuts a UTF-8 string to at most `max` bytes without splitting a character.
std::string truncate_utf8(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

std::vector<json> select_items(Store& s, const std::string& where,
                               const std::vector<SqlValue>& params) {
  // Built once per condition (every caller passes a declared constant, never input).
  static std::unordered_map<std::string, std::string> texts;
  auto [text, fresh] = texts.try_emplace(where);
  if (fresh)
    text->second = "SELECT " + repo::select_columns(Q(), "q") +
                   " FROM episode_schedule_queue q WHERE " + where +
                   " ORDER BY q.scheduled_for, q.id";
  Stmt& st = s.db().prepare(text->second);
  st.bind_all(params);
  std::vector<json> out;
  while (st.step()) out.push_back(repo::read_row(Q(), st));
  st.reset();
  return out;
}

json get_item(Store& s, const Actor& as, const std::string& id) {
  return repo::get(s, Q(), as.organization_id, id, false, json::array({"id"}));
}

// The episode a claimed slot generates: the one already linked, else one already scheduled
// for that slot (e.g. made by hand), else a new one with the project's next number.
json episode_for(Store& s, const Actor& as, const json& item, Instant now) {
  const auto& ep = E("Episode");
  if (!item["episodeId"].is_null())
    if (auto e = repo::find(s, ep, as.organization_id, item["episodeId"])) return *e;
  const std::string project = item["projectId"];
  const Instant slot = *parse_instant(item["scheduledFor"].get<std::string>());
  Stmt& st = s.db().prepare(
      "SELECT id FROM episodes WHERE organization_id = ? AND project_id = ? AND scheduled_for = ? "
      "AND deleted_at IS NULL ORDER BY number LIMIT 1");
  st.bind(1, as.organization_id).bind(2, project).bind(3, slot);
  std::string found = st.step() ? st.text(0) : "";
  st.reset();
  if (!found.empty()) return repo::get(s, ep, as.organization_id, found);
  // Numbers are unique per project including soft-deleted episodes.
  const int64_t number =
      1 + s.db().query_int(
              "SELECT coalesce(max(number), 0) FROM episodes WHERE organization_id = ? AND "
              "project_id = ?",
              {as.organization_id, project});
  if (number > *ep.field("number")->max)
    throw Error(code::conflict,
                "the project has used every episode number (at most " +
                    std::to_string(*ep.field("number")->max) + ")",
                json::array({"number"}));
  const std::string ts = format_instant(now);
  json row = repo::with_defaults(ep, json{{"id", s.new_id()},
                                          {"organizationId", as.organization_id},
                                          {"projectId", project},
                                          {"number", number},
                                          {"title", "Episode " + std::to_string(number)},
                                          {"status", name(ES::scheduled)},
                                          {"scheduledFor", item["scheduledFor"]},
                                          {"createdAt", ts},
                                          {"updatedAt", ts}});
  repo::insert(s, ep, row);
  audit(s, as, "create", ep, row["id"], repo::diff(ep, nullptr, row), now);
  return row;
}

json with_error(json errors, const json& entry) {
  errors.push_back(entry);
  if (errors.size() > kMaxErrorsKept) errors.erase(errors.begin(), errors.end() - kMaxErrorsKept);
  return errors;
}

void check_lease(const json& item, int64_t token) {
  if (item["status"] != name(QS::processing))
    throw Error(code::stale_lease,
                "the item is " + item["status"].get<std::string>() +
                    ", not processing: this lease is no longer held",
                json::array({"token"}));
  const int64_t current = item["attempts"];
  if (token != current)
    throw Error(code::stale_lease,
                "token " + std::to_string(token) + " is stale: the item was claimed again (token " +
                    std::to_string(current) + ")",
                json::array({"token"}));
}

std::optional<json> linked_episode(Store& s, const Actor& as, const json& item) {
  if (item["episodeId"].is_null()) return std::nullopt;
  return repo::find(s, E("Episode"), as.organization_id, item["episodeId"]);
}

// A counter one higher, held at its declared maximum (a counter never fails a claim).
int64_t saturating_increment(const json& v, const schema::Entity& e, const char* field) {
  return std::min(v.get<int64_t>() + 1, *e.field(field)->max);
}

void claim_one(Store& s, const Actor& as, const std::string& id, const std::string& worker,
               int64_t lease_seconds, Instant now, ClaimResult& result);

}  // namespace

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

ProjectSchedule project_schedule(const json& project, const std::optional<std::string>& owner_tz) {
  ProjectSchedule ps;
  std::vector<Issue> issues;
  if (project.contains("cadenceConfig") && !project["cadenceConfig"].is_null())
    ps.cadence =
        schedule::parse_cadence(project["cadenceConfig"], json::array({"cadenceConfig"}), issues);
  const schedule::Cadence none;
  const auto choice =
      schedule::resolve_zone(ps.cadence ? *ps.cadence : none,
                             owner_tz ? std::optional<std::string_view>(*owner_tz) : std::nullopt);
  ps.zone = choice.zone;
  ps.zone_name = std::string(choice.name);
  ps.zone_source = std::string(choice.source);
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

}  // namespace

std::optional<schedule::Occurrence> next_occurrence(Store& s, const std::string& org,
                                                    const json& project, Instant now) {
  return first_occurrence(project_schedule(s, org, project), now);
}

std::optional<schedule::Occurrence> next_occurrence(const json& project,
                                                    const std::optional<std::string>& owner_tz,
                                                    Instant now) {
  return first_occurrence(project_schedule(project, owner_tz), now);
}

int64_t cancel_pending(Store& s, const Actor& as, const std::string& project_id, Instant now) {
  int64_t n = 0;
  for (const auto& item : select_items(
           s, "q.organization_id = ? AND q.project_id = ? AND q.status = " + lit(QS::pending),
           {as.organization_id, project_id})) {
    audited_change(s, as, Q(), item,
                   {{"status", name(QS::cancelled)},
                    {"lastError", std::string(kPlanCancelled) + ": the project is not active"}},
                   "cancel", now);
    ++n;
  }
  return n;
}

PlanCounts plan_project(Store& s, const Actor& as, const json& project, Instant now,
                        int64_t horizon_days) {
  PlanCounts counts;
  const std::string project_id = project["id"];
  const ProjectSchedule ps = project_schedule(s, as.organization_id, project);
  if (!ps.active || !ps.cadence) {
    counts.cancelled = cancel_pending(s, as, project_id, now);
    return counts;
  }
  // Every item from now on, by slot. The plan reaches now + horizon, or further when pending
  // items already reach further (a replan never shrinks what was planned).
  std::map<Instant, json> by_slot;
  Instant horizon_end = now + horizon_days * kMsPerDay;
  for (auto& item :
       select_items(s, "q.organization_id = ? AND q.project_id = ? AND q.scheduled_for >= ?",
                    {as.organization_id, project_id, now})) {
    const Instant slot = *parse_instant(item["scheduledFor"].get<std::string>());
    if (item["status"] == name(QS::pending)) horizon_end = std::max(horizon_end, slot + 1);
    by_slot.emplace(slot, std::move(item));
  }
  std::set<Instant> wanted;
  for (const auto& o : schedule::occurrences(*ps.cadence, *ps.zone,
                                             schedule::Window{now, std::nullopt, horizon_end}))
    wanted.insert(o.utc);

  for (const auto& [slot, item] : by_slot) {
    if (item["status"] != name(QS::pending)) continue;
    if (wanted.count(slot)) {
      ++counts.kept;
    } else {
      audited_change(s, as, Q(), item,
                     {{"status", name(QS::cancelled)},
                      {"lastError",
                       std::string(kPlanCancelled) + ": no longer matches the project's cadence"}},
                     "cancel", now);
      ++counts.cancelled;
    }
  }
  const std::string ts = format_instant(now);
  for (const Instant slot : wanted) {
    auto it = by_slot.find(slot);
    if (it == by_slot.end()) {
      json row = repo::with_defaults(Q(), json{{"id", s.new_id()},
                                               {"organizationId", as.organization_id},
                                               {"projectId", project_id},
                                               {"scheduledFor", format_instant(slot)},
                                               {"runAfter", format_instant(slot)},
                                               {"createdAt", ts},
                                               {"updatedAt", ts}});
      repo::insert(s, Q(), row);
      audit(s, as, "enqueue", Q(), row["id"], repo::diff(Q(), nullptr, row), now);
      ++counts.added;
    } else if (const json& item = it->second;
               item["status"] == name(QS::cancelled) && item["lastError"].is_string() &&
               item["lastError"].get<std::string>().rfind(kPlanCancelled, 0) == 0) {
      // A slot a replan had cancelled matches again: plan it again (one row per slot).
      audited_change(s, as, Q(), item,
                     {{"status", name(QS::pending)},
                      {"runAfter", item["scheduledFor"]},
                      {"lastError", nullptr}},
                     "enqueue", now);
      ++counts.added;
    }
    // Anything else at that slot (processing, completed, failed, cancelled by hand) stays as is.
  }
  return counts;
}

PlanCounts plan_all(Store& s, const Actor& as, Instant now, int64_t horizon_days) {
  repo::ListQuery q;
  q.include_deleted = true;
  q.limit = 1'000'000;
  PlanCounts total;
  for (const auto& project : repo::list(s, E("Project"), as.organization_id, q))
    total += plan_project(s, as, project, now, horizon_days);
  return total;
}

json ClaimResult::to_json(const std::string& org) const& {
  return ClaimResult(*this).to_json(org);
}

json ClaimResult::to_json(const std::string& org) && {
  json list = json::array();
  for (auto& c : items) {
    json one = json::object();
    one["item"] = std::move(c.item);
    one["episode"] = std::move(c.episode);
    one["token"] = c.token;
    list.push_back(std::move(one));
  }
  json out{{"items", std::move(list)}};
  if (blocked_reason) out["blocked"] = {{"reason", *blocked_reason}, {"organizationId", org}};
  return out;
}

ClaimResult claim(Store& s, const Actor& as, const std::string& worker, int64_t limit,
                  int64_t lease_seconds, Instant now) {
  ClaimResult result;
  const std::string ts = format_instant(now);
  // An expired lease on the last allowed attempt: the item is dead, not claimable again.
  for (const auto& item :
       select_items(s,
                    "q.organization_id = ? AND q.status = " + lit(QS::processing) +
                        " AND q.locked_until < ? "
                        "AND q.attempts >= q.max_attempts",
                    {as.organization_id, now})) {
    const std::string msg = "the lease of " + item["lockedBy"].get<std::string>() + " expired at " +
                            item["lockedUntil"].get<std::string>() + " on the last attempt";
    if (auto ep = linked_episode(s, as, item))
      audited_change(s, as, E("Episode"), *ep,
                     {{"status", name(ES::failed)},
                      {"generationErrors",
                       with_error((*ep)["generationErrors"], {{"at", ts},
                                                              {"code", rules::kLeaseExpired},
                                                              {"message", msg},
                                                              {"attempt", item["attempts"]}})}},
                     "update", now);
    audited_change(s, as, Q(), item,
                   {{"status", name(QS::failed)},
                    {"lockedBy", nullptr},
                    {"lockedUntil", nullptr},
                    {"lastError", std::string(rules::kLeaseExpired) + ": " + msg}},
                   "fail", now);
    budget::close_for_item(s, as, item["id"], RS::released, now);
  }
  // The circuit breaker: nothing new is claimed while today's spend is at the limit (dead items
  // above are failed all the same, as in PostgreSQL's queue_claim).
  const auto breaker = budget::status(s, as.organization_id, now);
  if (breaker.blocked) {
    result.blocked_reason = breaker.reason;
    return result;
  }

  // Two index ranges of (organization_id, status, run_after) rather than one OR, which would
  // make SQLite walk every item of the organization.
  const std::string active_project =
      " AND EXISTS (SELECT 1 FROM projects p WHERE p.id = q.project_id AND p.organization_id = "
      "q.organization_id "
      "AND p.status = " +
      lit(rules::ProjectStatus::active) + " AND p.deleted_at IS NULL)";
  Stmt& st = s.db().prepare(
      "SELECT id FROM (SELECT q.id, q.scheduled_for FROM episode_schedule_queue q WHERE "
      "q.organization_id = ? AND "
      "q.status = " +
      lit(QS::pending) + " AND q.run_after <= ?" + active_project +
      " UNION ALL SELECT q.id, q.scheduled_for FROM episode_schedule_queue q WHERE "
      "q.organization_id = ? AND "
      "q.status = " +
      lit(QS::processing) + " AND q.locked_until < ? AND q.attempts < q.max_attempts" +
      active_project + ") ORDER BY scheduled_for, id LIMIT ?");
  while (static_cast<int64_t>(result.items.size()) < limit) {
    std::vector<std::string> ids;
    st.bind(1, as.organization_id).bind(2, now).bind(3, as.organization_id).bind(4, now);
    st.bind(5, limit - static_cast<int64_t>(result.items.size()));
    while (st.step()) ids.push_back(st.text(0));
    st.reset();
    if (ids.empty()) break;
    for (const auto& id : ids) {
      // One item's failure (whatever its rows contain) fails that item alone: its changes roll
      // back to a savepoint and every other due item is still claimed (docs/INVARIANTS.md).
      try {
        s.db().transaction([&] { claim_one(s, as, id, worker, lease_seconds, now, result); });
      } catch (const Error& e) {
        if (e.code() != code::invalid && e.code() != code::conflict &&
            e.code() != code::not_found && e.code() != code::internal)
          throw;
        const json item = get_item(s, as, id);
        audited_change(s, as, Q(), item,
                       {{"status", name(QS::failed)},
                        {"lockedBy", nullptr},
                        {"lockedUntil", nullptr},
                        {"lastError",
                         std::string(rules::kClaimFailed) + ": " + e.code() + ": " + e.message()}},
                       "fail", now);
        budget::close_for_item(s, as, id, RS::released, now);
      }
    }
  }
  return result;
}

namespace {

void claim_one(Store& s, const Actor& as, const std::string& id, const std::string& worker,
               int64_t lease_seconds, Instant now, ClaimResult& result) {
  const std::string ts = format_instant(now);
  {
    {
      json item = get_item(s, as, id);
      json ep = episode_for(s, as, item, now);
      if (ep["status"] == name(ES::ready) || ep["status"] == name(ES::published)) {
        // The slot's episode already exists: nothing to generate.
        audited_change(s, as, Q(), item,
                       {{"status", name(QS::completed)},
                        {"episodeId", ep["id"]},
                        {"completedAt", ts},
                        {"lockedBy", nullptr},
                        {"lockedUntil", nullptr}},
                       "complete", now);
        return;
      }
      const bool reclaimed = item["status"] == name(QS::processing);
      const int64_t token = item["attempts"].get<int64_t>() + 1;
      // The expired attempt's reservations go with its lease (its token can no longer complete).
      if (reclaimed) budget::close_for_item(s, as, id, RS::released, now);
      json ep_fields{
          {"status", name(ES::generating)},
          {"scheduledFor", item["scheduledFor"]},
          {"generationAttempts",
           saturating_increment(ep["generationAttempts"], E("Episode"), "generationAttempts")}};
      if (reclaimed)
        ep_fields["generationErrors"] =
            with_error(ep["generationErrors"],
                       {{"at", ts},
                        {"code", rules::kLeaseExpired},
                        {"message", "the lease of " + item["lockedBy"].get<std::string>() +
                                        " expired at " + item["lockedUntil"].get<std::string>()},
                        {"attempt", item["attempts"]}});
      ep = audited_change(s, as, E("Episode"), std::move(ep), ep_fields, "update", now);
      const std::string until = format_instant(capped(now, lease_seconds * kMsPerSecond));
      item = audited_change(s, as, Q(), std::move(item),
                            {{"status", name(QS::processing)},
                             {"lockedBy", worker},
                             {"lockedUntil", until},
                             {"attempts", token},
                             {"episodeId", ep["id"]}},
                            "claim", now);
      result.items.push_back({std::move(item), std::move(ep), token});
    }
  }
}

}  // namespace

json complete(Store& s, const Actor& as, const std::string& id, int64_t token, const json& usage,
              Instant now) {
  json item = get_item(s, as, id);
  check_lease(item, token);
  const std::string ts = format_instant(now);
  json ep = episode_for(s, as, item, now);
  ep = audited_change(s, as, E("Episode"), std::move(ep),
                      {{"status", name(ES::ready)}, {"generatedAt", ts}}, "update", now);
  json out = json::object();
  if (!usage.is_null()) {
    out["usage"] = budget::settle_for_item(
        s, as, item, usage, {{"projectId", item["projectId"]}, {"episodeId", ep["id"]}}, now);
  } else {
    out["usage"] = nullptr;
    budget::close_for_item(s, as, id, RS::released, now);
  }
  item = audited_change(s, as, Q(), std::move(item),
                        {{"status", name(QS::completed)},
                         {"completedAt", ts},
                         {"episodeId", ep["id"]},
                         {"lockedBy", nullptr},
                         {"lockedUntil", nullptr}},
                        "complete", now);
  out["item"] = std::move(item);
  out["episode"] = std::move(ep);
  return out;
}

json fail(Store& s, const Actor& as, const std::string& id, int64_t token,
          const std::string& error_code, const std::string& message, Instant now) {
  json item = get_item(s, as, id);
  check_lease(item, token);
  const std::string ts = format_instant(now);
  const bool dead = token >= item["maxAttempts"].get<int64_t>();
  json ep = episode_for(s, as, item, now);
  ep = audited_change(
      s, as, E("Episode"), ep,
      {{"status", name(dead ? ES::failed : ES::scheduled)},
       {"generationErrors",
        with_error(ep["generationErrors"],
                   {{"at", ts},
                    {"code", error_code},
                    {"message", truncate_utf8(message, rules::kMaxErrorMessageBytes)},
                    {"attempt", token}})}},
      "update", now);
  json fields{{"lockedBy", nullptr},
              {"lockedUntil", nullptr},
              {"episodeId", ep["id"]},
              {"lastError", truncate_utf8(error_code + ": " + message, rules::kMaxLastErrorBytes)}};
  json retry_at = nullptr;
  if (dead) {
    fields["status"] = name(QS::failed);
  } else {
    retry_at = format_instant(capped(now, backoff_ms(id, token)));
    fields["status"] = name(QS::pending);
    fields["runAfter"] = retry_at;
  }
  item = audited_change(s, as, Q(), item, fields, "fail", now);
  budget::close_for_item(s, as, id, RS::released, now);
  return json{{"item", item}, {"episode", ep}, {"dead", dead}, {"retryAt", retry_at}};
}

json extend(Store& s, const Actor& as, const std::string& id, int64_t token, int64_t lease_seconds,
            Instant now) {
  json item = get_item(s, as, id);
  check_lease(item, token);
  const Instant until = capped(now, lease_seconds * kMsPerSecond);
  // The budget held for this generation lives as long as its lease.
  budget::extend_for_item(s, as, id, until, now);
  return audited_change(s, as, Q(), item, {{"lockedUntil", format_instant(until)}}, "extend", now);
}

json retry(Store& s, const Actor& as, const std::string& id, int64_t extra_attempts, Instant now) {
  json item = get_item(s, as, id);
  if (item["status"] != name(QS::failed))
    throw Error(
        code::conflict,
        "only a failed item can be retried (this one is " + item["status"].get<std::string>() + ")",
        json::array({"id"}));
  const int64_t attempts = item["attempts"];
  const int64_t max_attempts = std::min<int64_t>(rules::kMaxAttempts, attempts + extra_attempts);
  if (max_attempts <= attempts)
    throw Error(
        code::conflict,
        "the item used all " + std::to_string(rules::kMaxAttempts) + " attempts an item may have",
        json::array({"id"}));
  if (auto ep = linked_episode(s, as, item); ep && (*ep)["status"] == name(ES::failed))
    audited_change(s, as, E("Episode"), *ep, {{"status", name(ES::scheduled)}}, "update", now);
  return audited_change(s, as, Q(), item,
                        {{"status", name(QS::pending)},
                         {"runAfter", format_instant(now)},
                         {"maxAttempts", max_attempts}},
                        "retry", now);
}

json cancel(Store& s, const Actor& as, const std::string& id, Instant now) {
  json item = get_item(s, as, id);
  if (item["status"] == name(QS::completed))
    throw Error(code::conflict, "a completed item cannot be cancelled", json::array({"id"}));
  if (item["status"] == name(QS::cancelled)) return item;
  if (auto ep = linked_episode(s, as, item)) {
    const auto st = (*ep)["status"];
    if (st == name(ES::scheduled) || st == name(ES::generating) || st == name(ES::failed))
      audited_change(s, as, E("Episode"), *ep, {{"status", name(ES::cancelled)}}, "update", now);
  }
  budget::close_for_item(s, as, id, RS::released, now);
  return audited_change(s, as, Q(), item,
                        {{"status", name(QS::cancelled)},
                         {"lockedBy", nullptr},
                         {"lockedUntil", nullptr},
                         {"lastError", rules::kCancelledByUser}},
                        "cancel", now);
}

}  // namespace ec::store::queue
