// The cost circuit breaker holds the daily cap in PostgreSQL exactly as in the core
// (tests/core/budget_invariant_test.cpp): for every organization and UTC day D, settled spend
// attributed to D never exceeds the limit in force at D's last grant while every settled cost is
// within its reservation, whatever time does (lease extensions and expiry, reservation expiry,
// midnight, clock moves, limit changes). Issue 11 item 2 as scenarios with their right values,
// then seeded random histories checked after every step against sums over token_usage.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freshDb, makeTenant, rollupMismatches, serviceClient } from './helpers.mjs';

const DB = 'ec_budget_invariant';
const POUND = 1_000_000;
const MIN = 60_000;
const HOUR = 60 * MIN;
let c;
before(async () => {
  await freshDb(DB);
  c = await serviceClient(DB);
});
after(async () => c && c.end());

const usage = (cost, extra = {}) => JSON.stringify({ model: 'claude-sonnet-4', inputTokens: 100, outputTokens: 200, costMicros: cost, ...extra });
const d = (iso) => new Date(iso);
const day = (t) => new Date(t).toISOString().slice(0, 10);

async function items(t, n, start) {
  const { rows } = await c.query(
    `insert into episode_schedule_queue (organization_id, project_id, scheduled_for, run_after)
     select $1, $2, $3::timestamptz + make_interval(hours => g), $3::timestamptz + make_interval(hours => g)
       from generate_series(0, $4 - 1) g returning id`, [t.org, t.project, start, n]);
  return rows.map((r) => r.id);
}
const claim = async (t, now, lease = 300, limit = 1) =>
  (await c.query(`select * from public.queue_claim('w', $1, $2, $3, $4)`, [limit, lease, t.org, now])).rows;
const reserve = async (t, est, now, item = null, ttl = 900) =>
  (await c.query(`select * from public.budget_reserve($1, $2, $3, $4, $5)`, [t.org, est, item, ttl, now])).rows[0];
const settle = async (id, u, now) => (await c.query(`select public.budget_settle($1, $2::jsonb, $3) as s`, [id, u, now])).rows[0].s;
const status = async (t, now) => (await c.query(`select public.budget_status($1, $2) as s`, [t.org, now])).rows[0].s;
const reservation = async (id) => (await c.query(`select * from budget_reservations where id = $1`, [id])).rows[0];
async function spentOn(t, date) {
  const { rows: [r] } = await c.query(`select coalesce(sum(cost_micros), 0)::bigint as s from token_usage
    where organization_id = $1 and (occurred_at at time zone 'UTC')::date = $2::date`, [t.org, date]);
  return r.s;
}
const rejects = (p, code, re) => assert.rejects(p, (e) => e.code === code && (!re || re.test(e.message)) || assert.fail(`${e.code} ${e.message}`));

test('issue 11: a reservation held past its 900 s by queue_extend still counts (£50 cap, not £80)', async () => {
  const t = await makeTenant(c, { slug: 'inv-quoted', limit: 50 * POUND });
  let now = d('2025-08-18T08:00:00.000Z');
  await items(t, 2, '2025-08-18T06:00:00Z');
  const [item] = await claim(t, now, 300);
  const r1 = await reserve(t, 30 * POUND, now, item.id, 900);
  assert.equal(r1.expires_at.toISOString(), '2025-08-18T08:15:00.000Z');
  for (let k = 1; k <= 10; k++) {
    now = new Date(now.getTime() + 4 * MIN);
    await c.query(`select public.queue_extend($1, $2, 300, $3)`, [item.id, item.attempts, now]);
    assert.equal((await reservation(r1.id)).expires_at.getTime(), Math.max(d('2025-08-18T08:15:00Z').getTime(), now.getTime() + 5 * MIN));
  }
  assert.equal((await status(t, now)).reservedMicros, 30 * POUND);
  await rejects(reserve(t, 30 * POUND, now), 'EC402', /^budget_exceeded: reserving £30\.00 would pass the £50\.00 daily limit \(spent £0\.00, reserved £30\.00\)/);
  // Above the estimate: refused with the estimate in the detail; nothing written.
  await assert.rejects(c.query(`select public.queue_complete($1, $2, $3::jsonb, $4)`, [item.id, item.attempts, usage(45 * POUND), now]),
    (e) => e.code === 'EC402' && e.message === 'budget_exceeded: the cost £45.00 is above the £30.00 reserved for it'
      && JSON.parse(e.detail).estimateMicros === 30 * POUND);
  await c.query(`select public.queue_complete($1, $2, $3::jsonb, $4)`, [item.id, item.attempts, usage(30 * POUND), now]);
  assert.equal((await reservation(r1.id)).status, 'settled');
  await rejects(reserve(t, 30 * POUND, now), 'EC402');
  const r2 = await reserve(t, 20 * POUND, now);
  await settle(r2.id, usage(20 * POUND, { projectId: t.project }), now);
  assert.equal(await spentOn(t, '2025-08-18'), 50 * POUND);
  assert.equal((await status(t, now)).blocked, true);
  assert.equal((await claim(t, now)).length, 0);
});

test('a settle after midnight (or a clock gone back) is attributed to the reservation\'s day', async () => {
  const t = await makeTenant(c, { slug: 'inv-midnight', limit: 50 * POUND });
  const r = await reserve(t, 10 * POUND, d('2025-08-18T23:59:00Z'));
  const s = await settle(r.id, usage(9 * POUND, { projectId: t.project }), d('2025-08-19T00:05:00Z'));
  assert.equal(s.usage.occurred_at, '2025-08-18T23:59:59.999+00:00');
  assert.equal(await spentOn(t, '2025-08-18'), 9 * POUND);
  assert.equal(await spentOn(t, '2025-08-19'), 0);
  const r2 = await reserve(t, POUND, d('2025-08-19T00:05:00Z'));
  const s2 = await settle(r2.id, usage(POUND, { projectId: t.project, occurredAt: '2025-08-17T12:00:00Z' }), d('2025-08-18T22:00:00Z'));
  assert.equal(s2.usage.occurred_at, '2025-08-19T00:00:00+00:00');
  assert.deepEqual(await rollupMismatches(c), []);
});

test('an expired reservation settles until a grant passes it over, then never (EC410)', async () => {
  const t = await makeTenant(c, { slug: 'inv-expired', limit: 50 * POUND });
  const t0 = d('2025-08-18T08:00:00Z').getTime();
  const r1 = await reserve(t, 30 * POUND, new Date(t0), null, 60);
  await settle(r1.id, usage(10 * POUND, { projectId: t.project }), new Date(t0 + 2 * MIN));
  const r2 = await reserve(t, 30 * POUND, new Date(t0 + 2 * MIN), null, 60);
  const r3 = await reserve(t, 40 * POUND, new Date(t0 + 4 * MIN));
  assert.equal((await reservation(r2.id)).status, 'released');
  const { rows: [a] } = await c.query(`select count(*)::int as n from audit_log where entity_id = $1 and action = 'expire'`, [r2.id]);
  assert.equal(a.n, 1);
  await rejects(settle(r2.id, usage(30 * POUND, { projectId: t.project }), new Date(t0 + 4 * MIN)), 'EC410', /^conflict: the reservation is already released/);
  await rejects(settle(r2.id, usage(30 * POUND, { projectId: t.project }), new Date(t0 + MIN)), 'EC410');
  await settle(r3.id, usage(40 * POUND, { projectId: t.project }), new Date(t0 + MIN));
  assert.equal(await spentOn(t, '2025-08-18'), 50 * POUND);
  await rejects(c.query(`select public.budget_release($1, $2)`, [r3.id, new Date(t0)]), 'EC410');
});

test('usage without a reservation is a grant; a lowered limit blocks, open holds still settle', async () => {
  const t = await makeTenant(c, { slug: 'inv-unreserved', limit: 50 * POUND });
  const now = d('2025-08-18T08:00:00Z');
  await items(t, 3, '2025-08-18T06:00:00Z');
  const [item] = await claim(t, now);
  await reserve(t, 20 * POUND, now);
  await assert.rejects(c.query(`select public.queue_complete($1, $2, $3::jsonb, $4)`, [item.id, item.attempts, usage(31 * POUND), now]),
    (e) => e.code === 'EC402' && /^budget_exceeded: recording £31\.00 would pass the £50\.00 daily limit \(spent £0\.00, reserved £20\.00\)/.test(e.message)
      && JSON.parse(e.detail).cost === 31 * POUND);
  await c.query(`select public.queue_complete($1, $2, $3::jsonb, $4)`, [item.id, item.attempts, usage(30 * POUND), now]);
  await rejects(c.query(`select public.usage_record($1, $2::jsonb, $3)`, [t.org, usage(1, { projectId: t.project }), now]), 'EC402');
  await c.query(`select public.usage_record($1, $2::jsonb, $3)`, [t.org, usage(50 * POUND, { projectId: t.project, occurredAt: '2025-08-17T10:00:00Z' }), now]);
  assert.equal(await spentOn(t, '2025-08-17'), 50 * POUND);
  // Lower the limit below today's spend: blocked, nothing breaks, the open £20 hold settles.
  const [item2] = await claim(t, now);
  const held = await reserve(t, 0, now, item2.id);
  await c.query(`update organizations set daily_cost_limit_micros = $2 where id = $1`, [t.org, 10 * POUND]);
  const st = await status(t, now);
  assert.equal(st.blocked, true);
  assert.equal(st.remainingMicros, 0);
  await rejects(reserve(t, 0, now), 'EC402');
  assert.equal((await claim(t, now)).length, 0);
  const { rows: [open] } = await c.query(`select id from budget_reservations where organization_id = $1 and status = 'open' and queue_item_id is null`, [t.org]);
  await settle(open.id, usage(20 * POUND, { projectId: t.project }), now);
  await c.query(`select public.queue_complete($1, $2, $3::jsonb, $4)`, [item2.id, item2.attempts, usage(0), now]);
  assert.equal((await reservation(held.id)).status, 'settled');
  assert.equal(await spentOn(t, '2025-08-18'), 50 * POUND);
});

test('a blocked organization is not claimed (retries wait); other organizations are served', async () => {
  const a = await makeTenant(c, { slug: 'inv-block-a', limit: 50 * POUND });
  const b = await makeTenant(c, { slug: 'inv-block-b', limit: 50 * POUND });
  const now = d('2025-08-18T08:00:00Z');
  await items(a, 3, '2025-08-18T06:00:00Z');
  await items(b, 1, '2025-08-18T06:00:00Z');
  const [item] = await claim(a, now);
  await c.query(`select public.queue_fail($1, $2, 'x', 'boom', $3)`, [item.id, item.attempts, now]);
  const r = await reserve(a, 50 * POUND, now);
  await settle(r.id, usage(50 * POUND, { projectId: a.project }), now);
  const later = new Date(now.getTime() + 2 * HOUR);
  // The all-tenant claim serves B only.
  const { rows } = await c.query(`select * from public.queue_claim('w', 100, 300, null, $1)`, [later]);
  assert.deepEqual([...new Set(rows.map((x) => x.organization_id))].filter((o) => o === a.org || o === b.org), [b.org]);
  const next = await claim(a, d('2025-08-19T07:00:00Z'), 300, 10);
  assert.equal(next[0].id, item.id);
  assert.equal(next[0].attempts, 2);
});

// ---------------------------------------------------------------------------------------------
// Random histories (same generator shape as the core's).
function rng(seed) {
  let s = BigInt(seed) * 6364136223846793005n + 1442695040888963407n;
  return () => {
    s = (s * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return Number(s >> 33n) / 2 ** 31;
  };
}

test('the daily cap holds over random histories of 2 organizations and several days', { timeout: 600_000 }, async () => {
  const sequences = Number(process.env.EC_BUDGET_SEQUENCES || 12);
  const steps = 60;
  const counts = {};
  const bump = (k) => { counts[k] = (counts[k] || 0) + 1; };
  for (let seq = 0; seq < sequences; seq++) {
    const r = rng(seq + 1);
    const uni = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
    const pick = (v) => v[uni(0, v.length - 1)];
    const ts = [];
    for (let i = 0; i < 2; i++) ts.push(await makeTenant(c, { slug: `inv-r${seq}-${i}`, limit: 50 * POUND }));
    const limit = [50 * POUND, 50 * POUND];
    let now = d('2025-08-18T08:00:00Z').getTime();
    for (const t of ts) await items(t, 60, '2025-08-18T06:00:00Z');
    const cap = new Map();  // `${org} ${day}` -> limit at the day's last grant
    const granted = (i, date) => cap.set(`${ts[i].org} ${date}`, limit[i]);
    const res = [];
    const held = [];
    const attempt = async (p, allowed) => {
      try {
        return await p;
      } catch (e) {
        assert.ok(allowed.includes(e.code), `${e.code} ${e.message}`);
        bump(`refused ${e.code}`);
        return null;
      }
    };
    for (let step = 0; step < steps; step++) {
      const i = uni(0, 1);
      const t = ts[i];
      const kind = uni(0, 99);
      const at = new Date(now);
      if (kind < 18) {
        const est = uni(0, 30) * POUND + uni(0, 999_999);
        const mine = held.filter((h) => h.org === i);
        const item = mine.length && uni(0, 1) ? pick(mine).id : null;
        const row = await attempt(reserve(t, est, at, item, pick([30, 300, 900, 3600])), ['EC402']);
        if (row) { bump('reserve'); granted(i, day(now)); res.push({ org: i, id: row.id, est, forItem: item !== null }); }
      } else if (kind < 32) {
        if (!res.length) continue;
        const r0 = pick(res);
        const over = uni(0, 9) === 0;
        const cost = over ? r0.est + uni(1, 5 * POUND) : uni(0, 1) ? r0.est : uni(0, r0.est);
        const extra = r0.forItem ? {} : { projectId: ts[r0.org].project };
        if (uni(0, 3) === 0) extra.occurredAt = new Date(now + uni(-30, 30) * HOUR).toISOString();
        const s = await attempt(settle(r0.id, usage(cost, extra), at), over ? ['EC402', 'EC410'] : ['EC410']);
        assert.ok(!(over && s), 'a cost above the estimate was settled');
        if (s) { bump('settle'); assert.equal(day(s.usage.occurred_at), s.reservation.date); }
      } else if (kind < 38) {
        if (!res.length) continue;
        const r0 = pick(res);
        if (await attempt(c.query(`select public.budget_release($1, $2)`, [r0.id, at]), ['EC410'])) bump('release');
      } else if (kind < 50) {
        const rows = await claim(t, at, uni(30, 1500), uni(1, 2));
        if (!rows.length) bump('claim none');
        for (const x of rows) { held.push({ org: i, id: x.id, token: x.attempts }); bump('claim'); }
      } else if (kind < 62) {
        if (!held.length) continue;
        const h = pick(held);
        if (await attempt(c.query(`select public.queue_extend($1, $2, $3, $4)`, [h.id, h.token, uni(30, 3600), at]), ['EC409'])) bump('extend');
      } else if (kind < 74) {
        if (!held.length) continue;
        const h = pick(held);
        const u = uni(0, 4) ? usage(uni(0, 25) * POUND + uni(0, 999_999)) : null;
        const { rows: [cv] } = await c.query(`select count(*)::int as n from budget_reservations where queue_item_id = $1 and status = 'open'`, [h.id]);
        const done = await attempt(c.query(`select public.queue_complete($1, $2, $3::jsonb, $4)`, [h.id, h.token, u, at]), ['EC409', 'EC402']);
        if (done) {
          bump('complete');
          if (u && cv.n === 0) granted(h.org, day(now));
        }
      } else if (kind < 78) {
        if (!held.length) continue;
        const h = pick(held);
        if (await attempt(c.query(`select public.queue_fail($1, $2, 'x', 'm', $3)`, [h.id, h.token, at]), ['EC409'])) bump('fail');
      } else if (kind < 83) {
        const extra = { projectId: t.project };
        if (uni(0, 1)) extra.occurredAt = new Date(now - uni(0, 40) * HOUR).toISOString();
        const x = await attempt(c.query(`select * from public.usage_record($1, $2::jsonb, $3)`, [t.org, usage(uni(0, 20) * POUND, extra), at]), ['EC402']);
        if (x) { bump('unreserved usage'); granted(i, day(x.rows[0].occurred_at)); }
      } else if (kind < 86) {
        limit[i] = uni(0, 80) * POUND;
        await c.query(`update organizations set daily_cost_limit_micros = $2 where id = $1`, [t.org, limit[i]]);
        bump('limit change');
      } else {
        const how = uni(0, 5);
        if (how === 0) now += uni(1, 120) * 1000;
        if (how === 1) now += uni(1, 90) * MIN;
        if (how === 2) now += uni(6, 30) * HOUR;
        if (how === 3) now -= uni(1, 90) * MIN;
        if (how === 4) now -= uni(6, 30) * HOUR;
        if (how === 5) now = d(`${day(now)}T23:59:00Z`).getTime() + uni(0, 119) * 1000;
        bump('clock move');
      }
      // The invariant, from the raw rows.
      const { rows: spend } = await c.query(`select organization_id as org, (occurred_at at time zone 'UTC')::date::text as date,
          sum(cost_micros)::bigint as s from token_usage where organization_id = any($1) group by 1, 2`, [ts.map((x) => x.org)]);
      for (const row of spend) {
        if (row.s === 0) continue;
        const key = `${row.org} ${row.date}`;
        assert.ok(cap.has(key), `sequence ${seq} step ${step}: spend on ${key} without a grant`);
        assert.ok(row.s <= cap.get(key), `sequence ${seq} step ${step}: ${key} spent ${row.s} > cap ${cap.get(key)}`);
      }
    }
    assert.deepEqual(await rollupMismatches(c), []);
  }
  console.log(`# budget invariant (PostgreSQL): ${sequences} sequences x ${steps} steps: ${JSON.stringify(counts)}`);
  assert.ok(counts.settle > 0 && counts.extend > 0 && counts['refused EC402'] > 0, JSON.stringify(counts));
});
