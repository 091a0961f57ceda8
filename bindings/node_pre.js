// --extern-pre-js for the Node ES-module build. Emscripten 3.1.6 emits `require(...)` and
// `__dirname` in its Node shell even with EXPORT_ES6, and neither exists in an ES module.
// This runs at the top of the .mjs, outside the factory, so the names are module-scoped.
import { createRequire as __ecCreateRequire } from 'node:module';
import { fileURLToPath as __ecFileURLToPath } from 'node:url';
import { dirname as __ecDirname } from 'node:path';
const require = __ecCreateRequire(import.meta.url);
const __filename = __ecFileURLToPath(import.meta.url);
const __dirname = __ecDirname(__filename);
// Hide Node 20's global fetch: 3.1.6 would fetch() the .wasm by file path ("Failed to parse
// URL") when no wasmBinary is given. With this the .mjs also loads on its own via fs.
const fetch = undefined;
