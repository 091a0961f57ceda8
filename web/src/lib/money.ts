// GBP from integer micro-pounds, exactly: BigInt arithmetic only, never a binary float.
// The format (symbol, minus sign U+2212, separators, rounding half away from zero) is the core's
// one money format, declared in core/rules.hpp and generated into constants.generated.ts:
// formatGBP(v) with 2 decimals equals the core's format_gbp and PostgreSQL's private.gbp.
import { Rules } from '../core/constants.generated';

const MICROS_PER_POUND = BigInt(Rules.microsPerPound);

function toBig(micros: number | bigint | string): bigint {
  if (typeof micros === 'bigint') return micros;
  if (typeof micros === 'number') {
    if (!Number.isSafeInteger(micros)) throw new RangeError(`micro-pounds must be a safe integer, got ${micros}`);
    return BigInt(micros);
  }
  if (!/^-?\d+$/.test(micros)) throw new RangeError(`micro-pounds must be an integer, got ${micros}`);
  return BigInt(micros);
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, Rules.thousandsSeparator);
}

/**
 * Formats micro-pounds as pounds. `decimals` (0..6) rounds half away from zero;
 * `decimals: 'exact'` keeps every significant digit (at least 2).
 *   formatGBP(12_345_678) -> "£12.35"   formatGBP(1_234, {decimals:'exact'}) -> "£0.001234"
 */
export function formatGBP(micros: number | bigint | string, opts: { decimals?: number | 'exact' } = {}): string {
  const value = toBig(micros);
  const negative = value < 0n;
  let abs = negative ? -value : value;
  const mode = opts.decimals ?? 2;
  let fraction: string;
  let whole: bigint;
  if (mode === 'exact') {
    whole = abs / MICROS_PER_POUND;
    fraction = (abs % MICROS_PER_POUND).toString().padStart(6, '0').replace(/0+$/, '');
    if (fraction.length < 2) fraction = fraction.padEnd(2, '0');
  } else {
    const d = Math.max(0, Math.min(6, Math.trunc(mode)));
    const unit = 10n ** BigInt(6 - d);
    abs = ((abs + unit / 2n) / unit) * unit; // half away from zero (on the absolute value)
    whole = abs / MICROS_PER_POUND;
    fraction = d === 0 ? '' : (abs % MICROS_PER_POUND).toString().padStart(6, '0').slice(0, d);
  }
  const sign = negative && (whole !== 0n || /[1-9]/.test(fraction)) ? Rules.minusSign : '';
  return `${sign}${Rules.currencySymbol}${groupThousands(whole.toString())}${fraction ? Rules.decimalSeparator + fraction : ''}`;
}

/** Small amounts keep their precision: under 1p shows up to 4 decimals, otherwise 2. */
export function formatCost(micros: number | bigint): string {
  const v = toBig(micros);
  const abs = v < 0n ? -v : v;
  if (abs !== 0n && abs < BigInt(Rules.microsPerPenny)) return formatGBP(v, { decimals: 4 });
  return formatGBP(v, { decimals: 2 });
}

/**
 * A formatter for a column of amounts: every cell with the same number of decimals — 2, or 4
 * when some non-zero amount is under a penny (so it does not show as £0.00).
 */
export function moneyColumn(values: readonly (number | bigint)[]): (micros: number | bigint) => string {
  const small = values.some((v) => {
    const b = toBig(v);
    const abs = b < 0n ? -b : b;
    return abs !== 0n && abs < BigInt(Rules.microsPerPenny);
  });
  const decimals = small ? 4 : 2;
  return (micros) => formatGBP(micros, { decimals });
}

/** Integer percentage (0..∞) of part/whole, rounded down, without floats. */
export function percentOf(part: number | bigint, whole: number | bigint): number {
  const p = toBig(part);
  const w = toBig(whole);
  if (w <= 0n) return p > 0n ? 100 : 0;
  return Number((p * 100n) / w);
}

/** Parses "12.50" / "£12.5" / "12" into micro-pounds (exact); null when not a money amount. */
export function parseGBP(text: string): number | null {
  const m = /^\s*£?\s*(\d{1,9})(?:\.(\d{1,6}))?\s*$/.exec(text);
  if (!m) return null;
  const micros = BigInt(m[1]) * MICROS_PER_POUND + BigInt((m[2] ?? '').padEnd(6, '0') || '0');
  return Number(micros);
}
