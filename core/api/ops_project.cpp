// Project rules beyond structure: plan limits, episode numbering, MVP memories (and their
// migration to AgentMemory), planning notes, highlights, and the project list read model.
#include <map>

#include "core/api/entity_ops.hpp"
#include "core/json/codec.hpp"
#include "core/rules.hpp"
#include "core/store/audit.hpp"
#include "core/store/budget.hpp"
#include "core/store/queue.hpp"
#include "core/store/repo.hpp"

namespace ec::api {

using namespace schema::build;  // NOLINT
namespace repo = store::repo;
namespace budget = store::budget;
using schema::Entity;

namespace {

const Entity& E(const char* name) {
  return *schema::find_entity(name);
}

constexpr const char* kArchived = rules::name(rules::ProjectStatus::archived);

/// "Limit projects, not frequency": active and paused projects count; archived ones do not.
int64_t plan_limit(const std::string& plan) {
  if (plan == rules::name(rules::Plan::team)) return rules::kTeamProjectLimit;
  if (plan == rules::name(rules::Plan::pro)) return rules::kProProjectLimit;
  return rules::kFreeProjectLimit;
}

void check_plan_limit(Context& ctx, const std::string& exclude_id) {
  const json org =
      repo::get(ctx.store, E("Organization"), ctx.as.organization_id, ctx.as.organization_id);
  const int64_t limit = plan_limit(org["plan"].get<std::string>());
  const int64_t used = ctx.store.db().query_int(
      "SELECT count(*) FROM projects WHERE organization_id = ? AND deleted_at IS NULL AND status "
      "!= ? AND id != ?",
      {ctx.as.organization_id, std::string(kArchived), exclude_id});
  if (used >= limit)
    throw Error(code::plan_limit,
                "the " + org["plan"].get<std::string>() + " plan allows " + std::to_string(limit) +
                    " active projects and all are in use; archive a project or upgrade the plan",
                json::array(),
                {Issue{json::array(),
                       code::plan_limit,
                       "plan limit reached",
                       {{"plan", org["plan"]}, {"limit", limit}, {"used", used}}}});
}

EntityHooks project_hooks() {
  EntityHooks h;
  h.before_create = [](Context& ctx, json& row) {
    if (row["status"] != kArchived) check_plan_limit(ctx, "");
  };
  h.before_update = [](Context& ctx, const json& before, json& after) {
    if (before["status"] == kArchived && after["status"] != kArchived)
      check_plan_limit(ctx, before["id"]);
  };
  h.before_restore = [](Context& ctx, const json& row) {
    if (row["status"] != kArchived) check_plan_limit(ctx, row["id"]);
  };
  // Keep the schedule queue in step with the project (core/store/queue.hpp): a cadence, owner
  // (timezone) or status change replans; pausing, archiving or deleting cancels pending items.
  // The update's result carries the counts of that replan (`replan`), so what a surface reports
  // is what the core did (a second queue.plan would find nothing left to do).
  h.after_update = [](Context& ctx, const json& before, const json& after) -> json {
    if (before["cadenceConfig"] == after["cadenceConfig"] && before["status"] == after["status"] &&
        before["ownerId"] == after["ownerId"])
      return nullptr;
    return json{
        {"replan", store::queue::plan_project(ctx.store, ctx.as, after, ctx.now).to_json()}};
  };
  h.update_extra = {{"replan", result::named("ReplanCounts").opt()}};
  h.after_delete = [](Context& ctx, const json& row) {
    store::queue::cancel_pending(ctx.store, ctx.as, row["id"], ctx.now);
  };
  h.after_restore = [](Context& ctx, const json& row) {
    store::queue::plan_project(ctx.store, ctx.as, row, ctx.now);
  };
  return h;
}

EntityHooks episode_hooks() {
  EntityHooks h;
  h.prefill_create = [](Context& ctx, json& p) {
    if (p.contains("number") || !p.contains("projectId") || !p["projectId"].is_string()) return;
    const int64_t next =
        1 + ctx.store.db().query_int(
                "SELECT coalesce(max(number), 0) FROM episodes WHERE organization_id = ? "
                "AND project_id = ?",
                {ctx.as.organization_id, p["projectId"].get<std::string>()});
    const int64_t cap = *schema::find_entity("Episode")->field("number")->max;
    if (next > cap)
      throw Error::at(code::conflict,
                      "the project has used every episode number (at most " + std::to_string(cap) +
                          "): give number explicitly",
                      "number");
    p["number"] = next;
  };
  return h;
}

// The references of `e` declared inside a parent (Field::within: an episode of the row's own
// project) must name a row sharing that parent. `base` is where the row's fields sit in the
// request: [] for a create, ["patch"] for an update (as validation's paths say).
void same_parent(Context& ctx, const Entity& e, const json& row, const json& base = json::array()) {
  for (const auto& f : e.fields) {
    if (f.within.empty() || e.name == "Highlight") continue;  // Highlight: its own hook
    const char* field = f.name.c_str();
    if (!row.contains(field) || row[field].is_null()) continue;
    json path = base;
    path.push_back(field);
    const json p = repo::get(ctx.store, E(f.references.c_str()), ctx.as.organization_id,
                             row[field].get<std::string>(), false, path);
    if (p[f.within] != row[f.within])
      throw Error(code::invalid, f.name + " belongs to another project", path,
                  {Issue{path, "invalid_reference", f.name + " belongs to another project"}});
  }
}

EntityHooks highlight_hooks() {
  EntityHooks h;
  h.before_create = [](Context& ctx, json& row) {
    const json block = repo::get(ctx.store, E("Block"), ctx.as.organization_id,
                                 row["blockId"].get<std::string>(), false, key_path("blockId"));
    std::vector<Issue> issues;
    if (block["episodeId"] != row["episodeId"])
      issues.push_back(
          {key_path("blockId"), "invalid_reference", "the block is not part of this episode"});
    // Offsets count UTF-16 code units, as the browser's Selection API does.
    const std::string& text = block["content"].get_ref<const std::string&>();
    const auto start = static_cast<size_t>(row["startOffset"].get<int64_t>());
    const auto end = static_cast<size_t>(row["endOffset"].get<int64_t>());
    const size_t len = codec::utf16_length(text);
    const size_t b = codec::utf8_offset_of_utf16(text, start);
    const size_t e = codec::utf8_offset_of_utf16(text, end);
    if (end > len) {
      issues.push_back(
          {key_path("endOffset"),
           "invalid_range",
           "endOffset is past the end of the block (" + std::to_string(len) + " UTF-16 units)",
           {{"length", len}}});
    } else if (b == std::string::npos || e == std::string::npos) {
      issues.push_back(
          {key_path("startOffset"), "invalid_range", "offsets split a surrogate pair"});
    } else if (text.compare(b, e - b, row["quote"].get<std::string>()) != 0) {
      issues.push_back({key_path("quote"), "invalid_range",
                        "quote does not match the block's text at these offsets"});
    }
    if (!issues.empty()) throw Error::invalid(std::move(issues));
  };
  return h;
}

// The planning note `id` of the params, which must still be open (else conflict: `refused`).
json open_note(Context& ctx, const json& p, const char* refused) {
  json note = repo::get(ctx.store, E("PlanningNote"), ctx.as.organization_id, p["id"], false,
                        key_path("id"));
  if (note["status"] != rules::name(rules::NoteStatus::open))
    throw Error::at(code::conflict, refused, "id");
  return note;
}

json memory_list(Context& ctx, const std::string& project_id, json& project) {
  project = repo::get(ctx.store, E("Project"), ctx.as.organization_id, project_id, false,
                      key_path("projectId"));
  return project["memories"];
}

}  // namespace

const EntityHooks& hooks_for(const Entity& e) {
  static const std::map<std::string, EntityHooks> hooks = [] {
    std::map<std::string, EntityHooks> m;
    m["Project"] = project_hooks();
    m["Episode"] = episode_hooks();
    m["Highlight"] = highlight_hooks();
    EntityHooks usage;
    usage.prefill_create = [](Context& ctx, json& p) {
      if (!p.contains("occurredAt")) p["occurredAt"] = format_instant(ctx.now);
    };
    // Usage recorded without a reservation is a grant on the day it is attributed to
    // (core/store/budget.hpp): refused with budget_exceeded when it would pass the daily limit.
    usage.before_create = [](Context& ctx, json& row) {
      same_parent(ctx, E("TokenUsage"), row);
      const Instant at = *parse_instant(row["occurredAt"].get<std::string>());
      budget::admit(ctx.store, ctx.as, budget::utc_day(at), row["costMicros"].get<int64_t>(),
                    ctx.now, key_path("costMicros"), "recording", "cost");
    };
    usage.before_update = [](Context& ctx, const json& before, json& row) {
      same_parent(ctx, E("TokenUsage"), row, key_path("patch"));
      // A higher cost, or a cost moved to another day, is new spend on that day.
      const std::string day = budget::utc_day(*parse_instant(row["occurredAt"].get<std::string>()));
      const std::string was =
          budget::utc_day(*parse_instant(before["occurredAt"].get<std::string>()));
      const int64_t added =
          row["costMicros"].get<int64_t>() - (day == was ? before["costMicros"].get<int64_t>() : 0);
      if (added > 0)
        budget::admit(ctx.store, ctx.as, day, added, ctx.now, json::array({"patch", "costMicros"}),
                      "recording", "cost");
    };
    m["TokenUsage"] = usage;
    EntityHooks event;
    event.prefill_create = usage.prefill_create;
    m["UserEvent"] = event;
    EntityHooks chat;
    chat.before_create = [](Context& ctx, json& row) { same_parent(ctx, E("ChatSession"), row); };
    chat.before_update = [](Context& ctx, const json&, json& row) {
      same_parent(ctx, E("ChatSession"), row, key_path("patch"));
    };
    m["ChatSession"] = chat;
    EntityHooks note;
    note.before_create = [](Context& ctx, json& row) { same_parent(ctx, E("PlanningNote"), row); };
    note.before_update = [](Context& ctx, const json&, json& row) {
      same_parent(ctx, E("PlanningNote"), row, key_path("patch"));
    };
    m["PlanningNote"] = note;
    EntityHooks memory;  // a memory's source episode is one of its project's, as for notes
    memory.before_create = [](Context& ctx, json& row) { same_parent(ctx, E("AgentMemory"), row); };
    memory.before_update = [](Context& ctx, const json&, json& row) {
      same_parent(ctx, E("AgentMemory"), row, key_path("patch"));
    };
    m["AgentMemory"] = memory;
    return m;
  }();
  static const EntityHooks none;
  auto it = hooks.find(e.name);
  return it == hooks.end() ? none : it->second;
}

void add_project_ops(std::vector<Operation>& ops) {
  const F project_id = std::move(uuid("projectId").doc("The project."));
  const schema::Field content = *E("AgentMemory").field("content");

  ops.emplace_back(OpDecl{.name = "project.memory.add",
                          .doc = "Adds a memory to a project's MVP memory list.",
                          .params = {project_id, content},
                          .result = result::entity("Project"),
                          .errors = {code::not_found},
                          .handler = [](Context& ctx, const json& p) {
                            json project;
                            json list = memory_list(ctx, p["projectId"], project);
                            const std::string ts = format_instant(ctx.now);
                            list.push_back({{"id", ctx.store.new_id()},
                                            {"content", p["content"]},
                                            {"createdAt", ts},
                                            {"updatedAt", ts}});
                            return update_row(ctx, E("Project"), p["projectId"],
                                              {{"memories", list}}, hooks_for(E("Project")));
                          }});
  ops.emplace_back(OpDecl{.name = "project.memory.update",
                          .doc = "Edits one memory of a project.",
                          .params = {project_id, uuid("memoryId"), content},
                          .result = result::entity("Project"),
                          .errors = {code::not_found},
                          .handler = [](Context& ctx, const json& p) {
                            json project;
                            json list = memory_list(ctx, p["projectId"], project);
                            bool found = false;
                            for (auto& m : list)
                              if (m["id"] == p["memoryId"]) {
                                m["content"] = p["content"];
                                m["updatedAt"] = format_instant(ctx.now);
                                found = true;
                              }
                            if (!found)
                              throw Error::at(code::not_found, "memory not found", "memoryId");
                            return update_row(ctx, E("Project"), p["projectId"],
                                              {{"memories", list}}, hooks_for(E("Project")));
                          }});
  ops.emplace_back(OpDecl{.name = "project.memory.remove",
                          .doc = "Removes one memory of a project.",
                          .params = {project_id, uuid("memoryId")},
                          .result = result::entity("Project"),
                          .errors = {code::not_found},
                          .handler = [](Context& ctx, const json& p) {
                            json project;
                            json list = memory_list(ctx, p["projectId"], project);
                            json kept = json::array();
                            for (auto& m : list)
                              if (m["id"] != p["memoryId"]) kept.push_back(m);
                            if (kept.size() == list.size())
                              throw Error::at(code::not_found, "memory not found", "memoryId");
                            return update_row(ctx, E("Project"), p["projectId"],
                                              {{"memories", kept}}, hooks_for(E("Project")));
                          }});
  ops.emplace_back(OpDecl{.name = "project.memory.migrate",
                          .doc = "Copies a project's MVP memories into AgentMemory rows (phase 2). "
                                 "Safe to run twice: a memory "
                                 "already migrated is skipped (unique legacyMemoryId).",
                          .params = {project_id},
                          .result = result::named("MemoryMigration"),
                          .errors = {code::not_found},
                          .handler = [](Context& ctx, const json& p) {
                            json project;
                            const json list = memory_list(ctx, p["projectId"], project);
                            int64_t migrated = 0, skipped = 0;
                            for (const auto& m : list) {
                              const int64_t exists = ctx.store.db().query_int(
                                  "SELECT count(*) FROM agent_memories WHERE organization_id = ? "
                                  "AND project_id = ? AND legacy_memory_id = ?",
                                  {ctx.as.organization_id, p["projectId"].get<std::string>(),
                                   m["id"].get<std::string>()});
                              if (exists) {
                                ++skipped;
                                continue;
                              }
                              create_row(ctx, E("AgentMemory"),
                                         {{"projectId", p["projectId"]},
                                          {"kind", rules::name(rules::MemoryKind::fact)},
                                          {"content", m["content"]},
                                          {"legacyMemoryId", m["id"]}});
                              ++migrated;
                            }
                            return json{{"migrated", migrated}, {"skipped", skipped}};
                          }});

  ops.emplace_back(OpDecl{.name = "planningNote.apply",
                          .doc = "Marks a planning note as applied in an episode.",
                          .params = {uuid("id"), uuid("episodeId")},
                          .result = result::entity("PlanningNote"),
                          .errors = {code::not_found, code::conflict},
                          .handler = [](Context& ctx, const json& p) {
                            json row = open_note(ctx, p, "only an open note can be applied");
                            row["appliedEpisodeId"] = p["episodeId"];
                            same_parent(ctx, E("PlanningNote"), row);
                            return update_row(ctx, E("PlanningNote"), p["id"],
                                              {{"status", rules::name(rules::NoteStatus::applied)},
                                               {"appliedEpisodeId", p["episodeId"]},
                                               {"appliedAt", format_instant(ctx.now)}});
                          }});
  ops.emplace_back(OpDecl{.name = "planningNote.dismiss",
                          .doc = "Dismisses an open planning note.",
                          .params = {uuid("id")},
                          .result = result::entity("PlanningNote"),
                          .errors = {code::not_found, code::conflict},
                          .handler = [](Context& ctx, const json& p) {
                            open_note(ctx, p, "only an open note can be dismissed");
                            return update_row(
                                ctx, E("PlanningNote"), p["id"],
                                {{"status", rules::name(rules::NoteStatus::dismissed)}});
                          }});

  ops.emplace_back(OpDecl{
      .name = "project.overview",
      .doc = "The projects page read model: each project with its episode counts, last episode and "
             "open notes.",
      .params = {std::move(
                     enumeration("status", rules::States<rules::ProjectStatus>::names).null()),
                 boolean("includeDeleted").def(false), integer("limit", 1, 1000).def(100),
                 integer("offset", 0, 1'000'000'000).def(0)},
      .result = result::page(result::named("ProjectOverview")),
      .writes = false,
      .write_result = [](Context& ctx, const json& p, std::string& out) {
        const Entity& pe = E("Project");
        repo::ListQuery q;
        if (p.contains("status") && !p["status"].is_null())
          q.equals.emplace_back("status", p["status"]);
        q.include_deleted = p["includeDeleted"].get<bool>();
        q.order_by = "name";
        q.limit = p["limit"];
        q.offset = p["offset"];
        // The rows go to the answer as text (repo::write_row); what the next-episode time
        // needs of them is kept: the stored cadence text and whether the project is active.
        static const int id_col = static_cast<int>(repo::slot(pe, "id"));
        static const int owner_col = static_cast<int>(repo::slot(pe, "ownerId"));
        static const int cadence_col = static_cast<int>(repo::slot(pe, "cadenceConfig"));
        static const int status_col = static_cast<int>(repo::slot(pe, "status"));
        static const int deleted_col = static_cast<int>(repo::slot(pe, "deletedAt"));
        struct Schedule {
          std::optional<std::string> cadence;  // nullopt: NULL
          bool active = false;
        };
        std::string rows;              // the page's project rows, one after the other
        std::vector<size_t> row_ends;  // where each ends in `rows`
        std::vector<Schedule> schedules;
        std::string page = "[";
        repo::list_each(ctx.store, pe, ctx.as.organization_id, q, [&](store::Stmt& st) {
          repo::write_row(pe, st, rows);
          row_ends.push_back(rows.size());
          Schedule& sched = schedules.emplace_back();
          if (!st.is_null(cadence_col)) {
            store::SqlValue v = st.value(cadence_col);
            // A JSON column that is not text throws as codec::from_sql throws for it.
            if (!std::holds_alternative<std::string>(v))
              (void)codec::from_sql(pe.fields[static_cast<size_t>(cadence_col)], v);
            sched.cadence = std::move(std::get<std::string>(v));
          }
          sched.active = st.type(status_col) == store::Stmt::kText &&
                         st.text_view(status_col) == rules::name(rules::ProjectStatus::active) &&
                         st.is_null(deleted_col);
          if (page.size() > 1) page += ',';
          page += '[';
          codec::append_json_string(page, st.text_view(id_col));
          page += ',';
          if (st.is_null(owner_col))
            page += "null";
          else
            codec::append_json_string(page, st.text_view(owner_col));
          page += ']';
        });
        page += ']';
        const int64_t total = repo::count(ctx.store, pe, ctx.as.organization_id, q);
        // One statement for the whole page (not four per project): counts, last episode, open
        // notes and the owner's time zone of every listed project, in list order.
        using rules::EpisodeStatus;
        const auto sq = [](auto state) { return std::string("'") + rules::name(state) + "'"; };
        static const std::string facts_sql =
            std::string(
                "WITH page(ord, pid, owner) AS (SELECT key, value ->> 0, value ->> 1 FROM ") +
            "json_each(?2)) "
            "SELECT coalesce(c.n, 0), coalesce(c.ready, 0), coalesce(c.failed, 0), "
            "(SELECT count(*) FROM planning_notes n WHERE n.organization_id = ?1 AND n.project_id "
            "= page.pid AND n.status = " +
            sq(rules::NoteStatus::open) +
            " AND n.deleted_at IS NULL), "
            "l.id, l.number, l.title, l.status, l.scheduled_for, u.id IS NOT NULL, u.timezone "
            "FROM page "
            "LEFT JOIN (SELECT project_id, count(*) AS n, sum(status = " +
            sq(EpisodeStatus::ready) + " OR status = " + sq(EpisodeStatus::published) +
            ") AS ready, sum(status = " + sq(EpisodeStatus::failed) +
            ") AS failed FROM episodes WHERE "
            "organization_id = ?1 AND deleted_at IS NULL AND project_id IN (SELECT pid FROM page) "
            "GROUP BY project_id) c ON c.project_id = page.pid "
            "LEFT JOIN episodes l ON l.organization_id = ?1 AND l.id = (SELECT e.id FROM episodes "
            "e WHERE e.organization_id = ?1 AND e.project_id = page.pid AND e.deleted_at IS NULL "
            "ORDER BY e.number DESC LIMIT 1) "
            "LEFT JOIN users u ON u.organization_id = ?1 AND u.id = page.owner "
            "ORDER BY page.ord";
        auto& facts = ctx.store.db().prepare(facts_sql);
        facts.bind(1, ctx.as.organization_id).bind(2, page);
        // Each item as dump_text writes it: keys in byte order.
        write_page_start(out, q.limit);
        out += '[';
        for (size_t k = 0; k < row_ends.size(); ++k) {
          if (!facts.step()) throw Error(code::internal, "project overview lost a project");
          if (k) out += ',';
          out += "{\"episodeCount\":";
          codec::append_json_int(out, facts.int64(0));
          out += ",\"failedCount\":";
          codec::append_json_int(out, facts.int64(2));
          out += ",\"lastEpisode\":";
          if (facts.is_null(4)) {
            out += "null";
          } else {
            out += "{\"id\":";
            codec::append_json_string(out, facts.text_view(4));
            out += ",\"number\":";
            codec::append_json_int(out, facts.int64(5));
            out += ",\"scheduledFor\":";
            if (facts.is_null(8))
              out += "null";
            else
              codec::append_json_instant(out, facts.int64(8));
            out += ",\"status\":";
            codec::append_json_string(out, facts.text_view(7));
            out += ",\"title\":";
            codec::append_json_string(out, facts.text_view(6));
            out += '}';
          }
          // The next episode time by the cadence (null: paused, archived, deleted or none).
          const auto owner_tz = facts.int64(9) != 0
                                    ? std::optional<std::string_view>(facts.text_view(10))
                                    : std::nullopt;
          const auto next = store::queue::next_occurrence(schedules[k].cadence, schedules[k].active,
                                                          owner_tz, ctx.now);
          out += ",\"nextEpisodeAt\":";
          if (next)
            codec::append_json_instant(out, next->utc);
          else
            out += "null";
          out += ",\"nextEpisodeLocal\":";
          if (next)
            codec::append_json_string(out, format_local(next->utc, next->offset_seconds));
          else
            out += "null";
          out += ",\"openNotes\":";
          codec::append_json_int(out, facts.int64(3));
          out += ",\"project\":";
          const size_t row_begin = k ? row_ends[k - 1] : 0;
          out.append(rows, row_begin, row_ends[k] - row_begin);
          out += ",\"readyCount\":";
          codec::append_json_int(out, facts.int64(1));
          out += '}';
        }
        facts.reset();
        out += ']';
        write_page_end(out, total, q.limit, q.offset);
      }});
}

}  // namespace ec::api
