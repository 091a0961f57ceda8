-- episodes-core schema v2 (PostgreSQL / Supabase). Generated from core/schema by `episodes-core schema --dialect postgres`;
-- do not edit. Apply with: psql -v ON_ERROR_STOP=1 -f <this file>. One transaction; applying it to
-- a database that already has it is refused by the guard below and changes nothing.
-- Expects Supabase's auth.uid() and the roles anon, authenticated, service_role.
begin;
set local check_function_bodies = off;
set local search_path = '';

do $$
begin
  if to_regclass('private.schema_info') is not null then
    raise exception 'episodes-core schema is already applied (private.schema_info exists): nothing was changed'
      using errcode = 'EC001';
  end if;
end
$$;

-- Enum types (one per enum field).
create type public.organization_plan as enum ('free', 'pro', 'team');
create type public.user_role as enum ('owner', 'admin', 'member');
create type public.project_status as enum ('active', 'paused', 'archived');
create type public.episode_status as enum ('scheduled', 'generating', 'ready', 'published', 'failed', 'cancelled');
create type public.episode_schedule_queue_status as enum ('pending', 'processing', 'completed', 'failed', 'cancelled');
create type public.chat_message_role as enum ('user', 'assistant', 'system');
create type public.budget_reservation_status as enum ('open', 'settled', 'released');
create type public.planning_note_status as enum ('open', 'applied', 'dismissed');
create type public.agent_memory_kind as enum ('fact', 'preference', 'instruction', 'context');
create type public.block_type as enum ('markdown');

-- ---------------------------------------------------------------------------------------------
-- Membership. Supabase auth users map 1:1 to public.users rows: users.id = auth.uid(). A user
-- belongs to exactly one organization; these helpers are security definer (they read users
-- without recursing into its own policies) and live in the non-exposed schema `private`.
-- ---------------------------------------------------------------------------------------------
create schema if not exists private;
revoke all on schema private from public;

create table private.schema_info (
  version integer primary key,
  applied_at timestamptz not null default now(),
  generator text not null
);

create function private.current_organization_id() returns uuid
  language sql stable security definer set search_path = '' as $$
  select u.organization_id from public.users u where u.id = (select auth.uid()) and u.deleted_at is null
$$;

create function private.current_user_role() returns public.user_role
  language sql stable security definer set search_path = '' as $$
  select u.role from public.users u where u.id = (select auth.uid()) and u.deleted_at is null
$$;

create function private.is_org_admin() returns boolean
  language sql stable security definer set search_path = '' as $$
  select coalesce((select u.role in ('owner', 'admin') from public.users u
                   where u.id = (select auth.uid()) and u.deleted_at is null), false)
$$;

-- ---------------------------------------------------------------------------------------------
-- Append-only tables: any UPDATE, DELETE or TRUNCATE raises.
-- ---------------------------------------------------------------------------------------------
create function private.refuse_change() returns trigger
  language plpgsql set search_path = '' as $$
begin
  raise exception '% is append-only: % refused', tg_table_name, lower(tg_op) using errcode = 'EC403';
end
$$;

-- Organization: A tenant: every other row belongs to one.
create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) <= 200) check (name <> '') check (name !~ '[\r\n]'),
  slug text not null check (char_length(slug) <= 63) check (slug <> '') check (slug !~ '[\r\n]'),
  plan public.organization_plan not null default 'free',
  daily_cost_limit_micros bigint not null default 50000000 check (daily_cost_limit_micros between 0 and 1000000000000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.organizations is 'A tenant: every other row belongs to one.';
create unique index ux_organizations_slug on public.organizations (slug);

-- User: A member of one organization.
create table public.users (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  email text not null check (char_length(email) <= 254) check (email <> '') check (email !~ '[\r\n]'),
  name text not null check (char_length(name) <= 200) check (name <> '') check (name !~ '[\r\n]'),
  role public.user_role not null default 'member',
  timezone text not null default 'UTC' check (char_length(timezone) <= 64) check (timezone <> '') check (timezone !~ '[\r\n]'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_by uuid,
  constraint fk_users_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade
);
comment on table public.users is 'A member of one organization.';
create unique index ux_users_organization_id_id on public.users (organization_id, id);
create unique index ux_users_organization_id_email on public.users (organization_id, lower(email));

-- Project: What episodes are about; has a weekly cadence.
create table public.projects (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  owner_id uuid not null default auth.uid(),
  name text not null check (char_length(name) <= 200) check (name <> '') check (name !~ '[\r\n]'),
  description text not null default '' check (char_length(description) <= 5000),
  status public.project_status not null default 'active',
  cadence_config jsonb not null check (jsonb_typeof(cadence_config) = 'object'),
  memories jsonb not null default '[]'::jsonb check (jsonb_typeof(memories) = 'array'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_by uuid,
  constraint fk_projects_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade,
  constraint fk_projects_owner_id foreign key (organization_id, owner_id) references public.users (organization_id, id) on update cascade on delete restrict
);
comment on table public.projects is 'What episodes are about; has a weekly cadence.';
create unique index ux_projects_organization_id_id on public.projects (organization_id, id);
create index ix_projects_organization_id_status on public.projects (organization_id, status);
create index ix_projects_organization_id_owner_id on public.projects (organization_id, owner_id);

-- Episode: One AI-generated markdown document of a project.
create table public.episodes (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  project_id uuid not null,
  number bigint not null check (number >= 1),
  title text not null check (char_length(title) <= 300) check (title <> '') check (title !~ '[\r\n]'),
  status public.episode_status not null default 'scheduled',
  scheduled_for timestamptz,
  generated_at timestamptz,
  published_at timestamptz,
  generation_attempts bigint not null default 0 check (generation_attempts between 0 and 1000),
  generation_errors jsonb not null default '[]'::jsonb check (jsonb_typeof(generation_errors) = 'array'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_by uuid,
  constraint fk_episodes_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade,
  constraint fk_episodes_project_id foreign key (organization_id, project_id) references public.projects (organization_id, id) on update cascade on delete cascade
);
comment on table public.episodes is 'One AI-generated markdown document of a project.';
create unique index ux_episodes_organization_id_id on public.episodes (organization_id, id);
create unique index ux_episodes_organization_id_project_id_number on public.episodes (organization_id, project_id, number);
create index ix_episodes_organization_id_scheduled_for on public.episodes (organization_id, scheduled_for);

-- EpisodeScheduleQueue: Resilient scheduling: one row per (project, scheduledFor).
create table public.episode_schedule_queue (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  project_id uuid not null,
  scheduled_for timestamptz not null,
  status public.episode_schedule_queue_status not null default 'pending',
  attempts bigint not null default 0 check (attempts between 0 and 1000),
  max_attempts bigint not null default 3 check (max_attempts between 1 and 100),
  locked_by text check (char_length(locked_by) <= 200) check (locked_by !~ '[\r\n]'),
  locked_until timestamptz,
  run_after timestamptz not null,
  last_error text check (char_length(last_error) <= 4000),
  episode_id uuid,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint fk_episode_schedule_queue_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade,
  constraint fk_episode_schedule_queue_project_id foreign key (organization_id, project_id) references public.projects (organization_id, id) on update cascade on delete cascade,
  constraint fk_episode_schedule_queue_episode_id foreign key (organization_id, episode_id) references public.episodes (organization_id, id) on update cascade on delete restrict
);
comment on table public.episode_schedule_queue is 'Resilient scheduling: one row per (project, scheduledFor).';
create unique index ux_episode_schedule_queue_organization_id_id on public.episode_schedule_queue (organization_id, id);
create unique index ux_episode_schedule_queue_organization_id_project_id_s_67a1c9b1 on public.episode_schedule_queue (organization_id, project_id, scheduled_for);
create index ix_episode_schedule_queue_organization_id_status_run_after on public.episode_schedule_queue (organization_id, status, run_after);
create index ix_episode_schedule_queue_episode_id on public.episode_schedule_queue (organization_id, episode_id);

-- ChatSession: A chat with the agent about a project.
create table public.chat_sessions (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  project_id uuid not null,
  episode_id uuid,
  user_id uuid not null default auth.uid(),
  title text not null check (char_length(title) <= 200) check (title <> '') check (title !~ '[\r\n]'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_by uuid,
  constraint fk_chat_sessions_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade,
  constraint fk_chat_sessions_project_id foreign key (organization_id, project_id) references public.projects (organization_id, id) on update cascade on delete cascade,
  constraint fk_chat_sessions_episode_id foreign key (organization_id, episode_id) references public.episodes (organization_id, id) on update cascade on delete restrict,
  constraint fk_chat_sessions_user_id foreign key (organization_id, user_id) references public.users (organization_id, id) on update cascade on delete restrict
);
comment on table public.chat_sessions is 'A chat with the agent about a project.';
create unique index ux_chat_sessions_organization_id_id on public.chat_sessions (organization_id, id);
create index ix_chat_sessions_organization_id_project_id on public.chat_sessions (organization_id, project_id);
create index ix_chat_sessions_episode_id on public.chat_sessions (organization_id, episode_id);
create index ix_chat_sessions_user_id on public.chat_sessions (organization_id, user_id);

-- ChatMessage: One message of a chat session.
create table public.chat_messages (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  session_id uuid not null,
  role public.chat_message_role not null,
  content text not null check (char_length(content) <= 100000),
  input_tokens bigint not null default 0 check (input_tokens between 0 and 100000000),
  output_tokens bigint not null default 0 check (output_tokens between 0 and 100000000),
  cost_micros bigint not null default 0 check (cost_micros between 0 and 1000000000000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint fk_chat_messages_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade,
  constraint fk_chat_messages_session_id foreign key (organization_id, session_id) references public.chat_sessions (organization_id, id) on update cascade on delete cascade
);
comment on table public.chat_messages is 'One message of a chat session.';
create unique index ux_chat_messages_organization_id_id on public.chat_messages (organization_id, id);
create index ix_chat_messages_organization_id_session_id_created_at on public.chat_messages (organization_id, session_id, created_at);

-- TokenUsage: One LLM call and its exact cost.
create table public.token_usage (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  project_id uuid not null,
  episode_id uuid,
  chat_session_id uuid,
  model text not null check (char_length(model) <= 100) check (model <> '') check (model !~ '[\r\n]'),
  input_tokens bigint not null check (input_tokens between 0 and 100000000),
  output_tokens bigint not null check (output_tokens between 0 and 100000000),
  cost_micros bigint not null check (cost_micros between 0 and 1000000000000),
  occurred_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint fk_token_usage_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade,
  constraint fk_token_usage_project_id foreign key (organization_id, project_id) references public.projects (organization_id, id) on update cascade on delete cascade,
  constraint fk_token_usage_episode_id foreign key (organization_id, episode_id) references public.episodes (organization_id, id) on update cascade on delete restrict,
  constraint fk_token_usage_chat_session_id foreign key (organization_id, chat_session_id) references public.chat_sessions (organization_id, id) on update cascade on delete restrict
);
comment on table public.token_usage is 'One LLM call and its exact cost.';
create unique index ux_token_usage_organization_id_id on public.token_usage (organization_id, id);
create index ix_token_usage_organization_id_occurred_at on public.token_usage (organization_id, occurred_at);
create index ix_token_usage_organization_id_project_id on public.token_usage (organization_id, project_id);
create index ix_token_usage_episode_id on public.token_usage (organization_id, episode_id);
create index ix_token_usage_chat_session_id on public.token_usage (organization_id, chat_session_id);

-- TokenUsageDaily: Per organization and UTC day roll-up of TokenUsage, kept by triggers; the circuit breaker reads it.
create table public.token_usage_daily (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  date date not null,
  input_tokens bigint not null default 0 check (input_tokens >= 0),
  output_tokens bigint not null default 0 check (output_tokens >= 0),
  cost_micros bigint not null default 0 check (cost_micros between 0 and 1000000000000),
  call_count bigint not null default 0 check (call_count >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint fk_token_usage_daily_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade
);
comment on table public.token_usage_daily is 'Per organization and UTC day roll-up of TokenUsage, kept by triggers; the circuit breaker reads it.';
create unique index ux_token_usage_daily_organization_id_id on public.token_usage_daily (organization_id, id);
create unique index ux_token_usage_daily_organization_id_date on public.token_usage_daily (organization_id, date);

-- BudgetReservation: An estimated cost held before a generation; settled by the actual usage.
create table public.budget_reservations (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  queue_item_id uuid,
  estimate_micros bigint not null check (estimate_micros between 0 and 1000000000000),
  status public.budget_reservation_status not null default 'open',
  date date not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint fk_budget_reservations_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade,
  constraint fk_budget_reservations_queue_item_id foreign key (organization_id, queue_item_id) references public.episode_schedule_queue (organization_id, id) on update cascade on delete restrict
);
comment on table public.budget_reservations is 'An estimated cost held before a generation; settled by the actual usage.';
create unique index ux_budget_reservations_organization_id_id on public.budget_reservations (organization_id, id);
create index ix_budget_reservations_organization_id_date_status on public.budget_reservations (organization_id, date, status);
create index ix_budget_reservations_queue_item_id on public.budget_reservations (organization_id, queue_item_id);

-- PlanningNote: User feedback steering the next episodes.
create table public.planning_notes (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  project_id uuid not null,
  author_id uuid not null default auth.uid(),
  content text not null check (char_length(content) <= 20000) check (content <> ''),
  status public.planning_note_status not null default 'open',
  applied_episode_id uuid,
  applied_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_by uuid,
  constraint fk_planning_notes_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade,
  constraint fk_planning_notes_project_id foreign key (organization_id, project_id) references public.projects (organization_id, id) on update cascade on delete cascade,
  constraint fk_planning_notes_author_id foreign key (organization_id, author_id) references public.users (organization_id, id) on update cascade on delete restrict,
  constraint fk_planning_notes_applied_episode_id foreign key (organization_id, applied_episode_id) references public.episodes (organization_id, id) on update cascade on delete restrict
);
comment on table public.planning_notes is 'User feedback steering the next episodes.';
create unique index ux_planning_notes_organization_id_id on public.planning_notes (organization_id, id);
create index ix_planning_notes_organization_id_project_id_status on public.planning_notes (organization_id, project_id, status);
create index ix_planning_notes_author_id on public.planning_notes (organization_id, author_id);
create index ix_planning_notes_applied_episode_id on public.planning_notes (organization_id, applied_episode_id);

-- AgentMemory: Phase 2: long-term memory of the agent.
create table public.agent_memories (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  project_id uuid not null,
  kind public.agent_memory_kind not null default 'fact',
  content text not null check (char_length(content) <= 4000) check (content <> ''),
  importance bigint not null default 3 check (importance between 1 and 5),
  source_episode_id uuid,
  legacy_memory_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_by uuid,
  constraint fk_agent_memories_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade,
  constraint fk_agent_memories_project_id foreign key (organization_id, project_id) references public.projects (organization_id, id) on update cascade on delete cascade,
  constraint fk_agent_memories_source_episode_id foreign key (organization_id, source_episode_id) references public.episodes (organization_id, id) on update cascade on delete restrict
);
comment on table public.agent_memories is 'Phase 2: long-term memory of the agent.';
create unique index ux_agent_memories_organization_id_id on public.agent_memories (organization_id, id);
create index ix_agent_memories_organization_id_project_id on public.agent_memories (organization_id, project_id);
create unique index ux_agent_memories_organization_id_project_id_legacy_memory_id on public.agent_memories (organization_id, project_id, legacy_memory_id) where legacy_memory_id IS NOT NULL;
create index ix_agent_memories_source_episode_id on public.agent_memories (organization_id, source_episode_id);

-- UserEvent: Event tracking instead of boolean flags.
create table public.user_events (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  user_id uuid not null default auth.uid(),
  event_type text not null check (char_length(event_type) <= 100) check (event_type <> '') check (event_type !~ '[\r\n]'),
  event_data jsonb not null default '{}'::jsonb check (jsonb_typeof(event_data) = 'object'),
  occurred_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint fk_user_events_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade,
  constraint fk_user_events_user_id foreign key (organization_id, user_id) references public.users (organization_id, id) on update cascade on delete cascade
);
comment on table public.user_events is 'Event tracking instead of boolean flags.';
create unique index ux_user_events_organization_id_id on public.user_events (organization_id, id);
create index ix_user_events_organization_id_user_id_event_type on public.user_events (organization_id, user_id, event_type);

-- AuditLog: Who changed what. Append-only, enforced by the database.
create table public.audit_log (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  actor_id uuid,
  action text not null check (char_length(action) <= 40) check (action <> '') check (action !~ '[\r\n]'),
  entity_type text not null check (char_length(entity_type) <= 60) check (entity_type <> '') check (entity_type !~ '[\r\n]'),
  entity_id uuid not null,
  changes jsonb not null default '{}'::jsonb check (jsonb_typeof(changes) = 'object'),
  occurred_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint fk_audit_log_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade
);
comment on table public.audit_log is 'Who changed what. Append-only, enforced by the database.';
create unique index ux_audit_log_organization_id_id on public.audit_log (organization_id, id);
create index ix_audit_log_organization_id_entity_type_entity_id on public.audit_log (organization_id, entity_type, entity_id);
create trigger trg_audit_log_append_only before update or delete on public.audit_log
  for each row execute function private.refuse_change();
create trigger trg_audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function private.refuse_change();

-- Block: Episode content; MVP: one markdown block per episode.
create table public.blocks (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  episode_id uuid not null,
  type public.block_type not null default 'markdown',
  position bigint not null default 0 check (position between 0 and 10000),
  content text not null check (char_length(content) <= 1000000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint fk_blocks_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade,
  constraint fk_blocks_episode_id foreign key (organization_id, episode_id) references public.episodes (organization_id, id) on update cascade on delete cascade
);
comment on table public.blocks is 'Episode content; MVP: one markdown block per episode.';
create unique index ux_blocks_organization_id_id on public.blocks (organization_id, id);
create unique index ux_blocks_organization_id_episode_id_position on public.blocks (organization_id, episode_id, position);

-- Highlight: A user's marked passage of a block.
create table public.highlights (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null default private.current_organization_id(),
  episode_id uuid not null,
  block_id uuid not null,
  user_id uuid not null default auth.uid(),
  start_offset bigint not null check (start_offset >= 0),
  end_offset bigint not null check (end_offset >= 1),
  quote text not null check (char_length(quote) <= 100000) check (quote <> ''),
  note text check (char_length(note) <= 5000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  deleted_at timestamptz,
  deleted_by uuid,
  constraint fk_highlights_organization_id foreign key (organization_id) references public.organizations (id) on update cascade on delete cascade,
  constraint fk_highlights_episode_id foreign key (organization_id, episode_id) references public.episodes (organization_id, id) on update cascade on delete cascade,
  constraint fk_highlights_block_id foreign key (organization_id, block_id) references public.blocks (organization_id, id) on update cascade on delete cascade,
  constraint fk_highlights_user_id foreign key (organization_id, user_id) references public.users (organization_id, id) on update cascade on delete restrict
);
comment on table public.highlights is 'A user''s marked passage of a block.';
create unique index ux_highlights_organization_id_id on public.highlights (organization_id, id);
create index ix_highlights_organization_id_episode_id on public.highlights (organization_id, episode_id);
create index ix_highlights_organization_id_block_id on public.highlights (organization_id, block_id);
create index ix_highlights_user_id on public.highlights (organization_id, user_id);

-- ---------------------------------------------------------------------------------------------
-- Helpers of the queue/budget functions (same output formats as the core).
-- ---------------------------------------------------------------------------------------------
-- "2025-08-15T09:00:00.000Z", as core/time.cpp format_instant.
create function private.iso(p_at timestamptz) returns text
  language sql immutable set search_path = '' as $$
  select to_char(p_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- A row as the core's JSON: camelCase keys, instants as "…Z" with milliseconds.
create function private.core_json(p_row jsonb) returns jsonb
  language sql immutable set search_path = '' as $$
  select coalesce(jsonb_object_agg(
           (select string_agg(case when i = 1 then w else initcap(w) end, '' order by i)
              from unnest(string_to_array(key, '_')) with ordinality as t(w, i)),
           case when jsonb_typeof(value) = 'string'
                 and (value #>> '{}') ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$'
                then to_jsonb(private.iso((value #>> '{}')::timestamptz))
                else value end), '{}'::jsonb)
  from jsonb_each(p_row)
$$;

-- One AuditLog row {field: {before, after}} for a change, as core/store/audit.cpp (createdAt and
-- updatedAt are not diffed; an update that changes nothing writes nothing).
create function private.audit(p_org uuid, p_actor uuid, p_action text, p_entity text, p_id uuid,
                              p_before jsonb, p_after jsonb, p_at timestamptz) returns void
  language plpgsql security definer set search_path = '' set timezone = 'UTC' as $$
declare
  b jsonb := private.core_json(coalesce(p_before, '{}'::jsonb));
  a jsonb := private.core_json(coalesce(p_after, '{}'::jsonb));
  k text;
  ch jsonb := '{}'::jsonb;
begin
  for k in select key from jsonb_each(a) union select key from jsonb_each(b) loop
    continue when k in ('createdAt', 'updatedAt');
    if (a -> k) is distinct from (b -> k) then
      ch := ch || jsonb_build_object(k, jsonb_build_object('before', coalesce(b -> k, 'null'::jsonb),
                                                           'after', coalesce(a -> k, 'null'::jsonb)));
    end if;
  end loop;
  if ch = '{}'::jsonb and p_before is not null then
    return;
  end if;
  insert into public.audit_log (id, organization_id, actor_id, action, entity_type, entity_id, changes,
                                occurred_at, created_at, updated_at)
  values (gen_random_uuid(), p_org, p_actor, p_action, p_entity, p_id, ch, p_at, p_at, p_at);
end
$$;

-- The longest prefix of at most p_max UTF-8 bytes that does not split a character.
create function private.truncate_bytes(p text, p_max integer) returns text
  language plpgsql immutable set search_path = '' as $$
declare
  r text := left(p, p_max);
begin
  while octet_length(r) > p_max loop
    r := left(r, char_length(r) - greatest(1, (octet_length(r) - p_max) / 4));
  end loop;
  return r;
end
$$;

-- Appends one {at, code, message, attempt} entry, keeping the last 50 (queue.cpp kMaxErrorsKept).
create function private.with_error(p_errors jsonb, p_entry jsonb) returns jsonb
  language sql immutable set search_path = '' as $$
  select case when jsonb_array_length(x) <= 50 then x
              else (select jsonb_agg(e order by i) from jsonb_array_elements(x) with ordinality as t(e, i)
                    where i > jsonb_array_length(x) - 50) end
  from (select coalesce(p_errors, '[]'::jsonb) || jsonb_build_array(p_entry) as x) s
$$;

-- Retry delay after failed attempt p_attempt, exactly as queue.cpp backoff_ms:
-- min(1 h, 60 s * 2^(attempt-1)) minus a jitter of up to 10 % from FNV-1a 64 of "id:attempt".
create function private.backoff_ms(p_item_id uuid, p_attempt integer) returns bigint
  language plpgsql immutable set search_path = '' as $$
declare
  v_d bigint := least(3600000, 60000::bigint << least(greatest(p_attempt - 1, 0), 20));
  v_bytes bytea := convert_to(p_item_id::text || ':' || p_attempt::text, 'UTF8');
  v_h numeric := 1469598103934665603;
  v_low integer;
begin
  for i in 0 .. length(v_bytes) - 1 loop
    v_low := (v_h % 256)::integer;
    v_h := v_h - v_low + (v_low # get_byte(v_bytes, i));
    v_h := (v_h * 1099511628211) % 18446744073709551616;
  end loop;
  return v_d - (v_h % (v_d / 10 + 1))::bigint;
end
$$;

-- "£1,234.56" as budget.cpp format_gbp (half away from zero, to the penny).
create function private.gbp(p_micros bigint) returns text
  language sql immutable set search_path = '' as $$
  select case when p_micros < 0 and (abs(p_micros::numeric) + 5000) / 10000 >= 1 then '-£' else '£' end
      || to_char(trunc(trunc((abs(p_micros::numeric) + 5000) / 10000) / 100), 'FM999,999,999,999,990') || '.'
      || lpad((trunc((abs(p_micros::numeric) + 5000) / 10000) % 100)::text, 2, '0')
$$;

-- ---------------------------------------------------------------------------------------------
-- TokenUsageDaily: kept equal to the sums of TokenUsage by triggers, exactly as the SQLite
-- triggers (deterministic id: first 24 characters of the organization id || '0000YYYYMMDD').
-- Concurrent usage of one organization and day serializes on that day (advisory lock, then row).
-- ---------------------------------------------------------------------------------------------
create function private.token_usage_daily_add(p_org uuid, p_at timestamptz, p_in bigint, p_out bigint,
                                              p_cost bigint, p_stamp timestamptz) returns void
  language sql security definer set search_path = '' as $$
  -- The first usage of a day creates its row: concurrent sessions would race on the three unique
  -- indexes of that row (id, (organization_id, id), (organization_id, date)), and ON CONFLICT
  -- arbitrates only one of them. An advisory lock per (organization, day) serializes them; the
  -- next statement's snapshot then sees the committed row and takes the DO UPDATE path.
  select pg_advisory_xact_lock(hashtextextended(p_org::text || to_char(p_at at time zone 'UTC', 'YYYYMMDD'), 5));
  insert into public.token_usage_daily as d (id, organization_id, date, input_tokens, output_tokens, cost_micros,
                                             call_count, created_at, updated_at)
  values ((substr(p_org::text, 1, 24) || to_char(p_at at time zone 'UTC', '"0000"YYYYMMDD'))::uuid, p_org,
          (p_at at time zone 'UTC')::date, p_in, p_out, p_cost, 1, p_stamp, p_stamp)
  on conflict (organization_id, date) do update set
    input_tokens = d.input_tokens + excluded.input_tokens,
    output_tokens = d.output_tokens + excluded.output_tokens,
    cost_micros = d.cost_micros + excluded.cost_micros,
    call_count = d.call_count + 1,
    updated_at = greatest(d.updated_at, excluded.updated_at)
$$;

create function private.token_usage_daily_sub(p_org uuid, p_at timestamptz, p_in bigint, p_out bigint,
                                              p_cost bigint) returns void
  language sql security definer set search_path = '' as $$
  update public.token_usage_daily set
    input_tokens = input_tokens - p_in,
    output_tokens = output_tokens - p_out,
    cost_micros = cost_micros - p_cost,
    call_count = call_count - 1
  where organization_id = p_org and date = (p_at at time zone 'UTC')::date
$$;

create function private.trg_token_usage_ai() returns trigger
  language plpgsql security definer set search_path = '' as $$
begin
  perform private.token_usage_daily_add(new.organization_id, new.occurred_at, new.input_tokens, new.output_tokens,
                                        new.cost_micros, new.created_at);
  return null;
end
$$;

create function private.trg_token_usage_ad() returns trigger
  language plpgsql security definer set search_path = '' as $$
begin
  perform private.token_usage_daily_sub(old.organization_id, old.occurred_at, old.input_tokens, old.output_tokens,
                                        old.cost_micros);
  return null;
end
$$;

create function private.trg_token_usage_au() returns trigger
  language plpgsql security definer set search_path = '' as $$
begin
  perform private.token_usage_daily_sub(old.organization_id, old.occurred_at, old.input_tokens, old.output_tokens,
                                        old.cost_micros);
  perform private.token_usage_daily_add(new.organization_id, new.occurred_at, new.input_tokens, new.output_tokens,
                                        new.cost_micros, new.updated_at);
  return null;
end
$$;

create trigger trg_token_usage_ai after insert on public.token_usage
  for each row execute function private.trg_token_usage_ai();
create trigger trg_token_usage_ad after delete on public.token_usage
  for each row execute function private.trg_token_usage_ad();
create trigger trg_token_usage_au
  after update of input_tokens, output_tokens, cost_micros, occurred_at, organization_id on public.token_usage
  for each row execute function private.trg_token_usage_au();

-- ---------------------------------------------------------------------------------------------
-- The schedule queue (mirrors core/store/queue.cpp). Callable by the service role only: workers
-- are trusted back-end processes. Errors carry SQLSTATE EC409 (stale_lease), EC402
-- (budget_exceeded), P0002 (not_found), 22023 (invalid parameter); the message starts with the
-- core's error code.
-- ---------------------------------------------------------------------------------------------
create function private.check_lease(p_item public.episode_schedule_queue, p_token bigint) returns void
  language plpgsql stable set search_path = '' as $$
begin
  if p_item.status <> 'processing' then
    raise exception 'stale_lease: the item is %, not processing: this lease is no longer held', p_item.status
      using errcode = 'EC409';
  end if;
  if p_token is distinct from p_item.attempts then
    raise exception 'stale_lease: token % is stale: the item was claimed again (token %)', p_token, p_item.attempts
      using errcode = 'EC409';
  end if;
end
$$;

-- Serializes episode numbering per project (advisory, transaction-scoped).
create function private.lock_project(p_project_id uuid) returns void
  language sql volatile set search_path = '' as $$
  select pg_advisory_xact_lock(hashtextextended(p_project_id::text, 8))
$$;

-- The episode a slot generates: the linked one, else one already scheduled for that slot, else a
-- new one with the project's next number (queue.cpp episode_for).
create function private.episode_for(p_item public.episode_schedule_queue, p_now timestamptz, p_actor uuid)
  returns public.episodes
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_ep public.episodes;
  v_number bigint;
begin
  if p_item.episode_id is not null then
    select * into v_ep from public.episodes e
     where e.id = p_item.episode_id and e.organization_id = p_item.organization_id and e.deleted_at is null;
    if found then
      return v_ep;
    end if;
  end if;
  select * into v_ep from public.episodes e
   where e.organization_id = p_item.organization_id and e.project_id = p_item.project_id
     and e.scheduled_for = p_item.scheduled_for and e.deleted_at is null
   order by e.number limit 1;
  if found then
    return v_ep;
  end if;
  perform private.lock_project(p_item.project_id);
  select coalesce(max(e.number), 0) + 1 into v_number from public.episodes e
   where e.organization_id = p_item.organization_id and e.project_id = p_item.project_id;
  insert into public.episodes (id, organization_id, project_id, number, title, status, scheduled_for,
                               created_at, updated_at)
  values (gen_random_uuid(), p_item.organization_id, p_item.project_id, v_number, 'Episode ' || v_number,
          'scheduled', p_item.scheduled_for, p_now, p_now)
  returning * into v_ep;
  perform private.audit(v_ep.organization_id, p_actor, 'create', 'Episode', v_ep.id, null, to_jsonb(v_ep), p_now);
  return v_ep;
end
$$;

-- Closes every open reservation of a queue item (budget.cpp close_for_item).
create function private.close_reservations(p_item public.episode_schedule_queue, p_status public.budget_reservation_status,
                                           p_now timestamptz, p_actor uuid) returns integer
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_before public.budget_reservations;
  v_after public.budget_reservations;
  n integer := 0;
begin
  for v_before in
    select * from public.budget_reservations r
     where r.organization_id = p_item.organization_id and r.queue_item_id = p_item.id and r.status = 'open'
     order by r.id for update
  loop
    update public.budget_reservations set status = p_status, updated_at = p_now where id = v_before.id
      returning * into v_after;
    perform private.audit(v_after.organization_id, p_actor, case when p_status = 'settled' then 'settle' else 'release' end,
                          'BudgetReservation', v_after.id, to_jsonb(v_before), to_jsonb(v_after), p_now);
    n := n + 1;
  end loop;
  return n;
end
$$;

-- Takes up to p_limit due items (pending with run_after <= now, or processing with an expired
-- lease and attempts left), oldest slot first, of one organization or of all (null); skips
-- inactive or deleted projects and organizations whose spend today (UTC) reached the daily
-- limit. Each claimed item: processing, locked_by, locked_until = now + lease, attempts + 1 (the
-- fencing token), its Episode generating. Rows are taken FOR UPDATE SKIP LOCKED, so concurrent
-- workers never wait for each other and never get the same item. Items whose lease expired on
-- the last attempt are failed first.
create function public.queue_claim(p_worker text, p_limit integer default 1, p_lease_seconds integer default 300,
                                   p_organization_id uuid default null, p_now timestamptz default now(),
                                   p_actor uuid default null)
  returns setof public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_item public.episode_schedule_queue;
  v_before public.episode_schedule_queue;
  v_ep public.episodes;
  v_ep_before public.episodes;
  v_ts text := private.iso(p_now);
  v_msg text;
  v_ids uuid[];
  v_id uuid;
  v_taken integer := 0;
begin
  if p_worker is null or p_worker = '' or char_length(p_worker) > 200 then
    raise exception 'invalid: p_worker must be 1 to 200 characters' using errcode = '22023';
  end if;
  if p_limit is null or p_limit < 1 or p_limit > 100 then
    raise exception 'invalid: p_limit must be 1..100' using errcode = '22023';
  end if;
  if p_lease_seconds is null or p_lease_seconds < 10 or p_lease_seconds > 86400 then
    raise exception 'invalid: p_lease_seconds must be 10..86400' using errcode = '22023';
  end if;

  -- An expired lease on the last allowed attempt: the item is dead, not claimable again.
  for v_before in
    select * from public.episode_schedule_queue q
     where (p_organization_id is null or q.organization_id = p_organization_id)
       and q.status = 'processing' and q.locked_until < p_now and q.attempts >= q.max_attempts
     order by q.scheduled_for, q.id
     for update skip locked
  loop
    v_msg := 'the lease of ' || v_before.locked_by || ' expired at ' || private.iso(v_before.locked_until)
             || ' on the last attempt';
    if v_before.episode_id is not null then
      select * into v_ep_before from public.episodes e
       where e.id = v_before.episode_id and e.organization_id = v_before.organization_id and e.deleted_at is null
       for update;
      if found then
        update public.episodes e set status = 'failed',
               generation_errors = private.with_error(e.generation_errors,
                 jsonb_build_object('at', v_ts, 'code', 'lease_expired', 'message', v_msg, 'attempt', v_before.attempts)),
               updated_at = p_now
         where e.id = v_ep_before.id returning * into v_ep;
        perform private.audit(v_ep.organization_id, p_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                              to_jsonb(v_ep), p_now);
      end if;
    end if;
    update public.episode_schedule_queue q set status = 'failed', locked_by = null, locked_until = null,
           last_error = 'lease_expired: ' || v_msg, updated_at = p_now
     where q.id = v_before.id returning * into v_item;
    perform private.audit(v_item.organization_id, p_actor, 'fail', 'EpisodeScheduleQueue', v_item.id,
                          to_jsonb(v_before), to_jsonb(v_item), p_now);
    perform private.close_reservations(v_item, 'released', p_now, p_actor);
  end loop;

  while v_taken < p_limit loop
    v_ids := array(
      select q.id from public.episode_schedule_queue q
        join public.projects p on p.id = q.project_id and p.organization_id = q.organization_id
        join public.organizations o on o.id = q.organization_id
       where (p_organization_id is null or q.organization_id = p_organization_id)
         and ((q.status = 'pending' and q.run_after <= p_now)
              or (q.status = 'processing' and q.locked_until < p_now and q.attempts < q.max_attempts))
         and p.status = 'active' and p.deleted_at is null
         and coalesce((select d.cost_micros from public.token_usage_daily d
                        where d.organization_id = q.organization_id and d.date = (p_now at time zone 'UTC')::date), 0)
             < o.daily_cost_limit_micros
       order by q.scheduled_for, q.id
       limit p_limit - v_taken
       for update of q skip locked);
    exit when cardinality(v_ids) = 0;
    -- Episode numbering is serialized per project; the locks are taken in one global order.
    perform private.lock_project(x.project_id)
       from (select distinct q.project_id from public.episode_schedule_queue q where q.id = any(v_ids)
             order by q.project_id) x;
    foreach v_id in array v_ids loop
      select * into v_before from public.episode_schedule_queue q where q.id = v_id;
      v_ep := private.episode_for(v_before, p_now, p_actor);
      if v_ep.status in ('ready', 'published') then
        -- The slot's episode already exists: nothing to generate.
        update public.episode_schedule_queue q set status = 'completed', episode_id = v_ep.id, completed_at = p_now,
               locked_by = null, locked_until = null, updated_at = p_now
         where q.id = v_id returning * into v_item;
        perform private.audit(v_item.organization_id, p_actor, 'complete', 'EpisodeScheduleQueue', v_item.id,
                              to_jsonb(v_before), to_jsonb(v_item), p_now);
        continue;
      end if;
      v_ep_before := v_ep;
      update public.episodes e set status = 'generating', scheduled_for = v_before.scheduled_for,
             generation_attempts = e.generation_attempts + 1,
             generation_errors = case when v_before.status = 'processing'
               then private.with_error(e.generation_errors, jsonb_build_object('at', v_ts, 'code', 'lease_expired',
                      'message', 'the lease of ' || v_before.locked_by || ' expired at ' || private.iso(v_before.locked_until),
                      'attempt', v_before.attempts))
               else e.generation_errors end,
             updated_at = p_now
       where e.id = v_ep.id returning * into v_ep;
      perform private.audit(v_ep.organization_id, p_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                            to_jsonb(v_ep), p_now);
      update public.episode_schedule_queue q set status = 'processing', locked_by = p_worker,
             locked_until = p_now + make_interval(secs => p_lease_seconds), attempts = q.attempts + 1,
             episode_id = v_ep.id, updated_at = p_now
       where q.id = v_id returning * into v_item;
      perform private.audit(v_item.organization_id, p_actor, 'claim', 'EpisodeScheduleQueue', v_item.id,
                            to_jsonb(v_before), to_jsonb(v_item), p_now);
      v_taken := v_taken + 1;
      return next v_item;
    end loop;
  end loop;
  return;
end
$$;

-- Finishes a claimed item: episode ready, item completed; p_usage ({model, inputTokens,
-- outputTokens, costMicros, occurredAt?}) is recorded as TokenUsage and the item's open
-- reservations settled (released without usage). Refused (EC409 stale_lease) unless the item is
-- processing and p_token is its current attempts.
create function public.queue_complete(p_item_id uuid, p_token bigint, p_usage jsonb default null,
                                      p_now timestamptz default now(), p_actor uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
  v_ep public.episodes;
  v_ep_before public.episodes;
  v_usage public.token_usage;
begin
  select * into v_before from public.episode_schedule_queue q where q.id = p_item_id for update;
  if not found then
    raise exception 'not_found: no queue item %', p_item_id using errcode = 'P0002';
  end if;
  perform private.check_lease(v_before, p_token);
  v_ep_before := private.episode_for(v_before, p_now, p_actor);
  update public.episodes e set status = 'ready', generated_at = p_now, updated_at = p_now
   where e.id = v_ep_before.id returning * into v_ep;
  perform private.audit(v_ep.organization_id, p_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                        to_jsonb(v_ep), p_now);
  if p_usage is not null and jsonb_typeof(p_usage) <> 'null' then
    insert into public.token_usage (id, organization_id, project_id, episode_id, model, input_tokens, output_tokens,
                                    cost_micros, occurred_at, created_at, updated_at)
    values (gen_random_uuid(), v_before.organization_id, v_before.project_id, v_ep.id, p_usage ->> 'model',
            (p_usage ->> 'inputTokens')::bigint, (p_usage ->> 'outputTokens')::bigint,
            (p_usage ->> 'costMicros')::bigint, coalesce((p_usage ->> 'occurredAt')::timestamptz, p_now), p_now, p_now)
    returning * into v_usage;
    perform private.audit(v_usage.organization_id, p_actor, 'create', 'TokenUsage', v_usage.id, null,
                          to_jsonb(v_usage), p_now);
    perform private.close_reservations(v_before, 'settled', p_now, p_actor);
  else
    perform private.close_reservations(v_before, 'released', p_now, p_actor);
  end if;
  update public.episode_schedule_queue q set status = 'completed', completed_at = p_now, episode_id = v_ep.id,
         locked_by = null, locked_until = null, updated_at = p_now
   where q.id = p_item_id returning * into v_item;
  perform private.audit(v_item.organization_id, p_actor, 'complete', 'EpisodeScheduleQueue', v_item.id,
                        to_jsonb(v_before), to_jsonb(v_item), p_now);
  return v_item;
end
$$;

-- Records a failed attempt on the Episode; the item goes back to pending after the backoff, or
-- becomes failed (with its episode) when p_token reached max_attempts. Stale tokens: EC409.
create function public.queue_fail(p_item_id uuid, p_token bigint, p_error_code text, p_message text,
                                  p_now timestamptz default now(), p_actor uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
  v_ep public.episodes;
  v_ep_before public.episodes;
  v_dead boolean;
begin
  select * into v_before from public.episode_schedule_queue q where q.id = p_item_id for update;
  if not found then
    raise exception 'not_found: no queue item %', p_item_id using errcode = 'P0002';
  end if;
  perform private.check_lease(v_before, p_token);
  v_dead := p_token >= v_before.max_attempts;
  v_ep_before := private.episode_for(v_before, p_now, p_actor);
  update public.episodes e set
         status = case when v_dead then 'failed'::public.episode_status else 'scheduled'::public.episode_status end,
         generation_errors = private.with_error(e.generation_errors, jsonb_build_object('at', private.iso(p_now),
           'code', p_error_code, 'message', private.truncate_bytes(p_message, 1000), 'attempt', p_token)),
         updated_at = p_now
   where e.id = v_ep_before.id returning * into v_ep;
  perform private.audit(v_ep.organization_id, p_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                        to_jsonb(v_ep), p_now);
  update public.episode_schedule_queue q set locked_by = null, locked_until = null, episode_id = v_ep.id,
         last_error = private.truncate_bytes(p_error_code || ': ' || p_message, 4000),
         status = case when v_dead then 'failed'::public.episode_schedule_queue_status
                       else 'pending'::public.episode_schedule_queue_status end,
         run_after = case when v_dead then q.run_after
                          else p_now + private.backoff_ms(q.id, p_token::integer) * interval '1 millisecond' end,
         updated_at = p_now
   where q.id = p_item_id returning * into v_item;
  perform private.audit(v_item.organization_id, p_actor, 'fail', 'EpisodeScheduleQueue', v_item.id,
                        to_jsonb(v_before), to_jsonb(v_item), p_now);
  perform private.close_reservations(v_item, 'released', p_now, p_actor);
  return v_item;
end
$$;

-- Extends a held lease to now + p_lease_seconds. Stale tokens: EC409.
create function public.queue_extend(p_item_id uuid, p_token bigint, p_lease_seconds integer default 300,
                                    p_now timestamptz default now(), p_actor uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
begin
  if p_lease_seconds is null or p_lease_seconds < 10 or p_lease_seconds > 86400 then
    raise exception 'invalid: p_lease_seconds must be 10..86400' using errcode = '22023';
  end if;
  select * into v_before from public.episode_schedule_queue q where q.id = p_item_id for update;
  if not found then
    raise exception 'not_found: no queue item %', p_item_id using errcode = 'P0002';
  end if;
  perform private.check_lease(v_before, p_token);
  update public.episode_schedule_queue q set locked_until = p_now + make_interval(secs => p_lease_seconds),
         updated_at = p_now
   where q.id = p_item_id returning * into v_item;
  perform private.audit(v_item.organization_id, p_actor, 'extend', 'EpisodeScheduleQueue', v_item.id,
                        to_jsonb(v_before), to_jsonb(v_item), p_now);
  return v_item;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- The daily budget (mirrors core/store/budget.cpp).
-- ---------------------------------------------------------------------------------------------
-- Holds p_estimate_micros of today's (UTC) budget until now + p_ttl_seconds. Atomic: the
-- organization row is locked (FOR NO KEY UPDATE, so foreign-key checks of other writes are not
-- blocked) before spent + open unexpired reservations + estimate is checked against the limit,
-- so concurrent reservations of one organization are serialized. Refused with EC402.
create function public.budget_reserve(p_organization_id uuid, p_estimate_micros bigint,
                                      p_queue_item_id uuid default null, p_ttl_seconds integer default 900,
                                      p_now timestamptz default now(), p_actor uuid default null)
  returns public.budget_reservations
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_limit bigint;
  v_date date := (p_now at time zone 'UTC')::date;
  v_spent bigint;
  v_reserved bigint;
  v_row public.budget_reservations;
begin
  if p_estimate_micros is null or p_estimate_micros < 0 or p_estimate_micros > 1000000000000 then
    raise exception 'invalid: p_estimate_micros must be 0..1000000000000' using errcode = '22023';
  end if;
  if p_ttl_seconds is null or p_ttl_seconds < 1 or p_ttl_seconds > 86400 then
    raise exception 'invalid: p_ttl_seconds must be 1..86400' using errcode = '22023';
  end if;
  select o.daily_cost_limit_micros into v_limit from public.organizations o where o.id = p_organization_id
    for no key update;
  if not found then
    raise exception 'not_found: no organization %', p_organization_id using errcode = 'P0002';
  end if;
  if p_queue_item_id is not null and not exists (
       select 1 from public.episode_schedule_queue q
        where q.id = p_queue_item_id and q.organization_id = p_organization_id) then
    raise exception 'not_found: no queue item %', p_queue_item_id using errcode = 'P0002';
  end if;
  select coalesce((select d.cost_micros from public.token_usage_daily d
                    where d.organization_id = p_organization_id and d.date = v_date), 0) into v_spent;
  select coalesce(sum(r.estimate_micros), 0) into v_reserved from public.budget_reservations r
   where r.organization_id = p_organization_id and r.date = v_date and r.status = 'open' and r.expires_at > p_now;
  if v_spent + v_reserved + p_estimate_micros > v_limit then
    raise exception 'budget_exceeded: reserving % would pass the % daily limit (spent %, reserved %)',
      private.gbp(p_estimate_micros), private.gbp(v_limit), private.gbp(v_spent), private.gbp(v_reserved)
      using errcode = 'EC402',
            detail = jsonb_build_object('spent', v_spent, 'reserved', v_reserved, 'limit', v_limit,
                                        'estimate', p_estimate_micros, 'date', v_date)::text;
  end if;
  insert into public.budget_reservations (id, organization_id, queue_item_id, estimate_micros, status, date,
                                          expires_at, created_at, updated_at)
  values (gen_random_uuid(), p_organization_id, p_queue_item_id, p_estimate_micros, 'open', v_date,
          p_now + make_interval(secs => p_ttl_seconds), p_now, p_now)
  returning * into v_row;
  perform private.audit(p_organization_id, p_actor, 'reserve', 'BudgetReservation', v_row.id, null, to_jsonb(v_row),
                        p_now);
  return v_row;
end
$$;

-- The budget of an organization for the UTC day of p_now, as budget.cpp status(). A signed-in
-- user always gets their own organization's (another id behaves as one that does not exist).
create function public.budget_status(p_organization_id uuid default null, p_now timestamptz default now())
  returns jsonb
  language plpgsql stable security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_org uuid := p_organization_id;
  v_limit bigint;
  v_date date := (p_now at time zone 'UTC')::date;
  v_daily public.token_usage_daily;
  v_reserved bigint;
  v_spent bigint;
begin
  if (select auth.uid()) is not null then
    v_org := private.current_organization_id();
    if v_org is null or (p_organization_id is not null and p_organization_id <> v_org) then
      raise exception 'not_found: no organization %', coalesce(p_organization_id, v_org) using errcode = 'P0002';
    end if;
  end if;
  select o.daily_cost_limit_micros into v_limit from public.organizations o where o.id = v_org;
  if not found then
    raise exception 'not_found: no organization %', v_org using errcode = 'P0002';
  end if;
  select * into v_daily from public.token_usage_daily d where d.organization_id = v_org and d.date = v_date;
  v_spent := coalesce(v_daily.cost_micros, 0);
  select coalesce(sum(r.estimate_micros), 0) into v_reserved from public.budget_reservations r
   where r.organization_id = v_org and r.date = v_date and r.status = 'open' and r.expires_at > p_now;
  return jsonb_build_object(
    'date', to_char(v_date, 'YYYY-MM-DD'), 'limitMicros', v_limit, 'spentMicros', v_spent,
    'reservedMicros', v_reserved, 'remainingMicros', greatest(0, v_limit - v_spent - v_reserved),
    'callCount', coalesce(v_daily.call_count, 0), 'inputTokens', coalesce(v_daily.input_tokens, 0),
    'outputTokens', coalesce(v_daily.output_tokens, 0), 'blocked', v_spent >= v_limit,
    'reason', case when v_spent >= v_limit
                   then case when v_date = (now() at time zone 'UTC')::date then 'Today''s spend '
                             else 'The spend of ' || to_char(v_date, 'YYYY-MM-DD') || ' ' end
                        || private.gbp(v_spent) || ' reached the ' || private.gbp(v_limit) || ' daily limit'
              end);
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Function privileges: nothing is executable by default; the policies' helpers by signed-in
-- users; the queue and budget functions by the service role (workers) only.
-- ---------------------------------------------------------------------------------------------
revoke all on all functions in schema private from public;
grant usage on schema private to authenticated, service_role;
grant execute on function private.current_organization_id(), private.current_user_role(), private.is_org_admin()
  to authenticated, service_role;
revoke all on function public.queue_claim(text, integer, integer, uuid, timestamptz, uuid),
  public.queue_complete(uuid, bigint, jsonb, timestamptz, uuid),
  public.queue_fail(uuid, bigint, text, text, timestamptz, uuid),
  public.queue_extend(uuid, bigint, integer, timestamptz, uuid),
  public.budget_reserve(uuid, bigint, uuid, integer, timestamptz, uuid),
  public.budget_status(uuid, timestamptz) from public, anon, authenticated;
grant execute on function public.queue_claim(text, integer, integer, uuid, timestamptz, uuid),
  public.queue_complete(uuid, bigint, jsonb, timestamptz, uuid),
  public.queue_fail(uuid, bigint, text, text, timestamptz, uuid),
  public.queue_extend(uuid, bigint, integer, timestamptz, uuid),
  public.budget_reserve(uuid, bigint, uuid, integer, timestamptz, uuid),
  public.budget_status(uuid, timestamptz) to service_role;
grant execute on function public.budget_status(uuid, timestamptz) to authenticated;

-- ---------------------------------------------------------------------------------------------
-- Row Level Security on every table: a signed-in user sees and changes only rows of their own
-- organization (policies compare organization_id, the leading column of each table's unique
-- (organization_id, id) index, with the membership helper evaluated once per statement).
-- ---------------------------------------------------------------------------------------------
grant usage on schema public to anon, authenticated, service_role;

alter table public.organizations enable row level security;
revoke all on table public.organizations from public, anon, authenticated;
grant all on table public.organizations to service_role;
create policy organizations_select on public.organizations for select to authenticated
  using (id = (select private.current_organization_id()));
create policy organizations_update on public.organizations for update to authenticated
  using (id = (select private.current_organization_id()) and (select private.is_org_admin()))
  with check (id = (select private.current_organization_id()) and (select private.is_org_admin()));
grant select, update on table public.organizations to authenticated;

alter table public.users enable row level security;
revoke all on table public.users from public, anon, authenticated;
grant all on table public.users to service_role;
create policy users_select on public.users for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy users_insert on public.users for insert to authenticated
  with check (organization_id = (select private.current_organization_id()) and (select private.is_org_admin()));
create policy users_update on public.users for update to authenticated
  using (organization_id = (select private.current_organization_id()) and (id = (select auth.uid()) or (select private.is_org_admin())))
  with check (organization_id = (select private.current_organization_id()) and ((select private.is_org_admin()) or role = (select private.current_user_role())));
create policy users_delete on public.users for delete to authenticated
  using (organization_id = (select private.current_organization_id()) and (select private.is_org_admin()));
grant select, insert, update, delete on table public.users to authenticated;

alter table public.projects enable row level security;
revoke all on table public.projects from public, anon, authenticated;
grant all on table public.projects to service_role;
create policy projects_select on public.projects for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy projects_insert on public.projects for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy projects_update on public.projects for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy projects_delete on public.projects for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.projects to authenticated;

alter table public.episodes enable row level security;
revoke all on table public.episodes from public, anon, authenticated;
grant all on table public.episodes to service_role;
create policy episodes_select on public.episodes for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy episodes_insert on public.episodes for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy episodes_update on public.episodes for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy episodes_delete on public.episodes for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.episodes to authenticated;

alter table public.episode_schedule_queue enable row level security;
revoke all on table public.episode_schedule_queue from public, anon, authenticated;
grant all on table public.episode_schedule_queue to service_role;
create policy episode_schedule_queue_select on public.episode_schedule_queue for select to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select on table public.episode_schedule_queue to authenticated;

alter table public.chat_sessions enable row level security;
revoke all on table public.chat_sessions from public, anon, authenticated;
grant all on table public.chat_sessions to service_role;
create policy chat_sessions_select on public.chat_sessions for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy chat_sessions_insert on public.chat_sessions for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy chat_sessions_update on public.chat_sessions for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy chat_sessions_delete on public.chat_sessions for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.chat_sessions to authenticated;

alter table public.chat_messages enable row level security;
revoke all on table public.chat_messages from public, anon, authenticated;
grant all on table public.chat_messages to service_role;
create policy chat_messages_select on public.chat_messages for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy chat_messages_insert on public.chat_messages for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy chat_messages_delete on public.chat_messages for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, delete on table public.chat_messages to authenticated;

alter table public.token_usage enable row level security;
revoke all on table public.token_usage from public, anon, authenticated;
grant all on table public.token_usage to service_role;
create policy token_usage_select on public.token_usage for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy token_usage_insert on public.token_usage for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy token_usage_update on public.token_usage for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy token_usage_delete on public.token_usage for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.token_usage to authenticated;

alter table public.token_usage_daily enable row level security;
revoke all on table public.token_usage_daily from public, anon, authenticated;
grant all on table public.token_usage_daily to service_role;
create policy token_usage_daily_select on public.token_usage_daily for select to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select on table public.token_usage_daily to authenticated;

alter table public.budget_reservations enable row level security;
revoke all on table public.budget_reservations from public, anon, authenticated;
grant all on table public.budget_reservations to service_role;
create policy budget_reservations_select on public.budget_reservations for select to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select on table public.budget_reservations to authenticated;

alter table public.planning_notes enable row level security;
revoke all on table public.planning_notes from public, anon, authenticated;
grant all on table public.planning_notes to service_role;
create policy planning_notes_select on public.planning_notes for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy planning_notes_insert on public.planning_notes for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy planning_notes_update on public.planning_notes for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy planning_notes_delete on public.planning_notes for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.planning_notes to authenticated;

alter table public.agent_memories enable row level security;
revoke all on table public.agent_memories from public, anon, authenticated;
grant all on table public.agent_memories to service_role;
create policy agent_memories_select on public.agent_memories for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy agent_memories_insert on public.agent_memories for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy agent_memories_update on public.agent_memories for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy agent_memories_delete on public.agent_memories for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.agent_memories to authenticated;

alter table public.user_events enable row level security;
revoke all on table public.user_events from public, anon, authenticated;
grant all on table public.user_events to service_role;
create policy user_events_select on public.user_events for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy user_events_insert on public.user_events for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy user_events_delete on public.user_events for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, delete on table public.user_events to authenticated;

alter table public.audit_log enable row level security;
revoke all on table public.audit_log from public, anon, authenticated;
grant all on table public.audit_log to service_role;
create policy audit_log_select on public.audit_log for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy audit_log_insert on public.audit_log for insert to authenticated
  with check (organization_id = (select private.current_organization_id()) and actor_id = (select auth.uid()));
grant select, insert on table public.audit_log to authenticated;

alter table public.blocks enable row level security;
revoke all on table public.blocks from public, anon, authenticated;
grant all on table public.blocks to service_role;
create policy blocks_select on public.blocks for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy blocks_insert on public.blocks for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy blocks_update on public.blocks for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy blocks_delete on public.blocks for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.blocks to authenticated;

alter table public.highlights enable row level security;
revoke all on table public.highlights from public, anon, authenticated;
grant all on table public.highlights to service_role;
create policy highlights_select on public.highlights for select to authenticated
  using (organization_id = (select private.current_organization_id()));
create policy highlights_insert on public.highlights for insert to authenticated
  with check (organization_id = (select private.current_organization_id()));
create policy highlights_update on public.highlights for update to authenticated
  using (organization_id = (select private.current_organization_id()))
  with check (organization_id = (select private.current_organization_id()));
create policy highlights_delete on public.highlights for delete to authenticated
  using (organization_id = (select private.current_organization_id()));
grant select, insert, update, delete on table public.highlights to authenticated;

insert into private.schema_info (version, generator) values (2, 'episodes-core schema --dialect postgres');
commit;
