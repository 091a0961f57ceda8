// Both wasm outputs load: the Node .mjs on its own (no wasmBinary), and the browser build in a
// worker-like global scope given the .wasm bytes (what the web worker client does with fetch).
// Runs in its own process (node --test isolates files), so the fake worker globals stay here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fromFactory } from '../../bindings/js/core.mjs';
import { moduleUrl } from './helpers/core.mjs';

test('the Node .mjs loads by itself (finds its .wasm next to it)', async () => {
  const { default: createEpisodesCore } = await import(moduleUrl);
  const m = await createEpisodesCore();
  assert.equal(JSON.parse(m.version()).ok, true);
});

test('the browser build instantiates in a worker-like scope', async () => {
  const webUrl = new URL('episodes_core_web.js', moduleUrl);
  Object.assign(globalThis, { self: globalThis, importScripts: () => {}, location: { href: String(webUrl) } });
  const { default: createEpisodesCore } = await import(webUrl);
  const core = await fromFactory(createEpisodesCore, { wasmBinary: await readFile(new URL('episodes_core_web.wasm', moduleUrl)) });
  assert.equal(core.version().emscripten, '3.1.6');
  assert.deepEqual(core.validate('Organization', '{}', 'patch'), { ok: true });
  if (core.hasCore) {
    const db = core.open(':memory:');
    assert.equal(typeof db.call({ op: 'meta.version' }).core, 'string');
    db.close();
  }
});
