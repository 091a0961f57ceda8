// The wasm boundary without embind (bindings/exports.cpp, core_handle.cpp, wire.hpp and
// bindings/js/boundary.js): strings cross as UTF-8 in the module's memory, the handle is an opaque
// pointer behind Module.CoreHandle, progress leaves C++ through one JS-library import.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { load, CoreError } from './helpers/core.mjs';

const core = await load();
const raw = core.module;
const skip = core.hasCore ? false : 'this build has no CoreHandle';
const isCode = (code) => (e) => e instanceof CoreError && e.code === code;
const seedRequest = JSON.stringify({ op: 'mock.seed', as: { system: true },
  params: { size: 'demo', seed: 7, referenceDate: '2026-03-02' } });

describe('wasm boundary (plain exports)', { skip }, () => {
  test('non-ASCII text round-trips byte for byte (1-4 byte UTF-8, escapes, combining marks)', () => {
    const db = core.open(':memory:', { idSeed: 7 });
    try {
      const name = 'Zoë 日本 \u{1F389}\u{10FFFF} a\u0301 \u00A0\u2028\u2029 "q" \\ end';
      const { organization, owner } = db.call({ op: 'organization.create', params: { name, slug: 'zoe', plan: 'free',
        dailyCostLimitMicros: 50000000, ownerEmail: 'zoe@example.com', ownerName: 'Zoë 日本', ownerTimezone: 'Europe/Paris' } });
      assert.equal(organization.name, name);
      const got = db.call({ op: 'organization.get', as: { organizationId: organization.id, userId: owner.id } });
      assert.equal(got.name, name);
    } finally {
      db.close();
    }
  });

  test('answers cross in ASCII where that helps: sparse non-ASCII as JSON \\u escapes, dense left as UTF-8, the same value (ADR 0043)', () => {
    const h = new raw.CoreHandle(':memory:', 7);
    try {
      const name = 'Zoë 日本 \u{1F389}\u{10FFFF} a\u0301 \u00A0\u2028 "q" \\ end';
      const text = h.call(JSON.stringify({ op: 'organization.create', params: { name, slug: 'zoe', plan: 'free',
        dailyCostLimitMicros: 50000000, ownerEmail: 'zoe@example.com', ownerName: 'Zoë', ownerTimezone: 'Europe/Paris' } }));
      assert.match(text, /^[\x00-\x7f]*$/);
      assert.ok(text.includes('"Zo\\u00eb \\u65e5\\u672c \\ud83c\\udf89\\udbff\\udfff a\\u0301 \\u00a0\\u2028'));
      assert.equal(JSON.parse(text).result.organization.name, name);
      // An error's message quotes the request's text: ASCII too.
      const bad = h.call('{"op":"é"}');
      assert.match(bad, /^[\x00-\x7f]*$/);
      assert.ok(JSON.parse(bad).error.message.includes("'é'"));
      // Dense non-ASCII (here 200 CJK characters, 3 bytes each, 6 escaped) stays UTF-8: its
      // two-byte JS string is smaller than the escapes. Same value either way.
      const cjk = '日本語'.repeat(66) + '日本';
      const dense = h.call(JSON.stringify({ op: 'organization.create', params: { name: cjk, slug: 'cjk', plan: 'free',
        dailyCostLimitMicros: 50000000, ownerEmail: 'cjk@example.com', ownerName: 'Zoë', ownerTimezone: 'Asia/Tokyo' } }));
      assert.ok(dense.includes(cjk));
      assert.equal(JSON.parse(dense).result.organization.name, cjk);
    } finally {
      h.delete();
    }
  });

  test('NUL inside the JSON text is an ordinary byte, both ways', () => {
    const db = core.open(':memory:');
    try {
      // An escaped NUL reaches the core and comes back in the message (nothing cut at the NUL).
      assert.throws(() => db.call('{"op":"a\\u0000b\\u0000c"}'),
        (e) => isCode('bad_request')(e) && e.message.includes("'a\u0000b\u0000c'"));
      // A raw NUL byte arrives as one (the parser names it), not as the end of the text.
      assert.throws(() => db.call('{"op":"meta.version","x":"a\u0000b"}'),
        (e) => isCode('bad_request')(e) && /U\+0000/.test(e.message) && /column 28/.test(e.message));
    } finally {
      db.close();
    }
  });

  test('very large requests and results (over the 1 MiB kept buffer, both encoding paths)', () => {
    const db = core.open(':memory:');
    try {
      for (const units of [300_000, 2_500_000]) {  // in place (3 bytes a unit) and exact-size paths
        const op = 'x'.repeat(units) + 'é日\u{1F389}';
        assert.throws(() => db.call({ op }), (e) => isCode('bad_request')(e) && e.message.includes(`'${op}'`));
      }
      assert.equal(typeof db.call({ op: 'meta.version' }).core, 'string');
      const stats = core.memoryStats();
      assert.equal(typeof stats.inUseBytes, 'number');
    } finally {
      db.close();
    }
  });

  test('use after close and after delete', () => {
    const h = new raw.CoreHandle(':memory:', 0);
    assert.equal(h.openError(), '');
    assert.equal(h.isOpen(), true);
    assert.equal(h.close(), '{"ok":true}');
    assert.equal(h.close(), '{"ok":true}');
    assert.equal(h.isOpen(), false);
    for (const answer of [h.call('{"op":"meta.version"}'), h.setProgress(() => {}), h.exportTo('/tmp/x.db'),
      h.importFrom('/tmp/x.db'), h.tune('DELETE', '')]) {
      assert.equal(JSON.parse(answer).error.code, 'closed');
    }
    assert.equal(raw.heldValues(), 0, 'a closed handle keeps no progress function');
    h.delete();
    h.delete();  // idempotent
    assert.throws(() => h.call('{}'), (e) => e instanceof Error && /after delete/.test(e.message));
    // Through the JS client: CoreError closed, and close() twice is fine.
    const db = core.open(':memory:');
    db.close();
    db.close();
    assert.throws(() => db.call({ op: 'meta.version' }), isCode('closed'));
  });

  test('the raw module throws TypeError (never a number) for wrong argument types or counts', () => {
    const h = new raw.CoreHandle(':memory:', 0);
    try {
      for (const f of [() => h.call(), () => h.call(1), () => h.call('{}', 2), () => h.tune('DELETE'),
        () => h.exportTo(null), () => h.setProgress(5), () => new raw.CoreHandle(':memory:'),
        () => new raw.CoreHandle(':memory:', '1'), () => raw.copyDatabase('a'), () => raw.inspectDatabase(3)]) {
        assert.throws(f, TypeError);
      }
    } finally {
      h.delete();
    }
  });

  test('requestBuffer/callBuffer: zero-copy call; a length outside the buffer is refused', () => {
    const h = new raw.CoreHandle(':memory:', 0);
    try {
      const text = '{"op":"meta.version","params":{"pad":"日本"}}';
      const view = h.requestBuffer(text.length * 3);
      const { written } = new TextEncoder().encodeInto(text, view);
      assert.equal(new TextDecoder().decode(h.callBuffer(written)), h.call(text));
      h.requestBuffer(16);
      assert.equal(JSON.parse(new TextDecoder().decode(h.callBuffer(1 << 20))).error.code, 'bad_request');
      assert.equal(JSON.parse(new TextDecoder().decode(h.callBuffer(-1))).error.code, 'bad_request');
      assert.equal(h.requestBuffer(-5).length, 0);
    } finally {
      h.delete();
    }
  });

  test('progress: the registered function is called from C++, and may call into the module', { skip: !core.hasMockGenerator && 'no mock generator' }, () => {
    const db = core.open(':memory:');
    try {
      const events = [];
      let inner = null;
      db.setProgress((done, total, phase) => {
        events.push({ done, total, phase });
        if (inner === null) inner = core.version().core;  // re-entering the module is safe
      });
      assert.equal(core.memoryStats().emvalHandles, 1, 'one progress function held');
      const seeded = db.call(seedRequest);
      assert.ok(seeded && typeof seeded === 'object');
      assert.ok(events.length > 0, 'progress was reported');
      assert.ok(events.every((e) => typeof e.done === 'number' && typeof e.total === 'number' && typeof e.phase === 'string'));
      assert.equal(events.at(-1).phase, 'done');
      assert.equal(typeof inner, 'string');
      db.setProgress(null);
      assert.equal(core.memoryStats().emvalHandles, 0);
    } finally {
      db.close();
    }
    assert.equal(core.memoryStats().emvalHandles, 0);
  });
});
