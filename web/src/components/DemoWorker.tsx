'use client';
// The demo worker: a simulated generation service running on the core's real queue operations.
// While running, every tick it plans the queue (when the clock moved), claims what falls due
// (queue.claim, under a lease, budget-checked by the core), "generates" each episode with the
// demo generator (a markdown block + token usage + cost), and completes or fails the item
// (queue.complete / queue.fail: retries with backoff, dead after maxAttempts). It stops by itself
// when the core reports the circuit breaker open.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useCore } from './CoreProvider';
import { errorText, isCoreError } from '@/lib/core';
import { generateEpisode } from '@/lib/demoGenerator';
import { formatCost } from '@/lib/money';
import { ErrorCode } from '@/core/error_codes';

export interface WorkerLogLine {
  at: number;
  text: string;
  tone?: 'ok' | 'bad' | 'warn';
}

interface WorkerState {
  running: boolean;
  start: () => void;
  stop: (reason?: string) => void;
  stoppedReason: string | null;
  log: WorkerLogLine[];
  fastForward: boolean;
  setFastForward: (v: boolean) => void;
  failureShare: number;
  setFailureShare: (v: number) => void;
  stats: { completed: number; failed: number; dead: number };
  /** Runs one tick now (also used by tests and the "Run once" button). */
  runOnce: () => Promise<void>;
}

const Ctx = createContext<WorkerState | null>(null);
export function useDemoWorker(): WorkerState {
  const c = useContext(Ctx);
  if (!c) throw new Error('useDemoWorker outside DemoWorkerProvider');
  return c;
}

const WORKER_ID = 'demo-worker';
const TICK_MS = 1500;

export function DemoWorkerProvider({ children }: { children: ReactNode }) {
  const { status, call, callAsSystem, bump, clock, moveClock, actor } = useCore();
  const [running, setRunning] = useState(false);
  const [stoppedReason, setStoppedReason] = useState<string | null>(null);
  const [log, setLog] = useState<WorkerLogLine[]>([]);
  const [fastForward, setFastForward] = useState(false);
  const [failureShare, setFailureShare] = useState(25);
  const [stats, setStats] = useState({ completed: 0, failed: 0, dead: 0 });
  const busy = useRef(false);
  const plannedAt = useRef<string | null>(null);
  const runningRef = useRef(false);

  const add = useCallback((text: string, tone?: WorkerLogLine['tone']) => {
    setLog((l) => [{ at: Date.now(), text, tone }, ...l].slice(0, 60));
  }, []);

  const stop = useCallback((reason?: string) => {
    runningRef.current = false;
    setRunning(false);
    setStoppedReason(reason ?? null);
    if (reason) add(reason, 'warn');
  }, [add]);

  const start = useCallback(() => {
    runningRef.current = true;
    plannedAt.current = null;
    setStoppedReason(null);
    setRunning(true);
    add('Worker started');
  }, [add]);

  // A new organization: plan again, counters restart.
  useEffect(() => {
    plannedAt.current = null;
    setStats({ completed: 0, failed: 0, dead: 0 });
  }, [actor?.organizationId]);

  const tick = useCallback(async () => {
    if (busy.current || status !== 'ready') return;
    busy.current = true;
    let changed = false;
    try {
      if (fastForward && runningRef.current) {
        await moveClock('advance', 3600);
      }
      const now = clock?.now ?? null;
      if (plannedAt.current !== now || fastForward) {
        const plan = await callAsSystem('queue.plan', { horizonDays: 14 });
        plannedAt.current = now;
        if (plan.added || plan.cancelled) {
          add(`Planned: ${plan.added} added, ${plan.cancelled} cancelled`);
          changed = true;
        }
      }
      const claim = await callAsSystem('queue.claim', { workerId: WORKER_ID, limit: 3, leaseSeconds: 300 });
      if (claim.blocked) {
        stop(`Stopped: circuit breaker open — ${claim.blocked.reason}`);
        changed = true;
        return;
      }
      for (const { item, episode, token } of claim.items) {
        changed = true;
        const project = await call('project.get', { id: item.projectId });
        const notes = await call('planningNote.list', { projectId: item.projectId, status: 'open', limit: 5 });
        const out = generateEpisode(
          {
            projectName: project.name,
            projectDescription: project.description,
            episodeId: episode.id,
            episodeNumber: episode.number,
            episodeTitle: episode.title,
            attempt: token,
            notes: notes.items.map((n) => n.content),
            memories: (project.memories ?? []).map((m) => m.content),
          },
          failureShare,
        );
        const label = `${project.name} #${episode.number}`;
        if (!out.ok) {
          const r = await callAsSystem('queue.fail', { id: item.id, token, code: out.code, message: out.message });
          if (r.dead) {
            add(`${label}: ${out.code} — gave up after ${r.item.attempts} attempts`, 'bad');
            setStats((s) => ({ ...s, failed: s.failed + 1, dead: s.dead + 1 }));
          } else {
            add(`${label}: ${out.code} — retry ${r.retryAt ? 'at ' + r.retryAt.slice(11, 16) + ' UTC' : 'later'}`, 'warn');
            setStats((s) => ({ ...s, failed: s.failed + 1 }));
          }
          continue;
        }
        const blocks = await call('block.list', { episodeId: episode.id, limit: 1 });
        if (blocks.items[0]) await call('block.update', { id: blocks.items[0].id, patch: { content: out.markdown } });
        else await call('block.create', { episodeId: episode.id, content: out.markdown, position: 0 });
        await callAsSystem('queue.complete', { id: item.id, token, usage: out.usage });
        add(`${label}: ready (${out.usage.inputTokens + out.usage.outputTokens} tokens, ${formatCost(out.usage.costMicros)})`, 'ok');
        setStats((s) => ({ ...s, completed: s.completed + 1 }));
      }
    } catch (e) {
      if (isCoreError(e) && e.code === ErrorCode.budgetExceeded) stop(`Stopped: circuit breaker open — ${e.message}`);
      else add(`Error: ${errorText(e)}`, 'bad');
      changed = true;
    } finally {
      busy.current = false;
      if (changed) bump();
    }
  }, [status, fastForward, clock?.now, call, callAsSystem, moveClock, add, stop, failureShare, bump]);

  const tickRef = useRef(tick);
  tickRef.current = tick;
  useEffect(() => {
    if (!running) return;
    void tickRef.current();
    const t = setInterval(() => void tickRef.current(), TICK_MS);
    return () => clearInterval(t);
  }, [running]);

  const value = useMemo<WorkerState>(
    () => ({ running, start, stop, stoppedReason, log, fastForward, setFastForward, failureShare, setFailureShare, stats, runOnce: tick }),
    [running, start, stop, stoppedReason, log, fastForward, failureShare, stats, tick],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
