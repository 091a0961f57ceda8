// Cadence configs in words: {days:["mon","wed","fri"], time:"09:00", timezone:"Europe/London"}
// -> "Mon, Wed, Fri at 09:00, Europe/London".
import type { CadenceConfig, Weekday } from '@/core/types.generated';

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
export const WEEKDAY_SHORT: Record<Weekday, string> = {
  mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat', sun: 'Sun',
};
export const WEEKDAY_LONG: Record<Weekday, string> = {
  mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday',
};

/** Days in week order, duplicates and unknown names dropped. */
export function sortDays(days: readonly string[]): Weekday[] {
  const set = new Set(days);
  return WEEKDAYS.filter((d) => set.has(d));
}

export function daysInWords(days: readonly string[]): string {
  const sorted = sortDays(days);
  if (sorted.length === 0) return 'No days';
  if (sorted.length === 7) return 'Every day';
  return sorted.map((d) => WEEKDAY_SHORT[d]).join(', ');
}

/**
 * "Mon, Wed, Fri at 09:00, Europe/London". The zone is the cadence's own, else `fallbackZone`
 * (the owner's), else UTC — the order the core resolves it in.
 */
export function cadenceInWords(cadence: Partial<CadenceConfig> | null | undefined, fallbackZone?: string | null): string {
  if (!cadence || !Array.isArray(cadence.days)) return 'No cadence';
  const zone = cadence.timezone || fallbackZone || 'UTC';
  return `${daysInWords(cadence.days)} at ${cadence.time ?? '??:??'}, ${zone}`;
}
