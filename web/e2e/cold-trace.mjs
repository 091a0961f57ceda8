// Where a cold navigation's time goes, from Chromium's own performance trace (issue 13;
// docs/BENCHMARKS.md "Session 9: cold start, the first navigation after launch"). Not a test:
// it drives the same Chromium as web/e2e/playwright.config.ts against a running `next start`,
// opens the browser's blank first page as web/e2e/perf.spec.ts does, then N cold runs (a fresh
// context each) of /projects until the projects table has rows, each traced (CDP Tracing), and
// prints per run: the requests (start-end, ms since navigation start), the main thread's and the
// worker's script work by URL (compile, evaluate), the long tasks, and the ec:* marks.
//   cd web && node e2e/cold-trace.mjs http://127.0.0.1:<port> [runs=3] [out.json] [settle-ms=0]
// settle-ms > 0: each fresh context first shows about:blank for that long, so the new window's
// own start-up (Chromium 156's omnibox-popup renderer, "WebUI Top Renderer" below) is over
// before the dashboard's URL is entered: web/e2e/perf.spec.ts's coldMs.
// EC_TRACE_RAW=/tmp/x also writes each run's whole trace (/tmp/x-<run>.json, for chrome://tracing
// or Perfetto).
import { chromium } from 'playwright-core';
import fs from 'node:fs';

const base = process.argv[2] || 'http://127.0.0.1:3651';
const runs = Number(process.argv[3] || 3);
const out = process.argv[4] || '';
const settleMs = Number(process.argv[5] || 0);

const CATEGORIES = [
  'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'v8',
  'disabled-by-default-v8.compile', 'blink.user_timing', 'loading', 'toplevel', 'navigation',
  'blink', 'netlog', 'disabled-by-default-netlog',
].join(',');

const browser = await chromium.launch({
  executablePath: process.env.EC_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
if (process.env.EC_PERF_BROWSER_WARMUP !== '0') {
  const first = await browser.newContext();
  await (await first.newPage()).goto('about:blank');
  await first.close();
}

const results = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1360, height: 900 }, locale: 'en-GB', timezoneId: 'Europe/London' });
  const page = await context.newPage();
  if (settleMs > 0) {
    await page.goto('about:blank');
    await page.waitForTimeout(settleMs);
  }
  const cdp = await browser.newBrowserCDPSession();
  const chunks = [];
  cdp.on('Tracing.dataCollected', (e) => chunks.push(...e.value));
  const done = new Promise((res) => cdp.once('Tracing.tracingComplete', res));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: CATEGORIES.split(','), recordMode: 'recordAsMuchAsPossible' }, transferMode: 'ReportEvents' });
  await page.goto('/projects');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="projects-table"] tbody tr').length > 0, null, { timeout: 90_000, polling: 10 });
  const list = await page.evaluate(() => performance.now());
  const origin = await page.evaluate(() => performance.timeOrigin);
  await cdp.send('Tracing.end');
  await done;
  await cdp.detach();
  if (process.env.EC_TRACE_RAW) fs.writeFileSync(`${process.env.EC_TRACE_RAW}-${i + 1}.json`, JSON.stringify({ traceEvents: chunks }));
  results.push(summarize(chunks, origin, list, i + 1));
  await context.close();
}
await browser.close();
if (out) fs.writeFileSync(out, JSON.stringify(results, null, 1));
for (const r of results) print(r);

function summarize(events, originMs, listMs, run) {
  // Trace timestamps are µs on the monotonic clock; navigationStart is the page's time origin.
  const nav = events.find((e) => e.name === 'navigationStart' && e.args?.data?.documentLoaderURL?.includes('/projects'))
    ?? events.find((e) => e.name === 'navigationStart' && e.args?.data?.isLoadingMainFrame);
  const t0 = nav ? nav.ts : Math.min(...events.filter((e) => e.ts > 0).map((e) => e.ts));
  const ms = (ts) => Math.round((ts - t0) / 100) / 10;
  const threads = new Map();
  for (const e of events) {
    if (e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name);
  }
  // A renderer's process name can be its whole command line; the browser's own UI renderer
  // (--top-chrome-webui: the omnibox popup) gets the short name recent Chromium traces use.
  const processNames = new Map(events.filter((e) => e.name === 'process_name')
    .map((e) => [e.pid, String(e.args.name).includes('--top-chrome-webui') ? 'WebUI Top Renderer' : e.args.name]));
  const threadOf = (e) => `${processNames.get(e.pid) ?? e.pid}/${threads.get(`${e.pid}:${e.tid}`) ?? e.tid}`;
  // Requests: ResourceSendRequest → ResourceFinish by requestId.
  const req = new Map();
  for (const e of events) {
    const d = e.args?.data;
    if (!d?.requestId) continue;
    if (e.name === 'ResourceWillSendRequest' || e.name === 'ResourceSendRequest') {
      const r = req.get(d.requestId) ?? {};
      r.url ??= d.url;
      r.start = Math.min(r.start ?? Infinity, ms(e.ts));
      r.priority ??= d.priority;
      req.set(d.requestId, r);
    } else if (e.name === 'ResourceReceiveResponse') {
      const r = req.get(d.requestId) ?? {};
      r.response = ms(e.ts);
      r.fromCache = d.fromCache;
      req.set(d.requestId, r);
    } else if (e.name === 'ResourceFinish') {
      const r = req.get(d.requestId) ?? {};
      r.end = ms(e.ts);
      r.bytes = d.encodedDataLength;
      req.set(d.requestId, r);
    }
  }
  const requests = [...req.values()].filter((r) => r.url && r.start > -5).map((r) => ({ ...r, url: r.url.replace(base, '') })).sort((a, b) => a.start - b.start);
  // Script work: compile and evaluate, per thread and URL.
  const work = {};
  const add = (thread, what, url, dur) => {
    const k = `${thread} ${what} ${url}`;
    work[k] = (work[k] ?? 0) + dur;
  };
  const long = [];
  const busy = {};
  for (const e of events) {
    if (e.ph !== 'X' || e.ts < t0) continue;
    const th = threadOf(e);
    const dur = (e.dur ?? 0) / 1000;
    const url = (e.args?.data?.url ?? e.args?.fileName ?? e.args?.data?.streamedUrl ?? '').replace(base, '');
    if (['v8.compile', 'V8.CompileCode', 'v8.compileModule', 'V8.ScriptCompiler', 'v8.parseOnBackground', 'v8.produceModuleCache', 'v8.produceCache'].includes(e.name)) add(th, e.name, url, dur);
    if (['EvaluateScript', 'v8.evaluateModule', 'v8.run'].includes(e.name)) add(th, e.name, url, dur);
    if (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') {
      busy[th] = (busy[th] ?? 0) + dur;
      if (dur >= 30) long.push({ thread: th, at: ms(e.ts), dur: Math.round(dur) });
    }
  }
  const marks = events.filter((e) => e.cat?.includes('blink.user_timing') && e.name.startsWith('ec:') && (e.ph === 'R' || e.ph === 'I' || e.ph === 'n' || e.ph === 'b'))
    .map((e) => ({ name: e.name, at: ms(e.ts), thread: threadOf(e) }));
  const other = events.filter((e) => ['domContentLoadedEventEnd', 'firstContentfulPaint', 'ParseHTML', 'WebAssembly.compileStreaming', 'v8.wasm.compileStreaming', 'wasm.CompileLazy', 'v8.wasm.streamingFinishedValidation', 'v8.wasm.compiledModule', 'v8.wasm.cachedModule', 'RendererMain', 'NavigationRequest', 'WorkerThread::Start'].includes(e.name))
    .slice(0, 60).map((e) => ({ name: e.name, at: ms(e.ts), dur: e.dur ? Math.round(e.dur / 100) / 10 : undefined, thread: threadOf(e) }));
  return {
    run, listMs: Math.round(listMs), traceOriginVsPage: nav ? Math.round(nav.ts / 1000 - originMs) : null,
    requests, work: Object.entries(work).filter(([, d]) => d >= 2).sort((a, b) => b[1] - a[1]).map(([k, d]) => `${Math.round(d)} ${k}`),
    busy: Object.fromEntries(Object.entries(busy).filter(([, d]) => d >= 10).map(([k, d]) => [k, Math.round(d)])),
    long: long.sort((a, b) => a.at - b.at), marks: marks.sort((a, b) => a.at - b.at), other,
  };
}

function print(r) {
  console.log(`\n=== run ${r.run}: list ${r.listMs} ms`);
  for (const q of r.requests) console.log(`  req ${String(q.start).padStart(7)} → ${String(q.response ?? '?').padStart(7)} → ${String(q.end ?? '?').padStart(7)}  ${q.fromCache ? '(cache) ' : ''}${q.priority ?? ''} ${q.url}`);
  console.log('  script work (ms, thread, what, url):');
  for (const w of r.work.slice(0, 40)) console.log(`    ${w}`);
  console.log('  busy (RunTask ms):', JSON.stringify(r.busy));
  console.log('  long tasks:', r.long.map((l) => `${l.thread}@${l.at}+${l.dur}`).join(', '));
  console.log('  marks:', r.marks.map((m) => `${m.name}@${m.at}`).join(' '));
  console.log('  other:', r.other.map((m) => `${m.name}@${m.at}${m.dur ? `+${m.dur}` : ''}(${m.thread})`).join(' '));
}
