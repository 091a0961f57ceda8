// The demo database, declared once for the dashboard (client.ts, lib/earlyBoot.ts) and for the
// tool that prebuilds it (tools/demo_db.mjs): what the first visit seeds, and the name of the
// prebuilt file served next to the core (web/src/core/demo.ts checks it against its manifest).

/** mock.seed's params of the demo: the first visit's seed and resetToDemo()'s default. */
export const DEMO_PARAMS = Object.freeze({ size: 'demo', seed: 1 });

/** The prebuilt demo file of a seed (gzip; tools/demo_db.mjs writes it, demo.json names it). */
export function demoFileName(seed) {
  return `demo-${seed}.sqlite.gz`;
}
