// The public types of the typed client (client.ts): operation names, params and results derived
// from the generated `Operations`, principals, call options, the Core object's shape and the
// open options. Types only: nothing here exists at run time.
import type { CoreError, ErrorCode } from './errors';
import type { MemoryStats } from '../../../bindings/js/core.mjs';
import type { Operations, SeedReport } from './types.generated';
import type { OpenState, StorageChoice, StorageKind, StorageTuning, TabRole, WorkerMessage, WorkerRequest } from './protocol';

// ============================================================================================
// Types derived from the generated `Operations`
// ============================================================================================

/** Every operation name ("project.list", "project.memory.add", …). */
export type OperationName = keyof Operations & string;
export type ParamsOf<K extends OperationName> = Operations[K]['params'];
export type ResultOf<K extends OperationName> = Operations[K]['result'];

/** Who a call acts as: a member of the organization. */
export interface Actor {
  organizationId: string;
  userId: string;
}

/**
 * The system principal: the worker and the offline demo (clock.*, queue.claim/complete/…,
 * budget.reserve/settle/release, demo.actors, mock.seed). organizationId selects the tenant of
 * tenant operations. Only the system may send `now` (docs/adr/0010-authorization.md).
 */
export interface SystemActor {
  system: true;
  organizationId?: string;
}

/** Any principal a call may act as. */
export type Principal = Actor | SystemActor;

export type ProgressListener = (progress: { done: number; total: number; phase: string; op: string }) => void;

export interface CallOptions {
  /** Act as someone else (or the system) for this call only. */
  as?: Principal;
  /** The instant the operation should consider "now" (ISO-8601); the system principal only. */
  now?: string;
  /** Progress of long operations (mock.seed, imports). */
  onProgress?: ProgressListener;
}

/** Params are optional when the operation has no required parameter. */
export type CallArgs<K extends OperationName> = {} extends ParamsOf<K>
  ? [params?: ParamsOf<K>, options?: CallOptions]
  : [params: ParamsOf<K>, options?: CallOptions];

export type OperationMethod<K extends OperationName> = (...args: CallArgs<K>) => Promise<ResultOf<K>>;

type FirstSegment<S extends string> = S extends `${infer H}.${string}` ? H : S;
type NamesUnder<P extends string> = OperationName extends infer N ? (N extends `${P}.${infer R}` ? R : never) : never;

/** The node for prefix P: callable when P is an operation, with a property per next segment. */
export type OperationNamespace<P extends string> = (P extends OperationName ? OperationMethod<P> : unknown) & {
  readonly [H in FirstSegment<NamesUnder<P>>]: OperationNamespace<`${P}.${H}`>;
};

/** core.<family>.<…>.<verb>(params) for every operation. */
export type OperationTree = { readonly [H in FirstSegment<OperationName>]: OperationNamespace<H> };

export type CoreStatus = 'ready' | 'broken' | 'closed';

/** A change made by any tab (this one included): the tables written; "*" = everything. */
export interface ChangeEvent {
  tables: string[];
}
export type ChangeListener = (change: ChangeEvent) => void;

/** A call's result with the tables it read and changed (as the core reports them). */
export interface TrackedResult<T = unknown> {
  result: T;
  /** Tables the call read: a view showing this result is stale when one of them changes. */
  reads: string[];
  /** Tables the call wrote ("clock" for a demo clock move). */
  changed: string[];
}

export interface ResetResult {
  /** True when the demo data was generated (mock.seed exists in this build). */
  seeded: boolean;
  /** What mock.seed returned (null when not seeded). */
  seed: ResultOf<'mock.seed'> | null;
  state: OpenState;
}

/** The client's own members (next to the operation families). */
export interface CoreMethods {
  /** "ready"; "broken" when the stored database could not be opened (see openError); "closed". */
  readonly status: CoreStatus;
  /** Why the stored database could not be opened (status "broken"), else null. */
  readonly openError: CoreError | null;
  /** Where the data lives: "opfs" | "idb" (browser), "file" (Node), "memory". */
  readonly storage: StorageKind;
  /** The current actor, or null. */
  readonly actor: Actor | null;
  /** The demo seed's result when opening filled an empty database with it (demoIfEmpty), else null. */
  readonly openSeed: SeedReport | null;
  /** Selects the organization and user that operations act as (null to clear). */
  setActor(actor: Actor | null): void;
  /** Calls an operation by name. */
  call<K extends OperationName>(op: K, ...args: CallArgs<K>): Promise<ResultOf<K>>;
  /** Same as call, also saying which tables the call read and changed (live views). */
  callTracked<K extends OperationName>(op: K, ...args: CallArgs<K>): Promise<TrackedResult<ResultOf<K>>>;
  /** Listens to the progress of every long operation; returns the unsubscribe function. */
  onProgress(listener: ProgressListener): () => void;
  /**
   * Listens to changes made by any tab of this origin (this one included) and by imports and
   * resets; returns the unsubscribe function. Re-run the views whose `reads` meet `tables`.
   */
  onChange(listener: ChangeListener): () => void;
  /** "leader" (this tab runs the database), "follower" (another tab does), "single" (not shared). */
  readonly role: TabRole;
  /** The database as a .sqlite file (the raw stored bytes when status is "broken"). */
  exportDatabase(): Promise<Uint8Array>;
  /**
   * Replaces the database with an exported file after validating it (SQLite, episodes-core
   * application_id, schema not newer, quick_check, opens). On any error nothing changes.
   */
  importDatabase(bytes: Uint8Array | ArrayBuffer): Promise<OpenState>;
  /**
   * Empties the database and fills it with the demo data (mock.seed {size:"demo"}) when this
   * build has mock.seed; otherwise the database is left empty. `size` (default "demo") and
   * `seed` (default DEMO_SEED = 1) go to mock.seed.
   */
  resetToDemo(options?: { size?: string; seed?: number }): Promise<ResetResult>;
  /** wasm allocator statistics (leak checks, diagnostics). */
  memoryStats(): Promise<MemoryStats>;
  /** Closes the database (and terminates the worker). Idempotent; never rejects. */
  close(): Promise<void>;
}

export type Core = Omit<OperationTree, keyof CoreMethods> & CoreMethods;

export interface OpenOptions {
  /** Acting organization and user (see setActor). */
  actor?: Actor | null;
  /** 0 = random ids; a positive integer makes generated ids reproducible. */
  idSeed?: number;
  /** Progress of every long operation. */
  onProgress?: ProgressListener;
  /** "worker" (browser default) or "inprocess" (Node default). */
  mode?: 'worker' | 'inprocess';

  // --- browser (worker) ---
  /** Database name in browser storage ([A-Za-z0-9_-]{1,64}); default "episodes". */
  name?: string;
  /** "auto" (OPFS, else IndexedDB), "opfs", "idb" or "memory" (nothing persisted). */
  storage?: StorageChoice;
  /** URL of episodes_core_web.js; default "/core/episodes_core_web.js". */
  moduleUrl?: string | URL;
  /** URL of episodes_core_web.wasm; default: next to moduleUrl. */
  wasmUrl?: string | URL;
  /** The worker: an instance, a factory, or the URL of the bundled core.worker.ts. */
  worker?: Worker | (() => Worker) | string | URL;
  /**
   * A worker the page started before this client loaded, with its open request already sent
   * (the dashboard's first inline script: web/src/lib/earlyBoot.ts). Adopted when that request
   * is the one these options make (openRequest); if that worker fails to start, a worker of
   * `worker` takes over with the same request.
   */
  started?: StartedWorker | null;
  /**
   * Another tab holds the database: wait at most this many milliseconds (default 3000: a
   * reloading page frees its lock a moment late), "fail" at once, or "wait" indefinitely.
   * Then CoreError "locked".
   */
  lock?: 'fail' | 'wait' | number;
  /**
   * "share" (default unless `lock` is given): every tab works on the database at once (one
   * leader tab runs it, the others forward; see docs/adr/0019-multi-tab-leader-election.md).
   * "exclusive": the old one-tab mode, ruled by `lock`.
   */
  tabs?: 'share' | 'exclusive';
  /** Share mode: a request the leader tab does not answer within this many ms rejects (default 30000). */
  callTimeout?: number;
  /** SQLite journal_mode / synchronous for the storage (defaults are measured; see the ADR). */
  tuning?: StorageTuning;
  /**
   * An empty stored database opens as the demo data (what resetToDemo() makes) when the core's
   * server has the prebuilt copy (web/src/core/demo.ts); `openSeed` is then the seed's result.
   */
  demoIfEmpty?: boolean;

  // --- Node (in-process) ---
  /** Database file (Node), default ":memory:". */
  path?: string;
  /** Node build to load (default: <repo>/build/wasm/bindings/episodes_core_node.mjs). */
  nodeModuleUrl?: string | URL;
}

// ============================================================================================
// Transports
// ============================================================================================

/** A worker started ahead with its open request (OpenOptions.started). */
export interface StartedWorker {
  worker: Worker;
  /** The open request sent to it (openRequest of the same options, id 0). */
  open: Extract<WorkerRequest, { type: 'open' }>;
  /** Its messages so far (the page's client takes them over in this order). */
  messages: WorkerMessage[];
  /** Set when the worker reported an error before it was adopted (it did not start). */
  error: string | null;
}
