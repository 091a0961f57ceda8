'use client';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useCallback, useMemo, useRef, useState, type FormEvent } from 'react';
import type { Block, ChatMessage, ChatSession, Episode, EpisodeScheduleQueue, Highlight, Page, PlanningNote, Project, TokenUsage, User } from '@/core/types.generated';
import { useCore, useQuery } from '@/components/CoreProvider';
import { Markdown } from '@/components/Markdown';
import { WorkBadge } from '@/components/WorkBadge';
import { Empty, ErrorNote, Loading, StatusBadge } from '@/components/ui';
import { findPhrase, selectionToSourceRange, type SourceRange } from '@/lib/selection';
import { formatCost, moneyColumn } from '@/lib/money';
import { formatInstant, viewerZone } from '@/lib/time';
import { isNotFound, isUuid, notFoundError } from '@/lib/core';

function BlockView({ block, highlights, activeId }: { block: Block; highlights: Highlight[]; activeId: string | null }) {
  const { call, bump } = useCore();
  const ref = useRef<HTMLDivElement>(null);
  const [range, setRange] = useState<SourceRange | null>(null);
  const [note, setNote] = useState('');
  const [phrase, setPhrase] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const marks = useMemo(() => highlights.map((h) => ({ id: h.id, start: h.startOffset, end: h.endOffset, title: h.note ?? undefined })), [highlights]);

  const capture = useCallback(() => {
    if (!ref.current) return;
    const r = selectionToSourceRange(ref.current, block.content);
    if (r) {
      setRange(r);
      setError(null);
    }
  }, [block.content]);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (!range) return;
    setBusy(true);
    setError(null);
    try {
      await call('highlight.create', {
        episodeId: block.episodeId,
        blockId: block.id,
        startOffset: range.start,
        endOffset: range.end,
        quote: block.content.slice(range.start, range.end),
        note: note.trim() ? note.trim() : null,
      });
      setRange(null);
      setNote('');
      window.getSelection()?.removeAllRanges();
      bump();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      <div onMouseUp={capture} onKeyUp={capture} onTouchEnd={capture}>
        <Markdown ref={ref} source={block.content} marks={marks} activeId={activeId} label="Episode text" />
      </div>
      <form
        className="row small"
        style={{ marginTop: 12 }}
        onSubmit={(e) => {
          e.preventDefault();
          const r = findPhrase(block.content, phrase, 0);
          if (r) {
            setRange(r);
            setError(null);
          } else setError(new Error(`“${phrase}” is not in the text.`));
        }}
      >
        <label htmlFor={`find-${block.id}`}>Or find text to highlight</label>
        <input id={`find-${block.id}`} type="search" value={phrase} onChange={(e) => setPhrase(e.target.value)} placeholder="exact words from the episode" />
        <button type="submit" className="btn small" disabled={!phrase.trim()}>Find</button>
      </form>
      {range && (
        <form className="selection-bar stack" onSubmit={save} aria-label="New highlight" data-testid="highlight-form">
          <div className="small muted">
            New highlight · characters {range.start}–{range.end} (UTF-16)
          </div>
          <blockquote className="quote" data-testid="pending-quote">{block.content.slice(range.start, range.end)}</blockquote>
          <div className="field">
            <label htmlFor={`hl-note-${block.id}`}>Note (optional)</label>
            <input id={`hl-note-${block.id}`} type="text" value={note} onChange={(e) => setNote(e.target.value)} autoFocus />
          </div>
          <ErrorNote error={error} title="Could not save the highlight" />
          <div className="row">
            <button type="submit" className="btn primary" disabled={busy}>Save highlight</button>
            <button type="button" className="btn" onClick={() => { setRange(null); setError(null); }}>Cancel</button>
          </div>
        </form>
      )}
      {!range && error ? <ErrorNote error={error} title="Highlight" /> : null}
      <p className="small muted">Select text in the episode to highlight it{highlights.length ? ` · ${highlights.length} highlight${highlights.length === 1 ? '' : 's'}` : ''}.</p>
    </div>
  );
}

function HighlightsPanel({ highlights, users, activeId, setActiveId, zone }: { highlights: Highlight[]; users: Map<string, User>; activeId: string | null; setActiveId: (id: string | null) => void; zone: string }) {
  const { call, bump } = useCore();
  const [error, setError] = useState<unknown>(null);
  return (
    <section className="card" aria-labelledby="hl-h">
      <h2 id="hl-h">Highlights</h2>
      <ErrorNote error={error} title="Could not remove the highlight" />
      {highlights.length === 0 ? <Empty title="No highlights yet">Select a passage to keep it with a note.</Empty> : null}
      <ul className="list" data-testid="highlights-list" aria-label="Highlights">
        {highlights.map((h) => (
          <li key={h.id} onMouseEnter={() => setActiveId(h.id)} onMouseLeave={() => setActiveId(null)}>
            <blockquote className="quote">{h.quote}</blockquote>
            {h.note ? <div>{h.note}</div> : null}
            <div className="row small muted">
              <span>{users.get(h.userId)?.name ?? 'someone'} · {formatInstant(h.createdAt, zone, 'short')} · {h.startOffset}–{h.endOffset}</span>
              <span className="spacer" />
              <button type="button" className="btn small" aria-pressed={activeId === h.id} onClick={() => setActiveId(activeId === h.id ? null : h.id)}>Show</button>
              <button
                type="button"
                className="btn small danger"
                onClick={async () => {
                  setError(null);
                  try {
                    await call('highlight.delete', { id: h.id });
                    bump();
                  } catch (e) {
                    setError(e);
                  }
                }}
              >
                Remove
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function History({ episode, zone }: { episode: Episode; zone: string }) {
  const queue = useQuery((c) => c('queue.list', { episodeId: episode.id, orderBy: 'scheduledFor', limit: 10 }), [episode.id]);
  const usage = useQuery((c) => c('tokenUsage.list', { episodeId: episode.id, orderBy: 'occurredAt', limit: 50 }), [episode.id]);
  const total = (usage.data?.items ?? []).reduce((s, u) => s + u.costMicros, 0);
  // One precision for the whole cost column (the total included).
  const cost = moneyColumn([...(usage.data?.items ?? []).map((u) => u.costMicros), total]);
  return (
    <section className="card" aria-labelledby="hist-h">
      <h2 id="hist-h">Generation history</h2>
      <dl className="grid three small" style={{ margin: 0 }}>
        <div><dt className="muted">Status</dt><dd style={{ margin: 0 }}><WorkBadge status={episode.status} /></dd></div>
        <div><dt className="muted">Attempts</dt><dd style={{ margin: 0 }} className="num">{episode.generationAttempts}</dd></div>
        <div><dt className="muted">Generated</dt><dd style={{ margin: 0 }}>{formatInstant(episode.generatedAt, zone, 'short')}</dd></div>
      </dl>
      {episode.generationErrors.length > 0 ? (
        <>
          <h3 style={{ marginTop: 12 }}>Failed attempts</h3>
          <ol className="list" aria-label="Failed attempts">
            {episode.generationErrors.map((g, k) => (
              <li key={k} className="small">
                <div><StatusBadge status="failed" label={g.code} /> {formatInstant(g.at, zone, 'short')}{g.attempt ? ` · attempt ${g.attempt}` : ''}</div>
                <div>{g.message}</div>
              </li>
            ))}
          </ol>
        </>
      ) : null}
      <h3 style={{ marginTop: 12 }}>Queue</h3>
      <ErrorNote error={queue.error} />
      {queue.data && queue.data.items.length === 0 ? <p className="small muted">No queue item (created by hand or by the seed).</p> : null}
      <ul className="list">
        {queue.data?.items.map((q) => (
          <li key={q.id} className="small">
            <div className="row"><WorkBadge status={q.status} /> slot {formatInstant(q.scheduledFor, zone, 'short')} · attempt {q.attempts}/{q.maxAttempts}</div>
            {q.lastError ? <div className={q.status === 'cancelled' || q.status === 'completed' ? 'muted' : 'bad-text'}>{q.status === 'cancelled' ? 'Cancelled' : 'Last error'}: {q.lastError}</div> : null}
          </li>
        ))}
      </ul>
      <h3 style={{ marginTop: 12 }}>LLM calls</h3>
      <ErrorNote error={usage.error} />
      {usage.data && usage.data.items.length === 0 ? <p className="small muted">No token usage recorded.</p> : null}
      {usage.data && usage.data.items.length > 0 ? (
        <div className="table-wrap">
          <table className="small cards">
            <thead><tr><th scope="col">When</th><th scope="col">Model</th><th scope="col" className="num">Tokens in / out</th><th scope="col" className="num">Cost</th></tr></thead>
            <tbody>
              {usage.data.items.map((u) => (
                <tr key={u.id}>
                  <td data-label="When">{formatInstant(u.occurredAt, zone, 'short')}</td>
                  <td data-label="Model">{u.model}</td>
                  <td className="num" data-label="Tokens in / out">{u.inputTokens.toLocaleString('en-GB')} / {u.outputTokens.toLocaleString('en-GB')}</td>
                  <td className="num" data-label="Cost">{cost(u.costMicros)}</td>
                </tr>
              ))}
              <tr><td colSpan={3}><strong>Total</strong></td><td className="num" data-label="Total cost"><strong>{cost(total)}</strong></td></tr>
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function ChatPanel({ episode, users, zone }: { episode: Episode; users: Map<string, User>; zone: string }) {
  const sessions = useQuery(async (c) => {
    const s = await c('chatSession.list', { episodeId: episode.id, limit: 5 });
    const out: { session: ChatSession; messages: ChatMessage[] }[] = [];
    for (const session of s.items) {
      const m = await c('chatMessage.list', { sessionId: session.id, orderBy: 'createdAt', limit: 200 });
      out.push({ session, messages: m.items });
    }
    return out;
  }, [episode.id]);
  return (
    <section className="card" aria-labelledby="chat-h">
      <h2 id="chat-h">Chat</h2>
      {sessions.loading && !sessions.data ? <Loading /> : null}
      <ErrorNote error={sessions.error} title="Could not load the chat" />
      {sessions.data && sessions.data.length === 0 ? <Empty title="No chat about this episode" /> : null}
      {sessions.data?.map(({ session, messages }) => {
        const tin = messages.reduce((s, m) => s + m.inputTokens, 0);
        const tout = messages.reduce((s, m) => s + m.outputTokens, 0);
        const cost = messages.reduce((s, m) => s + m.costMicros, 0);
        return (
          <div key={session.id} className="stack" data-testid="chat-session">
            <div className="row">
              <h3 className="user-text">{session.title}</h3>
              <span className="small muted">with {users.get(session.userId)?.name ?? 'a user'}</span>
            </div>
            <p className="small muted num" style={{ margin: 0 }}>
              {messages.length} messages · {tin.toLocaleString('en-GB')} tokens in · {tout.toLocaleString('en-GB')} out · {formatCost(cost)}
            </p>
            <div className="chat">
              {messages.map((m) => (
                <div key={m.id} className={`msg ${m.role}`}>
                  <div className="pre-wrap">{m.content}</div>
                  <div className="meta num">
                    {m.role === 'user' ? users.get(session.userId)?.name ?? 'user' : m.role} · {formatInstant(m.createdAt, zone, 'short')}
                    {m.inputTokens || m.outputTokens ? ` · ${m.inputTokens}/${m.outputTokens} tokens · ${formatCost(m.costMicros)}` : ''}
                  </div>
                </div>
              ))}
            </div>
          </div>
        );
      })}
    </section>
  );
}

export default function EpisodePage() {
  const { id } = useParams<{ id: string }>();
  const [activeId, setActiveId] = useState<string | null>(null);
  const validId = isUuid(id);
  const episode = useQuery((c) => (validId ? c('episode.get', { id }) : Promise.reject(notFoundError())), [id]);
  const ep = episode.data;
  const project = useQuery((c) => (ep ? c('project.get', { id: ep.projectId, includeDeleted: true }) : Promise.resolve(null)), [ep?.projectId]);
  const blocks = useQuery((c) => (validId ? c('block.list', { episodeId: id, orderBy: 'position', limit: 20 }) : Promise.resolve(undefined)), [id]);
  const highlights = useQuery((c) => (validId ? c('highlight.list', { episodeId: id, orderBy: 'startOffset', limit: 200 }) : Promise.resolve(undefined)), [id]);
  const users = useQuery((c) => c('user.list', { limit: 100 }), []);
  const notes = useQuery((c) => (validId ? c('planningNote.list', { appliedEpisodeId: id, limit: 20 }) : Promise.resolve(undefined)), [id]);
  const byId = useMemo(() => new Map((users.data?.items ?? []).map((u) => [u.id, u])), [users.data]);
  // One zone for the view: the project's, resolved as the core does (cadence, owner, UTC), named
  // once; the viewer's zone until the project is read.
  const pz = project.data ? project.data.cadenceConfig.timezone || byId.get(project.data.ownerId)?.timezone || (users.data ? 'UTC' : null) : null;
  const zone = pz ?? viewerZone();

  if (!validId || isNotFound(episode.error)) {
    return (
      <div className="card">
        <h1>Episode not found</h1>
        <p>It does not exist or belongs to another organization.</p>
        <Link href="/projects">Back to projects</Link>
      </div>
    );
  }
  return (
    <>
      <div className="crumbs">
        <Link href="/projects">Projects</Link> / {project.data ? <Link href={`/projects/${project.data.id}`}>{project.data.name}</Link> : '…'} / Episode {ep?.number ?? ''}
      </div>
      {episode.loading && !ep ? <Loading label="Loading the episode" /> : null}
      <ErrorNote error={episode.error} title="Could not load the episode" onRetry={episode.reload} />
      {ep && (
        <>
          <div className="page-head">
            <div>
              <h1 className="user-text">{ep.title || `Episode ${ep.number}`} <WorkBadge status={ep.status} /></h1>
              <p className="small">
                Episode {ep.number} · scheduled {formatInstant(ep.scheduledFor, zone)}
                {ep.generatedAt ? ` · generated ${formatInstant(ep.generatedAt, zone, 'short')}` : ''}
              </p>
              <p className="small muted view-zone" data-testid="view-zone">
                All times on this page are in <strong>{zone}</strong>, {pz ? 'the project’s time zone' : 'your time zone'}.
              </p>
            </div>
          </div>
          <div className="split wide-side">
            <div className="stack">
              <section className="card" aria-labelledby="content-h">
                <h2 id="content-h" className="sr-only">Content</h2>
                {blocks.loading && !blocks.data ? <Loading label="Loading the content" lines={6} /> : null}
                <ErrorNote error={blocks.error} title="Could not load the content" />
                {blocks.data && blocks.data.items.length === 0 ? (
                  <Empty title="Nothing generated yet">{ep.status === 'failed' ? 'Every attempt failed; see the history.' : 'The demo worker writes it when the episode falls due.'}</Empty>
                ) : null}
                {blocks.data?.items.map((b) => (
                  <BlockView key={b.id} block={b} highlights={(highlights.data?.items ?? []).filter((h) => h.blockId === b.id)} activeId={activeId} />
                ))}
              </section>
              <ChatPanel episode={ep} users={byId} zone={zone} />
            </div>
            <div className="stack">
              <HighlightsPanel highlights={highlights.data?.items ?? []} users={byId} activeId={activeId} setActiveId={setActiveId} zone={zone} />
              <History episode={ep} zone={zone} />
              {notes.data && notes.data.items.length > 0 ? (
                <section className="card" aria-labelledby="applied-h">
                  <h2 id="applied-h">Planning notes applied here</h2>
                  <ul className="list">
                    {notes.data.items.map((n) => <li key={n.id}><Markdown source={n.content} className="prose compact" headingShift={2} testId="note-markdown" /></li>)}
                  </ul>
                </section>
              ) : null}
            </div>
          </div>
        </>
      )}
    </>
  );
}
