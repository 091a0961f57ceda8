'use client';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { Issue, Project, ReplanCounts, SchedulePreview } from '@/core/types.generated';
import { useCore, useQuery } from '@/components/CoreProvider';
import { CadenceFields, cadenceFromDraft, draftFromCadence, type CadenceDraft } from '@/components/CadenceFields';
import { DstMark } from '@/components/DstMark';
import { Empty, ErrorNote, FieldIssues, Loading, StatusBadge } from '@/components/ui';
import { cadenceInWords } from '@/lib/cadence';
import { errorIssues, errorText, fieldOfIssue, isNotFound, isUuid, notFoundError } from '@/lib/core';
import { issueText } from '@/lib/issues';
import { formatInstant, viewerZone } from '@/lib/time';

interface Draft {
  name: string;
  description: string;
  status: Project['status'];
  cadence: CadenceDraft;
}

function draftOf(p: Project): Draft {
  return { name: p.name, description: p.description, status: p.status, cadence: draftFromCadence(p.cadenceConfig) };
}

function usePreview({ draft, ownerZone }: { draft: Draft; ownerZone: string | undefined }) {
  const { call, status: coreStatus, clock } = useCore();
  const [state, setState] = useState<{ data: SchedulePreview | null; error: unknown; loading: boolean }>({ data: null, error: null, loading: true });
  const cadence = useMemo(() => cadenceFromDraft(draft.cadence), [draft.cadence]);
  const key = JSON.stringify([cadence, ownerZone, clock?.now]);
  useEffect(() => {
    if (coreStatus !== 'ready') return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    const t = setTimeout(() => {
      call('schedule.preview', { cadence, ...(cadence.timezone ? {} : ownerZone ? { timezone: ownerZone } : {}), count: 10 }).then(
        (data) => live && setState({ data, error: null, loading: false }),
        (error) => live && setState({ data: null, error, loading: false }),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(t);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, coreStatus]);
  return { state, cadence };
}

export default function SettingsPage() {
  const { id } = useParams<{ id: string }>();
  const { call, callAsSystem, bump } = useCore();
  const zone = viewerZone();
  const validId = isUuid(id);
  const project = useQuery((c) => (validId ? c('project.get', { id, includeDeleted: true }) : Promise.reject(notFoundError())), [id]);
  const users = useQuery((c) => c('user.list', { limit: 100 }), []);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [saved, setSaved] = useState<{ plan: ReplanCounts | null; at: number } | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const loadedFor = useRef<string | null>(null);

  const p = project.data;
  useEffect(() => {
    if (p && loadedFor.current !== p.id) {
      loadedFor.current = p.id;
      setDraft(draftOf(p));
    }
  }, [p]);

  const owner = p ? users.data?.items.find((u) => u.id === p.ownerId) : undefined;
  const { state: preview, cadence } = usePreview({ draft: draft ?? { name: '', description: '', status: 'active', cadence: draftFromCadence(undefined) }, ownerZone: owner?.timezone });

  const previewIssues = errorIssues(preview.error);
  const saveIssues = errorIssues(saveError);
  // The preview and the save may report the same issue: each is shown once by its field.
  const issuesFor = (field: string): Issue[] => {
    const seen = new Set<string>();
    return [...saveIssues, ...previewIssues].filter((i) => {
      const key = `${issueText(i)}`;
      if (fieldOfIssue(i) !== field || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };
  const dirty = !!(p && draft && JSON.stringify(draftOf(p)) !== JSON.stringify({ ...draft, cadence: draftFromCadence(cadenceFromDraft(draft.cadence)) }));

  if (!validId || isNotFound(project.error)) {
    return (
      <div className="card">
        <h1>Project not found</h1>
        <p>It does not exist or belongs to another organization.</p>
        <Link href="/projects">Back to projects</Link>
      </div>
    );
  }
  if (!p || !draft) {
    return (
      <>
        {project.loading ? <Loading label="Loading the settings" /> : null}
        <ErrorNote error={project.error} title="Could not load the project" onRetry={project.reload} />
      </>
    );
  }

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setSaveError(null);
    setSaved(null);
    try {
      // The core replans the queue inside the update when the cadence, status or owner changed,
      // and says what that replan did (`replan`); those are the counts shown, never a second plan's.
      const updated = await call('project.update', {
        id: p.id,
        patch: { name: draft.name, description: draft.description, status: draft.status, cadenceConfig: cadence },
      });
      loadedFor.current = null; // take the saved row as the new baseline
      setDraft(draftOf(updated));
      setSaved({ plan: updated.replan ?? null, at: Date.now() });
      bump();
    } catch (err) {
      setSaveError(err);
    } finally {
      setBusy(false);
    }
  };

  const deleted = !!p.deletedAt;
  const nameIssues = issuesFor('name');
  const descIssues = issuesFor('description');
  const statusIssues = issuesFor('status');

  return (
    <>
      <div className="crumbs">
        <Link href="/projects">Projects</Link> / <Link href={`/projects/${p.id}`}>{p.name}</Link> / Settings
      </div>
      <div className="page-head">
        <div>
          <h1 className="user-text">Settings: {p.name} {deleted ? <StatusBadge status="deleted" /> : <StatusBadge status={p.status} />}</h1>
          <p className="small">Saved cadence: {cadenceInWords(p.cadenceConfig, owner?.timezone)}</p>
        </div>
      </div>
      {deleted ? (
        <div className="notice warn stack" role="status" data-testid="deleted-banner">
          <div>
            <strong>This project is deleted</strong> ({formatInstant(p.deletedAt, zone, 'short')}). It is hidden from lists and gets no new episodes.
          </div>
          <ErrorNote error={deleteError} title="Could not restore" />
          <div>
            <button
              type="button"
              className="btn primary"
              onClick={async () => {
                setDeleteError(null);
                try {
                  await call('project.restore', { id: p.id });
                  await callAsSystem('queue.plan', { projectId: p.id });
                  bump();
                } catch (e) {
                  setDeleteError(e);
                }
              }}
            >
              Restore project
            </button>
          </div>
        </div>
      ) : null}
      <div className="split wide-side">
        <form className="card stack" onSubmit={save} aria-labelledby="form-h" noValidate>
          <h2 id="form-h">Project</h2>
          <div className="field">
            <label htmlFor="s-name">Name</label>
            <input id="s-name" type="text" value={draft.name} disabled={deleted} onChange={(e) => setDraft({ ...draft, name: e.target.value })} aria-invalid={nameIssues.length > 0} aria-describedby={nameIssues.length ? 's-name-i' : undefined} />
            <FieldIssues id="s-name-i" issues={nameIssues} />
          </div>
          <div className="field">
            <label htmlFor="s-desc">Description</label>
            <textarea id="s-desc" value={draft.description} disabled={deleted} onChange={(e) => setDraft({ ...draft, description: e.target.value })} aria-invalid={descIssues.length > 0} aria-describedby={descIssues.length ? 's-desc-i' : undefined} />
            <FieldIssues id="s-desc-i" issues={descIssues} />
          </div>
          <div className="field">
            <label htmlFor="s-status">Status</label>
            <select id="s-status" value={draft.status} disabled={deleted} onChange={(e) => setDraft({ ...draft, status: e.target.value as Project['status'] })} aria-invalid={statusIssues.length > 0}>
              <option value="active">Active — episodes are generated</option>
              <option value="paused">Paused — no episodes</option>
              <option value="archived">Archived — does not count towards the plan</option>
            </select>
            <FieldIssues id="s-status-i" issues={statusIssues} />
          </div>
          <h2>Cadence</h2>
          <CadenceFields value={draft.cadence} onChange={(c) => setDraft({ ...draft, cadence: c })} issuesFor={issuesFor} ownerZone={owner?.timezone} />
          {saveError && !saveIssues.length ? <ErrorNote error={saveError} title="Could not save" /> : null}
          {saveIssues.length ? <div className="notice bad" role="alert">Could not save: {saveIssues.length === 1 ? `${issueText(saveIssues[0])}.` : errorText(saveError)} See the field{saveIssues.length === 1 ? '' : 's'} marked above.</div> : null}
          {saved ? (
            <div className="notice ok" role="status" data-testid="saved">
              Saved.{' '}
              {saved.plan
                ? `Queue replanned: ${saved.plan.added} added, ${saved.plan.cancelled} cancelled, ${saved.plan.kept} kept.`
                : 'The schedule did not change, so the queue was left as it was.'}
            </div>
          ) : null}
          <div className="row">
            <button type="submit" className="btn primary" disabled={busy || deleted}>{busy ? 'Saving…' : 'Save and replan'}</button>
            <button type="button" className="btn" disabled={!dirty || busy} onClick={() => { setDraft(draftOf(p)); setSaveError(null); }}>Discard changes</button>
            <span className="spacer" />
            {!deleted ? (
              <button type="button" className="btn danger" onClick={() => dialogRef.current?.showModal()}>Delete project…</button>
            ) : null}
          </div>
        </form>
        <section className="card" aria-labelledby="preview-h" aria-live="polite" aria-busy={preview.loading}>
          <header>
            <h2 id="preview-h">Next 10 episodes</h2>
            {dirty ? <span className="badge warn">unsaved</span> : <span className="badge">saved</span>}
          </header>
          <p className="small muted" style={{ marginTop: 0 }}>
            Computed by the core as you edit{preview.data ? `, in ${preview.data.timezone}` : ''}; your time ({zone}) below each.
            {draft.status !== 'active' ? ` The project is ${draft.status}: once saved, none of these will run.` : ''}
          </p>
          {preview.loading && !preview.data && !preview.error ? <Loading /> : null}
          {preview.error ? (
            <div className="notice bad" role="alert" data-testid="preview-error">
              <strong>No preview:</strong> {errorText(preview.error)}
              {previewIssues.length ? (
                <ul>
                  {previewIssues.map((iss, k) => (
                    <li key={k}>{issueText(iss)}</li>
                  ))}
                </ul>
              ) : null}
            </div>
          ) : null}
          {preview.data && preview.data.items.length === 0 ? <Empty title="No episodes in this window">Check the days, the pause and the skip dates.</Empty> : null}
          {preview.data && preview.data.items.length > 0 ? (
            <ol className="list" data-testid="settings-preview" aria-label="Next episodes">
              {preview.data.items.map((o, k) => (
                <li key={o.utc} className="slot">
                  <div>
                    <div>
                      <strong className="num">{o.local.slice(0, 10)} {o.local.slice(11, 16)}</strong> <span className="small muted">{o.weekday}</span>{' '}
                      <DstMark occ={o} prev={preview.data!.items[k - 1]} />
                    </div>
                    <div className="small muted">{formatInstant(o.utc, zone)} · {o.utc.slice(0, 16).replace('T', ' ')} UTC</div>
                  </div>
                </li>
              ))}
            </ol>
          ) : null}
        </section>
      </div>
      <dialog ref={dialogRef} aria-labelledby="del-h">
        <form
          method="dialog"
          className="stack"
          onSubmit={async (e) => {
            e.preventDefault();
            setDeleteError(null);
            try {
              await call('project.delete', { id: p.id });
              await callAsSystem('queue.plan', { projectId: p.id }).catch(() => null);
              dialogRef.current?.close();
              bump();
            } catch (err) {
              setDeleteError(err);
            }
          }}
        >
          <h2 id="del-h" className="user-text">Delete {p.name}?</h2>
          <p>The project is hidden and gets no new episodes. You can restore it later from its settings or the projects list.</p>
          <ErrorNote error={deleteError} title="Could not delete" />
          <div className="row">
            <button type="submit" className="btn danger">Delete project</button>
            <button type="button" className="btn" onClick={() => dialogRef.current?.close()}>Keep it</button>
          </div>
        </form>
      </dialog>
    </>
  );
}
