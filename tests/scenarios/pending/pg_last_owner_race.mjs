// PENDING (session 4 review): "an organization always keeps at least one owner" races in
// PostgreSQL: two owners demote each other in concurrent transactions; each trigger counts the
// other owner (the other change is not committed yet) and both commit: 0 owners. Expected: the
// second waits (e.g. pg_advisory_xact_lock per organization before the count) and is refused.
// Run (server as tests/pg/run.sh starts it): PGHOST=… PGPORT=… PGUSER=postgres node tests/scenarios/pending/pg_last_owner_race.mjs
import { freshDb, client, makeTenant } from '../../pg/helpers.mjs';
const db = await freshDb('rvrace');
const c = await client(db);
const A = await makeTenant(c, { slug: 'org-a' });
const { rows: [o2] } = await c.query(`insert into users (organization_id, email, name, role) values ($1,'o2@a.example','O2','owner') returning id`, [A.org]);
const c1 = await client(db), c2 = await client(db);
async function begin(cx, uid) {
  await cx.query('begin'); await cx.query('set local role authenticated');
  await cx.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: uid, role: 'authenticated' })]);
}
await begin(c1, A.user); await begin(c2, o2.id);
console.log('c1 demotes O2:', (await c1.query(`update users set role='admin' where id=$1 returning id`, [o2.id])).rowCount);
console.log('c2 demotes O1:', (await c2.query(`update users set role='admin' where id=$1 returning id`, [A.user])).rowCount);
await c1.query('commit'); await c2.query('commit');
const left = Number((await c.query(`select count(*) from users where organization_id=$1 and role='owner' and deleted_at is null`, [A.org])).rows[0].count);
console.log('owners left:', left, left >= 1 ? 'ok' : 'FAIL: the organization has no owner');
process.exitCode = left >= 1 ? 0 : 1;
for (const cx of [c, c1, c2]) await cx.end();
