'use client';
import { useRouter } from 'next/navigation';
import { useId, useState, type FormEvent } from 'react';
import { useCore } from './CoreProvider';
import { CadenceFields, cadenceFromDraft, draftFromCadence, type CadenceDraft } from './CadenceFields';
import { ErrorNote, FieldIssues } from './ui';
import { errorIssues, fieldOfIssue, isCoreError } from '@/lib/core';
import { ErrorCode } from '@/core/error_codes';

export function CreateProjectForm({ onDone }: { onDone: () => void }) {
  const { call, callAsSystem, bump, user, org } = useCore();
  const router = useRouter();
  const id = useId();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [cadence, setCadence] = useState<CadenceDraft>(draftFromCadence({ days: ['mon', 'wed', 'fri'], time: '09:00' }));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const issues = errorIssues(error);
  const issuesFor = (field: string) => issues.filter((i) => fieldOfIssue(i) === field);
  const planLimit = isCoreError(error) && error.code === ErrorCode.planLimit;
  const limitParams = (issues.find((i) => i.code === ErrorCode.planLimit)?.params ?? {}) as { plan?: string; limit?: number; used?: number };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const project = await call('project.create', { name, description, cadenceConfig: cadenceFromDraft(cadence) });
      await callAsSystem('queue.plan', { projectId: project.id });
      bump();
      onDone();
      router.push(`/projects/${project.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="card stack" onSubmit={submit} aria-labelledby={`${id}-h`} noValidate>
      <h2 id={`${id}-h`}>New project</h2>
      {planLimit ? (
        <div className="notice warn" role="alert" data-testid="plan-limit">
          <strong>Plan limit reached.</strong> {isCoreError(error) ? error.message : ''}.
          <div className="small" style={{ marginTop: 4 }}>
            {org?.name ?? 'This organization'} is on the <strong>{limitParams.plan ?? org?.plan}</strong> plan
            {typeof limitParams.limit === 'number' ? `, which runs up to ${limitParams.limit} projects at once (${limitParams.used ?? '?'} in use)` : ''}. Plans
            limit how many projects you run, not how often they publish: archive or delete a project, or move to a bigger plan.
          </div>
        </div>
      ) : (
        error ? <ErrorNote error={error} title="Could not create the project" /> : null
      )}
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} type="text" value={name} onChange={(e) => setName(e.target.value)} aria-invalid={issuesFor('name').length > 0} aria-describedby={issuesFor('name').length ? `${id}-name-i` : undefined} />
        <FieldIssues id={`${id}-name-i`} issues={issuesFor('name')} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-desc`}>Description</label>
        <textarea id={`${id}-desc`} value={description} onChange={(e) => setDescription(e.target.value)} aria-invalid={issuesFor('description').length > 0} aria-describedby={issuesFor('description').length ? `${id}-desc-i` : undefined} />
        <FieldIssues id={`${id}-desc-i`} issues={issuesFor('description')} />
      </div>
      <CadenceFields value={cadence} onChange={setCadence} issuesFor={issuesFor} ownerZone={user?.timezone} compact />
      <div className="row">
        <button type="submit" className="btn primary" disabled={busy}>{busy ? 'Creating…' : 'Create project'}</button>
        <button type="button" className="btn" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}
