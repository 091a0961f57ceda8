// Value parity (issue 11 item 4; docs/adr/0012-bounds-and-value-parity.md): a core database
// holding boundary values (maximal integers, maximal lengths in multi-byte characters, e-mails,
// JSON edge values) exported with `export --dialect postgres` loads into PostgreSQL with every
// value intact; values the core refuses are refused by the PostgreSQL CHECKs too; and a hostile
// row of one tenant does not stop the all-tenant queue_claim (item 1).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cli, client, freshDb, makeTenant, psqlFile, run } from './helpers.mjs';

const work = mkdtempSync(join(tmpdir(), 'ec-pg-bounds-'));
const sqlite = join(work, 'bounds.sqlite');
const NOW = '2025-08-15T09:00:00.000Z';
let c;

function call(lines) {
  // Each `call` is a new process: the system fixes its clock first (users may not send `now`).
  const clock = { op: 'clock.set', as: { system: true }, params: { now: NOW } };
  const r = run(cli, ['call', '--db', sqlite], [clock, ...lines].map((l) => JSON.stringify(l)).join('\n') + '\n');
  const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  return out.slice(1);
}
function ok(line) {
  const [r] = call([line]);
  assert.equal(r.ok, true, JSON.stringify(r).slice(0, 500));
  return r.result;
}
function refused(line) {
  const [r] = call([line]);
  assert.equal(r.ok, false, `${JSON.stringify(line).slice(0, 200)} must be refused`);
  return r.error;
}

const emoji200 = '\u{1F600}'.repeat(200);
const eAcute5000 = 'é'.repeat(5000);
const eventData = {
  maxSafe: 9007199254740991, minSafe: -9007199254740991, tenth: 0.1, big: 1e300, tiny: 5e-324,
  controls: '\u0001\t\u001f', quote: 'it\'s "q" \\ back', key: { 'clé': ['é', '\u{1F600}', null, true] },
};
let ids;

before(async () => {
  const org = ok({ op: 'organization.create', params: { name: emoji200, slug: 'bounds', ownerEmail: 'o.w+x@b-1.example.com', ownerName: eAcute5000.slice(0, 200), dailyCostLimitMicros: 1_000_000_000_000, plan: 'team' } });
  const as = { organizationId: org.organization.id, userId: org.owner.id };
  const p = ok({ op: 'project.create', as, params: { name: emoji200, description: eAcute5000, cadenceConfig: { days: ['mon'], time: '09:00' } } });
  const ep = ok({ op: 'episode.create', as, params: { projectId: p.id, number: 1000000, title: '\u{1F600}'.repeat(300), generationAttempts: 1000 } });
  ok({ op: 'userEvent.create', as, params: { eventType: 'bounds.edge', eventData } });
  ids = { as, project: p.id, episode: ep.id };
  const r = run(cli, ['export', '--db', sqlite, '--dialect', 'postgres']);
  assert.equal(r.status, 0, r.stderr);
  writeFileSync(join(work, 'bounds.sql'), r.stdout);
  await freshDb('ec_bounds');
  c = await client('ec_bounds');
});
after(async () => {
  if (c) await c.end();
  rmSync(work, { recursive: true, force: true });
});

test('values the core refuses at the boundary (U+0000, over-long, over-range, non-ASCII e-mail)', () => {
  const { as, project } = ids;
  const nul = 'a\u0000b';
  for (const [line, code] of [
    [{ op: 'project.create', as, params: { name: nul, cadenceConfig: { days: ['mon'], time: '09:00' } } }, 'invalid_chars'],
    [{ op: 'userEvent.create', as, params: { eventType: 'a.b', eventData: { s: nul } } }, 'invalid_chars'],
    [{ op: 'userEvent.create', as, params: { eventType: 'a.b', eventData: { [nul]: 1 } } }, 'invalid_chars'],
    [{ op: 'project.create', as, params: { name: emoji200 + 'x', cadenceConfig: { days: ['mon'], time: '09:00' } } }, 'too_long'],
    [{ op: 'episode.create', as, params: { projectId: project, number: 1000001, title: 'T' } }, 'too_big'],
    [{ op: 'user.create', as, params: { email: 'é@example.com', name: 'E' } }, 'invalid_format'],
  ]) {
    const e = refused(line);
    assert.ok(e.issues.some((i) => i.code === code), `${code}: ${JSON.stringify(e)}`);
  }
});

test('the export of boundary values loads into PostgreSQL with every value intact', async () => {
  const r = psqlFile('ec_bounds', join(work, 'bounds.sql'));
  assert.equal(r.status, 0, r.stderr);
  const { rows: [o] } = await c.query('select name, daily_cost_limit_micros from organizations');
  assert.equal(o.name, emoji200);
  assert.equal(o.daily_cost_limit_micros, 1_000_000_000_000);
  const { rows: [p] } = await c.query('select name, description, char_length(description) as n from projects');
  assert.equal(p.name, emoji200);
  assert.equal(p.description, eAcute5000);
  const { rows: [e] } = await c.query('select number, title, generation_attempts from episodes');
  assert.equal(e.number, 1000000);
  assert.equal(e.title, '\u{1F600}'.repeat(300));
  assert.equal(e.generation_attempts, 1000);
  const { rows: [u] } = await c.query(`select event_data from user_events where event_type = 'bounds.edge'`);
  assert.deepEqual(u.event_data, eventData);
});

test('PostgreSQL CHECKs refuse what the core refuses', async () => {
  const { rows: [pr] } = await c.query('select id, organization_id, owner_id from projects');
  const attempt = async (sql, params) => {
    await c.query('savepoint s');
    try {
      await c.query(sql, params);
      return null;
    } catch (err) {
      return err.code;
    } finally {
      await c.query('rollback to savepoint s');
    }
  };
  await c.query('begin');
  try {
    const ins = `insert into episodes (organization_id, project_id, number, title) values ($1, $2, $3, $4)`;
    assert.equal(await attempt(ins, [pr.organization_id, pr.id, 1000001, 'T']), '23514', 'number above the cap');
    assert.equal(await attempt(ins, [pr.organization_id, pr.id, 5, '\u{1F600}'.repeat(301)]), '23514', 'title over 300 code points');
    assert.equal(await attempt(ins, [pr.organization_id, pr.id, 5, 'a\u0000b']), '22021', 'U+0000 in text');
    assert.equal(await attempt(`update organizations set daily_cost_limit_micros = 1000000000001`), '23514', 'money above £1M');
    // From v5 the fields trigger's e-mail format (22023, invalid) refuses it before the CHECK does.
    assert.ok(['23514', '22023'].includes(await attempt(`update users set email = 'é@example.com'`)), 'non-ASCII e-mail');
    assert.equal(await attempt(`update user_events set event_data = '{"s": "a\\u0000b"}'`), '22P05', '\\u0000 in jsonb');
    const many = JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i])));
    // From v6 the fields trigger's JSON check (22023, invalid, with the path) refuses it before the CHECK does.
    assert.equal(await attempt(`update user_events set event_data = $1`, [many]), '22023', 'over 100 eventData entries');
    assert.equal(await attempt(`update projects set created_at = '10000-01-01T00:00:00Z'`), '23514', 'year 10000');
    assert.equal(await attempt(ins, [pr.organization_id, pr.id, 1000000, 'T']), '23505', 'number 1000000 is taken (unique)');
    assert.equal(await attempt(ins, [pr.organization_id, pr.id, 999999, 'T']), null, 'the cap minus one is accepted');
  } finally {
    await c.query('rollback');
  }
});

test('a hostile row of tenant A does not stop queue_claim for tenant B (nor A\'s other projects)', async () => {
  await freshDb('ec_bounds_queue');
  const q = await client('ec_bounds_queue');
  try {
    const a = await makeTenant(q, { slug: 'hostile-a' });
    const b = await makeTenant(q, { slug: 'victim-b' });
    const { rows: [a2] } = await q.query(
      `insert into projects (organization_id, owner_id, name, cadence_config) values ($1, $2, 'P2', '{"days":["mon"],"time":"09:00"}') returning id`,
      [a.org, a.user]);
    await q.query(`insert into episodes (organization_id, project_id, number, title) values ($1, $2, 1000000, 'Last')`, [a.org, a.project]);
    const slot = '2025-08-18T08:00:00Z';
    for (const [org, project] of [[a.org, a.project], [a.org, a2.id], [b.org, b.project]])
      await q.query(`insert into episode_schedule_queue (organization_id, project_id, scheduled_for, run_after) values ($1, $2, $3, $3)`,
        [org, project, slot]);
    const { rows } = await q.query(`select * from public.queue_claim('w', 10, 300, null, '2025-08-18T10:00:00Z')`);
    const claimed = rows.map((r) => r.project_id).sort();
    assert.deepEqual(claimed, [a2.id, b.project].sort());
    const { rows: [failed] } = await q.query(`select status, last_error from episode_schedule_queue where project_id = $1`, [a.project]);
    assert.equal(failed.status, 'failed');
    assert.match(failed.last_error, /^claim_failed: conflict/);
  } finally {
    await q.end();
  }
});
