// The first thing the dashboard's HTML runs (an inline async module script in <head>,
// app/layout.tsx), long before Next.js has loaded and hydrated the page (issue 13, cold start;
// docs/adr/0021-early-core-boot.md): it starts the core's worker and sends it the open request,
// so the wasm download and compile, the OPFS open and (first visit) the prebuilt demo database
// all happen while the page's own JS loads, instead of after it. It also fetches the core's glue
// and wasm (and on a first visit the demo database) at once, while the worker's own modules
// load: the worker then reads them from the HTTP cache (/core/* is served with Cache-Control:
// public, max-age=3600).
//
// The worker is the same code as Next's bundle of web/src/core/core.worker.ts, served as one
// module at a fixed URL (tools/core_worker.mjs, run by scripts/run.sh): the bundle's hashed name
// is known only to the page's JS. The open request is built here at build time by the client's
// own openRequest() from the dashboard's options, and lib/core.ts passes the started worker to
// openCore({started}), which adopts it only when its own request is the same; if the worker's
// script does not load, the client starts its usual (bundled) worker with the same request.
// Nothing here reads or writes data: the client and the worker stay the only doors to it.
import { DEMO_SEED, openRequest, type OpenOptions, type StartedWorker } from '@/core/client';
import { demoFileName } from '@/core/demo_file.mjs';
import { OPFS_DIRECTORY } from '@/core/persistence';
import { ACTOR } from './actors';

/** Where the browser build of the core is served (scripts/run.sh copies it to public/core/). */
export const CORE_MODULE_URL = '/core/episodes_core_web.js';
/**
 * Its wasm, gzip-compressed once at build time (scripts/run.sh): `next start` would otherwise
 * gzip the 1 MB file again for every request, on the cold start's critical path. The worker
 * decompresses it as it streams into the compiler (core.worker.ts); the plain .wasm next to it
 * stays for the glue's own fallback and for other clients.
 */
export const CORE_WASM_URL = '/core/episodes_core_web.wasm.gz';
/** The worker as one module (tools/core_worker.mjs; scripts/run.sh writes public/core/worker/). */
export const CORE_WORKER_URL = '/core/worker/core.worker.js';

/**
 * Preloaded from the HTML's head (app/layout.tsx): the worker's script (the worker starts only
 * when it has it) and the glue, both small. The early script fetches the same URLs (so the
 * preloads are used), the worker reads them from the HTTP cache. Not the wasm: 466 KB at high
 * priority from the parser delayed Next's chunks, and the early script requests it anyway.
 */
export const CORE_PRELOADS = [CORE_WORKER_URL, CORE_MODULE_URL];

/** The dashboard's core: the default database, opened on the demo data the first time. */
export const DASHBOARD_CORE: OpenOptions = { moduleUrl: CORE_MODULE_URL, wasmUrl: CORE_WASM_URL, demoIfEmpty: true };

/** The worker the early script started (window.__ecEarly), if any; taken once. */
export function takeStartedWorker(): StartedWorker | null {
  if (typeof window === 'undefined') return null;
  const w = window as unknown as { __ecEarly?: StartedWorker | null };
  const e = w.__ecEarly;
  w.__ecEarly = null;
  return e && typeof e === 'object' && typeof e.worker?.postMessage === 'function' && e.open?.type === 'open' && Array.isArray(e.messages) ? e : null;
}

const open = openRequest(DASHBOARD_CORE, 0);

// Plain ES5 (it is not compiled). The worker's name is the client's ("episodes-core").
// On a first visit (no database file in OPFS yet: only the name is looked up, the file is not
// opened, so the worker's exclusive handle is never in the way) it also fetches the prebuilt
// demo database; the worker still checks it (web/src/core/demo.ts). Its small manifest is
// fetched at once (the worker reads it on every visit anyway), and the file under the name
// tools/demo_db.mjs gives it (core/demo_file.mjs) without waiting for the manifest's answer;
// the manifest's name is fetched too if it is another. A browser where the dashboard
// never chose an actor (no "ec.actor" in localStorage) is taken as a first visit at once: a
// fresh context's first OPFS lookup took 250-600 ms (docs/BENCHMARKS.md "Session 8: cold start,
// the first navigation"). A wrong guess costs one download, never data: the worker decides.
// The script runs as an async module (app/layout.tsx): strict mode, same code.
export const EARLY_BOOT_SCRIPT = `(function(){try{
if(window.__ecEarly!==undefined||typeof Worker!=='function')return;
var open=${JSON.stringify(open)};
var w=new Worker(${JSON.stringify(CORE_WORKER_URL)},{type:'module',name:'episodes-core'});
var e={worker:w,open:open,messages:[],error:null};
w.onmessage=function(ev){e.messages.push(ev.data);};
w.onerror=function(ev){ev.preventDefault();if(e.error===null)e.error=String(ev.message||'the worker did not start');};
w.postMessage(open);
window.__ecEarly=e;
var get=function(u){return fetch(u).then(function(r){if(!r.ok)throw new Error(String(r.status));return r;});};
var keep=function(u){return get(u).then(function(r){return r.arrayBuffer();}).catch(function(){});};
keep(${JSON.stringify(CORE_WORKER_URL)});keep(${JSON.stringify(CORE_MODULE_URL)});keep(${JSON.stringify(CORE_WASM_URL)});
var s=navigator.storage;if(!s||typeof s.getDirectory!=='function')return;
var j=new URL('demo.json',new URL(${JSON.stringify(CORE_MODULE_URL)},location.href)).href;
var man=get(j).then(function(r){return r.json();});man.catch(function(){});
var guess=new URL(${JSON.stringify(demoFileName(DEMO_SEED))},j).href;
var demo=function(){keep(guess);return man.then(function(m){if(m&&typeof m.file==='string'&&new URL(m.file,j).href!==guess)return keep(new URL(m.file,j).href);});};
var seen=null;try{seen=localStorage.getItem(${JSON.stringify(ACTOR)});}catch(x){}
if(seen===null){demo().catch(function(){});return;}
s.getDirectory().then(function(d){return d.getDirectoryHandle(${JSON.stringify(OPFS_DIRECTORY)});})
.then(function(d){return d.getFileHandle(${JSON.stringify(`${open.name}.sqlite`)});})
.then(function(){return false;},function(x){return !!x&&x.name==='NotFoundError';})
.then(function(first){if(first)return demo();}).catch(function(){});
}catch(x){}})();`;
