// The budget reservation is atomic: 50 concurrent reservations (separate connections) against a
// £50 daily limit never let spent + open reservations pass it; refusals carry EC402.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freshDb, makeTenant, serviceClient } from './helpers.mjs';

const DB = 'ec_budget';
const LIMIT = 50_000_000;  // £50 in micro-pounds
let c;
before(async () => {
  await freshDb(DB);
  c = await serviceClient(DB);
});
after(async () => c && c.end());

async function race(org, estimates, now) {
  const conns = await Promise.all(estimates.map(async () => {
    return serviceClient(DB);
  }));
  try {
    // All connections are ready: fire the 50 reservations at once.
    return await Promise.allSettled(conns.map((k, i) =>
      k.query(`select * from public.budget_reserve($1, $2, null, 900, $3)`, [org, estimates[i], now])));
  } finally {
    await Promise.allSettled(conns.map((k) => k.end()));
  }
}

test('50 concurrent reservations never let reserved + spent pass the £50 limit', { timeout: 60_000 }, async () => {
  const t = await makeTenant(c, { slug: 'budget-race', limit: LIMIT });
  const now = new Date('2025-08-15T12:00:00.000Z');
  // £12.34 already spent today.
  await c.query(`insert into token_usage (organization_id, project_id, model, input_tokens, output_tokens, cost_micros, occurred_at)
                 values ($1, $2, 'm', 1, 1, 12340000, $3)`, [t.org, t.project, now]);
  const estimates = Array.from({ length: 50 }, (_, i) => 1_000_000 + ((i * 7919) % 1_500_000));  // £1.00–£2.50
  const results = await race(t.org, estimates, now);
  const ok = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r) => r.status === 'rejected');
  for (const r of refused) {
    assert.equal(r.reason.code, 'EC402', r.reason.message);
    assert.match(r.reason.message, /^budget_exceeded: reserving £\d+\.\d\d would pass the £50\.00 daily limit/);
  }
  const reserved = ok.reduce((s, r) => s + Number(r.value.rows[0].estimate_micros), 0);
  assert.ok(12_340_000 + reserved <= LIMIT, `spent + reserved = ${12_340_000 + reserved}`);
  assert.ok(ok.length > 0 && refused.length > 0, `${ok.length} granted, ${refused.length} refused`);
  // Not overly cautious either: each refused estimate did not fit when it was checked, and
  // reservations only grew afterwards, so it does not fit the final state either.
  refused.forEach((r) => {
    const i = results.indexOf(r);
    assert.ok(12_340_000 + reserved + estimates[i] > LIMIT, `estimate ${estimates[i]} was refused though it fits`);
  });
  const { rows: [db] } = await c.query(`select coalesce(sum(estimate_micros), 0)::bigint as r, count(*)::int as n
    from budget_reservations where organization_id = $1 and status = 'open'`, [t.org]);
  assert.equal(db.r, reserved);
  assert.equal(db.n, ok.length);
  const { rows: [st] } = await c.query(`select public.budget_status($1, $2) as s`, [t.org, now]);
  assert.equal(st.s.spentMicros + st.s.reservedMicros, 12_340_000 + reserved);
  assert.equal(st.s.blocked, false);
});

test('expired and closed reservations stop counting; one organization does not use another\'s budget', async () => {
  const a = await makeTenant(c, { slug: 'budget-a', limit: LIMIT });
  const b = await makeTenant(c, { slug: 'budget-b', limit: LIMIT });
  const now = new Date('2025-08-15T12:00:00.000Z');
  await c.query(`select * from public.budget_reserve($1, 50000000, null, 60, $2)`, [a.org, now]);
  await assert.rejects(c.query(`select * from public.budget_reserve($1, 1, null, 60, $2)`, [a.org, now]), (e) => e.code === 'EC402');
  // B is untouched by A's reservation.
  await c.query(`select * from public.budget_reserve($1, 50000000, null, 60, $2)`, [b.org, now]);
  // After A's reservation expired (60 s), the budget is free again.
  await c.query(`select * from public.budget_reserve($1, 50000000, null, 60, $2)`, [a.org, new Date(now.getTime() + 61_000)]);
  await assert.rejects(c.query(`select * from public.budget_reserve($1, 1, null, 60, now())`, ['00000000-0000-4000-8000-000000000000']),
    (e) => e.code === 'P0002');
});

test('a completed queue item settles its reservation with the real usage', async () => {
  const t = await makeTenant(c, { slug: 'budget-settle', limit: LIMIT });
  const now = new Date('2025-08-15T12:00:00.000Z');
  const { rows: [item] } = await c.query(`insert into episode_schedule_queue (organization_id, project_id, scheduled_for, run_after)
    values ($1, $2, $3, $3) returning id`, [t.org, t.project, now]);
  const { rows: [claimed] } = await c.query(`select * from public.queue_claim('w', 1, 60, $1, $2)`, [t.org, now]);
  const { rows: [r] } = await c.query(`select * from public.budget_reserve($1, 2000000, $2, 900, $3)`, [t.org, item.id, now]);
  await c.query(`select public.queue_complete($1, $2, $3::jsonb, $4)`, [item.id, claimed.attempts,
    JSON.stringify({ model: 'm', inputTokens: 5, outputTokens: 6, costMicros: 1_500_000 }), now]);
  const { rows: [after_] } = await c.query(`select status from budget_reservations where id = $1`, [r.id]);
  assert.equal(after_.status, 'settled');
  const { rows: [st] } = await c.query(`select public.budget_status($1, $2) as s`, [t.org, now]);
  assert.equal(st.s.spentMicros, 1_500_000);
  assert.equal(st.s.reservedMicros, 0);
  const { rows: audit } = await c.query(`select action, entity_type, changes from audit_log where organization_id = $1 and entity_id = $2 order by occurred_at, action`, [t.org, r.id]);
  assert.deepEqual(audit.map((a) => a.action), ['reserve', 'settle']);
  assert.deepEqual(audit[1].changes, { status: { before: 'open', after: 'settled' } });
});
