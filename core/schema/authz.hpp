#pragma once
// Who may do what, declared once (DOMAIN.md "Who may do what", docs/adr/0010-authorization.md).
// The core's dispatcher and entity operations (core/api) check these tables; the PostgreSQL
// generator (ddl_postgres.cpp) emits the RLS policies and the role triggers of users and
// organizations from the same tables, so both engines refuse the same changes.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/schema/schema.hpp"

namespace ec::schema::authz {

/// Access level of an operation or action. Member < Admin < Owner are user roles; Public needs
/// no principal; System is the worker / service role only (never a user, whatever their role).
enum class Level { Public, Member, Admin, Owner, System };

const char* level_name(Level l);
/// member 1, admin 2, owner 3; 0 for anything else (an unknown role acts as nobody).
int role_rank(std::string_view role);
/// The rank a user role needs for a level (Member 1, Admin 2, Owner 3; Public 0; System: none).
int level_rank(Level l);
/// Whether a user with `role` reaches `l` (never for System).
bool user_reaches(std::string_view role, Level l);

/// Per entity: the least level of each kind of change through the API. System: only the system
/// writes these rows (through the queue and budget operations); users never create, update or
/// delete them, and their generic write operations do not exist.
struct EntityAccess {
  const char* entity = nullptr;  // null: the defaults of an entity the table does not list
  Level read = Level::Member;
  Level create = Level::Member;
  Level update = Level::Member;
  Level remove = Level::Member;  // soft delete, restore, purge
};
/// Every entity's row (entities not listed get the Member defaults).
std::span<const EntityAccess> entity_access_table();
EntityAccess entity_access(const std::string& entity);
/// True when users may not write the entity at all (create, update and remove are System).
bool system_written(const std::string& entity);

enum class Action { Create, Update, Remove };
/// Which rows a rule covers: any row; the acting user's own row (User only); rows that are not
/// owners before nor after the change (User only); rows whose userId is the acting user.
/// Author: rows about or by the acting user (their author_field: userId, authorId): the author
/// of a note, chat or highlight is the caller (docs/DOMAIN.md).
enum class Scope { Any, Self, NotOwner, Author };
const char* action_name(Action a);
const char* scope_name(Scope s);

/// Per-row and per-field rules of the entities whose rows differ by role (User, Organization).
/// A change is allowed when, for the row (create / remove) or for every changed field (update),
/// at least one rule of that entity and action covers it: the actor's role reaches `level` and
/// the row is in `scope`. `fields` empty = every field. Entities without rules only need the
/// EntityAccess level.
/// Declared as constant data (docs/adr/0031-declarations-as-data.md).
struct RowRule {
  const char* entity;
  Action action;
  std::span<const char* const> fields;
  Level level;
  Scope scope;
  const char* doc;
};
std::span<const RowRule> row_rules();
bool has_row_rules(const std::string& entity);
/// Whether `entity` has rules for action `a`; an action without rules needs only its
/// EntityAccess level (check_row allows it, the role trigger does not check it).
bool has_row_rules(const std::string& entity, Action a);
/// The field Scope::Author compares with the acting user: the entity's actor-defaulted field
/// (Field::actor_default: userId, authorId).
std::string author_field(const std::string& entity);

/// An organization always keeps at least `count` current rows with field == value
/// (>= 1 owner): demoting or removing the last one is refused.
struct KeepAtLeast {
  std::string entity;
  std::string field;
  std::string value;
  int count;
};
const std::vector<KeepAtLeast>& keep_rules();

/// The verdict on one change by a user. `field` names the first refused field (update) or is
/// empty (the row); `reason` is a user-facing sentence.
struct Decision {
  bool allowed = true;
  std::string field;
  std::string reason;
};
/// Checks the row rules of `entity` for a change by a user with `role` and id `actor_id`.
/// `before` is null for create, `after` null for remove. Does not check KeepAtLeast (needs the
/// database: the caller counts the remaining rows).
Decision check_row(const std::string& entity, Action a, std::string_view role,
                   const std::string& actor_id, const json& before, const json& after);

/// Markdown table of the declaration (docs).
std::string markdown();

}  // namespace ec::schema::authz
