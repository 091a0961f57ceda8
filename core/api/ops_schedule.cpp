// Scheduling, the generation queue, the cost budget and the demo clock:
// schedule.preview, queue.plan/claim/complete/fail/extend/retry/cancel, budget.reserve/settle/
// release/status, usage.daily, clock.get/set/advance. The rules live in core/store/queue.cpp and
// core/store/budget.cpp; this file declares the operations and maps parameters.
#include "core/api/registry.hpp"
#include "core/schedule/preview.hpp"
#include "core/store/budget.hpp"
#include "core/store/queue.hpp"
#include "core/store/repo.hpp"

namespace ec::api {

using namespace schema::build;  // NOLINT: parameter declarations read as a table
namespace repo = store::repo;
namespace queue = store::queue;
namespace budget = store::budget;

namespace {

const schema::Entity& E(const char* name) {
  return *schema::find_entity(name);
}

// now + seconds, refused (invalid, path ["seconds"]) when it would leave kMinInstant..kMaxInstant:
// a clock outside years 0001..9999 would make every later write fail.
Instant advanced(Instant now, int64_t seconds) {
  const Instant to = now + seconds * kMsPerSecond;
  if (!in_instant_range(to))
    throw Error::invalid({validate::make_issue(
        key_path("seconds"), validate::issue::invalid_range,
        "the clock would leave the years 0001..9999 (" + format_instant(now) + " + " +
            std::to_string(seconds) + " s)",
        {{"min", format_instant(kMinInstant)}, {"max", format_instant(kMaxInstant)}})});
  return to;
}

std::optional<Instant> instant_param(const json& p, const char* key) {
  if (!p.contains(key) || p[key].is_null()) return std::nullopt;
  return parse_instant(p[key].get<std::string>());
}

json preview(Context& ctx, const json& p) {
  const bool by_project = p.contains("projectId") && !p["projectId"].is_null();
  const bool by_cadence = p.contains("cadence") && !p["cadence"].is_null();
  if (by_project == by_cadence)
    throw Error::invalid(
        {validate::make_issue(json::array({by_project ? "cadence" : "projectId"}),
                              by_project ? "unknown_field" : validate::issue::required,
                              "give either projectId or cadence (exactly one)")});
  std::optional<schedule::Cadence> cadence;
  const tz::Zone* zone = &tz::utc();
  std::string zone_name = "UTC", zone_source = "default";
  bool active = true;
  json out = json::object();
  if (by_project) {
    if (ctx.as.organization_id.empty())
      throw Error::at(code::bad_request, "\"as\" is required to preview a project's cadence", "as");
    const json project = repo::get(ctx.store, E("Project"), ctx.as.organization_id, p["projectId"],
                                   true, key_path("projectId"));
    const auto ps = queue::project_schedule(ctx.store, ctx.as.organization_id, project);
    cadence = ps.cadence;
    zone = ps.zone;
    zone_name = ps.zone_name;
    zone_source = ps.zone_source;
    active = ps.active;
    out["projectStatus"] = project["deletedAt"].is_null() ? project["status"] : json("deleted");
  } else {
    std::vector<Issue> issues;
    cadence = schedule::parse_cadence(p["cadence"], key_path("cadence"), issues);
    if (!cadence) throw Error::invalid(std::move(issues));
    // The zone when the cadence names none: the `timezone` parameter, else the acting user's.
    std::string fallback;
    std::string source = "owner";
    if (p.contains("timezone") && p["timezone"].is_string()) {
      fallback = p["timezone"];
      source = "param";
    } else if (!ctx.as.user_id.empty()) {
      const json me = repo::get(ctx.store, E("User"), ctx.as.organization_id, ctx.as.user_id);
      fallback = me["timezone"];
    } else {  // no user (public call or the system): UTC
      fallback = "UTC";
      source = "default";
    }
    const auto choice = schedule::resolve_zone(*cadence, std::string_view(fallback));
    zone = choice.zone;
    zone_name = std::string(choice.name);
    zone_source = choice.source == "owner" ? source : std::string(choice.source);
  }
  const Instant from = instant_param(p, "from").value_or(ctx.now);
  const auto until = instant_param(p, "until");
  const bool has_count = p.contains("count") && !p["count"].is_null();
  const size_t count = has_count ? p["count"].get<size_t>() : (until ? 1000 : 10);
  std::vector<schedule::Occurrence> occ;
  if (cadence && active)
    occ = schedule::occurrences(*cadence, *zone,
                                schedule::Window{from, has_count ? count : count + 1, until});
  const bool truncated = occ.size() > count;
  if (truncated) occ.resize(count);
  json items = json::array();
  for (const auto& o : occ) items.push_back(schedule::to_json(o));
  out["timezone"] = zone_name;
  out["timezoneSource"] = zone_source;
  out["active"] = active && cadence.has_value();
  out["items"] = std::move(items);
  out["truncated"] = truncated;
  return out;
}

F id_param(const char* doc = "Queue item id.") {
  return std::move(uuid("id").doc(doc));
}
F token_param() {
  return std::move(integer("token", 1, 1000)
                       .doc("Fencing token returned by queue.claim (the item's attempts)."));
}
F lease_param() {
  return std::move(integer("leaseSeconds", rules::kMinLeaseSeconds, rules::kMaxLeaseSeconds)
                       .def(rules::kDefaultLeaseSeconds)
                       .doc("Lease length."));
}

}  // namespace

void add_schedule_ops(std::vector<Operation>& ops) {
  ops.emplace_back(OpDecl{
      .name = "schedule.preview",
      .doc = "The next episode times of a project's cadence (or of an explicit cadence), in UTC "
             "and local time, "
             "DST-correct. Paused, archived and deleted projects have none.",
      .access = {schema::authz::Level::Public},
      .params =
          {std::move(
               uuid("projectId").null().doc("Use this project's cadence, timezone and status.")),
           std::move(jsonf("cadence", schema::Rule::Cadence, 16'384, 8)
                         .null()
                         .doc("An explicit cadence config.")),
           std::move(
               str("timezone", 64, 1)
                   .rule(schema::Rule::Timezone)
                   .null()
                   .doc("With cadence: the zone when the cadence names none (default: yours).")),
           std::move(instant("from").null().doc("First instant considered (default: now).")),
           std::move(
               integer("count", 1, 1000).null().doc("How many (default 10; 1000 with until).")),
           std::move(instant("until").null().doc("Only occurrences before this instant."))},
      .result = result::named("SchedulePreview"),
      .errors = {code::not_found},
      .writes = false,
      .handler = preview});

  ops.emplace_back(OpDecl{
      .name = "queue.plan",
      .doc = "Enqueues every occurrence in [now, now + horizonDays) of one project (or every "
             "project of the "
             "organization); cancels pending items that no longer match. Idempotent.",
      .access = {schema::authz::Level::System},
      .params = {std::move(uuid("projectId").null().doc("Only this project (default: all).")),
                 integer("horizonDays", 1, 90).def(queue::kDefaultHorizonDays)},
      .result = result::named("PlanCounts"),
      .errors = {code::not_found},
      .handler = [](Context& ctx, const json& p) {
        const int64_t horizon = p["horizonDays"];
        json out;
        if (p.contains("projectId") && !p["projectId"].is_null()) {
          const json project = repo::get(ctx.store, E("Project"), ctx.as.organization_id,
                                         p["projectId"], false, key_path("projectId"));
          out = queue::plan_project(ctx.store, ctx.as, project, ctx.now, horizon).to_json();
          out["projects"] = 1;
        } else {
          out = queue::plan_all(ctx.store, ctx.as, ctx.now, horizon).to_json();
          out["projects"] = ctx.store.db().query_int(
              "SELECT count(*) FROM projects WHERE organization_id = ?", {ctx.as.organization_id});
        }
        return out;
      }});

  ops.emplace_back(OpDecl{
      .name = "queue.claim",
      .doc = "Atomically takes up to `limit` due items of the organization (pending and due, or "
             "with an expired "
             "lease), oldest slot first, under a lease; creates or reuses each slot's Episode. "
             "Items of inactive "
             "projects are skipped; nothing is claimed while the organization's daily budget is "
             "spent.",
      .access = {schema::authz::Level::System},
      .params = {str("workerId", 200, 1).not_blank(),
                 integer("limit", 1, rules::kMaxClaimLimit).def(1), lease_param()},
      .result = result::named("ClaimResult"),
      .write_result = [](Context& ctx, const json& p, std::string& out) {
        queue::claim(ctx.store, ctx.as, p["workerId"], p["limit"], p["leaseSeconds"], ctx.now)
            .write(ctx.as.organization_id, out);
      }});

  ops.emplace_back(OpDecl{
      .name = "queue.complete",
      .doc = "Finishes a claimed item: episode ready; records the LLM usage, settling the item's "
             "open budget reservations (of their latest UTC day; the usage is attributed to that "
             "day and refused with budget_exceeded above their summed estimate). Without a "
             "reservation the usage must fit the day's remaining budget (budget_exceeded). "
             "Refused with stale_lease when the token is no longer current.",
      .access = {schema::authz::Level::System},
      .params = {id_param(), token_param(),
                 std::move(
                     jsonf("usage", schema::Rule::JsonObject, 4096, 20)
                         .null()
                         .doc(
                             "{model, inputTokens, outputTokens, costMicros} of the generation."))},
      .result = result::named("CompleteResult"),
      .errors = {code::not_found, code::stale_lease, code::budget_exceeded},
      .write_result = [](Context& ctx, const json& p, std::string& out) {
        queue::complete(ctx.store, ctx.as, p["id"], p["token"], p.value("usage", json(nullptr)),
                        ctx.now)
            .write(out);
      }});

  ops.emplace_back(OpDecl{
      .name = "queue.fail",
      .doc = "Records a failed attempt on the Episode; the item is retried after an exponential "
             "backoff with "
             "jitter (60 s * 2^(attempt-1), at most 1 h), or fails for good after maxAttempts.",
      .access = {schema::authz::Level::System},
      .params = {id_param(), token_param(), str("code", 100, 1).not_blank(), text("message", 4000)},
      .result = result::named("FailResult"),
      .errors = {code::not_found, code::stale_lease},
      .handler = [](Context& ctx, const json& p) {
        return queue::fail(ctx.store, ctx.as, p["id"], p["token"], p["code"], p["message"],
                           ctx.now);
      }});

  ops.emplace_back(OpDecl{.name = "queue.extend",
                          .doc = "Extends a held lease to now + leaseSeconds; the item's open "
                                 "budget reservations are kept at least that long.",
                          .access = {schema::authz::Level::System},
                          .params = {id_param(), token_param(), lease_param()},
                          .result = result::entity("EpisodeScheduleQueue"),
                          .errors = {code::not_found, code::stale_lease},
                          .handler = [](Context& ctx, const json& p) {
                            return queue::extend(ctx.store, ctx.as, p["id"], p["token"],
                                                 p["leaseSeconds"], ctx.now);
                          }});

  ops.emplace_back(OpDecl{
      .name = "queue.retry",
      .doc = "By hand: a failed item goes back to pending, due now. Attempts "
             "are kept (they are the fencing "
             "token); maxAttempts grows by extraAttempts.",
      .access = {schema::authz::Level::Admin, true},
      .params = {id_param(),
                 integer("extraAttempts", 1, rules::kMaxAttempts).def(rules::kDefaultMaxAttempts)},
      .result = result::entity("EpisodeScheduleQueue"),
      .errors = {code::not_found, code::conflict},
      .handler = [](Context& ctx, const json& p) {
        return queue::retry(ctx.store, ctx.as, p["id"], p["extraAttempts"], ctx.now);
      }});

  ops.emplace_back(OpDecl{.name = "queue.cancel",
                          .doc = "By hand: cancels a pending, processing or failed item (planning "
                                 "will not bring it back).",
                          .access = {schema::authz::Level::Admin, true},
                          .params = {id_param()},
                          .result = result::entity("EpisodeScheduleQueue"),
                          .errors = {code::not_found, code::conflict},
                          .handler = [](Context& ctx, const json& p) {
                            return queue::cancel(ctx.store, ctx.as, p["id"], ctx.now);
                          }});

  ops.emplace_back(OpDecl{.name = "budget.reserve",
                          .doc = "Holds an estimated cost against today's (UTC) budget until it is "
                                 "settled, released or expires (a reservation of a processing "
                                 "queue item expires no earlier than its lease). Refused with "
                                 "budget_exceeded when spent + reserved + estimate would pass the "
                                 "daily limit. Reservations of today that expired are released "
                                 "first, and can no longer be settled.",
                          .access = {schema::authz::Level::System},
                          .params = {money("estimateMicros"), std::move(uuid("queueItemId").null()),
                                     integer("ttlSeconds", 1, rules::kMaxReservationTtlSeconds)
                                         .def(rules::kDefaultReservationTtlSeconds)},
                          .result = result::entity("BudgetReservation"),
                          .errors = {code::not_found, code::budget_exceeded},
                          .handler = [](Context& ctx, const json& p) {
                            std::optional<std::string> item;
                            if (p.contains("queueItemId") && !p["queueItemId"].is_null())
                              item = p["queueItemId"].get<std::string>();
                            return budget::reserve(ctx.store, ctx.as, p["estimateMicros"], item,
                                                   p["ttlSeconds"], ctx.now);
                          }});

  ops.emplace_back(OpDecl{
      .name = "budget.settle",
      .doc = "Records the actual usage of a reserved generation (a TokenUsage row) and settles the "
             "reservation. The usage is attributed to the reservation's UTC day (occurredAt is "
             "clamped into it); a cost above the estimate is refused with budget_exceeded "
             "(params {estimateMicros}); a reservation that is not open is a conflict.",
      .access = {schema::authz::Level::System},
      .params =
          {uuid("reservationId"),
           std::move(
               jsonf("usage", schema::Rule::JsonObject, 4096, 20)
                   .doc("{model, inputTokens, outputTokens, costMicros, projectId?, episodeId?}"))},
      .result = result::named("SettleResult"),
      .errors = {code::not_found, code::conflict, code::budget_exceeded},
      .handler = [](Context& ctx, const json& p) {
        return budget::settle(ctx.store, ctx.as, p["reservationId"], p["usage"], ctx.now);
      }});

  ops.emplace_back(OpDecl{.name = "budget.release",
                          .doc = "Gives back an open reservation (the generation did not happen).",
                          .access = {schema::authz::Level::System},
                          .params = {uuid("reservationId")},
                          .result = result::entity("BudgetReservation"),
                          .errors = {code::not_found, code::conflict},
                          .handler = [](Context& ctx, const json& p) {
                            return budget::release(ctx.store, ctx.as, p["reservationId"], ctx.now);
                          }});

  ops.emplace_back(OpDecl{
      .name = "budget.status",
      .doc = "The organization's budget for a UTC day (default today): limit, spent, reserved, "
             "remaining, and "
             "whether the circuit breaker blocks new generations, with the reason to show.",
      .params = {std::move(date("date").null())},
      .result = result::named("BudgetStatus"),
      .writes = false,
      .handler = [](Context& ctx, const json& p) {
        std::optional<std::string> day;
        if (p.contains("date") && !p["date"].is_null()) day = p["date"].get<std::string>();
        return budget::status(ctx.store, ctx.as.organization_id, ctx.now, day).to_json();
      }});

  ops.emplace_back(OpDecl{
      .name = "usage.daily",
      .doc = "Cost and tokens per UTC day for the last `days` days up to today, oldest first, "
             "zeros filled.",
      .params = {integer("days", 1, 366).def(30)},
      .result = result::array(result::named("DailyUsage")),
      .writes = false,
      .handler = [](Context& ctx, const json& p) {
        return budget::daily(ctx.store, ctx.as.organization_id, ctx.now, p["days"]);
      }});

  ops.emplace_back(OpDecl{.name = "clock.get",
                          .doc = "The core's clock: now, and whether it is fixed (demo/test time).",
                          .access = {schema::authz::Level::System, false, true},
                          .result = result::named("ClockState"),
                          .writes = false,
                          .handler = [](Context& ctx, const json&) {
                            return json{{"now", format_instant(ctx.store.now())},
                                        {"fixed", ctx.store.clock_override().has_value()}};
                          }});
  ops.emplace_back(OpDecl{.name = "clock.set",
                          .doc = "Fixes the clock at an instant (null: back to the real clock).",
                          .access = {schema::authz::Level::System, false, true},
                          .params = {std::move(instant("now").null())},
                          .result = result::named("ClockState"),
                          .writes = false,
                          .handler = [](Context& ctx, const json& p) {
                            ctx.store.set_clock(instant_param(p, "now"));
                            return json{{"now", format_instant(ctx.store.now())},
                                        {"fixed", ctx.store.clock_override().has_value()}};
                          }});
  ops.emplace_back(
      OpDecl{.name = "clock.advance",
             .doc = "Fixes the clock at now + seconds (now: the request's, else the clock's).",
             .access = {schema::authz::Level::System, false, true},
             .params = {integer("seconds", -315'576'000, 315'576'000)},
             .result = result::named("ClockState"),
             .writes = false,
             .handler = [](Context& ctx, const json& p) {
               ctx.store.set_clock(advanced(ctx.now, p["seconds"].get<int64_t>()));
               return json{{"now", format_instant(ctx.store.now())}, {"fixed", true}};
             }});
}

}  // namespace ec::api
