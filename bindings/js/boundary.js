// The JS half of the wasm boundary, linked into every module (Node, web, mock) with --post-js, so
// it runs inside the Emscripten factory next to the exports (_ec_*) and the heap views. It gives
// the plain C exports of bindings/exports.cpp and bindings/core_handle.cpp the surface embind used
// to give (docs/adr/0033-plain-exports-boundary.md):
//
//   Module.validate(entity, document, mode)  Module.schemaSql()  Module.version()   -> JSON text
//   Module.inspectDatabase(path)  Module.copyDatabase(src, dst)  Module.memoryStats() -> JSON text
//   Module.hasMockGenerator() -> boolean      Module.heldValues() -> JS values the module holds
//   new Module.CoreHandle(path, idSeed): openError() call(text) requestBuffer(capacity)
//     callBuffer(length) setProgress(fn|null) close() isOpen() exportTo(path) importFrom(path)
//     tune(journalMode, synchronous) delete()
//
// Strings go in as UTF-8 written with TextEncoder.encodeInto straight into the module's input
// buffer and come out as a view of the module's answer, decoded with TextDecoder before anything
// else enters the module (bindings/wire.hpp). NUL is an ordinary byte both ways. Wrong argument
// types or counts throw a JS TypeError (as embind did); no C++ exception reaches JS (boundary.hpp).
// bindings/js/core.mjs turns the JSON into results and CoreError.

var ecEncoder = new TextEncoder();
var ecDecoder = new TextDecoder();
// Index in HEAPU32 of the size slot of the last text answer (ec_size), read once.
var ecSizeIndex = 0;
// Handle pointer -> the progress function JS registered (setProgress); ecProgress calls it.
var ecProgressFns = new Map();
// Up to this many UTF-16 units in all, the input buffer is asked for 3 bytes a unit (the most
// UTF-8 needs) and written in place; a larger input is encoded first and placed at its exact size,
// so a huge request does not grow the module's memory three times its size.
var ecInPlaceUnits = 1 << 20;

function ecView(ptr) {
  if (!ecSizeIndex) ecSizeIndex = _ec_size() >> 2;
  return HEAPU8.subarray(ptr, ptr + HEAPU32[ecSizeIndex]);
}

function ecText(ptr) {
  return ecDecoder.decode(ecView(ptr));
}

// Checks the argument count, and that the first `strings` arguments are strings.
function ecArity(name, args, count, strings) {
  if (args.length !== count)
    throw new TypeError(name + ' called with ' + args.length + ' arguments, expected ' + count);
  for (var i = 0; i < strings; i++) {
    if (typeof args[i] !== 'string')
      throw new TypeError(name + ': argument ' + (i + 1) + ' must be a string, got ' + typeof args[i]);
  }
}

// The answer when the input cannot be placed in the module's memory (never entering an export).
function ecTooBig(bytes) {
  return '{"ok":false,"error":{"code":"internal","message":"out of memory: ' + bytes +
    ' bytes of input do not fit in the module\'s memory","path":[],"issues":[]}}';
}

// Writes the UTF-8 of `strings` one after the other into the input buffer. Returns
// [pointer0, length0, pointer1, length1, …], or a number (the bytes needed) when out of memory.
function ecPut(strings) {
  var units = 0;
  var out = [];
  var i;
  for (i = 0; i < strings.length; i++) units += strings[i].length;
  if (units <= ecInPlaceUnits) {
    var base = _ec_input(units * 3);
    if (base) {
      var end = base + units * 3;
      for (i = 0; i < strings.length; i++) {
        var written = ecEncoder.encodeInto(strings[i], HEAPU8.subarray(base, end)).written;
        out.push(base, written);
        base += written;
      }
      return out;
    }
  }
  var bytes = strings.map(function (s) { return ecEncoder.encode(s); });
  var total = 0;
  for (i = 0; i < bytes.length; i++) total += bytes[i].length;
  var at = _ec_input(total);
  if (!at) return total;
  for (i = 0; i < bytes.length; i++) {
    HEAPU8.set(bytes[i], at);
    out.push(at, bytes[i].length);
    at += bytes[i].length;
  }
  return out;
}

// The length of the string ecPut1 placed last (or, when it returned 0, the bytes it needed).
var ecLength = 0;

// ecPut for one string without the arrays (every call's path): its pointer, 0 when out of memory.
function ecPut1(s) {
  var units = s.length;
  if (units <= ecInPlaceUnits) {
    var p = _ec_input(units * 3);
    if (p) {
      ecLength = ecEncoder.encodeInto(s, HEAPU8.subarray(p, p + units * 3)).written;
      return p;
    }
  }
  var args = ecPut([s]);
  if (typeof args === 'number') {
    ecLength = args;
    return 0;
  }
  ecLength = args[1];
  return args[0];
}

// Runs `run(args)` with the strings placed (see ecPut); out of memory -> error JSON.
function ecWith(strings, run) {
  var args = ecPut(strings);
  return typeof args === 'number' ? ecTooBig(args) : run(args);
}

// Called by the module (library_boundary.js) while a handle's operation reports progress. A
// throwing callback must not unwind through C++ frames, so nothing it throws gets out of here.
function ecProgress(handle, done, total, phase, length) {
  var fn = ecProgressFns.get(handle);
  if (!fn) return;
  try {
    fn(done, total, ecDecoder.decode(HEAPU8.subarray(phase, phase + length)));
  } catch (e) {
    // bindings/js/core.mjs documents that a callback's exceptions are swallowed.
  }
}

class ECCoreHandle {
  constructor(path, idSeed) {
    ecArity('CoreHandle', arguments, 2, 1);
    if (typeof idSeed !== 'number') throw new TypeError('CoreHandle: idSeed must be a number');
    this.ptr = 0;
    this.failure = '';
    this.request = 0;  // requestBuffer's pointer
    var p = ecPut1(path);
    if (p) this.ptr = _ec_open(p, ecLength, idSeed);
    if (!this.ptr) this.failure = ecTooBig(ecLength);
  }
  live() {
    if (!this.ptr) throw new Error('CoreHandle used after delete()');
    return this.ptr;
  }
  // "" when the database opened, else error JSON.
  openError() {
    if (!this.ptr) return this.failure;
    return ecText(_ec_open_error(this.ptr));
  }
  call(request) {
    ecArity('call', arguments, 1, 1);
    var h = this.live();
    var p = ecPut1(request);
    return p ? ecText(_ec_call(h, p, ecLength)) : ecTooBig(ecLength);
  }
  // The request's UTF-8 written by the caller into this view (encodeInto), then callBuffer(length)
  // runs it and returns a view of the answer's UTF-8 (valid until the next call into the module).
  // An empty view (capacity refused or out of memory) means: use call().
  requestBuffer(capacity) {
    ecArity('requestBuffer', arguments, 1, 0);
    this.live();
    var bytes = capacity >= 0 && capacity <= 1610612736 /* 3 * 2^29 */ ? Math.floor(capacity) : 0;
    this.request = _ec_input(bytes);
    return this.request ? HEAPU8.subarray(this.request, this.request + bytes) : new Uint8Array(0);
  }
  callBuffer(length) {
    ecArity('callBuffer', arguments, 1, 0);
    var h = this.live();
    // A length outside the buffer (or a buffer given away since) is refused by the module.
    var n = length >= 0 && length <= 0xffffffff ? Math.floor(length) : 0xffffffff;
    return ecView(_ec_call(h, this.request, n));
  }
  // progress(done, total, phase) during long operations; null or undefined to clear.
  setProgress(fn) {
    ecArity('setProgress', arguments, 1, 0);
    var h = this.live();
    if (fn !== null && fn !== undefined && typeof fn !== 'function')
      throw new TypeError('setProgress: a function or null expected');
    var answer = ecText(_ec_set_progress(h, fn ? 1 : 0));
    if (fn && answer === '{"ok":true}') ecProgressFns.set(h, fn);
    else ecProgressFns.delete(h);
    return answer;
  }
  close() {
    var h = this.live();
    ecProgressFns.delete(h);
    return ecText(_ec_close(h));
  }
  isOpen() {
    return _ec_is_open(this.live()) !== 0;
  }
  exportTo(path) {
    ecArity('exportTo', arguments, 1, 1);
    var h = this.live();
    var p = ecPut1(path);
    return p ? ecText(_ec_export_to(h, p, ecLength)) : ecTooBig(ecLength);
  }
  importFrom(path) {
    ecArity('importFrom', arguments, 1, 1);
    var h = this.live();
    var p = ecPut1(path);
    return p ? ecText(_ec_import_from(h, p, ecLength)) : ecTooBig(ecLength);
  }
  tune(journalMode, synchronous) {
    ecArity('tune', arguments, 2, 2);
    var h = this.live();
    return ecWith([journalMode, synchronous], function (a) {
      return ecText(_ec_tune(h, a[0], a[1], a[2], a[3]));
    });
  }
  // Releases the handle (closing the database if still open). Idempotent.
  delete() {
    if (!this.ptr) return;
    ecProgressFns.delete(this.ptr);
    _ec_delete(this.ptr);
    this.ptr = 0;
  }
}

Module['CoreHandle'] = ECCoreHandle;
Module['validate'] = function (entity, document, mode) {
  ecArity('validate', arguments, 3, 3);
  return ecWith([entity, document, mode], function (a) {
    return ecText(_ec_validate(a[0], a[1], a[2], a[3], a[4], a[5]));
  });
};
Module['schemaSql'] = function () {
  ecArity('schemaSql', arguments, 0, 0);
  return ecText(_ec_schema_sql());
};
Module['version'] = function () {
  ecArity('version', arguments, 0, 0);
  return ecText(_ec_version());
};
Module['hasMockGenerator'] = function () {
  return _ec_has_mock_generator() !== 0;
};
Module['inspectDatabase'] = function (path) {
  ecArity('inspectDatabase', arguments, 1, 1);
  var p = ecPut1(path);
  return p ? ecText(_ec_inspect_database(p, ecLength)) : ecTooBig(ecLength);
};
Module['copyDatabase'] = function (src, dst) {
  ecArity('copyDatabase', arguments, 2, 2);
  return ecWith([src, dst], function (a) { return ecText(_ec_copy_database(a[0], a[1], a[2], a[3])); });
};
Module['memoryStats'] = function () {
  ecArity('memoryStats', arguments, 0, 0);
  return ecText(_ec_memory_stats());
};
// The JS values the module holds for C++ (the registered progress functions): what embind's
// emval handle count used to say; it must not grow with calls.
Module['heldValues'] = function () {
  return ecProgressFns.size;
};
