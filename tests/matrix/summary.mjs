// The one summary of scripts/test.sh: reads the matrix's entries (`ctest --show-only=json-v1`)
// and the result files tests/matrix/suite.mjs wrote, prints a line per label and ends with
//   total: N passed, N failed
// (test cases, summed over the entries that ran). Usage:
//   node tests/matrix/summary.mjs --tests tests.json --results DIR --expect "native wasm …" [--skip "asan web"]
// It fails (exit 1, and counts a failure) when an expected label has no entry (a deleted suite),
// when a label's entries ran no case, or when an entry that should have run left no result file
// (it was not run, crashed before writing, or timed out). Skipped labels are printed, not hidden.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(`--${k}`); return i < 0 ? d : args[i + 1]; };
const words = (s) => (s ?? '').split(/[\s,]+/).filter(Boolean);
const expect = words(opt('expect'));
const skip = new Set(words(opt('skip')));
const resultsDir = opt('results');
const listing = JSON.parse(readFileSync(opt('tests'), 'utf8'));

const tests = listing.tests.map((t) => ({
  name: t.name,
  labels: (t.properties ?? []).find((p) => p.name === 'LABELS')?.value ?? [],
}));
const problems = [];
let passed = 0;
let failed = 0;
const byLabel = new Map(expect.map((l) => [l, { entries: 0, passed: 0, failed: 0, seconds: 0 }]));
for (const t of tests) {
  if (t.labels.length === 0) problems.push(`${t.name}: entry without a label`);
  for (const l of t.labels) if (!byLabel.has(l)) problems.push(`${t.name}: label '${l}' is not in the expected list`);
  if (t.labels.some((l) => skip.has(l))) continue;
  const file = join(resultsDir, `${t.name}.json`);
  let r;
  if (existsSync(file)) r = JSON.parse(readFileSync(file, 'utf8'));
  else {
    r = { passed: 0, failed: 1, seconds: 0 };
    problems.push(`${t.name}: no result (not run, killed or timed out)`);
  }
  passed += r.passed;
  failed += r.failed;
  for (const l of t.labels) {
    const s = byLabel.get(l);
    if (!s) continue;
    s.entries += 1; s.passed += r.passed; s.failed += r.failed; s.seconds += r.seconds ?? 0;
  }
}
console.log('== summary (test cases per label; an entry\'s cases count once in the total) ==');
for (const [label, s] of byLabel) {
  if (skip.has(label)) {
    console.log(`  ${label.padEnd(10)} SKIPPED (${tests.filter((t) => t.labels.includes(label)).length} entries not run)`);
    continue;
  }
  const registered = tests.filter((t) => t.labels.includes(label)).length;
  if (registered > 0 && s.entries === 0) {
    console.log(`  ${label.padEnd(10)} SKIPPED (its ${registered} entries also carry a skipped label)`);
    continue;
  }
  console.log(`  ${label.padEnd(10)} ${String(s.entries).padStart(3)} entries, ${s.passed} passed, ${s.failed} failed, ${Math.round(s.seconds)} s`);
  if (registered === 0) problems.push(`label '${label}': no ctest entry (a suite is missing)`);
  else if (s.passed + s.failed === 0) problems.push(`label '${label}': its entries ran no test case`);
}
if (skip.size) console.log(`skipped labels: ${[...skip].join(', ')}`);
for (const p of problems) console.log(`MATRIX FAILURE: ${p}`);
// A missing suite or a missing result is a failure of its own (entries without result are already counted).
failed += problems.filter((p) => !p.includes('no result')).length;
console.log(`total: ${passed} passed, ${failed} failed`);
process.exit(problems.length || failed ? 1 : 0);
