// Issue 11 item 7e: after the wasm module aborts (even with an empty reason) or traps, the JS
// wrapper (bindings/js/core.mjs) marks it dead and answers every later call with CoreError
// "aborted" without entering the module again. The module is simulated (no wasm build needed):
// its functions throw what Emscripten throws on abort, a WebAssembly.RuntimeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreError, fromFactory, wrapModule } from '../../bindings/js/core.mjs';

/** A fake module whose calls succeed until `trap()` is called; counts calls into it. */
function fakeModule() {
  const state = { calls: 0, trapped: false, onAbort: null };
  const answer = (text) => {
    state.calls += 1;
    if (state.trapped) {
      state.onAbort?.('');  // Emscripten calls onAbort (here with an empty reason), then throws
      throw new WebAssembly.RuntimeError('');
    }
    return text;
  };
  class CoreHandle {
    constructor() { answer(''); }
    openError() { return ''; }
    call() { return answer('{"ok":true,"result":{"core":"x"}}'); }
    setProgress() { return answer('{"ok":true}'); }
    close() { return answer('{"ok":true}'); }
    delete() {}
    exportTo() { return answer('{"ok":true}'); }
    importFrom() { return answer('{"ok":true}'); }
    tune() { return answer('{"ok":true}'); }
  }
  const module = {
    CoreHandle,
    validate: () => answer('{"ok":true}'),
    schemaSql: () => answer('{"ok":true,"result":"CREATE TABLE x (y)"}'),
    version: () => answer('{"ok":true,"result":{"core":"x"}}'),
    inspectDatabase: () => answer('{"ok":true,"result":{}}'),
    copyDatabase: () => answer('{"ok":true}'),
    memoryStats: () => answer('{"ok":true,"result":{}}'),
    HEAP8: new Int8Array(16),
  };
  return { module, state, trap: () => { state.trapped = true; } };
}

const aborted = (e) => {
  assert.ok(e instanceof CoreError, `expected CoreError, got ${e?.constructor?.name}: ${e}`);
  assert.equal(e.code, 'aborted', e.message);
  return true;
};

function everyEntryPoint(api, db) {
  return [
    () => api.validate('Organization', {}),
    () => api.schemaSql(),
    () => api.version(),
    () => api.open(':memory:'),
    () => api.inspectDatabase('x.db'),
    () => api.copyDatabase('a.db', 'b.db'),
    () => api.memoryStats(),
    () => db.call({ op: 'meta.version' }),
    () => db.setProgress(null),
    () => db.exportTo('x.db'),
    () => db.importFrom('x.db'),
    () => db.tune({ journalMode: 'DELETE' }),
  ];
}

test('a trap (RuntimeError, empty message) marks the module dead: every later call is "aborted"', () => {
  const { module, state, trap } = fakeModule();
  const api = wrapModule(module);
  const db = api.open(':memory:');
  assert.deepEqual(db.call({ op: 'meta.version' }), { core: 'x' });
  trap();
  assert.throws(() => db.call({ op: 'meta.version' }), aborted);
  assert.equal(api.isDead, true);
  const before = state.calls;
  for (const f of everyEntryPoint(api, db)) assert.throws(f, aborted);
  assert.equal(state.calls, before, 'no call entered the dead module');
  db.close();  // never throws, never enters the module
  assert.equal(state.calls, before);
});

test('onAbort with an empty reason (fromFactory) marks the module dead', async () => {
  const { module, state, trap } = fakeModule();
  const api = await fromFactory(async (arg) => {
    state.onAbort = arg.onAbort;
    return module;
  });
  const db = api.open(':memory:');
  trap();
  assert.throws(() => api.version(), aborted);
  assert.equal(api.isDead, true);
  const before = state.calls;
  for (const f of everyEntryPoint(api, db)) assert.throws(f, aborted);
  assert.equal(state.calls, before);
});

test('markDead("") (an abort reported outside a call) is enough', () => {
  const { module, state } = fakeModule();
  const api = wrapModule(module);
  const db = api.open(':memory:');
  api.markDead('');
  const before = state.calls;
  for (const f of everyEntryPoint(api, db)) assert.throws(f, aborted);
  assert.equal(state.calls, before);
});

test('an ordinary JS error from a call is internal and does not kill the module', () => {
  const { module } = fakeModule();
  module.version = () => { throw new TypeError('boom'); };
  const api = wrapModule(module);
  assert.throws(() => api.version(), (e) => e instanceof CoreError && e.code === 'internal');
  assert.equal(api.isDead, false);
  assert.equal(api.schemaSql(), 'CREATE TABLE x (y)');
});

test('error data carries params and retryable', () => {
  const { module } = fakeModule();
  module.version = () => '{"ok":false,"error":{"code":"busy","message":"later","path":[],"issues":[],"retryable":true}}';
  module.schemaSql = () => '{"ok":false,"error":{"code":"conflict","message":"m","path":["email"],"issues":[],"params":{"field":"email","deleted":true,"id":"x"}}}';
  const api = wrapModule(module);
  assert.throws(() => api.version(), (e) => e.code === 'busy' && e.retryable === true);
  assert.throws(() => api.schemaSql(), (e) => e.code === 'conflict' && e.retryable === false &&
    e.params.field === 'email' && e.params.deleted === true);
});
