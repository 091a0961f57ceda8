// The engine: one wasm module + one database, behind the operations the client offers
// (call, export, import, reset, stats, close). It runs in-process under Node and inside
// core.worker.ts in the browser; only the storage host differs. Everything here is synchronous
// except the durability barrier `host.commit()`, awaited after every change.
//
// Rules kept here (the "never lose data" part of the client):
// - a stored database that does not open is never wiped: the engine goes to status "broken",
//   every operation answers CoreError "unavailable", and export returns the raw stored bytes;
//   only an explicit import or reset replaces it;
// - an import is validated completely (header, quick_check, opening it with the core, which
//   refuses foreign/newer schemas and upgrades older ones) on a temporary copy before it
//   replaces anything, and the replacement is one SQLite transaction on the target (backup API),
//   so it is all-or-nothing.
import type { CoreHandle, CoreModule, MemoryStats, ProgressFn } from '../../../bindings/js/core.mjs';
import { coreError, CoreError, errorData, ErrorCode, toCoreError } from './errors';
import { asRollbackJournal, checkImportHeader } from './persistence';
import type { OpenState, StorageKind, StorageTuning } from './protocol';
import type { Operations } from './types.generated';

/** The operation the browser core runs in the mock module (a name the registry declares). */
const MOCK_SEED: keyof Operations = 'mock.seed';

export interface EngineHost {
  kind: StorageKind;
  /** Path of the database file among the module's files (or ":memory:"). */
  path: string;
  /** Directory for temporary files (import staging, export copies). */
  tmpDir: string;
  /** Resolves when every change made so far is durable. */
  commit(): Promise<void>;
  tuning?: StorageTuning;
  idSeed?: number;
  /**
   * Loads the mock data module (episodes_core_mock). The browser core leaves the generator out
   * (`hasMockGenerator` false): its mock.seed requests run there instead (see #seedInMockModule).
   */
  loadMockModule?: () => Promise<CoreModule>;
  /**
   * Mounts this database's stored files in another module (the mock module), so it can seed
   * them directly; returns the database's path there and the unmount, or null (no stored
   * files, e.g. ":memory:").
   */
  mountIn?: (module: CoreModule) => { path: string; release(): void } | null;
}

/** A database file a seed request would write, with the seed's result (the prebuilt demo). */
export interface PrebuiltSeed {
  bytes: Uint8Array;
  result: unknown;
}

/** The answer of a tracked call: the result and the tables the call read and changed. */
export interface CallOutcome {
  result: unknown;
  reads: string[];
  changed: string[];
  /** True when a write with this requestId had already been applied (the stored answer). */
  replayed: boolean;
}

/** Adds "track" (and "requestId") to a request's JSON text without re-parsing it. */
function withEnvelope(request: string, requestId?: string): string {
  // requestText() always writes an object starting with a key; anything else goes as it is and
  // the core answers its error.
  if (!/^\{\s*"/.test(request)) return request;
  const extra = `"track":true,${requestId ? `"requestId":${JSON.stringify(requestId)},` : ''}`;
  return `{${extra}${request.slice(request.indexOf('"'))}`;
}

/** True for a mock.seed request (JSON text; the quick test first, so other requests are not parsed). */
function isMockSeed(request: string): boolean {
  if (!/"op"\s*:\s*"mock\.seed"/.test(request)) return false;
  try {
    return (JSON.parse(request) as { op?: unknown })?.op === MOCK_SEED;
  } catch {
    return false;
  }
}

/** A start-up timeline mark ("ec:<name>", User Timing; web/e2e/perf.spec.ts prints them). */
function timelineMark(name: string): void {
  try { globalThis.performance?.mark?.(`ec:${name}`); } catch { /* no User Timing */ }
}

let tmpCounter = 0;

export class Engine {
  readonly #api: CoreModule;
  readonly #host: EngineHost;
  #handle: CoreHandle | null = null;
  #openError: CoreError | null = null;
  #progress: ProgressFn | null = null;
  #schemaVersion: number | null = null;
  #closed = false;

  constructor(api: CoreModule, host: EngineHost) {
    this.#api = api;
    this.#host = host;
  }

  /** Opens the database. Never throws for a bad stored database: see state(). */
  open(): OpenState {
    this.#closeHandle();
    this.#openError = null;
    try {
      const h = this.#api.open(this.#host.path, { idSeed: this.#host.idSeed ?? 0 });
      try {
        if (this.#host.tuning) h.tune(this.#host.tuning);
        h.setProgress((done, total, phase) => this.#progress?.(done, total, phase));
      } catch (e) {
        h.close();
        throw e;
      }
      this.#handle = h;
    } catch (e) {
      const error = toCoreError(e);
      // A bad argument is the caller's mistake, not a state of the stored database.
      if (error.code === ErrorCode.badRequest) throw error;
      this.#openError = error;
    }
    return this.state();
  }

  state(): OpenState {
    return {
      status: this.#handle ? 'ready' : 'broken',
      error: this.#openError ? errorData(this.#openError) : null,
      storage: this.#host.kind,
      bytes: this.#fileSize(),
    };
  }

  /** Runs one request (JSON text); returns its result once the change is durable. */
  async call(request: string, onProgress?: ProgressFn | null): Promise<unknown> {
    return (await this.callTracked(request, onProgress)).result;
  }

  /**
   * Runs one request and also says which tables it read and changed (the core's "track"), once
   * the change is durable. `requestId` makes a write idempotent: the core stores its answer in
   * the same transaction, so the same id sent again (by a tab that took over the database)
   * answers the stored result instead of writing twice.
   */
  async callTracked(request: string, onProgress?: ProgressFn | null, requestId?: string): Promise<CallOutcome> {
    const h = this.#ready();
    if (this.#host.loadMockModule && !this.#api.hasMockGenerator && isMockSeed(request)) {
      return this.#seedInMockModule(h, request, onProgress ?? null);
    }
    this.#progress = onProgress ?? null;
    try {
      const raw = h.callRaw(withEnvelope(request, requestId)) as CallOutcome & { ok: true };
      return { result: raw.result, reads: raw.reads ?? [], changed: raw.changed ?? [], replayed: raw.replayed === true };
    } finally {
      this.#progress = null;
      await this.#host.commit();
    }
  }

  /** A consistent copy of the database (or, when it does not open, the raw stored bytes). */
  exportBytes(): Uint8Array {
    this.#notClosed();
    const files = this.#api.files;
    if (!this.#handle) {
      if (this.#host.path === ':memory:' || !this.#exists(this.#host.path)) {
        throw coreError({ code: ErrorCode.notFound, message: 'there is no stored database to export' });
      }
      return files.readFile(this.#host.path);
    }
    const tmp = this.#tmpPath('export');
    try {
      this.#handle.exportTo(tmp);
      return files.readFile(tmp);
    } finally {
      this.#removeFile(tmp);
    }
  }

  /** Replaces the database with `bytes` after validating them; nothing changes on failure. */
  async importBytes(imported: Uint8Array): Promise<OpenState> {
    this.#notClosed();
    checkImportHeader(imported, this.schemaVersion());
    const bytes = asRollbackJournal(imported);  // a WAL-mode file imports as a rollback-journal one
    const tmp = this.#tmpPath('import');
    try {
      try {
        this.#api.files.writeFile(tmp, bytes);
      } catch (e) {
        throw coreError({ code: ErrorCode.io, message: `cannot stage the import: ${(e as Error)?.message ?? e}` }, e);
      }
      const info = this.#api.inspectDatabase(tmp);
      if (info.quickCheck !== 'ok') {
        throw coreError({ code: ErrorCode.notADatabase, message: `the file is damaged (quick_check: ${info.quickCheck})` });
      }
      // The core's own open checks application_id and schema version and upgrades older files.
      this.#api.open(tmp).close();
      // Replace: one SQLite transaction on the target (its rollback journal makes it atomic).
      if (this.#handle) {
        this.#handle.importFrom(tmp);  // into the open connection (works for ":memory:" too)
        await this.#host.commit();
        return this.state();
      }
      // Broken: the damaged file cannot be a backup destination; empty it, then copy.
      this.#wipe();
      try {
        this.#api.copyDatabase(tmp, this.#host.path);
      } finally {
        this.open();
        await this.#host.commit();
      }
      return this.state();
    } finally {
      this.#removeFile(tmp);
    }
  }

  /**
   * Empties the database (explicit user action) and, given a seed request (mock.seed), fills it.
   * Works in the broken state too: that is the "reset" the page offers.
   */
  async reset(seedRequest: string | null, onProgress?: ProgressFn | null, prebuilt?: PrebuiltSeed | null): Promise<{ state: OpenState; seed: unknown }> {
    this.#notClosed();
    this.#closeHandle();
    this.#wipe();
    // The prebuilt demo (demo.ts): exactly the file the seed request would write, so write it
    // as is; anything that does not open falls back to running the seed.
    if (prebuilt && this.#writeDatabase(prebuilt.bytes)) {
      timelineMark('demo-written');
      const ready = this.open();
      if (ready.status === 'ready') {
        await this.#host.commit();
        return { state: ready, seed: prebuilt.result };
      }
      this.#closeHandle();
      this.#wipe();
    }
    let state = this.open();
    // In memory there is no file to write: the same bytes go in through the validated import
    // (the browser core would otherwise load the mock module to generate them).
    if (prebuilt && this.#host.path === ':memory:' && state.status === 'ready') {
      try {
        state = await this.importBytes(prebuilt.bytes);
        return { state, seed: prebuilt.result };
      } catch {
        this.#closeHandle();
        state = this.open();
      }
    }
    let seed: unknown = null;
    if (state.status === 'ready' && seedRequest) {
      seed = await this.call(seedRequest, onProgress);
      state = this.state();
    } else {
      await this.#host.commit();
    }
    if (state.status !== 'ready') throw coreError(state.error ?? { code: ErrorCode.internal, message: 'reset failed' });
    return { state, seed };
  }

  stats(): MemoryStats {
    return this.#api.memoryStats();
  }

  /** The schema version this build writes (meta.version of the module). */
  schemaVersion(): number {
    if (this.#schemaVersion === null) {
      const h = this.#handle ?? this.#api.open(':memory:');
      try {
        const v = h.call({ op: 'meta.version' }) as { schemaVersion: number };
        this.#schemaVersion = v.schemaVersion;
      } finally {
        if (h !== this.#handle) h.close();
      }
    }
    return this.#schemaVersion;
  }

  close(): void {
    this.#closed = true;
    this.#closeHandle();
  }

  // ------------------------------------------------------------------------------------------

  /**
   * mock.seed for a core without the generator (the browser core), in the mock module with the
   * unchanged request, so its checks, conflict, errors and progress are the operation's own.
   * Stored database: this connection closes, the mock module mounts the same stored files and
   * seeds them in place (no copy, so `large` costs what it cost in the core), and this connection
   * reopens (the demo clock, which lives in the connection's core, is carried over). In memory:
   * the mock module seeds a copy of this database, which then comes back through the validated
   * import path.
   */
  async #seedInMockModule(h: CoreHandle, request: string, onProgress: ProgressFn | null): Promise<CallOutcome> {
    let mock: CoreModule;
    try {
      mock = await this.#host.loadMockModule!();
    } catch (e) {
      throw coreError({ code: ErrorCode.io, message: `cannot load the mock data module: ${(e as Error)?.message ?? e}` }, e);
    }
    h = this.#ready();  // still open after the await
    timelineMark('mock-module-ready');
    const seed = (path: string): CallOutcome & { ok: true } => {
      const seeder = mock.open(path, { idSeed: this.#host.idSeed ?? 0 });
      try {
        if (this.#host.tuning) seeder.tune(this.#host.tuning);
        if (onProgress) seeder.setProgress(onProgress);
        return seeder.callRaw(withEnvelope(request)) as CallOutcome & { ok: true };
      } finally {
        seeder.close();
      }
    };
    const outcome = (raw: CallOutcome & { ok: true }): CallOutcome =>
      ({ result: raw.result, reads: raw.reads ?? [], changed: raw.changed ?? [], replayed: false });

    const mount = this.#host.path === ':memory:' ? null : this.#host.mountIn?.(mock) ?? null;
    if (mount) {
      let clock: { now?: string; fixed?: boolean } | null = null;
      try {
        clock = h.call({ op: 'clock.get', as: { system: true } }) as { now?: string; fixed?: boolean };
      } catch { /* a core without a demo clock */ }
      this.#closeHandle();
      let raw: CallOutcome & { ok: true };
      try {
        raw = seed(mount.path);
      } finally {
        try { mount.release(); } catch { /* the files stay with this module's mount */ }
        const state = this.open();
        if (state.status === 'ready' && clock?.fixed && typeof clock.now === 'string') {
          try { this.#handle!.call({ op: 'clock.set', as: { system: true }, params: { now: clock.now } }); } catch { /* idem */ }
        }
        await this.#host.commit();
      }
      this.#ready();
      return outcome(raw);
    }

    const copy = this.#tmpPath('seed');
    let bytes: Uint8Array;
    try {
      h.exportTo(copy);
      bytes = this.#api.files.readFile(copy);
    } finally {
      this.#removeFile(copy);
    }
    let raw: CallOutcome & { ok: true };
    try {
      mock.files.writeFile(copy, bytes);  // the same name among the mock module's own files
      raw = seed(copy);
      bytes = mock.files.readFile(copy);
    } finally {
      for (const p of [copy, `${copy}-journal`]) {
        try { if (mock.files.exists(p)) mock.files.unlink(p); } catch { /* best effort */ }
      }
    }
    await this.importBytes(bytes);
    return outcome(raw);
  }

  #ready(): CoreHandle {
    this.#notClosed();
    if (this.#handle) return this.#handle;
    const why = this.#openError;
    throw coreError({
      code: ErrorCode.unavailable,
      message: `the stored database could not be opened (${why?.code}: ${why?.message}); ` +
        'export its raw bytes, import a database file or reset',
    }, why ?? undefined);
  }

  #notClosed(): void {
    if (this.#closed) throw coreError({ code: ErrorCode.closed, message: 'the client is closed' });
  }

  #closeHandle(): void {
    const h = this.#handle;
    this.#handle = null;
    h?.close();
  }

  #exists(path: string): boolean {
    try {
      return this.#api.files.exists(path);
    } catch {
      return false;
    }
  }

  #fileSize(): number | null {
    if (this.#host.path === ':memory:') return null;
    try {
      return this.#api.files.size(this.#host.path);
    } catch {
      return null;
    }
  }

  // Writes a whole database file and flushes it; false where there is no file (":memory:").
  #writeDatabase(bytes: Uint8Array): boolean {
    if (this.#host.path === ':memory:') return false;
    try {
      this.#api.files.writeFile(this.#host.path, bytes);
      return true;
    } catch {
      return false;
    }
  }

  // Empties the database file and its journal (the file stays: OPFS handles are pre-opened).
  #wipe(): void {
    if (this.#host.path === ':memory:') return;
    for (const p of [this.#host.path, `${this.#host.path}-journal`]) {
      if (this.#exists(p)) this.#api.files.truncate(p, 0);
    }
  }

  #tmpPath(what: string): string {
    tmpCounter += 1;
    return `${this.#host.tmpDir}/ec-${what}-${Date.now().toString(36)}-${tmpCounter}-${Math.random().toString(36).slice(2)}.sqlite`;
  }

  #removeFile(path: string): void {
    for (const p of [path, `${path}-journal`]) {
      try {
        if (this.#exists(p)) this.#api.files.unlink(p);
      } catch { /* best effort */ }
    }
  }
}
