// `types --lang ts --target supabase` describes the database the migration really creates:
// the same tables and columns, nullability, which columns an insert may omit (database
// defaults), enum values and functions. Type-checked with tsc when the dashboard's TypeScript
// is installed.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cli, client, freshDb, root, run } from './helpers.mjs';

const DB = 'ec_types';
let c;
let ts;
before(async () => {
  await freshDb(DB);
  c = await client(DB);
  const r = run(cli, ['types', '--lang', 'ts', '--target', 'supabase']);
  assert.equal(r.status, 0, r.stderr);
  ts = r.stdout;
});
after(async () => c && c.end());

// Parses the generated Tables section: table -> {Row: {col: type}, Insert: {col: optional}}.
function parseTables(src) {
  const out = {};
  const body = src.slice(src.indexOf('    Tables: {'), src.indexOf('    Views: {'));
  for (const m of body.matchAll(/^ {6}(\w+): \{\n([\s\S]*?)^ {8}Relationships/gm)) {
    const [, table, inner] = m;
    const section = (name) => {
      const s = inner.slice(inner.indexOf(`${name}: {`));
      return s.slice(0, s.indexOf('\n        }'));
    };
    const cols = (s) => Object.fromEntries([...s.matchAll(/^ {10}(\w+)(\??): (.+)$/gm)].map((x) => [x[1], { optional: x[2] === '?', type: x[3] }]));
    out[table] = { Row: cols(section('Row')), Insert: cols(section('Insert')), Update: cols(section('Update')) };
  }
  return out;
}

test('Tables match the database: columns, nullability, insert defaults', async () => {
  const tables = parseTables(ts);
  const { rows } = await c.query(`select table_name, column_name, is_nullable = 'YES' as nullable, column_default is not null as has_default,
      data_type, udt_name from information_schema.columns where table_schema = 'public' order by 1, 2`);
  const db = {};
  for (const r of rows) (db[r.table_name] ??= {})[r.column_name] = r;
  assert.deepEqual(Object.keys(tables).sort(), Object.keys(db).sort());
  for (const [t, cols] of Object.entries(db)) {
    assert.deepEqual(Object.keys(tables[t].Row).sort(), Object.keys(cols).sort(), `${t} columns`);
    for (const [name, col] of Object.entries(cols)) {
      const row = tables[t].Row[name];
      assert.equal(row.type.endsWith(' | null'), col.nullable, `${t}.${name} nullability`);
      // id has no column default from v5: the fields trigger fills it (ddl_postgres.cpp).
      assert.equal(tables[t].Insert[name].optional, col.nullable || col.has_default || name === 'id', `${t}.${name} optional on insert`);
      assert.equal(tables[t].Update[name].optional, true);
      const base = row.type.replace(/ \| null$/, '');
      const expected = { uuid: 'string', text: 'string', timestamptz: 'string', date: 'string', int8: 'number',
        int4: 'number', bool: 'boolean', jsonb: 'Json' }[col.udt_name] ?? `Database["public"]["Enums"]["${col.udt_name}"]`;
      assert.equal(base, expected, `${t}.${name} type`);
    }
  }
});

test('Enums and Functions match the database', async () => {
  const { rows } = await c.query(`select t.typname, array_agg(e.enumlabel::text order by e.enumsortorder) as labels
    from pg_type t join pg_enum e on e.enumtypid = t.oid group by 1 order by 1`);
  const enums = ts.slice(ts.indexOf('    Enums: {'), ts.indexOf('    CompositeTypes'));
  for (const r of rows)
    assert.ok(enums.includes(`      ${r.typname}: ${r.labels.map((l) => `"${l}"`).join(' | ')}\n`), r.typname);
  assert.equal([...enums.matchAll(/^ {6}\w+:/gm)].length, rows.length);
  const { rows: fns } = await c.query(`select p.proname, pg_get_function_arguments(p.oid) as args from pg_proc p
    where p.pronamespace = 'public'::regnamespace order by 1`);
  const fsec = ts.slice(ts.indexOf('    Functions: {'), ts.indexOf('    Enums: {'));
  for (const f of fns) {
    assert.ok(fsec.includes(`      ${f.proname}: {`), f.proname);
    for (const a of f.args.split(', ')) {
      const [name] = a.split(' ');
      assert.ok(new RegExp(`${name}${/DEFAULT/.test(a) ? '\\?' : ''}: `).test(fsec), `${f.proname}(${name})`);
    }
  }
  assert.equal([...fsec.matchAll(/^ {6}\w+: \{/gm)].length, fns.length);
});

test('the Database type compiles and types a client query (tsc)', { skip: !findTsc() && 'no TypeScript compiler installed' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ec-ts-'));
  try {
    writeFileSync(join(dir, 'database.ts'), ts);
    writeFileSync(join(dir, 'use.ts'), `
import type { Database, Tables, TablesInsert, Enums } from './database'
const p: Tables<'projects'> = {} as Tables<'projects'>
const status: Enums<'project_status'> = p.status
const ok: TablesInsert<'planning_notes'> = { project_id: p.id, content: 'more on X' }
// @ts-expect-error: not a project status
const bad: Enums<'project_status'> = 'deleted'
type Claim = Database['public']['Functions']['queue_claim']
const args: Claim['Args'] = { p_worker: 'w1' }
const tokens: number[] = ([] as Claim['Returns']).map((r) => r.attempts)
export { status, ok, bad, args, tokens }
`);
    const r = run(findTsc(), ['--noEmit', '--strict', '--target', 'es2020', '--moduleResolution', 'node', join(dir, 'use.ts')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function findTsc() {
  for (const p of [join(root, 'web', 'node_modules', '.bin', 'tsc'), join(root, 'node_modules', '.bin', 'tsc'),
    join(root, 'tests', 'pg', 'node_modules', '.bin', 'tsc'), '/usr/bin/tsc'])
    if (existsSync(p)) return p;
  return null;
}
