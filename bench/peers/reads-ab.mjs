// Warm reads of two or more builds of the Node module, side by side (docs/BENCHMARKS.md,
// "Session 11"): each module loads the peers workload's data once, then 12 passes of its 600
// reads run interleaved module by module; prints each pass's process CPU ms and the median of
// passes 3-12 (the first passes compile what only the reads use).
//   node bench/peers/reads-ab.mjs [--scale 0.1] <module.mjs> <module2.mjs> ...
// Needs the traced workload of `node bench/peers/run.mjs --scale <s>` (build/bench-peers-<s>/).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const at = args.indexOf('--scale');
const scale = at >= 0 ? args.splice(at, 2)[1] : '0.1';
const dir = join(root, 'build', `bench-peers-${scale}`);
const requests = (p) => readFileSync(join(dir, `${p}.req.jsonl`), 'utf8').split('\n').filter(Boolean);
const load = requests('load');
const reads = requests('reads');
const { callHandleText } = await import(pathToFileURL(join(root, 'bindings/js/core.mjs')).href);
const cores = [];
for (const m of args) {
  const module = await (await import(pathToFileURL(resolve(m)).href)).default();
  const core = new module.CoreHandle(':memory:', 42);
  for (const r of load) callHandleText(core, r);
  cores.push(core);
}
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const passes = args.map(() => []);
for (let pass = 0; pass < 12; pass++) {
  cores.forEach((core, k) => {
    const t0 = cpu();
    for (const r of reads) {
      const answer = callHandleText(core, r);
      if (!answer.startsWith('{"ok":true')) throw new Error(answer.slice(0, 300));
    }
    passes[k].push(cpu() - t0);
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
args.forEach((m, k) => console.log(`${m}: median ${median(passes[k].slice(2)).toFixed(1)} ms; passes ${passes[k].map((x) => x.toFixed(0)).join(' ')}`));
cores.forEach((c) => { c.close(); c.delete(); });
