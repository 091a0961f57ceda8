/**
 * ECVFS: the file table under the browser builds' SQLite VFS (bindings/browser_vfs.cpp), linked
 * with --js-library and exported as Module.ECVFS. The browser modules have no Emscripten file
 * system (-sFILESYSTEM=0): SQLite's files are either
 *   - the host's "store files", registered by name before SQLite opens them (OPFS sync access
 *     handles cannot be opened from inside a synchronous SQLite call):
 *       const release = Module.ECVFS.mount('/db', { 'main.sqlite': db, 'main.sqlite-journal': j });
 *     A store file is { read(u8, at) -> n, write(u8, at) -> n, size() -> n, truncate(n), flush() }.
 *     Only the names given exist under that directory. One of size 0 that was not created in this
 *     session counts as absent, and deleting one truncates it to 0 (SQLite treats an empty
 *     journal as no journal, so a rollback journal maps onto one pre-opened handle). xSync ->
 *     flush(): SQLite's commit protocol decides when data must be durable.
 *   - in-memory files (ECVFS.memoryFile(): the same interface over a growable Uint8Array),
 *     created when SQLite (or writeFile) creates a name outside every mounted directory, and
 *     for SQLite's nameless temporary files.
 * The host reads and writes whole files with readFile / writeFile / exists / size / truncate /
 * unlink. An exception of a store file becomes an SQLite I/O error (SQLITE_FULL for a
 * QuotaExceededError); the exception itself is kept in ECVFS.lastError for the host.
 * Locks follow the unix VFS's in-process rules (one SHARED count and one writer per file).
 */
mergeInto(LibraryManager.library, {
  // Internals are library symbols of their own (plain variables and functions of the glue, which
  // the minifier renames); only the host's API is a property of ECVFS.
  /** path -> { f: file, store: true for the host's, present, lk: { level, shared } }. */
  $ecvfsFiles: {},
  /** Mounted directories (path -> true): names under them cannot be created. */
  $ecvfsDirs: {},
  /** Open files: id -> { e: entry, lv: lock level, del: path to delete on close }. */
  $ecvfsOpen: {},
  $ecvfsNextId: 1,
  $ecvfsMemoryFile: function() {
    var data = new Uint8Array(0);
    var length = 0;
    var grow = function(n) {
      if (n <= data.length) return;
      var bigger = new Uint8Array(Math.max(n, data.length * 2, 4096));
      bigger.set(data.subarray(0, length));
      data = bigger;
    };
    return {
      read: function(view, at) {
        var n = Math.max(0, Math.min(view.length, length - at));
        view.set(data.subarray(at, at + n));
        return n;
      },
      write: function(view, at) {
        grow(at + view.length);
        if (at > length) data.fill(0, length, at);
        data.set(view, at);
        length = Math.max(length, at + view.length);
        return view.length;
      },
      size: function() { return length; },
      truncate: function(n) {
        if (n > length) { grow(n); data.fill(0, length, n); }
        length = n;
      },
      flush: function() {},
    };
  },
  $ecvfsEntry: function(f, store) {
    return { f: f, store: store, present: !store, lk: { level: 0, shared: 0 } };
  },
  $ecvfsDirOf: function(path) {
    return path.slice(0, path.lastIndexOf('/'));
  },
  /** Runs fn on a store file; an exception -> ECVFS.lastError and `rc` (an SQLite code). */
  $ecvfsGuard__deps: ['$ECVFS'],
  $ecvfsGuard: function(rc, fn) {
    try {
      fn();
      return 0;
    } catch (e) {
      ECVFS.lastError = e;
      return e && e.name === 'QuotaExceededError' ? 13 /* SQLITE_FULL */ : rc;
    }
  },
  $ecvfsExists__deps: ['$ecvfsFiles'],
  $ecvfsExists: function(path) {
    var e = ecvfsFiles[path];
    return !!e && (e.present || e.f.size() > 0);
  },
  $ecvfsGet__deps: ['$ecvfsExists', '$ecvfsFiles'],
  $ecvfsGet: function(path) {
    if (!ecvfsExists(path)) throw new Error('no such file: ' + path);
    return ecvfsFiles[path];
  },

  // --- the host's side ---------------------------------------------------------------------
  $ECVFS__deps: ['$ecvfsFiles', '$ecvfsDirs', '$ecvfsMemoryFile', '$ecvfsEntry', '$ecvfsDirOf',
    '$ecvfsExists', '$ecvfsGet'],
  $ECVFS__postset: 'Module["ECVFS"] = ECVFS;',
  $ECVFS: {
    /** The last exception a store file threw. */
    lastError: null,
    /** A new in-memory file (a store file over a growable Uint8Array). */
    memoryFile: function() { return ecvfsMemoryFile(); },
    /** Registers `files` (name -> store file) under `dir`; returns the unmount function. */
    mount: function(dir, files) {
      if (ecvfsDirs[dir]) throw new Error(dir + ' is already mounted');
      ecvfsDirs[dir] = true;
      Object.keys(files).forEach(function(name) {
        ecvfsFiles[dir + '/' + name] = ecvfsEntry(files[name], true);
      });
      return function() { ECVFS.unmount(dir); };
    },
    unmount: function(dir) {
      delete ecvfsDirs[dir];
      Object.keys(ecvfsFiles).forEach(function(path) {
        if (ecvfsFiles[path].store && ecvfsDirOf(path) === dir) delete ecvfsFiles[path];
      });
    },
    exists: function(path) { return ecvfsExists(path); },
    /** A copy of a whole file. */
    readFile: function(path) {
      var f = ecvfsGet(path).f;
      var out = new Uint8Array(f.size());
      var n = f.read(out, 0);
      return n === out.length ? out : out.subarray(0, n);
    },
    /** Replaces a file's content (created in memory when it is not a store file), flushed. */
    writeFile: function(path, bytes) {
      var e = ecvfsFiles[path];
      if (!e) {
        if (ecvfsDirs[ecvfsDirOf(path)]) throw new Error('cannot create ' + path + ': not a stored file');
        e = ecvfsFiles[path] = ecvfsEntry(ecvfsMemoryFile(), false);
      }
      e.f.truncate(0);
      for (var at = 0; at < bytes.length;) {
        var n = e.f.write(bytes.subarray(at), at);
        if (!(n > 0)) throw new Error('short write to ' + path);
        at += n;
      }
      e.f.flush();
      e.present = true;
    },
    size: function(path) {
      return ecvfsGet(path).f.size();
    },
    truncate: function(path, n) {
      ecvfsGet(path).f.truncate(n);
    },
    unlink: function(path) {
      var e = ecvfsGet(path);
      if (e.store) {
        e.f.truncate(0);
        e.f.flush();
        e.present = false;
      } else {
        delete ecvfsFiles[path];
      }
    },
  },

  // --- SQLite's side (bindings/browser_vfs.cpp) ---------------------------------------------------
  ecvfs_open__deps: ['$ECVFS', '$ecvfsFiles', '$ecvfsDirs', '$ecvfsOpen', '$ecvfsNextId',
    '$ecvfsMemoryFile', '$ecvfsEntry', '$ecvfsDirOf', '$ecvfsGuard'],
  ecvfs_open: function(zName, flags) {
    var e;
    var del = (flags & 8 /* DELETEONCLOSE */) !== 0;
    if (!zName) {
      e = ecvfsEntry(ecvfsMemoryFile(), false);  // a temporary file: this handle only
      del = false;
    } else {
      var path = UTF8ToString(zName);
      e = ecvfsFiles[path];
      var create = (flags & 4 /* CREATE */) !== 0;
      if (!e) {
        if (!create || ecvfsDirs[ecvfsDirOf(path)]) return 0;
        e = ecvfsFiles[path] = ecvfsEntry(ecvfsMemoryFile(), false);
      } else if (!e.present) {
        var size = 0;
        if (ecvfsGuard(1, function() { size = e.f.size(); }) !== 0) return 0;
        if (size === 0 && !create) return 0;
        e.present = true;
      }
      if (del) del = path;
    }
    var id = ecvfsNextId++;
    ecvfsOpen[id] = { e: e, lv: 0, del: del };
    return id;
  },
  ecvfs_close__deps: ['$ecvfsOpen', 'ecvfs_unlock', '$ecvfsDelete'],
  ecvfs_close: function(id) {
    var h = ecvfsOpen[id];
    _ecvfs_unlock(id, 0);
    delete ecvfsOpen[id];
    return h.del ? ecvfsDelete(h.del) : 0;
  },
  ecvfs_read__deps: ['$ecvfsOpen', '$ecvfsGuard'],
  ecvfs_read: function(id, buf, amount, offset) {
    var view = HEAPU8.subarray(buf, buf + amount);
    var n = 0;
    var rc = ecvfsGuard(266 /* SQLITE_IOERR_READ */, function() { n = ecvfsOpen[id].e.f.read(view, offset); });
    if (rc) return rc === 13 ? 266 : rc;
    if (n >= amount) return 0;
    view.fill(0, Math.max(n, 0));  // SQLite requires the rest zero-filled
    return 522; /* SQLITE_IOERR_SHORT_READ */
  },
  ecvfs_write__deps: ['$ecvfsOpen', '$ecvfsGuard'],
  ecvfs_write: function(id, buf, amount, offset) {
    var view = HEAPU8.subarray(buf, buf + amount);
    var f = ecvfsOpen[id].e.f;
    return ecvfsGuard(778 /* SQLITE_IOERR_WRITE */, function() {
      for (var at = 0; at < amount;) {
        var n = f.write(view.subarray(at), offset + at);
        if (!(n > 0)) throw new Error('the store file wrote ' + n + ' of ' + (amount - at) + ' bytes');
        at += n;
      }
    });
  },
  ecvfs_truncate__deps: ['$ecvfsOpen', '$ecvfsGuard'],
  ecvfs_truncate: function(id, size) {
    return ecvfsGuard(1546 /* SQLITE_IOERR_TRUNCATE */, function() { ecvfsOpen[id].e.f.truncate(size); });
  },
  ecvfs_sync__deps: ['$ecvfsOpen', '$ecvfsGuard'],
  ecvfs_sync: function(id) {
    return ecvfsGuard(1034 /* SQLITE_IOERR_FSYNC */, function() { ecvfsOpen[id].e.f.flush(); });
  },
  ecvfs_size__deps: ['$ecvfsOpen', '$ecvfsGuard'],
  ecvfs_size: function(id, out) {
    var size = 0;
    var rc = ecvfsGuard(1802 /* SQLITE_IOERR_FSTAT */, function() { size = ecvfsOpen[id].e.f.size(); });
    HEAPF64[out >> 3] = size;
    return rc;
  },
  // Levels: 0 none, 1 SHARED, 2 RESERVED, 3 PENDING, 4 EXCLUSIVE; the unix VFS's in-process rules
  // (unixLock / posixUnlock): lk.level is the strongest lock any handle holds on the file.
  ecvfs_lock__deps: ['$ecvfsOpen'],
  ecvfs_lock: function(id, level) {
    var h = ecvfsOpen[id];
    var lk = h.e.lk;
    if (h.lv >= level) return 0;
    if (lk.level !== h.lv && (lk.level >= 3 || level > 1)) return 5; /* SQLITE_BUSY */
    if (level === 1) {
      lk.shared++;
      if (lk.level === 0) lk.level = 1;
    } else if (level === 4 && lk.shared > 1) {
      lk.level = h.lv = 3;  // PENDING: no new readers until the others are gone
      return 5;
    } else {
      lk.level = level;
    }
    h.lv = level;
    return 0;
  },
  ecvfs_unlock__deps: ['$ecvfsOpen'],
  ecvfs_unlock: function(id, level) {
    var h = ecvfsOpen[id];
    var lk = h.e.lk;
    if (h.lv <= level) return 0;
    if (h.lv > 1) lk.level = 1;
    if (level === 0) {
      if (--lk.shared === 0) lk.level = 0;
    }
    h.lv = level;
    return 0;
  },
  ecvfs_reserved__deps: ['$ecvfsOpen'],
  ecvfs_reserved: function(id, out) {
    HEAP32[out >> 2] = ecvfsOpen[id].e.lk.level > 1 ? 1 : 0;
    return 0;
  },
  $ecvfsDelete__deps: ['$ecvfsFiles', '$ecvfsGuard', '$ecvfsExists'],
  $ecvfsDelete: function(path) {
    var e = ecvfsFiles[path];
    var there = false;
    var rc = ecvfsGuard(2570 /* SQLITE_IOERR_DELETE */, function() { there = ecvfsExists(path); });
    if (rc) return rc;
    if (!there) return 5898; /* SQLITE_IOERR_DELETE_NOENT */
    if (!e.store) {
      delete ecvfsFiles[path];
      return 0;
    }
    e.present = false;
    return ecvfsGuard(2570 /* SQLITE_IOERR_DELETE */, function() { e.f.truncate(0); e.f.flush(); });
  },
  ecvfs_delete__deps: ['$ecvfsDelete'],
  ecvfs_delete: function(zName) {
    return ecvfsDelete(UTF8ToString(zName));
  },
  ecvfs_access__deps: ['$ecvfsFiles', '$ecvfsGuard', '$ecvfsExists'],
  ecvfs_access: function(zName, flags) {
    // SQLITE_ACCESS_EXISTS: present and not empty (as the unix VFS); READWRITE: it is there.
    var path = UTF8ToString(zName);
    var yes = false;
    ecvfsGuard(0, function() {
      yes = flags === 0 ? ecvfsFiles[path] !== undefined && ecvfsFiles[path].f.size() > 0 : ecvfsExists(path);
    });
    return yes ? 1 : 0;
  },
  ecvfs_random: function(amount, buf) {
    crypto.getRandomValues(HEAPU8.subarray(buf, buf + amount));
  },
  ecvfs_now: function() {
    return Date.now();
  },
});
