// The queue and budget functions of the PostgreSQL migration, mirroring core/store (queue.cpp,
// budget.cpp) rule for rule, and the function privileges. Emitted after the triggers.
#include "core/schema/pg_functions_sql.hpp"

namespace ec::schema {

const char* pg_queue_budget_sql() {
  return R"SQL(-- ---------------------------------------------------------------------------------------------
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
  v_state text;
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
      -- One item's failure (whatever its rows contain) fails that item alone: its changes roll
      -- back to the block's savepoint and every other item, of every tenant, is still claimed.
      begin
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
             generation_attempts = least(e.generation_attempts + 1, 1000),
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
      exception when others then
        get stacked diagnostics v_msg = message_text, v_state = returned_sqlstate;
        if v_state in ('40001', '40P01', '55P03', '57014') then
          raise;
        end if;
        update public.episode_schedule_queue q set status = 'failed', locked_by = null, locked_until = null,
               last_error = 'claim_failed: ' || case when v_state = '23514' then 'conflict: a value of the item''s episode is outside its declared bounds'
                                                     when v_msg ~ '^[a-z_]+: ' then v_msg
                                                     else 'internal: SQLSTATE ' || v_state end,
               updated_at = p_now
         where q.id = v_id returning * into v_item;
        perform private.audit(v_item.organization_id, p_actor, 'fail', 'EpisodeScheduleQueue', v_item.id,
                              to_jsonb(v_before), to_jsonb(v_item), p_now);
        perform private.close_reservations(v_item, 'released', p_now, p_actor);
      end;
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
)SQL";
}

}  // namespace ec::schema
