// The database handle (bound only when core/api/core.cpp existed at build time): open, call,
// close, errors, and real files through NODERAWFS.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, CoreError } from './helpers/core.mjs';
import { callHandleText } from '../../bindings/js/core.mjs';

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

  test('UTF-8 crosses the buffer path intact, and callBuffer answers as call does', () => {
    const h = new core.module.CoreHandle(':memory:', 42);
    try {
      assert.equal(typeof h.callBuffer, 'function');
      const create = JSON.stringify({
        op: 'organization.create',
        params: { name: 'Zoë 日本 \u{1F389} end', slug: 'zoe', plan: 'free', dailyCostLimitMicros: 50000000,
                  ownerEmail: 'zoe@example.com', ownerName: 'Zoë', ownerTimezone: 'Europe/Paris' },
      });
      const created = JSON.parse(callHandleText(h, create));
      assert.equal(created.ok, true);
      assert.equal(created.result.organization.name, 'Zoë 日本 \u{1F389} end');
      const get = JSON.stringify({ op: 'organization.get',
        as: { organizationId: created.result.organization.id, userId: created.result.owner.id } });
      assert.equal(callHandleText(h, get), h.call(get));
      // A request over the kept-buffer size (1 MiB), then a small one: same answers both ways.
      const big = JSON.stringify({ op: 'meta.version', params: { pad: 'é'.repeat(700000) } });
      assert.equal(callHandleText(h, big), h.call(big));
      assert.equal(callHandleText(h, get), h.call(get));
      assert.equal(callHandleText(h, '{not json'), h.call('{not json'));
      assert.equal(callHandleText(h, ''), h.call(''));
      assert.equal(callHandleText(h, '{"op":"a\u0000b"}'), h.call('{"op":"a\u0000b"}'));
    } finally {
      h.close();
      h.delete();
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
