// Call overhead of the wasm boundary (docs/BENCHMARKS.md "Session 7: the wasm boundary without
// embind"): N small requests through the JS client (bindings/js/core.mjs Core.call: JSON text ->
// the module -> JSON text -> parsed), for each Node module given, rounds interleaved.
//   node bench/call_overhead.mjs [--calls N] [--rounds R] name=path/to/episodes_core_node.mjs[:core.mjs] …
// `:core.mjs` loads that module through another copy of bindings/js/core.mjs (e.g. the one of an
// older commit, `git show REV:bindings/js/core.mjs > /tmp/core.mjs`, to compare with its build).
import { pathToFileURL } from 'node:url';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args.splice(i, 2)[1]) : dflt;
};
const calls = opt('calls', 100_000);
const rounds = opt('rounds', 5);
const modules = [];
for (const a of args) {
  const [name, paths] = a.split('=');
  const [path, client] = paths.split(':');
  const { fromFactory } = await import(client ? pathToFileURL(resolve(client)).href : new URL('../bindings/js/core.mjs', import.meta.url));
  const abs = resolve(path);
  const factory = (await import(pathToFileURL(abs).href)).default;
  const core = await fromFactory(factory, { wasmBinary: readFileSync(abs.replace(/\.m?js$/, '.wasm')) });
  modules.push({ name, core, db: core.open(':memory:', { idSeed: 1 }), runs: {} });
}
// Kinds of small call: an answer with no request text; a tiny request and answer through the
// handle (with and without JSON.stringify of the request); a validate of a ~1 KB non-ASCII
// document for a larger text in.
const kinds = {
  'version() (raw module, no handle)': (m) => m.core.version(),
  'call meta.version': (m) => m.db.call({ op: 'meta.version' }),
  'callRaw text (no stringify)': (m) => m.db.callRaw('{"op":"meta.version"}'),
  'validate 1 KB doc': (m) => m.core.validate('Organization', doc, 'patch'),
};
const doc = JSON.stringify({ name: 'Zoë 日本 '.repeat(100) });
for (const m of modules) for (const k of Object.keys(kinds)) m.runs[k] = [];
for (let r = 0; r < rounds; r++) {
  for (const m of modules) {
    for (const [k, f] of Object.entries(kinds)) {
      for (let i = 0; i < 2000; i++) f(m);  // warm
      // CPU time of this process (user + system), less sensitive to other load than wall time.
      const t0 = process.cpuUsage();
      for (let i = 0; i < calls; i++) f(m);
      const t = process.cpuUsage(t0);
      m.runs[k].push(((t.user + t.system) * 1000) / calls);
    }
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const k of Object.keys(kinds)) {
  console.log(`${k}: ` + modules.map((m) => `${m.name} ${median(m.runs[k]).toFixed(0)} ns/call`).join(', '));
}
for (const m of modules) m.db.close();
