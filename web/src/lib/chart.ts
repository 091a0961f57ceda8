// The usage chart's arithmetic, without React: round axis ticks, a scale that shows the actual
// spend, each day's limit, and readable dates. All amounts are integer micro-pounds.

/** The smallest 1, 2 or 5 × 10^n (n >= 0, in micro-pounds) that is >= x. */
export function niceStep(x: number): number {
  if (!(x > 0)) return 1;
  let p = 1;
  while (p * 10 <= x) p *= 10;
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}

export interface Scale {
  /** Top of the axis (a multiple of step). */
  top: number;
  /** Tick spacing: 1, 2 or 5 × 10^n micro-pounds. */
  step: number;
  ticks: number[];
  /** Decimals every tick label uses (one precision for the whole axis). */
  decimals: number;
  /** The highest limit is drawn inside the scale. */
  limitInScale: boolean;
}

/**
 * The axis for bars up to `maxCost` and limits up to `maxLimit`. The scale is chosen to show the
 * spend: it includes the limit only when the limit is at most 4 × the highest spend (so £0.40
 * of spend against a £100 limit still gets visible bars, and the limit is reported as above
 * the scale). With no spend at all, the scale shows the limit. About `target` ticks.
 */
export function chartScale(maxCost: number, maxLimit: number, target = 4): Scale {
  const showLimit = maxLimit > 0 && (maxCost === 0 || maxLimit <= 4 * maxCost);
  const high = Math.max(maxCost, showLimit ? maxLimit : 0, 1);
  const step = niceStep(high / target);
  const top = Math.ceil((high * 1.04) / step) * step; // a little headroom above the highest value
  const ticks: number[] = [];
  for (let t = 0; t <= top; t += step) ticks.push(t);
  // micro-pounds per decimal place: step >= £1 -> 0, >= 1p -> 2, otherwise enough to tell ticks apart
  const decimals = step >= 1_000_000 ? 0 : step >= 10_000 ? 2 : Math.min(6, 6 - Math.floor(Math.log10(step)));
  return { top, step, ticks, decimals, limitInScale: showLimit };
}

export interface LimitChange {
  /** ISO instant of the change. */
  at: string;
  before: number;
  after: number;
}

/**
 * The limit each UTC day was judged against: the limit in force at the end of that day (the
 * last change made on or before it), today's being the current one. `changes` in any order.
 * Days before the first known change use that change's `before` value.
 */
export function limitsByDay(dates: readonly string[], currentLimit: number, changes: readonly LimitChange[]): number[] {
  const sorted = [...changes].sort((a, b) => a.at.localeCompare(b.at));
  return dates.map((date) => {
    // the first change made after the end of `date` tells what the limit was before it
    const later = sorted.find((c) => c.at.slice(0, 10) > date);
    return later ? later.before : currentLimit;
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "2025-07-17" -> "17 Jul". */
export function shortDay(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]}`;
}
