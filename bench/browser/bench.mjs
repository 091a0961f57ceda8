// Browser storage benchmark (headless Debian Chromium, static test page, no COOP/COEP):
//   1. cold start: fresh profile -> page -> openCore (worker + wasm + open) -> resetToDemo (seed)
//   2. durable small write: time until `await core.project.update(...)` resolves (the write is
//      durable then) on a ~1 MB and a ~150 MB database, for the default OPFS settings, other
//      journal/sync settings, and the IndexedDB fallback; plus one full export of each database
//      for comparison (what "save by exporting the whole file after each write" would cost).
// Usage: node bench/browser/bench.mjs [--quick]   (EC_WASM_DIR selects the wasm build tree)
// Prints a markdown summary; writes build/bench-browser.json.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setup } from '../../tests/browser/helpers.mjs';
import { outDir, repoRoot } from '../../tests/browser/build.mjs';
import { open as openNode } from '../../tests/js/helpers/client.mjs';

const quick = process.argv.includes('--quick');
const WRITES = quick ? 30 : 200;
const COLD_RUNS = quick ? 2 : 5;

// ---- databases, made with the Node client (blocks of random text up to the target size) -----
async function makeDatabase(file, targetBytes) {
  const meta = `${file}.json`;
  if (existsSync(file) && existsSync(meta) && statSync(file).size >= targetBytes) return JSON.parse(readFileSync(meta, 'utf8'));
  for (const f of [file, meta]) if (existsSync(f)) writeFileSync(f, '');
  const core = await openNode({ path: file });
  const { organization, owner } = await core.organization.create({ name: 'Bench', slug: 'bench', ownerEmail: 'b@example.com', ownerName: 'B' });
  const actor = { organizationId: organization.id, userId: owner.id };
  core.setActor(actor);
  const project = await core.project.create({ name: 'Bench', cadenceConfig: { days: ['mon'], time: '09:00' } });
  const blockChars = Math.min(1_000_000, Math.max(10_000, Math.floor(targetBytes / 20)));
  const text = () => {
    const parts = [];
    let n = 0;
    while (n < blockChars) { const s = Math.random().toString(36).slice(2); parts.push(s); n += s.length; }
    return parts.join('').slice(0, blockChars);
  };
  for (let i = 1; statSync(file).size < targetBytes; i++) {
    const ep = await core.episode.create({ projectId: project.id, number: i, title: `Episode ${i}` });
    await core.block.create({ episodeId: ep.id, content: text() });
  }
  await core.close();
  const info = { actor, projectId: project.id, bytes: statSync(file).size };
  writeFileSync(meta, JSON.stringify(info));
  return info;
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const q = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const r1 = (x) => Math.round(x * 10) / 10;
const r2 = (x) => Math.round(x * 100) / 100;

async function main() {
  mkdirSync(outDir, { recursive: true });
  const env = await setup();  // builds the bundles into build/js-browser (served under /dist/)
  const dbs = [
    ['1 MB', 'bench-1mb.sqlite', await makeDatabase(join(outDir, 'bench-1mb.sqlite'), 1 * 1024 * 1024)],
    ['150 MB', 'bench-150mb.sqlite', await makeDatabase(join(outDir, 'bench-150mb.sqlite'), 150 * 1024 * 1024)],
  ];
  const results = { when: new Date().toISOString(), chromium: null, writesPerCase: WRITES, cold: [], writes: [] };
  try {
    // ---- 1. cold start ----
    for (let run = 0; run < COLD_RUNS; run++) {
      const ctx = await env.launch(env.newProfile());
      results.chromium ??= ctx.browser()?.version() ?? null;
      const page = await env.page(ctx);
      results.cold.push(await page.evaluate(async () => {
        const t0 = performance.now();
        const core = await ec.open({ name: 'cold' });
        const t1 = performance.now();
        const res = await core.resetToDemo();
        const t2 = performance.now();
        const bytes = (await core.exportDatabase()).length;
        await core.close();
        return { openMs: t1 - t0, seedMs: t2 - t1, totalMs: t2 - t0, seeded: res.seeded, storage: core.storage, bytes };
      }));
      await ctx.close();
    }
    // ---- 2. durable small writes ----
    const variants = [
      { label: 'OPFS, journal TRUNCATE, synchronous FULL (default)', storage: 'opfs' },
      { label: 'OPFS, journal DELETE, synchronous FULL', storage: 'opfs', tuning: { journalMode: 'DELETE', synchronous: 'FULL' } },
      { label: 'OPFS, journal PERSIST, synchronous FULL', storage: 'opfs', tuning: { journalMode: 'PERSIST', synchronous: 'FULL' } },
      { label: 'OPFS, journal TRUNCATE, synchronous NORMAL', storage: 'opfs', tuning: { journalMode: 'TRUNCATE', synchronous: 'NORMAL' } },
      { label: 'IndexedDB fallback (16 KiB chunks)', storage: 'idb' },
      { label: 'baseline: memory (nothing persisted)', storage: 'memory' },
    ];
    for (const v of quick ? [variants[0], variants[4], variants[5]] : variants) {
      for (const [size, fileName, info] of dbs) {
        const ctx = await env.launch(env.newProfile());
        const page = await env.page(ctx);
        const r = await page.evaluate(async ({ url, v, info, WRITES }) => {
          const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
          let core = await ec.open({ name: 'w', storage: v.storage, tuning: v.tuning });
          let t = performance.now();
          await core.importDatabase(bytes);
          const importMs = performance.now() - t;
          let reopenMs = null;
          if (v.storage === 'memory') {
            core.setActor(info.actor);  // closing would drop an in-memory database
          } else {
            await core.close();
            t = performance.now();
            core = await ec.open({ name: 'w', storage: v.storage, tuning: v.tuning, lock: 'wait', actor: info.actor });
            reopenMs = performance.now() - t;
          }
          const ms = [];
          for (let i = 0; i < WRITES + 5; i++) {
            t = performance.now();
            await core.project.update({ id: info.projectId, patch: { description: `write ${i}` } });
            if (i >= 5) ms.push(performance.now() - t);  // the first writes warm the page cache
          }
          t = performance.now();
          const exported = await core.exportDatabase();
          const exportMs = performance.now() - t;
          const rt = [];
          for (let i = 0; i < 50; i++) {
            t = performance.now();
            await core.meta.version();
            rt.push(performance.now() - t);
          }
          const roundTripMs = rt.sort((a, b) => a - b)[25];
          await core.close();
          return { importMs, reopenMs, ms, exportMs, exportedBytes: exported.length, roundTripMs, storage: core.storage };
        }, { url: `/dist/${fileName}`, v, info, WRITES });
        results.writes.push({
          variant: v.label, size, storage: r.storage, bytes: r.exportedBytes,
          medianMs: r2(q(r.ms, 0.5)), p95Ms: r2(q(r.ms, 0.95)), maxMs: r2(Math.max(...r.ms)),
          readRoundTripMs: r2(r.roundTripMs), importMs: r1(r.importMs), reopenMs: r.reopenMs === null ? '-' : r1(r.reopenMs), fullExportMs: r1(r.exportMs),
        });
        await ctx.close();
      }
    }
  } finally {
    await env.close();
  }
  mkdirSync(join(repoRoot, 'build'), { recursive: true });
  writeFileSync(join(repoRoot, 'build/bench-browser.json'), JSON.stringify(results, null, 2));

  const cold = (k) => r1(q(results.cold.map((c) => c[k]), 0.5));
  console.log(`Chromium ${results.chromium}; ${WRITES} writes per case; medians of ${COLD_RUNS} cold starts\n`);
  console.log('| cold start (fresh profile) | median ms |\n|---|---|');
  console.log(`| worker + wasm + open (empty OPFS database) | ${cold('openMs')} |`);
  console.log(`| resetToDemo (${results.cold[0].seeded ? 'mock.seed demo' : 'empty: no mock.seed in this build'}, ${results.cold[0].bytes} bytes) | ${cold('seedMs')} |`);
  console.log(`| total | ${cold('totalMs')} |\n`);
  console.log('| storage | database | durable small write: median / p95 / max ms | read round trip ms | full export ms | import ms | reopen ms |\n|---|---|---|---|---|---|---|');
  for (const w of results.writes) {
    console.log(`| ${w.variant} | ${w.size} (${(w.bytes / 1048576).toFixed(1)} MiB) | ${w.medianMs} / ${w.p95Ms} / ${w.maxMs} | ${w.readRoundTripMs} | ${w.fullExportMs} | ${w.importMs} | ${w.reopenMs} |`);
  }
}

await main();
