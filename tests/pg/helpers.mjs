// Shared helpers of the PostgreSQL tests (run by tests/pg/run.sh, which starts the server and
// sets PGHOST/PGPORT/PGUSER and EC_CLI).
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

// bigint columns (money, counters) as JavaScript numbers: every value here is far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const cli = process.env.EC_CLI || join(root, 'build', 'native', 'episodes-core');
export const conn = {
  host: process.env.PGHOST || '127.0.0.1',
  port: Number(process.env.PGPORT || 54329),
  user: process.env.PGUSER || 'postgres',
};

export function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}

export function migrationSql() {
  const r = run(cli, ['schema', '--dialect', 'postgres']);
  if (r.status !== 0) throw new Error(`schema --dialect postgres failed: ${r.stderr}`);
  return r.stdout;
}

/** psql -f FILE against a database; returns {status, stdout, stderr}. */
export function psqlFile(db, file) {
  return run('psql', ['-h', conn.host, '-p', String(conn.port), '-U', conn.user, '-d', db, '-X', '-q',
    '-v', 'ON_ERROR_STOP=1', '-f', file]);
}

export async function client(database, extra = {}) {
  const c = new pg.Client({ ...conn, database, ...extra });
  await c.connect();
  return c;
}

/** A connection to `database` acting as Supabase's service_role (what the workers and the server use). */
export async function serviceClient(database) {
  const c = await client(database);
  await c.query('set role service_role');
  return c;
}

/** A fresh database with the Supabase stand-in (roles, auth.uid()) and, unless told not to, the migration. */
export async function freshDb(name, { migrate = true } = {}) {
  const admin = await client('postgres');
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.query(`create database ${name}`);
  await admin.end();
  let r = psqlFile(name, join(here, 'supabase_stub.sql'));
  if (r.status !== 0) throw new Error(`stub: ${r.stderr}`);
  if (migrate) {
    // As Supabase does: every committed migration, in order (v2, then the v3 upgrade).
    for (const f of migrationFiles()) {
      r = psqlFile(name, join(root, 'supabase', 'migrations', f));
      if (r.status !== 0) throw new Error(`migration ${f}: ${r.stderr}`);
    }
  }
  return name;
}

/** The declared versions (core/schema/history.hpp): [{version, file}], oldest first. */
export function history() {
  const r = run(cli, ['schema', '--history']);
  if (r.status !== 0) throw new Error(`schema --history failed: ${r.stderr}`);
  return r.stdout.trim().split('\n').map((l) => l.split('\t')).map(([v, file]) => ({ version: Number(v), file }));
}

/** The current schema version (the newest declared one). */
export function schemaVersion() {
  return history().at(-1).version;
}

/** The committed migration files, in the order they apply (their timestamps). */
export function migrationFiles() {
  return readdirSync(join(root, 'supabase', 'migrations')).filter((f) => f.endsWith('.sql')).sort();
}

/** The newest migration, as the declarations generate it (`schema --dialect postgres --upgrade-from N-1`). */
export function newestMigrationSql() {
  const v = schemaVersion();
  const r = run(cli, ['schema', '--dialect', 'postgres', '--upgrade-from', String(v - 1)]);
  if (r.status !== 0) throw new Error(`schema --upgrade-from ${v - 1} failed: ${r.stderr}`);
  return r.stdout;
}

/** Runs fn(c) in a transaction as a signed-in Supabase user (role authenticated, JWT sub = uid). */
export async function asUser(c, uid, fn) {
  await c.query('begin');
  try {
    await c.query('set local role authenticated');
    await c.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: uid, role: 'authenticated' })]);
    return await fn(c);
  } finally {
    await c.query('rollback');
  }
}

export async function asAnon(c, fn) {
  await c.query('begin');
  try {
    await c.query('set local role anon');
    return await fn(c);
  } finally {
    await c.query('rollback');
  }
}

/** Rows where TokenUsageDaily differs from the sums of TokenUsage (per organization and UTC day). */
export async function rollupMismatches(c) {
  const { rows } = await c.query(`
    select coalesce(d.organization_id, s.organization_id) as org, coalesce(d.date, s.date)::text as date,
           d.cost_micros as daily_cost, s.c as sum_cost, d.call_count as daily_calls, s.n as sum_calls
      from public.token_usage_daily d
      full join (select organization_id, (occurred_at at time zone 'UTC')::date as date, sum(input_tokens) as i,
                        sum(output_tokens) as o, sum(cost_micros) as c, count(*) as n
                   from public.token_usage group by 1, 2) s
        on s.organization_id = d.organization_id and s.date = d.date
     where (coalesce(d.input_tokens, 0), coalesce(d.output_tokens, 0), coalesce(d.cost_micros, 0), coalesce(d.call_count, 0))
           is distinct from (coalesce(s.i, 0), coalesce(s.o, 0), coalesce(s.c, 0), coalesce(s.n, 0))`);
  return rows;
}

export async function publicTables(c) {
  const { rows } = await c.query(`select tablename from pg_tables where schemaname = 'public' order by 1`);
  return rows.map((r) => r.tablename);
}

/** Minimal tenant fixture: an organization with an owner and an active project. */
export async function makeTenant(c, { slug, limit = 50_000_000, role = 'owner' }) {
  const { rows: [org] } = await c.query(
    `insert into organizations (name, slug, daily_cost_limit_micros) values ($1, $1, $2) returning id`, [slug, limit]);
  const { rows: [user] } = await c.query(
    `insert into users (organization_id, email, name, role) values ($1, $2, 'Owner', $3) returning id`,
    [org.id, `${slug}@example.com`, role]);
  const { rows: [project] } = await c.query(
    `insert into projects (organization_id, owner_id, name, cadence_config)
     values ($1, $2, 'P', '{"days":["mon"],"time":"09:00"}') returning id`, [org.id, user.id]);
  return { org: org.id, user: user.id, project: project.id };
}

/** The core's retry delay (rules::backoff_ms) after failed attempt `attempt` of item `itemId`,
 * asked from the core itself (`episodes-core rules backoff`): never a copy of the rule. */
export function backoffMs(itemId, attempt) {
  const r = run(cli, ['rules', 'backoff', itemId, String(attempt)]);
  if (r.status !== 0) throw new Error(`rules backoff failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

let constantsCache;
/** The core's declared rule constants, state lists, error codes and SQLSTATE mapping
 * (`episodes-core constants --json`, from core/rules.hpp and core/error_codes.hpp). */
export function constants() {
  if (!constantsCache) {
    const r = run(cli, ['constants', '--json']);
    if (r.status !== 0) throw new Error(`constants --json failed: ${r.stderr}`);
    constantsCache = JSON.parse(r.stdout);
  }
  return constantsCache;
}
