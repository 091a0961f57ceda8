// Builds web/src/core/client.ts for Node with esbuild (bindings/js/core.mjs stays external, so
// the client and the tests share the one CoreError class) and imports it.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot, moduleUrl } from './core.mjs';

export { moduleUrl };

const coreMjs = join(repoRoot, 'bindings/js/core.mjs');

let loaded;
export function loadClient() {
  loaded ??= (async () => {
    const dir = join(repoRoot, 'build/js-client');
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, `client-node-${process.pid}.mjs`);
    await build({
      entryPoints: [join(repoRoot, 'web/src/core/client.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outfile,
      logLevel: 'warning',
      plugins: [{
        name: 'external-core-mjs',
        setup(b) {
          b.onResolve({ filter: /bindings\/js\/core\.mjs$/ }, () => ({ path: coreMjs, external: true }));
        },
      }],
    });
    return import(pathToFileURL(outfile).href);
  })();
  return loaded;
}

/** openCore on the Node build in build/wasm, in memory unless a path is given. */
export async function open(options = {}) {
  const { openCore } = await loadClient();
  return openCore({ nodeModuleUrl: moduleUrl, ...options });
}
