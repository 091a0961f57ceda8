'use client';
import type { ReactNode } from 'react';
import type { Issue } from '@/core/types.generated';
import { errorIssues, errorText, isCoreError, isNotFound } from '@/lib/core';
import { issueText } from '@/lib/issues';
import { percentOf } from '@/lib/money';
import { ErrorCode } from '@/core/error_codes';

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

/** An error in words: a headline, plus the core's issues worded by lib/issues.ts. "Try again"
 *  only where trying again can help (not for a missing row or refused values). */
export function ErrorNote({ error, title = 'Something went wrong', onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  if (!error) return null;
  const issues = errorIssues(error);
  const code = isCoreError(error) ? error.code : null;
  const retryable = !!onRetry && !isNotFound(error) && code !== ErrorCode.invalid && code !== ErrorCode.forbidden;
  return (
    <div className="notice bad" role="alert">
      <strong>{title}:</strong> {errorText(error)}
      {issues.length > 0 && !(issues.length === 1 && code === ErrorCode.conflict) && (
        <ul>
          {issues.map((iss, k) => (
            <li key={k}>{issueText(iss)}</li>
          ))}
        </ul>
      )}
      {retryable && (
        <div className="notice-actions">
          <button type="button" className="btn small" onClick={onRetry}>Try again</button>
        </div>
      )}
    </div>
  );
}

/** The issues of one field, shown next to it (id for aria-describedby). */
export function FieldIssues({ id, issues, label }: { id: string; issues: Issue[]; label?: string }) {
  if (!issues.length) return null;
  return (
    <div id={id} role="alert">
      {issues.map((iss, k) => (
        <p key={k} className="field-issue">{issueText(iss, label)}</p>
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
