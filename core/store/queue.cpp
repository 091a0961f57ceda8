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

using repo::Row;

// Slots of the fields the queue reads and sets (repo::Row values).
struct QueueSlots {
  size_t id, project, scheduled, status, attempts, locked_by, locked_until, episode, completed;
};
const QueueSlots& qs() {
  static const QueueSlots k = [] {
    const auto& q = Q();
    return QueueSlots{
        repo::slot(q, "id"),          repo::slot(q, "projectId"), repo::slot(q, "scheduledFor"),
        repo::slot(q, "status"),      repo::slot(q, "attempts"),  repo::slot(q, "lockedBy"),
        repo::slot(q, "lockedUntil"), repo::slot(q, "episodeId"), repo::slot(q, "completedAt")};
  }();
  return k;
}
struct EpisodeSlots {
  size_t id, status, scheduled, generated, attempts, errors;
};
const EpisodeSlots& es() {
  static const EpisodeSlots k = [] {
    const auto& e = E("Episode");
    return EpisodeSlots{repo::slot(e, "id"),
                        repo::slot(e, "status"),
                        repo::slot(e, "scheduledFor"),
                        repo::slot(e, "generatedAt"),
                        repo::slot(e, "generationAttempts"),
                        repo::slot(e, "generationErrors")};
  }();
  return k;
}
const schema::Field* qf(size_t slot) {
  return &Q().fields[slot];
}
const schema::Field* ef(size_t slot) {
  return &E("Episode").fields[slot];
}

// A row's text value, as the JSON row's get<std::string>() gives it (and throws as it would).
const std::string& text_of(const Row& r, size_t i) {
  if (const auto* t = std::get_if<std::string>(&r.v[i])) return *t;
  static std::string other;
  other = codec::from_sql(r.e->fields[i], r.v[i]).get<std::string>();
  return other;
}
// A row's integer value, as the JSON row's get<int64_t>() gives it (and throws as it would).
int64_t int_of(const Row& r, size_t i) {
  if (const auto* n = std::get_if<int64_t>(&r.v[i])) return *n;
  return codec::from_sql(r.e->fields[i], r.v[i]).get<int64_t>();
}
bool is_null(const Row& r, size_t i) {
  return std::holds_alternative<std::nullptr_t>(r.v[i]);
}

Row get_item_row(Store& s, const Actor& as, const std::string& id) {
  return repo::get_row(s, Q(), as.organization_id, id, json::array({"id"}));
}
json get_item(Store& s, const Actor& as, const std::string& id) {
  return repo::to_json(get_item_row(s, as, id));
}

// The episode a claimed slot generates: the one already linked, else one already scheduled
// for that slot (e.g. made by hand), else a new one with the project's next number.
Row episode_for(Store& s, const Actor& as, const Row& item, Instant now) {
  const auto& ep = E("Episode");
  const QueueSlots& k = qs();
  if (!is_null(item, k.episode))
    if (auto e = repo::find_row(s, ep, as.organization_id, text_of(item, k.episode))) return *e;
  const std::string& project = text_of(item, k.project);
  const Instant slot = int_of(item, k.scheduled);
  Stmt& st = s.db().prepare(
      "SELECT id FROM episodes WHERE organization_id = ? AND project_id = ? AND scheduled_for = ? "
      "AND deleted_at IS NULL ORDER BY number LIMIT 1");
  st.bind(1, as.organization_id).bind(2, project).bind(3, slot);
  std::string found = st.step() ? st.text(0) : "";
  st.reset();
  if (!found.empty()) return repo::get_row(s, ep, as.organization_id, found);
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
  // The row repo::with_defaults makes of the given fields, in its SQL form.
  Row row{&ep, {}};
  row.v.reserve(ep.fields.size());
  for (const auto& f : ep.fields) {
    const std::string& n = f.name;
    if (n == "id")
      row.v.emplace_back(s.new_id());
    else if (n == "organizationId")
      row.v.emplace_back(as.organization_id);
    else if (n == "projectId")
      row.v.emplace_back(project);
    else if (n == "number")
      row.v.emplace_back(number);
    else if (n == "title")
      row.v.emplace_back("Episode " + std::to_string(number));
    else if (n == "status")
      row.v.emplace_back(std::string(name(ES::scheduled)));
    else if (n == "scheduledFor")
      row.v.emplace_back(slot);
    else if (n == "createdAt" || n == "updatedAt")
      row.v.emplace_back(now);
    else if (f.default_value)
      row.v.push_back(codec::to_sql(f, *f.default_value));
    else
      row.v.emplace_back(nullptr);
  }
  repo::insert_values(s, ep, row.v);
  audit_created(s, as, "create", row, now);
  return row;
}

json with_error(json errors, const json& entry) {
  errors.push_back(entry);
  if (errors.size() > kMaxErrorsKept) errors.erase(errors.begin(), errors.end() - kMaxErrorsKept);
  return errors;
}

void check_lease(const Row& item, int64_t token) {
  const QueueSlots& k = qs();
  if (text_of(item, k.status) != name(QS::processing))
    throw Error(
        code::stale_lease,
        "the item is " + text_of(item, k.status) + ", not processing: this lease is no longer held",
        json::array({"token"}));
  const int64_t current = int_of(item, k.attempts);
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
int64_t saturating_increment(const Row& r, size_t slot) {
  return std::min(int_of(r, slot) + 1, *r.e->fields[slot].max);
}

void claim_one(Store& s, const Actor& as, const std::string& id, const std::string& worker,
               int64_t lease_seconds, Instant now, ClaimResult& result);

}  // namespace

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

void ClaimResult::write(const std::string& org, std::string& out) const {
  // As dump_text writes {"items":[{"item","episode","token"}…],"blocked":{"reason",
  // "organizationId"}}: keys in byte order ("blocked" < "items"; "episode" < "item" < "token";
  // "organizationId" < "reason"), rows as repo::write_row writes them.
  out += '{';
  if (blocked_reason) {
    out += R"("blocked":{"organizationId":)";
    codec::append_json_string(out, org);
    out += R"(,"reason":)";
    codec::append_json_string(out, *blocked_reason);
    out += "},";
  }
  out += R"("items":[)";
  bool comma = false;
  for (const auto& c : items) {
    if (comma) out += ',';
    comma = true;
    out += R"({"episode":)";
    repo::write_row(c.episode, out);
    out += R"(,"item":)";
    repo::write_row(c.item, out);
    out += R"(,"token":)";
    codec::append_json_int(out, c.token);
    out += '}';
  }
  out += "]}";
}

void Completed::write(std::string& out) const {
  out += R"({"episode":)";
  repo::write_row(episode, out);
  out += R"(,"item":)";
  repo::write_row(item, out);
  out += R"(,"usage":)";
  const size_t at = out.size();
  if (!codec::append_dump(out, usage)) {
    out.resize(at);
    out += dump_text(usage);
  }
  out += '}';
}

ClaimResult claim(Store& s, const Actor& as, const std::string& worker, int64_t limit,
                  int64_t lease_seconds, Instant now) {
  ClaimResult result;
  const std::string ts = format_instant(now);
  // An expired lease on the last allowed attempt: the item is dead, not claimable again.
  static const std::string dead_items =
      "q.organization_id = ? AND q.status = " + lit(QS::processing) +
      " AND q.locked_until < ? "
      "AND q.attempts >= q.max_attempts";
  for (const auto& item : select_items(s, dead_items, {as.organization_id, now})) {
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
  static const std::string claim_sql = [] {
    const std::string active_project =
        " AND EXISTS (SELECT 1 FROM projects p WHERE p.id = q.project_id AND p.organization_id = "
        "q.organization_id "
        "AND p.status = " +
        lit(rules::ProjectStatus::active) + " AND p.deleted_at IS NULL)";
    return "SELECT id FROM (SELECT q.id, q.scheduled_for FROM episode_schedule_queue q WHERE "
           "q.organization_id = ? AND "
           "q.status = " +
           lit(QS::pending) + " AND q.run_after <= ?" + active_project +
           " UNION ALL SELECT q.id, q.scheduled_for FROM episode_schedule_queue q WHERE "
           "q.organization_id = ? AND "
           "q.status = " +
           lit(QS::processing) + " AND q.locked_until < ? AND q.attempts < q.max_attempts" +
           active_project + ") ORDER BY scheduled_for, id LIMIT ?";
  }();
  Stmt& st = s.db().prepare(claim_sql);
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
  const QueueSlots& k = qs();
  const EpisodeSlots& x = es();
  Row item = get_item_row(s, as, id);
  Row ep = episode_for(s, as, item, now);
  const std::string& ep_status = text_of(ep, x.status);
  if (ep_status == name(ES::ready) || ep_status == name(ES::published)) {
    // The slot's episode already exists: nothing to generate.
    audited_change(s, as, item,
                   {{qf(k.status), std::string(name(QS::completed))},
                    {qf(k.episode), ep.v[x.id]},
                    {qf(k.completed), now},
                    {qf(k.locked_by), nullptr},
                    {qf(k.locked_until), nullptr}},
                   "complete", now);
    return;
  }
  const bool reclaimed = text_of(item, k.status) == name(QS::processing);
  const int64_t token = int_of(item, k.attempts) + 1;
  // The expired attempt's reservations go with its lease (its token can no longer complete).
  if (reclaimed) budget::close_for_item(s, as, id, RS::released, now);
  SqlFields ep_fields{{ef(x.status), std::string(name(ES::generating))},
                      {ef(x.scheduled), item.v[k.scheduled]},
                      {ef(x.attempts), saturating_increment(ep, x.attempts)}};
  if (reclaimed) {
    const json errors = with_error(
        codec::from_sql(*ef(x.errors), ep.v[x.errors]),
        {{"at", format_instant(now)},
         {"code", rules::kLeaseExpired},
         {"message",
          "the lease of " + text_of(item, k.locked_by) + " expired at " +
              codec::from_sql(*qf(k.locked_until), item.v[k.locked_until]).get<std::string>()},
         {"attempt", codec::from_sql(*qf(k.attempts), item.v[k.attempts])}});
    ep_fields.emplace_back(ef(x.errors), codec::to_sql(*ef(x.errors), errors));
  }
  audited_change(s, as, ep, ep_fields, "update", now);
  const Instant until = *parse_instant(format_instant(capped(now, lease_seconds * kMsPerSecond)));
  audited_change(s, as, item,
                 {{qf(k.status), std::string(name(QS::processing))},
                  {qf(k.locked_by), worker},
                  {qf(k.locked_until), until},
                  {qf(k.attempts), token},
                  {qf(k.episode), ep.v[x.id]}},
                 "claim", now);
  result.items.push_back({std::move(item), std::move(ep), token});
}

}  // namespace

Completed complete(Store& s, const Actor& as, const std::string& id, int64_t token,
                   const json& usage, Instant now) {
  const QueueSlots& k = qs();
  const EpisodeSlots& x = es();
  Row item = get_item_row(s, as, id);
  check_lease(item, token);
  Row ep = episode_for(s, as, item, now);
  audited_change(s, as, ep, {{ef(x.status), std::string(name(ES::ready))}, {ef(x.generated), now}},
                 "update", now);
  Completed out{{}, {}, nullptr};
  if (!usage.is_null()) {
    out.usage =
        budget::settle_for_item(s, as, repo::to_json(item), usage,
                                {{"projectId", codec::from_sql(*qf(k.project), item.v[k.project])},
                                 {"episodeId", codec::from_sql(*ef(x.id), ep.v[x.id])}},
                                now);
  } else {
    budget::close_for_item(s, as, id, RS::released, now);
  }
  audited_change(s, as, item,
                 {{qf(k.status), std::string(name(QS::completed))},
                  {qf(k.completed), now},
                  {qf(k.episode), ep.v[x.id]},
                  {qf(k.locked_by), nullptr},
                  {qf(k.locked_until), nullptr}},
                 "complete", now);
  out.item = std::move(item);
  out.episode = std::move(ep);
  return out;
}

json fail(Store& s, const Actor& as, const std::string& id, int64_t token,
          const std::string& error_code, const std::string& message, Instant now) {
  const Row item_row = get_item_row(s, as, id);
  check_lease(item_row, token);
  json item = repo::to_json(item_row);
  const std::string ts = format_instant(now);
  const bool dead = token >= item["maxAttempts"].get<int64_t>();
  json ep = repo::to_json(episode_for(s, as, item_row, now));
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
  const Row item_row = get_item_row(s, as, id);
  check_lease(item_row, token);
  json item = repo::to_json(item_row);
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
