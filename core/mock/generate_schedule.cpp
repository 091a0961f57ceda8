// EpisodeScheduleQueue and Episode: every project's real cadence in its real zone
// (schedule::occurrences), each run simulated (claims, failures, backoff, retries) and the
// state taken at the dataset's "now".
#include <algorithm>

#include "core/mock/corpus.hpp"
#include "core/mock/model.hpp"
#include "core/rules.hpp"
#include "core/schedule/preview.hpp"

namespace ec::mock {

namespace {

const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

constexpr int64_t kLease = 10 * kMinute;

std::vector<schedule::Occurrence> history(const ProjectM& pr, Instant from, Instant until) {
  schedule::Cadence c = pr.cadence;
  c.paused_until.reset();  // the pause starts at `ended`; before that the project ran
  schedule::Window w;
  w.from = from;
  w.until = until;
  return schedule::occurrences(c, *pr.zone, w, true);
}

}  // namespace

void plan_schedule(Plan& p) {
  Rng rq = p.rng("EpisodeScheduleQueue");
  Rng re = p.rng("Episode");
  Rng rs = p.rng("Project", "skipDates");
  Rng rb = p.rng("BudgetReservation", "burst");
  IdStream queue_ids = p.ids("EpisodeScheduleQueue"), episode_ids = p.ids("Episode");
  const int64_t horizon = std::max<int64_t>(1, p.counts.weeks_ahead) * 7 * kDay;
  const Instant today = floor_div(p.now, kDay) * kDay;

  // The runaway bursts (TokenUsage writes them): from the cutoff on, the budget is spent.
  p.burst_today = today + 4 * kHour + rb.range(0, 30) * kMinute;
  p.burst_cutoff_today = p.burst_today + 150 * kMinute;
  // (One draw per statement: the evaluation order of operands differs between compilers.)
  p.burst_past = today - rb.range(5, 12) * kDay + 4 * kHour;
  p.burst_past += rb.range(0, 30) * kMinute;
  p.burst_cutoff_past = p.burst_past + 150 * kMinute;
  const Instant past_day_end = floor_div(p.burst_past, kDay) * kDay + kDay;

  for (size_t pi = 0; pi < p.projects.size(); ++pi) {
    ProjectM& pr = p.projects[pi];
    const Instant end = pr.ended.value_or(p.now);
    const bool budget_org = pr.org == p.budget_org;
    // Some projects skip a date: one in the past, one ahead (holidays, a conference).
    if (rs.chance(1, 4) && !pr.force) {
      auto past = history(pr, end - 6 * 7 * kDay, end);
      schedule::Window w;
      w.from = p.now;
      w.until = p.now + horizon;
      auto ahead = pr.status == rules::name(rules::ProjectStatus::active)
                       ? schedule::occurrences(pr.cadence, *pr.zone, w)
                       : std::vector<schedule::Occurrence>{};
      std::vector<CivilDate> skip;
      if (past.size() > 3) skip.push_back(past[past.size() / 2].date);
      if (ahead.size() > 1) skip.push_back(ahead[1].date);
      std::sort(skip.begin(), skip.end());
      pr.cadence.skip_dates = skip;
    }
    // The last target_episodes runs before `end` (plus today's runs the circuit breaker holds).
    const int64_t dpw =
        std::max<int64_t>(1, std::count(pr.cadence.days.begin(), pr.cadence.days.end(), true));
    int64_t weeks = pr.target_episodes / dpw + 3;
    std::vector<schedule::Occurrence> occ;
    auto held = [&](Instant t) { return budget_org && t >= p.burst_cutoff_today && t < p.now; };
    // The past starts no earlier than a year after the instant range's start (so every row
    // derived from it, created a few days before, stays valid): many episodes on a sparse
    // cadence get the runs that fit, not an instant before year 0001.
    const Instant earliest = kMinInstant + 366 * kDay;
    for (;;) {
      const bool clamped = end - earliest < weeks * 7 * kDay;
      occ = history(pr, clamped ? earliest : end - weeks * 7 * kDay, end);
      int64_t runnable = 0;
      for (const auto& o : occ) runnable += held(o.utc) ? 0 : 1;
      if (runnable >= pr.target_episodes || weeks > 52 * 30 || clamped) break;
      weeks *= 2;
    }
    {
      int64_t keep = pr.target_episodes;
      size_t first = occ.size();
      while (first > 0 && (keep > 0 || held(occ[first - 1].utc))) {
        if (!held(occ[first - 1].utc)) --keep;
        --first;
      }
      occ.erase(occ.begin(), occ.begin() + static_cast<std::ptrdiff_t>(first));
    }

    int64_t number = 0;
    for (const auto& o : occ) {
      QueueM q;
      q.project = pi;
      q.scheduled = o.utc;
      q.run_after = o.utc;
      // Plan the attempts.
      Instant start = o.utc + rq.range(1, 45) * 1000;
      if (budget_org && o.utc >= p.burst_cutoff_past && o.utc < past_day_end)
        start = past_day_end + rq.range(5, 900) * 1000;  // held back until the next UTC day
      const size_t roll = rq.below(1000);
      int64_t fails = roll < 880 ? 0 : roll < 950 ? 1 : roll < 975 ? 2 : 3;
      std::vector<Attempt> planned;
      bool forced = false;
      if (pr.force && &o == &occ.back() && o.utc > p.now - kHour) {
        forced = true;
        fails = pr.force == 1 ? 0 : 3;
        start = o.utc + 30 * 1000;  // the story's timing does not depend on the draw
      }
      for (int64_t a = 1; a <= q.max_attempts; ++a) {
        Attempt at;
        at.start = start;
        at.failed = a <= fails;
        const int64_t dur = forced      ? (pr.force == 1 ? 420 : 110)
                            : at.failed ? rq.range(5, 120)
                                        : rq.range(40, 260);
        at.end = start + dur * 1000;
        if (at.failed) at.error = rq.below(corpus::kGenErrors.size());
        planned.push_back(at);
        if (!at.failed) break;
        // The queue's own backoff (rules::backoff_ms), its jitter keyed by the slot (the item's id
        // is drawn after planning), then a worker's pickup delay.
        start = at.end + rules::backoff_ms(pr.id + "@" + std::to_string(o.utc), a) +
                (forced ? 0 : rq.range(0, 60) * 1000);
        if (a < q.max_attempts) q.run_after = start;
      }
      if (held(o.utc)) planned.clear();
      // The state at `now`: only attempts that had started.
      for (const auto& at : planned)
        if (at.start < p.now) q.attempts.push_back(at);
      if (!q.attempts.empty()) q.run_after = std::min(q.run_after, q.attempts.back().start);
      if (q.attempts.empty()) {
        q.status = rules::name(rules::QueueStatus::pending);
        q.run_after = planned.empty() ? o.utc : planned.front().start;
        q.updated = 0;  // = created
      } else {
        const Attempt& last = q.attempts.back();
        for (const auto& at : q.attempts)
          if (at.failed && at.end <= p.now)
            q.last_error = std::string(corpus::kGenErrors[at.error].code) + ": " +
                           corpus::kGenErrors[at.error].message;
        if (last.end > p.now) {
          q.status = rules::name(rules::QueueStatus::processing);
          q.locked_by = "worker-" + std::to_string(1 + rq.below(4));
          q.locked_until = last.start + kLease;
          q.run_after = last.start;
          q.updated = last.start;
        } else if (!last.failed) {
          q.status = rules::name(rules::QueueStatus::completed);
          q.completed = last.end;
          q.updated = last.end;
        } else if (q.attempts.size() < planned.size()) {
          q.status = rules::name(rules::QueueStatus::pending);  // waiting for the retry
          q.run_after = planned[q.attempts.size()].start;
          q.updated = last.end;
        } else {
          q.status = rules::name(rules::QueueStatus::failed);
          q.updated = last.end;
        }
      }
      if (!q.attempts.empty()) {
        EpisodeM e;
        e.project = pi;
        e.queue = p.queue.size();
        e.number = ++number;
        e.scheduled = o.utc;
        e.created = q.attempts.front().start;
        e.updated = q.updated;
        const auto& topic = corpus::kTopics[pr.topic];
        const std::string headline = re.pick(topic.headlines);
        const size_t style = re.weighted({5, 3, 2});
        const CivilDate local = o.date;
        if (style == 0)
          e.title = headline;
        else if (style == 1)
          e.title = "#" + std::to_string(e.number) + " · " + headline;
        else
          e.title =
              headline + " (" + std::to_string(local.day) + " " + kMonths[local.month - 1] + ")";
        if (q.status == rules::name(rules::QueueStatus::processing))
          e.status = rules::name(rules::EpisodeStatus::generating);
        else if (q.status == rules::name(rules::QueueStatus::pending))
          e.status = rules::name(rules::EpisodeStatus::scheduled);
        else if (q.status == rules::name(rules::QueueStatus::failed))
          e.status = rules::name(rules::EpisodeStatus::failed);
        else {
          e.status = rules::name(rules::EpisodeStatus::ready);
          e.generated = q.completed;
          const Instant pub = *q.completed + re.range(15, 36 * 60) * kMinute;
          if (re.chance(3, 4) && pub < end) {
            e.status = rules::name(rules::EpisodeStatus::published);
            e.published = pub;
            std::vector<uint32_t> w;
            for (size_t ui : p.orgs[pr.org].users)
              w.push_back(p.users[ui].role == rules::name(rules::Role::member) ? 1 : 4);
            e.publisher = p.orgs[pr.org].users[re.weighted(w)];
            e.updated = pub;
          }
        }
        q.episode = p.episodes.size();
        pr.episodes.push_back(p.episodes.size());
        p.episodes.push_back(std::move(e));
      }
      pr.queue.push_back(p.queue.size());
      p.queue.push_back(std::move(q));
    }

    // Ahead: pending runs inside the planning horizon (active projects); a paused or archived
    // project's pending runs were cancelled when it stopped.
    schedule::Window w;
    w.from = pr.ended ? *pr.ended : p.now;
    w.until = w.from + horizon;
    std::vector<schedule::Occurrence> ahead;
    if (pr.status == rules::name(rules::ProjectStatus::active))
      ahead = schedule::occurrences(pr.cadence, *pr.zone, w);
    else
      ahead = history(pr, w.from, *w.until);
    for (const auto& o : ahead) {
      QueueM q;
      q.project = pi;
      q.scheduled = o.utc;
      q.run_after = o.utc;
      q.status = pr.status == rules::name(rules::ProjectStatus::active)
                     ? rules::name(rules::QueueStatus::pending)
                     : rules::name(rules::QueueStatus::cancelled);
      q.updated = pr.status == rules::name(rules::ProjectStatus::active) ? 0 : *pr.ended;
      pr.queue.push_back(p.queue.size());
      p.queue.push_back(std::move(q));
    }
  }
  // Ids in insertion order (see IdStream::reserve_sorted).
  queue_ids.reserve_sorted(p.queue.size());
  for (auto& q : p.queue) q.id = queue_ids.next();
  episode_ids.reserve_sorted(p.episodes.size());
  for (auto& e : p.episodes) e.id = episode_ids.next();
}

void write_schedule(Plan& p, Writer& w) {
  const int64_t horizon = std::max<int64_t>(1, p.counts.weeks_ahead) * 7 * kDay;
  for (auto& q : p.queue) {
    const ProjectM& pr = p.projects[q.project];
    q.created = std::max(pr.created + kMinute, q.scheduled - horizon);
    if (q.status == rules::name(rules::QueueStatus::cancelled))
      q.created = std::min(q.created, *pr.ended - kMinute);
    if (q.updated < q.created) q.updated = q.created;
  }

  w.phase("Episode");
  Table ep(w, "Episode");
  const size_t e_id = ep.col("id"), e_org = ep.col("organizationId"), e_proj = ep.col("projectId"),
               e_num = ep.col("number"), e_title = ep.col("title"), e_status = ep.col("status"),
               e_sched = ep.col("scheduledFor"), e_gen = ep.col("generatedAt"),
               e_pub = ep.col("publishedAt"), e_att = ep.col("generationAttempts"),
               e_errs = ep.col("generationErrors"), e_c = ep.col("createdAt"),
               e_u = ep.col("updatedAt");
  for (const auto& e : p.episodes) {
    const QueueM& q = p.queue[e.queue];
    const ProjectM& pr = p.projects[e.project];
    Row r = ep.row();
    r[e_id] = e.id;
    r[e_org] = p.orgs[pr.org].id;
    r[e_proj] = pr.id;
    r[e_num] = e.number;
    r[e_title] = e.title;
    r[e_status] = e.status;
    r[e_sched] = e.scheduled;
    if (e.generated) r[e_gen] = *e.generated;
    if (e.published) r[e_pub] = *e.published;
    r[e_att] = static_cast<int64_t>(q.attempts.size());
    json errors = json::array();
    int64_t n = 0;
    for (const auto& a : q.attempts) {
      ++n;
      if (!a.failed || a.end > p.now) continue;
      errors.push_back({{"at", format_instant(a.end)},
                        {"code", corpus::kGenErrors[a.error].code},
                        {"message", corpus::kGenErrors[a.error].message},
                        {"attempt", n}});
    }
    r[e_errs] = errors.dump();
    r[e_c] = e.created;
    r[e_u] = e.updated;
    ep.insert(r);
    if (e.published)
      p.add_audit(pr.org, *e.publisher, "update", "Episode", e.id,
                  {{"status",
                    {{"before", rules::name(rules::EpisodeStatus::ready)},
                     {"after", rules::name(rules::EpisodeStatus::published)}}},
                   {"publishedAt", {{"before", nullptr}, {"after", format_instant(*e.published)}}}},
                  *e.published);
  }

  w.phase("EpisodeScheduleQueue");
  Table qt(w, "EpisodeScheduleQueue");
  const size_t q_id = qt.col("id"), q_org = qt.col("organizationId"), q_proj = qt.col("projectId"),
               q_sched = qt.col("scheduledFor"), q_status = qt.col("status"),
               q_att = qt.col("attempts"), q_max = qt.col("maxAttempts"), q_lb = qt.col("lockedBy"),
               q_lu = qt.col("lockedUntil"), q_ra = qt.col("runAfter"), q_le = qt.col("lastError"),
               q_ep = qt.col("episodeId"), q_done = qt.col("completedAt"),
               q_c = qt.col("createdAt"), q_u = qt.col("updatedAt");
  for (const auto& q : p.queue) {
    const ProjectM& pr = p.projects[q.project];
    Row r = qt.row();
    r[q_id] = q.id;
    r[q_org] = p.orgs[pr.org].id;
    r[q_proj] = pr.id;
    r[q_sched] = q.scheduled;
    r[q_status] = q.status;
    r[q_att] = static_cast<int64_t>(q.attempts.size());
    r[q_max] = q.max_attempts;
    if (!q.locked_by.empty()) {
      r[q_lb] = q.locked_by;
      r[q_lu] = *q.locked_until;
    }
    r[q_ra] = q.run_after;
    if (!q.last_error.empty()) r[q_le] = q.last_error;
    if (q.episode) r[q_ep] = p.episodes[*q.episode].id;
    if (q.completed) r[q_done] = *q.completed;
    r[q_c] = q.created;
    r[q_u] = q.updated;
    qt.insert(r);
  }
}

}  // namespace ec::mock
