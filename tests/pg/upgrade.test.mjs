// Every committed migration applied in order (supabase/migrations, as Supabase applies them)
// leaves the same catalog as a fresh install of `schema --dialect postgres`: tables, columns
// (order, types, nullability, defaults), constraints, indexes, enum values, functions,
// triggers, policies, grants. The same from every intermediate version holding rows, which the
// upgrades keep (blank names become the placeholder: docs/adr/0015-blank-names.md).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { client, freshDb, history, migrationFiles, migrationSql, psqlFile, root, schemaVersion } from './helpers.mjs';

const work = mkdtempSync(join(tmpdir(), 'ec-pg-upgrade-'));
after(() => rmSync(work, { recursive: true, force: true }));

const queries = {
  columns: `select table_name, column_name, ordinal_position, data_type, udt_name, is_nullable, column_default
              from information_schema.columns where table_schema = 'public' order by 1, 3`,
  constraints: `select conrelid::regclass::text as t, conname, contype, pg_get_constraintdef(oid) as def
                  from pg_constraint where connamespace = 'public'::regnamespace order by 1, 2`,
  indexes: `select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by 1, 2`,
  enums: `select t.typname, e.enumlabel, e.enumsortorder from pg_enum e join pg_type t on t.oid = e.enumtypid
            where t.typnamespace = 'public'::regnamespace order by 1, 3`,
  functions: `select p.oid::regprocedure::text as f, md5(pg_get_functiondef(p.oid)) as body, p.proacl::text as acl
                from pg_proc p where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace) order by 1`,
  triggers: `select tgrelid::regclass::text as t, tgname, pg_get_triggerdef(oid) as def from pg_trigger
               where not tgisinternal order by 1, 2`,
  policies: `select tablename, policyname, cmd, roles::text, qual, with_check from pg_policies
               where schemaname = 'public' order by 1, 2`,
  grants: `select table_name, grantee, privilege_type from information_schema.role_table_grants
             where table_schema = 'public' order by 1, 2, 3`,
  rls: `select relname, relrowsecurity from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' order by 1`,
  version: `select max(version) as v from private.schema_info`,
};

async function catalog(db) {
  const c = await client(db);
  try {
    const out = {};
    for (const [k, q] of Object.entries(queries)) out[k] = (await c.query(q)).rows;
    return out;
  } finally {
    await c.end();
  }
}

async function freshInstall(name) {
  await freshDb(name, { migrate: false });
  const file = join(work, 'fresh.sql');
  writeFileSync(file, migrationSql());
  const r = psqlFile(name, file);
  assert.equal(r.status, 0, r.stderr);
  return catalog(name);
}

function apply(db, files) {
  for (const f of files) {
    const r = psqlFile(db, join(root, 'supabase', 'migrations', f));
    assert.equal(r.status, 0, `${f}: ${r.stderr}`);
  }
}

test('every migration in order equals a fresh install, object for object', async () => {
  await freshDb('ec_upgrade');  // every committed migration, in order
  const [up, fresh] = [await catalog('ec_upgrade'), await freshInstall('ec_fresh')];
  for (const k of Object.keys(queries)) assert.deepEqual(up[k], fresh[k], k);
  assert.equal(fresh.version[0].v, schemaVersion());
  // v7's read indexes (docs/adr/0038-read-indexes.md): both added, the one they replace gone.
  const defs = Object.fromEntries(up.indexes.map((r) => [r.indexname, r.indexdef]));
  assert.match(defs.ix_episodes_organization_id_project_id_deleted_at_status ?? '',
    /ON public\.episodes USING btree \(organization_id, project_id, deleted_at, status\)$/);
  assert.match(defs.ix_token_usage_organization_id_project_id_occurred_at_id ?? '',
    /ON public\.token_usage USING btree \(organization_id, project_id, occurred_at, id\)$/);
  assert.equal(defs.ix_token_usage_organization_id_project_id, undefined);
});

test('from every older version with rows: the rest of the migrations keep them, blank names become the placeholder', async () => {
  const files = migrationFiles();
  const fresh = await catalog('ec_fresh');
  const versions = history().filter((v) => v.file);
  for (let i = 0; i + 1 < files.length; ++i) {
    const db = `ec_upgrade_from_v${versions[i].version}`;
    await freshDb(db, { migrate: false });
    apply(db, files.slice(0, i + 1));
    // Blank names can be stored only before v4 (its not-blank CHECKs); later versions hold named rows.
    const blank = versions[i].version < 4;
    const c = await client(db);
    try {
      const { rows: [org] } = await c.query(
        `insert into organizations (name, slug) values (${blank ? "U&'\\3000 \\00a0'" : "'Org'"}, 'blank-org') returning id`);
      const { rows: [user] } = await c.query(
        `insert into users (organization_id, email, name) values ($1, 'o@blank.example', ${blank ? "' '" : "'Ann'"}) returning id`, [org.id]);
      await c.query(`insert into projects (organization_id, owner_id, name, cadence_config)
                     values ($1, $2, ${blank ? "E'\\t'" : "'Daily'"}, '{"days":["mon"],"time":"09:00"}')`, [org.id, user.id]);
    } finally {
      await c.end();
    }
    apply(db, files.slice(i + 1));
    const up = await catalog(db);
    for (const k of Object.keys(queries)) assert.deepEqual(up[k], fresh[k], `${db}: ${k}`);
    const c2 = await client(db);
    try {
      const names = (await c2.query(`select (select name from organizations) as o, (select name from users) as u,
                                            (select name from projects) as p`)).rows[0];
      assert.deepEqual(names, blank ? { o: 'Untitled', u: 'Untitled', p: 'Untitled' } : { o: 'Org', u: 'Ann', p: 'Daily' }, db);
    } finally {
      await c2.end();
    }
  }
});
