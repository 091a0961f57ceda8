// The generated migration: committed copy in sync, applies to an empty database, a second apply
// is refused without change, RLS on every table, policy columns indexed, append-only audit log.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { client, freshDb, history, migrationFiles, newestMigrationSql, psqlFile, publicTables, root, run, cli, makeTenant } from './helpers.mjs';

const DB = 'ec_migration';
let c;
before(async () => {
  await freshDb(DB, { migrate: false });
  c = await client(DB);
});
after(async () => c && c.end());

test('the committed migrations are the declared versions, the newest as generated (no drift)', () => {
  const declared = history().filter((v) => v.file).map((v) => v.file);
  assert.deepEqual(migrationFiles(), declared, 'one file per version of core/schema/history.hpp');
  const committed = readFileSync(join(root, 'supabase', 'migrations', declared.at(-1)), 'utf8');
  assert.equal(committed, newestMigrationSql(), 'a declaration change needs a new version (docs/MIGRATIONS.md)');
});

test('the migrations apply to an empty database, in order', () => {
  for (const f of migrationFiles()) {
    const r = psqlFile(DB, join(root, 'supabase', 'migrations', f));
    assert.equal(r.status, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /WARNING/, 'no truncated identifiers or warnings');
  }
});

test('every upgrade applied again is refused and changes nothing', () => {
  const versions = history().filter((v) => v.file);
  for (const v of versions.slice(1)) {
    const r = psqlFile(DB, join(root, 'supabase', 'migrations', v.file));
    assert.notEqual(r.status, 0, v.file);
    assert.match(r.stderr, new RegExp(`needs a database at v${v.version - 1}`));
  }
});

test('applying it a second time is refused and changes nothing', async () => {
  const snapshot = async () => (await c.query(`
    select (select count(*) from pg_class where relnamespace in ('public'::regnamespace, 'private'::regnamespace)) as rels,
           (select count(*) from pg_proc where pronamespace in ('public'::regnamespace, 'private'::regnamespace)) as procs,
           (select count(*) from pg_policy) as policies, (select count(*) from private.schema_info) as versions`)).rows[0];
  const beforeSnap = await snapshot();
  const r = psqlFile(DB, join(root, 'supabase', 'migrations', migrationFiles()[0]));
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /already applied/);
  assert.deepEqual(await snapshot(), beforeSnap);
});

test('every entity is a table, every table has RLS enabled and policies for authenticated only', async () => {
  const tables = await publicTables(c);
  const sqlite = run(cli, ['schema', '--dialect', 'sqlite']).stdout;
  const expected = [...sqlite.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map((m) => m[1]).sort();
  assert.deepEqual(tables, expected);
  const { rows } = await c.query(`
    select c.relname, c.relrowsecurity,
           (select count(*) from pg_policy p where p.polrelid = c.oid) as policies,
           (select count(*) from pg_policy p where p.polrelid = c.oid and not p.polroles @> array['authenticated'::regrole::oid]) as other_roles
      from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind = 'r' order by 1`);
  for (const r of rows) {
    assert.equal(r.relrowsecurity, true, `${r.relname}: RLS enabled`);
    assert.ok(Number(r.policies) >= 1, `${r.relname}: has policies`);
    assert.equal(Number(r.other_roles), 0, `${r.relname}: policies only for authenticated`);
  }
  const writes = await c.query(`select count(*) as n from pg_policy where polcmd in ('a', 'w') and polwithcheck is null`);
  assert.equal(Number(writes.rows[0].n), 0, 'every INSERT/UPDATE policy has WITH CHECK');
});

test('every column a policy uses is the leading column of an index', async () => {
  const { rows } = await c.query(`
    select c.relname, pg_get_expr(p.polqual, p.polrelid) as q, pg_get_expr(p.polwithcheck, p.polrelid) as w
      from pg_policy p join pg_class c on c.oid = p.polrelid`);
  const { rows: idx } = await c.query(`
    select t.relname, a.attname from pg_index i join pg_class t on t.oid = i.indrelid
      join pg_attribute a on a.attrelid = t.oid and a.attnum = i.indkey[0]
     where t.relnamespace = 'public'::regnamespace`);
  const leading = new Set(idx.map((r) => `${r.relname}.${r.attname}`));
  for (const r of rows) {
    const text = `${r.q ?? ''} ${r.w ?? ''}`;
    for (const col of ['organization_id', 'id', 'actor_id']) {
      if (!new RegExp(`\\b${col}\\b\\s*=`).test(text)) continue;
      if (col === 'actor_id') continue;  // insert-only check, no lookup
      assert.ok(leading.has(`${r.relname}.${col}`), `${r.relname}.${col} is indexed`);
    }
  }
});

test('the audit log is append-only, even for the owner', async () => {
  const t = await makeTenant(c, { slug: 'append-only' });
  await c.query(`insert into audit_log (organization_id, action, entity_type, entity_id, occurred_at)
                 values ($1, 'create', 'Project', $2, now())`, [t.org, t.project]);
  await assert.rejects(c.query(`update audit_log set action = 'x'`), /append-only/);
  await assert.rejects(c.query(`delete from audit_log`), /append-only/);
  await assert.rejects(c.query(`truncate audit_log`), /append-only/);
  const { rows } = await c.query(`select count(*)::int as n from audit_log`);
  assert.equal(rows[0].n, 1);
});

test('same-organization foreign keys refuse a child pointing at another organization', async () => {
  const a = await makeTenant(c, { slug: 'fk-a' });
  const b = await makeTenant(c, { slug: 'fk-b' });
  await assert.rejects(
    c.query(`insert into planning_notes (organization_id, project_id, author_id, content) values ($1, $2, $3, 'x')`,
      [a.org, b.project, a.user]), /foreign key/);
});

test('e-mail is unique per organization, case-insensitively', async () => {
  const a = await makeTenant(c, { slug: 'mail-a' });
  await assert.rejects(c.query(`insert into users (organization_id, email, name) values ($1, 'MAIL-A@example.COM', 'x')`,
    [a.org]), /ux_users_organization_id_email/);
  const b = await makeTenant(c, { slug: 'mail-b' });
  await c.query(`insert into users (organization_id, email, name) values ($1, 'mail-a@example.com', 'x')`, [b.org]);
});
