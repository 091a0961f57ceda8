#include "core/store/budget.hpp"

#include <algorithm>
#include <map>
#include <vector>

#include "core/json/codec.hpp"
#include "core/schema/schema.hpp"
#include "core/store/audit.hpp"
#include "core/store/repo.hpp"
#include "core/validate/validate.hpp"

namespace ec::store::budget {
namespace {

using rules::name;
using RS = rules::ReservationStatus;
constexpr const char* kOpen = name(RS::open);

const schema::Entity& E(const char* name) {
  return *schema::find_entity(name);
}

json open_reservation(Store& s, const Actor& as, const std::string& id) {
  json r = repo::get(s, E("BudgetReservation"), as.organization_id, id, false,
                     key_path("reservationId"));
  if (r["status"] != kOpen)
    throw Error::at(code::conflict, "the reservation is already " + r["status"].get<std::string>(),
                    "reservationId");
  return r;
}

}  // namespace

std::string format_gbp(int64_t micros) {
  return rules::format_gbp(micros);
}

std::string utc_day(Instant t) {
  return format_date(civil_from_days(floor_div(t, kMsPerDay)));
}

json Status::to_json() const {
  return json{{"date", date},
              {"limitMicros", limit_micros},
              {"spentMicros", spent_micros},
              {"reservedMicros", reserved_micros},
              {"remainingMicros", remaining_micros},
              {"callCount", call_count},
              {"inputTokens", input_tokens},
              {"outputTokens", output_tokens},
              {"blocked", blocked},
              {"reason", reason ? json(*reason) : json(nullptr)}};
}

Status status(Store& s, const std::string& org, Instant now, std::optional<std::string> date) {
  Status st;
  const std::string today = utc_day(now);
  st.date = date.value_or(today);
  st.limit_micros =
      s.db().query_int("SELECT daily_cost_limit_micros FROM organizations WHERE id = ?", {org});
  Stmt& q = s.db().prepare(
      "SELECT cost_micros, call_count, input_tokens, output_tokens FROM token_usage_daily "
      "WHERE organization_id = ? AND date = ?");
  q.bind(1, org).bind(2, st.date);
  if (q.step()) {
    st.spent_micros = q.int64(0);
    st.call_count = q.int64(1);
    st.input_tokens = q.int64(2);
    st.output_tokens = q.int64(3);
  }
  q.reset();
  st.reserved_micros = s.db().query_int(
      "SELECT coalesce(sum(estimate_micros), 0) FROM budget_reservations WHERE organization_id = ? "
      "AND date = ? "
      "AND status = '" +
          std::string(kOpen) + "' AND expires_at > ?",
      {org, st.date, now});
  st.remaining_micros =
      std::max<int64_t>(0, st.limit_micros - st.spent_micros - st.reserved_micros);
  st.blocked = st.spent_micros >= st.limit_micros;
  if (st.blocked) {
    const std::string who = st.date == today ? "Today's spend " : "The spend of " + st.date + " ";
    st.reason = who + format_gbp(st.spent_micros) + " reached the " + format_gbp(st.limit_micros) +
                " daily limit";
  }
  return st;
}

Status admit(Store& s, const Actor& as, const std::string& date, int64_t amount_micros, Instant now,
             const json& path, const char* verb, const char* amount_key) {
  // A reservation this grant does not count can never be settled afterwards: released now.
  const auto& e = E("BudgetReservation");
  std::vector<std::string> expired;
  Stmt& q = s.db().prepare(
      "SELECT id FROM budget_reservations WHERE organization_id = ? AND date = ? AND status = '" +
      std::string(kOpen) + "' AND expires_at <= ? ORDER BY id");
  q.bind(1, as.organization_id).bind(2, date).bind(3, now);
  while (q.step()) expired.push_back(q.text(0));
  q.reset();
  for (const auto& id : expired)
    audited_change(s, as, e, repo::get(s, e, as.organization_id, id),
                   {{"status", name(RS::released)}}, "expire", now);
  Status st = status(s, as.organization_id, now, date);
  // Checked in the caller's write transaction (SQLite: one writer), so two grants can never
  // both see the same headroom.
  if (st.spent_micros + st.reserved_micros + amount_micros > st.limit_micros) {
    const std::string msg = std::string(verb) + " " + format_gbp(amount_micros) +
                            " would pass the " + format_gbp(st.limit_micros) +
                            " daily limit (spent " + format_gbp(st.spent_micros) + ", reserved " +
                            format_gbp(st.reserved_micros) + ")";
    throw Error(code::budget_exceeded, msg, path,
                {Issue{path,
                       code::budget_exceeded,
                       msg,
                       {{"spent", st.spent_micros},
                        {"reserved", st.reserved_micros},
                        {"limit", st.limit_micros},
                        {amount_key, amount_micros},
                        {"date", st.date}}}});
  }
  return st;
}

json reserve(Store& s, const Actor& as, int64_t estimate_micros,
             const std::optional<std::string>& queue_item_id, int64_t ttl_seconds, Instant now) {
  std::optional<json> item;
  if (queue_item_id)
    item = repo::get(s, E("EpisodeScheduleQueue"), as.organization_id, *queue_item_id, false,
                     key_path("queueItemId"));
  const Status st = admit(s, as, utc_day(now), estimate_micros, now, key_path("estimateMicros"));
  // A reservation of a processing item lives at least as long as the item's lease.
  Instant expires = capped(now, ttl_seconds * kMsPerSecond);
  if (item && (*item)["status"] == name(rules::QueueStatus::processing) &&
      (*item)["lockedUntil"].is_string())
    expires = std::max(expires, *parse_instant((*item)["lockedUntil"].get<std::string>()));
  const std::string ts = format_instant(now);
  json row{{"id", s.new_id()},
           {"organizationId", as.organization_id},
           {"queueItemId", queue_item_id ? json(*queue_item_id) : json(nullptr)},
           {"estimateMicros", estimate_micros},
           {"status", kOpen},
           {"date", st.date},
           {"expiresAt", format_instant(expires)},
           {"createdAt", ts},
           {"updatedAt", ts}};
  const auto& e = E("BudgetReservation");
  repo::insert(s, e, row);
  audit(s, as, "reserve", e, row["id"], repo::diff(e, nullptr, row), now);
  return row;
}

json record_usage(Store& s, const Actor& as, const json& usage, const json& defaults, Instant now,
                  const json& path, const Cover* cover) {
  const auto& e = E("TokenUsage");
  if (!usage.is_object())
    throw Error::invalid(
        {validate::make_issue(path, validate::issue::invalid_type, "usage must be an object")});
  json doc = usage;
  for (const auto& [k, v] : defaults.items()) {
    if (!doc.contains(k)) {
      doc[k] = v;
    } else if (k == "projectId" && doc[k] != v) {
      auto p = path;
      p.push_back(k);
      throw Error::invalid(
          {validate::make_issue(p, "invalid_reference", "usage belongs to another project")});
    }
  }
  if (!doc.contains("occurredAt")) doc["occurredAt"] = format_instant(now);
  if (auto issues = validate::entity(e, doc, validate::Mode::Create, path); !issues.empty())
    throw Error::invalid(std::move(issues));
  codec::canonicalize(e, doc);  // occurredAt answered and audited as a read returns it
  // Every reference must be a visible row of this organization, and of the usage's project.
  auto child = [&](const char* k) {
    auto p = path;
    p.push_back(k);
    return p;
  };
  repo::get(s, E("Project"), as.organization_id, doc["projectId"], false, child("projectId"));
  for (const char* k : {"episodeId", "chatSessionId"}) {
    if (!doc.contains(k) || doc[k].is_null()) continue;
    const json parent = repo::get(s, E(k[0] == 'e' ? "Episode" : "ChatSession"), as.organization_id,
                                  doc[k], true, child(k));
    if (parent["projectId"] != doc["projectId"])
      throw Error::invalid({validate::make_issue(child(k), "invalid_reference",
                                                 std::string(k) + " belongs to another project")});
  }
  const json cost_path = child("costMicros");
  const int64_t cost = doc["costMicros"];
  Instant at = *parse_instant(doc["occurredAt"].get<std::string>());
  if (cover) {
    if (cost > cover->estimate_micros) {
      const std::string msg = "the cost " + format_gbp(cost) + " is above the " +
                              format_gbp(cover->estimate_micros) + " reserved for it";
      throw Error(code::budget_exceeded, msg, cost_path,
                  {Issue{cost_path,
                         code::budget_exceeded,
                         msg,
                         {{"estimateMicros", cover->estimate_micros}}}});
    }
    // Attributed to the reservation's UTC day, whenever the settle comes.
    const Instant start = days_from_civil(*parse_date(cover->date)) * kMsPerDay;
    at = std::clamp(at, start, start + kMsPerDay - 1);
    doc["occurredAt"] = format_instant(at);
  } else {
    admit(s, as, utc_day(at), cost, now, cost_path, "recording", "cost");
  }
  json row = repo::with_defaults(e, doc);
  const std::string ts = format_instant(now);
  row["id"] = s.new_id();
  row["organizationId"] = as.organization_id;
  row["createdAt"] = ts;
  row["updatedAt"] = ts;
  repo::insert(s, e, row);
  audit(s, as, "create", e, row["id"], repo::diff(e, nullptr, row), now);
  return row;
}

json settle(Store& s, const Actor& as, const std::string& reservation_id, const json& usage,
            Instant now) {
  const json r = open_reservation(s, as, reservation_id);
  json defaults = json::object();
  if (!r["queueItemId"].is_null()) {
    const json item = repo::get(s, E("EpisodeScheduleQueue"), as.organization_id, r["queueItemId"]);
    defaults["projectId"] = item["projectId"];
    if (!item["episodeId"].is_null()) defaults["episodeId"] = item["episodeId"];
  }
  const Cover cover{r["date"].get<std::string>(), r["estimateMicros"].get<int64_t>()};
  json u = record_usage(s, as, usage, defaults, now, key_path("usage"), &cover);
  json after = audited_change(s, as, E("BudgetReservation"), r, {{"status", name(RS::settled)}},
                              "settle", now);
  return json{{"reservation", after}, {"usage", u}};
}

json release(Store& s, const Actor& as, const std::string& reservation_id, Instant now) {
  const json r = open_reservation(s, as, reservation_id);
  return audited_change(s, as, E("BudgetReservation"), r, {{"status", name(RS::released)}},
                        "release", now);
}

int64_t close_for_item(Store& s, const Actor& as, const std::string& queue_item_id,
                       rules::ReservationStatus status, Instant now) {
  repo::ListQuery q;
  q.equals = {{"queueItemId", queue_item_id}, {"status", kOpen}};
  q.limit = 1000;
  const auto& e = E("BudgetReservation");
  int64_t n = 0;
  for (const auto& r : repo::list(s, e, as.organization_id, q)) {
    audited_change(s, as, e, r, {{"status", name(status)}},
                   status == RS::settled ? "settle" : "release", now);
    ++n;
  }
  return n;
}

json settle_for_item(Store& s, const Actor& as, const json& item, const json& usage,
                     const json& defaults, Instant now) {
  repo::ListQuery q;
  q.equals = {{"queueItemId", item["id"]}, {"status", kOpen}};
  q.limit = 1000;
  const auto& e = E("BudgetReservation");
  const auto open = repo::list(s, e, as.organization_id, q);
  if (open.empty()) return record_usage(s, as, usage, defaults, now);
  Cover cover;
  for (const auto& r : open) cover.date = std::max(cover.date, r["date"].get<std::string>());
  for (const auto& r : open)
    if (r["date"] == cover.date) cover.estimate_micros += r["estimateMicros"].get<int64_t>();
  json u = record_usage(s, as, usage, defaults, now, key_path("usage"), &cover);
  for (const auto& r : open) {
    const bool covers = r["date"] == cover.date;
    audited_change(s, as, e, r, {{"status", name(covers ? RS::settled : RS::released)}},
                   covers ? "settle" : "release", now);
  }
  return u;
}

void extend_for_item(Store& s, const Actor& as, const std::string& queue_item_id,
                     Instant locked_until, Instant now) {
  repo::ListQuery q;
  q.equals = {{"queueItemId", queue_item_id}, {"status", kOpen}};
  q.limit = 1000;
  const auto& e = E("BudgetReservation");
  for (const auto& r : repo::list(s, e, as.organization_id, q))
    if (*parse_instant(r["expiresAt"].get<std::string>()) < locked_until)
      audited_change(s, as, e, r, {{"expiresAt", format_instant(locked_until)}}, "extend", now);
}

json daily(Store& s, const std::string& org, Instant now, int64_t days) {
  const int64_t last = floor_div(now, kMsPerDay);
  const int64_t first = last - days + 1;
  std::map<std::string, json> found;
  Stmt& q = s.db().prepare(
      "SELECT date, cost_micros, input_tokens, output_tokens, call_count FROM token_usage_daily "
      "WHERE organization_id = ? AND date >= ? AND date <= ?");
  q.bind(1, org)
      .bind(2, format_date(civil_from_days(first)))
      .bind(3, format_date(civil_from_days(last)));
  while (q.step())
    found[q.text(0)] = json{{"date", q.text(0)},
                            {"costMicros", q.int64(1)},
                            {"inputTokens", q.int64(2)},
                            {"outputTokens", q.int64(3)},
                            {"callCount", q.int64(4)}};
  q.reset();
  json out = json::array();
  for (int64_t d = first; d <= last; ++d) {
    const std::string date = format_date(civil_from_days(d));
    auto it = found.find(date);
    out.push_back(it != found.end() ? it->second
                                    : json{{"date", date},
                                           {"costMicros", 0},
                                           {"inputTokens", 0},
                                           {"outputTokens", 0},
                                           {"callCount", 0}});
  }
  return out;
}

}  // namespace ec::store::budget
