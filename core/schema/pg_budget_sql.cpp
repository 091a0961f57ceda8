// The budget functions of the PostgreSQL migration (reserve, settle, release, usage_record,
// status) and the function privileges, mirroring core/store/budget.cpp rule for rule. A template:
// pg_queue_sql.cpp expands its markers (@param, @usage) together with the queue functions.
#include "core/schema/pg_functions_sql.hpp"

namespace ec::schema {

const char* const kBudgetSqlTemplate =
    R"SQL(-- ---------------------------------------------------------------------------------------------
-- Holds p_estimate_micros of today's (UTC) budget until now + p_ttl_seconds, or the lease of the
-- processing queue item it is for, if later. A grant (private.budget_admit): concurrent
-- reservations of one organization are serialized on its row. Refused with EC402.
create function public.budget_reserve(p_organization_id uuid, p_estimate_micros bigint,
                                      p_queue_item_id uuid default null, p_ttl_seconds integer default @const:defaultReservationTtlSeconds@,
                                      p_now timestamptz default now(), p_actor uuid default null)
  returns public.budget_reservations
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_date date := (p_now at time zone 'UTC')::date;
  v_item public.episode_schedule_queue;
  v_expires timestamptz := least(p_now + make_interval(secs => p_ttl_seconds), private.max_instant());
  v_row public.budget_reservations;
begin
  @param(budget.reserve,estimateMicros,p_estimate_micros)
  @param(budget.reserve,ttlSeconds,p_ttl_seconds)
  if not exists (select 1 from public.organizations o where o.id = p_organization_id) then
    raise exception 'not_found: no organization %', p_organization_id using errcode = '@sqlstate:not_found@';
  end if;
  if p_queue_item_id is not null then
    -- Shared lock: a concurrent queue_extend of the item waits, so the lease read is current.
    -- Lock order everywhere: queue item, organization, reservations.
    select * into v_item from public.episode_schedule_queue q
     where q.id = p_queue_item_id and q.organization_id = p_organization_id for share;
    if not found then
      raise exception 'not_found: no queue item %', p_queue_item_id using errcode = '@sqlstate:not_found@';
    end if;
    if v_item.status = '@state:QueueStatus.processing@' and v_item.locked_until > v_expires then
      v_expires := v_item.locked_until;
    end if;
  end if;
  perform private.budget_admit(p_organization_id, v_date, p_estimate_micros, p_now, p_actor);
  insert into public.budget_reservations (id, organization_id, queue_item_id, estimate_micros, status, date,
                                          expires_at, created_at, updated_at)
  values (gen_random_uuid(), p_organization_id, p_queue_item_id, p_estimate_micros, '@state:ReservationStatus.open@', v_date,
          v_expires, p_now, p_now)
  returning * into v_row;
  perform private.audit(p_organization_id, p_actor, 'reserve', 'BudgetReservation', v_row.id, null, to_jsonb(v_row),
                        p_now);
  return v_row;
end
$$;

-- Records the actual usage of a reserved generation and settles the reservation (budget.cpp
-- settle): refused with EC410 (conflict) unless it is open, with EC402 above its estimate. The
-- project (and episode) come from its queue item, else from p_usage.projectId / episodeId.
-- Returns {reservation, usage} (rows as stored).
create function public.budget_settle(p_reservation_id uuid, p_usage jsonb, p_now timestamptz default now(),
                                     p_actor uuid default null, p_organization_id uuid default null)
  returns jsonb
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_r public.budget_reservations;
  v_after public.budget_reservations;
  v_item public.episode_schedule_queue;
  v_project uuid := (p_usage ->> 'projectId')::uuid;
  v_episode uuid := (p_usage ->> 'episodeId')::uuid;
  v_usage public.token_usage;
begin
  select * into v_r from public.budget_reservations r
   where r.id = p_reservation_id and (p_organization_id is null or r.organization_id = p_organization_id) for update;
  if not found then
    raise exception 'not_found: no reservation %', p_reservation_id using errcode = '@sqlstate:not_found@';
  end if;
  if v_r.status <> '@state:ReservationStatus.open@' then
    raise exception 'conflict: the reservation is already %', v_r.status using errcode = '@sqlstate:conflict@';
  end if;
  if v_r.queue_item_id is not null then
    select * into v_item from public.episode_schedule_queue q
     where q.id = v_r.queue_item_id and q.organization_id = v_r.organization_id;
    if v_project is not null and v_project <> v_item.project_id then
      raise exception 'invalid: usage belongs to another project' using errcode = '@sqlstate:invalid@';
    end if;
    v_project := v_item.project_id;
    v_episode := coalesce(v_episode, v_item.episode_id);
  end if;
  v_usage := private.record_usage(v_r.organization_id, v_project, v_episode, p_usage, p_now, p_actor,
                                  v_r.date, v_r.estimate_micros);
  update public.budget_reservations set status = '@state:ReservationStatus.settled@', updated_at = p_now where id = v_r.id
    returning * into v_after;
  perform private.audit(v_after.organization_id, p_actor, 'settle', 'BudgetReservation', v_after.id, to_jsonb(v_r),
                        to_jsonb(v_after), p_now);
  return jsonb_build_object('reservation', to_jsonb(v_after), 'usage', to_jsonb(v_usage));
end
$$;

-- Gives back an open reservation (budget.cpp release); EC410 (conflict) unless it is open.
create function public.budget_release(p_reservation_id uuid, p_now timestamptz default now(),
                                      p_actor uuid default null, p_organization_id uuid default null)
  returns public.budget_reservations
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_r public.budget_reservations;
  v_after public.budget_reservations;
begin
  select * into v_r from public.budget_reservations r
   where r.id = p_reservation_id and (p_organization_id is null or r.organization_id = p_organization_id) for update;
  if not found then
    raise exception 'not_found: no reservation %', p_reservation_id using errcode = '@sqlstate:not_found@';
  end if;
  if v_r.status <> '@state:ReservationStatus.open@' then
    raise exception 'conflict: the reservation is already %', v_r.status using errcode = '@sqlstate:conflict@';
  end if;
  update public.budget_reservations set status = '@state:ReservationStatus.released@', updated_at = p_now where id = v_r.id
    returning * into v_after;
  perform private.audit(v_after.organization_id, p_actor, 'release', 'BudgetReservation', v_after.id, to_jsonb(v_r),
                        to_jsonb(v_after), p_now);
  return v_after;
end
$$;

-- Records one LLM call not covered by a reservation (as queue.complete without one): a grant of
-- its cost on the UTC day of occurredAt (default p_now); refused with EC402 past the limit.
create function public.usage_record(p_organization_id uuid, p_usage jsonb, p_now timestamptz default now(),
                                    p_actor uuid default null)
  returns public.token_usage
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
begin
  return private.record_usage(p_organization_id, (p_usage ->> 'projectId')::uuid, (p_usage ->> 'episodeId')::uuid,
                              p_usage, p_now, p_actor);
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
      raise exception 'not_found: no organization %', coalesce(p_organization_id, v_org) using errcode = '@sqlstate:not_found@';
    end if;
  end if;
  select o.daily_cost_limit_micros into v_limit from public.organizations o where o.id = v_org;
  if not found then
    raise exception 'not_found: no organization %', v_org using errcode = '@sqlstate:not_found@';
  end if;
  select * into v_daily from public.token_usage_daily d where d.organization_id = v_org and d.date = v_date;
  v_spent := coalesce(v_daily.cost_micros, 0);
  select coalesce(sum(r.estimate_micros), 0) into v_reserved from public.budget_reservations r
   where r.organization_id = v_org and r.date = v_date and r.status = '@state:ReservationStatus.open@' and r.expires_at > p_now;
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
-- users; the queue and budget functions by the service role (workers) only; queue_retry and
-- queue_cancel by admins and owners too (checked inside).
-- ---------------------------------------------------------------------------------------------
revoke all on all functions in schema private from public;
grant usage on schema private to authenticated, service_role;
grant execute on function private.current_organization_id(), private.current_user_role(), private.is_org_admin(),
  private.lock_organization(uuid)
  to authenticated, service_role;
-- Every PostgREST request to this database runs private.check_request() first (Supabase's API
-- role is authenticator; a database without that role, such as a plain PostgreSQL, is left as
-- it is).
grant execute on function private.check_request() to authenticated, service_role, anon;
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'authenticator') then
    execute format('alter role authenticator in database %I set pgrst.db_pre_request = %L',
                   current_database(), 'private.check_request');
  end if;
end
$$;
revoke all on function public.queue_claim(text, integer, integer, uuid, timestamptz, uuid),
  public.queue_complete(uuid, bigint, jsonb, timestamptz, uuid, uuid),
  public.queue_fail(uuid, bigint, text, text, timestamptz, uuid, uuid),
  public.queue_extend(uuid, bigint, integer, timestamptz, uuid, uuid),
  public.budget_reserve(uuid, bigint, uuid, integer, timestamptz, uuid),
  public.budget_settle(uuid, jsonb, timestamptz, uuid, uuid),
  public.budget_release(uuid, timestamptz, uuid, uuid),
  public.usage_record(uuid, jsonb, timestamptz, uuid),
  public.queue_retry(uuid, integer, timestamptz, uuid, uuid),
  public.queue_cancel(uuid, timestamptz, uuid, uuid),
  public.budget_status(uuid, timestamptz) from public, anon, authenticated;
grant execute on function public.queue_claim(text, integer, integer, uuid, timestamptz, uuid),
  public.queue_complete(uuid, bigint, jsonb, timestamptz, uuid, uuid),
  public.queue_fail(uuid, bigint, text, text, timestamptz, uuid, uuid),
  public.queue_extend(uuid, bigint, integer, timestamptz, uuid, uuid),
  public.budget_reserve(uuid, bigint, uuid, integer, timestamptz, uuid),
  public.budget_settle(uuid, jsonb, timestamptz, uuid, uuid),
  public.budget_release(uuid, timestamptz, uuid, uuid),
  public.usage_record(uuid, jsonb, timestamptz, uuid),
  public.budget_status(uuid, timestamptz) to service_role;
grant execute on function public.queue_retry(uuid, integer, timestamptz, uuid, uuid),
  public.queue_cancel(uuid, timestamptz, uuid, uuid) to service_role, authenticated;
grant execute on function public.budget_status(uuid, timestamptz) to authenticated;
)SQL";

}  // namespace ec::schema
