// Compile-only type test of the typed client: tests/types/client_usage.ts uses the client
// correctly and marks wrong uses with @ts-expect-error; `tsc --noEmit --strict` must pass (an
// unused @ts-expect-error, i.e. a wrong use that compiles, fails it). Also checks that the
// committed web/src/core sources compile on their own (worker included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/core.mjs';

const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');

function runTsc(project) {
  try {
    execFileSync(process.execPath, [tsc, '-p', project], { cwd: repoRoot, encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (e) {
    return `${e.stdout}${e.stderr}`;
  }
}

test('tsc --strict accepts the correct uses and rejects every wrong one', { timeout: 120_000 }, () => {
  const out = runTsc('tests/types/tsconfig.json');
  assert.equal(out, '', out);
});

test('the type test has teeth: removing one @ts-expect-error makes tsc fail', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(repoRoot, 'tests/types/.tmp-'));
  try {
    const src = readFileSync(join(repoRoot, 'tests/types/client_usage.ts'), 'utf8')
      .replace(/from '\.\.\/\.\.\/web/g, "from '../../../web")
      .replace('// @ts-expect-error: a wrong field name in the params\n', '');
    writeFileSync(join(dir, 'client_usage.ts'), src);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      extends: '../tsconfig.json', files: ['client_usage.ts'],
    }));
    const out = runTsc(join(dir, 'tsconfig.json'));
    assert.match(out, /statuz/, out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
