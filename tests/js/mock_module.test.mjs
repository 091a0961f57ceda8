// The browser core leaves the mock data generator out (episodes_core_web); mock.seed runs in the
// lazily loaded mock module (episodes_core_mock) through the engine (web/src/core/engine.ts), and
// gives the same data as the Node module and the native CLI (docs/adr/0026-mock-generator-module.md).
// The browser builds load here in a worker-like global scope (like builds.test.mjs), so this file
// runs in its own process (node --test isolates files).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFactory } from '../../bindings/js/core.mjs';
import { load, repoRoot, moduleUrl } from './helpers/core.mjs';
import { loadEngine } from './helpers/engine.mjs';

const dir = mkdtempSync(join(tmpdir(), 'ec-mock-module-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** A seed the prebuilt demo file does not serve (another seed, a reference date, counts). */
const PARAMS = { size: 'demo', seed: 7, referenceDate: '2026-03-02' };
const request = (params) => JSON.stringify({ op: 'mock.seed', as: { system: true }, params });

let web;
let mock;
let node;
let Engine;
let mockLoads = 0;

async function browserModule(name) {
  const url = new URL(`${name}.js`, moduleUrl);
  const { default: factory } = await import(url);
  return fromFactory(factory, { wasmBinary: readFileSync(new URL(`${name}.wasm`, moduleUrl)) });
}

before(async () => {
  const webUrl = new URL('episodes_core_web.js', moduleUrl);
  Object.assign(globalThis, { self: globalThis, importScripts: () => {}, location: { href: String(webUrl) } });
  web = await browserModule('episodes_core_web');
  node = await load();
  Engine = await loadEngine(dir);
});

function engine(path = ':memory:') {
  const e = new Engine(web, {
    kind: 'memory', path, tmpDir: '/tmp', commit: () => Promise.resolve(),
    loadMockModule: async () => {
      mockLoads += 1;
      mock ??= await browserModule('episodes_core_mock');
      return mock;
    },
  });
  assert.equal(e.open().status, 'ready');
  return e;
}

test('the browser core has no generator; the mock module and the Node module have it', async () => {
  assert.equal(web.hasMockGenerator, false);
  assert.equal(node.hasMockGenerator, true);
  const m = await browserModule('episodes_core_mock');
  assert.equal(m.hasMockGenerator, true);
  // mock.seed stays declared in the browser core (one registry: meta.operations, generated TS)
  const h = web.open(':memory:');
  try {
    const ops = h.call({ op: 'meta.operations' }).map((o) => o.name);
    assert.ok(ops.includes('mock.seed'));
    assert.deepEqual(ops, node.open(':memory:').call({ op: 'meta.operations' }).map((o) => o.name));
    // its checks run as everywhere, then it says where the generator is
    assert.throws(() => h.call({ op: 'mock.seed', params: PARAMS }), (e) => e.code === 'forbidden' || e.code === 'bad_request');
    assert.throws(() => h.call({ op: 'mock.seed', as: { system: true }, params: { ...PARAMS, size: 'huge' } }), (e) => e.code === 'invalid');
    assert.throws(() => h.call({ op: 'mock.seed', as: { system: true }, params: PARAMS }),
      (e) => e.code === 'bad_request' && /mock module/.test(e.message));
  } finally {
    h.close();
  }
});

test('the browser core carries no mock corpus; the mock module does', () => {
  const has = (name) => readFileSync(new URL(`${name}.wasm`, moduleUrl)).includes('Kestrel Robotics');
  assert.equal(has('episodes_core_web'), false, 'a corpus string in episodes_core_web.wasm');
  assert.equal(has('episodes_core_mock'), true);
});

test('mock.seed through the engine on the browser core = the Node module and the native CLI', async () => {
  const e = engine();
  const progress = [];
  const out = await e.callTracked(request(PARAMS), (done, total, phase) => progress.push({ done, total, phase }));
  assert.ok(progress.length > 0, 'progress from the mock module');
  assert.equal(progress.at(-1).phase, 'done');
  assert.ok(out.changed.includes('episodes'), JSON.stringify(out.changed));

  const h = node.open(':memory:');
  const expected = h.call({ op: 'mock.seed', as: { system: true }, params: PARAMS });
  assert.deepEqual(out.result, expected, 'the same report, digest included');
  // the main core now holds the data: the same organizations and members as the Node seed
  const actors = JSON.stringify({ op: 'demo.actors', as: { system: true } });
  assert.deepEqual(await e.call(actors), h.call(actors));
  h.close();

  const cli = join(repoRoot, 'build/native/episodes-core');
  if (existsSync(cli)) {
    const db = join(dir, 'native.sqlite');
    const text = execFileSync(cli, ['seed', '--db', db, '--seed', String(PARAMS.seed), '--size', PARAMS.size,
      '--reference-date', PARAMS.referenceDate, '--digest', '--quiet'], { encoding: 'utf8' });
    const native = JSON.parse(text.trim().split('\n').at(-1));
    assert.equal(native.digest, expected.digest, 'the native CLI writes the same dataset');
    assert.deepEqual(native.rows, expected.rows);
  }

  // a second seed into the now non-empty database: the operation's own conflict
  await assert.rejects(e.call(request(PARAMS)), (err) => err.code === 'conflict');
  // params errors come from the operation too
  await assert.rejects(e.call(request({ ...PARAMS, seed: -1 })), (err) => err.code === 'invalid');
  e.close();
});

test('reset with a non-demo seed generates through the mock module (a file database too)', async () => {
  const e = engine('/seeded/db.sqlite');
  const params = { size: 'demo', seed: 3 };
  const { state, seed } = await e.reset(request(params), () => {});
  assert.equal(state.status, 'ready');
  const h = node.open(':memory:');
  assert.deepEqual(seed, h.call({ op: 'mock.seed', as: { system: true }, params }));
  h.close();
  e.close();
  assert.ok(mockLoads >= 2, 'the engine asked for the mock module');
});

/** A store file (persistence.ts StoreFile) in memory, as the browser VFS takes it. */
function memoryStoreFile() {
  let data = new Uint8Array(0);
  let length = 0;
  return {
    read(view, at) { const n = Math.max(0, Math.min(view.length, length - at)); view.set(data.subarray(at, at + n)); return n; },
    write(view, at) {
      if (at + view.length > data.length) { const grown = new Uint8Array(Math.max(at + view.length, data.length * 2)); grown.set(data.subarray(0, length)); data = grown; }
      data.set(view, at);
      length = Math.max(length, at + view.length);
      return view.length;
    },
    size() { return length; },
    truncate(n) { length = Math.min(length, n); if (n > length) this.write(new Uint8Array(n - length), length); },
    flush() {},
    bytes() { return data.slice(0, length); },
  };
}

test('stored files: the mock module seeds them in place (the worker\'s path), the clock carried over', async () => {
  const files = { 'db.sqlite': memoryStoreFile(), 'db.sqlite-journal': memoryStoreFile() };
  web.files.mount('/stored', files);
  const mounts = [];
  const e = new Engine(web, {
    kind: 'opfs', path: '/stored/db.sqlite', tmpDir: '/tmp', commit: () => Promise.resolve(),
    tuning: { journalMode: 'TRUNCATE', synchronous: 'FULL' },
    loadMockModule: async () => (mock ??= await browserModule('episodes_core_mock')),
    mountIn: (m) => {
      const release = m.files.mount('/stored', files);
      mounts.push('mount');
      return { path: '/stored/db.sqlite', release: () => { release(); mounts.push('release'); } };
    },
  });
  assert.equal(e.open().status, 'ready');
  await e.call(JSON.stringify({ op: 'clock.set', as: { system: true }, params: { now: '2026-03-05T10:00:00.000Z' } }));
  const progress = [];
  const out = await e.callTracked(request(PARAMS), (done, total, phase) => progress.push(phase));
  assert.deepEqual(mounts, ['mount', 'release']);
  assert.equal(progress.at(-1), 'done');
  const h = node.open(':memory:');
  assert.deepEqual(out.result, h.call({ op: 'mock.seed', as: { system: true }, params: PARAMS }));
  const actors = JSON.stringify({ op: 'demo.actors', as: { system: true } });
  assert.deepEqual(await e.call(actors), h.call(actors));
  h.close();
  const clock = await e.call(JSON.stringify({ op: 'clock.get', as: { system: true } }));
  assert.equal(clock.now, '2026-03-05T10:00:00.000Z', 'the demo clock survives the reopen');
  // the stored bytes are a database with the seed in it: open a copy with the Node module
  const path = join(dir, 'stored-copy.sqlite');
  (await import('node:fs')).writeFileSync(path, files['db.sqlite'].bytes());
  const copy = node.open(path);
  assert.deepEqual(copy.call(actors), await e.call(actors));
  copy.close();
  // a second seed: the operation's own conflict, and the database is still open and intact
  await assert.rejects(e.call(request(PARAMS)), (err) => err.code === 'conflict');
  assert.equal(e.state().status, 'ready');
  e.close();
});

test('an engine without loadMockModule answers the core\'s bad_request (no silent fallback)', async () => {
  const e = new Engine(web, { kind: 'memory', path: ':memory:', tmpDir: '/tmp', commit: () => Promise.resolve() });
  e.open();
  await assert.rejects(e.call(request(PARAMS)), (err) => err.code === 'bad_request');
  e.close();
});
