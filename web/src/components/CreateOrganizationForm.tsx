'use client';
// organization.create needs no acting user: it creates a tenant with its first owner. Shown when
// the database has no organization this browser knows, and in the demo controls (a second tenant
// makes tenancy visible).
import { useId, useState, type FormEvent } from 'react';
import type { Organization } from '@/core/types.generated';
import { States } from '@/core/constants.generated';
import { useCore } from './CoreProvider';
import { ErrorNote, FieldIssues } from './ui';
import { errorIssues, fieldOfIssue } from '@/lib/core';
import { viewerZone } from '@/lib/time';

const PLANS: readonly Organization['plan'][] = States.Plan;

export function CreateOrganizationForm({ onDone, compact = false }: { onDone?: () => void; compact?: boolean }) {
  const { core, reloadDirectory, setActor } = useCore();
  const id = useId();
  const [f, setF] = useState<{ name: string; slug: string; plan: Organization['plan']; ownerName: string; ownerEmail: string; ownerTimezone: string }>({ name: '', slug: '', plan: 'free', ownerName: '', ownerEmail: '', ownerTimezone: viewerZone() });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const issues = errorIssues(error);
  const issuesFor = (k: string) => issues.filter((i) => fieldOfIssue(i) === k);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!core) return;
    setBusy(true);
    setError(null);
    try {
      const res = await core.call('organization.create', f);
      await reloadDirectory();
      setActor({ organizationId: res.organization.id, userId: res.owner.id });
      onDone?.();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const field = (k: keyof typeof f, label: string, type = 'text') => (
    <div className="field">
      <label htmlFor={`${id}-${k}`}>{label}</label>
      <input id={`${id}-${k}`} type={type} value={f[k]} onChange={(e) => setF({ ...f, [k]: e.target.value })} aria-invalid={issuesFor(k).length > 0} aria-describedby={issuesFor(k).length ? `${id}-${k}-i` : undefined} />
      <FieldIssues id={`${id}-${k}-i`} issues={issuesFor(k)} label={label.replace(/ \(.*\)$/, '')} />
    </div>
  );
  return (
    <form className={compact ? 'stack' : 'card stack'} onSubmit={submit} aria-label="New organization" noValidate>
      {!compact && <h2>New organization</h2>}
      <div className="grid two">
        {field('name', 'Organization name')}
        {field('slug', 'Slug (URL-safe)')}
        {field('ownerName', 'Owner’s name')}
        {field('ownerEmail', 'Owner’s email', 'email')}
        {field('ownerTimezone', 'Owner’s timezone')}
        <div className="field">
          <label htmlFor={`${id}-plan`}>Plan</label>
          <select id={`${id}-plan`} value={f.plan} onChange={(e) => setF({ ...f, plan: PLANS.find((p) => p === e.target.value) ?? 'free' })}>
            <option value="free">Free</option>
            <option value="pro">Pro</option>
            <option value="team">Team</option>
          </select>
        </div>
      </div>
      {error && errorIssues(error).length === 0 ? <ErrorNote error={error} title="Could not create the organization" /> : null}
      {errorIssues(error).length > 0 ? <p className="notice bad" role="alert">Could not create the organization: see the fields marked above.</p> : null}
      <div>
        <button type="submit" className="btn primary" disabled={busy}>{busy ? 'Creating…' : 'Create organization'}</button>
      </div>
    </form>
  );
}
