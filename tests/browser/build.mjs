// Bundles the browser client for the static test page and the benchmark:
//   build/js-browser/client.js       web/src/core/client.ts (ES module)
//   build/js-browser/core.worker.js  web/src/core/core.worker.ts (module worker)
// The wasm files are served straight from <wasm build>/bindings (see server.mjs).
// Run: node tests/browser/build.mjs   (the browser tests and bench call buildBrowserBundles()).
import { build } from 'esbuild';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const outDir = join(repoRoot, 'build/js-browser');

export async function buildBrowserBundles() {
  const common = {
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    sourcemap: 'inline',
    logLevel: 'warning',
    external: ['node:*'],
  };
  await Promise.all([
    build({ ...common, entryPoints: [join(repoRoot, 'web/src/core/client.ts')], outfile: join(outDir, 'client.js') }),
    build({ ...common, entryPoints: [join(repoRoot, 'web/src/core/core.worker.ts')], outfile: join(outDir, 'core.worker.js') }),
  ]);
  return outDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`built ${await buildBrowserBundles()}`);
}
