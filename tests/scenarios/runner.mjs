#!/usr/bin/env node
// The scenario runner: executes the same scenario files (tests/scenarios/*.jsonl) against the
// SQLite core (`episodes-core call`, one process per file on a fresh database) and against
// PostgreSQL (the migration under the real roles and RLS, drivers/pg.mjs), and compares every
// answer with the line's expectation.
//
//   node tests/scenarios/runner.mjs [file.jsonl ...]     (default: every tests/scenarios/*.jsonl)
//   EC_SCENARIO_ENGINES=sqlite|pg|sqlite,pg             engines to run (default both)
//   EC_CLI=path                                         the CLI (default build/native/episodes-core)
//   PGHOST/PGPORT/PGUSER                                the PostgreSQL server (tests/scenarios/run.sh starts one)
//   EC_SCENARIO_VERBOSE=1                               print every line's answer
//
// A line: {"op", "as"?, "params"?, "now"?, "expect": {"ok", "code"?, "path"?, "result"?, "save"?},
// "engines"?: ["sqlite"|"pg"], "why"?: "..."}. Strings "$name" are replaced by values saved
// earlier with "save": {"name": "result.path"}; {"$int": "digits"} is an exact JSON integer.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SqliteDriver } from './drivers/sqlite.mjs';
import { bind, engines, getPath, here, partialMismatch } from './lib.mjs';

export function parseScenario(file) {
  const lines = [];
  readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
    const t = text.trim();
    if (!t || t.startsWith('//') || t.startsWith('#')) return;
    let obj;
    try { obj = JSON.parse(t); } catch (e) { throw new Error(`${basename(file)}:${i + 1}: not JSON: ${e.message}`); }
    if (!obj.op || !obj.expect || typeof obj.expect.ok !== 'boolean') throw new Error(`${basename(file)}:${i + 1}: needs "op" and "expect": {"ok": …}`);
    lines.push({ ...obj, lineNo: i + 1 });
  });
  return lines;
}

export function check(line, answer) {
  const e = line.expect;
  if (!answer || typeof answer.ok !== 'boolean') return `no answer: ${JSON.stringify(answer)}`;
  if (answer.ok !== e.ok) {
    return answer.ok ? `accepted, want ${e.code ?? 'an error'}: ${JSON.stringify(answer.result).slice(0, 200)}`
      : `refused with ${answer.error.code} (${(answer.error.message || '').slice(0, 160)}), want ok`;
  }
  if (!e.ok && e.code && answer.error.code !== e.code) return `code ${answer.error.code} (${(answer.error.message || '').slice(0, 160)}), want ${e.code}`;
  if (!e.ok && e.path && Array.isArray(answer.error.path)) {
    const m = partialMismatch(e.path, answer.error.path, 'error.path');
    if (m) return m;
  }
  if (e.ok && e.result !== undefined && !answer.skipped) {
    const m = partialMismatch(e.result, answer.result, 'result');
    if (m) return m;
  }
  return null;
}

async function openEngine(engine, file, index) {
  if (engine === 'sqlite') return SqliteDriver.open({ idSeed: 1 });
  const { freshDb, conn } = await import('../pg/helpers.mjs');
  const { PgDriver } = await import('./drivers/pg.mjs');
  const db = `ec_scen_${index}_${basename(file, '.jsonl').replace(/[^a-z0-9]/gi, '_').toLowerCase()}`.slice(0, 60);
  await freshDb(db);
  const d = await PgDriver.open({ ...conn, database: db });
  d.dbName = db;
  return d;
}

export async function runFile(engine, file, index, log = console.log) {
  const lines = parseScenario(file);
  const d = await openEngine(engine, file, index);
  const vars = {};
  const res = { engine, file: basename(file), passed: 0, failed: 0, skipped: 0, failures: [], refusals: {} };
  try {
    for (const line of lines) {
      if (line.engines && !line.engines.includes(engine)) continue;
      let req;
      try {
        req = { op: line.op, as: bind(line.as, vars), params: bind(line.params, vars), now: bind(line.now, vars) };
      } catch (e) {
        res.failed++;
        res.failures.push({ line: line.lineNo, op: line.op, why: `${e.message} (an earlier line failed)` });
        continue;
      }
      const answer = await d.call(req);
      if (process.env.EC_SCENARIO_VERBOSE === '1') log(`  ${engine} ${res.file}:${line.lineNo} ${line.op} -> ${JSON.stringify(answer).slice(0, 300)}`);
      if (answer.skipped) { res.skipped++; continue; }
      if (!answer.ok && answer.error) res.refusals[line.lineNo] = { op: line.op, code: answer.error.code, path: answer.error.path ?? null };
      let why;
      try { why = check({ ...line, expect: { ...line.expect, result: bind(line.expect.result, vars) } }, answer); } catch (e) { why = `${e.message} (an earlier line failed)`; }
      if (why) {
        res.failed++;
        res.failures.push({ line: line.lineNo, op: line.op, why, note: line.why });
      } else res.passed++;
      if (answer.ok && line.expect.save) {
        for (const [name, path] of Object.entries(line.expect.save)) {
          const v = getPath(answer.result, path);
          if (v !== undefined) vars[name] = v;
        }
      }
    }
  } finally {
    if (engine === 'pg') res.counts = { ...d.counts };
    await d.close();
  }
  return res;
}

export async function main(argv = process.argv.slice(2)) {
  const files = argv.length ? argv : readdirSync(here).filter((f) => f.endsWith('.jsonl')).sort().map((f) => join(here, f));
  const t0 = Date.now();
  const results = [];
  for (const engine of engines()) {
    let i = 0;
    for (const f of files) {
      let r;
      try {
        r = await runFile(engine, f, i++);
      } catch (e) {
        r = { engine, file: basename(f), passed: 0, failed: 1, skipped: 0, failures: [{ line: 0, op: '-', why: `runner: ${e.stack || e}` }] };
      }
      results.push(r);
      const extra = r.counts ? ` (pg: ${r.counts.runner} runner-handled, ${r.counts.emulated} emulated)` : '';
      console.log(`${r.failed ? 'FAIL' : 'ok  '} ${engine.padEnd(6)} ${r.file}: ${r.passed} lines passed, ${r.failed} failed, ${r.skipped} skipped on ${engine}${extra}`);
      for (const f of r.failures) console.log(`       ${engine} ${r.file}:${f.line} ${f.op}: ${f.why}${f.note ? `  [${f.note}]` : ''}`);
    }
  }
  // A line both engines refuse must be refused at the same path when both say where (PostgreSQL
  // errors without a DETAIL path — CHECKs, RLS, most function raises — say nowhere).
  const byFile = new Map();
  for (const r of results) byFile.set(r.file, [...(byFile.get(r.file) ?? []), r]);
  let pathsCompared = 0;
  for (const [file, rs] of byFile) {
    const [a, b] = rs;
    if (!b) continue;
    for (const [lineNo, x] of Object.entries(a.refusals ?? {})) {
      const y = b.refusals?.[lineNo];
      if (!y || !Array.isArray(x.path) || !Array.isArray(y.path)) continue;
      pathsCompared++;
      if (JSON.stringify(x.path) !== JSON.stringify(y.path)) {
        b.failed++;
        b.failures.push({ line: Number(lineNo), op: x.op, why: `refused at ${JSON.stringify(y.path)} on ${b.engine}, at ${JSON.stringify(x.path)} on ${a.engine}` });
        console.log(`FAIL ${file}:${lineNo} ${x.op}: error path ${JSON.stringify(x.path)} on ${a.engine}, ${JSON.stringify(y.path)} on ${b.engine}`);
      }
    }
  }
  if (pathsCompared) console.log(`error paths: ${pathsCompared} lines refused on both engines with a path on both, compared`);
  const ok = results.filter((r) => r.failed === 0).length;
  const lines = results.reduce((a, r) => ({ p: a.p + r.passed, f: a.f + r.failed, s: a.s + r.skipped }), { p: 0, f: 0, s: 0 });
  console.log(`scenario lines: ${lines.p} passed, ${lines.f} failed, ${lines.s} skipped (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  console.log(`scenarios: ${ok} passed, ${results.length - ok} failed (engine x file)`);
  return results.length - ok === 0 ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(2); });
}
