// TokenUsage (TokenUsageDaily follows through the database triggers) and BudgetReservation:
// every generation attempt's LLM calls, every chat reply, and the two runaway bursts that put
// one organization over its daily budget (today, and one past day).
#include <algorithm>
#include <map>

#include "core/mock/corpus.hpp"
#include "core/mock/model.hpp"
#include "core/rules.hpp"

namespace ec::mock {

namespace {

constexpr int64_t kBurstCalls = 60;  // per burst (two bursts)

}  // namespace

void generate_usage(Plan& p, Writer& w) {
  Rng ru = p.rng("TokenUsage");
  Rng rb = p.rng("BudgetReservation");
  IdStream usage_ids = p.ids("TokenUsage"), reservation_ids = p.ids("BudgetReservation");

  // How many calls each started attempt made: the total is exact (counts.tokenUsage), each
  // attempt made at least one call, finished attempts many more.
  struct Ref {
    size_t queue, attempt;
  };
  std::vector<Ref> refs;
  std::vector<int64_t> weights;
  for (size_t qi = 0; qi < p.queue.size(); ++qi) {
    const QueueM& q = p.queue[qi];
    for (size_t a = 0; a < q.attempts.size(); ++a) {
      refs.push_back({qi, a});
      const Attempt& at = q.attempts[a];
      weights.push_back(at.end > p.now ? ru.range(1, 5)
                        : at.failed    ? ru.range(1, 4)
                                       : ru.range(6, 14));
    }
  }
  const int64_t fixed = 2 * kBurstCalls + static_cast<int64_t>(p.chat_calls.size());
  const auto calls =
      allocate(std::max<int64_t>(0, p.counts.token_usage - fixed), weights, 1, 1'000'000);

  Table t(w, "TokenUsage");
  const size_t c_id = t.col("id"), c_org = t.col("organizationId"), c_proj = t.col("projectId"),
               c_ep = t.col("episodeId"), c_sess = t.col("chatSessionId"), c_model = t.col("model"),
               c_in = t.col("inputTokens"), c_out = t.col("outputTokens"),
               c_cost = t.col("costMicros"), c_at = t.col("occurredAt"), c_c = t.col("createdAt"),
               c_u = t.col("updatedAt");
  int64_t total = fixed;
  for (auto n : calls) total += n;
  usage_ids.reserve_sorted(static_cast<uint64_t>(total));
  std::map<int64_t, int64_t> budget_org_spend;  // UTC day -> cost, for the bursts
  // Bulk load: the roll-up the insert trigger (core/schema/ddl_sqlite.cpp) would keep, row for
  // row: one per (organization, UTC day) in order of the day's first call, id = first 24
  // characters of the organization id + "0000" + YYYYMMDD, sums and count of the calls,
  // createdAt of the first call, updatedAt of the latest. Tested equal to the trigger's.
  struct Daily {
    int64_t input = 0, output = 0, cost = 0, calls = 0;
    Instant created = 0, updated = 0;
  };
  std::map<std::pair<size_t, int64_t>, size_t> daily_index;
  std::vector<std::pair<std::pair<size_t, int64_t>, Daily>> daily;
  auto write = [&](size_t project, const std::string* episode, const std::string* session,
                   const corpus::Model& m, int64_t in, int64_t out, Instant at) {
    const ProjectM& pr = p.projects[project];
    const int64_t cost = corpus::cost_micros(m, in, out);
    Row r = t.row();
    r[c_id] = usage_ids.next();
    r[c_org] = p.orgs[pr.org].id;
    r[c_proj] = pr.id;
    if (episode) r[c_ep] = *episode;
    if (session) r[c_sess] = *session;
    r[c_model] = std::string(m.name);
    r[c_in] = in;
    r[c_out] = out;
    r[c_cost] = cost;
    r[c_at] = at;
    r[c_c] = at;
    r[c_u] = at;
    t.insert(r);
    if (pr.org == p.budget_org) budget_org_spend[floor_div(at, kDay)] += cost;
    if (p.bulk) {
      const auto key = std::make_pair(pr.org, floor_div(at, kDay));
      auto [it, fresh] = daily_index.emplace(key, daily.size());
      if (fresh) daily.push_back({key, Daily{0, 0, 0, 0, at, at}});
      Daily& d = daily[it->second].second;
      d.input += in;
      d.output += out;
      d.cost += cost;
      ++d.calls;
      d.updated = std::max(d.updated, at);
    }
  };

  w.phase("TokenUsage");
  // Each project drafts with one main model; research, embeddings and review use cheaper ones.
  std::vector<size_t> primary(p.projects.size());
  for (auto& m : primary) m = ru.weighted({50, 35, 15, 0});
  const auto& models = corpus::kGenerationModels;
  for (size_t i = 0; i < refs.size(); ++i) {
    const QueueM& q = p.queue[refs[i].queue];
    const Attempt& at = q.attempts[refs[i].attempt];
    const std::string& episode = p.episodes[*q.episode].id;
    const int64_t n = calls[i];
    const Instant until = std::min(at.end, p.now - 1000);
    for (int64_t k = 0; k < n; ++k) {
      const Instant when = at.start + (until - at.start) * (k + 1) / (n + 1);
      if (k == 0 && n > 2) {
        write(q.project, &episode, nullptr, corpus::kEmbeddingModel, ru.range(500, 8'000), 0, when);
      } else if (k == 1 && n > 3) {
        const int64_t in = ru.range(2'000, 8'000);
        write(q.project, &episode, nullptr, models[3], in, ru.range(300, 1'200), when);
      } else if (k == n - 1 && n > 4 && !at.failed) {
        const int64_t in = ru.range(4'000, 12'000);
        write(q.project, &episode, nullptr, models[2], in, ru.range(200, 800), when);
      } else {
        const int64_t in = ru.range(6'000, 30'000);
        write(q.project, &episode, nullptr, models[primary[q.project]], in, ru.range(800, 4'000),
              when);
      }
    }
  }
  for (const auto& c : p.chat_calls) {
    const SessionM& s = p.sessions[c.session];
    write(s.project, nullptr, &s.id, corpus::kChatModel, c.input, c.output, c.at);
  }
  // The bursts: long-context calls until the day's spend passes the limit by a little.
  const OrgM& bo = p.orgs[p.budget_org];
  const auto& sonnet = models[0];
  for (size_t b = 0; b < p.burst_sessions.size(); ++b) {
    const SessionM& s = p.sessions[p.burst_sessions[b]];
    const Instant start = b == 0 ? p.burst_past : p.burst_today;
    const Instant cutoff = b == 0 ? p.burst_cutoff_past : p.burst_cutoff_today;
    const int64_t spent = budget_org_spend[floor_div(start, kDay)];
    const int64_t needed =
        std::max<int64_t>(0, bo.limit_micros - spent) + ru.range(300'000, 2'500'000);
    for (int64_t k = 0; k < kBurstCalls; ++k) {
      const int64_t target = needed / kBurstCalls + (k < needed % kBurstCalls ? 1 : 0);
      const int64_t out = ru.range(2'000, 6'000);
      const int64_t rest =
          std::max<int64_t>(0, target * 1'000'000 - out * sonnet.output_micros_per_mtok);
      const int64_t in = std::max<int64_t>(
          1'000, (rest + sonnet.input_micros_per_mtok - 1) / sonnet.input_micros_per_mtok);
      write(s.project, nullptr, &s.id, sonnet, in, out,
            start + (cutoff - 6 * kMinute - start) * k / kBurstCalls);
    }
  }

  if (p.bulk) {
    w.phase("TokenUsageDaily");
    Table dt(w, "TokenUsageDaily");
    const size_t d_id = dt.col("id"), d_org = dt.col("organizationId"), d_date = dt.col("date"),
                 d_in = dt.col("inputTokens"), d_out = dt.col("outputTokens"),
                 d_cost = dt.col("costMicros"), d_calls = dt.col("callCount"),
                 d_c = dt.col("createdAt"), d_u = dt.col("updatedAt");
    for (const auto& [key, d] : daily) {
      const std::string& org = p.orgs[key.first].id;
      const CivilDate day = civil_from_days(key.second);
      std::string ymd = format_date(day);
      ymd.erase(std::remove(ymd.begin(), ymd.end(), '-'), ymd.end());
      Row r = dt.row();
      r[d_id] = org.substr(0, 24) + "0000" + ymd;
      r[d_org] = org;
      r[d_date] = format_date(day);
      r[d_in] = d.input;
      r[d_out] = d.output;
      r[d_cost] = d.cost;
      r[d_calls] = d.calls;
      r[d_c] = d.created;
      r[d_u] = d.updated;
      dt.insert(r);
    }
  }

  // Reservations: open for runs in progress, released for failed attempts awaiting a retry,
  // settled for the most recent finished runs.
  w.phase("BudgetReservation");
  Table br(w, "BudgetReservation");
  const size_t b_id = br.col("id"), b_org = br.col("organizationId"), b_q = br.col("queueItemId"),
               b_est = br.col("estimateMicros"), b_status = br.col("status"),
               b_date = br.col("date"), b_exp = br.col("expiresAt"), b_c = br.col("createdAt"),
               b_u = br.col("updatedAt");
  auto reserve = [&](const QueueM& q, const Attempt& at, const char* status, Instant updated) {
    Row r = br.row();
    r[b_id] = reservation_ids.next();
    r[b_org] = p.orgs[p.projects[q.project].org].id;
    r[b_q] = q.id;
    r[b_est] = rb.range(400'000, 900'000);
    r[b_status] = std::string(status);
    r[b_date] = format_date(civil_from_days(floor_div(at.start, kDay)));
    r[b_exp] = at.start + 15 * kMinute;
    r[b_c] = at.start;
    r[b_u] = updated;
    br.insert(r);
  };
  std::vector<size_t> recent;
  for (size_t qi = 0; qi < p.queue.size(); ++qi) {
    const QueueM& q = p.queue[qi];
    if (q.status == rules::name(rules::QueueStatus::processing))
      reserve(q, q.attempts.back(), rules::name(rules::ReservationStatus::open),
              q.attempts.back().start);
    if (q.status == rules::name(rules::QueueStatus::pending) && !q.attempts.empty())
      for (const auto& at : q.attempts)
        reserve(q, at, rules::name(rules::ReservationStatus::released), at.end);
    if (q.status == rules::name(rules::QueueStatus::completed)) recent.push_back(qi);
  }
  std::stable_sort(recent.begin(), recent.end(), [&](size_t a, size_t b) {
    return *p.queue[a].completed > *p.queue[b].completed;
  });
  for (size_t k = 0; k < recent.size() && k < 6; ++k) {
    const QueueM& q = p.queue[recent[k]];
    reserve(q, q.attempts.back(), rules::name(rules::ReservationStatus::settled), *q.completed);
  }
}

}  // namespace ec::mock
