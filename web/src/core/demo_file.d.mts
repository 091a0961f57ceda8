/** mock.seed's params of the demo: the first visit's seed and resetToDemo()'s default. */
export declare const DEMO_PARAMS: Readonly<{ size: 'demo'; seed: number }>;
/** The prebuilt demo file of a seed (gzip; tools/demo_db.mjs writes it, demo.json names it). */
export declare function demoFileName(seed: number): string;
