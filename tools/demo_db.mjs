#!/usr/bin/env node
// The prebuilt demo database the dashboard's first visit opens instead of generating it
// (docs/adr/0017-runtime-tools-split.md). It is exactly what `mock.seed {size:"demo", seed:1}`
// writes into a new file: tests/js/demo_db.test.mjs checks the bytes against a fresh seed.
//
// Usage: node tools/demo_db.mjs OUT_DIR [path/to/episodes_core_node.mjs]
// Writes OUT_DIR/demo.json (the request, the seed's result, schema version, file name, size and
// SHA-256) and OUT_DIR/demo-<seed>.sqlite.gz (gzip: every server sends it compressed, and the
// worker unpacks it with DecompressionStream).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { loadCore } from '../bindings/js/core.mjs';
import { DEMO_PARAMS, demoFileName } from '../web/src/core/demo_file.mjs';

// The request the dashboard sends on its first visit and the file's name, declared once.
export { DEMO_PARAMS };

/** Seeds a new file with `params` through the core and returns its bytes and the seed's result. */
export async function seedDemo(api, params = DEMO_PARAMS) {
  const dir = mkdtempSync(join(tmpdir(), 'ec-demo-'));
  try {
    const path = join(dir, 'demo.sqlite');
    const h = api.open(path);
    let result;
    try {
      result = h.call({ op: 'mock.seed', as: { system: true }, params });
    } finally {
      h.close();
    }
    return { bytes: readFileSync(path), result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function writeDemoAsset(outDir, moduleUrl) {
  const api = await loadCore(moduleUrl ? { moduleUrl } : undefined);
  const { bytes, result } = await seedDemo(api);
  const probe = api.open(':memory:');
  const { schemaVersion, core } = probe.call({ op: 'meta.version' });
  probe.close();
  const file = demoFileName(DEMO_PARAMS.seed);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, file), gzipSync(bytes, { level: 9 }));
  const manifest = {
    format: 1,
    core,
    schemaVersion,
    request: { op: 'mock.seed', params: { ...DEMO_PARAMS } },
    result,
    file,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  writeFileSync(join(outDir, 'demo.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [outDir, moduleArg] = process.argv.slice(2);
  if (!outDir) {
    console.error('usage: node tools/demo_db.mjs OUT_DIR [episodes_core_node.mjs]');
    process.exit(2);
  }
  const m = await writeDemoAsset(resolve(outDir), moduleArg ? pathToFileURL(resolve(moduleArg)) : undefined);
  console.log(`demo_db: ${m.file} (${m.bytes} bytes, sha256 ${m.sha256.slice(0, 12)}…) in ${outDir}`);
}
