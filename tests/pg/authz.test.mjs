// Authorization in PostgreSQL agrees with the core (core/schema/authz.cpp is the one
// declaration; docs/adr/0010-authorization.md): the quoted inputs of issue 11 are refused under
// the real roles and RLS; the role matrix of user changes gives the same verdict as the core's
// `call` (same tenant, same ids via --id-seed); tables only the system writes have no write
// privilege for signed-in users; the service role is not bound by the role rules.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { asUser, cli, client, freshDb, migrationSql, psqlFile, run } from './helpers.mjs';

const DB = 'ec_authz';
const work = mkdtempSync(join(tmpdir(), 'ec-pg-authz-'));
let c;
const T = {};  // org, owner, admin, member, other (a second member), project

// One tenant made through the core (deterministic ids), so both engines hold the same rows.
const SEED = '7';
const setup = [
  { op: 'organization.create', params: { name: 'Acme', slug: 'acme', ownerEmail: 'o@acme.io', ownerName: 'Owner' } },
];
function callCore(db, lines) {
  const r = run(cli, ['call', '--db', db, '--id-seed', SEED], lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  assert.equal(r.status === 0 || r.status === 1, true, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}
function tenantLines(owner, org) {
  const as = { organizationId: org, userId: owner };
  return [
    { op: 'user.create', as, params: { email: 'a@acme.io', name: 'Admin', role: 'admin' } },
    { op: 'user.create', as, params: { email: 'm@acme.io', name: 'Member' } },
    { op: 'user.create', as, params: { email: 'n@acme.io', name: 'Other' } },
  ];
}
let coreN = 0;
/** A fresh core database holding the tenant; runs `lines` after it and returns their answers. */
function coreRun(lines) {
  const db = join(work, `core${++coreN}.sqlite`);
  const all = [...setup, ...tenantLines(T.owner, T.org), ...lines];
  return callCore(db, all).slice(all.length - lines.length);
}

before(async () => {
  // Ids are deterministic (--id-seed): the organization and owner first, then the others.
  const first = callCore(join(work, 'probe.sqlite'), setup)[0];
  assert.equal(first.ok, true, JSON.stringify(first));
  T.org = first.result.organization.id;
  T.owner = first.result.owner.id;
  const out = callCore(join(work, 'ids.sqlite'), [...setup, ...tenantLines(T.owner, T.org)]);
  assert.ok(out.every((r) => r.ok), JSON.stringify(out));
  [T.admin, T.member, T.other] = out.slice(1).map((r) => r.result.id);

  await freshDb(DB, { migrate: false });
  const file = join(work, 'migration.sql');
  writeFileSync(file, migrationSql());
  const r = psqlFile(DB, file);
  assert.equal(r.status, 0, r.stderr);
  c = await client(DB);
  await c.query(`insert into organizations (id, name, slug) values ($1, 'Acme', 'acme')`, [T.org]);
  for (const [id, email, name, role] of [[T.owner, 'o@acme.io', 'Owner', 'owner'], [T.admin, 'a@acme.io', 'Admin', 'admin'],
    [T.member, 'm@acme.io', 'Member', 'member'], [T.other, 'n@acme.io', 'Other', 'member']]) {
    await c.query(`insert into users (id, organization_id, email, name, role) values ($1, $2, $3, $4, $5)`, [id, T.org, email, name, role]);
  }
  const { rows: [p] } = await c.query(`insert into projects (organization_id, owner_id, name, cadence_config)
    values ($1, $2, 'P', '{"days":["mon"],"time":"09:00"}') returning id`, [T.org, T.owner]);
  T.project = p.id;
  await c.query(`insert into token_usage (organization_id, project_id, model, input_tokens, output_tokens, cost_micros, occurred_at)
    values ($1, $2, 'm', 1, 1, 900, now())`, [T.org, T.project]);
});
after(async () => {
  if (c) await c.end();
  rmSync(work, { recursive: true, force: true });
});

/** Runs sql as a signed-in user in a savepoint: 'ok' (rows changed), 'none' (no row), or 'refused'. */
async function pgTry(uid, sql, params = []) {
  return asUser(c, uid, async () => {
    await c.query('savepoint s');
    try {
      const r = await c.query(sql, params);
      return r.rowCount > 0 ? 'ok' : 'none';
    } catch (e) {
      await c.query('rollback to savepoint s');
      if (e.code === '42501') return 'refused';
      throw e;
    }
  });
}

test('issue 11: a member cannot make themselves owner, nor then change the daily limit', async () => {
  assert.equal(await pgTry(T.member, `update users set role = 'owner' where id = $1`, [T.member]), 'refused');
  assert.equal(await pgTry(T.member, `update organizations set daily_cost_limit_micros = 999000000 where id = $1`, [T.org]), 'none');
  const { rows: [o] } = await c.query(`select daily_cost_limit_micros from organizations where id = $1`, [T.org]);
  assert.equal(o.daily_cost_limit_micros, 50_000_000);
  assert.equal(await pgTry(T.member, `update users set name = 'Me', timezone = 'Europe/London' where id = $1`, [T.member]), 'ok');
  assert.equal(await pgTry(T.member, `update users set email = 'x@acme.io' where id = $1`, [T.member]), 'refused');
});

test('issue 11: a member cannot create an admin nor delete the owner', async () => {
  assert.equal(await pgTry(T.member, `insert into users (email, name, role) values ('x@acme.io', 'X', 'admin')`), 'refused');
  assert.equal(await pgTry(T.member, `delete from users where id = $1`, [T.owner]), 'none');
  assert.equal(await pgTry(T.member, `update users set deleted_at = now() where id = $1`, [T.owner]), 'refused');
});

test('issue 11: nobody signed in writes usage, the roll-up, the queue, reservations or the audit log', async () => {
  for (const uid of [T.member, T.admin, T.owner]) {
    for (const t of ['token_usage', 'token_usage_daily', 'episode_schedule_queue', 'budget_reservations', 'audit_log']) {
      for (const sql of [`delete from ${t}`, `update ${t} set updated_at = now()`]) {
        await asUser(c, uid, async () => {
          await assert.rejects(c.query(sql), /permission denied/, `${t}: ${sql}`);
        });
      }
    }
    await asUser(c, uid, async () => {
      await assert.rejects(c.query(`insert into audit_log (action, entity_type, entity_id, occurred_at)
        values ('create', 'Project', gen_random_uuid(), now())`), /permission denied/);
    });
  }
  const { rows: [u] } = await c.query(`select sum(cost_micros)::int as s from token_usage where organization_id = $1`, [T.org]);
  assert.equal(u.s, 900);
});

test('user events: a member records events about themselves only; admins about anyone', async () => {
  const ins = `insert into user_events (user_id, event_type, event_data, occurred_at) values ($1, 'tour.done', '{}', now())`;
  assert.equal(await pgTry(T.member, ins, [T.member]), 'ok');
  assert.equal(await pgTry(T.member, ins, [T.admin]), 'refused');
  assert.equal(await pgTry(T.admin, ins, [T.member]), 'ok');
});

test('the plan is the owner\'s; admins set the limit and the name', async () => {
  assert.equal(await pgTry(T.admin, `update organizations set plan = 'team' where id = $1`, [T.org]), 'refused');
  assert.equal(await pgTry(T.admin, `update organizations set daily_cost_limit_micros = 1, name = 'A2' where id = $1`, [T.org]), 'ok');
  assert.equal(await pgTry(T.owner, `update organizations set plan = 'team' where id = $1`, [T.org]), 'ok');
});

test('an organization keeps one owner: no demotion, soft delete or delete of the last', async () => {
  assert.equal(await pgTry(T.owner, `update users set role = 'admin' where id = $1`, [T.owner]), 'refused');
  assert.equal(await pgTry(T.owner, `update users set deleted_at = now() where id = $1`, [T.owner]), 'refused');
  assert.equal(await pgTry(T.owner, `delete from users where id = $1`, [T.owner]), 'refused');
  // With a second owner, stepping down is fine.
  await asUser(c, T.owner, async () => {
    await c.query(`update users set role = 'owner' where id = $1`, [T.admin]);
    const r = await c.query(`update users set role = 'member' where id = $1`, [T.owner]);
    assert.equal(r.rowCount, 1);
  });
});

test('the service role is not bound by the role rules', async () => {
  await c.query('begin');
  try {
    await c.query('set local role service_role');
    const r = await c.query(`update users set role = 'owner' where id = $1`, [T.member]);
    assert.equal(r.rowCount, 1);
  } finally {
    await c.query('rollback');
  }
});

// Every (acting role, target, change) of users: PostgreSQL under RLS and the core give the same verdict.
test('role matrix of user changes: PostgreSQL and the core agree', async () => {
  const actors = { owner: T.owner, admin: T.admin, member: T.member };
  const targets = { self: null, owner: T.owner, admin: T.admin, member: T.other };
  const changes = {
    name: { patch: { name: 'Renamed' }, sql: `update users set name = 'Renamed' where id = $1` },
    timezone: { patch: { timezone: 'Asia/Tokyo' }, sql: `update users set timezone = 'Asia/Tokyo' where id = $1` },
    email: { patch: { email: 'z@acme.io' }, sql: `update users set email = 'z@acme.io' where id = $1` },
    toMember: { patch: { role: 'member' }, sql: `update users set role = 'member' where id = $1` },
    toAdmin: { patch: { role: 'admin' }, sql: `update users set role = 'admin' where id = $1` },
    toOwner: { patch: { role: 'owner' }, sql: `update users set role = 'owner' where id = $1` },
    softDelete: { op: 'user.delete', sql: `update users set deleted_at = now(), deleted_by = auth.uid() where id = $1` },
    purge: { op: 'user.purge', sql: `delete from users where id = $1` },
  };
  const cases = [];
  for (const [an, actor] of Object.entries(actors)) {
    for (const [tn, t] of Object.entries(targets)) {
      const target = t ?? actor;
      for (const [cn, ch] of Object.entries(changes)) cases.push({ name: `${an} ${cn} ${tn}`, actor, target, ch });
    }
  }
  const as = (uid) => ({ organizationId: T.org, userId: uid });
  const mismatches = [];
  let refused = 0;
  for (const k of cases) {
    const req = k.ch.op ? { op: k.ch.op, as: as(k.actor), params: { id: k.target } }
      : { op: 'user.update', as: as(k.actor), params: { id: k.target, patch: k.ch.patch } };
    const [ans] = coreRun([req]);
    const core = ans.ok ? 'ok' : ans.error.code === 'forbidden' ? 'refused' : `error:${ans.error.code}`;
    let pg = await pgTry(k.actor, k.ch.sql, [k.target]);
    if (pg === 'none') pg = 'refused';  // RLS hid the row from that change: refused too
    if (core !== pg) mismatches.push(`${k.name}: core ${core}, PostgreSQL ${pg}`);
    if (pg === 'refused') refused += 1;
  }
  assert.deepEqual(mismatches, []);
  assert.equal(cases.length, 96);
  assert.ok(refused > 20 && refused < 90, `refused ${refused}`);
});
