// TokenUsageDaily kept by triggers: random inserts, updates (amounts, day, organization) and
// deletes keep it equal to the sums of TokenUsage; ids are the deterministic (org, day) ones.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { client, freshDb, makeTenant, rollupMismatches } from './helpers.mjs';

const DB = 'ec_triggers';
let c;
before(async () => {
  await freshDb(DB);
  c = await client(DB);
});
after(async () => c && c.end());

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

test('random usage inserts, updates and deletes keep TokenUsageDaily equal to the sums', async () => {
  const tenants = [await makeTenant(c, { slug: 'rollup-a' }), await makeTenant(c, { slug: 'rollup-b' })];
  const rand = rng(8);
  const ids = [];
  const day0 = Date.UTC(2025, 7, 10);
  for (let step = 0; step < 1500; step++) {
    const r = rand();
    if (r < 0.55 || ids.length < 10) {
      const t = tenants[Math.floor(rand() * 2)];
      // instants near UTC midnight too, where a wrong time zone would pick the wrong day
      const at = new Date(day0 + Math.floor(rand() * 5) * 86_400_000 + (rand() < 0.3 ? 86_399_000 : Math.floor(rand() * 86_400_000)));
      const { rows } = await c.query(
        `insert into token_usage (organization_id, project_id, model, input_tokens, output_tokens, cost_micros, occurred_at)
         values ($1, $2, 'gpt-x', $3, $4, $5, $6) returning id`,
        [t.org, t.project, Math.floor(rand() * 5000), Math.floor(rand() * 2000), Math.floor(rand() * 90_000), at]);
      ids.push(rows[0].id);
    } else if (r < 0.8) {
      const id = ids[Math.floor(rand() * ids.length)];
      const shift = Math.floor(rand() * 3) - 1;
      await c.query(`update token_usage set cost_micros = $2, input_tokens = input_tokens + 1,
                       occurred_at = occurred_at + make_interval(days => $3) where id = $1`,
        [id, Math.floor(rand() * 90_000), shift]);
    } else if (r < 0.85) {
      // moving a row to another organization (and its project) moves its totals too
      const id = ids[Math.floor(rand() * ids.length)];
      const t = tenants[Math.floor(rand() * 2)];
      await c.query(`update token_usage set organization_id = $2, project_id = $3 where id = $1`, [id, t.org, t.project]);
    } else if (r < 0.9) {
      // an update of columns the roll-up does not read
      await c.query(`update token_usage set model = 'gpt-y' where id = $1`, [ids[Math.floor(rand() * ids.length)]]);
    } else {
      const k = Math.floor(rand() * ids.length);
      await c.query(`delete from token_usage where id = $1`, [ids[k]]);
      ids.splice(k, 1);
    }
    if (step % 250 === 0) assert.deepEqual(await rollupMismatches(c), [], `after step ${step}`);
  }
  assert.deepEqual(await rollupMismatches(c), []);
  const { rows } = await c.query(`select count(*)::int as n from token_usage_daily
    where id <> (substr(organization_id::text, 1, 24) || '0000' || to_char(date, 'YYYYMMDD'))::uuid`);
  assert.equal(rows[0].n, 0, 'daily ids are derived from (organization, date) as in SQLite');
});

test('concurrent inserts on the same day from several connections sum exactly', { timeout: 60_000 }, async () => {
  const t = await makeTenant(c, { slug: 'rollup-concurrent' });
  const conns = await Promise.all(Array.from({ length: 6 }, () => client(DB)));
  try {
    await Promise.all(conns.map(async (k, w) => {
      for (let i = 0; i < 100; i++)
        await k.query(`insert into token_usage (organization_id, project_id, model, input_tokens, output_tokens, cost_micros, occurred_at)
                       values ($1, $2, 'm', 1, 2, $3, '2025-08-15T10:00:00Z')`, [t.org, t.project, w + 1]);
    }));
  } finally {
    await Promise.allSettled(conns.map((k) => k.end()));
  }
  const { rows: [d] } = await c.query(`select call_count, cost_micros, input_tokens from token_usage_daily
    where organization_id = $1 and date = '2025-08-15'`, [t.org]);
  assert.equal(Number(d.call_count), 600);
  assert.equal(Number(d.cost_micros), 100 * (1 + 2 + 3 + 4 + 5 + 6));
  assert.deepEqual(await rollupMismatches(c), []);
});
