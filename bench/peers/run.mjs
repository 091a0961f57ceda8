// The peers benchmark of issue 13: the same product-shaped workload (load / 600 dashboard reads /
// 5,000 one-row write transactions with their audit rows / 1,000 claim-10-and-complete rounds)
// run by the ec core natively (its raw SQL replayed through store::Db, and its API), by the wasm
// core's Node build (API), and by better-sqlite3, sql.js and @sqlite.org/sqlite-wasm replaying the
// very SQL (and bound values) the API ran, traced by `peers_bench prepare`. Interleaved in rounds,
// medians printed. Not part of the test run: see docs/BENCHMARKS.md.
//
//   node bench/peers/run.mjs [--scale 1] [--rounds 3] [--only a,b] [--json out.json]
//                            [--clock wall|cpu] [--wasm-variants name=path.mjs,name2:embind=path2.mjs]
//                            [--cold web/e2e/.results/perf.json]
// After the engines it prints the browser core's size (gzip -9 of build/wasm/bindings/
// episodes_core_web.wasm + .js, when built) and, given --cold, the cold first-data figures of
// web/e2e/perf.spec.ts's result file; then every target of issue 13 with its figure, met or not.
// scripts/bench-peers.sh runs the whole of it (builds, the perf spec, this) as one command.
// --wasm-variants adds one engine per other build of episodes_core_node (e.g. a copy built with
// other flags), run interleaved with the rest: how the SPEED FLAGS were compared.
// Needs build/native (target peers_bench) and build/wasm (targets episodes_core_node and, for
// "ec wasm raw SQL" / "ec wasm API in-process", peers_bench; missing ones are skipped).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const scale = Number(opt('scale', '1'));
const rounds = Number(opt('rounds', '3'));
const only = opt('only', '') ? opt('only', '').split(',') : null;
const jsonOut = opt('json', '');
// wall (default): elapsed time. cpu: process CPU time (user+system; for the Node engines the whole
// process, GC and wasm tier-up threads included), far less noisy when other work shares the cores.
const clock = opt('clock', 'wall');
if (clock !== 'wall' && clock !== 'cpu') throw new Error('--clock is wall or cpu');
const phases = ['load', 'reads', 'writes', 'queue'];
const nativeBench = opt('native', join(root, 'build/native/bench/peers_bench'));
const wasmModule = opt('wasm', join(root, 'build/wasm/bindings/episodes_core_node.mjs'));
// peers_bench built by the wasm preset (same compile and link choices as episodes_core_node),
// run under Node: "ec wasm raw SQL" replays the traced SQL through our own wasm store::Db, "ec wasm
// API in-process" the requests through api::Core::call inside wasm (no JS boundary). With "ec wasm
// API" they split the wasm reads into SQLite + Db, the API layer, and the boundary.
const wasmBench = opt('wasm-bench', join(root, 'build/wasm/bench/peers_bench.js'));
const coldResult = opt('cold', '');
const webCore = ['episodes_core_web.wasm', 'episodes_core_web.js'].map((f) => join(root, 'build/wasm/bindings', f));
const dir = join(root, 'build', `bench-peers-${scale}`);

function ms(t0) {
  return Number(process.hrtime.bigint() - t0) / 1e6;
}
// A stopwatch for both clocks: lap() gives {wall, cpu} in ms since the last start().
function stopwatch() {
  let w0, c0;
  const start = () => {
    w0 = process.hrtime.bigint();
    c0 = process.cpuUsage();
  };
  start();
  return {
    start,
    lap: () => {
      const c = process.cpuUsage(c0);
      return { wall: ms(w0), cpu: (c.user + c.system) / 1000 };
    },
  };
}
// One run's {phase: {wall, cpu}} -> {phase: ms} of the chosen clock, the other kept aside.
function byClock(laps) {
  const out = Object.fromEntries(phases.map((p) => [p, laps[p][clock]]));
  out.other = Object.fromEntries(phases.map((p) => [p, laps[p][clock === 'wall' ? 'cpu' : 'wall']]));
  return out;
}

// ---- the workload, made once per scale by the native core ----------------------------------
if (!existsSync(nativeBench)) {
  console.error(`missing ${nativeBench}: cmake --build --preset native --target peers_bench`);
  process.exit(1);
}
// A dataset prepared by an older schema is prepared again: the peers load its schema.sql.jsonl,
// so they get the indexes the core has (schema v7's read indexes, docs/BENCHMARKS.md "Session 9").
const schemaVersion = Number(spawnSync(nativeBench, ['schema-version'], { encoding: 'utf8' }).stdout);
const prepared = existsSync(join(dir, 'prepare.json')) ? JSON.parse(readFileSync(join(dir, 'prepare.json'), 'utf8')) : {};
if (!existsSync(join(dir, 'queue.req.jsonl')) || prepared.schema_version !== schemaVersion) {
  mkdirSync(dir, { recursive: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(nativeBench, ['prepare', dir, String(scale)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`peers_bench prepare failed:\n${r.stderr}`);
  writeFileSync(join(dir, 'prepare.json'), r.stdout);
  console.error(`prepared ${dir} in ${(ms(t0) / 1000).toFixed(1)} s: ${r.stdout.trim()}`);
}
const info = JSON.parse(readFileSync(join(dir, 'prepare.json'), 'utf8'));

function readTrace(name) {
  const lines = readFileSync(join(dir, `${name}.sql.jsonl`), 'utf8').split('\n');
  const texts = JSON.parse(lines[0]);
  const runs = [];
  for (let i = 1; i < lines.length; ++i) if (lines[i]) runs.push(JSON.parse(lines[i]));
  return { texts, runs };
}
const schema = readTrace('schema');
const traces = Object.fromEntries(phases.map((p) => [p, readTrace(p)]));
const requests = Object.fromEntries(
  phases.map((p) => [p, readFileSync(join(dir, `${p}.req.jsonl`), 'utf8').split('\n').filter(Boolean)]),
);

// ---- the engines ------------------------------------------------------------------------------
// Each returns {load, reads, writes, queue} in ms for one fresh in-memory database.

// A child process per run: peers_bench natively, or its wasm build (a .js) under Node with
// --no-liftoff --no-wasm-lazy-compilation, so the whole module is compiled by the optimizing tier
// before main starts the clock (the in-process wasm engines run warm from their second round on; a
// fresh process would otherwise run its hot functions on the baseline tier until V8 tiers them up,
// in a random phase). --no-liftoff alone is not that: V8 11 (Node 20) compiles each wasm function
// lazily at its first call, so every function first used in a phase was compiled by TurboFan
// inside that phase's clock (27 % of the raw reads' CPU time; docs/BENCHMARKS.md, "Session 10").
function native(mode, bench = nativeBench) {
  return () => {
    const cmd = bench.endsWith('.js')
      ? [process.execPath, ['--no-liftoff', '--no-wasm-lazy-compilation', bench, mode, dir]]
      : [bench, [mode, dir]];
    const r = spawnSync(...cmd, { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error(`peers_bench ${mode} failed:\n${r.stderr}`);
    const res = JSON.parse(r.stdout.trim().split('\n').pop());
    return byClock(Object.fromEntries(phases.map((p) => [p, { wall: res[p], cpu: res.cpu[p] }])));
  };
}

const wasmFactories = new Map();
// The requests cross the boundary as the product's JS does (bindings/js/core.mjs callHandleText:
// UTF-8 through the handle's buffers); a variant named "…:embind" calls the handle's call(text),
// which in a build before ADR 0033 is embind's std::string call (since, the same path).
const { callHandleText } = await import(pathToFileURL(join(root, 'bindings/js/core.mjs')).href);
// Each wasm build is compiled once (as sql.js and sqlite-wasm are initialised once) and
// instantiated per round: otherwise V8 recompiles the module whenever the last instance was
// collected, and that compile and tier-up land in a random round's load phase.
const wasmCompiled = new Map();
const wasmApi = (path, embind = false) => async () => {
  if (!wasmFactories.has(path)) {
    wasmFactories.set(path, (await import(pathToFileURL(path).href)).default);
    wasmCompiled.set(path, await WebAssembly.compile(readFileSync(path.replace(/\.mjs$/, '.wasm'))));
  }
  const compiled = wasmCompiled.get(path);
  const module = await wasmFactories.get(path)({
    instantiateWasm(imports, receive) {
      WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled));
      return {};
    },
  });
  const out = {};
  const sw = stopwatch();
  const core = new module.CoreHandle(':memory:', 42);
  for (const p of phases) {
    if (p !== 'load') sw.start();
    for (const req of requests[p]) {
      const res = embind ? core.call(req) : callHandleText(core, req);
      if (!res.startsWith('{"ok":true')) throw new Error(`wasm request failed: ${req}\n${res}`);
    }
    out[p] = sw.lap();
  }
  core.close();
  core.delete();
  return byClock(out);
};
const wasmVariants = opt('wasm-variants', '')
  .split(',')
  .filter(Boolean)
  .map((v) => {
    const [name, path] = v.split('=');
    const abs = resolve(path);
    const embind = name.endsWith(':embind');
    return [`ec wasm API ${name}`, existsSync(abs) ? { run: wasmApi(abs, embind) } : { skip: `missing ${abs}` }];
  });

// Replays a trace with an engine's prepare/step API: statements prepared once per text, every
// row stepped and every column read.
function replayAll(engine) {
  const out = {};
  const sw = stopwatch();
  const db = engine.open();
  for (const [i] of schema.runs) engine.exec(db, schema.texts[i]);
  for (const p of phases) {
    if (p !== 'load') sw.start();
    const { texts, runs } = traces[p];
    const stmts = new Array(texts.length);
    for (const run of runs) {
      const i = run[0];
      const st = stmts[i] ?? (stmts[i] = engine.prepare(db, texts[i]));
      engine.run(st, run.length > 1 ? run.slice(1) : null);
    }
    for (const st of stmts) if (st) engine.finalize(st);
    out[p] = sw.lap();
  }
  engine.close(db);
  return byClock(out);
}

function betterSqlite3() {
  let Database;
  try {
    Database = require('better-sqlite3');
    new Database(':memory:').close();
  } catch (e) {
    return { skip: `better-sqlite3 cannot load here: ${e.message.split('\n')[0]}` };
  }
  return {
    run: () =>
      replayAll({
        open: () => new Database(':memory:'),
        exec: (db, sql) => db.exec(sql),
        // better-sqlite3 takes numbered parameters (?1) as named ones: such SQL is given
        // anonymous ones instead, the values repeated in order of appearance.
        prepare: (db, sql) => {
          const order = [...sql.matchAll(/\?(\d+)/g)].map((m) => Number(m[1]) - 1);
          const st = db.prepare(order.length ? sql.replace(/\?\d+/g, '?') : sql);
          return { st, reader: st.reader, order: order.length ? order : null };
        },
        run: ({ st, reader, order }, params) => {
          if (params && order) params = order.map((i) => params[i]);
          if (reader) (params ? st.raw().all(params) : st.raw().all());
          else params ? st.run(params) : st.run();
        },
        finalize: () => {},
        close: (db) => db.close(),
      }),
  };
}

async function sqlJs() {
  const init = (await import(pathToFileURL(require.resolve('sql.js/dist/sql-wasm.js')).href)).default;
  const SQL = await init();
  return {
    run: () =>
      replayAll({
        open: () => new SQL.Database(),
        exec: (db, sql) => db.run(sql),
        prepare: (db, sql) => db.prepare(sql),
        run: (st, params) => {
          if (params) st.bind(params);
          while (st.step()) st.get();
          st.reset();
        },
        finalize: (st) => st.free(),
        close: (db) => db.close(),
      }),
  };
}

async function sqliteWasm() {
  const { default: init } = await import('@sqlite.org/sqlite-wasm');
  const sqlite3 = await init({ print: () => {}, printErr: () => {} });
  return {
    run: () =>
      replayAll({
        open: () => new sqlite3.oo1.DB(':memory:', 'c'),
        exec: (db, sql) => db.exec(sql),
        prepare: (db, sql) => db.prepare(sql),
        run: (st, params) => {
          if (params) st.bind(params);
          while (st.step()) st.get([]);
          st.reset(true);
        },
        finalize: (st) => st.finalize(),
        close: (db) => db.close(),
      }),
  };
}

// Made lazily: an engine left out by --only is never loaded (nor needs its package installed).
const engineMakers = [
  ['ec native raw SQL', () => ({ run: native('raw') })],
  ['ec native API', () => ({ run: native('api') })],
  ['ec wasm raw SQL', () => (existsSync(wasmBench) ? { run: native('raw', wasmBench) } : { skip: `missing ${wasmBench}` })],
  ['ec wasm API in-process', () => (existsSync(wasmBench) ? { run: native('api', wasmBench) } : { skip: `missing ${wasmBench}` })],
  ['ec wasm API', () => (existsSync(wasmModule) ? { run: wasmApi(wasmModule) } : { skip: `missing ${wasmModule}` })],
  ...wasmVariants.map(([name, e]) => [name, () => e]),
  ['better-sqlite3', betterSqlite3],
  ['sql.js', sqlJs],
  ['sqlite-wasm', sqliteWasm],
].filter(([name]) => !only || only.some((o) => name.includes(o)));
const engines = [];
for (const [name, make] of engineMakers) engines.push([name, await make()]);

// ---- interleaved rounds -------------------------------------------------------------------------
// A full collection before every run, outside its clock: the in-process engines share one JS heap,
// so without it the garbage one engine left (sql.js and the wasm API's answers: megabytes of
// strings per phase) is collected, on the process CPU clock, inside whichever engine runs next.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');
const results = Object.fromEntries(engines.map(([n]) => [n, []]));
for (let r = 0; r < rounds; ++r) {
  for (const [name, e] of engines) {
    if (e.skip) continue;
    collectGarbage();
    const res = await e.run();
    results[name].push(res);
    console.error(`round ${r + 1} ${name}: ${phases.map((p) => `${p} ${res[p].toFixed(0)}`).join(', ')}`);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const med = {};
for (const [name, e] of engines) {
  if (e.skip) continue;
  med[name] = Object.fromEntries(phases.map((p) => [p, median(results[name].map((x) => x[p]))]));
}

const fmt = (x) => (x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
const ratio = (a, b) => (a === undefined || b === undefined ? '—' : (a / b).toFixed(2));
const lines = [];
lines.push(
  `scale ${scale} (${info.organizations} organizations), ${rounds} rounds, medians in ms (${clock === 'cpu' ? 'process CPU time' : 'wall clock'}); ` +
    `statements per phase: ${phases.map((p) => `${p} ${info[`${p}_statements`]}`).join(', ')}`,
);
lines.push('');
lines.push(`| phase | ${engines.map(([n]) => n).join(' | ')} |`);
lines.push(`|---|${engines.map(() => '---:').join('|')}|`);
for (const p of phases) lines.push(`| ${p} | ${engines.map(([n]) => fmt(med[n]?.[p])).join(' | ')} |`);
lines.push('');
const raw = med['ec native raw SQL'];
const api = med['ec native API'];
const wasm = med['ec wasm API'];
lines.push('| phase | API/raw (native) | wasm/native (API) | ec wasm / sql.js | ec wasm / sqlite-wasm |');
lines.push('|---|---:|---:|---:|---:|');
for (const p of phases)
  lines.push(
    `| ${p} | ${ratio(api?.[p], raw?.[p])} | ${ratio(wasm?.[p], api?.[p])} | ${ratio(wasm?.[p], med['sql.js']?.[p])} | ${ratio(wasm?.[p], med['sqlite-wasm']?.[p])} |`,
  );
const wasmRaw = med['ec wasm raw SQL'];
const wasmIn = med['ec wasm API in-process'];
if (wasmRaw || wasmIn) {
  // The wasm split: SQLite + store::Db (raw), the API layer (in-process / raw), the JS boundary
  // (API through callHandleText / in-process).
  lines.push('');
  lines.push('| phase | API/raw (wasm, in-process) | boundary (ec wasm API / in-process) | ec wasm raw / sql.js | ec wasm raw / native raw |');
  lines.push('|---|---:|---:|---:|---:|');
  for (const p of phases)
    lines.push(
      `| ${p} | ${ratio(wasmIn?.[p], wasmRaw?.[p])} | ${ratio(wasm?.[p], wasmIn?.[p])} | ${ratio(wasmRaw?.[p], med['sql.js']?.[p])} | ${ratio(wasmRaw?.[p], raw?.[p])} |`,
    );
}
if (wasmVariants.length) {
  lines.push('');
  lines.push('| wasm build | phase | wasm/native (API) | / sql.js | / sqlite-wasm |');
  lines.push('|---|---|---:|---:|---:|');
  for (const [name] of [['ec wasm API'], ...wasmVariants]) {
    const w = med[name];
    for (const p of phases)
      lines.push(
        `| ${name} | ${p} | ${ratio(w?.[p], api?.[p])} | ${ratio(w?.[p], med['sql.js']?.[p])} | ${ratio(w?.[p], med['sqlite-wasm']?.[p])} |`,
      );
  }
}
for (const [name, e] of engines) if (e.skip) lines.push(`\nskipped ${name}: ${e.skip}`);
lines.push('', ...targetLines());
console.log(lines.join('\n'));
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ scale, rounds, info, results, medians: med }, null, 2));

// ---- issue 13's targets, each with this run's figure ------------------------------------------
// The targets as the issue states them, each written once here; labels and checks read them
// (docs/BENCHMARKS.md quotes each run of this table).
function targetLines() {
  const TARGET = { apiRaw: 1.5, wasmNative: 1.3, coreBytes: 479_000, coldMs: 1000 };
  const n = (x) => x.toLocaleString('en-US');
  const out = [];
  const rows = [];
  const row = (target, figure, met) => rows.push(`| ${target} | ${figure} | ${met === null ? '—' : met ? 'met' : '**missed**'} |`);
  const r2 = (x) => x.toFixed(2);
  for (const p of ['reads', 'queue']) {
    const x = api?.[p] !== undefined && raw?.[p] !== undefined ? api[p] / raw[p] : undefined;
    row(`API/raw ≤ ${TARGET.apiRaw}, ${p} (native)`, x === undefined ? '—' : r2(x), x === undefined ? null : x <= TARGET.apiRaw);
  }
  for (const p of phases) {
    const x = wasm?.[p] !== undefined && api?.[p] !== undefined ? wasm[p] / api[p] : undefined;
    row(`wasm/native ≤ ${TARGET.wasmNative}, ${p} (API)`, x === undefined ? '—' : r2(x), x === undefined ? null : x <= TARGET.wasmNative);
  }
  for (const peer of ['sql.js', 'sqlite-wasm']) {
    const xs = phases.map((p) => (wasm?.[p] !== undefined && med[peer]?.[p] !== undefined ? wasm[p] / med[peer][p] : undefined));
    const known = xs.every((x) => x !== undefined);
    row(`ec wasm ahead of ${peer}, every phase`, known ? xs.map(r2).join(' / ') : '—', known ? xs.every((x) => x < 1) : null);
  }
  // The browser core: wasm + glue, gzip -9 as the "wasm size" section measures it.
  const coreLabel = `browser core < ${n(TARGET.coreBytes)} B gzip -9 (wasm + glue)`;
  if (webCore.every((f) => existsSync(f))) {
    const sizes = webCore.map((f) => spawnSync('gzip', ['-9', '-c', f], { maxBuffer: 1 << 26 }).stdout.length);
    const total = sizes[0] + sizes[1];
    row(coreLabel, `${n(total)} (${sizes.map(n).join(' + ')})`, total < TARGET.coreBytes);
  } else {
    row(coreLabel, `not built (${webCore[0]})`, null);
  }
  const coldLabel = `cold first data < ${n(TARGET.coldMs)} ms`;
  if (coldResult && existsSync(coldResult)) {
    const perf = JSON.parse(readFileSync(coldResult, 'utf8'));
    const describe = (xs) => `median ${Math.round(median(xs))} ms, max ${Math.round(Math.max(...xs))} ms, ${xs.filter((x) => x >= TARGET.coldMs).length} of ${xs.length} ≥ ${n(TARGET.coldMs)} ms`;
    if (Array.isArray(perf.coldMs) && perf.coldMs.length) {
      row(`${coldLabel}, window opened (${perf.settleMs ?? '?'} ms settle)`, describe(perf.coldMs), perf.coldMs.every((x) => x < TARGET.coldMs));
    }
    if (Array.isArray(perf.coldImmediateMs) && perf.coldImmediateMs.length) {
      row(`${coldLabel}, URL entered as the window opens`, describe(perf.coldImmediateMs), perf.coldImmediateMs.every((x) => x < TARGET.coldMs));
    }
    out.push(`cold start: ${coldResult} (${perf.at ?? 'no date'}), warm median ${perf.warmMedianMs ?? '—'} ms`);
  } else {
    row(`${coldLabel} in Chromium`, coldResult ? `no result file ${coldResult}` : 'not measured (--cold <perf.json>)', null);
  }
  return ['| issue 13 target | this run | |', '|---|---|---|', ...rows, ...(out.length ? ['', ...out] : [])];
}
