// Opens the dashboard's core once per page (lib/core.ts has the helpers around it; this module is
// apart because it imports the client, which only a browser bundle loads).
//
// The client is imported statically, not with import(): it is on the cold start's critical path
// (the page adopts the worker the early script started only once it has the client), and the
// dynamic import cost one more round of chunk requests after the page's own chunks had run
// (docs/BENCHMARKS.md "Session 9: cold start, the first navigation after launch"). Nothing here
// runs at import time.
import { openCore, type Core } from '@/core/client';
import { DASHBOARD_CORE, takeStartedWorker } from './earlyBoot';
import { markTimeline } from './core';

let corePromise: Promise<Core> | null = null;

/** Opens the core once per page; later calls get the same promise. */
export function loadCore(): Promise<Core> {
  if (typeof window === 'undefined') return Promise.reject(new Error('the core runs only in the browser'));
  if (!corePromise) {
    corePromise = (async () => {
      markTimeline('load-core');
      // The build script copies the web build of the core to public/core/. The page's first
      // script (earlyBoot.ts) started the worker and its open request as the HTML arrived.
      // ("client-loaded" is kept for the perf timeline: with the static import it is load-core.)
      markTimeline('client-loaded');
      const core = await openCore({ ...DASHBOARD_CORE, started: takeStartedWorker() });
      markTimeline('core-open');
      return core;
    })();
    corePromise.catch(() => {
      corePromise = null;
    });
  }
  return corePromise;
}

