// The prebuilt demo database (tools/demo_db.mjs, copied next to the core by scripts/run.sh):
// the file `mock.seed {size:"demo", seed:1}` writes, byte for byte (tests/js/demo_db.test.mjs),
// so the first visit opens it instead of generating it (docs/adr/0017-runtime-tools-split.md).
// Used only for exactly that request, with the same schema version, and when its size and
// SHA-256 match the manifest; otherwise (or when anything fails) the worker runs the seed.
import type { PrebuiltSeed } from './engine';

interface DemoManifest {
  format: number;
  schemaVersion: number;
  request: { op: string; params: Record<string, unknown> };
  result: unknown;
  file: string;
  bytes: number;
  sha256: string;
}

/** JSON with sorted keys: the same value gives the same text. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const hex = (buf: ArrayBuffer) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * Fetches the manifest (demo.json next to the core module); null when there is none. Started
 * while the wasm compiles, so the answer is usually there when the first reset asks for it.
 */
export function fetchDemoManifest(moduleUrl: string): Promise<{ manifest: DemoManifest; base: string } | null> {
  const url = new URL('demo.json', moduleUrl).href;
  return fetch(url)
    .then((r) => (r.ok ? r.json() : null))
    .then((m: DemoManifest | null) => (m && m.format === 1 && typeof m.file === 'string' ? { manifest: m, base: url } : null))
    .catch(() => null);
}

/**
 * The prebuilt database for `request` (the JSON text of a mock.seed call), or null when the
 * request is another one, the schema differs (null: the caller compares the returned
 * `schemaVersion` itself) or the file does not arrive intact.
 */
export async function prebuiltSeed(
  found: { manifest: DemoManifest; base: string } | null,
  request: string | null,
  schemaVersion: number | null,
): Promise<(PrebuiltSeed & { schemaVersion: number }) | null> {
  if (!found || !request) return null;
  const { manifest: m, base } = found;
  try {
    const r = JSON.parse(request) as { op?: unknown; as?: { system?: unknown }; params?: unknown; now?: unknown };
    if (r.op !== m.request.op || r.as?.system !== true || r.now !== undefined) return null;
    if (canonical(r.params) !== canonical(m.request.params)) return null;
    if (schemaVersion !== null && m.schemaVersion !== schemaVersion) return null;
    const res = await fetch(new URL(m.file, base).href);
    if (!res.ok || !res.body) return null;
    const bytes = new Uint8Array(await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
    if (bytes.length !== m.bytes) return null;
    if (hex(await crypto.subtle.digest('SHA-256', bytes)) !== m.sha256) return null;
    return { bytes, result: m.result, schemaVersion: m.schemaVersion };
  } catch {
    return null;
  }
}
