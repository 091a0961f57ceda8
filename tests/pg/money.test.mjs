// One money format (core/rules.hpp): the core's rules::format_gbp, PostgreSQL's private.gbp and
// the dashboard's formatGBP (web/src/lib/money.ts, 2 decimals) give the same text for the same
// micro-pounds: negative, zero, sub-penny, half-penny, large, the int64 extremes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { cli, client, constants, freshDb, root, run } from './helpers.mjs';

const VALUES = [
  0n, 1n, 4_999n, 5_000n, 9_999n, 10_000n, 15_000n, 123_456_789n, 999_995_000n, 50_000_000n,
  1_234_567_890_000n, 1_000_000_000_000n, 9_007_199_254_740_991n,
  -1n, -4_999n, -5_000n, -10_000n, -123_456_789n, -1_234_567_890_000n,
  9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n,
];

/** web/src/lib/money.ts (and the generated constants it imports) as a plain ES module. */
async function dashboardFormatter() {
  const ts = createRequire(join(root, 'web', 'package.json'))('typescript');  // the dashboard's compiler
  const dir = mkdtempSync(join(tmpdir(), 'ec-money-'));
  try {
    for (const [from, to] of [['web/src/lib/money.ts', 'money.mjs'],
      ['web/src/core/constants.generated.ts', 'constants.generated.mjs']]) {
      const out = ts.transpileModule(readFileSync(join(root, from), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      }).outputText.replace("'../core/constants.generated'", "'./constants.generated.mjs'");
      writeFileSync(join(dir, to), out);
    }
    return (await import(pathToFileURL(join(dir, 'money.mjs')).href)).formatGBP;
  } finally {
    // The module stays loaded; its files are no longer needed.
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
}

let c;
before(async () => {
  await freshDb('ec_money');
  c = await client('ec_money');
});
after(async () => c && c.end());

test('C++, PostgreSQL and the dashboard format every amount identically', async () => {
  const r = run(cli, ['rules', 'gbp', ...VALUES.map(String)]);
  assert.equal(r.status, 0, r.stderr);
  const core = r.stdout.trimEnd().split('\n');
  const { rows } = await c.query(`select private.gbp(v) as s from unnest($1::bigint[]) with ordinality as t(v, i) order by i`,
    [VALUES.map(String)]);
  const pg = rows.map((x) => x.s);
  const formatGBP = await dashboardFormatter();
  const web = VALUES.map((v) => formatGBP(v));
  assert.deepEqual(pg, core, 'PostgreSQL private.gbp = rules::format_gbp');
  assert.deepEqual(web, core, 'dashboard formatGBP = rules::format_gbp');
  // The declared format, spot-checked: U+2212 before the symbol, none on a value that rounds to 0.
  const { rules } = constants();
  assert.equal(core[VALUES.indexOf(-10_000n)], `${rules.minusSign}${rules.currencySymbol}0.01`);
  assert.equal(core[VALUES.indexOf(-4_999n)], `${rules.currencySymbol}0.00`);
  assert.equal(core[VALUES.indexOf(1_234_567_890_000n)], '£1,234,567.89');
  assert.equal(rules.minusSign, '\u2212');
});
