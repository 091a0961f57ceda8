import type { DailyUsage } from '@/lib/ops';
import { formatCost, formatGBP } from '@/lib/money';

/** Daily cost bars for the last N days with the daily limit as a dashed line (SVG, no library). */
export function CostChart({ days, limitMicros, today }: { days: DailyUsage[]; limitMicros: number; today: string }) {
  const W = 760;
  const H = 260;
  const pad = { l: 56, r: 16, t: 18, b: 34 };
  const maxCost = days.reduce((m, d) => Math.max(m, d.costMicros), 0);
  // Scale in micro-pounds (integers); only the drawing uses fractions of a pixel.
  const top = Math.max(limitMicros * 1.15, maxCost * 1.08, 1);
  const iw = W - pad.l - pad.r;
  const ih = H - pad.t - pad.b;
  const bw = iw / Math.max(days.length, 1);
  const y = (v: number) => pad.t + ih - (v / top) * ih;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round((top * f) / 10_000) * 10_000);
  const over = days.filter((d) => d.costMicros >= limitMicros).length;
  const total = days.reduce((s, d) => s + d.costMicros, 0);
  const label = `Daily cost for the last ${days.length} days: total ${formatGBP(total)}, highest ${formatGBP(maxCost)}, daily limit ${formatGBP(limitMicros)}; ${over} day${over === 1 ? '' : 's'} at or over the limit.`;
  return (
    <figure className="chart" style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} data-testid="cost-chart">
        {ticks.map((t) => (
          <g key={t}>
            <line x1={pad.l} x2={W - pad.r} y1={y(t)} y2={y(t)} stroke="#eceff3" />
            <text x={pad.l - 6} y={y(t) + 4} textAnchor="end">{formatGBP(t, { decimals: t < 1_000_000 ? 2 : 0 })}</text>
          </g>
        ))}
        {days.map((d, k) => {
          const h = Math.max((d.costMicros / top) * ih, d.costMicros > 0 ? 1.5 : 0);
          const cls = d.costMicros >= limitMicros ? 'bar over' : d.date === today ? 'bar today' : 'bar';
          return (
            <g key={d.date}>
              <rect className={cls} x={pad.l + k * bw + bw * 0.15} y={pad.t + ih - h} width={bw * 0.7} height={h} rx={2}>
                <title>{`${d.date}: ${formatCost(d.costMicros)} · ${d.callCount} calls`}</title>
              </rect>
              {(k % 5 === 0 || k === days.length - 1) && (
                <text x={pad.l + k * bw + bw / 2} y={H - 12} textAnchor="middle">{d.date.slice(5)}</text>
              )}
            </g>
          );
        })}
        <line className="limit" x1={pad.l} x2={W - pad.r} y1={y(limitMicros)} y2={y(limitMicros)} />
        <text className="limit-label" x={pad.l + 6} y={y(limitMicros) - 6} textAnchor="start">daily limit {formatGBP(limitMicros)}</text>
      </svg>
      <figcaption className="small muted">
        Bars: cost per UTC day (red: at or over the limit). Dashed line: the organization’s daily limit.
      </figcaption>
      <details className="small">
        <summary>Show as a table</summary>
        <table>
          <thead><tr><th scope="col">Date (UTC)</th><th scope="col" className="num">Cost</th><th scope="col" className="num">Calls</th><th scope="col" className="num">Tokens in / out</th></tr></thead>
          <tbody>
            {days.map((d) => (
              <tr key={d.date}><td>{d.date}</td><td className="num">{formatCost(d.costMicros)}</td><td className="num">{d.callCount}</td><td className="num">{d.inputTokens.toLocaleString('en-GB')} / {d.outputTokens.toLocaleString('en-GB')}</td></tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
