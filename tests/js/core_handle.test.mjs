// The database handle (bound only when core/api/core.cpp existed at build time): open, call,
// close, errors, and real files through NODERAWFS.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, CoreError } from './helpers/core.mjs';

const core = await load();
const skip = core.hasCore ? false : 'this build has no CoreHandle (core/api/core.cpp missing at build time)';
const isCode = (code) => (e) => e instanceof CoreError && e.code === code;

describe('Core handle', { skip }, () => {
  let dir;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'ec-js-')); });
  after(() => { rmSync(dir, { recursive: true, force: true }); });

  test("open(':memory:'), answer requests, close idempotently", () => {
    const db = core.open(':memory:');
    assert.equal(db.isOpen, true);
    const v = db.call({ op: 'meta.version' });
    assert.equal(typeof v.core, 'string');
    assert.deepEqual(db.callRaw(JSON.stringify({ op: 'meta.version' })), { ok: true, result: v });
    assert.throws(() => db.call({ op: 'no.such.op', params: {} }), isCode('bad_request'));
    assert.throws(() => db.call('{not json'), isCode('bad_request'));
    assert.throws(() => db.call('{"op":"meta.version\uD800"}'), isCode('bad_request'));
    assert.throws(() => db.call(undefined), isCode('bad_request'));
    db.close();
    db.close();
    assert.equal(db.isOpen, false);
    assert.throws(() => db.call({ op: 'meta.version' }), isCode('closed'));
  });

  test('a database file is created on disk and keeps its data across handles', () => {
    const file = join(dir, 'new.db');
    const db = core.open(file, { idSeed: 42 });
    const { organization, owner } = db.call({
      op: 'organization.create',
      params: { name: 'Acme', slug: 'acme', plan: 'free', dailyCostLimitMicros: 50000000,
                ownerEmail: 'ada@example.com', ownerName: 'Ada', ownerTimezone: 'Europe/London' },
    });
    db.close();
    assert.ok(existsSync(file));
    const again = core.open(file);
    try {
      const got = again.call({ op: 'organization.get', as: { organizationId: organization.id, userId: owner.id } });
      assert.equal(got.slug, 'acme');
    } finally {
      again.close();
    }
  });

  test('a file that is not a database -> CoreError not_a_database', () => {
    const file = join(dir, 'junk.db');
    writeFileSync(file, 'this is not an SQLite file, just text that is long enough. '.repeat(100));
    assert.throws(() => core.open(file), isCode('not_a_database'));
  });

  test('bad arguments -> CoreError bad_request', () => {
    assert.throws(() => core.open(undefined), isCode('bad_request'));
    assert.throws(() => core.open(7), isCode('bad_request'));
    assert.throws(() => core.open(':memory:', { idSeed: -1 }), isCode('bad_request'));
    assert.throws(() => core.open(':memory:', { idSeed: 0.5 }), isCode('bad_request'));
    assert.throws(() => core.open(':memory:', { idSeed: '1' }), isCode('bad_request'));
  });

  test('setProgress accepts a function or null; a throwing callback cannot break the handle', () => {
    const db = core.open(':memory:', { onProgress: () => { throw new Error('ignored'); } });
    db.setProgress(null);
    assert.throws(() => db.setProgress(42), isCode('bad_request'));
    assert.equal(typeof db.call({ op: 'meta.version' }).core, 'string');
    db.close();
    assert.throws(() => db.setProgress(() => {}), isCode('closed'));
  });

  test('many handles opened and closed', () => {
    for (let i = 0; i < 100; i++) core.open(':memory:').close();
    assert.equal(core.validate('Organization', '{}', 'patch').ok, true);
  });
});
