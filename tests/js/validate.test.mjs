// The wasm module's validate/schemaSql/version surface, loaded the way Node users load it
// (bindings/js/core.mjs), plus hostile JS inputs: every failure must be a CoreError or an
// issue list, never a crash, a bare number or a dead module.
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { load, organization, CoreError } from './helpers/core.mjs';

let core;
before(async () => {
  core = await load();
});

function assertIssues(result) {
  assert.equal(result.ok, false);
  assert.ok(Array.isArray(result.issues) && result.issues.length > 0, 'expected issues');
  for (const i of result.issues) {
    assert.ok(Array.isArray(i.path), `issue path is an array: ${JSON.stringify(i)}`);
    assert.equal(typeof i.code, 'string');
    assert.ok(i.code.length > 0);
    assert.equal(typeof i.message, 'string');
    assert.ok(i.message.length > 0);
    assert.ok(i.params && typeof i.params === 'object' && !Array.isArray(i.params), 'params is an object');
  }
  return result.issues;
}

const paths = (issues) => issues.map((i) => i.path.join('.'));

// Calls fn; it must return an issue list or throw a CoreError (with a code) — nothing else.
function issuesOrCoreError(fn) {
  try {
    const r = fn();
    assert.equal(typeof r, 'object');
    if (r.ok === false) assertIssues(r);
    return r;
  } catch (e) {
    assert.ok(e instanceof CoreError, `expected CoreError, got ${e?.constructor?.name}: ${e}`);
    assert.equal(typeof e.code, 'string');
    assert.ok(Array.isArray(e.path) && Array.isArray(e.issues));
    return e;
  }
}

describe('module', () => {
  test('version reports core, sqlite and emscripten', () => {
    const v = core.version();
    assert.match(v.core, /^\d+\.\d+\.\d+$/);
    assert.match(v.sqlite, /^3\.\d+\.\d+$/);
    assert.equal(v.emscripten, '3.1.6');
  });

  test('schemaSql returns the SQLite DDL', () => {
    const sql = core.schemaSql();
    assert.equal(typeof sql, 'string');
    assert.match(sql, /CREATE TABLE IF NOT EXISTS "?organizations"?/i);
  });

  test('loading twice returns the same instance', async () => {
    assert.equal(await load(), core);
  });
});

describe('validate: documents', () => {
  test('a valid Organization record (JSON text and JS value)', () => {
    assert.deepEqual(core.validate('Organization', JSON.stringify(organization()), 'record'), { ok: true });
    assert.deepEqual(core.validate('Organization', organization()), { ok: true });
  });

  test('bad fields give one issue each, with path/code/message/params', () => {
    const issues = assertIssues(
      core.validate('Organization', organization({ slug: 'Acme Corp', plan: 'gold', id: 'not-a-uuid' })),
    );
    const p = paths(issues);
    for (const field of ['slug', 'plan', 'id']) assert.ok(p.includes(field), `issue at ${field}: ${p}`);
  });

  test('a missing required field and a wrong type', () => {
    const doc = organization({ dailyCostLimitMicros: 'lots' });
    delete doc.name;
    const p = paths(assertIssues(core.validate('Organization', doc)));
    assert.ok(p.includes('name'), p.join());
    assert.ok(p.includes('dailyCostLimitMicros'), p.join());
  });

  test('a document that is not an object', () => {
    for (const doc of ['42', '[]', 'null', '"x"']) assertIssues(core.validate('Organization', doc));
  });

  test('malformed JSON is an invalid_json issue', () => {
    for (const text of ['{"id":', '', '{', "{'a':1}", '{"a":1,}', '\u0000']) {
      const issues = assertIssues(core.validate('Organization', text));
      assert.equal(issues[0].code, 'invalid_json', text);
    }
  });

  test('modes record, create and patch are accepted', () => {
    for (const mode of ['record', 'create', 'patch']) {
      const r = core.validate('Organization', organization(), mode);
      assert.equal(typeof r.ok, 'boolean', mode);
      if (!r.ok) assertIssues(r);
    }
  });
});

describe('validate: errors', () => {
  test('unknown entity -> CoreError bad_request naming the known ones', () => {
    assert.throws(
      () => core.validate('Nope', organization()),
      (e) => e instanceof CoreError && e instanceof Error && e.name === 'CoreError' &&
        e.code === 'bad_request' && /Organization/.test(e.message) &&
        Array.isArray(e.path) && Array.isArray(e.issues),
    );
  });

  test('unknown mode -> CoreError bad_request', () => {
    assert.throws(() => core.validate('Organization', organization(), 'upsert'),
      (e) => e instanceof CoreError && e.code === 'bad_request');
  });
});

describe('validate: hostile JS inputs', () => {
  const isBadRequest = (e) => e instanceof CoreError && e.code === 'bad_request';

  test('non-string entity or mode -> CoreError bad_request', () => {
    for (const v of [undefined, null, 42, {}, ['Organization'], Symbol('x'), () => 'Organization', 1n]) {
      assert.throws(() => core.validate(v, organization()), isBadRequest, String(typeof v));
      if (v !== undefined) assert.throws(() => core.validate('Organization', organization(), v), isBadRequest);
    }
  });

  test('documents JSON cannot represent -> CoreError bad_request', () => {
    const circular = {};
    circular.self = circular;
    for (const v of [undefined, () => 1, Symbol('x'), 1n, circular, { n: 1n }]) {
      assert.throws(() => core.validate('Organization', v), isBadRequest);
    }
  });

  test('numbers, booleans and null as documents are validated (and refused) as JSON', () => {
    for (const v of [42, NaN, true, null, [organization()]]) assertIssues(core.validate('Organization', v));
  });

  test('lone surrogates in text -> CoreError bad_request (embind 3.1.6 would corrupt them)', () => {
    assert.throws(() => core.validate('Organization', '{"name":"\uDC00"}'), isBadRequest);
    assert.throws(() => core.validate('Organization', '{"name":"a\uD800"}'), isBadRequest);
    assert.throws(() => core.validate('Organi\uD800zation', organization()), isBadRequest);
    assert.throws(() => core.validate('X\uDC00', '{}'), isBadRequest);
    assert.throws(() => core.validate('Organization', organization(), 'rec\uDC00ord'), isBadRequest);
  });

  test('lone surrogates inside JS values are escaped by JSON.stringify -> invalid_json issue', () => {
    for (const doc of [organization({ name: 'A\uD800cme' }), { ['\uD800']: 1 }, '{"name":"\\ud800"}']) {
      assert.equal(assertIssues(core.validate('Organization', doc))[0].code, 'invalid_json');
    }
  });

  test('unicode that is well formed is fine', () => {
    assert.deepEqual(core.validate('Organization', organization({ name: 'Ａｃｍｅ 🚀 café' })), { ok: true });
  });

  test('huge strings give issues, not crashes', () => {
    const name = 'x'.repeat(1024 * 1024);
    const issue = assertIssues(core.validate('Organization', organization({ name })))[0];
    assert.deepEqual(issue.path, ['name']);
    assert.equal(issue.params.length, name.length);
    const big = 'x'.repeat(8 * 1024 * 1024);
    assert.equal(assertIssues(core.validate('Organization', organization({ name: big })))[0].code, 'invalid_json');
    assert.equal(assertIssues(core.validate('Organization', big))[0].code, 'invalid_json');
    assert.throws(() => core.validate(big, '{}'), (e) => e instanceof CoreError && e.code === 'bad_request');
    issuesOrCoreError(() => core.validate('Organization', '['.repeat(100000) + ']'.repeat(100000)));
  });

  test('32 MB of input in a loop does not exhaust memory', () => {
    const doc = JSON.stringify(organization({ name: 'y'.repeat(3 * 1024 * 1024) }));
    for (let i = 0; i < 12; i++) assertIssues(core.validate('Organization', doc));
  });

  test('the module still works after all of the above', () => {
    assert.deepEqual(core.validate('Organization', organization()), { ok: true });
  });

  test('the raw module throws JS errors (never numbers) for wrong argument types', () => {
    for (const args of [[], [1, 2, 3], [{}, '{}', 'record'], ['Organization', '{}']]) {
      assert.throws(() => core.module.validate(...args), (e) => e instanceof Error, JSON.stringify(args));
    }
  });
});
