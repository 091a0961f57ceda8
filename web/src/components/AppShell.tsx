'use client';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useCore } from './CoreProvider';
import { useDemoWorker } from './DemoWorker';
import { ErrorNote } from './ui';
import { CreateOrganizationForm } from './CreateOrganizationForm';
import { defaultUser } from '@/lib/actors';
import { errorText } from '@/lib/core';
import { usePersistentStorage } from '@/lib/storage';
import { formatInstant } from '@/lib/time';
import { hash32 } from '@/lib/demoGenerator';

const ORG_COLOURS = ['#3a4fd0', '#0f7b5f', '#b3401e', '#7a3fc4', '#0b5f86', '#8a5300'];
export function orgColour(id: string | undefined): string {
  return id ? ORG_COLOURS[hash32(id) % ORG_COLOURS.length] : '#999';
}

function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const path = usePathname() ?? '';
  const current = path === href || (href !== '/' && path.startsWith(href + '/')) || (href === '/projects' && path.startsWith('/episodes/'));
  return (
    <Link href={href} aria-current={current ? 'page' : undefined}>
      {children}
    </Link>
  );
}

function TenancyControls() {
  const { directory, actor, setActor, status } = useCore();
  const entry = directory.find((e) => e.organization.id === actor?.organizationId);
  const router = useRouter();
  const path = usePathname() ?? '';
  return (
    <section className="demo-section" aria-labelledby="tenancy-h">
      <h2 id="tenancy-h">Acting as</h2>
      <label htmlFor="org-select">Organization</label>
      <select
        id="org-select"
        value={actor?.organizationId ?? ''}
        disabled={status !== 'ready' || directory.length === 0}
        onChange={(e) => {
          const next = directory.find((d) => d.organization.id === e.target.value);
          if (!next) return;
          const owner = defaultUser(next);
          if (!owner) return;
          setActor({ organizationId: next.organization.id, userId: owner.id });
          // A project or episode belongs to one organization: after switching, show the new
          // organization's projects rather than "not found" for the old one's row.
          if (/^\/(projects|episodes)\/./.test(path)) router.push('/projects');
        }}
      >
        {directory.map((d) => (
          <option key={d.organization.id} value={d.organization.id}>
            {d.organization.name} ({d.organization.plan})
          </option>
        ))}
      </select>
      <label htmlFor="user-select">User</label>
      <select
        id="user-select"
        value={actor?.userId ?? ''}
        disabled={!entry}
        onChange={(e) => actor && setActor({ organizationId: actor.organizationId, userId: e.target.value })}
      >
        {entry?.users.map((u) => (
          <option key={u.id} value={u.id}>
            {u.name} · {u.role}
          </option>
        ))}
      </select>
    </section>
  );
}

function ClockControls() {
  const { clock, moveClock, status } = useCore();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [at, setAt] = useState('');
  const go = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="demo-section" aria-labelledby="clock-h">
      <h2 id="clock-h">Clock</h2>
      <div className="clock" aria-live="polite" data-testid="demo-clock">
        {clock ? (
          <>
            <span className="num">{formatInstant(clock.now, 'UTC')} UTC</span>
            <span className="hint">{formatInstant(clock.now, undefined, 'short')} your time{clock.fixed ? '' : ' · real time'}</span>
          </>
        ) : '—'}
      </div>
      <div className="btn-row" role="group" aria-label="Advance the demo clock">
        <button type="button" className="btn small" disabled={busy || status !== 'ready'} onClick={() => go(() => moveClock('advance', 3600))}>+1 hour</button>
        <button type="button" className="btn small" disabled={busy || status !== 'ready'} onClick={() => go(() => moveClock('advance', 86400))}>+1 day</button>
        <button type="button" className="btn small" disabled={busy || status !== 'ready'} onClick={() => go(() => moveClock('advance', 7 * 86400))}>+1 week</button>
      </div>
      <form
          className="stack tight"
          onSubmit={(e) => {
            e.preventDefault();
            if (!at) return;
            // The field is read as UTC (never the browser's zone): "2025-10-21T12:00" is 12:00Z.
            void go(() => moveClock('set', new Date(`${at}:00Z`).toISOString()));
          }}
        >
          <label htmlFor="clock-at">Set the demo clock to (UTC)</label>
          <input id="clock-at" type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} aria-describedby="clock-at-h" />
          <span id="clock-at-h" className="hint">Date and time in UTC, not your local time.</span>
          <div className="btn-row">
            <button type="submit" className="btn small" disabled={busy || !at}>Set (UTC)</button>
            {clock?.fixed ? (
              <button type="button" className="btn small" disabled={busy} onClick={() => go(() => moveClock('set', null))}>Back to real time</button>
            ) : null}
          </div>
      </form>
      {error ? <p className="hint bad" role="alert">Clock: {errorText(error)}</p> : null}
    </section>
  );
}

function WorkerControls() {
  const w = useDemoWorker();
  const { status } = useCore();
  return (
    <section className="demo-section" aria-labelledby="worker-h">
      <h2 id="worker-h">Worker</h2>
      <div className="row">
        <span className={`badge ${w.running ? 'ok' : ''}`} data-testid="worker-state">{w.running ? 'Running' : 'Stopped'}</span>
        <span className="hint num">✓ {w.stats.completed} · ✗ {w.stats.failed} · dead {w.stats.dead}</span>
      </div>
      <div className="btn-row">
        {w.running ? (
          <button type="button" className="btn small" onClick={() => w.stop('Stopped by you')}>Stop worker</button>
        ) : (
          <button type="button" className="btn small primary" disabled={status !== 'ready'} onClick={w.start}>Start worker</button>
        )}
        <button type="button" className="btn small" disabled={status !== 'ready' || w.running} onClick={() => void w.runOnce()}>Run once</button>
      </div>
      <label className="row check">
        <input type="checkbox" checked={w.fastForward} onChange={(e) => w.setFastForward(e.target.checked)} />
        Advance the clock 1 h per tick
      </label>
      <label htmlFor="failure-share">Failure share: {w.failureShare}%</label>
      <input id="failure-share" type="range" min={0} max={100} step={5} value={w.failureShare} onChange={(e) => w.setFailureShare(Number(e.target.value))} />
      {w.stoppedReason ? <p className="hint" role="status">{w.stoppedReason}</p> : null}
      {w.log.length > 0 && (
        <ul className="log" aria-label="Worker log">
          {w.log.slice(0, 12).map((l, k) => (
            <li key={`${l.at}-${k}`} className={l.tone ? `tone-${l.tone}` : undefined}>
              {l.text}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function NewOrganization() {
  const ref = useRef<HTMLDialogElement>(null);
  const { status } = useCore();
  return (
    <>
      <button type="button" className="btn small" disabled={status !== 'ready'} onClick={() => ref.current?.showModal()}>
        New organization…
      </button>
      <dialog ref={ref} aria-label="New organization dialog" className="wide">
        <div className="row dialog-head">
          <h2>New organization</h2>
          <span className="spacer" />
          <button type="button" className="btn small" onClick={() => ref.current?.close()}>Close</button>
        </div>
        <CreateOrganizationForm compact onDone={() => ref.current?.close()} />
      </dialog>
    </>
  );
}

/**
 * The export's file name. The demo clock lives in the page, not in the database, so a fixed clock
 * travels in the name ("episodes-2025-08-15-clock-20250815T120000Z.sqlite") and an import of that
 * file sets it again: the data shows at the time it was exported at.
 */
export function exportFileName(clock: { now: string; fixed: boolean } | null, today = new Date()): string {
  const day = today.toISOString().slice(0, 10);
  if (!clock?.fixed) return `episodes-${day}.sqlite`;
  const stamp = clock.now.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return `episodes-${day}-clock-${stamp}.sqlite`;
}

/** The demo clock a file name carries (see exportFileName), as an ISO instant, or null. */
export function clockOfFileName(name: string): string | null {
  const m = /-clock-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(name);
  if (!m) return null;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z`;
  return Number.isNaN(Date.parse(iso)) ? null : iso;
}

function DataControls() {
  const { status, core, resetDemo, reloadDirectory, progress, bump, clock, moveClock } = useCore();
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);
  const [size, setSize] = useState('large');
  const fileRef = useRef<HTMLInputElement>(null);
  const run = async (label: string, fn: () => Promise<string | void>) => {
    setBusy(label);
    setMessage(null);
    try {
      const done = await fn();
      setMessage({ tone: 'ok', text: done || `${label}: done` });
    } catch (e) {
      setMessage({ tone: 'bad', text: `${label} failed: ${errorText(e)}` });
    } finally {
      setBusy(null);
    }
  };
  const disabled = status !== 'ready' || !core || !!busy;
  return (
    <section className="demo-section" aria-labelledby="data-h">
      <h2 id="data-h">Data</h2>
      <div className="btn-row">
        <button
          type="button"
          className="btn small"
          disabled={disabled}
          onClick={() => {
            if (!window.confirm('Replace everything in this browser’s database with the demo data?')) return;
            void run('Reset', async () => {
              await resetDemo();
              return 'Demo data restored';
            });
          }}
        >
          Reset to demo
        </button>
        <button
          type="button"
          className="btn small"
          disabled={disabled}
          onClick={() =>
            void run('Export', async () => {
              const bytes = await core!.exportDatabase();
              const blob = new Blob([bytes.slice().buffer as ArrayBuffer], { type: 'application/vnd.sqlite3' });
              const a = document.createElement('a');
              a.href = URL.createObjectURL(blob);
              a.download = exportFileName(clock);
              document.body.appendChild(a);
              a.click();
              a.remove();
              setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
              return `Exported ${bytes.byteLength.toLocaleString('en-GB')} bytes`;
            })
          }
        >
          Export .sqlite
        </button>
      </div>
      <label htmlFor="import-file">Import a .sqlite file</label>
      <input
        id="import-file"
        ref={fileRef}
        type="file"
        accept=".sqlite,.db,application/vnd.sqlite3,application/x-sqlite3"
        disabled={disabled}
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (!file) return;
          void run('Import', async () => {
            const bytes = new Uint8Array(await file.arrayBuffer());
            await core!.importDatabase(bytes);
            // The fixed demo clock of the export comes back with it (see exportFileName).
            const at = clockOfFileName(file.name);
            if (at) await moveClock('set', at);
            await reloadDirectory();
            if (fileRef.current) fileRef.current.value = '';
            return `Imported ${file.name}${at ? `; demo clock set to ${formatInstant(at, 'UTC')} UTC` : ''}`;
          });
        }}
      />
      <>
          <label htmlFor="seed-size">Seed a dataset</label>
          <div className="btn-row">
            <select id="seed-size" value={size} onChange={(e) => setSize(e.target.value)} disabled={disabled}>
              <option value="small">small</option>
              <option value="large">large (≈1,000 projects)</option>
            </select>
            <button
              type="button"
              className="btn small"
              disabled={disabled}
              onClick={() => {
                if (!window.confirm(`Replace the data with the ${size} dataset? This can take a while.`)) return;
                void run('Seed', async () => {
                  const seed = await resetDemo({ size, seed: 42 });
                  const projects = seed?.rows.Project ?? seed?.rows.projects ?? null;
                  if (size !== 'demo' && typeof projects === 'number' && projects < 20)
                    return `This client reseeds only the demo dataset (${projects} projects): seeding “${size}” needs a reset with a size.`;
                  bump();
                  return `Seeded the ${size} dataset${typeof projects === 'number' ? ` (${projects.toLocaleString('en-GB')} projects)` : ''}`;
                });
              }}
            >
              Seed
            </button>
          </div>
      </>
      {progress && (
        <div>
          <label htmlFor="progress">{progress.phase ?? busy ?? 'Working'}…</label>
          <progress id="progress" max={progress.total || 1} value={progress.done} />
        </div>
      )}
      {busy && !progress ? <p className="hint" role="status">{busy}…</p> : null}
      {message ? <p className="hint" role={message.tone === 'bad' ? 'alert' : 'status'}>{message.text}</p> : null}
    </section>
  );
}

function StorageStatus() {
  const s = usePersistentStorage();
  const text =
    s.state === 'unsupported' ? 'This browser cannot keep storage persistent: it may clear the database under storage pressure.'
    : s.state === 'persistent' ? 'Persistent: the browser keeps this database until you clear site data.'
    : s.state === 'best-effort' ? 'Best effort: the browser may clear this database under storage pressure. Export a copy to keep it.'
    : 'Checking…';
  return (
    <section className="demo-section" aria-labelledby="storage-h">
      <h2 id="storage-h">Storage</h2>
      <div className="row">
        <span className={`badge ${s.state === 'persistent' ? 'ok' : s.state === 'checking' ? '' : 'warn'}`} data-testid="storage-state">
          {s.state === 'persistent' ? 'Persistent' : s.state === 'best-effort' ? 'Best effort' : s.state === 'unsupported' ? 'Not supported' : 'Checking'}
        </span>
      </div>
      <p className="hint">{text}</p>
    </section>
  );
}

function Tenancy() {
  const { directory, actor, user } = useCore();
  const org = directory.find((e) => e.organization.id === actor?.organizationId)?.organization;
  if (!org || !user) return null;
  return (
    <div className="tenancy" data-testid="tenancy">
      <span className="org-dot" style={{ background: orgColour(org.id) }} aria-hidden="true" />
      <span className="user-text">
        <strong>{org.name}</strong> · {user.name} ({user.role})<span className="tenancy-note"> · only {org.name}’s data is visible</span>
      </span>
    </div>
  );
}

function BrokenDatabase() {
  const { core, error, resetDemo } = useCore();
  const [msg, setMsg] = useState<string | null>(null);
  return (
    <div className="card stack" role="alert">
      <h1>The stored database could not be opened</h1>
      <p className="flush user-text">{error}</p>
      <p className="small flush">
        Nothing was deleted. Save a copy of the stored bytes first, then reset to the demo data to carry on.
      </p>
      <div className="row">
        <button
          type="button"
          className="btn"
          onClick={async () => {
            try {
              const bytes = await core!.exportDatabase();
              const a = document.createElement('a');
              a.href = URL.createObjectURL(new Blob([bytes.slice().buffer as ArrayBuffer], { type: 'application/octet-stream' }));
              a.download = 'episodes-unreadable.sqlite';
              a.click();
              setMsg(`Saved ${bytes.byteLength.toLocaleString('en-GB')} bytes.`);
            } catch (e) {
              setMsg(`Could not export: ${errorText(e)}`);
            }
          }}
        >
          Export the raw bytes
        </button>
        <button
          type="button"
          className="btn danger"
          onClick={async () => {
            if (!window.confirm('Replace the unreadable database with the demo data?')) return;
            try {
              await resetDemo();
            } catch (e) {
              setMsg(`Could not reset: ${errorText(e)}`);
            }
          }}
        >
          Reset to the demo data
        </button>
      </div>
      {msg ? <p className="small" role="status">{msg}</p> : null}
    </div>
  );
}

/** Closes a drawer on Escape. */
function useEscape(open: boolean, close: () => void) {
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, close]);
}

/** The demo controls in one panel, apart from the navigation: a right-hand column on wide
 *  screens, a drawer (the "Demo" button) below 1280 px. */
function DemoPanel({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <aside id="demo-panel" className={`demo-panel${open ? ' open' : ''}`} aria-label="Demo controls">
      <div className="rail">
      <div className="demo-head">
        <h2 className="demo-title">Demo <span className="badge accent">offline sandbox</span></h2>
        <span className="spacer" />
        <button type="button" className="btn small drawer-close" onClick={onClose}>Close</button>
      </div>
      <p className="hint flush">Tools for trying the dashboard: they are not part of the product.</p>
      <TenancyControls />
      <div className="btn-row"><NewOrganization /></div>
      <ClockControls />
      <WorkerControls />
      <DataControls />
      <StorageStatus />
      </div>
    </aside>
  );
}

function MenuIcon() {
  return (
    <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" focusable="false">
      <path d="M2 4.5h14M2 9h14M2 13.5h14" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
    </svg>
  );
}

export function AppShell({ children }: { children: ReactNode }) {
  const { status, error, actor } = useCore();
  const path = usePathname();
  const [navOpen, setNavOpen] = useState(false);
  const [demoOpen, setDemoOpen] = useState(false);
  const closeAll = () => {
    setNavOpen(false);
    setDemoOpen(false);
  };
  useEscape(navOpen || demoOpen, closeAll);
  useEffect(() => setNavOpen(false), [path]);
  return (
    <div className="shell">
      <a href="#main" className="skip-link">Skip to content</a>
      <header className="appbar">
        <button type="button" className="btn icon" aria-expanded={navOpen} aria-controls="app-nav" onClick={() => { setDemoOpen(false); setNavOpen((v) => !v); }}>
          <MenuIcon /> <span>Menu</span>
        </button>
        <Link href="/projects" className="brand">
          <span className="brand-mark" aria-hidden="true" /> Episodes
        </Link>
        <span className="spacer" />
        <button type="button" className="btn small" aria-expanded={demoOpen} aria-controls="demo-panel" onClick={() => { setNavOpen(false); setDemoOpen((v) => !v); }}>
          Demo
        </button>
      </header>
      <aside id="app-nav" className={`sidebar${navOpen ? ' open' : ''}`} aria-label="Navigation">
        <div className="rail">
        <div className="row sidebar-head">
          <Link href="/projects" className="brand">
            <span className="brand-mark" aria-hidden="true" /> Episodes
          </Link>
          <span className="spacer" />
          <button type="button" className="btn small drawer-close" onClick={() => setNavOpen(false)}>Close</button>
        </div>
        <nav className="nav" aria-label="Main">
          <NavLink href="/projects">Projects</NavLink>
          <NavLink href="/usage">Usage &amp; budget</NavLink>
        </nav>
        <span className="spacer" />
        <button type="button" className="btn small demo-toggle" aria-expanded={demoOpen} aria-controls="demo-panel" onClick={() => setDemoOpen((v) => !v)}>
          {demoOpen ? 'Hide demo controls' : 'Demo controls'}
        </button>
        </div>
      </aside>
      <main id="main" className="main">
        <div className="topbar">
          <Tenancy />
        </div>
        {status === 'loading' && (
          <div className="loading-screen" role="status">
            <div className="skeleton loading-bar" />
            <span>Opening the offline database…</span>
          </div>
        )}
        {status === 'error' && <ErrorNote title="The data core could not start" error={error} />}
        {status === 'broken' && <BrokenDatabase />}
        {status === 'ready' && error && <div className="notice warn" role="alert">{error}</div>}
        {status === 'ready' && !actor && (
          <div className="stack">
            <p>Create an organization to start, or import a database exported earlier.</p>
            <CreateOrganizationForm />
          </div>
        )}
        {status === 'ready' && actor && children}
      </main>
      <DemoPanel open={demoOpen} onClose={() => setDemoOpen(false)} />
      {navOpen || demoOpen ? <div className="scrim" aria-hidden="true" onClick={closeAll} /> : null}
    </div>
  );
}
