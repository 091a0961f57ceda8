// Rules that count rows of one organization hold under concurrent transactions (review finding
// 10 and 8): each trigger takes the organization's advisory lock (private.lock_organization)
// before counting, so the second transaction waits for the first and counts its committed row.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { client, freshDb, makeTenant } from './helpers.mjs';

const DB = 'ec_concurrency_rules';
let c;
const open = [];
before(async () => {
  await freshDb(DB);
  c = await client(DB);
});
after(async () => {
  for (const x of [c, ...open]) await x?.end().catch(() => {});
});

async function session(uid) {
  const x = await client(DB);
  open.push(x);
  await x.query('begin');
  await x.query('set local role authenticated');
  await x.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: uid, role: 'authenticated' })]);
  return x;
}

async function settle(p) {
  try {
    return { ok: true, value: await p };
  } catch (e) {
    return { ok: false, error: e };
  }
}

test('two owners demoting each other concurrently leave one owner (the second is refused)', async () => {
  const A = await makeTenant(c, { slug: 'race-owners' });
  const { rows: [o2] } = await c.query(`insert into users (organization_id, email, name, role)
    values ($1, 'o2@race.example', 'O2', 'owner') returning id`, [A.org]);
  const c1 = await session(A.user);
  const c2 = await session(o2.id);
  assert.equal((await c1.query(`update users set role = 'admin' where id = $1`, [o2.id])).rowCount, 1);
  // c2 waits for c1's organization lock; it then counts c1's committed change and is refused.
  const second = settle(c2.query(`update users set role = 'admin' where id = $1`, [A.user]));
  await new Promise((r) => setTimeout(r, 200));
  await c1.query('commit');
  const r = await second;
  assert.equal(r.ok, false, 'the second demotion must be refused');
  assert.equal(r.error.code, '42501');
  await c2.query('rollback');
  const { rows: [n] } = await c.query(`select count(*)::int as n from users
    where organization_id = $1 and role = 'owner' and deleted_at is null`, [A.org]);
  assert.equal(n.n, 1);
});

test('two concurrent project inserts cannot pass the plan limit together', async () => {
  const A = await makeTenant(c, { slug: 'race-plan' });
  const { rows: [{ n: existing }] } = await c.query('select count(*)::int as n from projects where organization_id = $1', [A.org]);
  // Fill the plan (whatever its limit), as the owner, one transaction at a time.
  let made = existing;
  for (;;) {
    assert.ok(made < 200, 'the plan limit never refused a project');
    const x = await session(A.user);
    const r = await settle(x.query(`insert into projects (organization_id, owner_id, name, cadence_config)
      values ($1, $2, $3, '{"days":["mon"],"time":"09:00"}')`, [A.org, A.user, `P${made}`]));
    if (!r.ok) {
      await x.query('rollback');
      assert.equal(r.error.code, 'EC429');
      break;
    }
    await x.query('commit');
    made++;
  }
  // Free one slot, then two transactions each try to take it.
  await c.query(`update projects set status = 'archived' where id = (select id from projects
    where organization_id = $1 and status <> 'archived' order by created_at, id limit 1)`, [A.org]);
  const c1 = await session(A.user);
  const c2 = await session(A.user);
  const ins = (x, n) => x.query(`insert into projects (organization_id, owner_id, name, cadence_config)
    values ($1, $2, $3, '{"days":["mon"],"time":"09:00"}')`, [A.org, A.user, n]);
  assert.equal((await ins(c1, 'race-1')).rowCount, 1);
  const second = settle(ins(c2, 'race-2'));
  await new Promise((r) => setTimeout(r, 200));
  await c1.query('commit');
  const r = await second;
  assert.equal(r.ok, false, 'the second insert must be refused');
  assert.equal(r.error.code, 'EC429');
  assert.match(r.error.message, /^plan_limit: /);
  await c2.query('rollback');
  const { rows: [live] } = await c.query(`select count(*)::int as n from projects
    where organization_id = $1 and deleted_at is null and status <> 'archived'`, [A.org]);
  assert.equal(live.n, made);
});
