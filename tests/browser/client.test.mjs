// The browser client (web/src/core/client.ts + core.worker.ts) in Debian's headless Chromium on
// a static test page: durability across reloads and browser restarts (OPFS and IndexedDB), two
// tabs, export/import (the file opens in the stock sqlite3 CLI), a stored database that does not
// open, interrupted writes, and errors crossing the worker.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setup, reload } from './helpers.mjs';

const NOW = '2025-08-15T09:00:00.000Z';
let env;
let tmp;
before(async () => {
  env = await setup();
  tmp = mkdtempSync(join(tmpdir(), 'ec-browser-'));
});
after(async () => {
  await env?.close();
  rmSync(tmp, { recursive: true, force: true });
});

// In the page: opens `name`, creates an organization + a project, returns ids (no close).
async function createSample(page, name, options = {}) {
  return page.evaluate(async ({ name, options, NOW }) => {
    const core = await ec.open({ name, ...options });
    window.core = core;
    const { organization, owner } = await core.organization.create({
      name: 'Acme', slug: 'acme', plan: 'team', ownerEmail: 'ada@example.com', ownerName: 'Ada', ownerTimezone: 'Europe/London',
    }, { as: { system: true }, now: NOW });
    const actor = { organizationId: organization.id, userId: owner.id };
    core.setActor(actor);
    const project = await core.project.create({ name: 'Weekly digest', cadenceConfig: { days: ['mon'], time: '09:00' } });
    return { storage: core.storage, status: core.status, actor, projectId: project.id };
  }, { name, options, NOW });
}

// In the page: reopens `name` and returns the project names.
async function projectNames(page, name, actor, options = {}) {
  return page.evaluate(async ({ name, actor, options }) => {
    const core = await ec.open({ name, actor, ...options });
    window.core = core;
    const page = await core.project.list();
    return { status: core.status, storage: core.storage, names: page.items.map((p) => p.name) };
  }, { name, actor, options });
}

describe('durable storage', () => {
  test('OPFS: a resolved write survives a reload (no close) and a browser restart', async () => {
    const profile = env.newProfile();
    let ctx = await env.launch(profile);
    let page = await env.page(ctx);
    const sample = await createSample(page, 'durable');
    assert.equal(sample.storage, 'opfs');
    assert.equal(sample.status, 'ready');
    await reload(page);
    assert.deepEqual(await projectNames(page, 'durable', sample.actor), { status: 'ready', storage: 'opfs', names: ['Weekly digest'] });
    // one more write, then the whole browser goes away without closing anything
    await page.evaluate(async () => { await core.project.create({ name: 'Second', cadenceConfig: { days: ['tue'], time: '10:00' } }); });
    await ctx.close();
    ctx = await env.launch(profile);
    page = await env.page(ctx);
    const after = await projectNames(page, 'durable', sample.actor);
    assert.deepEqual(after.names.sort(), ['Second', 'Weekly digest']);
    await ctx.close();
  });

  test('IndexedDB fallback: a resolved write survives a reload', async () => {
    const ctx = await env.launch(env.newProfile());
    const page = await env.page(ctx);
    const sample = await createSample(page, 'viaidb', { storage: 'idb' });
    assert.equal(sample.storage, 'idb');
    await page.evaluate(async () => {
      for (let i = 0; i < 20; i++) await core.project.create({ name: `P${i}`, cadenceConfig: { days: ['mon'], time: '09:00' } });
    });
    await reload(page);
    const after = await projectNames(page, 'viaidb', sample.actor, { storage: 'idb' });
    assert.equal(after.storage, 'idb');
    assert.equal(after.names.length, 21);
    await ctx.close();
  });

  test('writes interrupted by a reload leave a consistent database with every resolved write', async () => {
    const ctx = await env.launch(env.newProfile());
    const page = await env.page(ctx);
    const sample = await createSample(page, 'interrupted');
    const resolved = await page.evaluate(async () => {
      window.resolvedNames = [];
      for (let i = 0; i < 400; i++) {
        core.project.create({ name: `Burst ${i}`, status: 'archived', cadenceConfig: { days: ['wed'], time: '08:00' } })
          .then((p) => window.resolvedNames.push(p.name), () => {});
      }
      while (window.resolvedNames.length < 25) await new Promise((r) => setTimeout(r, 1));
      return [...window.resolvedNames];
    });
    await reload(page);  // the worker dies mid-burst
    const after = await page.evaluate(async (actor) => {
      const core = await ec.open({ name: 'interrupted', actor });
      window.core = core;
      const names = (await core.project.list({ limit: 1000 })).items.map((p) => p.name);
      return { status: core.status, names };
    }, sample.actor);
    assert.equal(after.status, 'ready');
    for (const name of resolved) assert.ok(after.names.includes(name), `${name} was resolved before the reload`);
    const count = after.names.length;
    assert.ok(count >= resolved.length + 1, `${count} rows, ${resolved.length} resolved before the reload`);
    const b64 = await page.evaluate(async () => ec.toBase64(await core.exportDatabase()));
    const file = join(tmp, 'interrupted.sqlite');
    writeFileSync(file, Buffer.from(b64, 'base64'));
    assert.equal(execFileSync('sqlite3', [file, 'PRAGMA integrity_check;'], { encoding: 'utf8' }).trim(), 'ok');
    await ctx.close();
  });
});

describe('two tabs', () => {
  test('the second tab is told "locked" (or waits), never opens the same files', async () => {
    const ctx = await env.launch(env.newProfile());
    const a = await env.page(ctx);
    const b = await env.page(ctx);
    const sample = await createSample(a, 'shared');
    const refused = await b.evaluate(async () => {
      try {
        await ec.open({ name: 'shared', lock: 'fail' });
        return null;
      } catch (e) {
        return ec.errorData(e);
      }
    });
    assert.equal(refused?.isCoreError, true);
    assert.equal(refused.code, 'locked');
    assert.match(refused.message, /another tab/);
    const timedOut = await b.evaluate(async () => ec.open({ name: 'shared', lock: 200 }).then(() => null, (e) => e.code));
    assert.equal(timedOut, 'locked');
    // a waiting tab gets the database once the first one closes it
    await b.evaluate(() => { window.waiting = ec.open({ name: 'shared', lock: 'wait', actor: null }); });
    await a.evaluate(async () => { await core.close(); });
    const names = await b.evaluate(async (actor) => {
      const core = await window.waiting;
      core.setActor(actor);
      return (await core.project.list()).items.map((p) => p.name);
    }, sample.actor);
    assert.deepEqual(names, ['Weekly digest']);
    // a different database name is independent
    const other = await a.evaluate(async () => (await ec.open({ name: 'other', lock: 'fail' })).status);
    assert.equal(other, 'ready');
    await ctx.close();
  });
});

describe('export and import', () => {
  test('round trip: exported file opens in sqlite3; import into another database; bad files change nothing', async () => {
    const ctx = await env.launch(env.newProfile());
    const page = await env.page(ctx);
    const sample = await createSample(page, 'source');
    const b64 = await page.evaluate(async () => ec.toBase64(await core.exportDatabase()));
    const file = join(tmp, 'export.sqlite');
    writeFileSync(file, Buffer.from(b64, 'base64'));
    const out = execFileSync('sqlite3', [file, 'PRAGMA integrity_check; PRAGMA application_id; SELECT name FROM projects;'], { encoding: 'utf8' });
    assert.deepEqual(out.trim().split('\n'), ['ok', String(0x45504331), 'Weekly digest']);

    const result = await page.evaluate(async ({ b64, actor }) => {
      const target = await ec.open({ name: 'target' });
      await target.importDatabase(ec.fromBase64(b64));
      target.setActor(actor);
      const names = (await target.project.list()).items.map((p) => p.name);
      const bad = [];
      for (const bytes of [new Uint8Array(0), new TextEncoder().encode('not a database at all, sorry'.repeat(20))]) {
        bad.push(await target.importDatabase(bytes).then(() => null, (e) => ec.errorData(e)));
      }
      const newer = ec.fromBase64(b64);
      new DataView(newer.buffer).setInt32(60, 99);
      bad.push(await target.importDatabase(newer).then(() => null, (e) => ec.errorData(e)));
      const foreign = ec.fromBase64(b64);
      new DataView(foreign.buffer).setInt32(68, 0x12345678);
      bad.push(await target.importDatabase(foreign).then(() => null, (e) => ec.errorData(e)));
      const still = (await target.project.list()).items.map((p) => p.name);
      return { names, bad, still, status: target.status };
    }, { b64, actor: sample.actor });
    assert.deepEqual(result.names, ['Weekly digest']);
    assert.deepEqual(result.bad.map((e) => [e.isCoreError, e.code]), [
      [true, 'not_a_database'], [true, 'not_a_database'], [true, 'schema_too_new'], [true, 'not_a_database']]);
    assert.deepEqual(result.still, ['Weekly digest']);
    assert.equal(result.status, 'ready');
    // the import is durable too
    await reload(page);
    assert.deepEqual((await projectNames(page, 'target', sample.actor)).names, ['Weekly digest']);
    await ctx.close();
  });
  test('a WAL-mode file (header bytes 18/19 = 2) imports, is stored as a rollback-journal file and stays writable', async () => {
    const ctx = await env.launch(env.newProfile());
    const page = await env.page(ctx);
    const sample = await createSample(page, 'walsource');
    const b64 = await page.evaluate(async () => ec.toBase64(await core.exportDatabase()));
    const file = join(tmp, 'wal.sqlite');
    writeFileSync(file, Buffer.from(b64, 'base64'));
    // The stock sqlite3 CLI switches the file to WAL and writes through the WAL; closing it
    // checkpoints into the main file, whose header keeps saying WAL.
    execFileSync('sqlite3', [file, "PRAGMA journal_mode = WAL; UPDATE projects SET name = 'Written in WAL mode';"]);
    const wal = readFileSync(file);
    assert.deepEqual([wal[18], wal[19]], [2, 2]);
    const result = await page.evaluate(async ({ b64, actor }) => {
      const target = await ec.open({ name: 'waltarget' });
      await target.importDatabase(ec.fromBase64(b64));
      target.setActor(actor);
      const names = (await target.project.list()).items.map((p) => p.name);
      await target.project.create({ name: 'After the import', cadenceConfig: { days: ['tue'], time: '10:00' } });
      const stored = await target.exportDatabase();
      return { names, header: [stored[18], stored[19]], status: target.status };
    }, { b64: wal.toString('base64'), actor: sample.actor });
    assert.deepEqual(result, { names: ['Written in WAL mode'], header: [1, 1], status: 'ready' });
    await reload(page);
    assert.deepEqual((await projectNames(page, 'waltarget', sample.actor)).names.sort(), ['After the import', 'Written in WAL mode']);
    await ctx.close();
  });
});

describe('a stored database that does not open', () => {
  for (const [label, kind, code] of [['corrupt bytes', 'junk', 'not_a_database'], ['a newer schema', 'newer', 'schema_too_new']]) {
    test(`${label}: typed error state, raw export, never wiped, reset recovers`, async () => {
      const ctx = await env.launch(env.newProfile());
      const page = await env.page(ctx);
      const name = `broken-${kind}`;
      if (kind === 'newer') {
        await createSample(page, name);
        await page.evaluate(async () => { await core.close(); });
      }
      // Damage the stored file from the page (OPFS async API; the worker is closed).
      const stored = await page.evaluate(async ({ name, kind }) => {
        const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('episodes-core', { create: true });
        const fh = await dir.getFileHandle(`${name}.sqlite`, { create: true });
        let bytes;
        if (kind === 'junk') {
          bytes = new TextEncoder().encode('this is not what was stored '.repeat(300));
        } else {
          bytes = new Uint8Array(await (await fh.getFile()).arrayBuffer());
          new DataView(bytes.buffer).setInt32(60, 99);  // user_version from the future
        }
        const w = await fh.createWritable();
        await w.write(bytes);
        await w.close();
        return ec.toBase64(bytes);
      }, { name, kind });
      const broken = await page.evaluate(async (name) => {
        const core = await ec.open({ name });
        window.core = core;
        const call = await core.project.list().then(() => null, (e) => ec.errorData(e));
        const raw = ec.toBase64(await core.exportDatabase());
        return { status: core.status, openError: ec.errorData(core.openError), call, raw };
      }, name);
      assert.equal(broken.status, 'broken');
      assert.equal(broken.openError.isCoreError, true);
      assert.equal(broken.openError.code, code);
      assert.equal(broken.call.code, 'unavailable');
      assert.equal(broken.raw, stored, 'export gives the raw stored bytes');
      // reopening after a reload: still there, still broken (nothing was wiped)
      await reload(page);
      const again = await page.evaluate(async (name) => {
        const core = await ec.open({ name });
        window.core = core;
        return { status: core.status, raw: ec.toBase64(await core.exportDatabase()) };
      }, name);
      assert.deepEqual(again, { status: 'broken', raw: stored });
      // the explicit reset recovers, durably
      const reset = await page.evaluate(async () => {
        const r = await core.resetToDemo();
        return { status: core.status, seeded: r.seeded, openError: core.openError };
      });
      assert.equal(reset.status, 'ready');
      assert.equal(reset.openError, null);
      await reload(page);
      assert.equal(await page.evaluate(async (name) => (await ec.open({ name })).status, name), 'ready');
      await ctx.close();
    });
  }
});

describe('errors and progress across the worker', () => {
  test('every failure is a CoreError with code, message and issues', async () => {
    const ctx = await env.launch(env.newProfile());
    const page = await env.page(ctx);
    await createSample(page, 'errors');
    const errors = await page.evaluate(async () => {
      const out = {};
      const grab = async (key, p) => { out[key] = await p.then(() => null, (e) => ec.errorData(e)); };
      await grab('invalid', core.project.create({ name: '', cadenceConfig: { days: ['nope'], time: '99:99' } }));
      await grab('notFound', core.project.get({ id: '00000000-0000-4000-8000-000000000000' }));
      await grab('unknownOp', core.call('no.such.op', {}));
      await grab('bigint', core.project.list({ limit: 1n }));
      await grab('loneSurrogate', core.project.create({ name: 'A\uD800', cadenceConfig: { days: ['mon'], time: '09:00' } }));
      await grab('function', core.project.list(() => 1));
      await grab('badStorage', ec.open({ name: 'x', storage: 'opfs', worker: '/dist/missing-worker.js' }));
      await grab('badName', ec.open({ name: '../escape' }));
      await grab('badModule', ec.open({ name: 'nomodule', storage: 'memory', moduleUrl: '/core/missing.js' }));
      return out;
    });
    assert.equal(errors.invalid.code, 'invalid');
    assert.ok(errors.invalid.issues.length >= 2);
    assert.equal(errors.notFound.code, 'not_found');
    assert.equal(errors.unknownOp.code, 'bad_request');
    assert.equal(errors.bigint.code, 'bad_request');
    assert.ok(['invalid', 'bad_request'].includes(errors.loneSurrogate.code));
    assert.equal(errors.function.code, 'bad_request');
    assert.equal(errors.badStorage.code, 'internal');
    assert.equal(errors.badName.code, 'bad_request');
    assert.equal(errors.badModule.code, 'io');
    for (const e of Object.values(errors)) assert.equal(e.isCoreError, true, JSON.stringify(e));
    await ctx.close();
  });

  test('resetToDemo seeds with progress when mock.seed exists (else empties)', async () => {
    const ctx = await env.launch(env.newProfile());
    const page = await env.page(ctx);
    const r = await page.evaluate(async () => {
      const events = [];
      const core = await ec.open({ name: 'demo', onProgress: (p) => events.push(p) });
      const hasSeed = ec.OPERATION_NAMES ? ec.OPERATION_NAMES.includes('mock.seed') : null;
      const res = await core.resetToDemo();
      return { seeded: res.seeded, status: core.status, events: events.length, hasSeed };
    });
    assert.equal(r.status, 'ready');
    if (r.seeded) assert.ok(r.events > 0, 'progress events reached the page');
    await ctx.close();
  });
});

describe('the mock data module (docs/adr/0026-mock-generator-module.md)', () => {
  // opfs and idb: the mock module seeds the stored files in place; memory: a copy, imported back.
  for (const storage of ['opfs', 'idb', 'memory']) {
  test(`${storage}: the browser core seeds through episodes_core_mock, loaded only then, with the Node module's data`, async () => {
    const { loadCore } = await import('../../bindings/js/core.mjs');
    const wasmDir = process.env.EC_WASM_DIR ?? 'build/wasm';
    const nodeUrl = new URL(`file://${wasmDir.startsWith('/') ? wasmDir : join(process.cwd(), wasmDir)}/bindings/episodes_core_node.mjs`);
    const node = await loadCore({ moduleUrl: nodeUrl });
    const params = { size: 'demo', seed: 5 };
    const h = node.open(':memory:');
    const expected = h.call({ op: 'mock.seed', as: { system: true }, params });
    h.close();

    const ctx = await env.launch(env.newProfile());
    const page = await env.page(ctx);
    const fetched = [];
    page.on('request', (r) => { if (/episodes_core_(mock|web)\./.test(r.url())) fetched.push(new URL(r.url()).pathname); });
    const opened = await page.evaluate(async (storage) => {
      const core = await ec.open({ name: 'mockmodule', storage });
      window.core = core;
      const v = await core.call('meta.version', {});
      return { status: core.status, storage: core.storage, schemaVersion: v.schemaVersion };
    }, storage);
    assert.equal(opened.status, 'ready');
    assert.equal(opened.storage, storage);
    assert.ok(fetched.includes('/core/episodes_core_web.wasm'), fetched.join());
    assert.ok(!fetched.some((p) => p.includes('episodes_core_mock')), `opening fetched the mock module: ${fetched.join()}`);

    const seeded = await page.evaluate(async (params) => {
      const events = [];
      await core.call('clock.set', { now: '2026-01-02T03:04:05.000Z' }, { as: { system: true } });
      const res = await core.resetToDemo(params);
      const conflict = await core.call('mock.seed', params, { as: { system: true }, onProgress: (p) => events.push(p) })
        .then(() => null, (e) => ec.errorData(e));
      const orgs = await core.call('demo.actors', {}, { as: { system: true } });
      return { res, conflict, orgs: orgs.length, status: core.status };
    }, params);
    assert.equal(seeded.status, 'ready');
    assert.equal(seeded.res.seeded, true);
    assert.deepEqual(seeded.res.seed, expected, 'the same report and digest as the Node module');
    assert.equal(seeded.conflict?.code, 'conflict', 'a second seed: the operation\'s own conflict');
    assert.ok(seeded.orgs > 0);
    assert.deepEqual(fetched.filter((p) => p.includes('episodes_core_mock')).sort(), ['/core/episodes_core_mock.js', '/core/episodes_core_mock.wasm']);

    if (storage !== 'memory') {
      // durable: the seeded files are the stored database after a reload
      await reload(page);
      const again = await page.evaluate(async (storage) => {
        const core = await ec.open({ name: 'mockmodule', storage });
        return (await core.call('demo.actors', {}, { as: { system: true } })).length;
      }, storage);
      assert.equal(again, seeded.orgs);
    }
    await ctx.close();
  });
  }
});
