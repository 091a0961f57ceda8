// The queue functions of the PostgreSQL migration (the budget ones are in pg_budget_sql.cpp),
// mirroring core/store (queue.cpp, budget.cpp) rule for rule. Emitted after the triggers. The
// markers in the SQL are expanded by expand_pg_template (pg_template.cpp).
#include <string>

#include "core/schema/pg_functions_sql.hpp"

namespace ec::schema {

namespace {

const char* kQueueBudgetSql =
    R"SQL(-- ---------------------------------------------------------------------------------------------
-- The schedule queue (mirrors core/store/queue.cpp). Callable by the service role only: workers
-- are trusted back-end processes. Errors carry SQLSTATE EC409 (stale_lease), EC402
-- (budget_exceeded), EC410 (conflict), P0002 (not_found), 22023 (invalid parameter); the message
-- starts with the core's error code.
-- ---------------------------------------------------------------------------------------------
create function private.check_lease(p_item public.episode_schedule_queue, p_token bigint) returns void
  language plpgsql stable set search_path = '' as $$
begin
  if p_item.status <> '@state:QueueStatus.processing@' then
    raise exception 'stale_lease: the item is %, not processing: this lease is no longer held', p_item.status
      using errcode = '@sqlstate:stale_lease@';
  end if;
  if p_token is distinct from p_item.attempts then
    raise exception 'stale_lease: token % is stale: the item was claimed again (token %)', p_token, p_item.attempts
      using errcode = '@sqlstate:stale_lease@';
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
          '@state:EpisodeStatus.scheduled@', p_item.scheduled_for, p_now, p_now)
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
     where r.organization_id = p_item.organization_id and r.queue_item_id = p_item.id and r.status = '@state:ReservationStatus.open@'
     order by r.id for update
  loop
    update public.budget_reservations set status = p_status, updated_at = p_now where id = v_before.id
      returning * into v_after;
    perform private.audit(v_after.organization_id, p_actor, case when p_status = '@state:ReservationStatus.settled@' then 'settle' else 'release' end,
                          'BudgetReservation', v_after.id, to_jsonb(v_before), to_jsonb(v_after), p_now);
    n := n + 1;
  end loop;
  return n;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- The cap invariant (core/store/budget.hpp, docs/INVARIANTS.md): for every organization and UTC
-- day D, settled spend attributed to D never exceeds the limit of D's last grant while every
-- settled cost is within its reservation. A grant (a reservation, or usage recorded without one)
-- releases the open reservations of D expired at p_now (audit action "expire") and then admits
-- the amount only if spent(D) + open reservations of D + amount <= limit; so a reservation still
-- open was counted by every grant of its day and can always be settled. A reservation of a queue
-- item expires no earlier than the item's lease. A settle is refused above its estimate and its
-- occurred_at is clamped into the reservation's UTC day.
-- ---------------------------------------------------------------------------------------------
-- A grant of p_amount against (p_org, p_date) at p_now (budget.cpp admit). Locks the organization
-- row (FOR NO KEY UPDATE) so grants of one organization are serialized; spent and reserved are
-- read in one statement (one snapshot), after the expired reservations were released.
create function private.budget_admit(p_org uuid, p_date date, p_amount bigint, p_now timestamptz, p_actor uuid,
                                     p_verb text default 'reserving', p_amount_key text default 'estimate')
  returns void
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_limit bigint;
  v_spent bigint;
  v_reserved bigint;
  v_before public.budget_reservations;
  v_after public.budget_reservations;
begin
  select o.daily_cost_limit_micros into v_limit from public.organizations o where o.id = p_org for no key update;
  if not found then
    raise exception 'not_found: no organization %', p_org using errcode = '@sqlstate:not_found@';
  end if;
  for v_before in
    select * from public.budget_reservations r
     where r.organization_id = p_org and r.date = p_date and r.status = '@state:ReservationStatus.open@' and r.expires_at <= p_now
     order by r.id for update
  loop
    update public.budget_reservations set status = '@state:ReservationStatus.released@', updated_at = p_now where id = v_before.id
      returning * into v_after;
    perform private.audit(p_org, p_actor, 'expire', 'BudgetReservation', v_after.id, to_jsonb(v_before),
                          to_jsonb(v_after), p_now);
  end loop;
  select coalesce((select d.cost_micros from public.token_usage_daily d
                    where d.organization_id = p_org and d.date = p_date), 0),
         coalesce((select sum(r.estimate_micros) from public.budget_reservations r
                    where r.organization_id = p_org and r.date = p_date and r.status = '@state:ReservationStatus.open@'
                      and r.expires_at > p_now), 0)
    into v_spent, v_reserved;
  if v_spent + v_reserved + p_amount > v_limit then
    raise exception 'budget_exceeded: % % would pass the % daily limit (spent %, reserved %)',
      p_verb, private.gbp(p_amount), private.gbp(v_limit), private.gbp(v_spent), private.gbp(v_reserved)
      using errcode = '@sqlstate:budget_exceeded@',
            detail = jsonb_build_object('spent', v_spent, 'reserved', v_reserved, 'limit', v_limit,
                                        p_amount_key, p_amount, 'date', p_date)::text;
  end if;
end
$$;

-- Records one LLM call (budget.cpp record_usage). With p_cover_date: refused (EC402, detail
-- {estimateMicros}) above p_cover_estimate, and occurred_at clamped into that UTC day; without:
-- a grant of the cost on the day of occurred_at (default p_now).
create function private.record_usage(p_org uuid, p_project_id uuid, p_episode_id uuid, p_usage jsonb,
                                     p_now timestamptz, p_actor uuid, p_cover_date date default null,
                                     p_cover_estimate bigint default null)
  returns public.token_usage
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_usage public.token_usage;
  v_cost bigint;
  v_at timestamptz;
begin
  -- The usage's numbers first (as the core validates the row before the budget rules).
  if p_usage is null or jsonb_typeof(p_usage) <> 'object' then
    raise exception 'invalid: usage must be an object' using errcode = '@sqlstate:invalid@';
  end if;
  @usage(p_usage)
  v_cost := (p_usage ->> 'costMicros')::bigint;
  v_at := coalesce(private.parse_instant_text(p_usage ->> 'occurredAt'), p_now);
  if p_cover_date is not null then
    if v_cost > p_cover_estimate then
      raise exception 'budget_exceeded: the cost % is above the % reserved for it',
        private.gbp(v_cost), private.gbp(p_cover_estimate)
        using errcode = '@sqlstate:budget_exceeded@', detail = jsonb_build_object('estimateMicros', p_cover_estimate)::text;
    end if;
    v_at := greatest(p_cover_date::timestamp at time zone 'UTC',
                     least(v_at, (p_cover_date + 1)::timestamp at time zone 'UTC' - interval '1 millisecond'));
  elsif v_cost is not null then
    perform private.budget_admit(p_org, (v_at at time zone 'UTC')::date, v_cost, p_now, p_actor, 'recording', 'cost');
  end if;
  insert into public.token_usage (id, organization_id, project_id, episode_id, model, input_tokens, output_tokens,
                                  cost_micros, occurred_at, created_at, updated_at)
  values (gen_random_uuid(), p_org, p_project_id, p_episode_id, p_usage ->> 'model',
          (p_usage ->> 'inputTokens')::bigint, (p_usage ->> 'outputTokens')::bigint, v_cost, v_at, p_now, p_now)
  returning * into v_usage;
  perform private.audit(v_usage.organization_id, p_actor, 'create', 'TokenUsage', v_usage.id, null,
                        to_jsonb(v_usage), p_now);
  return v_usage;
end
$$;

-- Takes up to p_limit due items (pending with run_after <= now, or processing with an expired
-- lease and attempts left), oldest slot first, of one organization or of all (null); skips
-- inactive or deleted projects and organizations whose spend today (UTC) reached the daily
-- limit. Each claimed item: processing, locked_by, locked_until = now + lease, attempts + 1 (the
-- fencing token), its Episode generating. Rows are taken FOR UPDATE SKIP LOCKED, so concurrent
-- workers never wait for each other and never get the same item. Items whose lease expired on
-- the last attempt are failed first.
create function public.queue_claim(p_worker text, p_limit integer default 1, p_lease_seconds integer default @const:defaultLeaseSeconds@,
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
  @param(queue.claim,workerId,p_worker)
  @param(queue.claim,limit,p_limit)
  @param(queue.claim,leaseSeconds,p_lease_seconds)

  -- An expired lease on the last allowed attempt: the item is dead, not claimable again.
  for v_before in
    select * from public.episode_schedule_queue q
     where (p_organization_id is null or q.organization_id = p_organization_id)
       and q.status = '@state:QueueStatus.processing@' and q.locked_until < p_now and q.attempts >= q.max_attempts
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
        update public.episodes e set status = '@state:EpisodeStatus.failed@',
               generation_errors = private.with_error(e.generation_errors,
                 jsonb_build_object('at', v_ts, 'code', '@const:leaseExpired@', 'message', v_msg, 'attempt', v_before.attempts)),
               updated_at = p_now
         where e.id = v_ep_before.id returning * into v_ep;
        perform private.audit(v_ep.organization_id, p_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                              to_jsonb(v_ep), p_now);
      end if;
    end if;
    update public.episode_schedule_queue q set status = '@state:QueueStatus.failed@', locked_by = null, locked_until = null,
           last_error = '@const:leaseExpired@: ' || v_msg, updated_at = p_now
     where q.id = v_before.id returning * into v_item;
    perform private.audit(v_item.organization_id, p_actor, 'fail', 'EpisodeScheduleQueue', v_item.id,
                          to_jsonb(v_before), to_jsonb(v_item), p_now);
    perform private.close_reservations(v_item, '@state:ReservationStatus.released@', p_now, p_actor);
  end loop;

  while v_taken < p_limit loop
    v_ids := array(
      select q.id from public.episode_schedule_queue q
        join public.projects p on p.id = q.project_id and p.organization_id = q.organization_id
        join public.organizations o on o.id = q.organization_id
       where (p_organization_id is null or q.organization_id = p_organization_id)
         and ((q.status = '@state:QueueStatus.pending@' and q.run_after <= p_now)
              or (q.status = '@state:QueueStatus.processing@' and q.locked_until < p_now and q.attempts < q.max_attempts))
         and p.status = '@state:ProjectStatus.active@' and p.deleted_at is null
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
      if v_before.status = '@state:QueueStatus.processing@' and v_ep.status not in ('@state:EpisodeStatus.ready@', '@state:EpisodeStatus.published@') then
        -- The expired attempt's reservations go with its lease.
        perform private.close_reservations(v_before, '@state:ReservationStatus.released@', p_now, p_actor);
      end if;
      if v_ep.status in ('@state:EpisodeStatus.ready@', '@state:EpisodeStatus.published@') then
        -- The slot's episode already exists: nothing to generate.
        update public.episode_schedule_queue q set status = '@state:QueueStatus.completed@', episode_id = v_ep.id, completed_at = p_now,
               locked_by = null, locked_until = null, updated_at = p_now
         where q.id = v_id returning * into v_item;
        perform private.audit(v_item.organization_id, p_actor, 'complete', 'EpisodeScheduleQueue', v_item.id,
                              to_jsonb(v_before), to_jsonb(v_item), p_now);
        continue;
      end if;
      v_ep_before := v_ep;
      update public.episodes e set status = '@state:EpisodeStatus.generating@', scheduled_for = v_before.scheduled_for,
             generation_attempts = least(e.generation_attempts + 1, 1000),
             generation_errors = case when v_before.status = '@state:QueueStatus.processing@'
               then private.with_error(e.generation_errors, jsonb_build_object('at', v_ts, 'code', '@const:leaseExpired@',
                      'message', 'the lease of ' || v_before.locked_by || ' expired at ' || private.iso(v_before.locked_until),
                      'attempt', v_before.attempts))
               else e.generation_errors end,
             updated_at = p_now
       where e.id = v_ep.id returning * into v_ep;
      perform private.audit(v_ep.organization_id, p_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                            to_jsonb(v_ep), p_now);
      update public.episode_schedule_queue q set status = '@state:QueueStatus.processing@', locked_by = p_worker,
             locked_until = least(p_now + make_interval(secs => p_lease_seconds), private.max_instant()), attempts = q.attempts + 1,
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
        update public.episode_schedule_queue q set status = '@state:QueueStatus.failed@', locked_by = null, locked_until = null,
               last_error = '@const:claimFailed@: ' || case when v_state = '23514' then 'conflict: a value of the item''s episode is outside its declared bounds'
                                                     when v_msg ~ '^[a-z_]+: ' then v_msg
                                                     else 'internal: SQLSTATE ' || v_state end,
               updated_at = p_now
         where q.id = v_id returning * into v_item;
        perform private.audit(v_item.organization_id, p_actor, 'fail', 'EpisodeScheduleQueue', v_item.id,
                              to_jsonb(v_before), to_jsonb(v_item), p_now);
        perform private.close_reservations(v_item, '@state:ReservationStatus.released@', p_now, p_actor);
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
                                      p_now timestamptz default now(), p_actor uuid default null,
                                      p_organization_id uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
  v_ep public.episodes;
  v_ep_before public.episodes;
  v_usage public.token_usage;
  v_r public.budget_reservations;
  v_r_after public.budget_reservations;
  v_date date;
  v_estimate bigint;
  v_usage_episode uuid;
  v_usage_project uuid;
begin
  @param(queue.complete,token,p_token)
  select * into v_before from public.episode_schedule_queue q
   where q.id = p_item_id and (p_organization_id is null or q.organization_id = p_organization_id) for update;
  if not found then
    raise exception 'not_found: no queue item %', p_item_id using errcode = '@sqlstate:not_found@';
  end if;
  perform private.check_lease(v_before, p_token);
  v_ep_before := private.episode_for(v_before, p_now, p_actor);
  update public.episodes e set status = '@state:EpisodeStatus.ready@', generated_at = p_now, updated_at = p_now
   where e.id = v_ep_before.id returning * into v_ep;
  perform private.audit(v_ep.organization_id, p_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                        to_jsonb(v_ep), p_now);
  if p_usage is not null and jsonb_typeof(p_usage) <> 'null' then
    -- The usage is the item's project's; an episode it names must be one of that project
    -- (budget.cpp record_usage: the item's project and episode are defaults, not overrides).
    if jsonb_typeof(p_usage) = 'object' then
      -- its ids in the core's text form before they are looked up (as the core validates them)
  @usageforms(p_usage)
      if p_usage ? 'projectId' and (p_usage ->> 'projectId') is distinct from v_before.project_id::text then
        raise exception 'invalid: usage belongs to another project' using errcode = '@sqlstate:invalid@';
      end if;
      if jsonb_typeof(p_usage -> 'episodeId') = 'string' then
        v_usage_episode := (p_usage ->> 'episodeId')::uuid;
        select e.project_id into v_usage_project from public.episodes e
         where e.id = v_usage_episode and e.organization_id = v_before.organization_id;
        if not found then
          raise exception 'not_found: no episode %', v_usage_episode using errcode = '@sqlstate:not_found@';
        end if;
        if v_usage_project <> v_before.project_id then
          raise exception 'invalid: episodeId belongs to another project' using errcode = '@sqlstate:invalid@';
        end if;
      end if;
    end if;
    -- Covered by the item's open reservations of their latest day (settled; others released),
    -- else a grant (budget.cpp settle_for_item).
    perform 1 from public.budget_reservations r
     where r.organization_id = v_before.organization_id and r.queue_item_id = v_before.id and r.status = '@state:ReservationStatus.open@'
     order by r.id for update;
    select max(r.date) into v_date from public.budget_reservations r
     where r.organization_id = v_before.organization_id and r.queue_item_id = v_before.id and r.status = '@state:ReservationStatus.open@';
    select coalesce(sum(r.estimate_micros), 0) into v_estimate from public.budget_reservations r
     where r.organization_id = v_before.organization_id and r.queue_item_id = v_before.id and r.status = '@state:ReservationStatus.open@'
       and r.date = v_date;
    v_usage := private.record_usage(v_before.organization_id, v_before.project_id, coalesce(v_usage_episode, v_ep.id),
                                    p_usage, p_now, p_actor, v_date, v_estimate);
    for v_r in
      select * from public.budget_reservations r
       where r.organization_id = v_before.organization_id and r.queue_item_id = v_before.id and r.status = '@state:ReservationStatus.open@'
       order by r.id
    loop
      update public.budget_reservations set status = case when v_r.date = v_date then '@state:ReservationStatus.settled@'::public.budget_reservation_status
                                                          else '@state:ReservationStatus.released@'::public.budget_reservation_status end,
             updated_at = p_now
       where id = v_r.id returning * into v_r_after;
      perform private.audit(v_r_after.organization_id, p_actor, case when v_r.date = v_date then 'settle' else 'release' end,
                            'BudgetReservation', v_r_after.id, to_jsonb(v_r), to_jsonb(v_r_after), p_now);
    end loop;
  else
    perform private.close_reservations(v_before, '@state:ReservationStatus.released@', p_now, p_actor);
  end if;
  update public.episode_schedule_queue q set status = '@state:QueueStatus.completed@', completed_at = p_now, episode_id = v_ep.id,
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
                                  p_now timestamptz default now(), p_actor uuid default null,
                                  p_organization_id uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
  v_ep public.episodes;
  v_ep_before public.episodes;
  v_dead boolean;
begin
  @param(queue.fail,token,p_token)
  @param(queue.fail,code,p_error_code)
  @param(queue.fail,message,p_message)
  select * into v_before from public.episode_schedule_queue q
   where q.id = p_item_id and (p_organization_id is null or q.organization_id = p_organization_id) for update;
  if not found then
    raise exception 'not_found: no queue item %', p_item_id using errcode = '@sqlstate:not_found@';
  end if;
  perform private.check_lease(v_before, p_token);
  v_dead := p_token >= v_before.max_attempts;
  v_ep_before := private.episode_for(v_before, p_now, p_actor);
  update public.episodes e set
         status = case when v_dead then '@state:EpisodeStatus.failed@'::public.episode_status else '@state:EpisodeStatus.scheduled@'::public.episode_status end,
         generation_errors = private.with_error(e.generation_errors, jsonb_build_object('at', private.iso(p_now),
           'code', p_error_code, 'message', private.truncate_bytes(p_message, @const:maxErrorMessageBytes@), 'attempt', p_token)),
         updated_at = p_now
   where e.id = v_ep_before.id returning * into v_ep;
  perform private.audit(v_ep.organization_id, p_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                        to_jsonb(v_ep), p_now);
  update public.episode_schedule_queue q set locked_by = null, locked_until = null, episode_id = v_ep.id,
         last_error = private.truncate_bytes(p_error_code || ': ' || p_message, @const:maxLastErrorBytes@),
         status = case when v_dead then '@state:QueueStatus.failed@'::public.episode_schedule_queue_status
                       else '@state:QueueStatus.pending@'::public.episode_schedule_queue_status end,
         run_after = case when v_dead then q.run_after
                          else least(p_now + private.backoff_ms(q.id, p_token::integer) * interval '1 millisecond',
                                     private.max_instant()) end,
         updated_at = p_now
   where q.id = p_item_id returning * into v_item;
  perform private.audit(v_item.organization_id, p_actor, 'fail', 'EpisodeScheduleQueue', v_item.id,
                        to_jsonb(v_before), to_jsonb(v_item), p_now);
  perform private.close_reservations(v_item, '@state:ReservationStatus.released@', p_now, p_actor);
  return v_item;
end
$$;

-- Extends a held lease to now + p_lease_seconds. Stale tokens: EC409.
create function public.queue_extend(p_item_id uuid, p_token bigint, p_lease_seconds integer default @const:defaultLeaseSeconds@,
                                    p_now timestamptz default now(), p_actor uuid default null,
                                    p_organization_id uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
  v_until timestamptz;
  v_r public.budget_reservations;
  v_r_after public.budget_reservations;
begin
  @param(queue.extend,token,p_token)
  @param(queue.extend,leaseSeconds,p_lease_seconds)
  select * into v_before from public.episode_schedule_queue q
   where q.id = p_item_id and (p_organization_id is null or q.organization_id = p_organization_id) for update;
  if not found then
    raise exception 'not_found: no queue item %', p_item_id using errcode = '@sqlstate:not_found@';
  end if;
  perform private.check_lease(v_before, p_token);
  v_until := least(p_now + make_interval(secs => p_lease_seconds), private.max_instant());
  -- The budget held for this generation lives as long as its lease.
  for v_r in
    select * from public.budget_reservations r
     where r.organization_id = v_before.organization_id and r.queue_item_id = v_before.id and r.status = '@state:ReservationStatus.open@'
       and r.expires_at < v_until
     order by r.id for update
  loop
    update public.budget_reservations set expires_at = v_until, updated_at = p_now where id = v_r.id
      returning * into v_r_after;
    perform private.audit(v_r_after.organization_id, p_actor, 'extend', 'BudgetReservation', v_r_after.id,
                          to_jsonb(v_r), to_jsonb(v_r_after), p_now);
  end loop;
  update public.episode_schedule_queue q set locked_until = v_until, updated_at = p_now
   where q.id = p_item_id returning * into v_item;
  perform private.audit(v_item.organization_id, p_actor, 'extend', 'EpisodeScheduleQueue', v_item.id,
                        to_jsonb(v_before), to_jsonb(v_item), p_now);
  return v_item;
end
$$;

-- By hand (queue.retry / queue.cancel: admins, owners and the system, ADR 0010): the caller's
-- organization. A signed-in user must be an admin or owner of it (EC403 forbidden otherwise,
-- also for another organization's id); the service role names it with p_organization_id.
create function private.queue_hand_org(p_organization_id uuid) returns uuid
  language plpgsql stable security definer set search_path = '' as $$
declare
  v_org uuid;
begin
  if (select auth.uid()) is null then
    return p_organization_id;
  end if;
  v_org := private.current_organization_id();
  if v_org is null or not private.is_org_admin() or (p_organization_id is not null and p_organization_id <> v_org) then
    raise exception 'forbidden: only an admin or owner of the organization may do this' using errcode = '@sqlstate:forbidden@';
  end if;
  return v_org;
end
$$;

-- A failed item goes back to pending, due now; attempts are kept (the fencing token) and
-- max_attempts grows by p_extra_attempts, never past @const:maxAttempts@ (queue.cpp retry). Its
-- failed episode is scheduled again. EC410 unless failed or when no attempt is left.
create function public.queue_retry(p_item_id uuid, p_extra_attempts integer default @const:defaultMaxAttempts@,
                                   p_now timestamptz default now(), p_actor uuid default null,
                                   p_organization_id uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_org uuid := private.queue_hand_org(p_organization_id);
  v_actor uuid := coalesce(p_actor, (select auth.uid()));
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
  v_ep_before public.episodes;
  v_ep public.episodes;
  v_max integer;
begin
  @param(queue.retry,extraAttempts,p_extra_attempts)
  select * into v_before from public.episode_schedule_queue q
   where q.id = p_item_id and (v_org is null or q.organization_id = v_org) for update;
  if not found then
    raise exception 'not_found: no queue item %', p_item_id using errcode = '@sqlstate:not_found@';
  end if;
  if v_before.status <> '@state:QueueStatus.failed@' then
    raise exception 'conflict: only a failed item can be retried (this one is %)', v_before.status
      using errcode = '@sqlstate:conflict@';
  end if;
  v_max := least(@const:maxAttempts@, v_before.attempts::bigint + p_extra_attempts);
  if v_max <= v_before.attempts then
    raise exception 'conflict: the item used all @const:maxAttempts@ attempts an item may have' using errcode = '@sqlstate:conflict@';
  end if;
  if v_before.episode_id is not null then
    select * into v_ep_before from public.episodes e
     where e.id = v_before.episode_id and e.organization_id = v_before.organization_id and e.deleted_at is null
     for update;
    if found and v_ep_before.status = '@state:EpisodeStatus.failed@' then
      update public.episodes e set status = '@state:EpisodeStatus.scheduled@', updated_at = p_now
       where e.id = v_ep_before.id returning * into v_ep;
      perform private.audit(v_ep.organization_id, v_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                            to_jsonb(v_ep), p_now);
    end if;
  end if;
  update public.episode_schedule_queue q set status = '@state:QueueStatus.pending@', run_after = p_now,
         max_attempts = v_max, updated_at = p_now
   where q.id = v_before.id returning * into v_item;
  perform private.audit(v_item.organization_id, v_actor, 'retry', 'EpisodeScheduleQueue', v_item.id,
                        to_jsonb(v_before), to_jsonb(v_item), p_now);
  return v_item;
end
$$;

-- Cancels a pending, processing or failed item for good (planning does not bring it back; its
-- lease is no longer held, its open reservations are released, its unfinished episode is
-- cancelled: queue.cpp cancel). Already cancelled: returned as is. Completed: EC410.
create function public.queue_cancel(p_item_id uuid, p_now timestamptz default now(), p_actor uuid default null,
                                    p_organization_id uuid default null)
  returns public.episode_schedule_queue
  language plpgsql volatile security definer set search_path = '' set timezone = 'UTC' as $$
declare
  v_org uuid := private.queue_hand_org(p_organization_id);
  v_actor uuid := coalesce(p_actor, (select auth.uid()));
  v_before public.episode_schedule_queue;
  v_item public.episode_schedule_queue;
  v_ep_before public.episodes;
  v_ep public.episodes;
begin
  select * into v_before from public.episode_schedule_queue q
   where q.id = p_item_id and (v_org is null or q.organization_id = v_org) for update;
  if not found then
    raise exception 'not_found: no queue item %', p_item_id using errcode = '@sqlstate:not_found@';
  end if;
  if v_before.status = '@state:QueueStatus.completed@' then
    raise exception 'conflict: a completed item cannot be cancelled' using errcode = '@sqlstate:conflict@';
  end if;
  if v_before.status = '@state:QueueStatus.cancelled@' then
    return v_before;
  end if;
  if v_before.episode_id is not null then
    select * into v_ep_before from public.episodes e
     where e.id = v_before.episode_id and e.organization_id = v_before.organization_id and e.deleted_at is null
     for update;
    if found and v_ep_before.status in ('@state:EpisodeStatus.scheduled@', '@state:EpisodeStatus.generating@',
                                        '@state:EpisodeStatus.failed@') then
      update public.episodes e set status = '@state:EpisodeStatus.cancelled@', updated_at = p_now
       where e.id = v_ep_before.id returning * into v_ep;
      perform private.audit(v_ep.organization_id, v_actor, 'update', 'Episode', v_ep.id, to_jsonb(v_ep_before),
                            to_jsonb(v_ep), p_now);
    end if;
  end if;
  perform private.close_reservations(v_before, '@state:ReservationStatus.released@', p_now, v_actor);
  update public.episode_schedule_queue q set status = '@state:QueueStatus.cancelled@', locked_by = null,
         locked_until = null, last_error = '@const:cancelledByUser@', updated_at = p_now
   where q.id = v_before.id returning * into v_item;
  perform private.audit(v_item.organization_id, v_actor, 'cancel', 'EpisodeScheduleQueue', v_item.id,
                        to_jsonb(v_before), to_jsonb(v_item), p_now);
  return v_item;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- The daily budget (mirrors core/store/budget.cpp).
)SQL";

}  // namespace

const char* pg_queue_budget_sql() {
  static const std::string sql =
      expand_pg_template(std::string(kQueueBudgetSql) + kBudgetSqlTemplate);
  return sql.c_str();
}

}  // namespace ec::schema
