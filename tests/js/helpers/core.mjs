// Loads the Node wasm build from <repo>/build/wasm/bindings (built by scripts/build.sh wasm).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadCore } from '../../../bindings/js/core.mjs';

export { CoreError } from '../../../bindings/js/core.mjs';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
// EC_WASM_DIR (absolute, or relative to the repo) points the tests at another wasm build tree,
// e.g. a private one while developing; scripts/test.sh always uses build/wasm.
const wasmDir = process.env.EC_WASM_DIR ?? 'build/wasm';
export const moduleUrl = wasmDir.startsWith('/')
  ? new URL(`file://${wasmDir}/bindings/episodes_core_node.mjs`)
  : new URL(`../../../${wasmDir}/bindings/episodes_core_node.mjs`, import.meta.url);

export async function load() {
  if (!existsSync(moduleUrl)) {
    throw new Error(`${fileURLToPath(moduleUrl)} is missing: run scripts/build.sh wasm first`);
  }
  return loadCore({ moduleUrl });
}

/// A valid Organization record (mode "record").
export function organization(overrides = {}) {
  return {
    id: '0b4e7a0e-5b8a-4c1e-9f3a-2d6c8e1f4a7b',
    name: 'Acme',
    slug: 'acme',
    plan: 'free',
    dailyCostLimitMicros: 50000000,
    createdAt: '2025-08-15T09:00:00.000Z',
    updatedAt: '2025-08-15T09:00:00.000Z',
    ...overrides,
  };
}
