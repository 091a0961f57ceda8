// Blank names (issue 14; docs/adr/0015-blank-names.md): the core's validator and the PostgreSQL
// CHECK refuse exactly the same strings. The blank code points are read from the generated
// SQLite DDL (`trim(name, char(…))`, derived from schema::kBlankCodePoints), not copied here.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cli, client, freshDb, run } from './helpers.mjs';

const work = mkdtempSync(join(tmpdir(), 'ec-pg-blank-'));
const NOW = '2025-08-15T09:00:00.000Z';
let c;
before(async () => {
  await freshDb('ec_blank');
  c = await client('ec_blank');
});
after(async () => {
  if (c) await c.end();
  rmSync(work, { recursive: true, force: true });
});

function blankCodePoints() {
  const ddl = run(cli, ['schema', '--dialect', 'sqlite']).stdout;
  const m = ddl.match(/trim\(name, char\(([0-9, ]+)\)\) <> ''/);
  assert.ok(m, 'the SQLite DDL declares the blank rule on organizations.name');
  return m[1].split(',').map((n) => Number(n.trim()));
}

test('the core and PostgreSQL refuse the same blank names', async () => {
  const blank = blankCodePoints();
  assert.ok(blank.length >= 25, 'at least Unicode White_Space');
  const chr = (cp) => String.fromCodePoint(cp);
  const samples = [
    ...blank.map(chr), blank.map(chr).join(''), ...blank.map((cp) => `${chr(cp)}x${chr(cp)}`),
    // Not blank: visible text, and invisible characters outside the declared set.
    'a', ' a ', '\u180e', '\u200c', '\u200d', '\u00ad', '\u2800', '.', '\u3000\u3164',
  ];
  const lines = [{ op: 'clock.set', as: { system: true }, params: { now: NOW } },
    ...samples.map((name, i) => ({ op: 'organization.create', params: { name, slug: `blank-${i}`, ownerEmail: `o${i}@example.com`, ownerName: 'Owner' } }))];
  const r = run(cli, ['call', '--db', join(work, 'core.sqlite')], lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const core = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).slice(1);
  let refusedBlank = 0;
  for (const [i, name] of samples.entries()) {
    const codes = core[i].ok ? [] : (core[i].error.issues ?? []).map((x) => x.code);
    const expectBlank = [...name].every((ch) => blank.includes(ch.codePointAt(0)));
    if (expectBlank) assert.equal(core[i].ok, false, `core refuses blank #${i}`);
    if (codes.includes('blank')) refusedBlank++;
    const pgOk = await c.query(`insert into organizations (name, slug) values ($1, $2)`, [name, `blank-${i}`])
      .then(() => true, (e) => { assert.match(e.message, /check constraint/); return false; });
    assert.equal(pgOk, core[i].ok, `sample #${i} (${[...name].map((ch) => ch.codePointAt(0).toString(16)).join(' ')}): core ${core[i].ok}, PostgreSQL ${pgOk}`);
  }
  assert.ok(refusedBlank >= blank.length - 2, 'the core says `blank` (LF and CR are refused as multi-line first)');
});
