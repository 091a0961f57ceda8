// The typed client (web/src/core/client.ts) in-process on the Node wasm build: the operation
// tree, every operation family, error mapping, hostile JS inputs, export/import validation,
// a stored database that does not open, and memory across 100k calls.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreError } from './helpers/core.mjs';
import { loadClient, open } from './helpers/client.mjs';

const { OPERATION_NAMES } = await import('./helpers/generated.mjs');
const has = (op) => OPERATION_NAMES.includes(op);
const NOW = '2025-08-15T09:00:00.000Z';
const KNOWN_CODES = new Set(['invalid', 'bad_request', 'not_found', 'conflict', 'plan_limit', 'forbidden', 'budget_exceeded',
  'stale_lease', 'schema_too_new', 'not_a_database', 'io', 'internal', 'busy', 'closed', 'locked', 'unavailable', 'aborted', 'unsupported']);

const isCode = (code) => (e) => {
  assert.ok(e instanceof CoreError, `expected CoreError, got ${e?.constructor?.name}: ${e?.stack ?? e}`);
  assert.equal(e.code, code, `${e.code}: ${e.message}`);
  assert.ok(Array.isArray(e.issues) && Array.isArray(e.path));
  return true;
};
const anyCoreError = (e) => {
  assert.ok(e instanceof CoreError, `expected CoreError, got ${e?.constructor?.name}: ${e?.stack ?? e}`);
  assert.ok(KNOWN_CODES.has(e.code), `unknown code ${e.code}`);
  return true;
};

const cadence = { days: ['mon', 'thu'], time: '09:00', timezone: 'Europe/London' };

/** A fresh in-memory client with an organization, its owner as actor, and one project. */
async function seeded(options = {}) {
  const core = await open({ idSeed: 7, ...options });
  const { organization, owner } = await core.organization.create({
    name: 'Acme', slug: 'acme', plan: 'team', ownerEmail: 'ada@example.com', ownerName: 'Ada', ownerTimezone: 'Europe/London',
  }, { as: { system: true }, now: NOW });  // only the system picks the time of a request
  core.setActor({ organizationId: organization.id, userId: owner.id });
  const project = await core.project.create({ name: 'Weekly digest', cadenceConfig: cadence });
  return { core, organization, owner, project };
}

let dir;
before(() => { dir = mkdtempSync(join(tmpdir(), 'ec-client-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

describe('openCore (Node, in-process)', () => {
  test('opens in memory, reports its state and closes idempotently', async () => {
    const core = await open();
    assert.equal(core.status, 'ready');
    assert.equal(core.storage, 'memory');
    assert.equal(core.openError, null);
    assert.equal(core.actor, null);
    const v = await core.meta.version();
    assert.equal(typeof v.core, 'string');
    await core.close();
    await core.close();
    assert.equal(core.status, 'closed');
    await assert.rejects(core.meta.version(), isCode('closed'));
    await assert.rejects(core.exportDatabase(), isCode('closed'));
  });

  test('has one function per operation, nested on the dots of the name', async () => {
    const core = await open();
    for (const name of OPERATION_NAMES) {
      const fn = name.split('.').reduce((node, part) => node?.[part], core);
      assert.equal(typeof fn, 'function', name);
    }
    assert.equal(typeof core.project.memory.add, 'function');
    assert.equal(typeof core.project.list, 'function');
    assert.ok(Object.isFrozen(core));
    await core.close();
  });

  test('the module knows exactly the generated operations (no drift)', async () => {
    const core = await open();
    const ops = (await core.meta.operations()).map((o) => o.name).sort();
    assert.deepEqual(ops, [...OPERATION_NAMES].sort());
    await core.close();
  });

  test('bad options -> CoreError', async () => {
    await assert.rejects(open({ idSeed: -1 }), anyCoreError);
    await assert.rejects(open({ idSeed: 'x' }), isCode('bad_request'));
    await assert.rejects(open({ actor: { organizationId: 1 } }), isCode('bad_request'));
    await assert.rejects(open({ path: '' }), isCode('bad_request'));
    await assert.rejects(open({ onProgress: 'yes' }), isCode('bad_request'));
    const { openCore } = await loadClient();
    await assert.rejects(openCore(null), isCode('bad_request'));
  });

  test('a database file keeps its data across clients', async () => {
    const path = join(dir, 'kept.sqlite');
    const { organization, owner } = await (async () => {
      const core = await open({ path });
      assert.equal(core.storage, 'file');
      const r = await core.organization.create({ name: 'Kept', slug: 'kept', ownerEmail: 'k@example.com', ownerName: 'K' });
      await core.close();
      return r;
    })();
    const again = await open({ path, actor: { organizationId: organization.id, userId: owner.id } });
    assert.equal((await again.organization.get()).slug, 'kept');
    await again.close();
  });
});

describe('operation families', () => {
  test('organization and user', async () => {
    const { core, organization, owner } = await seeded();
    assert.equal((await core.organization.get()).id, organization.id);
    const updated = await core.organization.update({ patch: { name: 'Acme Ltd' } });
    assert.equal(updated.name, 'Acme Ltd');
    const bob = await core.user.create({ email: 'bob@example.com', name: 'Bob', role: 'member' });
    assert.equal((await core.user.get({ id: bob.id })).email, 'bob@example.com');
    assert.equal((await core.user.list()).total, 2);
    assert.equal((await core.user.update({ id: bob.id, patch: { name: 'Robert' } })).name, 'Robert');
    await core.user.delete({ id: bob.id });
    assert.equal((await core.user.list()).total, 1);
    await core.user.restore({ id: bob.id });
    assert.equal((await core.user.list({ role: 'owner' })).items[0].id, owner.id);
    await core.close();
  });

  test('project, memories and overview', async () => {
    const { core, project, organization } = await seeded();
    const system = { as: { system: true, organizationId: organization.id } };
    assert.equal((await core.project.get({ id: project.id })).name, 'Weekly digest');
    assert.equal((await core.project.list({ status: 'active' })).total, 1);
    const withMemory = await core.project.memory.add({ projectId: project.id, content: 'Keep it short' });
    const memory = withMemory.memories.at(-1);
    assert.equal(memory.content, 'Keep it short');
    const edited = await core.project.memory.update({ projectId: project.id, memoryId: memory.id, content: 'Keep it shorter' });
    assert.equal(edited.memories.at(-1).content, 'Keep it shorter');
    assert.equal((await core.project.memory.remove({ projectId: project.id, memoryId: memory.id })).memories.length, 0);
    await core.project.update({ id: project.id, patch: { status: 'paused' } });
    assert.equal((await core.project.overview()).items[0].project.status, 'paused');
    await core.project.delete({ id: project.id });
    assert.equal((await core.project.list()).total, 0);
    await core.project.restore({ id: project.id });
    await core.project.purge({ id: project.id });
    await assert.rejects(core.project.get({ id: project.id, includeDeleted: true }), isCode('not_found'));
    await core.close();
  });

  test('callTracked and onChange: the tables a call read and changed (live views)', async () => {
    const { core, project } = await seeded();
    assert.equal(core.role, 'single');
    const seen = [];
    const off = core.onChange((c) => seen.push(c.tables));
    const w = await core.callTracked('planningNote.create', { projectId: project.id, content: 'Live' });
    assert.equal(w.result.content, 'Live');
    assert.ok(w.changed.includes('planning_notes'), JSON.stringify(w));
    const r = await core.callTracked('planningNote.list', { projectId: project.id });
    assert.ok(r.reads.includes('planning_notes'), JSON.stringify(r.reads));
    assert.deepEqual(r.changed, []);
    assert.equal(r.result.items.length, 1);
    assert.equal(seen.length, 1);  // reads announce nothing
    assert.ok(seen[0].includes('planning_notes'));
    await core.planningNote.create({ projectId: project.id, content: 'Again' });  // plain call() too
    assert.equal(seen.length, 2);
    off();
    await core.planningNote.create({ projectId: project.id, content: 'Unheard' });
    assert.equal(seen.length, 2);
    await core.close();
  });

  test('episodes, notes, agent memories, blocks, highlights, chat', async () => {
    const { core, project, owner } = await seeded();
    const episode = await core.episode.create({ projectId: project.id, number: 1, title: 'Pilot', scheduledFor: '2025-08-18T08:00:00.000Z' });
    assert.equal((await core.episode.list({ projectId: project.id })).total, 1);
    assert.equal((await core.episode.update({ id: episode.id, patch: { title: 'Pilot!' } })).title, 'Pilot!');
    const note = await core.planningNote.create({ projectId: project.id, content: 'Cover the launch' });
    assert.equal((await core.planningNote.apply({ id: note.id, episodeId: episode.id })).status, 'applied');
    const other = await core.planningNote.create({ projectId: project.id, content: 'Maybe later' });
    assert.equal((await core.planningNote.dismiss({ id: other.id })).status, 'dismissed');
    const mem = await core.agentMemory.create({ projectId: project.id, kind: 'fact', content: 'Audience: engineers' });
    assert.equal((await core.agentMemory.list({ projectId: project.id })).items[0].id, mem.id);
    const block = await core.block.create({ episodeId: episode.id, content: '# Hello' });
    const hl = await core.highlight.create({ episodeId: episode.id, blockId: block.id, startOffset: 2, endOffset: 7, quote: 'Hello' });
    assert.equal((await core.highlight.list({ episodeId: episode.id })).items[0].id, hl.id);
    const session = await core.chatSession.create({ projectId: project.id, title: 'Ideas' });
    await core.chatMessage.create({ sessionId: session.id, role: 'user', content: 'Hi' });
    assert.equal((await core.chatMessage.list({ sessionId: session.id })).total, 1);
    assert.equal(owner.role, 'owner');
    await core.close();
  });

  test('user events and the audit log', async () => {
    const { core } = await seeded();
    await core.userEvent.create({ eventType: 'onboarding.done', occurredAt: NOW });
    const has = await core.userEvent.has({ eventType: 'onboarding.done' });
    assert.equal(has.has, true);
    assert.equal((await core.userEvent.list()).total, 1);
    const audit = await core.auditLog.list();
    assert.ok(audit.total >= 2, 'organization and project creation are audited');
    await core.close();
  });

  test('schedule, queue, budget, usage, clock (when present)', { skip: !has('schedule.preview') && 'no schedule ops yet' }, async () => {
    const { core, project, organization } = await seeded();
    const system = { as: { system: true, organizationId: organization.id } };
    const preview = await core.schedule.preview({ projectId: project.id, from: NOW, count: 3 });
    assert.equal(preview.items.length, 3);
    assert.equal(preview.timezone, 'Europe/London');
    if (has('queue.plan')) {
      await assert.rejects(core.queue.plan({ horizonDays: 7 }), isCode('forbidden'));  // the worker's
      const plan = await core.queue.plan({ horizonDays: 7 }, { ...system, now: NOW });
      assert.equal(typeof plan.added, 'number');
      assert.equal(typeof (await core.queue.list()).total, 'number');
    }
    if (has('budget.status')) assert.equal(typeof (await core.budget.status()).limitMicros, 'number');
    if (has('usage.daily')) assert.ok(Array.isArray(await core.usage.daily({ days: 3 })));
    if (has('clock.get')) {
      await assert.rejects(core.clock.get(), isCode('forbidden'));  // the demo's, run as the system
      assert.equal(typeof (await core.clock.get({}, system)).now, 'string');
    }
    await core.close();
  });

  test('mock.seed with progress (when present)', { skip: !has('mock.seed') && 'no mock.seed op yet' }, async () => {
    const events = [];
    const core = await open({ onProgress: (p) => events.push(p) });
    const r = await core.resetToDemo();
    assert.equal(r.seeded, true);
    assert.ok(events.length > 0, 'progress was reported');
    assert.ok(events.every((e) => e.op === 'mock.seed' && typeof e.done === 'number' && typeof e.phase === 'string'));
    await core.close();
  });

  test('every operation answers a result or a CoreError (called with empty params)', async () => {
    const { core } = await seeded();
    for (const name of OPERATION_NAMES) {
      if (name === 'mock.seed') continue;  // covered above (and slow)
      try {
        await core.call(name, {});
      } catch (e) {
        anyCoreError(e);
      }
    }
    assert.equal(typeof (await core.meta.version()).core, 'string');
    await core.close();
  });
});

describe('error mapping', () => {
  test('not_found, invalid with issues, conflict, forbidden, bad_request', async () => {
    const { core, organization } = await seeded();
    await assert.rejects(core.project.get({ id: '00000000-0000-4000-8000-000000000000' }), isCode('not_found'));
    await assert.rejects(core.project.create({ name: '', cadenceConfig: { days: ['xyz'], time: '25:00' } }), (e) => {
      isCode('invalid')(e);
      assert.ok(e.issues.length >= 2, JSON.stringify(e.issues));
      for (const i of e.issues) assert.ok(Array.isArray(i.path) && typeof i.code === 'string' && typeof i.message === 'string');
      return true;
    });
    await assert.rejects(core.organization.create({ name: 'Acme 2', slug: 'acme', ownerEmail: 'x@example.com', ownerName: 'X' }), isCode('conflict'));
    await assert.rejects(core.project.list({}, { as: { organizationId: organization.id, userId: '00000000-0000-4000-8000-000000000000' } }), isCode('forbidden'));
    await assert.rejects(core.call('no.such.op', {}), isCode('bad_request'));
    await assert.rejects(core.project.list({ bogus: 1 }), isCode('invalid'));
    core.setActor(null);
    await assert.rejects(core.project.list(), isCode('bad_request'));
    await core.close();
  });

  test('errors are instances of the one CoreError class (and of Error)', async () => {
    const core = await open();
    const e = await core.call('nope', {}).catch((x) => x);
    assert.ok(e instanceof CoreError && e instanceof Error);
    assert.equal(e.name, 'CoreError');
    const mod = await loadClient();
    assert.equal(mod.CoreError, CoreError);
    await core.close();
  });
});

describe('hostile JS inputs', () => {
  const circular = {};
  circular.self = circular;
  const loneHigh = 'A\uD800cme';
  const loneLow = '\uDC00';

  test('params of every JS type', async () => {
    const { core } = await seeded();
    for (const params of [null, 42, 'text', true, [], [1], NaN, () => 1, Symbol('s'), 1n, circular, { n: 1n }, new Date(0)]) {
      await assert.rejects(core.project.list(params), anyCoreError, String(typeof params));
    }
    assert.equal((await core.project.list(undefined)).total, 1);
    await core.close();
  });

  test('field values of every JS type', async () => {
    const { core, project, organization } = await seeded();
    const system = { as: { system: true, organizationId: organization.id } };
    const values = [undefined, null, NaN, Infinity, -0, 0, 1.5, true, {}, [], ['a'], { toString: () => 'x' }, () => 'x',
      Symbol('x'), new Map(), loneHigh, loneLow, ''];
    const dropped = (v) => v === undefined || typeof v === 'function' || typeof v === 'symbol';  // JSON omits them
    for (const v of values) {
      // name must be a non-empty string: anything else is refused with a CoreError
      await assert.rejects(core.project.create({ name: v, cadenceConfig: cadence }), anyCoreError, `name=${String(v)}`);
      await assert.rejects(core.project.get({ id: v }), anyCoreError, `id=${String(v)}`);
      if (!dropped(v)) await assert.rejects(core.project.update({ id: project.id, patch: { status: v } }), anyCoreError, `status=${String(v)}`);
    }
    // control characters: stored or refused, but never anything but a result or a CoreError
    await core.project.create({ name: 'a\u0000b', cadenceConfig: cadence }).catch(anyCoreError);
    for (const v of [1n, circular]) await assert.rejects(core.project.create({ name: v, cadenceConfig: cadence }), isCode('bad_request'));
    await core.close();
  });

  test('huge strings and deep nesting', async () => {
    const { core } = await seeded();
    for (const size of [64 * 1024, 1024 * 1024, 8 * 1024 * 1024]) {
      const big = 'x'.repeat(size);
      const r = await core.project.create({ name: big, cadenceConfig: cadence }).then(() => 'stored', (e) => (anyCoreError(e), 'refused'));
      assert.ok(r === 'stored' || r === 'refused');
      await assert.rejects(core.call(big, {}), isCode('bad_request'));
      await assert.rejects(core.project.get({ id: big }), anyCoreError);
    }
    let deep = {};
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    await assert.rejects(core.project.list({ deep }), anyCoreError);
    assert.equal((await core.project.list()).total >= 1, true);
    await core.close();
  });

  test('operation names, actors, options and now of the wrong type', async () => {
    const { core } = await seeded();
    for (const op of [undefined, null, 42, {}, [], Symbol('x'), loneHigh, 'project.list\uDC00']) {
      await assert.rejects(core.call(op, {}), anyCoreError, String(typeof op));
    }
    for (const actor of [42, 'me', { organizationId: 'a' }, { organizationId: 1, userId: 2 }, []]) {
      assert.throws(() => core.setActor(actor), isCode('bad_request'));
      await assert.rejects(core.project.list({}, { as: actor }), isCode('bad_request'));
    }
    await assert.rejects(core.project.list({}, { now: 12 }), isCode('bad_request'));
    // A user may not pick the time at all; the system must give a real instant.
    await assert.rejects(core.project.list({}, { now: 'yesterday' }), isCode('forbidden'));
    await assert.rejects(core.meta.version({}, { as: { system: true }, now: 'yesterday' }), isCode('bad_request'));
    await assert.rejects(core.meta.version({}, { as: { system: 'yes' } }), isCode('bad_request'));
    await assert.rejects(core.project.list({}, 'options'), isCode('bad_request'));
    await assert.rejects(core.project.list({}, { onProgress: 1 }), isCode('bad_request'));
    assert.throws(() => core.onProgress(null), isCode('bad_request'));
    await assert.rejects(core.importDatabase('file.sqlite'), isCode('bad_request'));
    await assert.rejects(core.importDatabase(undefined), isCode('bad_request'));
    assert.equal((await core.project.list()).total, 1, 'the client still works');
    await core.close();
  });
});

describe('export and import', () => {
  const header = (bytes) => Buffer.from(bytes.subarray(0, 16)).toString('latin1');

  test('export -> stock sqlite3 opens it -> import into another client', async () => {
    const { core, organization, owner, project } = await seeded();
    const bytes = await core.exportDatabase();
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(header(bytes), 'SQLite format 3\u0000');
    const file = join(dir, 'export.sqlite');
    writeFileSync(file, bytes);
    const out = execFileSync('sqlite3', [file, 'PRAGMA integrity_check; PRAGMA application_id; SELECT name FROM projects;'], { encoding: 'utf8' });
    assert.deepEqual(out.trim().split('\n'), ['ok', String(0x45504331), 'Weekly digest']);

    const other = await open();
    const state = await other.importDatabase(bytes);
    assert.equal(state.status, 'ready');
    other.setActor({ organizationId: organization.id, userId: owner.id });
    assert.equal((await other.project.get({ id: project.id })).name, 'Weekly digest');
    await other.importDatabase(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    await other.close();
    await core.close();
  });

  test('bad files are refused with a clear CoreError and nothing is lost', async () => {
    const { core, project, organization } = await seeded();
    const system = { as: { system: true, organizationId: organization.id } };
    const good = await core.exportDatabase();
    const foreign = join(dir, 'foreign.sqlite');
    execFileSync('sqlite3', [foreign, 'CREATE TABLE t(x); INSERT INTO t VALUES (1);']);
    const newer = good.slice();
    new DataView(newer.buffer).setInt32(60, 99);  // PRAGMA user_version = 99
    const damaged = good.slice();
    damaged.fill(0x5a, good.length - 4096 * 2);  // overwrite the last pages
    const cases = [
      [new Uint8Array(0), 'not_a_database'],
      [new TextEncoder().encode('hello, this is not a database'.repeat(10)), 'not_a_database'],
      [good.subarray(0, good.length - 100), 'not_a_database'],
      [new Uint8Array(readFileSync(foreign)), 'not_a_database'],
      [newer, 'schema_too_new'],
      [damaged, 'not_a_database'],
    ];
    for (const [bytes, code] of cases) {
      await assert.rejects(core.importDatabase(bytes), isCode(code));
      assert.equal(core.status, 'ready');
      assert.equal((await core.project.get({ id: project.id })).name, 'Weekly digest', 'data survived');
    }
    await core.close();
  });
});

describe('a stored database that does not open', () => {
  test('is reported, never wiped; raw export and reset are offered', async () => {
    const path = join(dir, 'broken.sqlite');
    const junk = Buffer.from('definitely not SQLite '.repeat(400));
    writeFileSync(path, junk);
    const core = await open({ path });
    assert.equal(core.status, 'broken');
    assert.equal(core.openError.code, 'not_a_database');
    await assert.rejects(core.project.list(), isCode('unavailable'));
    assert.deepEqual(Buffer.from(await core.exportDatabase()), junk, 'raw bytes are exported');
    assert.deepEqual(readFileSync(path), junk, 'the file is untouched');
    const r = await core.resetToDemo();
    assert.equal(r.state.status, 'ready');
    assert.equal(core.status, 'ready');
    assert.equal(core.openError, null);
    await core.close();
    assert.equal(readFileSync(path).subarray(0, 15).toString(), 'SQLite format 3');
  });

  test('a newer schema is reported as schema_too_new and left unchanged', async () => {
    const path = join(dir, 'newer.sqlite');
    execFileSync('sqlite3', [path, `PRAGMA application_id = ${0x45504331}; PRAGMA user_version = 99; CREATE TABLE future(x);`]);
    const before = readFileSync(path);
    const core = await open({ path });
    assert.equal(core.status, 'broken');
    assert.equal(core.openError.code, 'schema_too_new');
    await core.close();
    assert.deepEqual(readFileSync(path), before);
  });

  test('a broken database can be replaced by an import', async () => {
    const { core: source } = await seeded();
    const good = await source.exportDatabase();
    await source.close();
    const path = join(dir, 'broken2.sqlite');
    writeFileSync(path, Buffer.alloc(8192, 7));
    const core = await open({ path });
    assert.equal(core.status, 'broken');
    assert.equal((await core.importDatabase(good)).status, 'ready');
    assert.equal(core.status, 'ready');
    await core.close();
    assert.ok(existsSync(path));
  });
});

describe('memory', () => {
  test('100k calls: the wasm heap and the handle count stay flat', { timeout: 300_000 }, async () => {
    const { core, project, organization } = await seeded();
    const system = { as: { system: true, organizationId: organization.id } };
    const cycle = async (i) => {
      switch (i % 4) {
        case 0: return core.project.get({ id: project.id });
        case 1: return core.project.list({ limit: 5 });
        case 2: return core.meta.version();
        default: return core.project.get({ id: 'missing' }).catch((e) => e);  // error path too
      }
    };
    for (let i = 0; i < 5_000; i++) await cycle(i);
    const before = await core.memoryStats();
    for (let i = 0; i < 100_000; i++) await cycle(i);
    const afterStats = await core.memoryStats();
    assert.ok(afterStats.inUseBytes - before.inUseBytes < 64 * 1024,
      `in-use heap grew by ${afterStats.inUseBytes - before.inUseBytes} bytes over 100k calls`);
    assert.equal(afterStats.wasmBytes, before.wasmBytes, 'linear memory did not grow');
    assert.equal(afterStats.emvalHandles, before.emvalHandles, 'no embind handle leaked');
    await core.close();
  });

  test('1k clients opened and closed do not leak', { timeout: 120_000 }, async () => {
    const probe = await open();
    const start = await probe.memoryStats();
    for (let i = 0; i < 1000; i++) {
      const c = await open();
      await c.meta.version();
      await c.close();
    }
    const end = await probe.memoryStats();
    assert.ok(end.inUseBytes - start.inUseBytes < 64 * 1024, `grew by ${end.inUseBytes - start.inUseBytes}`);
    await probe.close();
  });
});
