// Shared pieces of the scenario runner and the model-based test: request text with exact big
// integers, "$name" bindings, partial matching, error-code helpers.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
export const cliPath = () => process.env.EC_CLI || join(root, 'build', 'native', 'episodes-core');

/** Engines to run: EC_SCENARIO_ENGINES=sqlite | pg | sqlite,pg (default both). */
export function engines() {
  const v = (process.env.EC_SCENARIO_ENGINES || 'sqlite,pg').split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of v) if (e !== 'sqlite' && e !== 'pg') throw new Error(`EC_SCENARIO_ENGINES: unknown engine ${e}`);
  return v;
}

// JSON numbers above 2^53 cannot pass through JavaScript unchanged, so scenario files write
// them as {"$int": "9223372036854775807"}; requestText() emits the digits verbatim.
export const isBigMarker = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) &&
  Object.keys(v).length === 1 && typeof v.$int === 'string' && /^-?\d+$/.test(v.$int);

export function requestText(obj) {
  const s = JSON.stringify(obj, (_k, v) => (isBigMarker(v) ? `\u0001INT:${v.$int}\u0001` : v));
  return s.replace(/"\\u0001INT:(-?\d+)\\u0001"/g, '$1');
}

/** Replaces every string "$name" (whole string) by the bound value; "$name.path" reads into it. */
export function bind(value, vars) {
  if (typeof value === 'string' && value.startsWith('$') && value.length > 1 && !value.startsWith('$$')) {
    const [name, ...path] = value.slice(1).split('.');
    if (!(name in vars)) throw new Error(`unbound ${value}`);
    return path.length ? getPath(vars[name], path.join('.')) : vars[name];
  }
  if (typeof value === 'string' && value.startsWith('$$')) return value.slice(1);
  if (Array.isArray(value)) return value.map((v) => bind(v, vars));
  if (value && typeof value === 'object' && !isBigMarker(value)) {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = bind(v, vars);
    return out;
  }
  return value;
}

export function getPath(obj, path) {
  let cur = obj;
  for (const p of path.replace(/^result\./, '').split('.')) {
    if (p === '' || p === 'result') continue;
    if (cur === null || cur === undefined) return undefined;
    cur = Array.isArray(cur) && /^\d+$/.test(p) ? cur[Number(p)] : cur[p];
  }
  return cur;
}

/** Partial match: every key of `want` must match in `got` (objects recursively; arrays
 *  element-wise with the same length; {"$len": n} matches an array of n elements;
 *  {"$any": true} matches anything present). Returns null or the first mismatch's path. */
export function partialMismatch(want, got, path = '') {
  if (want && typeof want === 'object' && !Array.isArray(want)) {
    if ('$len' in want && Object.keys(want).length === 1)
      return Array.isArray(got) && got.length === want.$len ? null : `${path || '.'}: want ${want.$len} elements, got ${Array.isArray(got) ? got.length : JSON.stringify(got)}`;
    if ('$any' in want) return got === undefined ? `${path}: missing` : null;
    if (isBigMarker(want)) return String(got) === want.$int ? null : `${path}: want ${want.$int}, got ${JSON.stringify(got)}`;
    if (!got || typeof got !== 'object' || Array.isArray(got)) return `${path || '.'}: want an object, got ${JSON.stringify(got)}`;
    for (const [k, v] of Object.entries(want)) {
      const m = partialMismatch(v, got[k], `${path}.${k}`);
      if (m) return m;
    }
    return null;
  }
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) return `${path || '.'}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
    for (let i = 0; i < want.length; i++) {
      const m = partialMismatch(want[i], got[i], `${path}[${i}]`);
      if (m) return m;
    }
    return null;
  }
  return Object.is(want, got) || want === got ? null : `${path || '.'}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`;
}

export const isSystem = (as) => !!(as && as.system === true);

export function err(code, message, path = null, extra = {}) {
  return { ok: false, error: { code, message, path, ...extra } };
}

export const iso = (ms) => new Date(ms).toISOString();

/** A small deterministic PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    chance: (p) => next() < p,
  };
}
