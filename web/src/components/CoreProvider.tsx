'use client';
// Opens the wasm core (once per page), knows who is acting (organization + user), and tells every
// page when data changed (`revision`) so it re-reads: after the page's own writes, the demo
// worker's ticks, clock moves, imports and resets. All data comes from core operations.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { ClockState, Organization, SeedReport } from '@/core/types.generated';
import { callOp, errorText, markTimeline, systemActor, type Actor, type CallArgs, type Core, type OperationName, type ParamsArg, type ProgressEvent, type ResultOf } from '@/lib/core';
import { loadCore } from '@/lib/loadCore';
import { loadStoredActor, pickActor, saveStoredActor, type DirectoryUser, type OrgEntry } from '@/lib/actors';

export type { OrgEntry, DirectoryUser };

export interface CoreState {
  status: 'loading' | 'ready' | 'error' | 'broken';
  error: string | null;
  core: Core | null;
  actor: Actor | null;
  /** The acting organization in full (organization.get as the actor; re-read on every revision). */
  org: Organization | null;
  /** The acting user (from demo.actors). */
  user: DirectoryUser | null;
  /** Every organization of the database with its members (demo.actors, owners first). */
  directory: OrgEntry[];
  setActor: (a: Actor) => void;
  revision: number;
  /** Tell every page to re-read. */
  bump: () => void;
  clock: ClockState | null;
  progress: ProgressEvent | null;
  /** Typed call as the current actor; also reports the tables it read (see useQuery). */
  /** `call` plus the tables the call read (live views re-run when one of them changes). */
  callTracked: <K extends OperationName>(op: K, ...[params]: ParamsArg<K>) => Promise<{ result: ResultOf<K>; reads: string[] }>;
  /** Typed call as the current actor. */
  call: <K extends OperationName>(op: K, ...params: ParamsArg<K>) => Promise<ResultOf<K>>;
  /** Typed call as the system in the current organization (the demo worker's queue operations). */
  callAsSystem: <K extends OperationName>(op: K, ...params: ParamsArg<K>) => Promise<ResultOf<K>>;
  /** Resets to the demo dataset (or another size) and re-reads the organizations; the seed result. */
  resetDemo: (options?: { size?: string; seed?: number }) => Promise<SeedReport | null>;
  /** After an import or a new organization: re-read organizations and users (demo.actors). */
  reloadDirectory: () => Promise<void>;
  moveClock: (op: 'advance' | 'set', value: number | string | null) => Promise<void>;
}

const Ctx = createContext<CoreState | null>(null);

export function useCore(): CoreState {
  const c = useContext(Ctx);
  if (!c) throw new Error('useCore outside CoreProvider');
  return c;
}

const CLOCK_KEY = 'ec.demoClock';

/** A seed's data is relative to its reference date: show it at the dataset's "now". */
async function clockToSeed(c: Core, seed: SeedReport | null) {
  if (!seed) return;
  const now = seed.now;
  try {
    await c.call('clock.set', { now }, { as: systemActor() });
    localStorage.setItem(CLOCK_KEY, now);
  } catch {
    /* a core without a demo clock */
  }
}

/** Every organization and its members (demo.actors, run as the system). */
async function fetchDirectory(c: Core): Promise<OrgEntry[]> {
  return c.call('demo.actors', {}, { as: systemActor() });
}

/** The demo clock (clock.get as the system), or null for a core without one. */
function readClock(c: Core): Promise<ClockState | null> {
  return c.call('clock.get', {}, { as: systemActor() }).catch(() => null);
}

/** The page remembers a fixed demo clock across reloads (it lives in the core's memory). */
function rememberClock(st: ClockState | null) {
  if (st?.fixed) localStorage.setItem(CLOCK_KEY, st.now);
  else localStorage.removeItem(CLOCK_KEY);
}

interface Boot {
  c: Core;
  broken: boolean;
  dir: OrgEntry[];
  clock: ClockState | null;
  note: string | null;
}
let boot: Promise<Boot> | null = null;

/**
 * Opens the core and reads what every page needs first (organizations and their members, the
 * demo clock). Needs no React state, so it starts when this module runs (below), not in the
 * provider's effect after hydration: on a cold start the boot calls reach the worker as soon as
 * the database is open (docs/BENCHMARKS.md "Session 9: cold start, the first navigation after
 * launch"). The effect takes the same promise.
 */
function startBoot(): Promise<Boot> {
  return (async (): Promise<Boot> => {
    const c = await loadCore();
    // For the browser console and the multi-tab e2e tests (the same client the pages use).
    (window as unknown as { episodesCore?: Core }).episodesCore = c;
    if (c.status === 'broken') return { c, broken: true, dir: [], clock: null, note: null };
    // The boot calls are all sent at once: the worker runs them in this order, and the page
    // waits for the answers once instead of once per call (issue 13, cold start).
    // The demo clock lives in the core's memory; the page remembers it across reloads.
    const savedClock = localStorage.getItem(CLOCK_KEY);
    const restored = savedClock
      ? c.call('clock.set', { now: savedClock }, { as: systemActor() }).then(() => {}, () => localStorage.removeItem(CLOCK_KEY))
      : null;
    // First visit: the worker opened the prebuilt demo (demoIfEmpty); show it at its "now".
    const seeded = c.openSeed ? clockToSeed(c, c.openSeed) : null;
    const dirP = fetchDirectory(c);
    let clockP = readClock(c);
    await restored;
    await seeded;
    let dir = await dirP;
    let note: string | null = null;
    if (dir.length === 0) {
      // First visit (a database without organizations): open on the demo data.
      try {
        markTimeline('demo-seed');
        const res = await c.resetToDemo();
        markTimeline('demo-seeded');
        await clockToSeed(c, res.seed);
        dir = await fetchDirectory(c);
        if (!res.seeded) note = 'This build of the core has no mock.seed operation, so there is no demo data: create an organization to start.';
        else if (dir.length === 0) note = 'The demo data was created, but demo.actors lists no organization.';
      } catch (e) {
        note = `The demo data could not be created (${errorText(e)}): create an organization to start.`;
      }
      clockP = readClock(c);
    }
    const clock = await clockP;
    markTimeline('directory');
    return { c, broken: false, dir, clock, note };
  })();
}

// Start the worker and the boot calls as soon as this module runs in the browser, not after
// hydration: the effect below gets the same promise (and starts a new one after a failure).
// Never on the server.
if (typeof window !== 'undefined') {
  boot = startBoot();
  boot.catch(() => {
    boot = null;
  });
}

export function CoreProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<CoreState['status']>('loading');
  const [error, setError] = useState<string | null>(null);
  const [core, setCore] = useState<Core | null>(null);
  const [actor, setActorState] = useState<Actor | null>(null);
  const [directory, setDirectory] = useState<OrgEntry[]>([]);
  const [orgDetail, setOrgDetail] = useState<Organization | null>(null);
  const [revision, setRevision] = useState(0);
  const [clock, setClock] = useState<ClockState | null>(null);
  const [progress, setProgress] = useState<ProgressEvent | null>(null);
  const actorRef = useRef<Actor | null>(null);
  const [orgTick, setOrgTick] = useState(0);

  const bump = useCallback(() => setRevision((r) => r + 1), []);

  const applyActor = useCallback((c: Core, a: Actor | null) => {
    actorRef.current = a;
    c.setActor(a);
    setActorState(a);
    if (a) saveStoredActor(a);
  }, []);

  const refreshClock = useCallback(async (c: Core) => {
    const st = await readClock(c);
    setClock(st);
    if (st) rememberClock(st);
  }, []);

  /** Shows `dir` and acts as the current (or remembered) choice if it is still there, else the first owner. */
  const applyDirectory = useCallback(
    (c: Core, dir: OrgEntry[]) => {
      setDirectory(dir);
      applyActor(c, pickActor(dir, actorRef.current ?? loadStoredActor()));
    },
    [applyActor],
  );

  useEffect(() => {
    let cancelled = false;
    let unsubscribe: (() => void) | undefined;
    // Booting is done once per page (module-level promise): StrictMode runs effects twice.
    boot ??= startBoot();
    boot.catch(() => {
      boot = null;
    });
    boot.then(
      ({ c, broken, dir, clock: st, note }) => {
        if (cancelled) return;
        unsubscribe = c.onProgress((p) => setProgress(p.total > 0 && p.done >= p.total ? null : p));
        setCore(c);
        if (broken) {
          // Never wiped silently: say what happened; the shell offers export of the raw bytes and a reset.
          setError(c.openError?.message ?? 'The stored database could not be opened.');
          setStatus('broken');
          return;
        }
        // One render from here to the first page's reads (no call in between).
        applyDirectory(c, dir);
        setClock(st);
        if (st) rememberClock(st);
        setError(note);
        setStatus('ready');
      },
      (e) => {
        if (cancelled) return;
        setError(errorText(e));
        setStatus('error');
      },
    );
    return () => {
      cancelled = true;
      unsubscribe?.();
    };
  }, [applyDirectory]);

  // The acting organization in full (its limit, timestamps): re-read when the actor or data change.
  useEffect(() => {
    if (!core || status !== 'ready' || !actor) return;
    let live = true;
    core.call('organization.get', {}, { as: actor }).then(
      (o) => live && setOrgDetail(o),
      () => live && setOrgDetail(null),
    );
    return () => {
      live = false;
    };
  }, [core, status, actor, revision, orgTick]);

  const setActor = useCallback(
    (a: Actor) => {
      if (!core) return;
      applyActor(core, a);
      bump();
    },
    [core, applyActor, bump],
  );

  const callTracked = useCallback(
    async <K extends OperationName>(op: K, ...[params]: ParamsArg<K>) => {
      if (!core) throw new Error('The data core is still loading.');
      const as = actorRef.current;
      // CallArgs<K> is a conditional type TypeScript cannot narrow for a generic K (as in callOp).
      const args = [params ?? {}, as ? { as } : undefined] as unknown as CallArgs<K>;
      const out = await core.callTracked(op, ...args);
      return { result: out.result, reads: out.reads };
    },
    [core],
  );

  // Live: a change made in any tab (or by the demo worker) re-reads the organization, the
  // directory and the clock when they are concerned; useQuery re-runs the views that read it.
  useEffect(() => {
    if (!core || status !== 'ready') return;
    return core.onChange(({ tables }) => {
      const all = tables.includes('*');
      if (all || tables.includes('clock')) void refreshClock(core);
      if (all || tables.some((t) => t === 'organizations' || t === 'users')) {
        setOrgTick((n) => n + 1);
        fetchDirectory(core).then((dir) => applyDirectory(core, dir), () => {});
      }
    });
  }, [core, status, refreshClock, applyDirectory]);

  const call = useCallback(
    <K extends OperationName>(op: K, ...[params]: ParamsArg<K>) => {
      if (!core) return Promise.reject(new Error('The data core is still loading.'));
      return callOp(core, op, params, actorRef.current);
    },
    [core],
  );

  const callAsSystem = useCallback(
    <K extends OperationName>(op: K, ...[params]: ParamsArg<K>) => {
      if (!core) return Promise.reject(new Error('The data core is still loading.'));
      return callOp(core, op, params, systemActor(actorRef.current?.organizationId));
    },
    [core],
  );

  const resetDemo = useCallback(async (options?: { size?: string; seed?: number }) => {
    if (!core) return null;
    localStorage.removeItem(CLOCK_KEY);
    const res = await core.resetToDemo(options);
    await clockToSeed(core, res.seed);
    const dir = await fetchDirectory(core);
    applyDirectory(core, dir);
    await refreshClock(core);
    setError(dir.length ? null : res.seeded ? 'The demo data was created, but demo.actors lists no organization.' : 'The demo data has no organization (this core has no mock.seed operation).');
    setStatus('ready');
    bump();
    return res.seed;
  }, [core, applyDirectory, refreshClock, bump]);

  const reloadDirectory = useCallback(async () => {
    if (!core) return;
    applyDirectory(core, await fetchDirectory(core));
    await refreshClock(core);
    bump();
  }, [core, applyDirectory, refreshClock, bump]);

  const moveClock = useCallback(
    async (kind: 'advance' | 'set', value: number | string | null) => {
      if (!core) return;
      // The demo clock is the system's (users may not move time).
      if (kind === 'advance') await core.call('clock.advance', { seconds: Number(value) }, { as: systemActor() });
      else await core.call('clock.set', { now: value === null ? null : String(value) }, { as: systemActor() });
      await refreshClock(core);
      bump();
    },
    [core, refreshClock, bump],
  );

  const value = useMemo<CoreState>(() => {
    const entry = directory.find((e) => e.organization.id === actor?.organizationId) ?? null;
    return {
      status, error, core,
      actor,
      org: orgDetail && orgDetail.id === actor?.organizationId ? orgDetail : null,
      user: entry?.users.find((u) => u.id === actor?.userId) ?? null,
      directory, setActor, revision, bump, clock, progress, call, callTracked, callAsSystem, resetDemo, reloadDirectory, moveClock,
    };
  }, [status, error, core, actor, orgDetail, directory, setActor, revision, bump, clock, progress, call, callTracked, callAsSystem, resetDemo, reloadDirectory, moveClock]);

  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/**
 * Reads through the core; re-reads when the actor, the revision or `deps` change, and live: when
 * any tab changes a table one of its calls read (the core reports each call's `reads`), or the
 * demo clock moves. A live re-read keeps the data on screen (no loading state).
 */
export function useQuery<T>(fn: (call: CoreState['call']) => Promise<T>, deps: unknown[]): {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
} {
  const { status, core, callTracked, actor, revision } = useCore();
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: null, loading: true });
  const [tick, setTick] = useState(0);
  const [live, setLive] = useState(0);
  const fnRef = useRef(fn);
  fnRef.current = fn;
  /** Tables the last run read; null = unknown (re-run on every change). */
  const readsRef = useRef<Set<string> | null>(null);
  const liveRef = useRef(false);
  useEffect(() => {
    if (status !== 'ready' || !actor) return;
    let current = true;
    const quiet = liveRef.current;
    liveRef.current = false;
    if (!quiet) setState((s) => ({ ...s, loading: true }));
    const reads = new Set<string>();
    const tracking: CoreState['call'] = (op, ...params) =>
      callTracked(op, ...params).then((out) => {
        out.reads.forEach((t) => reads.add(t));
        return out.result;
      });
    fnRef.current(tracking).then(
      (data) => {
        if (!current) return;
        readsRef.current = reads; // every call reports its reads (Core.callTracked)
        setState({ data, error: null, loading: false });
      },
      (error) => {
        if (!current) return;
        readsRef.current = null;
        setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
    return () => {
      current = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [status, callTracked, actor?.organizationId, actor?.userId, revision, tick, live, ...deps]);
  useEffect(() => {
    if (!core?.onChange) return;
    return core.onChange(({ tables }) => {
      const reads = readsRef.current;
      if (reads && !tables.some((t) => t === '*' || t === 'clock' || reads.has(t))) return;
      liveRef.current = true;
      setLive((n) => n + 1);
    });
  }, [core]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}
