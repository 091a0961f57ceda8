// Types of bindings/js/core.mjs (hand-written; checked by tests/types, which compiles code
// using them with `tsc --strict`). Keep in step with core.mjs.

/** One validation problem (same shape as core/errors.hpp Issue). */
export interface CoreIssue {
  path: (string | number)[];
  code: string;
  message: string;
  params: Record<string, unknown>;
}

/** Error data as it travels in JSON ({"ok":false,"error":{…}}) or between a worker and a page. */
export interface CoreErrorData {
  code: string;
  message: string;
  path?: (string | number)[];
  issues?: CoreIssue[];
  /** Machine-readable details, e.g. a unique conflict's {field, deleted, id}. */
  params?: Record<string, unknown>;
  /** True when the same request may succeed later (code "busy"). */
  retryable?: boolean;
}

/** The one error type of the JS API. `code` is stable (see core/errors.hpp and web/src/core/errors.ts). */
export class CoreError extends Error {
  constructor(code: string, message: string, path?: (string | number)[], issues?: CoreIssue[], options?: { cause?: unknown });
  readonly name: 'CoreError';
  code: string;
  path: (string | number)[];
  issues: CoreIssue[];
  params: Record<string, unknown>;
  retryable: boolean;
}

/** Builds a CoreError from error data; missing fields get safe defaults. */
export function errorFrom(error: unknown, cause?: unknown): CoreError;

/** The module's own CoreHandle class (bindings/js/boundary.js), as far as callHandleText uses it. */
export interface WasmCoreHandle {
  call(text: string): string;
  requestBuffer?(capacity: number): Uint8Array;
  callBuffer?(length: number): Uint8Array;
}

/** One request's JSON text through the module's CoreHandle -> the response's JSON text. */
export function callHandleText(handle: WasmCoreHandle, text: string): string;

export type ProgressFn = (done: number, total: number, phase: string) => void;

/** An open database handle (synchronous; the typed async client is web/src/core/client.ts). */
export interface CoreHandle {
  call(request: string | object): unknown;
  callRaw(request: string | object): { ok: true; result: unknown };
  setProgress(fn: ProgressFn | null | undefined): void;
  exportTo(path: string): void;
  importFrom(path: string): void;
  tune(options?: { journalMode?: string; synchronous?: string }): void;
  readonly isOpen: boolean;
  close(): void;
}

export interface DatabaseInfo {
  applicationId: number;
  userVersion: number;
  pageSize: number;
  pageCount: number;
  quickCheck: string;
}

export interface MemoryStats {
  heapBytes: number;
  inUseBytes: number;
  freeBytes: number;
  wasmBytes: number;
  /** JS values the module holds for C++ (progress functions); null when the module cannot say. */
  emvalHandles: number | null;
}

/** Minimal view of Emscripten's FS used by the client. */
export interface EmscriptenFS {
  readFile(path: string, opts?: { encoding?: 'binary' }): Uint8Array;
  writeFile(path: string, data: Uint8Array | string): void;
  unlink(path: string): void;
  truncate(path: string, len: number): void;
  stat(path: string): { size: number };
  mkdir(path: string): void;
  mount(type: unknown, opts: unknown, mountpoint: string): unknown;
  unmount(mountpoint: string): void;
  analyzePath(path: string): { exists: boolean };
  open(path: string, flags: string): EmscriptenStream;
  write(stream: EmscriptenStream, data: Uint8Array, offset: number, length: number, position?: number): number;
  close(stream: EmscriptenStream): void;
}

/**
 * A file SQLite reads and writes in the browser (all synchronous): an OPFS sync access handle,
 * IndexedDB chunks, or a file in memory (ModuleFiles.memoryFile).
 */
export interface StoreFile {
  read(view: Uint8Array, at: number): number;
  write(view: Uint8Array, at: number): number;
  size(): number;
  truncate(size: number): void;
  flush(): void;
}

/** Whole-file access to a module's files (bindings/library_ecvfs.js in the browser, FS under Node). */
export interface ModuleFiles {
  readFile(path: string): Uint8Array;
  /** Creates (in memory, in the browser) or replaces a file, flushed. */
  writeFile(path: string, bytes: Uint8Array): void;
  exists(path: string): boolean;
  size(path: string): number;
  truncate(path: string, size: number): void;
  unlink(path: string): void;
  /** Browser: registers store files as `${dir}/${name}`; returns the unmount. Node: null. */
  mount(dir: string, files: Record<string, StoreFile>): (() => void) | null;
  /** Browser: a new in-memory store file; Node: null. */
  readonly memoryFile: (() => StoreFile) | null;
  /** Browser: the last exception a store file threw (SQLite saw an I/O error). */
  readonly lastError: unknown;
}

/** An open FS stream (only what the client touches). */
export interface EmscriptenStream {
  stream_ops?: { fsync?: (stream: EmscriptenStream) => unknown };
}

export interface CoreModule {
  validate(entity: string, doc: unknown, mode?: string): { ok: true } | { ok: false; issues: CoreIssue[] };
  schemaSql(): string;
  version(): { core: string; schemaVersion: number; sqlite: string; emscripten: string };
  readonly hasCore: boolean;
  /** False for the browser core: its mock.seed runs in the lazily loaded mock module. */
  readonly hasMockGenerator: boolean;
  open(path: string, options?: { idSeed?: number; onProgress?: ProgressFn }): CoreHandle;
  inspectDatabase(path: string): DatabaseInfo;
  copyDatabase(src: string, dst: string): void;
  memoryStats(): MemoryStats;
  /** The Node build's file system; undefined in the browser builds (they have none). */
  readonly FS: EmscriptenFS | undefined;
  readonly files: ModuleFiles;
  readonly isDead: boolean;
  markDead(reason?: unknown): void;
  /** The raw Emscripten module (tests and diagnostics only). */
  readonly module: any;
}

export function wrapModule(module: unknown): CoreModule;
export function fromFactory(factory: (moduleArg: object) => Promise<unknown>, moduleArg?: object): Promise<CoreModule>;
export function loadCore(options?: { moduleUrl?: string | URL }): Promise<CoreModule>;
