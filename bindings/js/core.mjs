// JS face of the episodes-core wasm module (Node and browser). Every answer from the module is
// a JSON string; `settle` is the one place that turns {"ok":false,"error":{…}} (or anything
// unexpected: a bare-number C++ exception, an abort, a TypeError of the raw module) into CoreError.
//
//   import { loadCore, CoreError } from './bindings/js/core.mjs';
//   const core = await loadCore();                    // Node: build/wasm/bindings/episodes_core_node.*
//   core.validate('Organization', doc, 'record');     // {ok:true} | {ok:false, issues:[…]}
//   core.schemaSql();                                 // SQLite DDL text
//   core.version();                                   // {core, schemaVersion, sqlite, emscripten}
//   const db = core.open(':memory:');                 // only when the module has CoreHandle
//   db.call({op: '…', as: {…}, params: {…}});         // result, or throws CoreError
//   db.close();                                       // idempotent; releases the wasm handle
//
// Browser: `await fromFactory(createEpisodesCore, {locateFile})` with the web build's factory.

/// The one error type of the JS API: code (stable, see core/errors.hpp), message, path, issues.
export class CoreError extends Error {
  constructor(code, message, path = [], issues = [], options = undefined) {
    super(message, options);
    this.name = 'CoreError';
    this.code = code;
    this.path = path;
    this.issues = issues;
    this.params = {};
    this.retryable = false;
  }
}

// The single constructor site: error JSON {code, message, path, issues} -> CoreError.
/// Builds a CoreError from error data ({code, message, path, issues}, e.g. received from a
/// worker); anything missing gets a safe default.
export function errorFrom(error, cause) {
  const e = error && typeof error === 'object' ? error : {};
  const err = new CoreError(
    typeof e.code === 'string' ? e.code : 'internal',
    typeof e.message === 'string' ? e.message : 'unknown error',
    Array.isArray(e.path) ? e.path : [],
    Array.isArray(e.issues) ? e.issues : [],
    cause === undefined ? undefined : { cause },
  );
  if (e.params && typeof e.params === 'object' && !Array.isArray(e.params)) err.params = e.params;
  err.retryable = e.retryable === true;
  return err;
}

// Parses one module answer; throws CoreError for an error answer, returns the object otherwise.
function settle(text) {
  if (typeof text !== 'string') throw errorFrom({ code: 'internal', message: `module returned ${typeof text}, not JSON text` });
  let value;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw errorFrom({ code: 'internal', message: 'module returned malformed JSON' }, cause);
  }
  if (value && value.ok === false && value.error) throw errorFrom(value.error);
  return value;
}

function badRequest(message, path = []) {
  return errorFrom({ code: 'bad_request', message, path });
}

// A lone surrogate has no UTF-8: TextEncoder (bindings/js/boundary.js) would send U+FFFD in its
// place (and embind, before it, swallowed the next code unit). So text with a lone surrogate is
// refused here instead of being silently altered.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const isWellFormed = typeof String.prototype.isWellFormed === 'function'
  ? (s) => s.isWellFormed()
  : (s) => !loneSurrogate.test(s);

function wellFormed(text, name) {
  if (!isWellFormed(text)) throw badRequest(`${name} is not valid Unicode (it contains a lone surrogate)`, [name]);
  return text;
}

function requireString(value, name) {
  if (typeof value !== 'string') throw badRequest(`${name} must be a string, got ${value === null ? 'null' : typeof value}`, [name]);
  return wellFormed(value, name);
}

// A document may be JSON text or a JS value (serialised with JSON.stringify).
// JSON.stringify escapes lone surrogates (\ud800), which the core reports as invalid_json.
function documentText(doc, name = 'document') {
  if (typeof doc === 'string') return wellFormed(doc, name);
  let text;
  try {
    text = JSON.stringify(doc);
  } catch (cause) {
    throw errorFrom({ code: 'bad_request', message: `${name} is not serialisable to JSON: ${cause.message}`, path: [name] }, cause);
  }
  if (typeof text !== 'string') throw badRequest(`${name} must be JSON text or a JSON value, got ${typeof doc}`, [name]);
  return text;
}

// One request's JSON text through a CoreHandle -> the response's JSON text. The module's
// handle (bindings/js/boundary.js) writes the UTF-8 straight into the module's memory with
// TextEncoder.encodeInto and decodes the answer from a view with TextDecoder.
export function callHandleText(handle, text) {
  return handle.call(text);
}

class Core {
  #handle;
  #guard;
  #isDead;
  #release;
  constructor(handle, guard, isDead, release = () => {}) {
    this.#handle = handle;
    this.#guard = guard;
    this.#isDead = isDead;
    this.#release = release;
  }
  /// Runs one request ({op, as, params, now?} or its JSON text); returns `result` or throws CoreError.
  call(request) {
    return this.callRaw(request).result;
  }
  /// Same, returning the whole {ok:true, result} object.
  callRaw(request) {
    const text = documentText(request, 'request');
    if (!this.#handle) throw errorFrom({ code: 'closed', message: 'the database handle is closed' });
    const handle = this.#handle;
    return this.#guard(() => callHandleText(handle, text));
  }
  /// progress(done, total, phase) during long operations; null to clear. Exceptions thrown by
  /// the callback are swallowed (they must not unwind through C++ frames).
  setProgress(fn) {
    if (fn !== null && fn !== undefined && typeof fn !== 'function') throw badRequest('progress must be a function or null');
    if (!this.#handle) throw errorFrom({ code: 'closed', message: 'the database handle is closed' });
    const safe = fn ? (done, total, phase) => { try { fn(done, total, phase); } catch { /* see above */ } } : null;
    this.#guard(() => this.#handle.setProgress(safe));
  }
  get isOpen() {
    return Boolean(this.#handle);
  }
  /// Writes a consistent copy of the database to `path` in the module's file system
  /// (SQLite backup from this connection; works for ':memory:').
  exportTo(path) {
    requireString(path, 'path');
    if (!this.#handle) throw errorFrom({ code: 'closed', message: 'the database handle is closed' });
    this.#guard(() => this.#handle.exportTo(path));
  }
  /// Replaces the database with a copy of the file at `path` (one transaction; all-or-nothing).
  importFrom(path) {
    requireString(path, 'path');
    if (!this.#handle) throw errorFrom({ code: 'closed', message: 'the database handle is closed' });
    this.#guard(() => this.#handle.importFrom(path));
  }
  /// Storage tuning: journalMode (DELETE|TRUNCATE|PERSIST|MEMORY) and synchronous
  /// (OFF|NORMAL|FULL|EXTRA); '' or undefined leaves a setting unchanged.
  tune({ journalMode = '', synchronous = '' } = {}) {
    requireString(journalMode, 'journalMode');
    requireString(synchronous, 'synchronous');
    if (!this.#handle) throw errorFrom({ code: 'closed', message: 'the database handle is closed' });
    this.#guard(() => this.#handle.tune(journalMode, synchronous));
  }
  /// Closes the database and frees the wasm handle. Idempotent, never throws.
  close() {
    const h = this.#handle;
    if (!h) return;
    this.#handle = undefined;
    try {
      if (this.#isDead()) return;  // never enter a module that aborted
      try { h.close(); } catch { /* close never throws in C++; nothing to do if the module died */ }
      try { h.delete(); } catch { /* already deleted */ }
    } finally {
      this.#release();
    }
  }
  [Symbol.dispose]() {
    this.close();
  }
}

// The `files` of a module with an Emscripten file system (the Node build): the interface of
// Module.ECVFS in the browser builds. Only the browser's file table can mount store files.
function fsFiles(FS) {
  return {
    readFile: (path) => FS.readFile(path),
    writeFile(path, bytes) {  // replaced and flushed where the file system can
      const stream = FS.open(path, 'w');
      try {
        FS.write(stream, bytes, 0, bytes.length, 0);
        stream.stream_ops?.fsync?.(stream);
      } finally {
        FS.close(stream);
      }
    },
    exists(path) {
      try { return FS.analyzePath(path).exists; } catch { return false; }
    },
    size: (path) => FS.stat(path).size,
    truncate: (path, size) => FS.truncate(path, size),
    unlink: (path) => FS.unlink(path),
    mount: () => null,
    memoryFile: null,
    lastError: null,
  };
}

/// The lock file of the database file whose stat is `st` ({dev, ino}): one per file, however a
/// process names it (another spelling, a symbolic or hard link), in the temporary directory.
export function processLockName(st) {
  const tmp = (typeof process !== 'undefined' && process.env?.TMPDIR) || '/tmp';
  return `${tmp.replace(/\/+$/, '')}/episodes-core-${st.dev}-${st.ino}.lock`;
}

// One process per file for the Node build (docs/ARCHITECTURE.md, "The Node module holds one
// process per file"): Emscripten's NODERAWFS answers SQLite's fcntl locks with success and locks
// nothing, so two processes (or two module instances) on one file would not see each other's
// transactions. Each module instance that opens a file therefore holds its lock file
// (processLockName: by device and inode, so links and spellings share it), created exclusively,
// holding "<pid> <instance>"; its handles share it and the last close (or the process's exit)
// removes it. A lock whose process is gone (killed) is taken over. Not in the browser (one
// leader per origin, ADR 0019) nor for ':memory:'.
function processLocks(FS) {
  if (!FS || typeof process === 'undefined' || !process.versions?.node) return null;
  const me = `${process.pid} ${Math.random().toString(36).slice(2)}`;
  const held = new Map();  // lock file -> handles of this instance
  const owner = (file) => {
    try { return FS.readFile(file, { encoding: 'utf8' }).trim(); } catch { return null; }
  };
  const alive = (pid) => {
    if (!(pid > 0)) return false;
    try { process.kill(pid, 0); return true; } catch (e) { return e?.code === 'EPERM'; }
  };
  const create = (file, flags) => {
    try {
      const stream = FS.open(file, flags, 0o644);
      try { if (flags & 0o200) FS.write(stream, new TextEncoder().encode(me), 0, me.length, 0); } finally { FS.close(stream); }
      return true;
    } catch {
      return false;
    }
  };
  const lockFileOf = (path) => {
    // A new database is created empty first (SQLite takes an empty file as a new database), so
    // that it has an inode to lock; a path that cannot be created is left to SQLite's own error.
    if (!FS.analyzePath(path).exists && !create(path, 0o101)) return null;  // O_WRONLY | O_CREAT
    try { return processLockName(FS.stat(path)); } catch { return null; }
  };
  process.on('exit', () => {
    for (const file of held.keys()) { try { if (owner(file) === me) FS.unlink(file); } catch { /* gone */ } }
  });
  return {
    acquire(path) {
      if (path === '' || path === ':memory:' || path.startsWith('file:')) return null;
      const file = lockFileOf(path);
      if (!file) return null;
      if (held.has(file)) {
        held.set(file, held.get(file) + 1);
        return file;
      }
      for (let attempt = 0; attempt < 2; ++attempt) {
        if (create(file, 0o301)) {  // O_WRONLY | O_CREAT | O_EXCL (Emscripten's values)
          held.set(file, 1);
          return file;
        }
        const who = owner(file);
        if (who === null) continue;  // removed meanwhile: try again
        const pid = Number(who.split(' ')[0]);
        if (alive(pid)) {
          throw errorFrom({
            code: 'busy',
            message: `the database file is open in another ${pid === process.pid ? 'module instance of this process' : `process (pid ${pid})`}: the Node module cannot share a file between processes; close it there, or use the native CLI`,
            retryable: true,
          });
        }
        // A dead owner's lock: removed only if it is still that one (another process may have
        // taken it over meanwhile).
        try { if (owner(file) === who) FS.unlink(file); } catch { /* another process took it over first */ }
      }
      throw errorFrom({ code: 'busy', message: 'the database file is being opened by another process', retryable: true });
    },
    release(file) {
      if (!file || !held.has(file)) return;
      const n = held.get(file) - 1;
      if (n > 0) {
        held.set(file, n);
        return;
      }
      held.delete(file);
      try { if (owner(file) === me) FS.unlink(file); } catch { /* gone */ }
    },
  };
}

/// Wraps an instantiated Emscripten module object.
export function wrapModule(module) {
  // Set once the module aborted (onAbort, see fromFactory) or trapped (a WebAssembly.RuntimeError
  // thrown out of a call: unreachable, out of memory, stack overflow). Its memory may be half
  // updated, so every later call answers CoreError "aborted" without entering the module. Held
  // as an object so that an empty abort reason still counts.
  let dead = null;
  const markDead = (reason) => {
    if (dead) return;
    const text = reason === undefined || reason === null ? '' : String(reason?.message ?? reason);
    dead = { reason: text || 'abort (no reason given)' };
  };
  const abortedError = () => errorFrom({ code: 'aborted', message: `the wasm module aborted earlier: ${dead.reason}; load a new module` });
  const isTrap = (cause) =>
    (typeof WebAssembly !== 'undefined' && cause instanceof WebAssembly.RuntimeError) ||
    cause?.name === 'RuntimeError' || module.ABORT === true;
  const guard = (fn) => {
    if (dead) throw abortedError();
    let text;
    try {
      text = fn();
    } catch (cause) {
      if (isTrap(cause) || dead) {
        markDead(cause?.message ?? cause);
        throw errorFrom({ code: 'aborted', message: `the wasm module aborted: ${dead.reason}; load a new module` }, cause);
      }
      // Should not happen (C++ catches at the boundary); a number here is an escaped C++ exception.
      const what = typeof cause === 'number' ? `C++ exception (pointer ${cause})` : String(cause && cause.message || cause);
      throw errorFrom({ code: 'internal', message: `wasm call failed: ${what}` }, cause);
    }
    return settle(text);
  };
  let files;
  let locks;
  const api = {
    validate(entity, doc, mode = 'record') {
      requireString(entity, 'entity');
      requireString(mode, 'mode');
      const text = documentText(doc);
      return guard(() => module.validate(entity, text, mode));
    },
    schemaSql() {
      return guard(() => module.schemaSql()).result;
    },
    version() {
      return guard(() => module.version()).result;
    },
    /// True when this build binds the database handle (core/api/core.cpp existed at build time).
    get hasCore() {
      return typeof module.CoreHandle === 'function';
    },
    /// False for the browser core, which leaves the mock data generator out: its mock.seed
    /// answers bad_request and the client runs the seed in the mock module (episodes_core_mock).
    get hasMockGenerator() {
      return typeof module.hasMockGenerator !== 'function' || module.hasMockGenerator() === true;
    },
    /// Opens or creates a database (':memory:' for none). Throws CoreError when it cannot.
    open(path, { idSeed = 0, onProgress } = {}) {
      requireString(path, 'path');
      if (typeof idSeed !== 'number') throw badRequest('idSeed must be a number', ['idSeed']);
      if (!api.hasCore) throw errorFrom({ code: 'unsupported', message: 'this wasm build has no database handle (CoreHandle)' });
      if (dead) throw abortedError();
      locks ??= processLocks(module.FS) ?? { acquire: () => null, release: () => {} };
      const lock = locks.acquire(path);
      let handle;
      try {
        handle = new module.CoreHandle(path, idSeed);
        const err = handle.openError();
        if (err) settle(err);
      } catch (cause) {
        locks.release(lock);
        if (!(cause instanceof CoreError) && isTrap(cause)) markDead(cause?.message ?? cause);
        try { if (!dead) handle?.delete(); } catch { /* ignore */ }
        if (dead) throw abortedError();
        if (cause instanceof CoreError) throw cause;
        throw errorFrom({ code: 'internal', message: `open failed: ${cause?.message ?? cause}` }, cause);
      }
      const core = new Core(handle, guard, () => dead !== null, () => locks.release(lock));
      if (onProgress) core.setProgress(onProgress);
      return core;
    },
    /// {applicationId, userVersion, pageSize, pageCount, quickCheck} of a database file (read only).
    inspectDatabase(path) {
      requireString(path, 'path');
      return guard(() => module.inspectDatabase(path)).result;
    },
    /// Makes `dst` a copy of `src` in one transaction of dst (atomic thanks to dst's journal).
    copyDatabase(src, dst) {
      requireString(src, 'src');
      requireString(dst, 'dst');
      guard(() => module.copyDatabase(src, dst));
    },
    /// {heapBytes, inUseBytes, freeBytes} of the wasm allocator, plus wasmBytes (linear memory).
    memoryStats() {
      const stats = guard(() => module.memoryStats()).result;
      // emvalHandles: the JS values the module holds for C++ (its progress functions; the name
      // is from embind's value handles, which this count replaced).
      const held = typeof module.heldValues === 'function' ? module.heldValues() : null;
      return { ...stats, wasmBytes: module.HEAP8.buffer.byteLength, emvalHandles: held };
    },
    /// The Node build's Emscripten file system (the real one, NODERAWFS); undefined in the browser.
    get FS() {
      return module.FS;
    },
    /// Whole-file access to the module's files, the same in both builds: the browser's file table
    /// (Module.ECVFS, bindings/library_ecvfs.js) or Node's file system.
    get files() {
      return (files ??= module.ECVFS ?? fsFiles(module.FS));
    },
    get isDead() {
      return dead !== null;
    },
    markDead,
    /// The raw Emscripten module (tests and diagnostics only).
    module,
  };
  return api;
}

/// Instantiates a module from its factory (either build) and wraps it.
export async function fromFactory(factory, moduleArg = {}) {
  let api;
  const module = await factory({
    ...moduleArg,
    onAbort: (reason) => {
      api?.markDead(reason);
      moduleArg.onAbort?.(reason);
    },
  });
  api = wrapModule(module);
  return api;
}

const loaded = new Map();

/// Node: loads the Node build. Default location: <repo>/build/wasm/bindings/episodes_core_node.mjs.
/// The .wasm bytes are passed as `wasmBinary`: Emscripten 3.1.6 would otherwise `fetch()` a file
/// path under Node 20 and fail. Cached per module URL.
export function loadCore({ moduleUrl = new URL('../../build/wasm/bindings/episodes_core_node.mjs', import.meta.url) } = {}) {
  const key = String(moduleUrl);
  if (!loaded.has(key)) {
    const p = (async () => {
      const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'node:fs/promises');
      const wasmUrl = new URL(key.replace(/\.m?js$/, '.wasm'));
      const [{ default: factory }, wasmBinary] = await Promise.all([import(/* webpackIgnore: true */ /* @vite-ignore */ key), readFile(wasmUrl)]);
      return fromFactory(factory, { wasmBinary });
    })();
    p.catch(() => loaded.delete(key));
    loaded.set(key, p);
  }
  return loaded.get(key);
}
