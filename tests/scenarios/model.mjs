#!/usr/bin/env node
// Randomized model-based test of the queue and the budget on both engines (docs/INVARIANTS.md).
// Seeded sequences over 2-3 tenants and several UTC days: claim / extend / fail / complete /
// reserve / settle / release / clock moves (forward, backward, across midnight) / hostile values /
// limit changes. Every step runs on every engine (same abstract step, ids resolved per engine);
// after every step the invariants are checked on each engine's actual state:
//   I1 a due pending item of an unblocked organization is claimed; claims never fail;
//      one tenant's hostile row never stops another's claims
//   I2 per organization and UTC day, settled spend <= the daily limit (the highest limit in force
//      when that day's reservations were granted) while every cost <= its reservation
//   I3 an acknowledged write is read back
//   I4 both engines answer every step with the same ok/code (and claims with the same count)
//
//   node tests/scenarios/model.mjs                      2,000 sequences per engine (CI)
//   EC_MODEL_SEQUENCES=100000 node tests/scenarios/model.mjs    the long run
//   EC_MODEL_SEED=S (first seed), EC_SCENARIO_ENGINES=sqlite|pg|sqlite,pg, EC_MODEL_VERBOSE=1
import { SqliteDriver } from './drivers/sqlite.mjs';
import { engines, rng } from './lib.mjs';

const N = Number(process.env.EC_MODEL_SEQUENCES || 2000);
const SEED0 = Number(process.env.EC_MODEL_SEED || 1);
const VERBOSE = process.env.EC_MODEL_VERBOSE === '1';
const DAY = 86_400_000;
const SYS = (org) => ({ system: true, organizationId: org });
const BIG = [{ $int: '9223372036854775807' }, { $int: '9007199254740993' }];

async function openEngines() {
  const out = [];
  for (const e of engines()) {
    if (e === 'sqlite') out.push(await SqliteDriver.open({ idSeed: 7 }));
    else {
      const { freshDb, conn } = await import('../pg/helpers.mjs');
      const { PgDriver } = await import('./drivers/pg.mjs');
      await freshDb('ec_model');
      out.push(await PgDriver.open({ ...conn, database: 'ec_model' }));
    }
  }
  return out;
}

// Per-engine view of one sequence: ids behind the abstract handles.
class View {
  constructor(d) { this.d = d; this.orgs = []; this.now = 0; }
}

const stats = { sequences: 0, steps: 0, violations: 0, calls: 0 };
const violations = [];
function violate(seed, step, engine, inv, msg) {
  stats.violations++;
  if (violations.length < 40) violations.push(`seed ${seed} step ${step} ${engine} ${inv}: ${msg}`);
}

async function call(v, req) { stats.calls++; return v.d.call(req); }

async function setup(v, seed, r, nOrgs, limits, t0) {
  await call(v, { op: 'clock.set', as: { system: true }, params: { now: new Date(t0).toISOString() } });
  v.now = t0;
  for (let k = 0; k < nOrgs; k++) {
    const o = await call(v, { op: 'organization.create', params: { name: `M${seed}-${k}`, slug: `m${seed}-${k}-${v.d.name}`,
      ownerEmail: `o${k}@m.example`, ownerName: 'O', dailyCostLimitMicros: limits[k] } });
    if (!o.ok) throw new Error(`${v.d.name} setup: ${JSON.stringify(o.error)}`);
    const org = o.result.organization.id;
    const owner = o.result.owner.id;
    const p = await call(v, { op: 'project.create', as: { organizationId: org, userId: owner }, params: { name: 'P',
      cadenceConfig: { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], time: '09:00' } } });
    await call(v, { op: 'queue.plan', as: SYS(org), params: { horizonDays: 4 } });
    const q = await call(v, { op: 'queue.list', as: SYS(org), params: { orderBy: 'createdAt', limit: 100 } });
    const items = q.ok ? q.result.items.sort((a, b) => a.scheduledFor.localeCompare(b.scheduledFor)).map((i) => i.id) : [];
    v.orgs.push({ id: org, owner, project: p.ok ? p.result.id : null, items, tokens: new Map(), res: [], limit: limits[k],
      maxLimit: new Map(), overEstimate: false });
  }
}

// One abstract step, chosen from the reference engine's state.
function generate(r, ref, st) {
  const k = r.int(0, ref.orgs.length - 1);
  const o = ref.orgs[k];
  const processing = o.items.map((id, i) => [i, st[k]?.get(id)]).filter(([, it]) => it && it.status === 'processing').map(([i]) => i);
  const anyItem = () => r.int(0, Math.max(0, o.items.length - 1));
  const itemIdx = () => (processing.length && r.chance(0.85) ? r.pick(processing) : anyItem());
  const openRes = o.res.map((x, j) => [j, x]).filter(([, x]) => x && x.open).map(([j]) => j);
  const x = r.next();
  if (x < 0.16) return { kind: 'claim', k, limit: r.int(1, 3), lease: r.pick([10, 60, 300, 900]) };
  if (x < 0.26) return { kind: 'extend', k, i: itemIdx(), stale: r.chance(0.1), lease: r.pick([10, 120, 600, 1200]) };
  if (x < 0.34) return { kind: 'fail', k, i: itemIdx(), stale: r.chance(0.1) };
  if (x < 0.44) return { kind: 'complete', k, i: itemIdx(), stale: r.chance(0.1), cost: r.next() };
  if (x < 0.56) return { kind: 'reserve', k, est: r.int(1, 30) * 1_000_000, i: processing.length && r.chance(0.6) ? r.pick(processing) : null,
    ttl: r.pick([60, 300, 900, 1800]) };
  if (x < 0.64) return { kind: 'settle', k, j: openRes.length && r.chance(0.9) ? r.pick(openRes) : r.int(0, Math.max(0, o.res.length - 1)),
    over: r.chance(0.1), cost: r.next() };
  if (x < 0.69) return { kind: 'release', k, j: openRes.length ? r.pick(openRes) : r.int(0, Math.max(0, o.res.length - 1)) };
  if (x < 0.85) {
    const y = r.next();
    if (y < 0.5) return { kind: 'clock', delta: r.int(5, 1200) * 1000 };
    if (y < 0.75) return { kind: 'clock', midnight: true, jitter: r.int(-30, 30) * 1000 };
    return { kind: 'clock', delta: -r.int(60, 7200) * 1000 };
  }
  if (x < 0.93) return { kind: 'hostile', k, what: r.pick(['bigNumber', 'bigNumber53', 'nulName', 'nulEvent', 'deleteUsage', 'userNow', 'userClock']) };
  return { kind: 'limit', k, value: r.int(0, 60) * 1_000_000 };
}

// The request of a step on one engine (null: nothing to send).
function request(step, v) {
  const o = step.k !== undefined ? v.orgs[step.k] : null;
  const as = o && SYS(o.id);
  const itemId = o && o.items[step.i];
  const token = () => { const t = o.tokens.get(itemId) ?? 1; return step.stale ? t - 1 : t; };
  switch (step.kind) {
    case 'claim': return { op: 'queue.claim', as, params: { workerId: `w${step.k}`, limit: step.limit, leaseSeconds: step.lease } };
    case 'extend': return { op: 'queue.extend', as, params: { id: itemId, token: token(), leaseSeconds: step.lease } };
    case 'fail': return { op: 'queue.fail', as, params: { id: itemId, token: token(), code: 'llm_error', message: 'model' } };
    case 'complete': {
      const open = o.res.find((x) => x && x.open && x.item === itemId);
      const usage = open ? { model: 'm', inputTokens: 1, outputTokens: 1, costMicros: Math.floor(open.est * step.cost) } : null;
      return { op: 'queue.complete', as, params: { id: itemId, token: token(), usage } };
    }
    case 'reserve': return { op: 'budget.reserve', as, params: { estimateMicros: step.est, ttlSeconds: step.ttl,
      queueItemId: step.i === null ? null : o.items[step.i] } };
    case 'settle': {
      const x = o.res[step.j];
      const est = x ? x.est : 1_000_000;
      const cost = step.over ? est + 1 + Math.floor(step.cost * 1_000_000) : Math.floor(est * step.cost);
      return { op: 'budget.settle', as, params: { reservationId: x ? x.id : '00000000-0000-4000-8000-000000000000',
        usage: { projectId: o.project, model: 'm', inputTokens: 1, outputTokens: 1, costMicros: cost } } };
    }
    case 'release': {
      const x = o.res[step.j];
      return { op: 'budget.release', as, params: { reservationId: x ? x.id : '00000000-0000-4000-8000-000000000000' } };
    }
    case 'clock': return { op: 'clock.set', as: { system: true }, params: { now: new Date(step.target).toISOString() } };
    case 'limit': return { op: 'organization.update', as: { organizationId: o.id, userId: o.owner }, params: { patch: { dailyCostLimitMicros: step.value } } };
    case 'hostile': {
      const user = { organizationId: o.id, userId: o.owner };
      switch (step.what) {
        case 'bigNumber': return { op: 'episode.create', as: user, params: { projectId: o.project, number: BIG[0], title: 'x' } };
        case 'bigNumber53': return { op: 'episode.create', as: user, params: { projectId: o.project, number: BIG[1], title: 'x' } };
        case 'nulName': return { op: 'project.update', as: user, params: { id: o.project, patch: { name: 'a\u0000b' } } };
        case 'nulEvent': return { op: 'userEvent.create', as: user, params: { eventType: 'x.y', eventData: { s: 'a\u0000' }, occurredAt: new Date(v.now).toISOString() } };
        case 'deleteUsage': return { op: 'tokenUsage.list', as: user, params: { limit: 1 }, then: 'deleteFirstUsage' };
        case 'userNow': return { op: 'budget.status', as: user, now: new Date(v.now + DAY).toISOString(), params: {} };
        default: return { op: 'clock.advance', as: user, params: { seconds: 86400 } };
      }
    }
    default: throw new Error(step.kind);
  }
}

// What the hostile steps must answer (PLAN): every one of them is refused.
const HOSTILE_CODE = { bigNumber: 'invalid', bigNumber53: 'invalid', nulName: 'invalid', nulEvent: 'invalid',
  deleteUsage: 'forbidden', userNow: 'forbidden', userClock: 'forbidden' };

async function perform(step, v) {
  const req = request(step, v);
  let ans = await call(v, req);
  if (req.then === 'deleteFirstUsage') {
    if (ans.ok && ans.result.items.length) ans = await call(v, { op: 'tokenUsage.delete', as: req.as, params: { id: ans.result.items[0].id } });
    else ans = { ok: false, error: { code: 'forbidden', message: 'no usage row yet (nothing to delete)' } };
  }
  const o = step.k !== undefined ? v.orgs[step.k] : null;
  if (ans.ok) {
    if (step.kind === 'claim') for (const c of ans.result.items) o.tokens.set(c.item.id, c.token);
    if (step.kind === 'clock') v.now = step.target;
    if (step.kind === 'limit') o.limit = step.value;
    if (step.kind === 'reserve') {
      o.res.push({ id: ans.result.id, est: step.est, open: true, item: req.params.queueItemId, day: ans.result.date });
      const day = ans.result.date;
      o.maxLimit.set(day, Math.max(o.maxLimit.get(day) ?? 0, o.limit));
    }
    if (step.kind === 'settle' || step.kind === 'release') {
      const x = o.res[step.j];
      if (x) x.open = false;
      if (step.kind === 'settle' && step.over) o.overEstimate = true;
    }
    if ((step.kind === 'complete' || step.kind === 'fail') && ans.result.item) {
      for (const x of o.res) if (x && x.item === ans.result.item.id) x.open = false;
    }
    // A completion whose usage settled none of the item's reservations (none, or all expired and
    // released by an earlier grant, H4) was its own grant against the limit in force now, on the
    // usage's UTC day: that limit bounds the day too.
    if (step.kind === 'complete' && ans.result.usage && ans.result.usage.occurredAt) {
      const settled = await call(v, { op: 'budgetReservation.list', as: SYS(o.id),
        params: { queueItemId: ans.result.item.id, status: 'settled', limit: 1 } });
      if (settled.ok && settled.result.total === 0) {
        const day = ans.result.usage.occurredAt.slice(0, 10);
        o.maxLimit.set(day, Math.max(o.maxLimit.get(day) ?? 0, o.limit));
      }
    }
  } else if (step.kind === 'reserve') o.res.push(null);
  return { req, ans };
}

// The engine's actual state of this sequence's organizations (read through the system principal).
async function readState(v) {
  if (v.d.state) { stats.calls++; return v.d.state(v.orgs.map((o) => o.id)); }
  const per = await Promise.all(v.orgs.map(async (o) => {
    const [q, u] = await Promise.all([
      call(v, { op: 'queue.list', as: SYS(o.id), params: { limit: 100 } }),
      call(v, { op: 'usageDaily.list', as: SYS(o.id), params: { limit: 100 } })]);
    return { items: new Map((q.ok ? q.result.items : []).map((i) => [i.id, i])), daily: u.ok ? u.result.items : [], okRead: q.ok && u.ok };
  }));
  return per;
}

function checkState(seed, n, v, state) {
  v.orgs.forEach((o, k) => {
    const s = state[k];
    if (!s.okRead) { violate(seed, n, v.d.name, 'I3', `org ${k}: state not readable`); return; }
    // I2: settled spend of a day <= the highest limit in force when its reservations were granted.
    if (!o.overEstimate) {
      for (const d of s.daily) {
        const bound = o.maxLimit.get(d.date) ?? 0;
        if (d.costMicros > bound) violate(seed, n, v.d.name, 'I2', `org ${k} day ${d.date}: spent ${d.costMicros} > limit ${bound}`);
      }
    }
  });
}

// I3: an acknowledged write is read back.
async function readBack(seed, n, v, step, ans) {
  if (!ans.ok) return;
  const o = step.k !== undefined ? v.orgs[step.k] : null;
  let want = null;
  let req = null;
  if (['claim', 'extend', 'fail', 'complete'].includes(step.kind)) {
    const item = step.kind === 'claim' ? ans.result.items[0]?.item : step.kind === 'extend' ? ans.result : ans.result.item;
    if (!item) return;
    req = { op: 'queue.get', as: SYS(o.id), params: { id: item.id } };
    want = { status: item.status, attempts: item.attempts, lockedUntil: item.lockedUntil };
  } else if (['reserve', 'settle', 'release'].includes(step.kind)) {
    const r = step.kind === 'settle' ? ans.result.reservation : ans.result;
    req = { op: 'budgetReservation.get', as: SYS(o.id), params: { id: r.id } };
    want = { status: r.status };
  } else if (step.kind === 'limit') {
    req = { op: 'organization.get', as: { organizationId: o.id, userId: o.owner }, params: {} };
    want = { dailyCostLimitMicros: step.value };
  } else return;
  const got = await call(v, req);
  if (!got.ok) { violate(seed, n, v.d.name, 'I3', `${req.op} after ${step.kind}: ${got.error.code}`); return; }
  for (const [key, val] of Object.entries(want)) {
    if (got.result[key] !== val) violate(seed, n, v.d.name, 'I3', `${step.kind} acknowledged ${key}=${val}, read back ${got.result[key]}`);
  }
}

async function sequence(seed, views) {
  const r = rng(seed * 2654435761);
  const nOrgs = r.int(2, 3);
  const limits = Array.from({ length: nOrgs }, () => r.int(10, 50) * 1_000_000);
  const t0 = Date.parse('2025-01-01T08:59:00Z') + (seed % 700) * DAY;
  await Promise.all(views.map((v) => setup(v, seed, r, nOrgs, limits, t0)));
  const ref = views[0];
  let state = await Promise.all(views.map(readState));
  const nSteps = r.int(15, 30);
  for (let n = 0; n < nSteps; n++) {
    const step = generate(r, ref, state[0].map((s) => s.items));
    if (step.kind === 'clock') {
      let target = step.midnight ? Math.floor(ref.now / DAY) * DAY + DAY + step.jitter : ref.now + step.delta;
      // Retry times carry a jitter derived from the item id (ids differ between engines): never
      // stop the clock between two engines' retry times of the same item.
      for (let pass = 0; pass < 3; pass++) {
        for (let k = 0; k < ref.orgs.length; k++) {
          ref.orgs[k].items.forEach((_id, i) => {
            const ra = views.map((v, e) => Date.parse(state[e][k].items.get(v.orgs[k].items[i])?.runAfter ?? '') || 0);
            if (ra.some((t) => t <= target) && ra.some((t) => t > target)) target = Math.max(...ra) + 1000;
          });
        }
      }
      step.target = target;
    }
    const res = await Promise.all(views.map((v) => perform(step, v)));
    stats.steps++;
    if (VERBOSE) console.log(`seed ${seed} step ${n} ${JSON.stringify(step)} -> ${res.map((x) => (x.ans.ok ? 'ok' : x.ans.error.code)).join(' / ')}`);
    state = await Promise.all(views.map(readState));
    for (let e = 0; e < views.length; e++) {
      const v = views[e];
      const { req, ans } = res[e];
      // Claims never fail; a due pending item of an unblocked org is claimed (I1).
      if (step.kind === 'claim') {
        if (!ans.ok) violate(seed, n, v.d.name, 'I1', `queue.claim refused: ${ans.error.code} ${ans.error.message?.slice(0, 120)}`);
      }
      if (step.kind === 'hostile') {
        const want = HOSTILE_CODE[step.what];
        if (ans.ok || ans.error.code !== want) violate(seed, n, v.d.name, 'hostile', `${req.op} (${step.what}) answered ${ans.ok ? 'ok' : ans.error.code}, want ${want}`);
        // Whatever that row holds, every organization's claims still answer (I1).
        for (const o of v.orgs) {
          const c = await call(v, { op: 'queue.claim', as: SYS(o.id), params: { workerId: 'probe', limit: 1, leaseSeconds: 10 } });
          if (!c.ok) violate(seed, n, v.d.name, 'I1', `after ${step.what}: queue.claim refused: ${c.error.code} ${c.error.message?.slice(0, 120)}`);
          else for (const x of c.result.items) o.tokens.set(x.item.id, x.token);
        }
      }
      if (step.kind === 'settle' && step.over && ans.ok) violate(seed, n, v.d.name, 'I2', 'a cost above its estimate was settled');
      await readBack(seed, n, v, step, ans);
      checkState(seed, n, v, state[e]);
    }
    if (views.length > 1) {
      const codes = res.map((x) => (x.ans.ok ? (step.kind === 'claim' ? `ok:${x.ans.result.items.length}` : 'ok') : x.ans.error.code));
      if (new Set(codes).size > 1) violate(seed, n, 'both', 'I4', `${step.kind}${step.what ? `(${step.what})` : ''}: ${views.map((v, e) => `${v.d.name}=${codes[e]}`).join(' ')}`);
    }
    // I1 after every step: a due pending item of an unblocked org must be claimable. Checked on
    // the next claim of that org (the step itself); here: no claim left the queue unserved.
    if (step.kind === 'claim') {
      state.forEach((s, e) => {
        const v = views[e];
        const o = v.orgs[step.k];
        const ans = res[e].ans;
        if (!ans.ok || ans.result.items.length) return;
        const today = new Date(v.now).toISOString().slice(0, 10);
        const spent = s[step.k].daily.find((d) => d.date === today)?.costMicros ?? 0;
        if (spent >= o.limit) return;
        const due = [...s[step.k].items.values()].filter((i) => i.status === 'pending' && Date.parse(i.runAfter) <= v.now);
        if (due.length) violate(seed, n, v.d.name, 'I1', `claim returned nothing while ${due.length} item(s) were due`);
      });
    }
  }
  stats.sequences++;
}

async function main() {
  const t0 = Date.now();
  const views0 = await openEngines();
  try {
    for (let s = 0; s < N; s++) {
      const views = views0.map((d) => new View(d));
      try {
        await sequence(SEED0 + s, views);
      } catch (e) {
        violate(SEED0 + s, -1, 'runner', 'error', e.stack || String(e));
      }
      if (VERBOSE || (s + 1) % 500 === 0) console.log(`  ${s + 1} sequences, ${stats.steps} steps, ${stats.violations} violations (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  } finally {
    await Promise.all(views0.map((d) => d.close()));
  }
  for (const v of violations) console.log(`  VIOLATION ${v}`);
  if (stats.violations > violations.length) console.log(`  … and ${stats.violations - violations.length} more`);
  console.log(`model: ${stats.sequences} sequences x ${views0.length} engine(s) (${views0.map((d) => d.name).join(', ')}), ${stats.steps} steps, ${stats.violations} violations (${((Date.now() - t0) / 1000).toFixed(1)} s, ${stats.calls} calls)`);
  return stats.violations === 0 ? 0 : 1;
}

main().then((c) => process.exit(c), (e) => { console.error(e); process.exit(2); });
