#pragma once
// The generic operations every user-editable entity gets from its schema declaration
// (create, get, list, update, delete, restore, purge), with per-entity hooks for the rules
// that are not structural (plan limits, numbering, highlight text, …).
#include <string>
#include <utility>
#include <vector>

#include "core/api/registry.hpp"

namespace ec::api {

struct EntityHooks {
  /// After defaults and system fields are set, before insert (may throw; may adjust the row).
  void (*before_create)(Context&, json& row) = nullptr;
  /// With the stored row and the merged row, before the update is written.
  void (*before_update)(Context&, const json& before, json& after) = nullptr;
  /// Before soft delete / restore (e.g. plan limits on restore).
  void (*before_restore)(Context&, const json& row) = nullptr;
  /// Extra prefill before validation on create.
  void (*prefill_create)(Context&, json& params) = nullptr;
  /// After an update was written (only when something changed), in the same transaction
  /// (e.g. replanning the schedule queue after a cadence change). Returns what the change did
  /// besides the row, as extra result fields (an object), or null for nothing: the update's
  /// result is the row with these fields added, so a surface reports what the core did.
  json (*after_update)(Context&, const json& before, const json& after) = nullptr;
  /// The extra keys after_update may add to the `<entity>.update` result (none = the entity).
  std::vector<std::pair<std::string, result::Shape>> update_extra;
  /// After a soft delete / restore was written, in the same transaction.
  void (*after_delete)(Context&, const json& row) = nullptr;
  void (*after_restore)(Context&, const json& row) = nullptr;
};

/// The operation prefix of an entity ("Project" -> "project", "EpisodeScheduleQueue" -> "queue").
std::string op_prefix(const schema::Entity& e);

/// Creates a row through the same path as `<entity>.create` (defaults, parents, hooks, audit).
json create_row(Context& ctx, const schema::Entity& e, const json& input,
                const EntityHooks& hooks = {});
/// Updates a row through the same path as `<entity>.update`.
json update_row(Context& ctx, const schema::Entity& e, const std::string& id, const json& patch,
                const EntityHooks& hooks = {});
/// Checks that every reference in `row` points to a visible row of the same organization.
void check_parents(Context& ctx, const schema::Entity& e, const json& row,
                   const json& only_fields = nullptr);

/// Refuses a change the role rules (core/schema/authz.hpp) do not allow the acting user
/// (forbidden at `path`, or at ["patch", field] for a refused field), including removing or
/// demoting an organization's last owner. The system is not bound by them.
void authorize_row(Context& ctx, const schema::Entity& e, schema::authz::Action a,
                   const json& before, const json& after, const json& path);

/// A page result {items, limit, offset, total} written as text (keys in dump_text's order):
/// write_page_start, then the items array, then write_page_end. write_page_start reserves room
/// for `limit` items (a guess per item, capped): a page is written without regrowing `out`.
void write_page_start(std::string& out, int64_t limit);
void write_page_end(std::string& out, int64_t total, int64_t limit, int64_t offset);

/// Per-entity hooks (defined next to the rules they implement).
const EntityHooks& hooks_for(const schema::Entity& e);

}  // namespace ec::api
