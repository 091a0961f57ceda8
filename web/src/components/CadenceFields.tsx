'use client';
// The cadence part of a project form: days, time, timezone (searchable), pause until, skip dates.
// Issues from the core are shown next to the field their path names.
import { useId, useState } from 'react';
import type { CadenceConfig, Issue, Weekday } from '@/core/types.generated';
import { WEEKDAYS, WEEKDAY_LONG, WEEKDAY_SHORT, sortDays } from '@/lib/cadence';
import { FieldIssues } from './ui';
import { useZoneList } from './zones';

export interface CadenceDraft {
  days: Weekday[];
  time: string;
  timezone: string; // '' = the owner's
  pausedUntil: string; // '' = not paused
  skipDates: string[];
}

export function draftFromCadence(c: CadenceConfig | undefined): CadenceDraft {
  return {
    days: sortDays(c?.days ?? []),
    time: c?.time ?? '09:00',
    timezone: c?.timezone ?? '',
    pausedUntil: c?.pausedUntil ? String(c.pausedUntil).slice(0, 10) : '',
    skipDates: [...(c?.skipDates ?? [])],
  };
}

export function cadenceFromDraft(d: CadenceDraft): CadenceConfig {
  const c: CadenceConfig = { days: sortDays(d.days), time: d.time };
  if (d.timezone.trim()) c.timezone = d.timezone.trim();
  if (d.pausedUntil) c.pausedUntil = d.pausedUntil;
  if (d.skipDates.length) c.skipDates = [...d.skipDates].sort();
  return c;
}

export function CadenceFields({
  value,
  onChange,
  issuesFor,
  ownerZone,
  compact = false,
}: {
  value: CadenceDraft;
  onChange: (d: CadenceDraft) => void;
  issuesFor: (field: string) => Issue[];
  ownerZone?: string;
  compact?: boolean;
}) {
  const id = useId();
  const zones = useZoneList();
  const [skip, setSkip] = useState('');
  const set = (patch: Partial<CadenceDraft>) => onChange({ ...value, ...patch });
  const daysIssues = issuesFor('days');
  const timeIssues = issuesFor('time');
  const tzIssues = issuesFor('timezone');
  const pauseIssues = issuesFor('pausedUntil');
  const skipIssues = issuesFor('skipDates');
  return (
    <>
      <fieldset aria-invalid={daysIssues.length > 0} aria-describedby={daysIssues.length ? `${id}-days-i` : undefined}>
        <legend>Days</legend>
        <div className="days">
          {WEEKDAYS.map((d) => (
            <label key={d} className="day-toggle" title={WEEKDAY_LONG[d]}>
              <input
                type="checkbox"
                name="days"
                value={d}
                aria-label={WEEKDAY_LONG[d]}
                checked={value.days.includes(d)}
                onChange={(e) => set({ days: sortDays(e.target.checked ? [...value.days, d] : value.days.filter((x) => x !== d)) })}
              />
              <span aria-hidden="true">{WEEKDAY_SHORT[d]}</span>
            </label>
          ))}
        </div>
        <FieldIssues id={`${id}-days-i`} issues={daysIssues} />
      </fieldset>
      <div className={compact ? 'grid two' : 'grid two'}>
        <div className="field">
          <label htmlFor={`${id}-time`}>Time <span className="help">(24 h, local to the timezone)</span></label>
          <input
            id={`${id}-time`}
            name="time"
            type="text"
            inputMode="numeric"
            placeholder="09:00"
            value={value.time}
            aria-invalid={timeIssues.length > 0}
            aria-describedby={timeIssues.length ? `${id}-time-i` : undefined}
            onChange={(e) => set({ time: e.target.value })}
          />
          <FieldIssues id={`${id}-time-i`} issues={timeIssues} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-tz`}>
            Timezone <span className="help">(search; empty = owner’s{ownerZone ? `: ${ownerZone}` : ''})</span>
          </label>
          <input
            id={`${id}-tz`}
            name="timezone"
            type="search"
            list={`${id}-zones`}
            autoComplete="off"
            placeholder={ownerZone ?? 'Europe/London'}
            value={value.timezone}
            aria-invalid={tzIssues.length > 0}
            aria-describedby={`${id}-tz-h${tzIssues.length ? ` ${id}-tz-i` : ''}`}
            onChange={(e) => set({ timezone: e.target.value })}
          />
          <datalist id={`${id}-zones`}>
            {zones?.zones.map((z) => <option key={z} value={z} />)}
          </datalist>
          <span id={`${id}-tz-h`} className="help">
            {zones?.source === 'core' ? (
              <>
                {zones.zones.length} zones from the core’s tz database
                {zones.version ? <span className="muted" data-testid="tzdata-version"> · tzdata {zones.version}</span> : null}
              </>
            ) : (
              'Type an IANA zone name (the core checks it)'
            )}
          </span>
          <FieldIssues id={`${id}-tz-i`} issues={tzIssues} />
        </div>
      </div>
      {!compact && (
        <div className="grid two">
          <div className="field">
            <label htmlFor={`${id}-pause`}>Pause until <span className="help">(episodes resume on that local date)</span></label>
            <div className="row">
              <input
                id={`${id}-pause`}
                name="pausedUntil"
                type="date"
                value={value.pausedUntil}
                aria-invalid={pauseIssues.length > 0}
                aria-describedby={pauseIssues.length ? `${id}-pause-i` : undefined}
                onChange={(e) => set({ pausedUntil: e.target.value })}
              />
              {value.pausedUntil ? (
                <button type="button" className="btn small" onClick={() => set({ pausedUntil: '' })}>Clear</button>
              ) : null}
            </div>
            <FieldIssues id={`${id}-pause-i`} issues={pauseIssues} />
          </div>
          <div className="field">
            <label htmlFor={`${id}-skip`}>Skip dates <span className="help">(local dates without an episode)</span></label>
            <div className="row">
              <input
                id={`${id}-skip`}
                type="date"
                value={skip}
                aria-invalid={skipIssues.length > 0}
                aria-describedby={skipIssues.length ? `${id}-skip-i` : undefined}
                onChange={(e) => setSkip(e.target.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && skip) {
                    e.preventDefault();
                    if (!value.skipDates.includes(skip)) set({ skipDates: [...value.skipDates, skip].sort() });
                    setSkip('');
                  }
                }}
              />
              <button
                type="button"
                className="btn small"
                disabled={!skip}
                onClick={() => {
                  if (!value.skipDates.includes(skip)) set({ skipDates: [...value.skipDates, skip].sort() });
                  setSkip('');
                }}
              >
                Add date
              </button>
            </div>
            {value.skipDates.length > 0 && (
              <ul className="chips" aria-label="Skipped dates" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
                {value.skipDates.map((d) => (
                  <li key={d} className="chip">
                    {d}
                    <button type="button" aria-label={`Remove skip date ${d}`} onClick={() => set({ skipDates: value.skipDates.filter((x) => x !== d) })}>
                      ×
                    </button>
                  </li>
                ))}
              </ul>
            )}
            <FieldIssues id={`${id}-skip-i`} issues={skipIssues} />
          </div>
        </div>
      )}
    </>
  );
}
