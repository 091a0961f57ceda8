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
  | { type: 'call'; id: number; request: string; progress: boolean }
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

export type WorkerMessage =
  | { type: 'done'; id: number; ok: true; result: unknown }
  | { type: 'done'; id: number; ok: false; error: CoreErrorData }
  | { type: 'progress'; id: number; done: number; total: number; phase: string };

/** Name of the Web Lock held by the worker that owns database `name`. */
export function lockName(name: string): string {
  return `episodes-core:${name}`;
}

export const DATABASE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
