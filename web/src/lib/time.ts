// Instants shown in the viewer's time zone (the browser's), or in a named zone.

export function viewerZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function fmt(zone: string | undefined, style: 'datetime' | 'date' | 'time' | 'short'): Intl.DateTimeFormat {
  const key = `${zone ?? ''}|${style}`;
  let f = fmtCache.get(key);
  if (!f) {
    const base: Intl.DateTimeFormatOptions = { timeZone: zone, hourCycle: 'h23' };
    const opts: Intl.DateTimeFormatOptions =
      style === 'date' ? { ...base, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }
      : style === 'time' ? { ...base, hour: '2-digit', minute: '2-digit' }
      : style === 'short' ? { ...base, day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }
      : { ...base, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' };
    f = new Intl.DateTimeFormat('en-GB', opts);
    fmtCache.set(key, f);
  }
  return f;
}

/** "Mon 18 Aug 2025, 10:00" in `zone` (default: the viewer's). */
export function formatInstant(iso: string | null | undefined, zone?: string, style: 'datetime' | 'date' | 'time' | 'short' = 'datetime'): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  try {
    return fmt(zone, style).format(d);
  } catch {
    return fmt(undefined, style).format(d);
  }
}

/**
 * "in 11 days", "in 5 hours", "3 minutes ago" relative to `now` (an ISO instant, e.g. the demo
 * clock). Precise rather than coarse: days from 2 days on (never weeks or months), hours from
 * 1 hour, minutes below that.
 */
export function relativeTo(iso: string | null | undefined, nowIso: string | null | undefined): string {
  if (!iso || !nowIso) return '';
  const diff = new Date(iso).getTime() - new Date(nowIso).getTime();
  if (Number.isNaN(diff)) return '';
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat('en-GB', { numeric: 'always' });
  const H = 3600e3;
  const D = 24 * H;
  const sign = diff < 0 ? -1 : 1;
  if (abs >= 2 * D) return rtf.format(sign * Math.round(abs / D), 'day');
  if (abs >= H) return rtf.format(sign * Math.round(abs / H), 'hour');
  if (abs >= 60e3) return rtf.format(sign * Math.round(abs / 60e3), 'minute');
  return diff >= 0 ? 'in under a minute' : 'just now';
}

/** "+01:00" from minutes east of UTC. */
export function offsetLabel(minutes: number): string {
  const sign = minutes < 0 ? '−' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** YYYY-MM-DD of an instant in UTC. */
export function utcDate(iso: string): string {
  return iso.slice(0, 10);
}
