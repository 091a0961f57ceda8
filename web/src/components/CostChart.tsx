'use client';
import { useEffect, useRef, useState } from 'react';
import type { DailyUsage } from '@/core/types.generated';
import { formatGBP, moneyColumn } from '@/lib/money';
import { chartScale, shortDay } from '@/lib/chart';

/** The width of an element, followed as it resizes (the SVG is drawn at its real size so its
 *  text stays readable on a phone). */
function useWidth<T extends HTMLElement>(fallback: number) {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(Math.max(240, Math.floor(e.contentRect.width))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return { ref, width };
}

/**
 * Daily cost bars for the last N days. Round ticks (1/2/5 × 10^n), a scale chosen to show the
 * spend, each day's limit drawn as a line and each bar judged against its own day's limit.
 */
export function CostChart({ days, limits, today, limitNote }: { days: DailyUsage[]; limits: number[]; today: string; limitNote?: string }) {
  const { ref, width } = useWidth<HTMLDivElement>(760);
  const W = width;
  const narrow = W < 520;
  const H = narrow ? 220 : 260;
  const maxCost = days.reduce((m, d) => Math.max(m, d.costMicros), 0);
  const maxLimit = limits.reduce((m, l) => Math.max(m, l), 0);
  const scale = chartScale(maxCost, maxLimit);
  const tickLabel = (t: number) => formatGBP(t, { decimals: scale.decimals });
  const labelWidth = Math.max(...scale.ticks.map((t) => tickLabel(t).length)) * 6.6 + 10;
  const pad = { l: Math.ceil(labelWidth), r: 12, t: 22, b: 30 };
  const iw = W - pad.l - pad.r;
  const ih = H - pad.t - pad.b;
  const bw = iw / Math.max(days.length, 1);
  const y = (v: number) => pad.t + ih - (Math.min(v, scale.top) / scale.top) * ih;
  const over = days.filter((d, k) => limits[k] > 0 && d.costMicros >= limits[k]).length;
  const total = days.reduce((s, d) => s + d.costMicros, 0);
  const current = limits[limits.length - 1] ?? 0;
  const every = narrow ? 10 : 5;
  const label = `Daily cost for the last ${days.length} days: total ${formatGBP(total)}, highest ${formatGBP(maxCost)}, daily limit today ${formatGBP(current)}; ${over} day${over === 1 ? '' : 's'} at or over that day’s limit.`;
  const cost = moneyColumn(days.map((d) => d.costMicros));
  const limitCol = moneyColumn(limits);
  // The limit as a step line: one segment per run of days with the same limit.
  const segments: { from: number; to: number; limit: number }[] = [];
  limits.forEach((l, k) => {
    const last = segments[segments.length - 1];
    if (last && last.limit === l) last.to = k + 1;
    else segments.push({ from: k, to: k + 1, limit: l });
  });
  return (
    <figure className="chart">
      <div ref={ref} className="chart-box">
        <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} data-testid="cost-chart">
          {scale.ticks.map((t) => (
            <g key={t}>
              <line x1={pad.l} x2={W - pad.r} y1={y(t)} y2={y(t)} className="grid-line" />
              <text x={pad.l - 6} y={y(t) + 4} textAnchor="end" data-testid="tick">{tickLabel(t)}</text>
            </g>
          ))}
          {days.map((d, k) => {
            const h = Math.max((Math.min(d.costMicros, scale.top) / scale.top) * ih, d.costMicros > 0 ? 2 : 0);
            const isOver = limits[k] > 0 && d.costMicros >= limits[k];
            const cls = isOver ? 'bar over' : d.date === today ? 'bar today' : 'bar';
            return (
              <g key={d.date}>
                <rect className={cls} x={pad.l + k * bw + bw * 0.15} y={pad.t + ih - h} width={Math.max(bw * 0.7, 1)} height={h} rx={2}>
                  <title>{`${shortDay(d.date)}: ${formatGBP(d.costMicros, { decimals: 'exact' })} of a ${formatGBP(limits[k])} limit · ${d.callCount} call${d.callCount === 1 ? '' : 's'}`}</title>
                </rect>
                {(k % every === 0 || k === days.length - 1) && (k === days.length - 1 || days.length - 1 - k >= every / 2) ? (
                  // The last day's label ends at the bar's right edge, so it is never clipped.
                  <text x={k === days.length - 1 ? pad.l + (k + 1) * bw : pad.l + k * bw + bw / 2} y={H - 10} textAnchor={k === days.length - 1 ? 'end' : 'middle'}>{shortDay(d.date)}</text>
                ) : null}
              </g>
            );
          })}
          {scale.limitInScale
            ? segments.map((s) => (
                <line key={s.from} className="limit" x1={pad.l + s.from * bw} x2={pad.l + s.to * bw} y1={y(s.limit)} y2={y(s.limit)} />
              ))
            : null}
          {scale.limitInScale ? (
            <text className="limit-label" x={W - pad.r} y={Math.max(y(current) - 6, 12)} textAnchor="end">limit {formatGBP(current)}</text>
          ) : (
            <text className="limit-label" x={W - pad.r} y={14} textAnchor="end">↑ limit {formatGBP(current)} (above the scale)</text>
          )}
        </svg>
      </div>
      <figcaption className="small muted">
        Bars: cost per UTC day; red when at or over that day’s limit. Dashed line: the daily limit{limitNote ? ` (${limitNote})` : ''}.
      </figcaption>
      <details className="small">
        <summary>Show as a table</summary>
        <div className="table-wrap">
          <table className="cards" data-testid="usage-table">
            <thead><tr><th scope="col">Date (UTC)</th><th scope="col" className="num">Cost</th><th scope="col" className="num">Limit</th><th scope="col" className="num">Calls</th><th scope="col" className="num">Tokens in / out</th></tr></thead>
            <tbody>
              {days.map((d, k) => (
                <tr key={d.date}>
                  <td data-label="Date (UTC)">{shortDay(d.date)} {d.date.slice(0, 4)}</td>
                  <td className="num" data-label="Cost">{cost(d.costMicros)}</td>
                  <td className="num" data-label="Limit">{limitCol(limits[k])}</td>
                  <td className="num" data-label="Calls">{d.callCount}</td>
                  <td className="num" data-label="Tokens in / out">{d.inputTokens.toLocaleString('en-GB')} / {d.outputTokens.toLocaleString('en-GB')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
