'use client';
import Link from 'next/link';
import { useMemo, useState } from 'react';
import { useCore, useQuery } from '@/components/CoreProvider';
import { ErrorNote, Empty, Kpi, Loading, Meter, StatusBadge } from '@/components/ui';
import { WorkBadge } from '@/components/WorkBadge';
import { CreateProjectForm } from '@/components/CreateProjectForm';
import { cadenceInWords } from '@/lib/cadence';
import { formatGBP } from '@/lib/money';
import { formatInstant, relativeTo, viewerZone } from '@/lib/time';

function SpendCard() {
  const budget = useQuery((call) => call('budget.status', {}), []);
  const b = budget.data;
  return (
    <section className="card" aria-labelledby="spend-h">
      <header>
        <h2 id="spend-h">Today’s spend</h2>
        {b ? <StatusBadge status={b.blocked ? 'blocked' : 'active'} label={b.blocked ? 'Breaker open' : 'Within budget'} /> : null}
      </header>
      {budget.loading && !b ? <Loading lines={2} /> : null}
      <ErrorNote error={budget.error} title="Could not read the budget" />
      {b ? (
        <div className="stack">
          <Kpi label={`Spent of ${formatGBP(b.limitMicros)}`} value={<span data-testid="spend-today">{formatGBP(b.spentMicros)}</span>} hint={`${formatGBP(b.reservedMicros)} reserved · ${formatGBP(b.remainingMicros)} left · ${b.callCount} call${b.callCount === 1 ? '' : 's'}`} />
          <Meter value={b.spentMicros + b.reservedMicros} max={b.limitMicros} label="Today’s spend against the daily limit" />
          {b.blocked && b.reason ? <p className="small" style={{ margin: 0, color: 'var(--bad)' }}>{b.reason}</p> : null}
          <Link href="/usage" className="small">Usage and budget details →</Link>
        </div>
      ) : null}
    </section>
  );
}

export default function ProjectsPage() {
  const { org, clock } = useCore();
  const [showDeleted, setShowDeleted] = useState(false);
  const [creating, setCreating] = useState(false);
  const zone = viewerZone();
  const users = useQuery((call) => call('user.list', { limit: 100 }), []);
  const list = useQuery((call) => call('project.overview', { limit: 200 }), []);
  const deleted = useQuery(
    (call) => (showDeleted ? call('project.list', { onlyDeleted: true, limit: 100, orderBy: 'deletedAt', descending: true }) : Promise.resolve(null)),
    [showDeleted],
  );
  const byId = useMemo(() => new Map((users.data?.items ?? []).map((u) => [u.id, u])), [users.data]);
  const { call, bump } = useCore();
  const [restoreError, setRestoreError] = useState<unknown>(null);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Projects</h1>
          <p>
            {org ? `${org.name} · ${org.plan} plan` : ''} · times shown in your time zone ({zone})
          </p>
        </div>
        <button type="button" className="btn primary" onClick={() => setCreating((v) => !v)} aria-expanded={creating} aria-controls="create-project">
          {creating ? 'Close' : 'New project'}
        </button>
      </div>
      <div className="stack">
        {creating && (
          <div id="create-project">
            <CreateProjectForm onDone={() => setCreating(false)} />
          </div>
        )}
        <div className="split">
          <section className="card" aria-labelledby="list-h">
            <header>
              <h2 id="list-h">All projects {list.data ? <span className="muted small">({list.data.total})</span> : null}</h2>
            </header>
            {list.loading && !list.data ? <Loading label="Loading projects" /> : null}
            <ErrorNote error={list.error} title="Could not load the projects" onRetry={list.reload} />
            {list.data && list.data.items.length === 0 ? (
              <Empty title="No projects yet">Create one with “New project”.</Empty>
            ) : null}
            {list.data && list.data.items.length > 0 ? (
              <div className="table-wrap">
                <table aria-describedby="list-h" data-testid="projects-table" className="cards">
                  <thead>
                    <tr>
                      <th scope="col">Project</th>
                      <th scope="col">Cadence</th>
                      <th scope="col">Next episode</th>
                      <th scope="col" className="num">Episodes</th>
                      <th scope="col">Last episode</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.data.items.map((row) => {
                      const p = row.project;
                      const owner = byId.get(p.ownerId);
                      const next = typeof row.nextEpisodeAt === 'string' ? row.nextEpisodeAt : null;
                      return (
                        <tr key={p.id}>
                          <td className="user-text">
                            <Link href={`/projects/${p.id}`}><strong>{p.name}</strong></Link>
                            <div className="row small" style={{ marginTop: 4 }}>
                              <StatusBadge status={p.status} />
                              <span className="muted">
                                {[owner?.name, row.openNotes > 0 ? `${row.openNotes} open note${row.openNotes === 1 ? '' : 's'}` : null].filter(Boolean).join(' · ')}
                              </span>
                            </div>
                          </td>
                          <td className="small" data-label="Cadence">{cadenceInWords(p.cadenceConfig, owner?.timezone)}</td>
                          <td className="small" data-label="Next episode">
                            {next ? (
                              <>
                                <time dateTime={next}>{formatInstant(next, zone)}</time>
                                <div className="muted">{relativeTo(next, clock?.now)}</div>
                              </>
                            ) : (
                              <span className="muted">{p.status === 'active' ? 'None scheduled' : `None (${p.status})`}</span>
                            )}
                          </td>
                          <td className="num small" data-label="Episodes">
                            <strong>{row.episodeCount}</strong>
                            <div className="muted">{row.readyCount} ready · {row.failedCount} failed</div>
                          </td>
                          <td className="small" data-label="Last episode">
                            {row.lastEpisode ? (
                              <>
                                <Link href={`/episodes/${row.lastEpisode.id}`}>#{row.lastEpisode.number}</Link>{' '}
                                <WorkBadge status={row.lastEpisode.status} />
                              </>
                            ) : (
                              <span className="muted">No episodes yet</span>
                            )}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            ) : null}
            <div className="row" style={{ marginTop: 12 }}>
              <label className="row small" style={{ gap: 6, fontWeight: 400 }}>
                <input type="checkbox" checked={showDeleted} onChange={(e) => setShowDeleted(e.target.checked)} /> Show deleted projects
              </label>
            </div>
            {showDeleted && (
              <div className="stack" style={{ marginTop: 8 }}>
                {deleted.loading && !deleted.data ? <Loading lines={1} /> : null}
                <ErrorNote error={deleted.error} />
                <ErrorNote error={restoreError} title="Could not restore" />
                {deleted.data && deleted.data.items.length === 0 ? <p className="small muted">No deleted projects.</p> : null}
                {deleted.data && deleted.data.items.length > 0 ? (
                  <ul className="list" aria-label="Deleted projects">
                    {deleted.data.items.map((p) => (
                      <li key={p.id} className="row">
                        <span className="user-text">{p.name}</span>
                        <span className="small muted">deleted {formatInstant(p.deletedAt, zone, 'short')}</span>
                        <span className="spacer" />
                        <button
                          type="button"
                          className="btn small"
                          aria-label={`Restore ${p.name}`}
                          onClick={async () => {
                            setRestoreError(null);
                            try {
                              await call('project.restore', { id: p.id });
                              bump();
                            } catch (e) {
                              setRestoreError(e);
                            }
                          }}
                        >
                          Restore
                        </button>
                      </li>
                    ))}
                  </ul>
                ) : null}
              </div>
            )}
          </section>
          <div className="stack">
            <SpendCard />
            <section className="card" aria-labelledby="plan-h">
              <h2 id="plan-h">Plan</h2>
              <p className="small" style={{ margin: 0 }}>
                {org ? (
                  <>
                    The <strong>{org.plan}</strong> plan limits how many projects run at once, not how often they publish.
                    {list.data ? ` ${list.data.items.filter((r) => r.project.status !== 'archived').length} in use.` : ''}
                  </>
                ) : (
                  null
                )}
              </p>
            </section>
          </div>
        </div>
      </div>
    </>
  );
}
