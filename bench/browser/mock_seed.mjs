// What a seed the prebuilt demo does not serve costs in the browser since the generator moved to
// the lazily loaded mock module (docs/adr/0026-mock-generator-module.md): headless Chromium, a
// fresh profile per run, OPFS; the first resetToDemo({seed}) of a page loads episodes_core_mock
// (download + streaming compile + instantiate) and seeds, the second one seeds with the module
// already there. The difference is the module's load.
// Usage: node bench/browser/mock_seed.mjs [runs]   (EC_WASM_DIR selects the wasm build tree)
import { setup } from '../../tests/browser/helpers.mjs';

const runs = Number(process.argv[2] ?? 5);
const env = await setup();
const first = [];
const second = [];
try {
  for (let i = 0; i < runs; i++) {
    const ctx = await env.launch(env.newProfile());
    const page = await env.page(ctx);
    const t = await page.evaluate(async () => {
      const core = await ec.open({ name: 'mockseed', storage: 'opfs' });
      const a = performance.now();
      await core.resetToDemo({ seed: 5 });
      const b = performance.now();
      await core.resetToDemo({ seed: 6 });
      const c = performance.now();
      await core.close();
      return [b - a, c - b];
    });
    first.push(t[0]);
    second.push(t[1]);
    await ctx.close();
  }
} finally {
  await env.close();
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const fmt = (xs) => xs.map((x) => Math.round(x)).join(', ');
console.log(`resetToDemo({size:"demo", seed}) in Chromium, OPFS, ${runs} fresh profiles`);
console.log(`first (loads the mock module): median ${Math.round(median(first))} ms [${fmt(first)}]`);
console.log(`second (module loaded):        median ${Math.round(median(second))} ms [${fmt(second)}]`);
