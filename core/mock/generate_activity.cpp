// UserEvent and AuditLog: the story of the dataset. Users sign up or accept invitations, go
// through onboarding, create projects, read and publish episodes, highlight, chat, leave
// planning notes, and get told when the budget runs out; every change has its audit row.
#include <algorithm>

#include "core/mock/model.hpp"
#include "core/rules.hpp"

namespace ec::mock {

void generate_activity(Plan& p, Writer& w) {
  Rng re = p.rng("UserEvent");
  IdStream event_ids = p.ids("UserEvent"), audit_ids = p.ids("AuditLog");
  const uint64_t view_rate = p.size == Size::Large ? 25 : p.size == Size::Small ? 6 : 3;

  for (size_t ui = 0; ui < p.users.size(); ++ui) {
    const UserM& u = p.users[ui];
    const OrgM& o = p.orgs[u.org];
    if (u.role == rules::name(rules::Role::owner)) {
      p.add_event(ui, "account.signed_up", {{"method", re.chance(1, 3) ? "google" : "email"}},
                  u.created);
    } else {
      p.add_event(ui, "invitation.accepted",
                  {{"invitedBy", p.users[o.users.front()].id}, {"role", u.role}}, u.created);
    }
    const Instant started = u.created + re.range(1, 10) * kMinute;
    p.add_event(ui, "onboarding.started",
                {{"source", u.role == rules::name(rules::Role::owner) ? "signup" : "invite"}},
                started);
    if (u.timezone != "UTC")
      p.add_event(ui, "settings.timezone_changed", {{"from", "UTC"}, {"to", u.timezone}},
                  started + re.range(1, 5) * kMinute);
    if (re.chance(17, 20)) {
      const int64_t secs = re.range(90, 1'800);
      p.add_event(ui, "onboarding.completed", {{"durationSeconds", secs}, {"stepsCompleted", 4}},
                  started + secs * 1000);
    } else {
      const char* step = re.chance(1, 2) ? "choose-topic" : "set-cadence";
      p.add_event(ui, "onboarding.step_completed", {{"step", step}},
                  started + re.range(2, 20) * kMinute);
    }
  }
  for (const auto& pr : p.projects) {
    int64_t days = 0;
    for (bool d : pr.cadence.days) days += d ? 1 : 0;
    p.add_event(pr.owner, "project.created", {{"projectId", pr.id}, {"cadenceDays", days}},
                pr.created);
    const Instant end = std::min(pr.ended.value_or(p.now), p.now);
    for (size_t ei : pr.episodes) {
      const EpisodeM& e = p.episodes[ei];
      if (!e.generated) continue;
      if (e.published)
        p.add_event(*e.publisher, "episode.published", {{"episodeId", e.id}, {"projectId", pr.id}},
                    *e.published);
      for (size_t ui : p.orgs[pr.org].users) {
        if (!re.chance(1, view_rate)) continue;
        const Instant at = *e.generated + re.range(5, 3 * 24 * 60) * kMinute;
        if (at >= end) continue;
        p.add_event(ui, "episode.viewed",
                    {{"episodeId", e.id},
                     {"projectId", pr.id},
                     {"source", re.chance(1, 2) ? "email" : "dashboard"}},
                    at);
      }
    }
  }
  // The circuit breaker told the owner each time the budget ran out.
  const OrgM& bo = p.orgs[p.budget_org];
  for (const Instant at : {p.burst_cutoff_past, p.burst_cutoff_today})
    p.add_event(bo.users.front(), "budget.limit_reached",
                {{"date", format_date(civil_from_days(floor_div(at, kDay)))},
                 {"limitMicros", bo.limit_micros}},
                at);

  w.phase("UserEvent");
  Table et(w, "UserEvent");
  const size_t e_id = et.col("id"), e_org = et.col("organizationId"), e_user = et.col("userId"),
               e_type = et.col("eventType"), e_data = et.col("eventData"),
               e_at = et.col("occurredAt"), e_c = et.col("createdAt"), e_u = et.col("updatedAt");
  event_ids.reserve_sorted(p.events.size());
  for (const auto& ev : p.events) {
    Row r = et.row();
    r[e_id] = event_ids.next();
    r[e_org] = p.orgs[p.users[ev.user].org].id;
    r[e_user] = p.users[ev.user].id;
    r[e_type] = ev.type;
    r[e_data] = ev.data.dump();
    r[e_at] = ev.at;
    r[e_c] = ev.at;
    r[e_u] = ev.at;
    et.insert(r);
  }

  w.phase("AuditLog");
  Table at(w, "AuditLog");
  const size_t a_id = at.col("id"), a_org = at.col("organizationId"), a_actor = at.col("actorId"),
               a_action = at.col("action"), a_type = at.col("entityType"),
               a_eid = at.col("entityId"), a_changes = at.col("changes"),
               a_at = at.col("occurredAt"), a_c = at.col("createdAt"), a_u = at.col("updatedAt");
  audit_ids.reserve_sorted(p.audit.size());
  for (const auto& a : p.audit) {
    Row r = at.row();
    r[a_id] = audit_ids.next();
    r[a_org] = a.org;
    if (a.actor) r[a_actor] = *a.actor;
    r[a_action] = a.action;
    r[a_type] = a.entity_type;
    r[a_eid] = a.entity_id;
    r[a_changes] = a.changes.dump();
    r[a_at] = a.at;
    r[a_c] = a.at;
    r[a_u] = a.at;
    at.insert(r);
  }
}

}  // namespace ec::mock
