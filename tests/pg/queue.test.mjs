// The queue functions against real concurrency: 8 workers on separate connections claim 5,000
// due items (FOR UPDATE SKIP LOCKED) and complete each exactly once; a killed worker loses its
// lease to another; stale tokens are refused; retries back off exactly as the core; the budget
// circuit breaker and inactive projects stop claims.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import { backoffMs, conn, freshDb, makeTenant, serviceClient } from './helpers.mjs';

const DB = 'ec_queue';
let c;
before(async () => {
  await freshDb(DB);
  c = await serviceClient(DB);
});
after(async () => c && c.end());

async function addItems(k, t, n, { start = '2025-01-01T00:00:00Z', maxAttempts = 3 } = {}) {
  const { rows } = await k.query(
    `insert into episode_schedule_queue (organization_id, project_id, scheduled_for, run_after, max_attempts)
     select $1, $2, $3::timestamptz + make_interval(mins => g), $3::timestamptz + make_interval(mins => g), $5
       from generate_series(0, $4 - 1) g returning id`, [t.org, t.project, start, n, maxAttempts]);
  return rows.map((r) => r.id);
}

async function worker(name, org) {
  return serviceClient(DB);
}

test('8 concurrent workers complete 5,000 due items, each exactly once', { timeout: 150_000 }, async () => {
  const t = await makeTenant(c, { slug: 'queue-load', limit: 10_000_000_000 });
  const ids = await addItems(c, t, 5000);
  const workers = await Promise.all(Array.from({ length: 8 }, (_, i) => worker(`w${i}`)));
  const completed = [];
  const perWorker = new Array(8).fill(0);
  try {
    await Promise.all(workers.map(async (k, i) => {
      for (;;) {
        const { rows } = await k.query(`select id, attempts from public.queue_claim($1, 10, 300, $2)`, [`w${i}`, t.org]);
        if (rows.length === 0) break;
        for (const r of rows) {
          await k.query(`select public.queue_complete($1, $2, $3::jsonb)`, [r.id, r.attempts,
            JSON.stringify({ model: 'm', inputTokens: 10, outputTokens: 20, costMicros: 1 })]);
          completed.push(r.id);
          perWorker[i]++;
        }
      }
    }));
  } finally {
    await Promise.allSettled(workers.map((k) => k.end()));
  }
  assert.equal(completed.length, 5000, 'completions');
  assert.equal(new Set(completed).size, 5000, 'no item completed twice');
  assert.deepEqual(new Set(completed), new Set(ids));
  assert.ok(perWorker.filter((n) => n > 0).length >= 4, `work spread over workers: ${perWorker}`);
  const { rows: [s] } = await c.query(`
    select count(*) filter (where status = 'completed')::int as done, max(attempts)::int as max_attempts,
           count(distinct episode_id)::int as episodes from episode_schedule_queue where organization_id = $1`, [t.org]);
  assert.deepEqual(s, { done: 5000, max_attempts: 1, episodes: 5000 });
  const { rows: [e] } = await c.query(`select count(*)::int as n, count(distinct number)::int as numbers, max(number)::int as top,
      count(*) filter (where status = 'ready')::int as ready from episodes where project_id = $1`, [t.project]);
  assert.deepEqual(e, { n: 5000, numbers: 5000, top: 5000, ready: 5000 });
  const { rows: [u] } = await c.query(`select call_count::int as calls from token_usage_daily where organization_id = $1`, [t.org]);
  assert.equal(u.calls, 5000);
  const { rows: [a] } = await c.query(`select count(*)::int as n from audit_log where organization_id = $1 and action = 'claim'`, [t.org]);
  assert.equal(a.n, 5000, 'one audit row per claim');
});

test('a worker killed mid-item loses its lease; another completes the item; the stale token is refused', { timeout: 30_000 }, async () => {
  const t = await makeTenant(c, { slug: 'queue-kill' });
  const [id] = await addItems(c, t, 1);
  // A real worker process that claims and then dies without finishing.
  const child = spawn(process.execPath, ['--input-type=module', '-e', `
    import pg from 'pg';
    pg.types.setTypeParser(20, (v) => Number(v));
    const k = new pg.Client(${JSON.stringify({ ...conn, database: DB })});
    await k.connect();
    await k.query('set role service_role');
    const { rows } = await k.query("select id, attempts, locked_until from public.queue_claim('doomed', 1, 10, $1)", ['${t.org}']);
    console.log(JSON.stringify(rows[0]));
    setInterval(() => {}, 1000);`], { cwd: new URL('.', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => { buf += d; if (buf.includes('\n')) resolve(buf.split('\n')[0]); });
    child.on('exit', (code) => reject(new Error(`worker exited early (${code})`)));
  });
  const claimed = JSON.parse(line);
  child.removeAllListeners('exit');
  child.kill('SIGKILL');
  assert.equal(claimed.id, id);
  assert.equal(claimed.attempts, 1);
  // Before the lease expires nobody else gets it.
  let r = await c.query(`select id from public.queue_claim('rescuer', 5, 60, $1)`, [t.org]);
  assert.equal(r.rows.length, 0);
  // Once it expired (the clock moved 11 s on), the rescuer claims it with the next token.
  r = await c.query(`select id, attempts, locked_by from public.queue_claim('rescuer', 5, 60, $1, now() + interval '11 seconds')`, [t.org]);
  assert.deepEqual(r.rows, [{ id, attempts: 2, locked_by: 'rescuer' }]);
  const ep = await c.query(`select generation_attempts, generation_errors from episodes e
    join episode_schedule_queue q on q.episode_id = e.id where q.id = $1`, [id]);
  assert.equal(Number(ep.rows[0].generation_attempts), 2);
  assert.equal(ep.rows[0].generation_errors[0].code, 'lease_expired');
  assert.match(ep.rows[0].generation_errors[0].message, /lease of doomed expired/);
  // The dead worker's late completion (token 1) is refused; the state is unchanged.
  await assert.rejects(c.query(`select public.queue_complete($1, 1)`, [id]), (e) => e.code === 'EC409' && /stale_lease/.test(e.message));
  await assert.rejects(c.query(`select public.queue_fail($1, 1, 'x', 'y')`, [id]), (e) => e.code === 'EC409');
  await assert.rejects(c.query(`select public.queue_extend($1, 1, 60)`, [id]), (e) => e.code === 'EC409');
  r = await c.query(`select status, locked_by from episode_schedule_queue where id = $1`, [id]);
  assert.deepEqual(r.rows[0], { status: 'processing', locked_by: 'rescuer' });
  await c.query(`select public.queue_complete($1, 2)`, [id]);
  // Completing twice is refused too: the item is no longer processing.
  await assert.rejects(c.query(`select public.queue_complete($1, 2)`, [id]), (e) => e.code === 'EC409' && /completed/.test(e.message));
});

test('failures retry after the core\'s exact backoff, then fail the item and its episode', async () => {
  const t = await makeTenant(c, { slug: 'queue-backoff' });
  const [id] = await addItems(c, t, 1, { maxAttempts: 3 });
  let now = new Date('2025-08-15T12:00:00.000Z');
  for (let attempt = 1; attempt <= 3; attempt++) {
    const { rows } = await c.query(`select id, attempts from public.queue_claim('w', 1, 60, $1, $2)`, [t.org, now]);
    assert.deepEqual(rows, [{ id, attempts: attempt }]);
    const { rows: [f] } = await c.query(`select * from public.queue_fail($1, $2, 'llm_error', $4, $3)`, [id, attempt, now, `boom ${attempt}`]);
    if (attempt < 3) {
      assert.equal(f.status, 'pending');
      assert.equal(f.run_after.getTime(), now.getTime() + backoffMs(id, attempt), `backoff after attempt ${attempt}`);
      // Not claimable before run_after.
      const early = await c.query(`select id from public.queue_claim('w', 1, 60, $1, $2)`, [t.org, new Date(f.run_after.getTime() - 1)]);
      assert.equal(early.rows.length, 0);
      now = f.run_after;
    } else {
      assert.equal(f.status, 'failed');
      assert.equal(f.last_error, 'llm_error: boom 3');
    }
  }
  const { rows: [e] } = await c.query(`select e.status, e.generation_errors from episodes e join episode_schedule_queue q
    on q.episode_id = e.id where q.id = $1`, [id]);
  assert.equal(e.status, 'failed');
  assert.deepEqual(e.generation_errors.map((x) => [x.code, x.attempt]), [['llm_error', 1], ['llm_error', 2], ['llm_error', 3]]);
  assert.match(e.generation_errors[0].at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('an expired lease on the last attempt fails the item instead of handing it out again', async () => {
  const t = await makeTenant(c, { slug: 'queue-dead' });
  const [id] = await addItems(c, t, 1, { maxAttempts: 1 });
  const now = new Date('2025-08-15T12:00:00.000Z');
  await c.query(`select id from public.queue_claim('w1', 1, 10, $1, $2)`, [t.org, now]);
  const { rows } = await c.query(`select id from public.queue_claim('w2', 1, 10, $1, $2)`, [t.org, new Date(now.getTime() + 11_000)]);
  assert.equal(rows.length, 0);
  const { rows: [q] } = await c.query(`select status, last_error from episode_schedule_queue where id = $1`, [id]);
  assert.equal(q.status, 'failed');
  assert.match(q.last_error, /^lease_expired: the lease of w1 expired at .* on the last attempt$/);
});

test('the circuit breaker and inactive projects stop claims', async () => {
  const t = await makeTenant(c, { slug: 'queue-breaker', limit: 1_000_000 });
  await addItems(c, t, 3);
  const now = new Date('2025-08-15T12:00:00.000Z');
  await c.query(`insert into token_usage (organization_id, project_id, model, input_tokens, output_tokens, cost_micros, occurred_at)
                 values ($1, $2, 'm', 1, 1, 1000000, $3)`, [t.org, t.project, now]);
  let r = await c.query(`select id from public.queue_claim('w', 5, 60, $1, $2)`, [t.org, now]);
  assert.equal(r.rows.length, 0, 'spent reached the limit: nothing claimed');
  const { rows: [st] } = await c.query(`select public.budget_status($1, $2) as s`, [t.org, now]);
  assert.equal(st.s.blocked, true);
  assert.match(st.s.reason, /£1\.00 reached the £1\.00 daily limit/);
  // The next UTC day has a fresh budget.
  r = await c.query(`select id from public.queue_claim('w', 1, 60, $1, $2)`, [t.org, new Date('2025-08-16T00:00:01Z')]);
  assert.equal(r.rows.length, 1);
  // A paused project's items are not claimed.
  await c.query(`update projects set status = 'paused' where id = $1`, [t.project]);
  r = await c.query(`select id from public.queue_claim('w', 5, 60, $1, $2)`, [t.org, new Date('2025-08-16T00:00:02Z')]);
  assert.equal(r.rows.length, 0);
  await c.query(`update projects set status = 'active', deleted_at = now() where id = $1`, [t.project]);
  r = await c.query(`select id from public.queue_claim('w', 5, 60, $1, $2)`, [t.org, new Date('2025-08-16T00:00:03Z')]);
  assert.equal(r.rows.length, 0, 'soft-deleted project');
});
