// The module's one JS import of the boundary (--js-library for every module): a handle's progress
// report, from the C++ lambda core_handle.cpp installs with setProgress, to the function JS
// registered for that handle (ecProgress in bindings/js/boundary.js, the --post-js).
mergeInto(LibraryManager.library, {
  ec_progress: function (handle, done, total, phase, length) {
    ecProgress(handle, done, total, phase, length);
  },
});
