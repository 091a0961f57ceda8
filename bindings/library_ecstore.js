/**
 * ECSTORE: a tiny Emscripten file system (--js-library) whose files are backed by synchronous
 * "store files" supplied by the host, e.g. OPFS FileSystemSyncAccessHandles opened in advance
 * by the web worker (createSyncAccessHandle is async, so files cannot be opened on demand from
 * inside a SQLite call). SQLite's stock unix VFS runs on top, unchanged.
 *
 *   Module.FS.mkdir('/opfs');
 *   Module.FS.mount(Module.ECSTORE, { files: { 'main.sqlite': db, 'main.sqlite-journal': journal } }, '/opfs');
 *
 * A store file is { read(u8, at) -> n, write(u8, at) -> n, size() -> n, truncate(n), flush() }.
 * Only the names given at mount time exist in the (flat) directory. A file of size 0 that was
 * not created in this session reads as absent and unlink() truncates to 0: SQLite itself treats
 * an empty journal as no journal, so a rollback journal maps onto one pre-opened handle.
 * fsync() -> flush(): with synchronous=FULL/NORMAL, SQLite's commit protocol decides when data
 * must be durable, and a commit returns only after those flushes.
 */
mergeInto(LibraryManager.library, {
  $ECSTORE__deps: ['$FS'],
  $ECSTORE__postset: 'Module["ECSTORE"] = ECSTORE;',
  $ECSTORE: {
    DIR_MODE: {{{ cDefine('S_IFDIR') }}} | 511 /* 0777 */,
    FILE_MODE: {{{ cDefine('S_IFREG') }}} | 438 /* 0666 */,
    /** The last exception a store file threw (the host reports it with the SQLite I/O error). */
    lastError: null,
    mount: function(mount) {
      var files = (mount.opts && mount.opts.files) || {};
      var root = FS.createNode(null, '/', ECSTORE.DIR_MODE, 0);
      root.node_ops = ECSTORE.dir_node_ops;
      root.stream_ops = ECSTORE.dir_stream_ops;
      root.timestamp = Date.now();
      root.ecEntries = {};
      Object.keys(files).forEach(function(name) {
        root.ecEntries[name] = { file: files[name], present: false };
      });
      return root;
    },
    guard: function(fn) {
      try {
        return fn();
      } catch (e) {
        if (e instanceof FS.ErrnoError) throw e;
        ECSTORE.lastError = e;
        var full = e && (e.name === 'QuotaExceededError');
        throw new FS.ErrnoError(full ? {{{ cDefine('ENOSPC') }}} : {{{ cDefine('EIO') }}});
      }
    },
    exists: function(entry) {
      return entry.present || ECSTORE.guard(function() { return entry.file.size(); }) > 0;
    },
    fileNode: function(parent, name, entry) {
      var node = FS.createNode(parent, name, ECSTORE.FILE_MODE, 0);
      node.node_ops = ECSTORE.file_node_ops;
      node.stream_ops = ECSTORE.file_stream_ops;
      node.timestamp = Date.now();
      node.ecEntry = entry;
      return node;
    },
    attr: function(node, mode, size) {
      var t = new Date(node.timestamp);
      return { dev: 1, ino: node.id, mode: mode, nlink: 1, uid: 0, gid: 0, rdev: 0, size: size,
               atime: t, mtime: t, ctime: t, blksize: 4096, blocks: Math.ceil(size / 4096) };
    },
    dir_node_ops: {
      getattr: function(node) { return ECSTORE.attr(node, node.mode, 4096); },
      setattr: function(node, attr) { if (attr.timestamp !== undefined) node.timestamp = attr.timestamp; },
      lookup: function(parent, name) {
        var entry = parent.ecEntries[name];
        if (!entry || !ECSTORE.exists(entry)) throw new FS.ErrnoError({{{ cDefine('ENOENT') }}});
        return ECSTORE.fileNode(parent, name, entry);
      },
      mknod: function(parent, name, mode, dev) {
        var entry = parent.ecEntries[name];
        // Only the pre-opened files can exist: anything else would need an async open.
        if (!entry || !FS.isFile(mode)) throw new FS.ErrnoError({{{ cDefine('EPERM') }}});
        entry.present = true;
        return ECSTORE.fileNode(parent, name, entry);
      },
      unlink: function(parent, name) {
        var entry = parent.ecEntries[name];
        if (!entry) throw new FS.ErrnoError({{{ cDefine('ENOENT') }}});
        ECSTORE.guard(function() { entry.file.truncate(0); entry.file.flush(); });
        entry.present = false;
      },
      rename: function() { throw new FS.ErrnoError({{{ cDefine('EPERM') }}}); },
      rmdir: function() { throw new FS.ErrnoError({{{ cDefine('EPERM') }}}); },
      symlink: function() { throw new FS.ErrnoError({{{ cDefine('EPERM') }}}); },
      readlink: function() { throw new FS.ErrnoError({{{ cDefine('EINVAL') }}}); },
      readdir: function(node) {
        var out = ['.', '..'];
        Object.keys(node.ecEntries).forEach(function(name) {
          if (ECSTORE.exists(node.ecEntries[name])) out.push(name);
        });
        return out;
      },
    },
    dir_stream_ops: {
      llseek: function(stream, offset, whence) { return offset; },
      fsync: function() { return 0; },  // the directory itself has nothing to persist
    },
    file_node_ops: {
      getattr: function(node) {
        return ECSTORE.attr(node, node.mode, ECSTORE.guard(function() { return node.ecEntry.file.size(); }));
      },
      setattr: function(node, attr) {
        if (attr.size !== undefined) ECSTORE.guard(function() { node.ecEntry.file.truncate(attr.size); });
        if (attr.timestamp !== undefined) node.timestamp = attr.timestamp;
      },
    },
    file_stream_ops: {
      read: function(stream, buffer, offset, length, position) {
        if (length === 0) return 0;
        var view = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length);
        return ECSTORE.guard(function() { return stream.node.ecEntry.file.read(view, position); });
      },
      write: function(stream, buffer, offset, length, position, canOwn) {
        if (length === 0) return 0;
        var view = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length);
        stream.node.ecEntry.present = true;
        return ECSTORE.guard(function() { return stream.node.ecEntry.file.write(view, position); });
      },
      llseek: function(stream, offset, whence) {
        var position = offset;
        if (whence === {{{ cDefine('SEEK_CUR') }}}) position += stream.position;
        else if (whence === {{{ cDefine('SEEK_END') }}}) position += ECSTORE.guard(function() { return stream.node.ecEntry.file.size(); });
        if (position < 0) throw new FS.ErrnoError({{{ cDefine('EINVAL') }}});
        return position;
      },
      fsync: function(stream) {
        ECSTORE.guard(function() { stream.node.ecEntry.file.flush(); });
        return 0;
      },
    },
  },
});
