// The dedicated worker that owns the wasm module and the database in the browser. Started by
// client.ts (openCore); speaks protocol.ts with its page. One request runs at a time, in arrival
// order.
//
// Storage: OPFS sync access handles (or IndexedDB chunks) mounted at /db among the module's
// files (Module.ECVFS, under the browser builds' own SQLite VFS; see persistence.ts,
// docs/adr/0007-browser-storage.md and docs/adr/0034-browser-vfs.md).
//
// Several tabs (docs/adr/0019-multi-tab-leader-election.md): every tab has one of these workers. The
// worker holding the Web Lock "episodes-core:<name>" (the leader, for its tab's life) opens the
// database; the others (followers) forward their page's requests on the BroadcastChannel
// "episodes-core:<name>" and wait in the lock queue. When the leader's tab closes its lock is
// released, the first follower in the queue opens the same OPFS file and announces itself; every
// follower then re-sends the requests it has no answer for. Each forwarded request has an id
// (`<worker uuid>:<n>`) that the core records with a write's answer in the write's own
// transaction (`requestId`), so a write the old leader committed before dying is answered from
// that record, never applied twice; unanswered reads simply run again.
import { fromFactory } from '../../../bindings/js/core.mjs';
import type { CoreModule } from '../../../bindings/js/core.mjs';
import { fetchDemoManifest, prebuiltSeed } from './demo';
import { Engine } from './engine';
import { coreError, errorData, ErrorCode } from './errors';
import { openBrowserStorage } from './persistence';
import type { BrowserStorage } from './persistence';
import { channelName, DATABASE_NAME_PATTERN, lockName } from './protocol';
import type { CallAnswer, ForwardBody, OpenRequest, OpenState, StorageTuning, TabMessage, TabRole, WorkerMessage, WorkerRequest } from './protocol';

interface WorkerScope {
  onmessage: ((ev: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  navigator: Navigator;
}
const scope = globalThis as unknown as WorkerScope;

const MOUNT = '/db';
/** This worker's id among the tabs. */
const SELF = typeof crypto?.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;

// Start-up timeline (User Timing marks "ec:*", read by web/e2e/perf.spec.ts); costs nothing else.
const mark = (name: string) => {
  try { performance.mark(`ec:${name}`); } catch { /* no User Timing */ }
};
mark('worker-start');

let api: CoreModule | null = null;
let engine: Engine | null = null;
let storage: BrowserStorage | null = null;
let releaseLock: (() => void) | null = null;
let queue: Promise<void> = Promise.resolve();
let demoManifest: ReturnType<typeof fetchDemoManifest> = Promise.resolve(null);

// --- sharing state ---
let openMsg: OpenRequest | null = null;
let role: TabRole = 'single';
let channel: BroadcastChannel | null = null;
let leaderState: OpenState | null = null;
let stopWaiting: (() => void) | null = null;
let closing = false;
let forwardCounter = 0;
/** This page's requests sent to the leader and not answered yet, by request id. */
const forwarded = new Map<string, { id: number; body: ForwardBody; timer: ReturnType<typeof setTimeout> | undefined }>();
/** Leader: forwarded request ids queued or running (a re-sent copy is dropped meanwhile). */
const running = new Set<string>();
/** The demo clock the tabs last set (it lives in the core's memory, so a new leader re-applies it). */
let lastClock: string | null | undefined;

scope.onmessage = (ev) => {
  const msg = ev.data;
  if (role === 'follower' && isForwardable(msg)) {
    forward(msg);
    return;
  }
  enqueue(() => handle(msg));
};

function enqueue(fn: () => Promise<void>): void {
  queue = queue.then(fn, fn);
}

async function handle(msg: WorkerRequest): Promise<void> {
  if (role === 'follower' && isForwardable(msg)) {
    forward(msg);  // became a follower while this waited in the queue (open resolved as one)
    return;
  }
  try {
    const [result, transfer] = await dispatch(msg);
    scope.postMessage({ type: 'done', id: msg.id, ok: true, result }, transfer);
  } catch (e) {
    scope.postMessage({ type: 'done', id: msg?.id ?? -1, ok: false, error: errorData(e) });
  }
}

function isForwardable(msg: WorkerRequest): msg is Exclude<WorkerRequest, { type: 'open' } | { type: 'close' }> {
  return msg.type !== 'open' && msg.type !== 'close';
}

function needEngine(): Engine {
  if (!engine) throw coreError({ code: ErrorCode.closed, message: 'the database is not open' });
  return engine;
}

function progressFor(id: number) {
  return (done: number, total: number, phase: string) => scope.postMessage({ type: 'progress', id, done, total, phase });
}

async function dispatch(msg: WorkerRequest): Promise<[unknown, Transferable[]]> {
  switch (msg.type) {
    case 'open':
      return [await open(msg), []];
    case 'close':
      close();
      return [null, []];
    default:
      // A page's own write carries its rid too: re-sent after the tab was frozen, it is answered
      // from the core's record instead of running twice.
      return run(msg, msg.type === 'call' ? msg.rid ?? null : null, progressFor(msg.id));
  }
}

/**
 * Runs a page's (or a follower's) request on the open engine; announces what changed to every
 * tab. `requestId` (forwarded requests) makes writes idempotent across a change of leader.
 */
async function run(body: ForwardBody, requestId: string | null, progress: ((d: number, t: number, p: string) => void) | null): Promise<[unknown, Transferable[]]> {
  const e = needEngine();
  switch (body.type) {
    case 'call': {
      const out = await e.callTracked(body.request, body.progress ? progress : null, requestId ?? undefined);
      const clock = /"op":"clock\.(set|advance|reset)"/.test(body.request);
      if (clock) await noteClock(e);
      const changed = clock ? [...out.changed, 'clock'] : out.changed;
      if (changed.length) announceChanged(changed);
      const answer: CallAnswer = { result: out.result, reads: out.reads, changed };
      return [answer, []];
    }
    case 'export': {
      const bytes = e.exportBytes();
      return [bytes, [bytes.buffer]];
    }
    case 'import': {
      const state = await e.importBytes(body.bytes);
      announceChanged(['*']);
      return [state, []];
    }
    case 'reset': {
      const request = body.seed ? body.request : null;
      mark('reset');
      const prebuilt = await prebuiltSeed(await demoManifest, request, e.schemaVersion());
      mark(prebuilt ? 'demo-fetched' : 'demo-generate');
      const out = await e.reset(prebuilt ? null : request, progress ?? (() => {}), prebuilt);
      mark('reset-done');
      lastClock = null;
      announceChanged(['*']);
      return [out, []];
    }
    case 'stats':
      return [e.stats(), []];
    default:
      throw coreError({ code: ErrorCode.badRequest, message: `unknown worker request ${(body as { type?: unknown })?.type}` });
  }
}

/** Leader: remembers the demo clock after a clock operation and tells the other tabs. */
async function noteClock(e: Engine): Promise<void> {
  try {
    const state = (await e.call('{"op":"clock.get","as":{"system":true}}')) as { now?: string; fixed?: boolean } | null;
    lastClock = state?.fixed && typeof state.now === 'string' ? state.now : null;
    post({ kind: 'clock', from: SELF, now: lastClock });
  } catch { /* a core without a demo clock */ }
}

function announceChanged(tables: string[]): void {
  scope.postMessage({ type: 'changed', tables });
  post({ kind: 'changed', from: SELF, tables });
}

function post(m: TabMessage): void {
  try { channel?.postMessage(m); } catch { /* closed */ }
}

// ---------------------------------------------------------------------------------------------
// Followers
// ---------------------------------------------------------------------------------------------

function forward(msg: Exclude<WorkerRequest, { type: 'open' } | { type: 'close' }>): void {
  forwardCounter += 1;
  const rid = (msg.type === 'call' ? msg.rid : undefined) ?? `${SELF}:${forwardCounter}`;
  const body: ForwardBody = msg.type === 'call' ? { type: 'call', request: msg.request, progress: msg.progress }
    : msg.type === 'import' ? { type: 'import', bytes: msg.bytes }
    : msg.type === 'reset' ? { type: 'reset', seed: msg.seed, request: msg.request }
    : { type: msg.type };
  const entry = { id: msg.id, body, timer: undefined as ReturnType<typeof setTimeout> | undefined };
  forwarded.set(rid, entry);
  armTimer(rid);
  post({ kind: 'req', from: SELF, rid, body });
}

function armTimer(rid: string): void {
  const entry = forwarded.get(rid);
  if (!entry || !openMsg) return;
  clearTimeout(entry.timer);
  const ms = openMsg.callTimeoutMs;
  entry.timer = setTimeout(() => {
    if (!forwarded.delete(rid)) return;
    scope.postMessage({
      type: 'done', id: entry.id, ok: false,
      error: errorData(coreError({
        code: ErrorCode.locked,
        message: `the tab that runs the database did not answer within ${Math.round(ms / 1000)} s (it may be frozen in the background or busy); ` +
          'if this was a change, it may still be applied when that tab wakes up',
      })),
    });
  }, ms);
}

function resendAll(): void {
  for (const [rid, entry] of forwarded) {
    armTimer(rid);
    post({ kind: 'req', from: SELF, rid, body: entry.body });
  }
}

function onTab(ev: MessageEvent<TabMessage>): void {
  const m = ev.data;
  if (!m || typeof m !== 'object' || closing) return;
  switch (m.kind) {
    case 'hello':
      if (role === 'leader' && engine) post({ kind: 'leader', from: SELF, state: engine.state(), clock: lastClock });
      return;
    case 'leader':
      if (m.from === SELF) return;
      leaderState = m.state;
      if (m.clock !== undefined) lastClock = m.clock;
      leaderWaiters.forEach((w) => w(m.state));
      leaderWaiters.clear();
      if (role === 'follower') resendAll();
      return;
    case 'req':
      if (role !== 'leader' || running.has(m.rid)) return;
      running.add(m.rid);
      enqueue(async () => {
        const progress = m.body.type === 'call' && !m.body.progress ? null
          : (done: number, total: number, phase: string) => post({ kind: 'progress', to: m.from, rid: m.rid, done, total, phase });
        try {
          const [result] = await run(m.body, m.rid, progress);
          post({ kind: 'res', to: m.from, rid: m.rid, ok: true, result });
        } catch (e) {
          post({ kind: 'res', to: m.from, rid: m.rid, ok: false, error: errorData(e) });
        } finally {
          running.delete(m.rid);
        }
      });
      return;
    case 'res': {
      // By rid alone (unique): a call re-sent by a new worker after its tab was frozen is answered
      // here even when the leader answers the copy the old worker sent.
      const entry = forwarded.get(m.rid);
      if (!entry) return;
      forwarded.delete(m.rid);
      clearTimeout(entry.timer);
      if (m.ok) scope.postMessage({ type: 'done', id: entry.id, ok: true, result: m.result });
      else scope.postMessage({ type: 'done', id: entry.id, ok: false, error: m.error });
      return;
    }
    case 'progress': {
      const entry = forwarded.get(m.rid);
      if (!entry) return;
      armTimer(m.rid);  // a long operation that reports progress is alive
      scope.postMessage({ type: 'progress', id: entry.id, done: m.done, total: m.total, phase: m.phase });
      return;
    }
    case 'changed':
      if (m.from !== SELF) scope.postMessage({ type: 'changed', tables: m.tables });
      return;
    case 'clock':
      if (m.from !== SELF) lastClock = m.now;
      return;
  }
}

const leaderWaiters = new Set<(s: OpenState) => void>();

// ---------------------------------------------------------------------------------------------
// Opening: exclusive (one tab) or shared (leader election)
// ---------------------------------------------------------------------------------------------

function acquireLock(name: string, mode: 'fail' | 'wait' | number): Promise<() => void> {
  const locks = scope.navigator?.locks;
  if (!locks) return Promise.resolve(() => {});  // no Web Locks: OPFS handles are still exclusive
  const locked = () => coreError({
    code: ErrorCode.locked,
    message: `the database "${name}" is open in another tab or window; close it there or use that tab`,
  });
  return new Promise((resolve, reject) => {
    const options: LockOptions = {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (mode === 'fail') {
      options.ifAvailable = true;
    } else if (typeof mode === 'number') {
      const abort = new AbortController();
      options.signal = abort.signal;
      timer = setTimeout(() => abort.abort(), Math.max(0, mode));
    }
    locks.request(lockName(name), options, (lock) => {
      clearTimeout(timer);
      if (!lock) {
        reject(locked());
        return undefined;
      }
      return new Promise<void>((release) => resolve(() => release()));
    }).catch((e: unknown) => {
      clearTimeout(timer);
      reject((e as DOMException)?.name === 'AbortError' ? locked() : e);
    });
  });
}

const DEFAULT_TUNING: Record<string, StorageTuning> = {
  // Measured in bench/browser (docs/BENCHMARKS.md): see docs/adr/0007-browser-storage.md.
  opfs: { journalMode: 'TRUNCATE', synchronous: 'FULL' },
  // The IndexedDB transaction after each call is the atomic unit; SQLite needs no file journal.
  idb: { journalMode: 'MEMORY', synchronous: 'OFF' },
  memory: {},
};

async function open(msg: OpenRequest): Promise<OpenState> {
  if (engine || openMsg) throw coreError({ code: ErrorCode.badRequest, message: 'this worker already has an open database' });
  if (typeof msg.name !== 'string' || !DATABASE_NAME_PATTERN.test(msg.name)) {
    throw coreError({ code: ErrorCode.badRequest, message: 'name must match [A-Za-z0-9_-]{1,64}', path: ['name'] });
  }
  const persistent = msg.storage !== 'memory';
  const share = persistent && msg.tabs !== 'exclusive' && !!scope.navigator?.locks && typeof BroadcastChannel === 'function';
  if (!share) {
    if (persistent) releaseLock = await acquireLock(msg.name, msg.lock);
    openMsg = msg;
    try {
      return await startEngine(msg);
    } catch (e) {
      close();
      throw e;
    }
  }
  openMsg = msg;
  return openShared(msg);
}

let moduleLoad: Promise<CoreModule> | null = null;
let mockLoad: Promise<CoreModule> | null = null;

const coreModuleUrl = (msg: OpenRequest) => new URL(msg.moduleUrl, (globalThis as unknown as { location: { href: string } }).location.href).href;

/** Loads the wasm module once (a follower loads it ahead, so taking over costs only the open). */
function loadModule(msg: OpenRequest): Promise<CoreModule> {
  moduleLoad ??= (async () => {
    const moduleUrl = coreModuleUrl(msg);
    demoManifest = fetchDemoManifest(moduleUrl);  // small; read only if the first visit seeds
    const wasmUrl = msg.wasmUrl ? new URL(msg.wasmUrl, moduleUrl).href : moduleUrl.replace(/\.m?js(\?.*)?$/, '.wasm');
    return instantiate(moduleUrl, wasmUrl, 'core');
  })();
  moduleLoad.catch(() => { moduleLoad = null; });
  return moduleLoad;
}

/**
 * The mock data module (episodes_core_mock.js/.wasm next to the core module), loaded on the first
 * mock.seed the prebuilt demo file does not serve: the browser core has no generator (engine.ts).
 */
async function loadMockModule(msg: OpenRequest): Promise<CoreModule> {
  const loaded = mockLoad ? await mockLoad.catch(() => null) : null;
  if (loaded && !loaded.isDead) return loaded;
  // First time, or the last one aborted (e.g. out of memory in a large seed): a new instance.
  const p = (async () => {
    mark('mock-module-load');
    const moduleUrl = new URL('episodes_core_mock.js', coreModuleUrl(msg)).href;
    return instantiate(moduleUrl, moduleUrl.replace(/\.js$/, '.wasm'), 'mock data');
  })();
  mockLoad = p;
  p.catch(() => { if (mockLoad === p) mockLoad = null; });
  return p;
}

const GZ = /\.gz(\?.*)?$/;

/**
 * The wasm as a streamed Response for compileStreaming. A `.gz` URL (the dashboard's: a file
 * compressed at build time, so the server does not gzip it per request) is decompressed as it
 * arrives; anything failing rejects, and the glue then loads the plain file itself.
 */
async function wasmResponse(url: string): Promise<Response> {
  const r = await fetch(url, { credentials: 'same-origin' });
  if (!GZ.test(url)) return r;
  if (!r.ok || !r.body || typeof DecompressionStream !== 'function') throw new Error(`cannot stream ${url}`);
  return new Response(r.body.pipeThrough(new DecompressionStream('gzip')), { headers: { 'Content-Type': 'application/wasm' } });
}

/** Instantiates one Emscripten module: the wasm compiles while it downloads (streaming). */
function instantiate(moduleUrl: string, wasmUrl: string, what: string): Promise<CoreModule> {
  return (async () => {
    // The wasm downloads and compiles (streaming) while the glue loads, not after it.
    const compiling = typeof WebAssembly.compileStreaming === 'function'
      ? WebAssembly.compileStreaming(wasmResponse(wasmUrl)).catch(() => null)
      : Promise.resolve(null);
    // The glue's own loading (the fallback) reads the plain file next to a `.gz` one.
    const plainWasmUrl = wasmUrl.replace(GZ, '$1');
    let factory: (arg: object) => Promise<unknown>;
    try {
      factory = (await import(/* webpackIgnore: true */ /* @vite-ignore */ moduleUrl)).default;
    } catch (e) {
      throw coreError({ code: ErrorCode.io, message: `cannot load the ${what} module from ${moduleUrl}: ${(e as Error)?.message ?? e}` }, e);
    }
    if (what === 'core') mark('glue-loaded');
    const locateFile = (file: string) => (file.endsWith('.wasm') ? plainWasmUrl : new URL(file, moduleUrl).href);
    const plain = () => fromFactory(factory, { locateFile });
    const compiled = await compiling;
    if (!compiled) return plain();
    if (what === 'core') mark('wasm-compiled');
    // Instantiated through Emscripten's instantiateWasm hook (return {}, hand the instance over
    // when ready). If that fails, the glue loads the wasm itself as before.
    let failed: (e: unknown) => void = () => {};
    const failure = new Promise<never>((_, reject) => { failed = reject; });
    try {
      return await Promise.race([
        fromFactory(factory, {
          locateFile,
          instantiateWasm: (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
            WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled), failed);
            return {};
          },
        }),
        failure,
      ]);
    } catch {
      return plain();
    }
  })();
}

/**
 * Loads the module and opens the storage and the database (this worker is the only owner). The
 * stored files open, and on a first visit the prebuilt demo downloads, while the wasm compiles:
 * both are independent of the module.
 */
async function startEngine(msg: OpenRequest): Promise<OpenState> {
  const persistent = msg.storage !== 'memory';
  const moduleP = loadModule(msg);  // sets demoManifest synchronously
  const storageP = persistent ? openStorageRetrying(msg) : null;
  storageP?.catch(() => {});
  // An empty stored database asked to start as the demo gets the prebuilt file (demo.ts).
  const demoP = storageP && msg.demo
    ? storageP.then(async (s) => {
      const file = s.files[s.dbFile];
      return file && file.size() === 0 ? prebuiltSeed(await demoManifest, msg.demo ?? null, null) : null;
    }).catch(() => null)
    : Promise.resolve(null);
  try {
    api = await moduleP;
    mark('wasm-ready');
    let path = ':memory:';
    if (storageP) {
      storage = await storageP;
      api.files.mount(MOUNT, storage.files);
      path = `${MOUNT}/${storage.dbFile}`;
      mark('storage-open');
    }
    const kind = storage?.kind ?? 'memory';
    engine = new Engine(api, {
      kind,
      path,
      tmpDir: '/tmp',
      commit: () => storage?.commit() ?? Promise.resolve(),
      tuning: { ...DEFAULT_TUNING[kind], ...msg.tuning },
      idSeed: msg.idSeed,
      loadMockModule: () => loadMockModule(msg),
      // The mock module seeds the stored files in place (the engine closes its own connection
      // meanwhile): the same store file objects, mounted among that module's files.
      mountIn: (m) => {
        const s = storage;
        const release = s ? m.files.mount(MOUNT, s.files) : null;
        return s && release ? { path: `${MOUNT}/${s.dbFile}`, release } : null;
      },
    });
    // Written as is (no schema creation, no generator) when it is for this module's schema;
    // anything missing or wrong opens the empty database as before.
    let prebuilt = await demoP;
    if (prebuilt && prebuilt.schemaVersion !== api.version().schemaVersion) prebuilt = null;
    let state: OpenState;
    if (prebuilt) {
      const out = await engine.reset(null, null, prebuilt);
      state = out.seed ? { ...out.state, seed: out.seed } : out.state;
      mark('demo-opened');
    } else {
      state = engine.open();
    }
    mark('db-open');
    return state;
  } catch (e) {
    if (!storage && storageP) storage = await storageP.catch(() => null);
    throw e;
  }
}

/**
 * OPFS sync access handles are exclusive: a leader that just died may still hold them for a
 * moment after its lock is released. Retry for a while before giving up.
 */
async function openStorageRetrying(msg: OpenRequest): Promise<BrowserStorage> {
  const choice = msg.storage === 'idb' ? 'idb' : msg.storage === 'opfs' ? 'opfs' : 'auto';
  const until = Date.now() + 10_000;
  for (;;) {
    try {
      return await openBrowserStorage(msg.name, choice);
    } catch (e) {
      if ((e as { code?: string })?.code !== ErrorCode.locked || Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/**
 * Shared mode: leader now if the lock is free; otherwise a follower (the state comes from the
 * leader's answer to "hello") queued for the lock, taking over when it is granted.
 */
function openShared(msg: OpenRequest): Promise<OpenState> {
  const locks = scope.navigator.locks;
  channel = new BroadcastChannel(channelName(msg.name));
  channel.onmessage = onTab;
  return new Promise<OpenState>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const wait = typeof msg.lock === 'number' ? Math.max(msg.lock, 10_000) : 30_000;
    const timer = setTimeout(() => settle(() => reject(coreError({
      code: ErrorCode.locked,
      message: `the database "${msg.name}" is held by another tab that does not answer (it may be frozen in the background); try again or close that tab`,
    }))), wait);
    const abort = new AbortController();
    stopWaiting = () => abort.abort();
    // Queue for the lock: granted now (no leader) or when the current leader's tab goes away.
    locks.request(lockName(msg.name), { signal: abort.signal }, (lock) => {
      if (!lock || closing) return undefined;
      stopWaiting = null;
      return new Promise<void>((release) => {
        releaseLock = () => release();
        takeOver(msg).then(
          (state) => settle(() => resolve(state)),
          (e) => settle(() => reject(e)),
        );
      });
    }).catch(() => { /* aborted by close() */ });
    // Meanwhile ask who leads; the answer makes this tab a follower at once.
    const onLeader = (state: OpenState) => {
      if (role === 'leader') return;
      settle(() => {
        role = 'follower';
        leaderState = state;
        scope.postMessage({ type: 'role', role: 'follower' });
        resolve(state);
        // Ready to take over: load the module now, off the page's first requests' path.
        setTimeout(() => { if (!closing) loadModule(msg).catch(() => {}); }, 1000);
      });
    };
    leaderWaiters.add(onLeader);
    // The lock request above may be granted first (no other tab): then no hello is needed.
    setTimeout(() => { if (role !== 'leader' && !closing) post({ kind: 'hello', from: SELF }); }, 0);
  });
}

/** This worker got the lock: open the database, announce it, run what this page had forwarded. */
async function takeOver(msg: OpenRequest): Promise<OpenState> {
  role = 'leader';
  leaderWaiters.clear();
  // Requests wait for the engine in the queue: first what this page sent to the old leader and
  // got no answer for (in its order, with the same ids: a write the old leader committed answers
  // from the core's record instead of running twice), then whatever the page sends from now on.
  let opened!: () => void;
  const ready = new Promise<void>((res) => { opened = res; });
  enqueue(() => ready);
  const mine = [...forwarded.entries()];
  forwarded.clear();
  for (const [rid, entry] of mine) {
    clearTimeout(entry.timer);
    enqueue(async () => {
      try {
        const [result, transfer] = await run(entry.body, rid, progressFor(entry.id));
        scope.postMessage({ type: 'done', id: entry.id, ok: true, result }, transfer);
      } catch (e) {
        scope.postMessage({ type: 'done', id: entry.id, ok: false, error: errorData(e) });
      }
    });
  }
  try {
    const state = await startEngine(msg);
    if (state.status === 'ready' && lastClock) {
      try {
        await engine!.call(JSON.stringify({ op: 'clock.set', as: { system: true }, params: { now: lastClock } }));
      } catch { /* a core without a demo clock */ }
    }
    scope.postMessage({ type: 'role', role: 'leader' });
    post({ kind: 'leader', from: SELF, state, clock: lastClock });
    return state;
  } finally {
    opened();
  }
}

function failForwarded(e: unknown): void {
  for (const entry of forwarded.values()) {
    clearTimeout(entry.timer);
    scope.postMessage({ type: 'done', id: entry.id, ok: false, error: errorData(e) });
  }
  forwarded.clear();
}

function close(): void {
  closing = true;
  try { engine?.close(); } catch { /* close never fails the caller */ }
  engine = null;
  try { storage?.close(); } catch { /* idem */ }
  storage = null;
  stopWaiting?.();
  stopWaiting = null;
  releaseLock?.();
  releaseLock = null;
  failForwarded(coreError({ code: ErrorCode.closed, message: 'the client is closed' }));
  try { channel?.close(); } catch { /* idem */ }
  channel = null;
}
