// The web client's Engine (web/src/core/engine.ts), bundled for Node with esbuild into `dir`, with
// bindings/js/core.mjs left external so the engine and the test share one copy of it.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { repoRoot } from './core.mjs';

export async function loadEngine(dir) {
  const outfile = join(dir, 'engine.mjs');
  await build({
    stdin: { contents: "export { Engine } from './engine';", resolveDir: join(repoRoot, 'web/src/core'), loader: 'ts' },
    bundle: true, format: 'esm', platform: 'node', target: 'node20', outfile, logLevel: 'warning',
    plugins: [{ name: 'external-core-mjs', setup(b) { b.onResolve({ filter: /bindings\/js\/core\.mjs$/ }, () => ({ path: join(repoRoot, 'bindings/js/core.mjs'), external: true })); } }],
  });
  return (await import(pathToFileURL(outfile).href)).Engine;
}
