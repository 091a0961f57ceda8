// The browser builds' SQLite VFS (bindings/browser_vfs.cpp over bindings/library_ecvfs.js,
// Module.ECVFS; docs/adr/0034-browser-vfs.md): store files the host mounts, in-memory files, and
// the edge cases SQLite relies on (short reads zero-filled, truncate, a deleted journal, a store
// file that throws). The browser core loads here in a worker-like global scope (like
// mock_module.test.mjs), so this file runs in its own process (node --test isolates files).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFactory } from '../../bindings/js/core.mjs';
import { loadEngine } from './helpers/engine.mjs';
import { moduleUrl } from './helpers/core.mjs';

const dir = mkdtempSync(join(tmpdir(), 'ec-browser-vfs-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

let web;
let Engine;

before(async () => {
  const url = new URL('episodes_core_web.js', moduleUrl);
  Object.assign(globalThis, { self: globalThis, importScripts: () => {}, location: { href: String(url) } });
  const { default: factory } = await import(url);
  web = await fromFactory(factory, { wasmBinary: readFileSync(new URL('episodes_core_web.wasm', moduleUrl)) });
  Engine = await loadEngine(dir);
});

const NOW = '2026-03-05T10:00:00.000Z';
let slugs = 0;
/** A write request (a new organization), as the system. */
function write() {
  slugs += 1;
  return JSON.stringify({
    op: 'organization.create', as: { system: true },
    params: { name: `Org ${slugs}`, slug: `org-${slugs}`, ownerEmail: `o${slugs}@example.com`, ownerName: 'O' },
  });
}

/** An engine over `path` in the web module (the worker's, minus the worker). */
async function engine(path, tuning = { journalMode: 'TRUNCATE', synchronous: 'FULL' }) {
  const e = new Engine(web, { kind: path === ':memory:' ? 'memory' : 'opfs', path, tmpDir: '/tmp', commit: () => Promise.resolve(), tuning });
  assert.equal(e.open().status, 'ready');
  await e.call(JSON.stringify({ op: 'clock.set', as: { system: true }, params: { now: NOW } }));
  return e;
}

/** A store file in memory with call counts, optionally failing on demand. */
function storeFile(initial = new Uint8Array(0)) {
  const f = web.files.memoryFile();
  f.write(initial, 0);
  const calls = { read: 0, write: 0, truncate: [], flush: 0 };
  const file = {
    calls,
    fail: null,  // {op, error}: that operation throws `error`
    read(view, at) { calls.read += 1; if (file.fail?.op === 'read') throw file.fail.error; return f.read(view, at); },
    write(view, at) { calls.write += 1; if (file.fail?.op === 'write') throw file.fail.error; return f.write(view, at); },
    size() { return f.size(); },
    truncate(n) { calls.truncate.push(n); f.truncate(n); },
    flush() { calls.flush += 1; if (file.fail?.op === 'flush') throw file.fail.error; },
    bytes() { const out = new Uint8Array(f.size()); f.read(out, 0); return out; },
  };
  return file;
}

let mounts = 0;
function mount(files) {
  mounts += 1;
  const at = `/store${mounts}`;
  return { at, release: web.files.mount(at, files) };
}

/** The bytes of a small episodes-core database (two organizations), made by the web module. */
async function databaseBytes() {
  const e = await engine(':memory:');
  await e.call(write());
  await e.call(write());
  const bytes = e.exportBytes();
  e.close();
  return bytes;
}

test('in-memory files: write, read, size, truncate (zero-filled growth), unlink', () => {
  const { files } = web;
  const bytes = Uint8Array.from({ length: 10000 }, (_, i) => (i * 7) & 0xff);
  files.writeFile('/tmp/a.bin', bytes);
  assert.ok(files.exists('/tmp/a.bin'));
  assert.equal(files.size('/tmp/a.bin'), 10000);
  assert.deepEqual(files.readFile('/tmp/a.bin'), bytes);
  files.truncate('/tmp/a.bin', 10);
  files.truncate('/tmp/a.bin', 20);
  assert.deepEqual(files.readFile('/tmp/a.bin'), Uint8Array.from([...bytes.subarray(0, 10), ...new Uint8Array(10)]));
  files.unlink('/tmp/a.bin');
  assert.equal(files.exists('/tmp/a.bin'), false);
  assert.throws(() => files.readFile('/tmp/a.bin'));
  // a write past the end leaves zeros in between, also after a truncation
  const f = files.memoryFile();
  f.write(Uint8Array.of(1, 2, 3), 0);
  f.truncate(1);
  f.write(Uint8Array.of(9), 4);
  const out = new Uint8Array(8).fill(0xee);
  assert.equal(f.read(out, 0), 5);
  assert.deepEqual([...out.subarray(0, 5)], [1, 0, 0, 0, 9]);
});

test('memory database: export, import and export again are byte-identical', async () => {
  const bytes = await databaseBytes();
  const e = await engine(':memory:');
  await e.importBytes(bytes);
  assert.deepEqual(e.exportBytes(), bytes);
  e.close();
  // the same bytes through a file of the module (the web <-> mock module copy's path)
  web.files.writeFile('/tmp/copy.sqlite', bytes);
  assert.deepEqual(web.files.readFile('/tmp/copy.sqlite'), bytes);
  const info = web.inspectDatabase('/tmp/copy.sqlite');
  assert.deepEqual(info, { applicationId: 0x45504331, pageCount: bytes.length / info.pageSize, pageSize: info.pageSize, quickCheck: 'ok', userVersion: web.version().schemaVersion });
  const stats = web.memoryStats();
  for (const k of ['heapBytes', 'inUseBytes', 'freeBytes']) assert.ok(Number.isInteger(stats[k]) && stats[k] > 0, k);
  assert.ok(stats.heapBytes >= stats.inUseBytes);
  web.files.unlink('/tmp/copy.sqlite');
  assert.ok(!web.files.exists('/tmp/copy.sqlite-journal'), 'no journal left behind');
});

test('a short read is zero-filled: pages read short copy exactly as pages read whole', async () => {
  const bytes = await databaseBytes();
  // This host returns only up to the last non-zero byte of what is asked, and scribbles on the rest.
  const plain = storeFile(bytes);
  const short = storeFile(bytes);
  let shortReads = 0;
  const read = short.read;
  short.read = (view, at) => {
    const n = read(view, at);
    let end = n;
    while (end > 0 && view[end - 1] === 0) end -= 1;
    if (end < view.length) shortReads += 1;
    view.fill(0xaa, end);
    return end;
  };
  const a = mount({ 'db.sqlite': plain });
  const b = mount({ 'db.sqlite': short });
  web.copyDatabase(`${a.at}/db.sqlite`, '/tmp/from-plain.sqlite');
  web.copyDatabase(`${b.at}/db.sqlite`, '/tmp/from-short.sqlite');
  assert.ok(shortReads > 0, 'the host did return short reads');
  assert.deepEqual(web.files.readFile('/tmp/from-short.sqlite'), web.files.readFile('/tmp/from-plain.sqlite'));
  assert.equal(web.inspectDatabase(`${b.at}/db.sqlite`).quickCheck, 'ok');
  for (const p of ['/tmp/from-plain.sqlite', '/tmp/from-short.sqlite']) web.files.unlink(p);
  a.release();
  b.release();
});

test('store files: a smaller import truncates the database file; TRUNCATE empties the journal', async () => {
  const small = await databaseBytes();
  const db = storeFile();
  const journal = storeFile();
  const m = mount({ 'db.sqlite': db, 'db.sqlite-journal': journal });
  const e = await engine(`${m.at}/db.sqlite`);
  for (let i = 0; i < 60; i += 1) await e.call(write());
  const grown = db.size();
  assert.ok(grown > small.length, `${grown} > ${small.length}`);
  assert.equal(journal.size(), 0, 'journal_mode TRUNCATE: empty after each commit');
  assert.ok(journal.calls.truncate.includes(0));
  db.calls.truncate.length = 0;
  await e.importBytes(small);
  assert.equal(db.size(), small.length, 'the file shrank to the imported database');
  assert.ok(db.calls.truncate.includes(small.length));
  assert.ok(db.calls.flush > 0, 'the commit flushed the database file');
  const actors = await e.call(JSON.stringify({ op: 'demo.actors', as: { system: true } }));
  assert.equal(actors.length, 2);
  e.close();
  m.release();
});

test('store files: journal_mode DELETE deletes the journal by emptying it (flushed); a memory journal goes away', async () => {
  const db = storeFile();
  const journal = storeFile();
  const m = mount({ 'db.sqlite': db, 'db.sqlite-journal': journal });
  const e = await engine(`${m.at}/db.sqlite`, { journalMode: 'DELETE', synchronous: 'FULL' });
  const flushes = journal.calls.flush;
  await e.call(write());
  assert.ok(journal.calls.write > 0, 'the transaction had a journal');
  assert.equal(journal.size(), 0);
  assert.ok(journal.calls.flush > flushes, 'the emptied journal was flushed');
  assert.equal(web.files.exists(`${m.at}/db.sqlite-journal`), false);
  e.close();
  // a second connection sees no hot journal: the data is there
  const again = await engine(`${m.at}/db.sqlite`, { journalMode: 'DELETE', synchronous: 'FULL' });
  assert.equal((await again.call(JSON.stringify({ op: 'demo.actors', as: { system: true } }))).length, 1);
  again.close();
  m.release();

  const mem = await engine('/tmp/deleted-journal.sqlite', { journalMode: 'DELETE', synchronous: 'FULL' });
  await mem.call(write());
  assert.equal(web.files.exists('/tmp/deleted-journal.sqlite-journal'), false);
  assert.ok(web.files.size('/tmp/deleted-journal.sqlite') > 0);
  mem.close();
  web.files.unlink('/tmp/deleted-journal.sqlite');
});

test('a store file that throws: an SQLite I/O error in plain words, the host\'s exception kept, nothing half written', async () => {
  const db = storeFile();
  const journal = storeFile();
  const m = mount({ 'db.sqlite': db, 'db.sqlite-journal': journal });
  const e = await engine(`${m.at}/db.sqlite`);
  await e.call(write());
  const before = db.bytes();
  const cases = [
    [db, 'write', new Error('the disk is on fire'), /reading or writing the database file failed/],
    [journal, 'write', new Error('the journal is on fire'), /reading or writing the database file failed/],
    [db, 'flush', new Error('flush refused'), /reading or writing the database file failed/],
    [db, 'write', new DOMException('quota', 'QuotaExceededError'), /storage quota is full/],
  ];
  for (const [file, op, error, message] of cases) {
    file.fail = { op, error };
    await assert.rejects(e.call(write()), (err) => {
      assert.equal(err.code, 'io', `${op}: ${err.message}`);
      assert.match(err.message, message);
      return true;
    });
    assert.equal(web.files.lastError, error, 'the host\'s own exception');
    file.fail = null;
    // the failed transaction is rolled back: the next write works and the data is whole
    await e.call(write());
    assert.equal(web.inspectDatabase(`${m.at}/db.sqlite`).quickCheck, 'ok');
  }
  assert.notDeepEqual(db.bytes(), before);
  assert.equal((await e.call(JSON.stringify({ op: 'demo.actors', as: { system: true } }))).length, 5);
  e.close();
  m.release();
});

test('a mounted directory holds only its store files; a failing size() reads as absent', async () => {
  const m = mount({ 'db.sqlite': storeFile() });
  assert.throws(() => web.open(`${m.at}/other.sqlite`), (err) => err.code === 'io');
  assert.throws(() => web.files.writeFile(`${m.at}/other.sqlite`, new Uint8Array(1)));
  assert.equal(web.files.exists(`${m.at}/db.sqlite`), false, 'empty and never created: absent');
  assert.throws(() => web.inspectDatabase(`${m.at}/db.sqlite`), (err) => err.code === 'io');
  assert.throws(() => web.files.mount(m.at, {}), /already mounted/);
  m.release();
  assert.equal(web.files.exists(`${m.at}/db.sqlite`), false);
  const broken = storeFile();
  broken.size = () => { throw new Error('gone'); };
  const b = mount({ 'db.sqlite': broken });
  assert.throws(() => web.open(`${b.at}/db.sqlite`), (err) => err.code === 'io');
  assert.equal(web.files.lastError.message, 'gone');
  b.release();
});
