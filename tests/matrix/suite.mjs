// Runs one ctest entry of the test matrix and records what it ran (docs/TESTING.md, ADR "one
// test command"). Usage (written by tests/matrix/matrix.cmake, not by hand):
//   node tests/matrix/suite.mjs --name NAME --kind KIND --results DIR -- COMMAND ARGS...
// The command's output is passed through unchanged. At the end its summary is read according to
// KIND and DIR/NAME.json gets {name, kind, passed, failed, rc, seconds, detail}; the exit code is 0
// only when the command exited 0, its summary was found, it ran at least one case and none failed.
// A runner that ran nothing (no test file, no matching tag, no summary) is a failure, never a pass.
//   catch2     Catch2 v2 console summary: test cases
//   node       node --test summary (spec "ℹ pass N" or TAP "# pass N"): tests
//   scenarios  "scenarios: N passed, M failed"                     (engine x file pairs)
//   web        "web-e2e: N passed, M failed"                       (Playwright tests)
//   model      "model: … K violations"                             one case: K = 0
//   fuzz       "fuzz: N requests … K findings"                     one case: K = 0
//   exit       any command (the tests/cli scripts)                 one case: exit code 0
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
const opts = {};
for (let i = 0; i < (sep < 0 ? argv.length : sep); i += 2) opts[argv[i].replace(/^--/, '')] = argv[i + 1];
const command = sep < 0 ? [] : argv.slice(sep + 1);
const { name, kind, results } = opts;
if (!name || !kind || !results || command.length === 0) {
  console.error('usage: suite.mjs --name NAME --kind KIND --results DIR -- COMMAND ARGS...');
  process.exit(2);
}

const last = (text, re) => {
  let m = null;
  for (const x of text.matchAll(re)) m = x;
  return m;
};
const parsers = {
  catch2(text) {
    const all = last(text, /^All tests passed \(\d+ assertions? in (\d+) test cases?\)/gm);
    if (all) return { passed: Number(all[1]), failed: 0 };
    const line = last(text, /^test cases:([^\n]*)/gm);
    if (!line) return null;
    const p = /(\d+) passed/.exec(line[1]);
    const f = /(\d+) failed/.exec(line[1]);
    return { passed: p ? Number(p[1]) : 0, failed: f ? Number(f[1]) : 0 };
  },
  node(text) {
    const p = last(text, /^(?:ℹ|#) pass (\d+)/gm);
    const f = last(text, /^(?:ℹ|#) fail (\d+)/gm);
    if (!p && !f) return null;
    return { passed: p ? Number(p[1]) : 0, failed: f ? Number(f[1]) : 0 };
  },
  scenarios(text) {
    const m = last(text, /^scenarios: (\d+) passed, (\d+) failed/gm);
    return m && { passed: Number(m[1]), failed: Number(m[2]) };
  },
  web(text) {
    const m = last(text, /^web-e2e: (\d+) passed, (\d+) failed/gm);
    return m && { passed: Number(m[1]), failed: Number(m[2]) };
  },
  model(text) {
    const m = last(text, /^(model: .* (\d+) violations.*)$/gm);
    return m && { passed: m[2] === '0' ? 1 : 0, failed: m[2] === '0' ? 0 : 1, detail: m[1] };
  },
  fuzz(text) {
    const m = last(text, /^(fuzz: \d+ requests.* (\d+) findings.*)$/gm);
    return m && { passed: m[2] === '0' ? 1 : 0, failed: m[2] === '0' ? 0 : 1, detail: m[1] };
  },
  exit: (_text, rc) => (rc === 0 ? { passed: 1, failed: 0 } : { passed: 0, failed: 1 }),
};
const parse = parsers[kind];
if (!parse) {
  console.error(`suite.mjs: unknown kind '${kind}'`);
  process.exit(2);
}

const t0 = Date.now();
let text = '';
const keep = (chunk) => {
  text += chunk.toString('utf8');
  if (text.length > 4_000_000) text = text.slice(-2_000_000); // summaries are at the end
};
const child = spawn(command[0], command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
child.stdout.on('data', (c) => { process.stdout.write(c); keep(c); });
child.stderr.on('data', (c) => { process.stderr.write(c); keep(c); });
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill(sig));
const rc = await new Promise((resolve) => {
  child.on('error', (e) => { console.error(`suite.mjs: cannot run ${command[0]}: ${e.message}`); resolve(127); });
  child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
});

const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
const counts = parse(plain, rc);
const record = { name, kind, passed: 0, failed: 0, rc, seconds: Math.round((Date.now() - t0) / 100) / 10 };
let problem = '';
if (!counts) problem = 'no summary found in its output';
else {
  Object.assign(record, counts);
  if (record.passed + record.failed === 0) problem = 'it ran no test case';
  else if (rc !== 0 && record.failed === 0) problem = `exit code ${rc} with no failed case`;
}
if (rc !== 0 && !problem && record.failed === 0) problem = `exit code ${rc}`;
if (problem) {
  record.failed = Math.max(record.failed, 1); // the runner itself counts as one failure
  record.problem = problem;
}
mkdirSync(results, { recursive: true });
writeFileSync(join(results, `${name}.json`), `${JSON.stringify(record)}\n`);
const ok = rc === 0 && !problem && record.failed === 0;
console.log(`suite ${name}: ${record.passed} passed, ${record.failed} failed (${kind}, exit ${rc}, ${record.seconds} s)${problem ? `: ${problem}` : ''}`);
process.exit(ok ? 0 : 1);
