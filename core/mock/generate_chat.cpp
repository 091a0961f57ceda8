// ChatSession and ChatMessage: users asking the agent about their projects and episodes.
// Every assistant reply is one LLM call; TokenUsage records it with the same counts.
#include <algorithm>

#include "core/mock/corpus.hpp"
#include "core/mock/model.hpp"
#include "core/rules.hpp"

namespace ec::mock {

namespace {

std::string one_line_title(std::string s) {
  for (auto& c : s)
    if (c == '\n') c = ' ';
  if (s.size() > 70) {
    size_t cut = s.rfind(' ', 66);
    if (cut == std::string::npos) cut = 66;
    s = s.substr(0, cut) + "…";
  }
  return s;
}

}  // namespace

void generate_chat(Plan& p, Writer& w) {
  Rng rs = p.rng("ChatSession");
  Rng rm = p.rng("ChatMessage");
  IdStream session_ids = p.ids("ChatSession"), message_ids = p.ids("ChatMessage");

  // Projects people chat about: those with at least one finished episode.
  std::vector<size_t> eligible;
  for (size_t i = 0; i < p.projects.size(); ++i) {
    const auto& pr = p.projects[i];
    for (size_t ei : pr.episodes)
      if (p.episodes[ei].generated) {
        eligible.push_back(i);
        break;
      }
  }
  struct Msg {
    std::string role, content;
    Instant at;
    int64_t in = 0, out = 0, cost = 0;
  };
  std::vector<std::vector<Msg>> messages;

  auto add_session = [&](size_t pi, std::optional<size_t> episode, size_t user, Instant at,
                         const std::string& title) {
    SessionM s;
    s.id = session_ids.next();
    s.project = pi;
    s.episode = episode;
    s.user = user;
    s.title = one_line_title(title);
    s.created = at;
    s.updated = at;
    p.sessions.push_back(std::move(s));
    messages.emplace_back();
    return p.sessions.size() - 1;
  };
  auto reply = [&](size_t si, Instant at, std::string content, int64_t in, int64_t out) {
    Msg m{rules::name(rules::ChatRole::assistant),         std::move(content), at, in, out,
          corpus::cost_micros(corpus::kChatModel, in, out)};
    p.chat_calls.push_back(ChatCall{si, at, in, out, m.cost});
    messages[si].push_back(std::move(m));
  };

  for (int64_t k = 0; k < p.counts.chat_sessions && !eligible.empty(); ++k) {
    const size_t pi =
        eligible[p.demo ? static_cast<size_t>(k) % eligible.size() : rs.below(eligible.size())];
    const ProjectM& pr = p.projects[pi];
    const auto& topic = corpus::kTopics[pr.topic];
    std::vector<size_t> done;
    for (size_t ei : pr.episodes)
      if (p.episodes[ei].generated) done.push_back(ei);
    // Recent episodes get most of the questions.
    const size_t pick =
        done.size() - 1 - std::min<size_t>(done.size() - 1, rs.below(4) * rs.below(4));
    const EpisodeM& e = p.episodes[done[pick]];
    const Instant limit = std::min(pr.ended.value_or(p.now), p.now) - kHour;
    if (*e.generated + kMinute >= limit) continue;
    const Instant start =
        *e.generated +
        rs.range(1, std::max<int64_t>(2, (limit - *e.generated) / kMinute - 30)) * kMinute;
    const auto& org_users = p.orgs[pr.org].users;
    const size_t user = org_users[rs.below(org_users.size())];
    const bool about_episode = rs.chance(3, 5);
    const std::string question = rs.pick(topic.questions);
    std::string first =
        corpus::fill(corpus::fill(rs.pick(corpus::kChatOpeners), "question", question), "n",
                     std::to_string(e.number));
    const size_t si = add_session(
        pi, about_episode ? std::optional<size_t>(done[pick]) : std::nullopt, user, start,
        about_episode ? "Episode " + std::to_string(e.number) + ": " + question : question);
    Instant t = start;
    const int64_t turns = rm.range(1, 4);
    for (int64_t turn = 0; turn < turns; ++turn) {
      messages[si].push_back(Msg{rules::name(rules::ChatRole::user),
                                 turn == 0 ? first : rm.pick(corpus::kChatFollowUps), t});
      t += rm.range(8, 40) * 1000;
      const std::string tpl = rm.pick(corpus::kAssistantReplies);
      std::string text = corpus::fill(tpl, "point", rm.pick(topic.points));
      text = corpus::fill(corpus::fill(text, "project", pr.name), "n", std::to_string(e.number));
      const int64_t in = rm.range(2'000, 16'000) + turn * 1'500;
      const int64_t out = rm.range(80, 900);
      reply(si, t, text, in, out);
      t += rm.range(30, 300) * 1000;
    }
    p.sessions[si].updated = messages[si].back().at;
    if (rs.chance(1, 20)) p.sessions[si].deleted = messages[si].back().at + rs.range(1, 48) * kHour;
    if (p.sessions[si].deleted && *p.sessions[si].deleted >= p.now) p.sessions[si].deleted.reset();
  }

  // The runaway requests behind the budget bursts: a user asks the agent to re-read every past
  // edition; the agent's long-context calls (TokenUsage, generate_usage) exhaust the budget.
  const OrgM& bo = p.orgs[p.budget_org];
  size_t bp = bo.projects.front();
  for (size_t pi : bo.projects)
    if (p.projects[pi].status == rules::name(rules::ProjectStatus::active)) {
      bp = pi;
      break;
    }
  for (const Instant at : {p.burst_past, p.burst_today}) {
    const size_t user = bo.users[bo.users.size() > 1 ? 1 : 0];
    const size_t si =
        add_session(bp, std::nullopt, user, at - 2 * kMinute,
                    "Compare every past edition and build one table of all the numbers");
    messages[si].push_back(
        Msg{rules::name(rules::ChatRole::user),
            "Go through **every** past edition of " + p.projects[bp].name +
                " and build one table with all the numbers you mentioned, with sources.",
            at - 2 * kMinute});
    const Instant done =
        (at == p.burst_today ? p.burst_cutoff_today : p.burst_cutoff_past) - 5 * kMinute;
    const int64_t in = rm.range(150'000, 190'000);
    const int64_t out = rm.range(3'000, 6'000);
    reply(si, done,
          "I've read all past editions and extracted the figures into the table below. Note: this "
          "took many "
          "long-context calls and used up today's budget — new episodes will wait until the limit "
          "resets at "
          "midnight UTC.\n\n| Edition | Figure | Source |\n|---|---|---|\n| #1 | see episode | "
          "linked |",
          in, out);
    p.sessions[si].updated = done;
    p.burst_sessions.push_back(si);
  }

  w.phase("ChatSession");
  Table st(w, "ChatSession");
  const size_t s_id = st.col("id"), s_org = st.col("organizationId"), s_proj = st.col("projectId"),
               s_ep = st.col("episodeId"), s_user = st.col("userId"), s_title = st.col("title"),
               s_c = st.col("createdAt"), s_u = st.col("updatedAt"), s_da = st.col("deletedAt"),
               s_db = st.col("deletedBy");
  for (const auto& s : p.sessions) {
    const ProjectM& pr = p.projects[s.project];
    Row r = st.row();
    r[s_id] = s.id;
    r[s_org] = p.orgs[pr.org].id;
    r[s_proj] = pr.id;
    if (s.episode) r[s_ep] = p.episodes[*s.episode].id;
    r[s_user] = p.users[s.user].id;
    r[s_title] = s.title;
    r[s_c] = s.created;
    r[s_u] = s.updated;
    if (s.deleted) {
      r[s_da] = *s.deleted;
      r[s_db] = p.users[s.user].id;
    }
    st.insert(r);
    p.add_event(s.user, "chat.session_started", {{"sessionId", s.id}, {"projectId", pr.id}},
                s.created);
  }

  w.phase("ChatMessage");
  Table mt(w, "ChatMessage");
  const size_t m_id = mt.col("id"), m_org = mt.col("organizationId"), m_sess = mt.col("sessionId"),
               m_role = mt.col("role"), m_content = mt.col("content"), m_in = mt.col("inputTokens"),
               m_out = mt.col("outputTokens"), m_cost = mt.col("costMicros"),
               m_c = mt.col("createdAt"), m_u = mt.col("updatedAt");
  size_t total = 0;
  for (const auto& m : messages) total += m.size();
  message_ids.reserve_sorted(total);
  for (size_t si = 0; si < p.sessions.size(); ++si) {
    const std::string& org = p.orgs[p.projects[p.sessions[si].project].org].id;
    for (const auto& m : messages[si]) {
      Row r = mt.row();
      r[m_id] = message_ids.next();
      r[m_org] = org;
      r[m_sess] = p.sessions[si].id;
      r[m_role] = m.role;
      r[m_content] = m.content;
      r[m_in] = m.in;
      r[m_out] = m.out;
      r[m_cost] = m.cost;
      r[m_c] = m.at;
      r[m_u] = m.at;
      mt.insert(r);
    }
  }
}

}  // namespace ec::mock
