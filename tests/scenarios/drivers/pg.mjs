// The PostgreSQL engine: each op is what production does with the Supabase migration.
//   - the system principal {system:true, organizationId}: role service_role, the migration's
//     queue_* / budget_* functions (called by argument name, found by introspection);
//   - a user {organizationId, userId}: role authenticated with request.jwt.claims {sub: userId},
//     plain INSERT/UPDATE/DELETE/SELECT on the tables, so RLS, grants and triggers decide.
// Ops without a production counterpart are handled here and counted: clock.* (the runner keeps
// the clock and passes it as p_now), queue.plan (the worker plans with the core; here the slots
// come from the core's schedule.preview and are inserted under the caller's role), budget.settle
// / budget.release while the migration has no function for them (emulated under the caller's
// role); demo.actors, mock.seed, meta.* are skipped.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { cliPath, err, isBigMarker, isSystem, requestText, root } from '../lib.mjs';

const require = createRequire(join(root, 'tests', 'pg', 'package.json'));
const pg = require('pg');
pg.types.setTypeParser(20, (v) => Number(v));                       // bigint
pg.types.setTypeParser(1082, (v) => v);                             // date: 'YYYY-MM-DD'
pg.types.setTypeParser(1184, (v) => new Date(Date.parse(v.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'))).toISOString());

// The core's error codes and what each PostgreSQL SQLSTATE means, as the core declares them
// (core/error_codes.hpp error_codes, pg_states), asked from the CLI once.
const declared = JSON.parse(execFileSync(cliPath(), ['constants', '--json'], { encoding: 'utf8' }));
export const KNOWN_CODES = new Set(declared.errorCodes.map((c) => c.code));

/** A PostgreSQL error as the core's error code (the same classes the core maps its own errors to).
 *  The generated checks report where the problem is as DETAIL {"path", "issues"} (paths in the
 *  row or the function's params); `under` is where the row sits in the request (["patch"] for
 *  an update), as the core's paths say. Several issues have the path [], as the core's. */
export function mapPgError(e, under = []) {
  if (!e || !e.code) return err('internal', String(e && e.message || e));
  const prefix = /^([a-z_]+): /.exec(e.message || '');
  const byPrefix = prefix && KNOWN_CODES.has(prefix[1]) ? prefix[1] : null;
  const table = declared.pgStates;
  const code = byPrefix || table[e.code] || 'internal';
  let path = null;
  let issues;
  if (typeof e.detail === 'string' && e.detail.startsWith('{')) {
    try {
      const d = JSON.parse(e.detail);
      if (Array.isArray(d.path)) path = d.path.length ? [...under, ...d.path] : [];
      if (Array.isArray(d.issues)) issues = d.issues.map((i) => ({ ...i, path: [...under, ...i.path] }));
    } catch { /* a DETAIL of another kind: no path */ }
  }
  return err(code, e.message, path, { sqlstate: e.code, ...(e.constraint ? { constraint: e.constraint } : {}), ...(issues ? { issues } : {}) });
}

const camel = (s) => s.replace(/_([a-z0-9])/g, (_m, c) => c.toUpperCase());
const snake = (s) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const camelRow = (row) => {
  if (!row) return row;
  const out = {};
  for (const [k, v] of Object.entries(row)) out[camel(k)] = v;
  return out;
};
const ident = (s) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw Object.assign(new Error(`invalid: unknown field ${s}`), { code: '22023' });
  return `"${s}"`;
};
// A parameter value: objects and arrays are jsonb text, exact big integers their digits.
const param = (v) => (isBigMarker(v) ? v.$int : v !== null && typeof v === 'object' ? requestText(v) : v);

const ENTITIES = {
  organization: { table: 'organizations' },
  user: { table: 'users', soft: true },
  project: { table: 'projects', soft: true },
  episode: { table: 'episodes', soft: true },
  queue: { table: 'episode_schedule_queue' },
  chatSession: { table: 'chat_sessions', soft: true },
  chatMessage: { table: 'chat_messages' },
  tokenUsage: { table: 'token_usage' },
  usageDaily: { table: 'token_usage_daily' },
  budgetReservation: { table: 'budget_reservations' },
  planningNote: { table: 'planning_notes', soft: true },
  agentMemory: { table: 'agent_memories', soft: true },
  userEvent: { table: 'user_events' },
  auditLog: { table: 'audit_log' },
  block: { table: 'blocks' },
  highlight: { table: 'highlights', soft: true },
};
const LIST_KEYS = new Set(['includeDeleted', 'onlyDeleted', 'orderBy', 'descending', 'limit', 'offset']);
const SKIPPED = new Set(['demo.actors', 'mock.seed', 'meta.version', 'meta.operations', 'tz.list']);

/** A long-lived core process answering schedule.preview (the planner's occurrences). */
class Previewer {
  static async open() {
    const p = new Previewer();
    p.dir = mkdtempSync(join(tmpdir(), 'ec-prev-'));
    p.child = spawn(cliPath(), ['call', '--db', join(p.dir, 'p.sqlite')], { stdio: ['pipe', 'pipe', 'inherit'] });
    p.pending = [];
    createInterface({ input: p.child.stdout }).on('line', (l) => p.pending.shift()?.(JSON.parse(l)));
    const o = await p.raw({ op: 'organization.create', params: { name: 'Planner', slug: 'planner', ownerEmail: 'p@example.com', ownerName: 'P' } });
    p.as = { organizationId: o.result.organization.id, userId: o.result.owner.id };
    return p;
  }
  raw(req) {
    const r = new Promise((resolve) => this.pending.push(resolve));
    this.child.stdin.write(JSON.stringify(req) + '\n');
    return r;
  }
  async occurrences(cadence, timezone, fromMs, untilMs) {
    const r = await this.raw({ op: 'schedule.preview', as: this.as, params: {
      cadence, timezone, from: new Date(fromMs).toISOString(), until: new Date(untilMs).toISOString(), count: 1000 } });
    if (!r.ok) throw Object.assign(new Error(`invalid: ${r.error.message}`), { code: '22023' });
    return r.result.items.map((i) => Date.parse(i.utc));
  }
  close() { this.child.stdin.end(); rmSync(this.dir, { recursive: true, force: true }); }
}

export class PgDriver {
  /** conn: pg client config (database must hold the stub + migration). */
  static async open(conn) {
    const d = new PgDriver();
    d.c = new pg.Client({ ...conn, options: '-c timezone=UTC' });
    await d.c.connect();
    d.clock = null;                      // null: the real clock
    d.counts = { emulated: 0, skipped: 0, runner: 0 };
    d.fns = new Map();
    const { rows } = await d.c.query(`select p.proname, p.proargnames, p.pronargs, p.pronargdefaults
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and (p.proname like 'queue\\_%' or p.proname like 'budget\\_%')`);
    for (const r of rows) d.fns.set(r.proname, { args: (r.proargnames || []).slice(0, r.pronargs), required: r.pronargs - r.pronargdefaults });
    d.previewer = null;
    // PostgREST's db-pre-request, as configured on its role (the migration sets it).
    const { rows: pre } = await d.c.query(`select substr(c, length('pgrst.db_pre_request=') + 1) as f
      from pg_db_role_setting s, unnest(s.setconfig) c
     where s.setrole = (select oid from pg_roles where rolname = 'authenticator')
       and s.setdatabase in (0, (select oid from pg_database where datname = current_database())) and c like 'pgrst.db\\_pre\\_request=%'
     order by s.setdatabase desc`);  // a database's own setting wins, as PostgreSQL applies them
    d.preRequest = pre.length && /^[a-z_]+\.[a-z_]+$/.test(pre[0].f) ? pre[0].f : null;
    return d;
  }

  get name() { return 'pg'; }
  nowMs(req) { return req.now && isSystem(req.as) ? Date.parse(req.now) : (this.clock ?? Date.now()); }

  async close() {
    await this.c.end().catch(() => {});
    this.previewer?.close();
  }

  async call(req) {
    try {
      return await this.dispatch(req);
    } catch (e) {
      if (e && e.runnerAnswer) return e.runnerAnswer;
      // a row's path is under "patch" in an update request; the request check's path is the request's
      return mapPgError(e, /\.update$/.test(req.op) && !e.preRequest ? ['patch'] : []);
    }
  }

  // Runs fn inside one transaction as the principal's database role.
  async tx(as, fn) {
    const c = this.c;
    if (isSystem(as)) await c.query('begin; set local role service_role');
    else if (as && as.userId) {
      // The organization the request names travels in the JWT's app_metadata (as Supabase puts
      // custom claims there); PostgREST then runs the configured db-pre-request function.
      const claims = JSON.stringify({ sub: String(as.userId), role: 'authenticated',
        ...(as.organizationId ? { app_metadata: { organization_id: String(as.organizationId) } } : {}) });
      await c.query(`begin; set local role authenticated; select set_config('request.jwt.claims', ${c.escapeLiteral(claims)}, true)`);
    } else await c.query('begin; set local role anon');
    if (this.preRequest && !isSystem(as)) {
      try {
        await c.query(`select ${this.preRequest}()`);
      } catch (e) {
        await c.query('rollback').catch(() => {});
        throw Object.assign(e, { preRequest: true });
      }
    }
    try {
      const r = await fn(c);
      await c.query('commit');
      return r;
    } catch (e) {
      await c.query('rollback').catch(() => {});
      throw e;
    }
  }

  /** Calls public.<name> with named arguments taken from `values` (only those it declares). */
  async fn(c, name, values, { setof = false } = {}) {
    const f = this.fns.get(name);
    const names = [];
    const vals = [];
    for (const a of f.args) {
      if (a in values && values[a] !== undefined) { names.push(a); vals.push(values[a]); }
    }
    const args = names.map((a, i) => `${a} => $${i + 1}`).join(', ');
    const { rows } = await c.query(`select * from public.${name}(${args})`, vals);
    return setof ? rows : rows[0];
  }

  async dispatch(req) {
    const { op, as } = req;
    const params = req.params ?? {};
    if (req.now !== undefined && !isSystem(as)) {
      this.counts.runner++;
      return err('forbidden', 'a request-level now is accepted only from the system', ['now']);
    }
    if (SKIPPED.has(op)) { this.counts.skipped++; return { ok: true, skipped: true, result: null }; }
    const now = this.nowMs(req);
    if (op.startsWith('clock.')) return this.clockOp(req, params);
    if (op === 'organization.create') return this.orgCreate(params);
    if (as === undefined || as === null) return err('bad_request', '"as" is required for this operation', ['as']);
    switch (op) {
      case 'queue.plan': return this.queuePlan(as, params, now);
      case 'queue.claim': return this.queueClaim(as, params, now);
      case 'queue.complete': return this.queueComplete(as, params, now);
      case 'queue.fail': return this.queueFail(as, params, now);
      case 'queue.extend': return this.ok(await this.tx(as, async (c) => camelRow(await this.fn(c, 'queue_extend', {
        p_item_id: params.id, p_token: param(params.token), p_lease_seconds: params.leaseSeconds ?? 300,
        p_organization_id: as.organizationId, p_now: new Date(now) }))));
      // By hand: admins and owners (role authenticated) or the system; the function checks the role.
      case 'queue.retry': return this.ok(await this.tx(as, async (c) => camelRow(await this.fn(c, 'queue_retry', {
        p_item_id: params.id, p_extra_attempts: params.extraAttempts === undefined ? undefined : param(params.extraAttempts),
        p_organization_id: as.organizationId ?? null, p_now: new Date(now) }))));
      case 'queue.cancel': return this.ok(await this.tx(as, async (c) => camelRow(await this.fn(c, 'queue_cancel', {
        p_item_id: params.id, p_organization_id: as.organizationId ?? null, p_now: new Date(now) }))));
      case 'budget.reserve': return this.ok(await this.tx(as, async (c) => camelRow(await this.fn(c, 'budget_reserve', {
        p_organization_id: as.organizationId, p_estimate_micros: param(params.estimateMicros),
        p_queue_item_id: params.queueItemId ?? null, p_ttl_seconds: params.ttlSeconds ?? 900, p_now: new Date(now) }))));
      case 'budget.settle': return this.budgetSettle(as, params, now);
      case 'budget.release': return this.budgetRelease(as, params, now);
      case 'budget.status': return this.ok(await this.tx(as, async (c) => (await c.query(
        'select public.budget_status($1, $2) as s', [as.organizationId ?? null,
          params.date ? new Date(`${params.date}T12:00:00.000Z`) : new Date(now)])).rows[0].s));
      case 'organization.get': return this.orgGet(as);
      case 'organization.update': return this.orgUpdate(as, params);
      default: break;
    }
    const dot = op.lastIndexOf('.');
    const ent = ENTITIES[op.slice(0, dot)];
    const verb = op.slice(dot + 1);
    if (!ent) { this.counts.skipped++; return { ok: true, skipped: true, result: null }; }
    return this.entityOp(ent, verb, as, params, now);
  }

  ok(result) { return { ok: true, result }; }

  /** The model test's state read, in one round trip (as the table owner, outside RLS). */
  async state(orgIds) {
    const { rows } = await this.c.query(`select 'q' as k, organization_id, to_jsonb(q) as j from public.episode_schedule_queue q
       where organization_id = any($1::uuid[])
      union all select 'd', organization_id, to_jsonb(d) from public.token_usage_daily d where organization_id = any($1::uuid[])`, [orgIds]);
    const fix = (j) => {
      const o = camelRow(j);
      for (const key of ['runAfter', 'lockedUntil', 'scheduledFor']) if (typeof o[key] === 'string') o[key] = new Date(Date.parse(o[key])).toISOString();
      return o;
    };
    return orgIds.map((id) => {
      const mine = rows.filter((r) => r.organization_id === id);
      return { items: new Map(mine.filter((r) => r.k === 'q').map((r) => { const o = fix(r.j); return [o.id, o]; })),
        daily: mine.filter((r) => r.k === 'd').map((r) => fix(r.j)), okRead: true };
    });
  }

  clockOp(req, params) {
    this.counts.runner++;
    if (!isSystem(req.as)) return err('forbidden', 'the clock is moved by the system only', ['as']);
    const cur = this.clock ?? Date.now();
    if (req.op === 'clock.set') {
      if (params.now === null || params.now === undefined) this.clock = null;
      else {
        const t = Date.parse(params.now);
        if (Number.isNaN(t) || t < Date.parse('0001-01-01T00:00:00Z') || t > Date.parse('9999-12-31T23:59:59.999Z')) return err('invalid', 'now must be an instant in years 0001-9999', ['now']);
        this.clock = t;
      }
    } else if (req.op === 'clock.advance') {
      const t = (req.now ? Date.parse(req.now) : cur) + Number(params.seconds) * 1000;
      if (!Number.isFinite(t) || t > Date.parse('9999-12-31T23:59:59.999Z') || t < Date.parse('0001-01-01T00:00:00Z')) return err('invalid', 'the clock must stay in years 0001-9999', ['seconds']);
      this.clock = t;
    }
    return this.ok({ now: new Date(this.clock ?? Date.now()).toISOString(), fixed: this.clock !== null });
  }

  async orgCreate(p) {
    return this.ok(await this.tx({ system: true }, async (c) => {
      const { rows: [o] } = await c.query(`insert into public.organizations (name, slug, plan, daily_cost_limit_micros)
        values ($1, $2, coalesce($3, 'free')::public.organization_plan, coalesce($4::bigint, 50000000)) returning *`,
      [p.name, p.slug, p.plan ?? null, p.dailyCostLimitMicros === undefined ? null : param(p.dailyCostLimitMicros)]);
      const { rows: [u] } = await c.query(`insert into public.users (organization_id, email, name, role, timezone)
        values ($1, $2, $3, 'owner', coalesce($4, 'UTC')) returning *`, [o.id, p.ownerEmail, p.ownerName, p.ownerTimezone ?? null]);
      return { organization: camelRow(o), owner: camelRow(u) };
    }));
  }

  async orgGet(as) {
    return this.tx(as, async (c) => {
      const { rows } = await c.query('select * from public.organizations where id = $1', [as.organizationId]);
      return rows.length ? this.ok(camelRow(rows[0])) : err('not_found', 'no such organization', ['as']);
    });
  }

  async orgUpdate(as, params) {
    return this.tx(as, async (c) => {
      const patch = params.patch ?? {};
      const keys = Object.keys(patch);
      if (keys.length === 0) return this.ok(camelRow((await c.query('select * from public.organizations where id = $1', [as.organizationId])).rows[0]));
      const sets = keys.map((k, i) => `${ident(snake(k))} = $${i + 2}`).join(', ');
      const { rows } = await c.query(`update public.organizations set ${sets}, updated_at = now() where id = $1 returning *`,
        [as.organizationId, ...keys.map((k) => param(patch[k]))]);
      if (rows.length) return this.ok(camelRow(rows[0]));
      const vis = await c.query('select 1 from public.organizations where id = $1', [as.organizationId]);
      return vis.rows.length ? err('forbidden', 'row-level security refused the update') : err('not_found', 'no such organization');
    });
  }

  async entityOp(ent, verb, as, params, now) {
    const T = `public.${ent.table}`;
    const sys = isSystem(as);
    return this.tx(as, async (c) => {
      // The system acts inside its organization; a user's rows are scoped by RLS.
      const scope = (n) => (sys ? ` and organization_id = $${n}` : '');
      const scopeArgs = sys ? [as.organizationId] : [];
      const notDeleted = ent.soft ? ' and deleted_at is null' : '';
      const missing = async (id) => {
        const vis = await c.query(`select 1 from ${T} where id = $1${notDeleted}${scope(2)}`, [id, ...scopeArgs]);
        return vis.rows.length ? err('forbidden', 'row-level security refused the change', ['id'])
          : err('not_found', `${ent.table} ${id} not found`, ['id']);
      };
      switch (verb) {
        case 'get': {
          const del = ent.soft && !params.includeDeleted ? notDeleted : '';
          const { rows } = await c.query(`select * from ${T} where id = $1${del}${scope(2)}`, [params.id, ...scopeArgs]);
          return rows.length ? this.ok(camelRow(rows[0])) : err('not_found', `${ent.table} ${params.id} not found`, ['id']);
        }
        case 'list': {
          const where = ['true'];
          const args = [];
          for (const [k, v] of Object.entries(params)) {
            if (LIST_KEYS.has(k) || v === null || v === undefined) continue;
            args.push(param(v));
            where.push(`${ident(snake(k))} = $${args.length}`);
          }
          if (sys) { args.push(as.organizationId); where.push(`organization_id = $${args.length}`); }
          if (ent.soft && params.onlyDeleted) where.push('deleted_at is not null');
          else if (ent.soft && !params.includeDeleted) where.push('deleted_at is null');
          const order = `${ident(snake(params.orderBy ?? 'createdAt'))} ${params.descending ? 'desc' : 'asc'}, id`;
          const { rows } = await c.query(`select *, count(*) over () as total_rows_ from ${T} where ${where.join(' and ')}
            order by ${order} limit ${Number(params.limit ?? 100) | 0} offset ${Number(params.offset ?? 0) | 0}`, args);
          const total = rows.length ? rows[0].total_rows_ : 0;
          return this.ok({ items: rows.map(({ total_rows_: _t, ...r }) => camelRow(r)), total });
        }
        case 'create': {
          const row = { ...params };
          if (sys) row.organizationId = as.organizationId;
          if (ent.table === 'episodes' && row.number === undefined) row.number = { $sql: 'next_number' };
          if (ent.table === 'user_events' && row.occurredAt === undefined) row.occurredAt = new Date(now).toISOString();
          const cols = [];
          const vals = [];
          const args = [];
          for (const [k, v] of Object.entries(row)) {
            cols.push(ident(snake(k)));
            if (v && v.$sql === 'next_number') {
              args.push(row.projectId);
              vals.push(`(select coalesce(max(e.number), 0) + 1 from public.episodes e where e.project_id = $${args.length}::uuid)`);
            } else { args.push(param(v)); vals.push(`$${args.length}`); }
          }
          const { rows } = await c.query(`insert into ${T} (${cols.join(', ')}) values (${vals.join(', ')}) returning *`, args);
          return this.ok(camelRow(rows[0]));
        }
        case 'update': {
          const patch = params.patch ?? {};
          const keys = Object.keys(patch);
          const sets = keys.map((k, i) => `${ident(snake(k))} = $${i + 2}`);
          sets.push(`updated_at = $${keys.length + 2}`);
          const { rows } = await c.query(`update ${T} set ${sets.join(', ')} where id = $1${notDeleted}${scope(keys.length + 3)} returning *`,
            [params.id, ...keys.map((k) => param(patch[k])), new Date(now), ...scopeArgs]);
          return rows.length ? this.ok(camelRow(rows[0])) : missing(params.id);
        }
        case 'delete': {
          if (ent.soft) {
            const { rows } = await c.query(`update ${T} set deleted_at = $2, deleted_by = $3, updated_at = $2
              where id = $1 and deleted_at is null${scope(4)} returning *`, [params.id, new Date(now), sys ? null : as.userId, ...scopeArgs]);
            return rows.length ? this.ok(camelRow(rows[0])) : missing(params.id);
          }
          const { rows } = await c.query(`delete from ${T} where id = $1${scope(2)} returning id`, [params.id, ...scopeArgs]);
          return rows.length ? this.ok({ id: rows[0].id, purged: true }) : missing(params.id);
        }
        case 'restore': {
          const { rows } = await c.query(`update ${T} set deleted_at = null, deleted_by = null, updated_at = $2
            where id = $1 and deleted_at is not null${scope(3)} returning *`, [params.id, new Date(now), ...scopeArgs]);
          return rows.length ? this.ok(camelRow(rows[0])) : err('not_found', `${ent.table} ${params.id} not found`, ['id']);
        }
        case 'purge': {
          const { rows } = await c.query(`delete from ${T} where id = $1${scope(2)} returning id`, [params.id, ...scopeArgs]);
          return rows.length ? this.ok({ id: rows[0].id, purged: true }) : missing(params.id);
        }
        default:
          this.counts.skipped++;
          return { ok: true, skipped: true, result: null };
      }
    });
  }

  // queue.plan: the slots of [now, now + horizon) from the core's schedule.preview, written under
  // the caller's role (only the service role may write the queue).
  async queuePlan(as, params, now) {
    this.counts.emulated++;
    this.previewer ??= await Previewer.open();
    const horizonDays = params.horizonDays ?? 14;
    return this.ok(await this.tx(as, async (c) => {
      const counts = { added: 0, cancelled: 0, kept: 0, projects: 0 };
      const { rows: projects } = await c.query(`select p.*, u.timezone as owner_tz from public.projects p
        left join public.users u on u.id = p.owner_id where p.organization_id = $1 and ($2::uuid is null or p.id = $2)`,
      [as.organizationId, params.projectId ?? null]);
      if (params.projectId && projects.length === 0) throw Object.assign(new Error(`not_found: no project ${params.projectId}`), { code: 'P0002' });
      for (const p of projects) {
        counts.projects++;
        const active = p.status === 'active' && p.deleted_at === null;
        if (!active) {
          const r = await c.query(`update public.episode_schedule_queue set status = 'cancelled', updated_at = $2,
            last_error = 'cancelled_by_plan: the project is not active' where project_id = $1 and status = 'pending'`, [p.id, new Date(now)]);
          counts.cancelled += r.rowCount;
          continue;
        }
        const { rows: items } = await c.query(`select id, status, last_error, scheduled_for from public.episode_schedule_queue
          where project_id = $1 and scheduled_for >= $2`, [p.id, new Date(now)]);
        let end = now + horizonDays * 86_400_000;
        for (const it of items) if (it.status === 'pending') end = Math.max(end, Date.parse(it.scheduled_for) + 1);
        // The horizon ends at the instant range's end (years 0001-9999), as the core's plan does.
        end = Math.min(end, Date.parse('9999-12-31T23:59:59.999Z'));
        const wanted = new Set(await this.previewer.occurrences(p.cadence_config, p.cadence_config.timezone ?? p.owner_tz ?? 'UTC', now, end));
        const bySlot = new Map(items.map((i) => [Date.parse(i.scheduled_for), i]));
        for (const [slot, it] of bySlot) {
          if (it.status !== 'pending') continue;
          if (wanted.has(slot)) counts.kept++;
          else {
            await c.query(`update public.episode_schedule_queue set status = 'cancelled', updated_at = $2,
              last_error = 'cancelled_by_plan: no longer matches the project''s cadence' where id = $1`, [it.id, new Date(now)]);
            counts.cancelled++;
          }
        }
        for (const slot of [...wanted].sort((a, b) => a - b)) {
          const it = bySlot.get(slot);
          if (!it) {
            await c.query(`insert into public.episode_schedule_queue (organization_id, project_id, scheduled_for, run_after, created_at, updated_at)
              values ($1, $2, $3, $3, $4, $4)`, [as.organizationId, p.id, new Date(slot), new Date(now)]);
            counts.added++;
          } else if (it.status === 'cancelled' && (it.last_error ?? '').startsWith('cancelled_by_plan')) {
            await c.query(`update public.episode_schedule_queue set status = 'pending', run_after = scheduled_for,
              last_error = null, updated_at = $2 where id = $1`, [it.id, new Date(now)]);
            counts.added++;
          }
        }
      }
      return counts;
    }));
  }

  async episodes(c, ids) {
    const { rows } = await c.query('select * from public.episodes where id = any($1::uuid[])', [ids.filter(Boolean)]);
    return new Map(rows.map((r) => [r.id, camelRow(r)]));
  }

  async queueClaim(as, params, now) {
    return this.ok(await this.tx(as, async (c) => {
      const rows = await this.fn(c, 'queue_claim', { p_worker: params.workerId, p_limit: param(params.limit ?? 1),
        p_lease_seconds: param(params.leaseSeconds ?? 300), p_organization_id: as.organizationId, p_now: new Date(now) }, { setof: true });
      const eps = await this.episodes(c, rows.map((r) => r.episode_id));
      const out = { items: rows.map((r) => ({ item: camelRow(r), episode: eps.get(r.episode_id) ?? null, token: r.attempts })) };
      if (rows.length === 0) {
        const { rows: [s] } = await c.query('select public.budget_status($1, $2) as s', [as.organizationId, new Date(now)]);
        if (s.s.blocked) out.blocked = { reason: s.s.reason, organizationId: as.organizationId };
      }
      return out;
    }));
  }

  async queueComplete(as, params, now) {
    return this.ok(await this.tx(as, async (c) => {
      const usage = params.usage === undefined || params.usage === null ? null : requestText(params.usage);
      const item = await this.fn(c, 'queue_complete', { p_item_id: params.id, p_token: param(params.token), p_usage: usage,
        p_organization_id: as.organizationId, p_now: new Date(now) });
      const eps = await this.episodes(c, [item.episode_id]);
      let u = null;
      if (usage) {
        const { rows } = await c.query(`select * from public.token_usage where organization_id = $1 and episode_id = $2
          order by created_at desc, id desc limit 1`, [item.organization_id, item.episode_id]);
        u = camelRow(rows[0] ?? null);
      }
      return { item: camelRow(item), episode: eps.get(item.episode_id) ?? null, usage: u };
    }));
  }

  async queueFail(as, params, now) {
    return this.ok(await this.tx(as, async (c) => {
      const item = await this.fn(c, 'queue_fail', { p_item_id: params.id, p_token: param(params.token),
        p_error_code: params.code, p_message: params.message, p_organization_id: as.organizationId, p_now: new Date(now) });
      const eps = await this.episodes(c, [item.episode_id]);
      const dead = item.status === 'failed';
      return { item: camelRow(item), episode: eps.get(item.episode_id) ?? null, dead, retryAt: dead ? null : item.run_after };
    }));
  }

  async reservationAndUsage(c, id) {
    const { rows: [r] } = await c.query('select * from public.budget_reservations where id = $1', [id]);
    const { rows: [u] } = await c.query(`select * from public.token_usage where organization_id = $1
      order by created_at desc, id desc limit 1`, [r.organization_id]);
    return { reservation: camelRow(r), usage: camelRow(u ?? null) };
  }

  async budgetSettle(as, params, now) {
    const usage = params.usage ?? {};
    if (this.fns.has('budget_settle')) {
      return this.ok(await this.tx(as, async (c) => {
        await this.fn(c, 'budget_settle', { p_reservation_id: params.reservationId, p_organization_id: as.organizationId,
          p_usage: requestText(usage), p_now: new Date(now) });
        return this.reservationAndUsage(c, params.reservationId);
      }));
    }
    // Emulated (the migration has no budget_settle yet): the PLAN's rules, under the caller's role.
    this.counts.emulated++;
    return this.ok(await this.tx(as, async (c) => {
      const { rows: [r] } = await c.query(`select * from public.budget_reservations where id = $1 and organization_id = $2 for update`,
        [params.reservationId, as.organizationId]);
      if (!r) throw Object.assign(new Error(`not_found: no reservation ${params.reservationId}`), { code: 'P0002' });
      if (r.status !== 'open') throw Object.assign(new Error(`conflict: the reservation is ${r.status}`), { code: 'P0001' });
      const cost = Number(param(usage.costMicros));
      if (!Number.isSafeInteger(cost) || cost < 0 || cost > 1e12) throw Object.assign(new Error('invalid: costMicros out of range'), { code: '22003' });
      if (cost > r.estimate_micros) {
        throw Object.assign(new Error(`budget_exceeded: the cost passes the estimate`), { code: 'EC402' });
      }
      let project = usage.projectId ?? null;
      let episode = usage.episodeId ?? null;
      if (r.queue_item_id) {
        const { rows: [q] } = await c.query('select project_id, episode_id from public.episode_schedule_queue where id = $1', [r.queue_item_id]);
        project ??= q.project_id;
        episode ??= q.episode_id;
      }
      // A settle after midnight counts on the reservation's day.
      const day = Date.parse(`${r.date}T00:00:00Z`);
      const at = now >= day + 86_400_000 ? day + 86_400_000 - 1 : now;
      await c.query(`insert into public.token_usage (organization_id, project_id, episode_id, model, input_tokens, output_tokens, cost_micros, occurred_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8)`, [r.organization_id, project, episode, usage.model, param(usage.inputTokens),
        param(usage.outputTokens), param(usage.costMicros), new Date(at)]);
      await c.query(`update public.budget_reservations set status = 'settled', updated_at = $2 where id = $1`, [r.id, new Date(now)]);
      return this.reservationAndUsage(c, r.id);
    }));
  }

  async budgetRelease(as, params, now) {
    if (this.fns.has('budget_release')) {
      return this.ok(await this.tx(as, async (c) => {
        await this.fn(c, 'budget_release', { p_reservation_id: params.reservationId, p_organization_id: as.organizationId, p_now: new Date(now) });
        return camelRow((await c.query('select * from public.budget_reservations where id = $1', [params.reservationId])).rows[0]);
      }));
    }
    this.counts.emulated++;
    return this.ok(await this.tx(as, async (c) => {
      const { rows: [r] } = await c.query(`select * from public.budget_reservations where id = $1 and organization_id = $2 for update`,
        [params.reservationId, as.organizationId]);
      if (!r) throw Object.assign(new Error(`not_found: no reservation ${params.reservationId}`), { code: 'P0002' });
      if (r.status !== 'open') throw Object.assign(new Error(`conflict: the reservation is ${r.status}`), { code: 'P0001' });
      const { rows: [a] } = await c.query(`update public.budget_reservations set status = 'released', updated_at = $2 where id = $1 returning *`, [r.id, new Date(now)]);
      return camelRow(a);
    }));
  }
}
