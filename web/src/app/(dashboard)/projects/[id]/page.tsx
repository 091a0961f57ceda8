'use client';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useMemo, useState, type FormEvent } from 'react';
import type { Episode, EpisodeScheduleQueue, Page, Project, User } from '@/core/types.generated';
import { useCore, useQuery } from '@/components/CoreProvider';
import { Empty, ErrorNote, Loading, StatusBadge } from '@/components/ui';
import { DstMark } from '@/components/DstMark';
import { cadenceInWords } from '@/lib/cadence';
import { formatInstant, relativeTo } from '@/lib/time';
import { isNotFound, isUuid, notFoundError, type ParamsOf } from '@/lib/core';
import { Markdown } from '@/components/Markdown';
import { WorkBadge } from '@/components/WorkBadge';

function useAction() {
  const { bump } = useCore();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      bump();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, run, setError };
}

function Schedule({ project, zone }: { project: Project; zone: string }) {
  const { clock } = useCore();
  const preview = useQuery((call) => call('schedule.preview', { projectId: project.id, count: 10 }), [project.id]);
  const queue = useQuery(async (call) => {
    const list = (params: ParamsOf<'queue.list'>) => call('queue.list', { projectId: project.id, ...params });
    const [processing, failed, pending, recent] = await Promise.all([
      list({ status: 'processing', orderBy: 'scheduledFor', limit: 20 }),
      list({ status: 'failed', orderBy: 'scheduledFor', descending: true, limit: 20 }),
      list({ status: 'pending', orderBy: 'scheduledFor', limit: 12 }),
      list({ orderBy: 'updatedAt', descending: true, limit: 30 }),
    ]);
    const seen = new Set<string>();
    const items = [...processing.items, ...failed.items, ...pending.items, ...recent.items].filter((q) => !seen.has(q.id) && seen.add(q.id));
    return { items, pendingTotal: pending.total };
  }, [project.id]);
  const action = useAction();
  const { call, user } = useCore();
  // Retrying or cancelling a generation by hand is for admins and owners (core/schema/authz).
  const manages = user?.role === 'owner' || user?.role === 'admin';
  const [confirming, setConfirming] = useState<string | null>(null);
  const bySlot = useMemo(() => new Map((queue.data?.items ?? []).map((q) => [q.scheduledFor, q])), [queue.data]);
  const now = clock?.now;
  const upcoming = (queue.data?.items ?? []).filter((q) => q.status === 'pending' || q.status === 'processing' || q.status === 'failed');
  const recent = (queue.data?.items ?? []).filter((q) => !(q.status === 'pending' || q.status === 'processing' || q.status === 'failed')).slice(0, 8);
  const queueRow = (q: EpisodeScheduleQueue) => (
    <li key={q.id} data-testid="queue-item">
      <div className="row">
        <strong className="small">{formatInstant(q.scheduledFor, zone, 'short')}</strong>
        <WorkBadge status={q.status} label={q.status === 'failed' ? 'dead' : q.status} />
        <span className="small muted num">attempt {q.attempts}/{q.maxAttempts}</span>
        <span className="spacer" />
        {q.status === 'failed' && manages ? (
          <button type="button" className="btn small" disabled={action.busy} onClick={() => action.run(() => call('queue.retry', { id: q.id }))}>Retry</button>
        ) : null}
        {(q.status === 'pending' || q.status === 'failed') && manages && confirming !== q.id ? (
          <button type="button" className="btn small danger" disabled={action.busy} onClick={() => setConfirming(q.id)} aria-label={`Cancel the episode of ${formatInstant(q.scheduledFor, zone, 'short')}`}>Cancel</button>
        ) : null}
      </div>
      {confirming === q.id ? (
        <div className="confirm row small" role="group" aria-label="Confirm the cancellation" data-testid="cancel-confirm">
          <span>Cancel this slot? No episode is generated for it; the queue does not refill it until the cadence changes.</span>
          <button
            type="button"
            className="btn small danger"
            disabled={action.busy}
            autoFocus
            onClick={async () => {
              if (await action.run(() => call('queue.cancel', { id: q.id }))) setConfirming(null);
            }}
          >
            Yes, cancel it
          </button>
          <button type="button" className="btn small" onClick={() => setConfirming(null)}>Keep it</button>
        </div>
      ) : null}
      <div className="small muted">
        {[
          q.status === 'pending' && now && q.runAfter > now && q.attempts > 0 ? <span key="r">retry {relativeTo(q.runAfter, now)} (backoff)</span> : null,
          q.status === 'pending' && q.attempts === 0 ? <span key="d">due {relativeTo(q.scheduledFor, now)}</span> : null,
          q.status === 'processing' && q.lockedBy ? <span key="l">leased by {q.lockedBy} until {formatInstant(q.lockedUntil, zone, 'time')}</span> : null,
          q.episodeId ? <Link key="e" href={`/episodes/${q.episodeId}`}>episode</Link> : null,
        ]
          .filter(Boolean)
          .map((x, k) => (k ? [' · ', x] : x))}
      </div>
      {q.lastError ? (
        q.status === 'cancelled' || q.status === 'completed' ? (
          <p className="small muted flush">{q.status === 'cancelled' ? 'Cancelled' : 'Note'}: {q.lastError}</p>
        ) : (
          <p className="small flush bad-text">Last error: {q.lastError}</p>
        )
      ) : null}
    </li>
  );
  return (
    <section className="card" aria-labelledby="sched-h">
      <header>
        <h2 id="sched-h">Upcoming schedule</h2>
      </header>
      <ErrorNote error={action.error} title="Queue action failed" />
      <div className="grid two">
        <div>
          <h3>Cadence preview</h3>
          <p className="small muted" style={{ marginTop: 2 }}>
            Next 10 computed by the core, in {preview.data?.timezone ?? zone}.
          </p>
          {preview.loading && !preview.data ? <Loading /> : null}
          <ErrorNote error={preview.error} title="No preview" />
          {preview.data && preview.data.items.length === 0 ? (
            <Empty title="No upcoming episodes">{project.status !== 'active' ? `The project is ${project.status}.` : 'The cadence has no days.'}</Empty>
          ) : null}
          {preview.data && preview.data.items.length > 0 ? (
            <ol className="list" aria-label="Next episodes from the cadence" data-testid="preview-list">
              {preview.data.items.map((o, k) => {
                const q = bySlot.get(o.utc);
                return (
                  <li key={o.utc} className="slot">
                    <div>
                      <div>
                        <strong>{o.local.slice(0, 10)} {o.local.slice(11, 16)}</strong> <span className="small muted">{o.weekday}</span>{' '}
                        <DstMark occ={o} prev={preview.data!.items[k - 1]} />
                      </div>
                    </div>
                    <div>{q ? <WorkBadge status={q.status} /> : <span className="badge" title="Not in the queue yet">not queued</span>}</div>
                  </li>
                );
              })}
            </ol>
          ) : null}
        </div>
        <div>
          <h3>Queue</h3>
          <p className="small muted" style={{ marginTop: 2 }}>What the worker will claim, with retries and failures.</p>
          {queue.loading && !queue.data ? <Loading /> : null}
          <ErrorNote error={queue.error} title="Could not read the queue" />
          {queue.data && queue.data.items.length === 0 ? <Empty title="The queue is empty">Save the settings or start the demo worker to plan it.</Empty> : null}
          {upcoming.length > 0 ? (
            <ul className="list" aria-label="Pending, running and dead queue items">
              {[...upcoming]
                .sort((a, b) => (a.status === 'pending') === (b.status === 'pending') ? a.scheduledFor.localeCompare(b.scheduledFor) : a.status === 'pending' ? 1 : -1)
                .slice(0, 10)
                .map(queueRow)}
            </ul>
          ) : null}
          {queue.data && queue.data.pendingTotal > 10 ? <p className="small muted">{queue.data.pendingTotal} pending in all</p> : null}
          {recent.length > 0 ? (
            <>
              <h3 className="small muted" style={{ marginTop: 12 }}>Recently finished</h3>
              <ul className="list" aria-label="Finished queue items">{recent.map(queueRow)}</ul>
            </>
          ) : null}
        </div>
      </div>
    </section>
  );
}

function Episodes({ project, episodes, zone }: { project: Project; episodes: ReturnType<typeof useQuery<Page<Episode> | undefined>>; zone: string }) {
  return (
    <section className="card" aria-labelledby="eps-h">
      <header>
        <h2 id="eps-h">Episodes {episodes.data ? <span className="muted small">({episodes.data.total})</span> : null}</h2>
      </header>
      {episodes.loading && !episodes.data ? <Loading /> : null}
      <ErrorNote error={episodes.error} title="Could not load the episodes" onRetry={episodes.reload} />
      {episodes.data && episodes.data.items.length === 0 ? <Empty title="No episodes yet">They appear as the worker generates them.</Empty> : null}
      {episodes.data && episodes.data.items.length > 0 ? (
        <div className="table-wrap">
          <table data-testid="episodes-table" className="cards">
            <thead>
              <tr>
                <th scope="col" className="num">#</th>
                <th scope="col">Title</th>
                <th scope="col">Status</th>
                <th scope="col">Scheduled</th>
                <th scope="col" className="num">Attempts</th>
                <th scope="col">Errors</th>
              </tr>
            </thead>
            <tbody>
              {episodes.data.items.map((e) => (
                <tr key={e.id}>
                  <td className="num" data-label="#">{e.number}</td>
                  <td data-label="Title"><Link href={`/episodes/${e.id}`}>{e.title || `Episode ${e.number}`}</Link></td>
                  <td data-label="Status"><WorkBadge status={e.status} /></td>
                  <td className="small" data-label="Scheduled">{formatInstant(e.scheduledFor, zone, 'short')}</td>
                  <td className="num" data-label="Attempts">{e.generationAttempts}</td>
                  <td className="small" data-label="Errors">
                    {e.generationErrors.length === 0 ? <span className="muted">—</span> : (
                      <details>
                        <summary>{e.generationErrors.length} error{e.generationErrors.length === 1 ? '' : 's'}: {e.generationErrors[e.generationErrors.length - 1].code}</summary>
                        <ul className="errors">
                          {e.generationErrors.map((g, k) => (
                            <li key={k}>{formatInstant(g.at, zone, 'short')} — <code>{g.code}</code> {g.message}</li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p className="small muted" style={{ marginBottom: 0 }}>Cadence: {cadenceInWords(project.cadenceConfig, zone)}</p>
    </section>
  );
}

function Notes({ project, episodes, authors, zone }: { project: Project; episodes: Episode[]; authors: Map<string, User>; zone: string }) {
  const { call } = useCore();
  const notes = useQuery((c) => c('planningNote.list', { projectId: project.id, orderBy: 'createdAt', descending: true, limit: 50 }), [project.id]);
  const [text, setText] = useState('');
  const add = useAction();
  const act = useAction();
  const [applyTo, setApplyTo] = useState<Record<string, string>>({});
  const target = episodes.find((e) => e.status === 'scheduled' || e.status === 'generating') ?? episodes[0];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (await add.run(() => call('planningNote.create', { projectId: project.id, content: text }))) setText('');
  };
  return (
    <section className="card" aria-labelledby="notes-h">
      <header><h2 id="notes-h">Planning notes</h2></header>
      <form className="stack" onSubmit={submit}>
        <div className="field">
          <label htmlFor="note-new">New note for the next episodes <span className="help">(markdown: **bold**, *italic*, lists, links within the app)</span></label>
          <textarea id="note-new" value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. Cover the new pricing page next week." />
        </div>
        <ErrorNote error={add.error} title="Could not add the note" />
        <div><button type="submit" className="btn primary" disabled={add.busy || !text.trim()}>Add note</button></div>
      </form>
      <ErrorNote error={act.error} title="Could not change the note" />
      {notes.loading && !notes.data ? <Loading /> : null}
      <ErrorNote error={notes.error} />
      {notes.data && notes.data.items.length === 0 ? <Empty title="No planning notes">Notes steer what the agent writes next.</Empty> : null}
      <ul className="list" aria-label="Planning notes" data-testid="notes-list">
        {notes.data?.items.map((n) => (
          <li key={n.id}>
            <div className="row">
              <StatusBadge status={n.status} />
              <span className="small muted">{authors.get(n.authorId)?.name ?? 'someone'} · {formatInstant(n.createdAt, zone, 'short')}</span>
              {n.appliedEpisodeId ? <Link className="small" href={`/episodes/${n.appliedEpisodeId}`}>applied in episode</Link> : null}
            </div>
            <Markdown source={n.content} className="prose compact" headingShift={2} testId="note-markdown" />
            {n.status === 'open' && (
              <div className="row">
                {episodes.length > 0 ? (
                  <>
                    <label htmlFor={`apply-${n.id}`} className="sr-only">Episode to apply the note in</label>
                    <select id={`apply-${n.id}`} value={applyTo[n.id] ?? target?.id ?? ''} onChange={(e) => setApplyTo({ ...applyTo, [n.id]: e.target.value })}>
                      {episodes.map((e) => <option key={e.id} value={e.id}>#{e.number} {e.title.slice(0, 40)}</option>)}
                    </select>
                    <button type="button" className="btn small" disabled={act.busy} onClick={() => act.run(() => call('planningNote.apply', { id: n.id, episodeId: applyTo[n.id] ?? target!.id }))}>Apply</button>
                  </>
                ) : null}
                <button type="button" className="btn small" disabled={act.busy} onClick={() => act.run(() => call('planningNote.dismiss', { id: n.id }))}>Dismiss</button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Memories({ project }: { project: Project }) {
  const { call } = useCore();
  const [text, setText] = useState('');
  const [editing, setEditing] = useState<{ id: string; content: string } | null>(null);
  const act = useAction();
  return (
    <section className="card" aria-labelledby="mem-h">
      <header><h2 id="mem-h">Memories</h2></header>
      <p className="small muted" style={{ marginTop: 0 }}>Facts the agent keeps in mind for every episode.</p>
      <ErrorNote error={act.error} title="Could not change the memories" />
      {project.memories.length === 0 ? <Empty title="No memories yet" /> : null}
      <ul className="list" aria-label="Memories" data-testid="memories-list">
        {project.memories.map((m) => (
          <li key={m.id}>
            {editing?.id === m.id ? (
              <form
                className="stack"
                onSubmit={async (e) => {
                  e.preventDefault();
                  if (await act.run(() => call('project.memory.update', { projectId: project.id, memoryId: m.id, content: editing.content }))) setEditing(null);
                }}
              >
                <label htmlFor={`mem-${m.id}`} className="sr-only">Memory text</label>
                <textarea id={`mem-${m.id}`} value={editing.content} onChange={(e) => setEditing({ id: m.id, content: e.target.value })} autoFocus />
                <div className="row">
                  <button type="submit" className="btn small primary" disabled={act.busy}>Save memory</button>
                  <button type="button" className="btn small" onClick={() => setEditing(null)}>Cancel</button>
                </div>
              </form>
            ) : (
              <div className="row">
                <span className="grow user-text">{m.content}</span>
                <button type="button" className="btn small" onClick={() => setEditing({ id: m.id, content: m.content })} aria-label={`Edit memory: ${m.content.slice(0, 40)}`}>Edit</button>
                <button type="button" className="btn small danger" disabled={act.busy} onClick={() => act.run(() => call('project.memory.remove', { projectId: project.id, memoryId: m.id }))} aria-label={`Remove memory: ${m.content.slice(0, 40)}`}>Remove</button>
              </div>
            )}
          </li>
        ))}
      </ul>
      <form
        className="row"
        style={{ marginTop: 10 }}
        onSubmit={async (e) => {
          e.preventDefault();
          if (await act.run(() => call('project.memory.add', { projectId: project.id, content: text }))) setText('');
        }}
      >
        <label htmlFor="mem-new" className="sr-only">New memory</label>
        <input id="mem-new" type="text" className="grow" value={text} onChange={(e) => setText(e.target.value)} placeholder="e.g. Readers are product managers in the UK" />
        <button type="submit" className="btn" disabled={act.busy || !text.trim()}>Add memory</button>
      </form>
    </section>
  );
}

export default function ProjectPage() {
  const { id } = useParams<{ id: string }>();
  const validId = isUuid(id);
  const project = useQuery((call) => (validId ? call('project.get', { id }) : Promise.reject(notFoundError())), [id]);
  const episodes = useQuery((call) => (isUuid(id) ? call('episode.list', { projectId: id, orderBy: 'number', descending: true, limit: 50 }) : Promise.resolve(undefined)), [id]);
  const users = useQuery((call) => call('user.list', { limit: 100 }), []);
  const authors = useMemo(() => new Map((users.data?.items ?? []).map((u) => [u.id, u])), [users.data]);
  const p = project.data;
  if (!validId || isNotFound(project.error)) {
    return (
      <div className="card">
        <h1>Project not found</h1>
        <p>It does not exist, was deleted, or belongs to another organization.</p>
        <Link href="/projects">Back to projects</Link>
      </div>
    );
  }
  const owner = p ? authors.get(p.ownerId) : undefined;
  // One zone for the whole view: the project's, resolved as the core does (the cadence's zone,
  // else the owner's, else UTC); every time on the page is shown in it, and it is named once.
  const zone = p && (p.cadenceConfig.timezone || users.data) ? p.cadenceConfig.timezone || owner?.timezone || 'UTC' : null;
  return (
    <>
      <div className="crumbs"><Link href="/projects">Projects</Link> / {p?.name ?? '…'}</div>
      {project.loading && !p ? <Loading label="Loading the project" /> : null}
      <ErrorNote error={project.error} title="Could not load the project" onRetry={project.reload} />
      {p && zone && (
        <>
          <div className="page-head">
            <div>
              <h1 className="user-text">{p.name} <StatusBadge status={p.status} /></h1>
              <p className="user-text">{p.description || <span className="muted">No description</span>}</p>
              <p className="small">
                {cadenceInWords(p.cadenceConfig, zone)}
                {p.cadenceConfig.pausedUntil ? ` · paused until ${p.cadenceConfig.pausedUntil}` : ''}
                {owner ? ` · owner ${owner.name}` : ''}
              </p>
            </div>
            <Link className="btn" href={`/projects/${p.id}/settings`}>Settings</Link>
          </div>
          <p className="small muted view-zone" data-testid="view-zone">
            All times on this page are in <strong>{zone}</strong>, the project’s time zone.
          </p>
          <div className="stack">
            <Schedule project={p} zone={zone} />
            <Episodes project={p} episodes={episodes} zone={zone} />
            <div className="grid two">
              <Notes project={p} episodes={episodes.data?.items ?? []} authors={authors} zone={zone} />
              <Memories project={p} />
            </div>
          </div>
        </>
      )}
    </>
  );
}
