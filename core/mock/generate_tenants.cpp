// Organization, User and Project: who the tenants are, who works there, what they follow.
#include <algorithm>
#include <set>

#include "core/mock/corpus.hpp"
#include "core/mock/model.hpp"
#include "core/rules.hpp"
#include "core/schedule/preview.hpp"

namespace ec::mock {

std::vector<int64_t> allocate(int64_t total, const std::vector<int64_t>& weights,
                              int64_t floor_each, int64_t cap) {
  const size_t n = weights.size();
  std::vector<int64_t> out(n, 0);
  if (n == 0) return out;
  int64_t rest = total;
  if (total >= floor_each * static_cast<int64_t>(n)) {
    for (auto& o : out) o = floor_each;
    rest -= floor_each * static_cast<int64_t>(n);
  }
  int64_t wsum = 0;
  for (auto w : weights) wsum += w;
  int64_t given = 0;
  for (size_t i = 0; i < n; ++i) {
    const int64_t add = wsum ? rest * weights[i] / wsum : 0;
    out[i] += add;
    given += add;
  }
  // Remainder and overflow above the cap go round-robin to parts with room.
  int64_t left = rest - given;
  for (size_t i = 0; i < n; ++i)
    if (out[i] > cap) {
      left += out[i] - cap;
      out[i] = cap;
    }
  for (size_t i = 0; left > 0; i = (i + 1) % n) {
    if (out[i] < cap) {
      ++out[i];
      --left;
    } else {
      bool room = false;
      for (auto o : out) room = room || o < cap;
      if (!room) break;
    }
  }
  return out;
}

namespace {

std::string lower_ascii(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

const char* kEditions[] = {"EMEA", "Americas", "APAC", "Leadership", "Team B", "Weekend edition"};
const char* kTimes[] = {"06:30", "07:00", "07:30", "08:00", "08:30", "09:00",
                        "09:15", "10:00", "12:00", "16:30", "17:00", "18:00"};

schedule::Cadence make_cadence(Rng& r, int weekday_must) {
  schedule::Cadence c;
  const size_t kind = r.weighted({25, 35, 25, 15});
  if (kind == 3) {
    for (int d = 0; d < 5; ++d) c.days[static_cast<size_t>(d)] = true;
  } else {
    const int n = static_cast<int>(kind) + 1;
    int set = 0;
    while (set < n) {
      // Weekdays are far more common than weekends.
      const int d = static_cast<int>(r.weighted({6, 6, 6, 6, 6, 1, 1}));
      if (!c.days[static_cast<size_t>(d)]) {
        c.days[static_cast<size_t>(d)] = true;
        ++set;
      }
    }
  }
  if (weekday_must >= 0) c.days[static_cast<size_t>(weekday_must)] = true;
  c.minute_of_day = *parse_hhmm(r.pick(kTimes));
  return c;
}

}  // namespace

json create_changes(const schema::Entity& e, const json& row) {
  json changes = json::object();
  for (const auto& f : e.fields) {
    if (f.name == "createdAt" || f.name == "updatedAt") continue;
    auto it = row.find(f.name);
    if (it != row.end() && !it->is_null()) changes[f.name] = {{"before", nullptr}, {"after", *it}};
  }
  return changes;
}

void plan_tenants(Plan& p) {
  Rng ro = p.rng("Organization");
  Rng ru = p.rng("User");
  Rng rp = p.rng("Project");
  IdStream org_ids = p.ids("Organization"), user_ids = p.ids("User"),
           project_ids = p.ids("Project");
  const Counts& c = p.counts;
  const int ref_weekday = weekday_from_days(days_from_civil(p.reference_date));

  // Organizations: hand-written names first (in a seed-dependent order), then generated ones.
  std::vector<size_t> order(corpus::kOrgNames.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (!p.demo) ro.shuffle(order);
  std::set<std::string> slugs;
  for (int64_t i = 0; i < c.organizations; ++i) {
    OrgM o;
    o.id = org_ids.next();
    std::string slug;
    if (static_cast<size_t>(i) < order.size()) {
      o.name = corpus::kOrgNames[order[static_cast<size_t>(i)]].name;
      slug = corpus::kOrgNames[order[static_cast<size_t>(i)]].slug;
    } else {
      const std::string pre = ro.pick(corpus::kOrgPrefixes), suf = ro.pick(corpus::kOrgSuffixes);
      o.name = pre + " " + suf;
      slug = lower_ascii(pre + "-" + suf);
    }
    o.slug = slug;
    for (int n = 2; slugs.count(o.slug); ++n) o.slug = slug + "-" + std::to_string(n);
    slugs.insert(o.slug);
    o.home_zone =
        corpus::kZones[ro.weighted({8, 5, 5, 6, 4, 3, 3, 3, 3, 1, 2, 1, 2, 2, 1, 2, 1, 1, 2})];
    const size_t lim = ro.weighted({70, 15, 10, 5});
    o.limit_micros = lim == 0   ? 50'000'000
                     : lim == 1 ? 25'000'000
                     : lim == 2 ? 100'000'000
                                : 250'000'000;
    p.orgs.push_back(std::move(o));
  }
  if (p.demo) {
    p.orgs[0].home_zone = "Europe/London";
    p.orgs[1].home_zone = "Europe/Paris";
  }

  // Projects per organization, within plan limits (team: 100).
  std::vector<int64_t> pw;
  for (size_t i = 0; i < p.orgs.size(); ++i) {
    // One draw per statement: operand evaluation order differs between GCC and clang.
    const int64_t a = p.demo ? 1 : rp.range(1, 12);
    pw.push_back(p.demo ? 1 : a * rp.range(1, 4));
  }
  const auto per_org = allocate(c.projects, pw, 1, 100);
  for (size_t o = 0; o < p.orgs.size(); ++o) {
    const int64_t n = per_org[o];
    p.orgs[o].plan = n <= 3    ? (ro.chance(1, 3) && !p.demo ? rules::name(rules::Plan::pro)
                                                             : rules::name(rules::Plan::free))
                     : n <= 25 ? (ro.chance(1, 5) ? rules::name(rules::Plan::team)
                                                  : rules::name(rules::Plan::pro))
                               : rules::name(rules::Plan::team);
  }
  if (p.demo) p.orgs[0].plan = rules::name(rules::Plan::pro);

  // Users: every organization has its owner; the rest follow the number of projects.
  std::vector<int64_t> uw;
  for (size_t o = 0; o < p.orgs.size(); ++o) uw.push_back(per_org[o] + 1);
  const auto users_per_org = allocate(c.users, uw, 1, 1'000'000);
  bool rtl_done = false, emoji_done = false;
  for (size_t o = 0; o < p.orgs.size(); ++o) {
    std::set<std::string> emails;
    for (int64_t k = 0; k < users_per_org[o]; ++k) {
      UserM u;
      u.id = user_ids.next();
      u.org = o;
      const auto& first = ru.pick(corpus::kFirstNames);
      const auto& last = ru.pick(corpus::kLastNames);
      std::string local = std::string(first.ascii) + "." + last.ascii;
      u.name = std::string(first.display) + " " + last.display;
      if (k == 2 && !rtl_done) {
        u.name = corpus::kRtlPerson.display;
        local = corpus::kRtlPerson.ascii;
        rtl_done = true;
      } else if (k == 3 && !emoji_done) {
        u.name = std::string(first.display) + " ✨ " + last.display;
        emoji_done = true;
      }
      std::string email = local + "@" + p.orgs[o].slug + ".example";
      for (int n = 2; emails.count(email); ++n)
        email = local + std::to_string(n) + "@" + p.orgs[o].slug + ".example";
      emails.insert(email);
      u.email = email;
      u.role = k == 0 ? rules::name(rules::Role::owner)
               : (k == 1 && users_per_org[o] >= 3) || ru.chance(1, 8)
                   ? rules::name(rules::Role::admin)
                   : rules::name(rules::Role::member);
      u.timezone = ru.chance(3, 4) ? p.orgs[o].home_zone : std::string(ru.pick(corpus::kZones));
      p.orgs[o].users.push_back(p.users.size());
      p.users.push_back(std::move(u));
    }
  }

  // Projects.
  for (size_t o = 0; o < p.orgs.size(); ++o) {
    std::vector<size_t> topics(corpus::kTopics.size());
    for (size_t i = 0; i < topics.size(); ++i) topics[i] = i;
    rp.shuffle(topics);
    if (p.demo) {  // a recognisable demo: each organization follows topics that fit it
      if (o == 0)
        topics = {0, 1, 9, 2};
      else
        topics = {5, 11, 3, 4};
    }
    const auto& org_users = p.orgs[o].users;
    for (int64_t j = 0; j < per_org[o]; ++j) {
      ProjectM pr;
      pr.id = project_ids.next();
      pr.org = o;
      pr.topic = topics[static_cast<size_t>(j) % topics.size()];
      pr.name = corpus::kTopics[pr.topic].project;
      if (static_cast<size_t>(j) >= topics.size())
        pr.name += std::string(" — ") + kEditions[(static_cast<size_t>(j) / topics.size() - 1) % 6];
      pr.description = corpus::kTopics[pr.topic].description;
      std::vector<uint32_t> ow;
      for (size_t ui : org_users)
        ow.push_back(p.users[ui].role == rules::name(rules::Role::member) ? 1 : 3);
      pr.owner = org_users[rp.weighted(ow)];
      const size_t st = rp.weighted({82, 11, 7});
      pr.status = st == 0   ? rules::name(rules::ProjectStatus::active)
                  : st == 1 ? rules::name(rules::ProjectStatus::paused)
                            : rules::name(rules::ProjectStatus::archived);
      if (pr.status == rules::name(rules::ProjectStatus::archived) && rp.chance(1, 4))
        pr.deleted = 1;  // time set when planned
      int must_day = -1;
      if (p.demo) {
        pr.deleted.reset();
        pr.status = j == 2 ? (o == 0 ? rules::name(rules::ProjectStatus::paused)
                                     : rules::name(rules::ProjectStatus::archived))
                           : rules::name(rules::ProjectStatus::active);
        if (j == 0 || (o == 1 && j == 1)) must_day = ref_weekday;
      }
      pr.cadence = make_cadence(rp, must_day);
      const size_t zone_choice = rp.weighted({5, 3, 2});  // own zone / owner's (omitted) / another
      if (zone_choice == 0)
        pr.cadence.timezone = p.users[pr.owner].timezone;
      else if (zone_choice == 2)
        pr.cadence.timezone = rp.pick(corpus::kZones);
      if (p.demo && j == 0 && o == 0) {  // its run today is the one the circuit breaker holds back
        pr.cadence.timezone = "Europe/London";
        pr.cadence.minute_of_day = 9 * 60;
      }
      if (p.demo && o == 1 && j < 2) {  // running right now, and waiting to retry
        pr.cadence.timezone = "Europe/Paris";
        // 13:57:30 + 110 s: the first attempt failed at 13:59:20, its retry (rules::backoff_ms:
        // about a minute) is due just after now (14:00).
        pr.cadence.minute_of_day = j == 0 ? 13 * 60 + 56 : 13 * 60 + 57;
        pr.force = j == 0 ? 1 : 2;
      }
      const int64_t dpw = std::count(pr.cadence.days.begin(), pr.cadence.days.end(), true);
      pr.target_episodes = dpw * rp.range(60, 140);  // a weight until plan_schedule allocates
      if (pr.status == rules::name(rules::ProjectStatus::paused)) {
        pr.ended = p.now - rp.range(2, 20) * kDay;
        *pr.ended -= rp.range(0, 10) * kHour;
        const int64_t resume = floor_div(p.now, kDay) + rp.range(7, 40);
        pr.cadence.paused_until = civil_from_days(resume);
      } else if (pr.status == rules::name(rules::ProjectStatus::archived)) {
        pr.ended = p.now - rp.range(15, 120) * kDay;
        *pr.ended -= rp.range(0, 10) * kHour;
      }
      const auto choice = schedule::resolve_zone(pr.cadence, p.users[pr.owner].timezone);
      pr.zone = choice.zone;
      p.orgs[o].projects.push_back(p.projects.size());
      p.projects.push_back(std::move(pr));
    }
  }
  // The organization whose budget runs out (today and once before): a small one with a tight
  // £20 daily limit. Every other organization's limit leaves room for its normal runs.
  p.budget_org = 0;
  if (!p.demo)
    for (size_t o = 0; o < p.orgs.size(); ++o) {
      bool active = false;
      for (size_t pi : p.orgs[o].projects)
        active = active || p.projects[pi].status == rules::name(rules::ProjectStatus::active);
      if (active && per_org[o] < per_org[p.budget_org]) p.budget_org = o;
    }
  for (size_t o = 0; o < p.orgs.size(); ++o)
    p.orgs[o].limit_micros = std::max<int64_t>(p.orgs[o].limit_micros, per_org[o] * 3'000'000);
  p.orgs[p.budget_org].limit_micros = 20'000'000;
  // Episode targets: exact total, proportional to each project's cadence and history weight.
  std::vector<int64_t> ew;
  for (const auto& pr : p.projects) ew.push_back(pr.target_episodes);
  const auto targets =
      allocate(c.episodes, ew, std::min<int64_t>(2, c.episodes / std::max<int64_t>(1, c.projects)),
               1'000'000);
  for (size_t i = 0; i < p.projects.size(); ++i) p.projects[i].target_episodes = targets[i];
}

void write_tenants(Plan& p, Writer& w) {
  Rng rt = p.rng("Project", "times");
  Rng rm = p.rng("Project", "memories");
  Rng ru = p.rng("User", "times");
  IdStream memory_ids = p.ids("Project.memories");

  // Times flow backwards from the projects' first episodes (known after plan_schedule).
  for (auto& pr : p.projects) {
    Instant first = pr.queue.empty() ? p.now - 30 * kDay : p.queue[pr.queue.front()].scheduled;
    if (pr.ended) first = std::min(first, *pr.ended - 10 * kDay);
    pr.created = first - rt.range(1, 9) * kDay;
    pr.created -= rt.range(0, 600) * kMinute;
    pr.updated = pr.created;
    const int64_t n = rm.weighted({4, 3, 2, 2});
    for (int64_t k = 0; k < n; ++k) {
      const Instant at =
          pr.created + rm.range(1, std::max<int64_t>(2, (p.now - pr.created) / kHour - 1)) * kHour;
      const std::string ts = format_instant(at);
      pr.memories.push_back({{"id", memory_ids.next()},
                             {"content", rm.pick(corpus::kMemories).content},
                             {"createdAt", ts},
                             {"updatedAt", ts}});
      pr.updated = std::max(pr.updated, at);
    }
    if (pr.ended) pr.updated = std::max(pr.updated, *pr.ended);
    if (pr.deleted) {
      pr.deleted = *pr.ended + rt.range(1, 10) * kDay;
      if (*pr.deleted >= p.now) pr.deleted = p.now - kHour;
      pr.updated = std::max(pr.updated, *pr.deleted);
    }
  }
  for (auto& o : p.orgs) {
    Instant earliest = p.now - 20 * kDay;
    for (size_t pi : o.projects) earliest = std::min(earliest, p.projects[pi].created);
    o.created = earliest - ru.range(2, 30) * kDay;
    o.created -= ru.range(0, 23) * kHour;
    for (size_t k = 0; k < o.users.size(); ++k) {
      UserM& u = p.users[o.users[k]];
      if (k == 0) {
        u.created = o.created;
        continue;
      }
      Instant before = p.now - kHour;
      for (size_t pi : o.projects)
        if (p.projects[pi].owner == o.users[k]) before = std::min(before, p.projects[pi].created);
      u.created = o.created +
                  ru.range(1, std::max<int64_t>(2, (before - o.created) / kMinute - 1)) * kMinute;
    }
  }

  w.phase("Organization");
  Table org(w, "Organization");
  const size_t o_id = org.col("id"), o_name = org.col("name"), o_slug = org.col("slug"),
               o_plan = org.col("plan"), o_limit = org.col("dailyCostLimitMicros"),
               o_c = org.col("createdAt"), o_u = org.col("updatedAt");
  for (size_t i = 0; i < p.orgs.size(); ++i) {
    const auto& o = p.orgs[i];
    Row r = org.row();
    r[o_id] = o.id;
    r[o_name] = o.name;
    r[o_slug] = o.slug;
    r[o_plan] = o.plan;
    r[o_limit] = o.limit_micros;
    r[o_c] = o.created;
    r[o_u] = o.created;
    org.insert(r);
    p.add_audit(i, o.users.front(), "create", "Organization", o.id,
                create_changes(org.entity(), org.to_json(r)), o.created);
  }

  w.phase("User");
  Table user(w, "User");
  const size_t u_id = user.col("id"), u_org = user.col("organizationId"),
               u_email = user.col("email"), u_name = user.col("name"), u_role = user.col("role"),
               u_tz = user.col("timezone"), u_c = user.col("createdAt"),
               u_u = user.col("updatedAt");
  for (size_t i = 0; i < p.users.size(); ++i) {
    const auto& u = p.users[i];
    Row r = user.row();
    r[u_id] = u.id;
    r[u_org] = p.orgs[u.org].id;
    r[u_email] = u.email;
    r[u_name] = u.name;
    r[u_role] = u.role;
    r[u_tz] = u.timezone;
    r[u_c] = u.created;
    r[u_u] = u.created;
    user.insert(r);
    // The owner signs up; everyone else is invited by the owner.
    p.add_audit(u.org, u.role == rules::name(rules::Role::owner) ? i : p.orgs[u.org].users.front(),
                "create", "User", u.id, create_changes(user.entity(), user.to_json(r)), u.created);
  }

  w.phase("Project");
  Table proj(w, "Project");
  const size_t p_id = proj.col("id"), p_org = proj.col("organizationId"),
               p_owner = proj.col("ownerId"), p_name = proj.col("name"),
               p_desc = proj.col("description"), p_status = proj.col("status"),
               p_cad = proj.col("cadenceConfig"), p_mem = proj.col("memories"),
               p_c = proj.col("createdAt"), p_u = proj.col("updatedAt"),
               p_da = proj.col("deletedAt"), p_db = proj.col("deletedBy");
  for (const auto& pr : p.projects) {
    Row r = proj.row();
    r[p_id] = pr.id;
    r[p_org] = p.orgs[pr.org].id;
    r[p_owner] = p.users[pr.owner].id;
    r[p_name] = pr.name;
    r[p_desc] = pr.description;
    r[p_status] = pr.status;
    r[p_cad] = schedule::to_json(pr.cadence).dump();
    r[p_mem] = pr.memories.dump();
    r[p_c] = pr.created;
    r[p_u] = pr.updated;
    if (pr.deleted) {
      r[p_da] = *pr.deleted;
      r[p_db] = p.users[pr.owner].id;
    }
    proj.insert(r);
    // The audit trail: created (as it was then: active, no pause, no memories), then changes.
    json created = proj.to_json(r);
    created["status"] = rules::name(rules::ProjectStatus::active);
    json cad = created["cadenceConfig"];
    cad.erase("pausedUntil");
    created["cadenceConfig"] = cad;
    created["memories"] = json::array();
    created["deletedAt"] = nullptr;
    created["deletedBy"] = nullptr;
    p.add_audit(pr.org, pr.owner, "create", "Project", pr.id,
                create_changes(proj.entity(), created), pr.created);
    if (pr.ended) {
      json ch{{"status",
               {{"before", rules::name(rules::ProjectStatus::active)}, {"after", pr.status}}}};
      if (pr.status == rules::name(rules::ProjectStatus::paused))
        ch["cadenceConfig"] = {{"before", cad}, {"after", schedule::to_json(pr.cadence)}};
      p.add_audit(pr.org, pr.owner, "update", "Project", pr.id, ch, *pr.ended);
    }
    if (pr.deleted)
      p.add_audit(pr.org, pr.owner, "delete", "Project", pr.id,
                  {{"deletedAt", {{"before", nullptr}, {"after", format_instant(*pr.deleted)}}}},
                  *pr.deleted);
  }
}

}  // namespace ec::mock
