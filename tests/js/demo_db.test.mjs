// The prebuilt demo database (tools/demo_db.mjs, web/src/core/demo.ts): byte-identical to what
// mock.seed {size:"demo", seed:1} writes through the client, used by the engine's reset only for
// that exact request and intact bytes, and the dashboard's shipped copy (web/public/core, built
// by scripts/run.sh) is the same file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { load, repoRoot } from './helpers/core.mjs';
import { open, moduleUrl } from './helpers/client.mjs';
import { writeDemoAsset } from '../../tools/demo_db.mjs';

const dir = mkdtempSync(join(tmpdir(), 'ec-demo-test-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

let asset;
const demoAsset = async () => {
  asset ??= writeDemoAsset(join(dir, 'asset'), moduleUrl).then((manifest) => ({
    manifest,
    bytes: gunzipSync(readFileSync(join(dir, 'asset', manifest.file))),
  }));
  return asset;
};

/** engine.ts and demo.ts built for Node (bindings/js/core.mjs stays external). */
async function loadEngine() {
  const outfile = join(dir, 'engine.mjs');
  await build({
    stdin: { contents: "export { Engine } from './engine'; export { fetchDemoManifest, prebuiltSeed } from './demo';", resolveDir: join(repoRoot, 'web/src/core'), loader: 'ts' },
    bundle: true, format: 'esm', platform: 'node', target: 'node20', outfile, logLevel: 'warning',
    plugins: [{ name: 'external-core-mjs', setup(b) { b.onResolve({ filter: /bindings\/js\/core\.mjs$/ }, () => ({ path: join(repoRoot, 'bindings/js/core.mjs'), external: true })); } }],
  });
  return import(pathToFileURL(outfile).href);
}

test('the prebuilt demo is byte for byte what mock.seed writes through the client', async () => {
  const { manifest, bytes } = await demoAsset();
  assert.equal(bytes.length, manifest.bytes);
  assert.equal(createHash('sha256').update(bytes).digest('hex'), manifest.sha256);
  const path = join(dir, 'seeded.sqlite');
  const core = await open({ path });
  const r = await core.resetToDemo();
  await core.close();
  assert.equal(r.seeded, true);
  assert.deepEqual(r.seed, manifest.result, 'the same seed result');
  assert.ok(Buffer.from(readFileSync(path)).equals(bytes), 'the same bytes');
});

test('the dashboard ships the same demo file (when scripts/run.sh has built it)', async (t) => {
  const shipped = join(repoRoot, 'web/public/core/demo.json');
  if (!existsSync(shipped)) return t.skip('web/public/core/demo.json not built');
  const { manifest } = await demoAsset();
  const m = JSON.parse(readFileSync(shipped, 'utf8'));
  assert.equal(m.sha256, manifest.sha256, 'rebuild with scripts/run.sh --build-only');
  assert.deepEqual(m.result, manifest.result);
});

test('reset with the prebuilt file: same bytes on disk, same answers; only for that exact request', async () => {
  const { manifest, bytes } = await demoAsset();
  const { Engine, fetchDemoManifest, prebuiltSeed } = await loadEngine();
  const server = createServer((req, res) => {
    const name = req.url.split('/').pop();
    try {
      res.end(readFileSync(join(dir, 'asset', name)));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${server.address().port}/core/episodes_core_web.js`;
    const found = await fetchDemoManifest(base);
    assert.equal(found.manifest.sha256, manifest.sha256);
    const request = (params, extra = {}) => JSON.stringify({ op: 'mock.seed', as: { system: true }, params, ...extra });
    const v = manifest.schemaVersion;
    // Key order does not matter; anything else does.
    const pre = await prebuiltSeed(found, request({ seed: 1, size: 'demo' }), v);
    assert.ok(pre && Buffer.from(pre.bytes).equals(bytes));
    for (const other of [request({ size: 'demo', seed: 2 }), request({ size: 'small', seed: 1 }),
      request({ size: 'demo', seed: 1 }, { now: '2025-01-01T00:00:00Z' }),
      JSON.stringify({ op: 'mock.seed', as: { organizationId: 'x', userId: 'y' }, params: { size: 'demo', seed: 1 } }), null]) {
      assert.equal(await prebuiltSeed(found, other, v), null, String(other));
    }
    assert.equal(await prebuiltSeed(found, request({ size: 'demo', seed: 1 }), v + 1), null, 'another schema version');
    assert.equal(await prebuiltSeed(null, request({ size: 'demo', seed: 1 }), v), null, 'no manifest');

    const api = await load();
    assert.equal(api.version().schemaVersion, v, 'the module says which schema it writes (the worker compares)');
    const path = join(dir, 'prebuilt.sqlite');
    const engine = new Engine(api, { kind: 'file', path, tmpDir: dir, commit: async () => {} });
    engine.open();
    const out = await engine.reset(null, null, pre);
    assert.equal(out.state.status, 'ready');
    assert.deepEqual(out.seed, manifest.result);
    assert.ok(Buffer.from(readFileSync(path)).equals(bytes), 'written as is');
    const orgs = await engine.call(JSON.stringify({ op: 'demo.actors', as: { system: true }, params: {} }));
    assert.ok(orgs.length > 0);
    // A damaged file falls back to running the seed.
    const damaged = { bytes: new Uint8Array(bytes.length), result: manifest.result };
    const again = await engine.reset(request({ size: 'demo', seed: 1 }), null, damaged);
    assert.equal(again.state.status, 'ready');
    assert.equal(again.seed.digest, manifest.result.digest);
    engine.close();
  } finally {
    server.close();
  }
});
