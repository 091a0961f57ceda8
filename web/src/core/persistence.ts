// Browser storage for the worker: "store files" that the browser builds' SQLite VFS reads and
// writes (bindings/browser_vfs.cpp, bindings/library_ecvfs.js: mounted with Module.ECVFS.mount).
//
//   OPFS (preferred): one FileSystemSyncAccessHandle per file, opened before SQLite starts
//   (createSyncAccessHandle is async; SQLite's I/O is sync). Writes go straight to the file;
//   SQLite's fsync -> flush(). A commit is durable when the call returns, and costs only the
//   pages it touched (plus the journal), whatever the database size.
//
//   IndexedDB (fallback when OPFS sync handles are missing): the file lives in memory as
//   16 KiB chunks; writes mark chunks dirty and commit() stores just those chunks (and the size)
//   in one IndexedDB transaction after each call. That transaction is the atomic unit, so the
//   rollback journal stays in memory. Cost per write: the dirty chunks, not the database.
//
// Also here: the SQLite header check used before an import replaces anything.
import { coreError, CoreError, ErrorCode } from './errors';
import type { StorageKind } from './protocol';
import type { StoreFile } from '../../../bindings/js/core.mjs';

// StoreFile (what the browser VFS needs from a file) is declared once, with the module's API.
export type { StoreFile };

/** One database's files, mounted by the worker, plus what the engine needs around them. */
export interface BrowserStorage {
  kind: StorageKind;
  /** File name of the database inside the mount (the journal is `${dbFile}-journal`). */
  dbFile: string;
  files: Record<string, StoreFile>;
  /** Resolves when everything written so far is durable (no-op for OPFS: flush() did it). */
  commit(): Promise<void>;
  /** Releases handles/connections. Idempotent. */
  close(): void;
}

// --------------------------------------------------------------------------------------------
// SQLite header
// --------------------------------------------------------------------------------------------

export const SQLITE_MAGIC = 'SQLite format 3\u0000';
/** PRAGMA application_id of episodes-core databases ("EPC1", core/schema/ddl.hpp). */
export const APPLICATION_ID = 0x45504331;

export interface SqliteHeader {
  pageSize: number;
  pageCount: number;
  userVersion: number;
  applicationId: number;
}

/** Parses the 100-byte SQLite header; throws CoreError not_a_database for anything else. */
export function readSqliteHeader(bytes: Uint8Array): SqliteHeader {
  const notDb = (why: string) => coreError({ code: ErrorCode.notADatabase, message: `not an SQLite database file: ${why}` });
  if (!(bytes instanceof Uint8Array)) throw coreError({ code: ErrorCode.badRequest, message: 'expected the bytes of a database file (Uint8Array or ArrayBuffer)' });
  if (bytes.length < 100) throw notDb(`${bytes.length} bytes is shorter than the SQLite header`);
  for (let i = 0; i < 16; i++) {
    if (bytes[i] !== SQLITE_MAGIC.charCodeAt(i)) throw notDb('the header does not start with "SQLite format 3"');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, 100);
  const raw = view.getUint16(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw notDb(`invalid page size ${raw}`);
  if (bytes.length % pageSize !== 0) throw notDb(`the file is ${bytes.length} bytes, not a whole number of ${pageSize}-byte pages (truncated?)`);
  return {
    pageSize,
    pageCount: view.getUint32(28),
    userVersion: view.getInt32(60),
    applicationId: view.getInt32(68),
  };
}

/** Checks that bytes are an episodes-core database this build can open (header only). */
export function checkImportHeader(bytes: Uint8Array, schemaVersion: number): SqliteHeader {
  const h = readSqliteHeader(bytes);
  if (h.applicationId !== APPLICATION_ID) {
    throw coreError({
      code: ErrorCode.notADatabase,
      message: `this SQLite file was not made by episodes-core (application_id 0x${(h.applicationId >>> 0).toString(16)}, expected 0x45504331)`,
    });
  }
  if (h.userVersion > schemaVersion) {
    throw coreError({
      code: ErrorCode.schemaTooNew,
      message: `the file has schema version ${h.userVersion} but this build knows up to ${schemaVersion}: open it with a newer episodes-core`,
    });
  }
  if (h.userVersion < 1) throw coreError({ code: ErrorCode.notADatabase, message: 'the file has no episodes-core schema version' });
  return h;
}

/**
 * The bytes of a WAL-mode database file (header bytes 18/19, the file format write/read versions,
 * = 2) as a rollback-journal file (= 1); other bytes are returned as they are. Imported bytes never
 * come with their `-wal` file, so the main file is all there is (a WAL file not checkpointed into
 * it is lost either way), and the browser core has no WAL (SQLITE_OMIT_WAL: it would refuse the
 * file as not a database). A copy: the caller's bytes are not changed.
 */
export function asRollbackJournal(bytes: Uint8Array): Uint8Array {
  if (bytes.length < 100 || (bytes[18] !== 2 && bytes[19] !== 2)) return bytes;
  const out = bytes.slice();
  if (out[18] === 2) out[18] = 1;
  if (out[19] === 2) out[19] = 1;
  return out;
}

// --------------------------------------------------------------------------------------------
// OPFS
// --------------------------------------------------------------------------------------------

// The parts of the OPFS API used here (lib.dom does not declare the worker-only ones everywhere).
interface SyncAccessHandle {
  read(buffer: ArrayBufferView, options?: { at?: number }): number;
  write(buffer: ArrayBufferView, options?: { at?: number }): number;
  truncate(size: number): void;
  getSize(): number;
  flush(): void;
  close(): void;
}
interface OpfsFileHandle {
  createSyncAccessHandle(): Promise<SyncAccessHandle>;
}
interface OpfsDirectoryHandle {
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<OpfsDirectoryHandle>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<OpfsFileHandle>;
  removeEntry(name: string): Promise<void>;
}

class OpfsFile implements StoreFile {
  #h: SyncAccessHandle;
  #size: number;  // cached: the handle is exclusive, so only we change the size
  constructor(h: SyncAccessHandle) {
    this.#h = h;
    this.#size = h.getSize();
  }
  read(view: Uint8Array, at: number): number {
    return this.#h.read(view, { at });
  }
  write(view: Uint8Array, at: number): number {
    const n = this.#h.write(view, { at });
    if (at + n > this.#size) this.#size = at + n;
    return n;
  }
  size(): number {
    return this.#size;
  }
  truncate(size: number): void {
    this.#h.truncate(size);
    this.#size = size;
  }
  flush(): void {
    this.#h.flush();
  }
  close(): void {
    try { this.#h.close(); } catch { /* already closed */ }
  }
}

/** True when this global scope can use OPFS sync access handles (dedicated workers only). */
export function hasOpfs(): boolean {
  const g = globalThis as { FileSystemSyncAccessHandle?: unknown; navigator?: { storage?: { getDirectory?: unknown } } };
  return typeof g.FileSystemSyncAccessHandle === 'function' && typeof g.navigator?.storage?.getDirectory === 'function';
}

export const OPFS_DIRECTORY = 'episodes-core';

export async function openOpfs(name: string): Promise<BrowserStorage> {
  const storage = (globalThis as unknown as { navigator: { storage: { getDirectory(): Promise<OpfsDirectoryHandle> } } }).navigator.storage;
  const root = await storage.getDirectory();
  const dir = await root.getDirectoryHandle(OPFS_DIRECTORY, { create: true });
  const dbFile = `${name}.sqlite`;
  const opened: OpfsFile[] = [];
  try {
    for (const file of [dbFile, `${dbFile}-journal`]) {
      const fh = await dir.getFileHandle(file, { create: true });
      opened.push(new OpfsFile(await fh.createSyncAccessHandle()));
    }
  } catch (e) {
    for (const f of opened) f.close();
    if (e instanceof DOMException && e.name === 'NoModificationAllowedError') {
      throw coreError({ code: ErrorCode.locked, message: `the database "${name}" is open in another tab or window` }, e);
    }
    throw coreError({ code: ErrorCode.io, message: `cannot open OPFS storage: ${(e as Error)?.message ?? e}` }, e);
  }
  const [db, journal] = opened;
  let closed = false;
  return {
    kind: 'opfs',
    dbFile,
    files: { [dbFile]: db, [`${dbFile}-journal`]: journal },
    commit: async () => {},
    close() {
      if (closed) return;
      closed = true;
      db.close();
      journal.close();
    },
  };
}

// --------------------------------------------------------------------------------------------
// IndexedDB
// --------------------------------------------------------------------------------------------

export const CHUNK = 16 * 1024;

/** A file held in memory as chunks, remembering which chunks changed since the last commit. */
export class ChunkedFile implements StoreFile {
  chunks: (Uint8Array | undefined)[] = [];
  #size = 0;
  dirty = new Set<number>();
  /** Chunks at or beyond this index were dropped by a truncate and must be deleted. */
  droppedFrom = Infinity;
  sizeChanged = false;

  static fromChunks(size: number, chunks: Map<number, Uint8Array>): ChunkedFile {
    const f = new ChunkedFile();
    f.#size = size;
    for (const [i, c] of chunks) if (i * CHUNK < size) f.chunks[i] = c;
    return f;
  }
  read(view: Uint8Array, at: number): number {
    const end = Math.min(at + view.length, this.#size);
    let pos = at;
    while (pos < end) {
      const i = Math.floor(pos / CHUNK);
      const off = pos - i * CHUNK;
      const n = Math.min(CHUNK - off, end - pos);
      const c = this.chunks[i];
      if (c) view.set(c.subarray(off, off + n), pos - at);
      else view.fill(0, pos - at, pos - at + n);
      pos += n;
    }
    return Math.max(0, end - at);
  }
  write(view: Uint8Array, at: number): number {
    const end = at + view.length;
    let pos = at;
    while (pos < end) {
      const i = Math.floor(pos / CHUNK);
      const off = pos - i * CHUNK;
      const n = Math.min(CHUNK - off, end - pos);
      let c = this.chunks[i];
      if (!c) c = this.chunks[i] = new Uint8Array(CHUNK);
      c.set(view.subarray(pos - at, pos - at + n), off);
      this.dirty.add(i);
      pos += n;
    }
    if (end > this.#size) {
      this.#size = end;
      this.sizeChanged = true;
    }
    return view.length;
  }
  size(): number {
    return this.#size;
  }
  truncate(size: number): void {
    const keep = Math.ceil(size / CHUNK);
    if (keep < this.chunks.length) {
      this.chunks.length = keep;
      this.droppedFrom = Math.min(this.droppedFrom, keep);
    }
    const last = this.chunks[keep - 1];
    if (last && size % CHUNK) {
      last.fill(0, size % CHUNK);
      this.dirty.add(keep - 1);
    }
    if (size !== this.#size) this.sizeChanged = true;
    this.#size = size;
    for (const i of this.dirty) if (i >= keep) this.dirty.delete(i);
  }
  flush(): void {}
  get hasChanges(): boolean {
    return this.dirty.size > 0 || this.sizeChanged || this.droppedFrom !== Infinity;
  }
}

function idbRequest<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function idbDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new DOMException('transaction aborted', 'AbortError'));
  });
}

export const IDB_PREFIX = 'episodes-core:';

export async function openIdb(name: string): Promise<BrowserStorage> {
  if (typeof indexedDB === 'undefined') throw coreError({ code: ErrorCode.unsupported, message: 'neither OPFS nor IndexedDB is available here' });
  let idb: IDBDatabase;
  try {
    const req = indexedDB.open(IDB_PREFIX + name, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore('chunks');
      req.result.createObjectStore('meta');
    };
    idb = await idbRequest(req);
  } catch (e) {
    throw coreError({ code: ErrorCode.io, message: `cannot open IndexedDB storage: ${(e as Error)?.message ?? e}` }, e);
  }
  const tx = idb.transaction(['chunks', 'meta'], 'readonly');
  const [size, keys, values] = await Promise.all([
    idbRequest(tx.objectStore('meta').get('size')) as Promise<number | undefined>,
    idbRequest(tx.objectStore('chunks').getAllKeys()) as Promise<IDBValidKey[]>,
    idbRequest(tx.objectStore('chunks').getAll()) as Promise<Uint8Array[]>,
  ]);
  const chunks = new Map<number, Uint8Array>();
  keys.forEach((k, i) => chunks.set(k as number, values[i]));
  const dbFile = `${name}.sqlite`;
  const db = ChunkedFile.fromChunks(size ?? 0, chunks);
  const journal = new ChunkedFile();  // never persisted: the IndexedDB transaction is atomic
  let closed = false;
  let pending: Promise<void> = Promise.resolve();
  const commitNow = async () => {
    if (!db.hasChanges) return;
    const t = idb.transaction(['chunks', 'meta'], 'readwrite', { durability: 'strict' });
    const store = t.objectStore('chunks');
    if (db.droppedFrom !== Infinity) store.delete(IDBKeyRange.lowerBound(db.droppedFrom));
    for (const i of db.dirty) {
      const c = db.chunks[i];
      if (c) store.put(c, i);  // put() clones synchronously: later writes cannot leak in
    }
    t.objectStore('meta').put(db.size(), 'size');
    db.dirty.clear();
    db.droppedFrom = Infinity;
    db.sizeChanged = false;
    try {
      await idbDone(t);
    } catch (e) {
      throw coreError({ code: ErrorCode.io, message: `saving to IndexedDB failed: ${(e as Error)?.message ?? e}` }, e);
    }
  };
  return {
    kind: 'idb',
    dbFile,
    files: { [dbFile]: db, [`${dbFile}-journal`]: journal },
    commit() {
      pending = pending.then(commitNow, commitNow);
      return pending;
    },
    close() {
      if (closed) return;
      closed = true;
      idb.close();
    },
  };
}

/** Opens the storage asked for ("auto": OPFS when this scope has sync access handles). */
export async function openBrowserStorage(name: string, choice: 'auto' | 'opfs' | 'idb'): Promise<BrowserStorage> {
  if (choice === 'opfs' || (choice === 'auto' && hasOpfs())) {
    if (!hasOpfs()) throw coreError({ code: ErrorCode.unsupported, message: 'OPFS sync access handles are not available in this scope (a dedicated worker on a secure origin is required)' });
    return openOpfs(name);
  }
  return openIdb(name);
}

/** Deletes a database's stored files (tests and "forget this database"). Not used by reset. */
export async function deleteBrowserStorage(name: string): Promise<void> {
  if (hasOpfs()) {
    const root = await (globalThis as unknown as { navigator: { storage: { getDirectory(): Promise<OpfsDirectoryHandle> } } }).navigator.storage.getDirectory();
    const dir = await root.getDirectoryHandle(OPFS_DIRECTORY, { create: true });
    for (const f of [`${name}.sqlite`, `${name}.sqlite-journal`]) await dir.removeEntry(f).catch(() => {});
  }
  if (typeof indexedDB !== 'undefined') await idbRequest(indexedDB.deleteDatabase(IDB_PREFIX + name)).catch(() => {});
}

export { CoreError };
