// The typed client of episodes-core: `await openCore(options)` -> an object with one typed async
// method per operation (core.project.list(), core.schedule.preview(…), core.project.memory.add(…)),
// acting as the selected organization and user.
//
//   Browser: the core runs in a dedicated Web Worker (core.worker.ts) over durable OPFS storage
//            (IndexedDB as fallback); see README.md in this folder.
//   Node:    the same engine in-process on the Node wasm build, on a real file or ":memory:".
//
// Every failure is a CoreError {code, message, path, issues}. See README.md for the lifetime.
import { CoreError, coreError, ErrorCode, toCoreError } from './errors';
import type { MemoryStats } from '../../../bindings/js/core.mjs';
import { DEMO_PARAMS } from './demo_file.mjs';
import { OPERATION_NAMES } from './types.generated';
import type { Operations, SeedReport } from './types.generated';
import { DATABASE_NAME_PATTERN } from './protocol';
import type { CallAnswer, OpenState, StorageChoice, StorageKind, StorageTuning, TabRole, WorkerMessage, WorkerRequest } from './protocol';

export { CoreError, ErrorCode };
export type { OpenState, StorageChoice, StorageKind, StorageTuning, MemoryStats, TabRole };
export { OPERATION_NAMES, SCHEMA_VERSION } from './types.generated';
export type * from './types.generated';
import type { OperationName, ParamsOf, ResultOf, Actor, SystemActor, Principal, ProgressListener, CallOptions, CallArgs, OperationMethod, OperationNamespace, OperationTree, CoreStatus, ChangeEvent, ChangeListener, TrackedResult, ResetResult, CoreMethods, Core, OpenOptions, StartedWorker } from './client_types';
export type { OperationName, ParamsOf, ResultOf, Actor, SystemActor, Principal, ProgressListener, CallOptions, CallArgs, OperationMethod, OperationNamespace, OperationTree, CoreStatus, ChangeEvent, ChangeListener, TrackedResult, ResetResult, CoreMethods, Core, OpenOptions, StartedWorker } from './client_types';

/**
 * The worker's open request for these options (also built ahead, at build time, for the
 * dashboard's early script). `abs` makes the module URLs absolute (the page's location).
 */
export function openRequest(options: OpenOptions, id: number, abs: (u: string | URL) => string = String): Extract<WorkerRequest, { type: 'open' }> {
  const tabs = options.tabs ?? (options.lock !== undefined ? 'exclusive' : 'share');
  return {
    type: 'open', id,
    moduleUrl: abs(options.moduleUrl ?? '/core/episodes_core_web.js'),
    wasmUrl: options.wasmUrl === undefined ? undefined : abs(options.wasmUrl),
    name: options.name ?? 'episodes',
    storage: options.storage ?? 'auto',
    lock: options.lock ?? 3000,
    tabs,
    callTimeoutMs: options.callTimeout ?? 30_000,
    idSeed: options.idSeed ?? 0,
    tuning: options.tuning,
    demo: options.demoIfEmpty ? requestText('mock.seed', { size: DEMO_PARAMS.size, seed: DEMO_SEED }, { system: true }, undefined) : null,
  };
}

/** The same request, ids and relative URLs aside. */
function sameOpen(a: Extract<WorkerRequest, { type: 'open' }>, b: Extract<WorkerRequest, { type: 'open' }>, abs: (u: string | URL) => string): boolean {
  const norm = (m: typeof a) => JSON.stringify({ ...m, id: 0, moduleUrl: abs(m.moduleUrl), wasmUrl: m.wasmUrl === undefined ? undefined : abs(m.wasmUrl) });
  return norm(a) === norm(b);
}

interface Transport {
  open(): Promise<OpenState>;
  call(request: string, progress: ((done: number, total: number, phase: string) => void) | null): Promise<CallAnswer>;
  exportDb(): Promise<Uint8Array>;
  importDb(bytes: Uint8Array): Promise<OpenState>;
  reset(seedRequest: string | null, progress: (done: number, total: number, phase: string) => void): Promise<{ state: OpenState; seed: unknown }>;
  stats(): Promise<MemoryStats>;
  close(): Promise<void>;
  /** Changes made anywhere (reported by the worker, or by this process's own calls). */
  changes: Set<ChangeListener>;
  role(): TabRole;
}

function emit(listeners: Set<ChangeListener>, tables: string[]): void {
  for (const l of [...listeners]) {
    try { l({ tables: [...tables] }); } catch { /* a listener cannot break the client */ }
  }
}

const isNode = () => typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string' &&
  typeof (globalThis as { window?: unknown }).window === 'undefined';

async function inProcessTransport(options: OpenOptions): Promise<Transport> {
  const [{ loadCore }, { Engine }] = await Promise.all([import('../../../bindings/js/core.mjs'), import('./engine')]);
  const api = await loadCore(options.nodeModuleUrl ? { moduleUrl: options.nodeModuleUrl } : undefined);
  const path = options.path ?? ':memory:';
  if (typeof path !== 'string' || path.length === 0) throw coreError({ code: ErrorCode.badRequest, message: 'path must be a non-empty string', path: ['path'] });
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const engine = new Engine(api, {
    kind: path === ':memory:' ? 'memory' : 'file',
    path,
    tmpDir: (env.TMPDIR || '/tmp').replace(/\/+$/, ''),
    commit: () => Promise.resolve(),
    tuning: options.tuning,
    idSeed: options.idSeed ?? 0,
  });
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => T | Promise<T>): Promise<T> => {
    const p = chain.then(fn, fn);
    chain = p.catch(() => {});
    return p;
  };
  const changes = new Set<ChangeListener>();
  const changed = <T>(tables: string[], value: T): T => {
    if (tables.length) emit(changes, tables);
    return value;
  };
  return {
    open: () => serial(() => engine.open()),
    call: (request, progress) => serial(async () => {
      const out = await engine.callTracked(request, progress);
      const tables = /"op":"clock\.(set|advance|reset)"/.test(request) ? [...out.changed, 'clock'] : out.changed;
      return changed(tables, { result: out.result, reads: out.reads, changed: tables });
    }),
    exportDb: () => serial(() => engine.exportBytes()),
    importDb: (bytes) => serial(async () => changed(['*'], await engine.importBytes(bytes))),
    reset: (seed, progress) => serial(async () => changed(['*'], await engine.reset(seed, progress))),
    stats: () => serial(() => engine.stats()),
    close: () => serial(() => engine.close()),
    changes,
    role: () => 'single',
  };
}

function defaultWorker(): Worker {
  // Bundlers (webpack, Turbopack, Vite) turn this pattern into a worker chunk of core.worker.ts.
  return new Worker(new URL('./core.worker.ts', import.meta.url), { type: 'module', name: 'episodes-core' });
}

function createWorker(option: OpenOptions['worker']): Worker {
  if (option === undefined) return defaultWorker();
  if (typeof option === 'function') return option();
  if (typeof option === 'string' || option instanceof URL) return new Worker(option, { type: 'module', name: 'episodes-core' });
  return option;
}

async function workerTransport(options: OpenOptions): Promise<Transport> {
  const base = (globalThis as { location?: { href: string } }).location?.href;
  const abs = (u: string | URL) => (base ? new URL(String(u), base).href : String(u));
  // A worker started ahead is used when it was sent this very open request (else ended).
  let started = options.started ?? null;
  if (started && (started.error !== null || !sameOpen(started.open, openRequest(options, 0, abs), abs))) {
    started.worker.terminate();
    started = null;
  }
  let worker = started ? started.worker : createWorker(options.worker);
  /** The adopted worker has not answered yet: if it fails to start, a new one takes over. */
  let untested = started !== null;
  let nextId = started ? started.open.id + 1 : 1;
  let dead: CoreError | null = null;
  type Pending = {
    resolve: (v: unknown) => void;
    reject: (e: CoreError) => void;
    progress?: ((d: number, t: number, p: string) => void) | null;
    /** What was sent (re-sent to a new worker after the tab was frozen). */
    msg?: WorkerRequest;
  };
  const pending = new Map<number, Pending>();
  const failAll = (e: CoreError) => {
    dead = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  const changes = new Set<ChangeListener>();
  let role: TabRole = 'single';
  const wire = (w: Worker) => {
    w.onmessage = (ev: MessageEvent<WorkerMessage>) => {
      if (w !== worker) return;  // a worker ended when the tab was frozen
      untested = false;
      const m = ev.data;
      if (m.type === 'changed') {
        emit(changes, m.tables);
        return;
      }
      if (m.type === 'role') {
        role = m.role;
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      if (m.type === 'progress') {
        try { p.progress?.(m.done, m.total, m.phase); } catch { /* a listener must not break the call */ }
        return;
      }
      pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(coreError(m.error));
    };
    w.onerror = (ev: ErrorEvent) => {
      ev.preventDefault?.();
      if (w !== worker) return;
      if (untested && openMsg) {
        // The worker started ahead did not load (its script missing): the usual one takes over.
        untested = false;
        w.terminate();
        worker = createWorker(options.worker);
        wire(worker);
        worker.postMessage(openMsg);
        return;
      }
      failAll(coreError({ code: ErrorCode.internal, message: `the core worker failed: ${ev.message || 'could not start (check the worker URL)'}` }));
    };
    w.onmessageerror = () => {
      if (w === worker) failAll(coreError({ code: ErrorCode.internal, message: 'a message from the core worker could not be read' }));
    };
  };
  wire(worker);
  // What the started worker said before this client was there, in order.
  const early = started ? started.messages.splice(0) : [];
  const replayEarly = () => {
    for (const data of early) worker.onmessage?.(new MessageEvent('message', { data }));
    early.length = 0;
  };
  const send = <T>(msg: WorkerRequest, progress?: ((d: number, t: number, p: string) => void) | null, transfer: Transferable[] = []): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (dead) return reject(dead);
      pending.set(msg.id, { resolve: resolve as (v: unknown) => void, reject, progress, msg });
      try {
        worker.postMessage(msg, transfer);
      } catch (e) {
        pending.delete(msg.id);
        reject(toCoreError(e, ErrorCode.badRequest));
      }
    });
  const id = () => nextId++;
  let terminated = false;

  // Shared tabs (docs/adr/0019-multi-tab-leader-election.md): a tab the browser freezes (or puts in
  // the back/forward cache) would keep its Web Lock and its OPFS handles while it sleeps, and no
  // other tab could take over. So it steps down first: its worker ends (the lock and the handles
  // go with it; a transaction in flight rolls back, one committed has its answer recorded under
  // its rid), and on resume a new worker joins as a follower and re-sends the unanswered calls
  // with the same rids, so a write is never lost nor applied twice.
  const pageId = typeof crypto?.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const tabs = options.tabs ?? (options.lock !== undefined ? 'exclusive' : 'share');
  const sharing = tabs === 'share' && (options.storage ?? 'auto') !== 'memory';
  const restartable = sharing && typeof document !== 'undefined' && (options.worker === undefined || typeof options.worker !== 'object' || options.worker instanceof URL);
  let openMsg: Extract<WorkerRequest, { type: 'open' }> | null = null;
  let frozen = false;
  const stepDown = () => {
    if (frozen || terminated || dead || !openMsg) return;
    frozen = true;
    worker.terminate();
    role = 'follower';
  };
  const rejoin = () => {
    if (!frozen || terminated || dead || !openMsg) return;
    frozen = false;
    const waiting = [...pending.entries()];
    worker = createWorker(options.worker);
    wire(worker);
    // Open first (the worker runs its requests in order): the page's own open if it was still
    // waiting, else a new one whose failure fails the client.
    if (!waiting.some(([, p]) => p.msg?.type === 'open')) {
      const reopen = { ...openMsg, id: id() };
      pending.set(reopen.id, { resolve: () => {}, reject: (e) => failAll(e) });
      worker.postMessage(reopen);
    }
    for (const [key, p] of waiting) {
      const msg = p.msg;
      if (msg && (msg.type === 'open' || msg.type === 'call' || msg.type === 'export' || msg.type === 'stats')) {
        worker.postMessage(msg);
      } else {
        // An import's bytes went to the old worker; a reset may or may not have run: the caller decides.
        pending.delete(key);
        p.reject(coreError({ code: ErrorCode.locked, message: 'this tab was frozen by the browser while the database was being replaced; check the data and try again' }));
      }
    }
  };
  const onPageHide = (ev: PageTransitionEvent) => { if (ev.persisted) stepDown(); };
  const onPageShow = (ev: PageTransitionEvent) => { if (ev.persisted) rejoin(); };
  if (restartable) {
    document.addEventListener('freeze', stepDown);
    document.addEventListener('resume', rejoin);
    window.addEventListener('pagehide', onPageHide);
    window.addEventListener('pageshow', onPageShow);
  }
  const unlisten = () => {
    if (!restartable) return;
    document.removeEventListener('freeze', stepDown);
    document.removeEventListener('resume', rejoin);
    window.removeEventListener('pagehide', onPageHide);
    window.removeEventListener('pageshow', onPageShow);
  };
  return {
    open: () => {
      if (started) {
        // Already sent by the page's early script: wait for its answer (maybe received already).
        openMsg = started.open;
        const msg = openMsg;
        started = null;
        const answer = new Promise<OpenState>((resolve, reject) => {
          pending.set(msg.id, { resolve: resolve as (v: unknown) => void, reject, msg });
        });
        replayEarly();
        return answer;
      }
      openMsg = openRequest(options, id(), abs);
      return send<OpenState>(openMsg);
    },
    call: (request, progress) => {
      const n = id();
      return send<CallAnswer>({ type: 'call', id: n, request, progress: Boolean(progress), ...(sharing ? { rid: `${pageId}:${n}` } : {}) }, progress);
    },
    exportDb: () => send<Uint8Array>({ type: 'export', id: id() }),
    importDb: (bytes) => send<OpenState>({ type: 'import', id: id(), bytes }),
    reset: (request, progress) => send({ type: 'reset', id: id(), seed: request !== null, request }, progress),
    stats: () => send<MemoryStats>({ type: 'stats', id: id() }),
    close: async () => {
      if (terminated) return;
      unlisten();
      try {
        if (!dead && !frozen) await send({ type: 'close', id: id() });
      } finally {
        terminated = true;
        worker.terminate();
        failAll(coreError({ code: ErrorCode.closed, message: 'the client is closed' }));
        changes.clear();
      }
    },
    changes,
    role: () => role,
  };
}

// ============================================================================================
// The client
// ============================================================================================

/** mock.seed's seed used by resetToDemo() unless another is given (web/src/core/demo_file.mjs). */
export const DEMO_SEED = DEMO_PARAMS.seed;

const RESERVED = new Set(['status', 'openError', 'storage', 'actor', 'openSeed', 'setActor', 'call', 'callTracked', 'onProgress', 'onChange', 'role', 'exportDatabase',
  'importDatabase', 'resetToDemo', 'memoryStats', 'close', 'then']);

function checkPrincipal(p: unknown): Principal | null {
  const s = p as SystemActor | null | undefined;
  if (s && typeof s === 'object' && 'system' in s) {
    if (s.system !== true || (s.organizationId !== undefined && typeof s.organizationId !== 'string')) {
      throw coreError({ code: ErrorCode.badRequest, message: 'the system is {system: true, organizationId?: string}', path: ['as'] });
    }
    return s.organizationId === undefined ? { system: true } : { system: true, organizationId: s.organizationId };
  }
  return checkActor(p);
}

function checkActor(actor: unknown): Actor | null {
  if (actor === null || actor === undefined) return null;
  const a = actor as Actor;
  if (typeof a !== 'object' || typeof a.organizationId !== 'string' || typeof a.userId !== 'string') {
    throw coreError({ code: ErrorCode.badRequest, message: 'an actor is {organizationId: string, userId: string}', path: ['as'] });
  }
  return { organizationId: a.organizationId, userId: a.userId };
}

/** JSON text of one core request; values JSON cannot carry become CoreError bad_request. */
function requestText(op: unknown, params: unknown, as: Principal | null, now: unknown): string {
  if (typeof op !== 'string') throw coreError({ code: ErrorCode.badRequest, message: `the operation name must be a string, got ${op === null ? 'null' : typeof op}`, path: ['op'] });
  if (now !== undefined && typeof now !== 'string') throw coreError({ code: ErrorCode.badRequest, message: '"now" must be an ISO-8601 string', path: ['now'] });
  if (params !== undefined && (params === null || typeof params !== 'object' || Array.isArray(params))) {
    throw coreError({ code: ErrorCode.badRequest, message: `params must be an object, got ${params === null ? 'null' : Array.isArray(params) ? 'an array' : typeof params}`, path: ['params'] });
  }
  const request: Record<string, unknown> = { op, params: params ?? {} };
  if (as) request.as = as;
  if (now !== undefined) request.now = now;
  try {
    return JSON.stringify(request);
  } catch (e) {
    throw coreError({ code: ErrorCode.badRequest, message: `params cannot be sent as JSON: ${(e as Error)?.message ?? e}`, path: ['params'] }, e);
  }
}

/** The actor a demo seed result names, if any ({organization, owner} or {organizationId, userId}). */
function actorFromSeed(seed: unknown): Actor | null {
  const s = seed as Record<string, any> | null;
  if (!s || typeof s !== 'object') return null;
  const org = s.organizationId ?? s.organization?.id ?? s.organizations?.[0]?.id ?? s.actor?.organizationId;
  const user = s.userId ?? s.owner?.id ?? s.user?.id ?? s.actor?.userId;
  return typeof org === 'string' && typeof user === 'string' ? { organizationId: org, userId: user } : null;
}

/** Opens the core (Node: in-process; browser: in a worker). See OpenOptions and README.md. */
export async function openCore(options: OpenOptions = {}): Promise<Core> {
  if (options === null || typeof options !== 'object') throw coreError({ code: ErrorCode.badRequest, message: 'options must be an object' });
  let actor = checkActor(options.actor);
  const listeners = new Set<ProgressListener>();
  if (options.onProgress) {
    if (typeof options.onProgress !== 'function') throw coreError({ code: ErrorCode.badRequest, message: 'onProgress must be a function', path: ['onProgress'] });
    listeners.add(options.onProgress);
  }
  const idSeed = options.idSeed ?? 0;
  if (typeof idSeed !== 'number' || !Number.isSafeInteger(idSeed) || idSeed < 0) {
    throw coreError({ code: ErrorCode.badRequest, message: 'idSeed must be an integer in [0, 2^53)', path: ['idSeed'] });
  }
  if (options.name !== undefined && (typeof options.name !== 'string' || !DATABASE_NAME_PATTERN.test(options.name))) {
    throw coreError({ code: ErrorCode.badRequest, message: 'name must match [A-Za-z0-9_-]{1,64}', path: ['name'] });
  }
  const mode = options.mode ?? (isNode() ? 'inprocess' : 'worker');
  if (mode !== 'inprocess' && mode !== 'worker') throw coreError({ code: ErrorCode.badRequest, message: 'mode must be "worker" or "inprocess"', path: ['mode'] });
  let transport: Transport;
  try {
    transport = mode === 'inprocess' ? await inProcessTransport(options) : await workerTransport(options);
  } catch (e) {
    throw toCoreError(e);
  }
  let state: OpenState;
  try {
    state = await transport.open();
  } catch (e) {
    await transport.close().catch(() => {});
    throw toCoreError(e);
  }
  let closed = false;
  const openSeed = (state.seed ?? null) as SeedReport | null; // the worker's seed result (mock.seed's SeedReport)
  const stateError = () => (state.error ? coreError(state.error) : null);
  let openError = stateError();

  const progressFor = (op: string, extra?: ProgressListener) => {
    if (listeners.size === 0 && !extra) return null;
    return (done: number, total: number, phase: string) => {
      const event = { done, total, phase, op };
      for (const l of [...listeners, ...(extra ? [extra] : [])]) {
        try { l(event); } catch { /* listeners cannot break calls */ }
      }
    };
  };

  const run = async (op: unknown, params: unknown, options: CallOptions | undefined): Promise<unknown> =>
    (await runTracked(op, params, options)).result;

  const runTracked = async (op: unknown, params: unknown, options: CallOptions | undefined): Promise<CallAnswer> => {
    if (closed) throw coreError({ code: ErrorCode.closed, message: 'the client is closed' });
    if (options !== undefined && (options === null || typeof options !== 'object')) throw coreError({ code: ErrorCode.badRequest, message: 'call options must be an object' });
    const as = options?.as !== undefined ? checkPrincipal(options.as) : actor;
    if (options?.onProgress !== undefined && typeof options.onProgress !== 'function') throw coreError({ code: ErrorCode.badRequest, message: 'onProgress must be a function' });
    const text = requestText(op, params, as, options?.now);
    try {
      return await transport.call(text, progressFor(String(op), options?.onProgress));
    } catch (e) {
      throw toCoreError(e);
    }
  };

  const methods: CoreMethods = {
    get status() { return closed ? 'closed' : state.status; },
    get openError() { return openError; },
    get storage() { return state.storage; },
    get actor() { return actor ? { ...actor } : null; },
    get openSeed() { return openSeed; },
    setActor(next) { actor = checkActor(next); },
    call(op, ...args) {
      return run(op, args[0], args[1]) as Promise<never>;
    },
    callTracked(op, ...args) {
      return runTracked(op, args[0], args[1]) as Promise<never>;
    },
    get role() { return transport.role(); },
    onChange(listener) {
      if (typeof listener !== 'function') throw coreError({ code: ErrorCode.badRequest, message: 'onChange needs a function' });
      transport.changes.add(listener);
      return () => { transport.changes.delete(listener); };
    },
    onProgress(listener) {
      if (typeof listener !== 'function') throw coreError({ code: ErrorCode.badRequest, message: 'onProgress needs a function' });
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
    async exportDatabase() {
      if (closed) throw coreError({ code: ErrorCode.closed, message: 'the client is closed' });
      try { return await transport.exportDb(); } catch (e) { throw toCoreError(e); }
    },
    async importDatabase(bytes) {
      if (closed) throw coreError({ code: ErrorCode.closed, message: 'the client is closed' });
      const u8 = bytes instanceof Uint8Array ? bytes : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : null;
      if (!u8) throw coreError({ code: ErrorCode.badRequest, message: 'importDatabase needs a Uint8Array or an ArrayBuffer' });
      try {
        state = await transport.importDb(u8);
      } catch (e) {
        throw toCoreError(e);
      }
      openError = stateError();
      return state;
    },
    async resetToDemo(options) {
      if (closed) throw coreError({ code: ErrorCode.closed, message: 'the client is closed' });
      if (options !== undefined && (options === null || typeof options !== 'object')) throw coreError({ code: ErrorCode.badRequest, message: 'resetToDemo options must be an object' });
      const seeded = (OPERATION_NAMES as readonly string[]).includes('mock.seed');
      // The demo is deterministic: the same seed gives the same data after every reset.
      const params: Record<string, unknown> = { size: options?.size ?? DEMO_PARAMS.size, seed: options?.seed ?? DEMO_SEED };
      const request = seeded ? requestText('mock.seed', params, { system: true }, undefined) : null;
      let out: { state: OpenState; seed: unknown };
      try {
        out = await transport.reset(request, progressFor('mock.seed') ?? (() => {}));
      } catch (e) {
        throw toCoreError(e);
      }
      state = out.state;
      openError = stateError();
      actor = actorFromSeed(out.seed);  // the old ids are gone with the old data
      return { seeded, seed: out.seed as ResultOf<'mock.seed'> | null, state };
    },
    async memoryStats() {
      if (closed) throw coreError({ code: ErrorCode.closed, message: 'the client is closed' });
      try { return await transport.stats(); } catch (e) { throw toCoreError(e); }
    },
    async close() {
      if (closed) return;
      closed = true;
      try { await transport.close(); } catch { /* close never rejects */ }
    },
  };

  const core = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(Object.getOwnPropertyDescriptors(methods))) {
    Object.defineProperty(core, key, { ...Object.getOwnPropertyDescriptor(methods, key)!, enumerable: true });
  }
  // One method per operation, nested on the dots of its name.
  for (const name of OPERATION_NAMES as readonly string[]) {
    const parts = name.split('.');
    if (RESERVED.has(parts[0])) continue;
    const method = (params?: unknown, options?: CallOptions) => run(name, params, options);
    let node = core;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      const last = i === parts.length - 1;
      const existing = node[part] as Record<string, unknown> | undefined;
      if (last) {
        // A name that is also a prefix (an op "a.b" next to "a.b.c") keeps its children.
        node[part] = existing ? Object.assign(method, existing) : method;
      } else {
        if (existing === undefined) node[part] = {};
        node = node[part] as Record<string, unknown>;
      }
    }
  }
  return Object.freeze(core) as unknown as Core;
}
