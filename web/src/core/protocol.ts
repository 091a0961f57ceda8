// The messages between the client (page) and core.worker.ts. One request at a time is executed
// by the worker, in arrival order; every request gets exactly one `done` answer with its id.
// Requests carry the core request as JSON text (serialised by the client, so bad JS values are
// refused on the page with a CoreError, never as a DataCloneError).
import type { CoreErrorData } from './errors';

/** Where the database lives. "auto" = OPFS when available, else IndexedDB. */
export type StorageKind = 'opfs' | 'idb' | 'memory' | 'file';
export type StorageChoice = 'auto' | 'opfs' | 'idb' | 'memory';

/** SQLite settings the host may choose for its storage (see docs/adr/0007-browser-storage.md). */
export interface StorageTuning {
  journalMode?: 'DELETE' | 'TRUNCATE' | 'PERSIST' | 'MEMORY';
  synchronous?: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
}

export interface OpenRequest {
  type: 'open';
  id: number;
  /** URL of episodes_core_web.js (absolute, or relative to the page). */
  moduleUrl: string;
  /** URL of episodes_core_web.wasm; default: next to moduleUrl. */
  wasmUrl?: string;
  /** Database name: [A-Za-z0-9_-]{1,64}. */
  name: string;
  storage: StorageChoice;
  /**
   * Another tab holds the database: "fail" at once with code "locked", "wait" until it is
   * released, or wait at most this many milliseconds (a reloading page releases its lock a
   * moment after the new page asks for it).
   */
  lock: 'fail' | 'wait' | number;
  /**
   * "share" (default): every tab of the origin uses the database at once; the tab holding the
   * Web Lock (the leader) runs it and the others forward their requests to it (see
   * docs/adr/0019-multi-tab-leader-election.md). "exclusive": one tab only, others get "locked"
   * according to `lock`.
   */
  tabs: 'share' | 'exclusive';
  /** Share mode: a forwarded request not answered within this many ms rejects ("locked"). */
  callTimeoutMs: number;
  idSeed: number;
  tuning?: StorageTuning;
  /**
   * The mock.seed request (JSON text) an empty stored database starts as, when the prebuilt copy
   * of its result is served next to the core (demo.ts); null: an empty database stays empty.
   */
  demo?: string | null;
}

export type WorkerRequest =
  | OpenRequest
  /** rid (shared mode): the page's own id of the call, the same when it re-sends the call after its tab was frozen. */
  | { type: 'call'; id: number; request: string; progress: boolean; rid?: string }
  | { type: 'export'; id: number }
  | { type: 'import'; id: number; bytes: Uint8Array }
  | { type: 'reset'; id: number; seed: boolean; request: string | null }
  | { type: 'stats'; id: number }
  | { type: 'close'; id: number };

/** The state of the database after open/import/reset. */
export interface OpenState {
  status: 'ready' | 'broken';
  /** Why the stored database could not be opened (status "broken"). */
  error: CoreErrorData | null;
  storage: StorageKind;
  /** Database size in bytes when known. */
  bytes: number | null;
  /** Open only: the seed's result when the empty database was filled with the prebuilt demo. */
  seed?: unknown;
}

/** The answer of a `call`: the result and which tables the call read and changed. */
export interface CallAnswer {
  result: unknown;
  reads: string[];
  changed: string[];
}

/** Which tab runs the database: this one ("leader"), another one ("follower"), or no sharing. */
export type TabRole = 'leader' | 'follower' | 'single';

export type WorkerMessage =
  | { type: 'done'; id: number; ok: true; result: unknown }
  | { type: 'done'; id: number; ok: false; error: CoreErrorData }
  | { type: 'progress'; id: number; done: number; total: number; phase: string }
  /** Some tab (this one included) changed these tables; "*" = everything (import, reset). */
  | { type: 'changed'; tables: string[] }
  | { type: 'role'; role: TabRole };

/** What a follower asks the leader to run (the page's request, minus its page-local id). */
export type ForwardBody =
  | { type: 'call'; request: string; progress: boolean }
  | { type: 'export' }
  | { type: 'import'; bytes: Uint8Array }
  | { type: 'reset'; seed: boolean; request: string | null }
  | { type: 'stats' };

/** Messages between the workers of the tabs, on the BroadcastChannel `channelName(name)`. */
export type TabMessage =
  | { kind: 'hello'; from: string }
  | { kind: 'leader'; from: string; state: OpenState; clock?: string | null }
  | { kind: 'req'; from: string; rid: string; body: ForwardBody }
  | { kind: 'res'; to: string; rid: string; ok: true; result: unknown }
  | { kind: 'res'; to: string; rid: string; ok: false; error: CoreErrorData }
  | { kind: 'progress'; to: string; rid: string; done: number; total: number; phase: string }
  | { kind: 'changed'; from: string; tables: string[] }
  | { kind: 'clock'; from: string; now: string | null };

/** Name of the BroadcastChannel the tabs sharing database `name` talk on. */
export function channelName(name: string): string {
  return `episodes-core:${name}`;
}

/** Name of the Web Lock held by the worker that owns database `name`. */
export function lockName(name: string): string {
  return `episodes-core:${name}`;
}

export const DATABASE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
