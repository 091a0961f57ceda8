// A seeded SQLite database (episodes-core seed, else a small one made through `call`) loads into
// PostgreSQL with every row, the roll-up still equals the sums, and Row Level Security isolates
// its organizations: as a user of A no row of B is visible, writes into B are refused; anon sees
// nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { asAnon, asUser, cli, client, freshDb, psqlFile, publicTables, rollupMismatches, run } from './helpers.mjs';

const DB = 'ec_load';
const work = mkdtempSync(join(tmpdir(), 'ec-pg-load-'));
const sqlite = join(work, 'demo.sqlite');
const dump = join(work, 'demo.sql');
let c;
let counts;  // table -> rows exported

function seedSqlite() {
  const r = run(cli, ['seed', '--db', sqlite, '--seed', '42', '--size', 'demo', '--quiet']);
  if (r.status === 0) return;
  // No mock generator in this build: a couple of organizations through the JSON-lines API.
  const lines = [];
  const orgs = ['a', 'b'].map((k) => ({ k }));
  for (const o of orgs) lines.push({ op: 'organization.create', params: { name: `Org ${o.k}`, slug: `org-${o.k}` } });
  const out = run(cli, ['call', '--db', sqlite], lines.map((l) => JSON.stringify(l)).join('\n'));
  if (out.status !== 0) throw new Error(`could not create a seeded database: ${r.stderr} ${out.stdout}`);
}

before(async () => {
  seedSqlite();
  const r = run(cli, ['export', '--db', sqlite, '--dialect', 'postgres']);
  assert.equal(r.status, 0, r.stderr);
  writeFileSync(dump, r.stdout);
  counts = Object.fromEntries([...r.stderr.matchAll(/^export: (\w+) (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
  await freshDb(DB);
  c = await client(DB);
});
after(async () => {
  if (c) await c.end();
  rmSync(work, { recursive: true, force: true });
});

test('the seeded database loads with every row, in one transaction', async () => {
  const r = psqlFile(DB, dump);
  assert.equal(r.status, 0, r.stderr);
  const tables = await publicTables(c);
  assert.deepEqual(Object.keys(counts).sort(), tables);
  for (const t of tables) {
    const { rows } = await c.query(`select count(*)::int as n from public.${t}`);
    assert.equal(rows[0].n, counts[t], `${t} rows`);
  }
  assert.ok(counts.organizations >= 2 && counts.token_usage > 0, 'a realistic data set');
});

test('values survive the trip: instants, JSON and money', async () => {
  const sq = (sql) => run('sqlite3', ['-json', sqlite, sql]);
  const probe = sq('SELECT id, created_at, cost_micros FROM token_usage ORDER BY id LIMIT 1');
  if (probe.status !== 0) return;  // no sqlite3 CLI: counts and checks above still hold
  const [u] = JSON.parse(probe.stdout);
  const { rows: [p] } = await c.query(`select (extract(epoch from created_at) * 1000)::bigint as ms, cost_micros from token_usage where id = $1`, [u.id]);
  assert.equal(Number(p.ms), u.created_at);
  assert.equal(Number(p.cost_micros), u.cost_micros);
  const [proj] = JSON.parse(sq('SELECT id, cadence_config FROM projects ORDER BY id LIMIT 1').stdout);
  const { rows: [pp] } = await c.query(`select cadence_config from projects where id = $1`, [proj.id]);
  assert.deepEqual(pp.cadence_config, JSON.parse(proj.cadence_config));
});

test('loading the same data again is refused and changes nothing', async () => {
  const r = psqlFile(DB, dump);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /already exists/);
  const { rows } = await c.query(`select count(*)::int as n from organizations`);
  assert.equal(rows[0].n, counts.organizations);
});

test('after the load TokenUsageDaily equals the sums of TokenUsage', async () => {
  assert.deepEqual(await rollupMismatches(c), []);
  // ... and stays so when the triggers take over again.
  const { rows: [u] } = await c.query(`select id from token_usage limit 1`);
  await c.query(`update token_usage set cost_micros = cost_micros + 7, occurred_at = occurred_at - interval '3 days' where id = $1`, [u.id]);
  await c.query(`delete from token_usage where id in (select id from token_usage order by id desc limit 5)`);
  assert.deepEqual(await rollupMismatches(c), []);
});

async function orgsAndUsers() {
  const { rows } = await c.query(`
    select o.id as org, (select u.id from users u where u.organization_id = o.id and u.deleted_at is null
                         order by (u.role = 'member') desc, u.id limit 1) as member,
           (select u.id from users u where u.organization_id = o.id and u.deleted_at is null and u.role in ('owner', 'admin')
             order by u.id limit 1) as admin
      from organizations o order by o.id`);
  return rows;
}

test('RLS: as a user of organization A, every table shows only A rows and none of B', async () => {
  const orgs = await orgsAndUsers();
  assert.ok(orgs.length >= 2);
  const tables = await publicTables(c);
  for (const me of orgs) {
    for (const uid of [me.member, me.admin].filter(Boolean)) {
      await asUser(c, uid, async () => {
        for (const t of tables) {
          const col = t === 'organizations' ? 'id' : 'organization_id';
          const { rows: [r] } = await c.query(
            `select count(*) filter (where ${col} <> $1)::int as foreign, count(*)::int as mine from public.${t}`, [me.org]);
          assert.equal(r.foreign, 0, `${t}: rows of another organization are invisible`);
          if (t === 'organizations' || t === 'users') assert.ok(r.mine >= 1, `${t}: own rows visible`);
        }
      });
    }
    // The superuser sees more than any single user (the data set really has other organizations' rows).
    const { rows: [all] } = await c.query(`select count(distinct organization_id)::int as n from projects`);
    assert.ok(all.n >= 2);
  }
});

test('RLS: inserts and updates into another organization are refused', async () => {
  const [a, b] = await orgsAndUsers();
  const { rows: [bp] } = await c.query(`select id from projects where organization_id = $1 limit 1`, [b.org]);
  const { rows: [ap] } = await c.query(`select id, owner_id from projects where organization_id = $1 limit 1`, [a.org]);
  await asUser(c, a.admin ?? a.member, async () => {
    await c.query('savepoint s');
    await assert.rejects(c.query(
      `insert into projects (organization_id, owner_id, name, cadence_config) values ($1, $2, 'x', '{"days":["mon"],"time":"09:00"}')`, [b.org, ap.owner_id]),
      /row-level security/);
    await c.query('rollback to savepoint s');
    // Rows of B are invisible to UPDATE/DELETE: nothing changes.
    let r = await c.query(`update projects set name = 'hijacked' where id = $1`, [bp.id]);
    assert.equal(r.rowCount, 0);
    r = await c.query(`delete from projects where organization_id = $1`, [b.org]);
    assert.equal(r.rowCount, 0);
    r = await c.query(`update organizations set name = 'x' where id = $1`, [b.org]);
    assert.equal(r.rowCount, 0);
    // Moving an own row into B is refused (from v5 by the fields trigger, as the core refuses a
    // read_only field; WITH CHECK would refuse it too).
    await assert.rejects(c.query(`update projects set organization_id = $1 where id = $2`, [b.org, ap.id]),
      /row-level security|organizationId cannot be changed/);
    await c.query('rollback to savepoint s');
    // A child of A pointing at B's project fails the same-organization key.
    await assert.rejects(c.query(
      `insert into planning_notes (project_id, content) values ($1, 'x')`, [bp.id]), /foreign key|row-level/);
    await c.query('rollback to savepoint s');
    // Defaults: organization and author come from the signed-in user.
    r = await c.query(`insert into planning_notes (project_id, content) values ($1, 'from A') returning organization_id, author_id`, [ap.id]);
    assert.equal(r.rows[0].organization_id, a.org);
    // Tables kept by the core/triggers are read-only for users.
    await assert.rejects(c.query(`update token_usage_daily set cost_micros = 0`), /permission denied/);
    await c.query('rollback to savepoint s');
    await assert.rejects(c.query(`select public.queue_claim('w')`), /permission denied/);
  });
  const { rows: [check] } = await c.query(`select name from projects where id = $1`, [bp.id]);
  assert.notEqual(check.name, 'hijacked');
});

test('RLS: a member cannot make themselves owner, nor see anything once removed', async () => {
  const orgs = await orgsAndUsers();
  const { rows } = await c.query(`select id, organization_id from users where role = 'member' and deleted_at is null limit 1`);
  if (rows.length === 0) return;
  const m = rows[0];
  await asUser(c, m.id, async () => {
    await c.query('savepoint s');
    // Refused by the role trigger generated from the authorization declaration (42501).
    await assert.rejects(c.query(`update users set role = 'owner' where id = $1`, [m.id]),
      (e) => e.code === '42501' && /may not change role/.test(e.message));
    await c.query('rollback to savepoint s');
    const r = await c.query(`update users set name = 'Renamed' where id = $1`, [m.id]);
    assert.equal(r.rowCount, 1);
  });
  await c.query('begin');
  await c.query(`update users set deleted_at = now() where id = $1`, [m.id]);
  await c.query('set local role authenticated');
  await c.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: m.id })]);
  const { rows: [n] } = await c.query(`select count(*)::int as n from projects`);
  await c.query('rollback');
  assert.equal(n.n, 0);
  assert.ok(orgs.length >= 2);
});

test('RLS: anonymous callers see and change nothing', async () => {
  const tables = await publicTables(c);
  for (const t of tables) {
    await asAnon(c, async () => {
      await c.query('savepoint s');
      try {
        const { rows } = await c.query(`select count(*)::int as n from public.${t}`);
        assert.equal(rows[0].n, 0, `${t} visible to anon`);
      } catch (e) {
        assert.match(e.message, /permission denied/);
        await c.query('rollback to savepoint s');
      }
      await assert.rejects(c.query(`delete from public.${t}`), /permission denied/);
      await c.query('rollback to savepoint s');
    });
  }
  // A JWT without a users row (signed up, not yet a member) is as anonymous as anon.
  await asUser(c, '00000000-0000-4000-8000-000000000000', async () => {
    for (const t of tables) {
      const { rows } = await c.query(`select count(*)::int as n from public.${t}`);
      assert.equal(rows[0].n, 0, `${t} visible to a non-member`);
    }
  });
});
