'use client';
import { useState, type FormEvent } from 'react';
import type { Organization } from '@/core/types.generated';
import { useCore, useQuery } from '@/components/CoreProvider';
import { CostChart } from '@/components/CostChart';
import { Empty, ErrorNote, Kpi, Loading, Meter, StatusBadge } from '@/components/ui';
import { formatGBP, moneyColumn, parseGBP } from '@/lib/money';
import { limitsByDay, shortDay, type LimitChange } from '@/lib/chart';
import { formatInstant } from '@/lib/time';

function LimitForm({ org }: { org: Organization }) {
  const { call, bump, reloadDirectory, user } = useCore();
  const [text, setText] = useState(formatGBP(org.dailyCostLimitMicros).replace('£', '').replace(/,/g, ''));
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const canEdit = user?.role === 'owner' || user?.role === 'admin';
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(false);
    const micros = parseGBP(text);
    if (micros === null) {
      setError(new Error('Enter an amount in pounds, e.g. 50 or 12.50.'));
      return;
    }
    try {
      await call('organization.update', { patch: { dailyCostLimitMicros: micros } });
      await reloadDirectory();
      setDone(true);
      bump();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="stack" onSubmit={submit}>
      <div className="field">
        <label htmlFor="limit">Daily limit (GBP)</label>
        <div className="row">
          <input id="limit" className="grow" type="text" inputMode="decimal" value={text} onChange={(e) => setText(e.target.value)} disabled={!canEdit} aria-describedby="limit-h" />
          <button type="submit" className="btn" disabled={!canEdit}>Set limit</button>
        </div>
        <span id="limit-h" className="help">{canEdit ? 'Lower it to watch the circuit breaker stop the demo worker.' : 'Only owners and admins can change the limit.'}</span>
      </div>
      <ErrorNote error={error} title="Could not change the limit" />
      {done ? <p className="small" role="status" style={{ margin: 0 }}>Limit saved.</p> : null}
    </form>
  );
}

export default function UsagePage() {
  const { org } = useCore();
  // One zone for the view: budget days are UTC days, so every time here is in UTC too.
  const zone = 'UTC';
  const status = useQuery((c) => c('budget.status', {}), []);
  const daily = useQuery((c) => c('usage.daily', { days: 30 }), []);
  // Each day is judged against that day's limit: the organization's limit changes, from the audit
  // log (newest 500 entries). Without access to the log, every day uses today's limit.
  const limitChanges = useQuery(async (c) => {
    try {
      const page = await c('auditLog.list', { orderBy: 'occurredAt', descending: true, limit: 500 });
      const out: LimitChange[] = [];
      for (const a of page.items) {
        const ch = a.changes.dailyCostLimitMicros;
        if (a.entityType.toLowerCase().startsWith('organization') && ch && typeof ch.before === 'number' && typeof ch.after === 'number')
          out.push({ at: a.occurredAt, before: ch.before, after: ch.after });
      }
      return { changes: out, known: true };
    } catch {
      const none: LimitChange[] = [];
      return { changes: none, known: false };
    }
  }, []);
  const reservations = useQuery((c) => c('budgetReservation.list', { orderBy: 'createdAt', descending: true, limit: 100 }), []);
  const b = status.data;
  const today = b?.date ?? daily.data?.[daily.data.length - 1]?.date ?? '';
  const todays = (reservations.data?.items ?? []).filter((r) => r.date === today);
  const limit = b?.limitMicros ?? org?.dailyCostLimitMicros ?? 0;
  const days = daily.data ?? [];
  const limits = limitsByDay(days.map((x) => x.date), limit, limitChanges.data?.changes ?? []);
  const estimate = moneyColumn(todays.map((r) => r.estimateMicros));
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Usage &amp; budget</h1>
          <p>{org?.name} · LLM cost per day, today’s reservations and the circuit breaker.</p>
          <p className="small muted view-zone" data-testid="view-zone">All days and times on this page are in <strong>UTC</strong>: the budget resets at midnight UTC.</p>
        </div>
      </div>
      <div className="stack">
        <div className="grid three">
          <section className="card" aria-labelledby="breaker-h" data-testid="breaker">
            <header>
              <h2 id="breaker-h">Circuit breaker</h2>
              {b ? <StatusBadge status={b.blocked ? 'blocked' : 'closed'} label={b.blocked ? 'Open — generation stopped' : 'Closed — generation allowed'} /> : null}
            </header>
            {status.loading && !b ? <Loading lines={2} /> : null}
            <ErrorNote error={status.error} title="Could not read the budget" />
            {b ? (
              <p style={{ margin: 0 }}>
                {b.blocked
                  ? b.reason ?? 'Today’s spend reached the daily limit.'
                  : `New generations are allowed: ${formatGBP(b.remainingMicros)} of today’s ${formatGBP(b.limitMicros)} remain.`}
              </p>
            ) : null}
          </section>
          <section className="card" aria-labelledby="today-h">
            <h2 id="today-h">Today <span className="muted small">{today ? `${shortDay(today)} (UTC day)` : ''}</span></h2>
            {b ? (
              <div className="stack">
                <Kpi label={`Spent of ${formatGBP(b.limitMicros)}`} value={formatGBP(b.spentMicros)} hint={`${formatGBP(b.reservedMicros)} reserved · ${b.callCount} call${b.callCount === 1 ? '' : 's'} · ${(b.inputTokens + b.outputTokens).toLocaleString('en-GB')} tokens`} />
                <Meter value={b.spentMicros + b.reservedMicros} max={b.limitMicros} label="Spent and reserved against the daily limit" />
              </div>
            ) : <Loading lines={2} />}
          </section>
          <section className="card" aria-labelledby="limit-card-h">
            <h2 id="limit-card-h">Limit</h2>
            {org ? <LimitForm key={org.id} org={org} /> : null}
          </section>
        </div>
        <section className="card" aria-labelledby="chart-h">
          <h2 id="chart-h">Last 30 days</h2>
          {daily.loading && !daily.data ? <Loading lines={5} /> : null}
          <ErrorNote error={daily.error} title="Could not load the daily usage" onRetry={daily.reload} />
          {daily.data && daily.data.length === 0 ? <Empty title="No usage yet" /> : null}
          {daily.data && daily.data.length > 0 ? (
            <CostChart days={daily.data} limits={limits} today={today} limitNote={limitChanges.data && !limitChanges.data.known ? 'past limits are not visible to this user: today’s limit is used for every day' : undefined} />
          ) : null}
        </section>
        <section className="card" aria-labelledby="res-h">
          <h2 id="res-h">Today’s reservations</h2>
          <p className="small muted" style={{ marginTop: 0 }}>Estimated costs held by generations in progress; settled by the real cost or released.</p>
          {reservations.loading && !reservations.data ? <Loading /> : null}
          <ErrorNote error={reservations.error} title="Could not load the reservations" />
          {reservations.data && todays.length === 0 ? <Empty title="No reservations today">They appear while the demo worker generates.</Empty> : null}
          {todays.length > 0 ? (
            <div className="table-wrap">
              <table data-testid="reservations-table" className="cards">
                <thead><tr><th scope="col">Created</th><th scope="col">Status</th><th scope="col" className="num">Estimate</th><th scope="col">Expires</th></tr></thead>
                <tbody>
                  {todays.map((r) => (
                    <tr key={r.id}>
                      <td data-label="Created">{formatInstant(r.createdAt, zone, 'short')}</td>
                      <td data-label="Status"><StatusBadge status={r.status} /></td>
                      <td className="num" data-label="Estimate">{estimate(r.estimateMicros)}</td>
                      <td data-label="Expires">{formatInstant(r.expiresAt, zone, 'short')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </section>
      </div>
    </>
  );
}
