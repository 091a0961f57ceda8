// The dedicated worker that owns the wasm module and the database in the browser. Started by
// client.ts (openCore); speaks protocol.ts. One request runs at a time, in arrival order.
//
// Storage: OPFS sync access handles (or IndexedDB chunks) mounted at /db through the ECSTORE
// file system; SQLite's unix VFS on top (see persistence.ts and docs/adr/0007-browser-storage.md).
// The worker holds the Web Lock "episodes-core:<name>" while the database is open, so a second
// tab is told "locked" (or waits) instead of touching the files.
import { fromFactory } from '../../../bindings/js/core.mjs';
import type { CoreModule } from '../../../bindings/js/core.mjs';
import { fetchDemoManifest, prebuiltSeed } from './demo';
import { Engine } from './engine';
import { coreError, errorData, ErrorCode } from './errors';
import { openBrowserStorage } from './persistence';
import type { BrowserStorage } from './persistence';
import { DATABASE_NAME_PATTERN, lockName } from './protocol';
import type { OpenRequest, OpenState, StorageTuning, WorkerMessage, WorkerRequest } from './protocol';

interface WorkerScope {
  onmessage: ((ev: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerMessage, transfer?: Transferable[]): void;
  navigator: Navigator;
}
const scope = globalThis as unknown as WorkerScope;

const MOUNT = '/db';

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

scope.onmessage = (ev) => {
  const msg = ev.data;
  queue = queue.then(() => handle(msg));
};

async function handle(msg: WorkerRequest): Promise<void> {
  try {
    const [result, transfer] = await dispatch(msg);
    scope.postMessage({ type: 'done', id: msg.id, ok: true, result }, transfer);
  } catch (e) {
    scope.postMessage({ type: 'done', id: msg?.id ?? -1, ok: false, error: errorData(e) });
  }
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
    case 'call':
      return [await needEngine().call(msg.request, msg.progress ? progressFor(msg.id) : null), []];
    case 'export': {
      const bytes = needEngine().exportBytes();
      return [bytes, [bytes.buffer]];
    }
    case 'import':
      return [await needEngine().importBytes(msg.bytes), []];
    case 'reset': {
      const e = needEngine();
      const request = msg.seed ? msg.request : null;
      mark('reset');
      const prebuilt = await prebuiltSeed(await demoManifest, request, e.schemaVersion());
      mark(prebuilt ? 'demo-fetched' : 'demo-generate');
      const out = await e.reset(prebuilt ? null : request, progressFor(msg.id), prebuilt);
      mark('reset-done');
      return [out, []];
    }
    case 'stats':
      return [needEngine().stats(), []];
    case 'close':
      close();
      return [null, []];
    default:
      throw coreError({ code: ErrorCode.badRequest, message: `unknown worker request ${(msg as { type?: unknown })?.type}` });
  }
}

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
  if (engine) throw coreError({ code: ErrorCode.badRequest, message: 'this worker already has an open database' });
  if (typeof msg.name !== 'string' || !DATABASE_NAME_PATTERN.test(msg.name)) {
    throw coreError({ code: ErrorCode.badRequest, message: 'name must match [A-Za-z0-9_-]{1,64}', path: ['name'] });
  }
  const persistent = msg.storage !== 'memory';
  if (persistent) releaseLock = await acquireLock(msg.name, msg.lock);
  // The stored files open, and on a first visit the prebuilt demo downloads, while the wasm
  // compiles: both are independent of the module.
  let storageP: Promise<BrowserStorage> | null = null;
  try {
    const moduleUrl = new URL(msg.moduleUrl, (globalThis as unknown as { location: { href: string } }).location.href).href;
    demoManifest = fetchDemoManifest(moduleUrl);  // small; read only if the first visit seeds
    const wasmUrl = msg.wasmUrl ? new URL(msg.wasmUrl, moduleUrl).href : moduleUrl.replace(/\.m?js(\?.*)?$/, '.wasm');
    if (persistent) storageP = openBrowserStorage(msg.name, msg.storage === 'idb' ? 'idb' : msg.storage === 'opfs' ? 'opfs' : 'auto');
    // An empty stored database asked to start as the demo gets the prebuilt file (demo.ts).
    const demoP = storageP && msg.demo
      ? storageP.then(async (s) => {
        const file = s.files[s.dbFile];
        return file && file.size() === 0 ? prebuiltSeed(await demoManifest, msg.demo ?? null, null) : null;
      }).catch(() => null)
      : Promise.resolve(null);
    let factory: (arg: object) => Promise<unknown>;
    try {
      factory = (await import(/* webpackIgnore: true */ /* @vite-ignore */ moduleUrl)).default;
    } catch (e) {
      throw coreError({ code: ErrorCode.io, message: `cannot load the core module from ${moduleUrl}: ${(e as Error)?.message ?? e}` }, e);
    }
    mark('glue-loaded');
    api = await fromFactory(factory, { locateFile: (file: string) => (file.endsWith('.wasm') ? wasmUrl : new URL(file, moduleUrl).href) });
    mark('wasm-ready');
    let path = ':memory:';
    if (storageP) {
      storage = await storageP;
      api.FS.mkdir(MOUNT);
      api.FS.mount(api.module.ECSTORE, { files: storage.files }, MOUNT);
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
    close();
    throw e;
  }
}

function close(): void {
  try { engine?.close(); } catch { /* close never fails the caller */ }
  engine = null;
  try { storage?.close(); } catch { /* idem */ }
  storage = null;
  releaseLock?.();
  releaseLock = null;
}
