// OPERATION_NAMES and SCHEMA_VERSION from the committed web/src/core/types.generated.ts (the
// TypeScript is stripped by esbuild's transform; the values are plain data).
import { transformSync } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './core.mjs';

const ts = readFileSync(join(repoRoot, 'web/src/core/types.generated.ts'), 'utf8');
const { code } = transformSync(ts, { loader: 'ts', format: 'esm' });
const mod = await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
export const OPERATION_NAMES = mod.OPERATION_NAMES;
export const SCHEMA_VERSION = mod.SCHEMA_VERSION;
