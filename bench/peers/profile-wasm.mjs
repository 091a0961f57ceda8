// Profiles the ec wasm API run of the peers benchmark phase by phase (V8's CPU profiler through
// node:inspector, one profile per phase) and prints the functions with the most self time.
// Build the module with names first (docs/BENCHMARKS.md, "Session 4"): a copy of
// episodes_core_node linked with --profiling-funcs.
//   node bench/peers/profile-wasm.mjs <module.mjs> [--scale 0.1] [--top 25] [--out dir]
//                                     [--reads-passes N]
// --reads-passes N: after the reads phase, N more unprofiled passes of the reads (process CPU time
// of each printed; the first, profiled pass compiled the functions only the reads use), then three
// profiled warm passes ("reads, warm"): the reads as a long-running page sees them
// (docs/BENCHMARKS.md, "Session 10: wasm against native").
// Needs the traced workload of `node bench/peers/run.mjs --scale <s>` (build/bench-peers-<s>/).
import { Session } from 'node:inspector/promises';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const modulePath = resolve(args[0] ?? join(root, 'build/wasm/bindings/episodes_core_node.mjs'));
const scale = opt('scale', '0.1');
const top = Number(opt('top', '25'));
const outDir = opt('out', '');
const readsPasses = Number(opt('reads-passes', '0'));
const dir = join(root, 'build', `bench-peers-${scale}`);
const phases = ['load', 'reads', 'writes', 'queue'];
const requests = Object.fromEntries(
  phases.map((p) => [p, readFileSync(join(dir, `${p}.req.jsonl`), 'utf8').split('\n').filter(Boolean)]),
);

const { callHandleText } = await import(pathToFileURL(join(root, 'bindings/js/core.mjs')).href);
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: 500 });

const factory = (await import(pathToFileURL(modulePath).href)).default;
const module = await factory();
const core = new module.CoreHandle(':memory:', 42);
if (outDir) mkdirSync(outDir, { recursive: true });
const run = (p) => {
  for (const req of requests[p]) {
    const res = callHandleText(core, req);
    if (!res.startsWith('{"ok":true')) throw new Error(`request failed: ${req}\n${res}`);
  }
};
// Profiles `passes` runs of phase p and prints the functions with the most self time.
async function profiled(p, label, passes = 1) {
  await session.post('Profiler.start');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < passes; ++i) run(p);
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  const { profile } = await session.post('Profiler.stop');
  if (outDir) writeFileSync(join(outDir, `${label.replace(/\W+/g, '-')}.cpuprofile`), JSON.stringify(profile));
  // self samples per function name
  const counts = new Map();
  for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
  const self = new Map();
  let total = 0;
  for (const n of profile.nodes) {
    const c = counts.get(n.id) ?? 0;
    if (!c) continue;
    const name = n.callFrame.functionName || `(${n.callFrame.url.split('/').pop() || 'anonymous'})`;
    self.set(name, (self.get(name) ?? 0) + c);
    total += c;
  }
  console.log(`\n## ${label}: ${wall.toFixed(0)} ms wall, ${total} samples`);
  for (const [name, c] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${((100 * c) / total).toFixed(1).padStart(5)}%  ${name.slice(0, 140)}`);
}
for (const p of phases) {
  await profiled(p, p);
  if (p !== 'reads' || !readsPasses) continue;
  for (let i = 1; i <= readsPasses; ++i) {
    const c0 = process.cpuUsage();
    run(p);
    const c = process.cpuUsage(c0);
    console.log(`reads pass ${i + 1}: ${((c.user + c.system) / 1000).toFixed(0)} ms CPU`);
  }
  await profiled(p, 'reads, warm (3 passes)', 3);
}
core.close();
core.delete();
