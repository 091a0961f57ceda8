'use client';
import type { ReactNode } from 'react';
import type { Issue } from '@/core/types.generated';
import { errorIssues, errorText, isCoreError } from '@/lib/core';
import { percentOf } from '@/lib/money';

const TONE: Record<string, string> = {
  active: 'ok', ready: 'ok', published: 'ok', completed: 'ok', applied: 'ok', settled: 'ok', closed: 'ok',
  paused: 'warn', generating: 'info', processing: 'info', pending: 'accent', scheduled: 'accent', open: 'accent',
  failed: 'bad', dead: 'bad', blocked: 'bad', deleted: 'bad',
  archived: '', cancelled: '', dismissed: '', released: '',
};

export function StatusBadge({ status, label }: { status: string; label?: string }) {
  return <span className={`badge ${TONE[status] ?? ''}`}>{label ?? status}</span>;
}

export function Loading({ label = 'Loading…', lines = 3 }: { label?: string; lines?: number }) {
  return (
    <div role="status" aria-live="polite">
      <span className="sr-only">{label}</span>
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} className="skeleton" style={{ width: `${90 - i * 15}%` }} />
      ))}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <strong>{title}</strong>
      {children}
    </div>
  );
}

const CODE_WORDS: Record<string, string> = {
  not_found: 'It does not exist, or it belongs to another organization.',
  forbidden: 'You are not allowed to do that as this user.',
  invalid: 'Some values need fixing.',
  conflict: 'It clashes with something that already exists or has changed.',
  plan_limit: 'Your plan’s project limit is reached.',
  budget_exceeded: 'Today’s cost budget is spent.',
  stale_lease: 'Another worker took over this item.',
};

/** An error in words: what went wrong, plus the core's issues (each with its field). */
export function ErrorNote({ error, title = 'Something went wrong', onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  if (!error) return null;
  const issues = errorIssues(error);
  const code = isCoreError(error) ? error.code : null;
  return (
    <div className="notice bad" role="alert">
      <strong>{title}:</strong> {errorText(error)}
      {code && CODE_WORDS[code] && issues.length === 0 ? <span> {CODE_WORDS[code]}</span> : null}
      {issues.length > 0 && (
        <ul>
          {issues.map((iss, k) => (
            <li key={k}>
              {iss.path?.length ? <code>{iss.path.join('.')}</code> : null} {iss.message}
            </li>
          ))}
        </ul>
      )}
      {onRetry && (
        <div style={{ marginTop: 8 }}>
          <button type="button" className="btn small" onClick={onRetry}>Try again</button>
        </div>
      )}
    </div>
  );
}

/** The issues of one field, shown next to it (id for aria-describedby). */
export function FieldIssues({ id, issues }: { id: string; issues: Issue[] }) {
  if (!issues.length) return null;
  return (
    <div id={id} role="alert">
      {issues.map((iss, k) => (
        <p key={k} className="field-issue">{iss.message}</p>
      ))}
    </div>
  );
}

export function Meter({ value, max, label }: { value: number; max: number; label: string }) {
  const pct = percentOf(value, max);
  const tone = pct >= 100 ? 'bad' : pct >= 80 ? 'warn' : '';
  return (
    <div className={`meter ${tone}`} role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.min(pct, 100)} aria-valuetext={`${pct}%`}>
      <span style={{ width: `${Math.min(pct, 100)}%` }} />
    </div>
  );
}

export function Kpi({ label, value, hint }: { label: string; value: ReactNode; hint?: ReactNode }) {
  return (
    <div className="kpi">
      <span className="label">{label}</span>
      <span className="value">{value}</span>
      {hint ? <span className="small muted">{hint}</span> : null}
    </div>
  );
}
