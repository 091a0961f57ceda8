// Issue 11's hostile inputs through the wasm module (the Node build): a 3.9 MB request with
// 1.3 M generationErrors entries is refused with one issue and the module keeps serving;
// integers that JavaScript cannot hold exactly are refused instead of altered; 1e400 is a
// bad request, never `internal`.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { load, CoreError } from './helpers/core.mjs';

const core = await load();
const skip = core.hasCore ? false : 'this build has no CoreHandle';

// The error a refused request throws (CoreError carries code, path and issues).
function refusal(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof CoreError, String(e));
    return e;
  }
  assert.fail('the request was accepted');
}

describe('hostile inputs (wasm)', { skip }, () => {
  const db = core.open(':memory:');
  db.call({ op: 'clock.set', as: { system: true }, params: { now: '2025-08-15T09:00:00.000Z' } });
  const org = db.call({ op: 'organization.create', params: { name: 'Acme', slug: 'acme', plan: 'team', ownerEmail: 'o@acme.io', ownerName: 'Owner' } });
  const as = { organizationId: org.organization.id, userId: org.owner.id };
  const project = db.call({ op: 'project.create', as, params: { name: 'P', cadenceConfig: { days: ['mon'], time: '09:00' } } });

  test('1.3 M generationErrors entries: one too_big issue, the module keeps serving', () => {
    const head = JSON.stringify({ op: 'episode.create', as, params: { projectId: project.id, title: 'T' } }).slice(0, -2);
    const text = `${head},"generationErrors":[${new Array(1_300_000).fill('{}').join(',')}]}}`;
    assert.ok(text.length > 3_800_000 && text.length < 4_194_304, `request of ${text.length} bytes`);
    const e = refusal(() => db.callRaw(text));
    assert.equal(e.code, 'invalid');
    assert.equal(e.issues.length, 1);
    assert.deepEqual(e.issues[0].path, ['generationErrors']);
    assert.equal(e.issues[0].code, 'too_big');
    assert.equal(typeof db.call({ op: 'meta.version' }).core, 'string');
  });

  test('episode numbers JavaScript cannot hold exactly are refused, not altered', () => {
    for (const n of ['9223372036854775807', '9007199254740993', '1000001']) {
      const e = refusal(() => db.callRaw(`{"op":"episode.create","as":${JSON.stringify(as)},"params":{"projectId":"${project.id}","title":"T","number":${n}}}`));
      assert.equal(e.code, 'invalid', n);
      assert.deepEqual(e.issues[0].path, ['number'], n);
    }
    const ep = db.call({ op: 'episode.create', as, params: { projectId: project.id, title: 'T', number: 1_000_000 } });
    assert.equal(ep.number, 1_000_000);
    assert.throws(() => db.call({ op: 'episode.create', as, params: { projectId: project.id, title: 'T' } }),
      (e) => e instanceof CoreError && e.code === 'conflict' && e.path?.[0] === 'number');
  });

  test('1e400 is a bad request; the next request is served', () => {
    assert.equal(refusal(() => db.callRaw('{"op":"meta.version","x":1e400}')).code, 'bad_request');
    assert.equal(db.callRaw('{"op":"meta.version"}').ok, true);
  });
});
