// PlanningNote (users steering the next episodes) and AgentMemory (phase 2: what the agent
// keeps, some of it migrated from Project.memories).
#include <algorithm>

#include "core/mock/corpus.hpp"
#include "core/mock/model.hpp"
#include "core/rules.hpp"

namespace ec::mock {

void generate_notes(Plan& p, Writer& w) {
  Rng rn = p.rng("PlanningNote");
  Rng ra = p.rng("AgentMemory");
  IdStream note_ids = p.ids("PlanningNote"), memory_ids = p.ids("AgentMemory");

  w.phase("PlanningNote");
  Table nt(w, "PlanningNote");
  const size_t n_id = nt.col("id"), n_org = nt.col("organizationId"), n_proj = nt.col("projectId"),
               n_author = nt.col("authorId"), n_content = nt.col("content"),
               n_status = nt.col("status"), n_ep = nt.col("appliedEpisodeId"),
               n_at = nt.col("appliedAt"), n_c = nt.col("createdAt"), n_u = nt.col("updatedAt"),
               n_da = nt.col("deletedAt"), n_db = nt.col("deletedBy");
  for (const auto& pr : p.projects) {
    const auto& topic = corpus::kTopics[pr.topic];
    const auto& org_users = p.orgs[pr.org].users;
    const Instant end = std::min(pr.ended.value_or(p.now), p.now);
    const int64_t n = p.demo ? rn.range(2, 5) : rn.range(0, 5);
    for (int64_t k = 0; k < n && end - pr.created > 2 * kDay; ++k) {
      const Instant at = pr.created + rn.range(1, (end - pr.created) / kMinute - 1) * kMinute;
      const size_t author = org_users[rn.below(org_users.size())];
      Row r = nt.row();
      const std::string id = note_ids.next();
      r[n_id] = id;
      r[n_org] = p.orgs[pr.org].id;
      r[n_proj] = pr.id;
      r[n_author] = p.users[author].id;
      const std::string tpl = rn.pick(corpus::kPlanningNotes);
      r[n_content] = corpus::fill(tpl, "point", rn.pick(topic.points));
      r[n_c] = at;
      r[n_u] = at;
      // Applied in the first finished episode generated after the note, or dismissed, or open.
      std::optional<size_t> next;
      for (size_t ei : pr.episodes)
        if (p.episodes[ei].generated && p.episodes[ei].created > at) {
          next = ei;
          break;
        }
      const size_t fate = rn.weighted({6, 2, 2});
      json changes;
      Instant changed = at;
      if (next && fate == 0) {
        r[n_status] = std::string(rules::name(rules::NoteStatus::applied));
        r[n_ep] = p.episodes[*next].id;
        r[n_at] = *p.episodes[*next].generated;
        changed = *p.episodes[*next].generated;
        changes = {{"status",
                    {{"before", rules::name(rules::NoteStatus::open)},
                     {"after", rules::name(rules::NoteStatus::applied)}}},
                   {"appliedEpisodeId", {{"before", nullptr}, {"after", p.episodes[*next].id}}},
                   {"appliedAt", {{"before", nullptr}, {"after", format_instant(changed)}}}};
      } else if (fate == 1 && end - at > 2 * kHour) {
        r[n_status] = std::string(rules::name(rules::NoteStatus::dismissed));
        changed = at + rn.range(1, (end - at) / kMinute - 1) * kMinute;
        changes = {{"status",
                    {{"before", rules::name(rules::NoteStatus::open)},
                     {"after", rules::name(rules::NoteStatus::dismissed)}}}};
      }
      r[n_u] = changed;
      const bool deleted = rn.chance(1, 25) && end - changed > 2 * kHour;
      if (deleted) {
        r[n_da] = changed + kHour;
        r[n_db] = p.users[author].id;
        r[n_u] = changed + kHour;
      }
      nt.insert(r);
      json created = nt.to_json(r);
      for (const char* f : {"status", "appliedEpisodeId", "appliedAt", "deletedAt", "deletedBy"})
        created[f] = nullptr;
      created["status"] = rules::name(rules::NoteStatus::open);
      p.add_audit(pr.org, author, "create", "PlanningNote", id,
                  create_changes(nt.entity(), created), at);
      if (!changes.is_null())  // applying is done by the generation worker (no acting user)
        p.add_audit(pr.org, fate == 0 ? std::nullopt : std::optional<size_t>(author), "update",
                    "PlanningNote", id, changes, changed);
      if (deleted)
        p.add_audit(
            pr.org, author, "delete", "PlanningNote", id,
            {{"deletedAt", {{"before", nullptr}, {"after", format_instant(changed + kHour)}}}},
            changed + kHour);
      p.add_event(author, "planning_note.created", {{"noteId", id}, {"projectId", pr.id}}, at);
    }
  }

  w.phase("AgentMemory");
  Table mt(w, "AgentMemory");
  const size_t m_id = mt.col("id"), m_org = mt.col("organizationId"), m_proj = mt.col("projectId"),
               m_kind = mt.col("kind"), m_content = mt.col("content"), m_imp = mt.col("importance"),
               m_src = mt.col("sourceEpisodeId"), m_legacy = mt.col("legacyMemoryId"),
               m_c = mt.col("createdAt"), m_u = mt.col("updatedAt");
  for (const auto& pr : p.projects) {
    const Instant end = std::min(pr.ended.value_or(p.now), p.now);
    // Phase 2 migration: some projects already copied their MVP memories.
    if (!pr.memories.empty() && ra.chance(1, 3)) {
      Instant last = pr.created;
      for (const auto& m : pr.memories)
        last = std::max(last, *parse_instant(m["updatedAt"].get<std::string>()));
      const Instant at =
          last + ra.range(1, std::max<int64_t>(2, (end - last) / kMinute - 1)) * kMinute;
      if (at < end)
        for (const auto& m : pr.memories) {
          Row r = mt.row();
          r[m_id] = memory_ids.next();
          r[m_org] = p.orgs[pr.org].id;
          r[m_proj] = pr.id;
          r[m_kind] = std::string(rules::name(rules::MemoryKind::fact));
          r[m_content] = m["content"].get<std::string>();
          r[m_legacy] = m["id"].get<std::string>();
          r[m_c] = at;
          r[m_u] = at;
          mt.insert(r);
          p.add_audit(pr.org, pr.owner, "create", "AgentMemory", std::get<std::string>(r[m_id]),
                      create_changes(mt.entity(), mt.to_json(r)), at);
        }
    }
    // What the agent learnt from episodes and feedback.
    const int64_t n = ra.range(0, p.demo ? 4 : 3);
    std::vector<size_t> done;
    for (size_t ei : pr.episodes)
      if (p.episodes[ei].generated) done.push_back(ei);
    for (int64_t k = 0; k < n && !done.empty(); ++k) {
      const size_t ei = done[ra.below(done.size())];
      const Instant at = *p.episodes[ei].generated + ra.range(1, 120) * 1000;
      const auto& mem = ra.pick(corpus::kMemories);
      Row r = mt.row();
      r[m_id] = memory_ids.next();
      r[m_org] = p.orgs[pr.org].id;
      r[m_proj] = pr.id;
      r[m_kind] = std::string(mem.kind);
      r[m_content] = std::string(mem.content);
      r[m_imp] = ra.range(1, 5);
      if (ra.chance(2, 3)) r[m_src] = p.episodes[ei].id;
      r[m_c] = at;
      r[m_u] = at;
      mt.insert(r);
    }
  }
}

}  // namespace ec::mock
