// The UI helpers, without a browser: money, cadence in words, safe markdown with exact offsets.
import { test, expect } from '@playwright/test';
import { formatGBP, formatCost, parseGBP, percentOf } from '../src/lib/money';
import { cadenceInWords } from '../src/lib/cadence';
import { parseMarkdown, type Block, type Inline } from '../src/lib/markdown';
import { normaliseRange, findPhrase } from '../src/lib/selection';
import { fieldOfIssue } from '../src/lib/core';

test('GBP from integer micro-pounds is exact', () => {
  expect(formatGBP(0)).toBe('£0.00');
  expect(formatGBP(50_000_000)).toBe('£50.00');
  expect(formatGBP(12_345_678)).toBe('£12.35');
  expect(formatGBP(12_344_999)).toBe('£12.34');
  expect(formatGBP(5_000)).toBe('£0.01'); // half a penny rounds away from zero
  expect(formatGBP(4_999)).toBe('£0.00');
  expect(formatGBP(1_234_567_890_123)).toBe('£1,234,567.89');
  expect(formatGBP(-2_500_000)).toBe('−£2.50');
  expect(formatGBP(1_234, { decimals: 'exact' })).toBe('£0.001234');
  expect(formatGBP(9_007_199_254_740_991, { decimals: 'exact' })).toBe('£9,007,199,254.740991');
  expect(formatGBP(10n ** 20n)).toBe('£100,000,000,000,000.00');
  expect(formatCost(42)).toBe('£0.0000');
  expect(formatCost(420)).toBe('£0.0004');
  expect(formatCost(42_000)).toBe('£0.04');
  expect(() => formatGBP(0.1)).toThrow();
  expect(parseGBP('12.50')).toBe(12_500_000);
  expect(parseGBP('£0.000001')).toBe(1);
  expect(parseGBP('1.2.3')).toBeNull();
  expect(percentOf(25_000_000, 50_000_000)).toBe(50);
});

test('cadence in words', () => {
  expect(cadenceInWords({ days: ['fri', 'mon', 'wed'], time: '09:00', timezone: 'Europe/London' })).toBe('Mon, Wed, Fri at 09:00, Europe/London');
  expect(cadenceInWords({ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], time: '07:30' }, 'Asia/Kolkata')).toBe('Every day at 07:30, Asia/Kolkata');
  expect(cadenceInWords({ days: ['sun'], time: '18:00' })).toBe('Sun at 18:00, UTC');
});

function leaves(blocks: Block[]): { start: number; text: string }[] {
  const out: { start: number; text: string }[] = [];
  const inl = (n: Inline[]) => n.forEach((x) => (x.t === 'text' || x.t === 'code' ? out.push(x) : inl(x.children)));
  for (const b of blocks) {
    if (b.t === 'heading' || b.t === 'para') inl(b.children);
    else if (b.t === 'list') b.items.forEach(inl);
    else if (b.t === 'quote') out.push(...leaves(b.children));
    else if (b.t === 'codeblock') out.push(b);
  }
  return out;
}

const DOC = `# Café notes — 2025 ✨

Olá **José**, the *naïve* plan: see [docs](https://example.com) and \`code\` 👩🏽‍💻 here.
A second line with <script>alert(1)</script> and <img src=x onerror=alert(2)>.

- one 🎉 item
- two *items*
1. first
2. [bad](javascript:alert(3)) link

> quoted ~~text~~ with émoji 🚀

\`\`\`js
const x = "<b>" + 1;
\`\`\`
---
مرحبا Ünïcödé
`;

test('markdown: every text leaf is a verbatim slice of the source (UTF-16 offsets)', () => {
  const tree = parseMarkdown(DOC);
  const ls = leaves(tree);
  expect(ls.length).toBeGreaterThan(10);
  for (const l of ls) expect(DOC.slice(l.start, l.start + l.text.length)).toBe(l.text);
  const all = ls.map((l) => l.text).join('');
  expect(all).toContain('👩🏽‍💻');
  expect(all).toContain('<script>alert(1)</script>'); // shown as text, never as HTML
});

test('markdown: unsafe links lose their target, safe ones keep it', () => {
  const tree = parseMarkdown(DOC);
  const links: (string | null)[] = [];
  const walk = (n: Inline[]) => n.forEach((x) => { if (x.t === 'link') links.push(x.href); if ('children' in x) walk(x.children); });
  for (const b of tree) {
    if (b.t === 'para' || b.t === 'heading') walk(b.children);
    if (b.t === 'list') b.items.forEach(walk);
  }
  expect(links).toContain('https://example.com');
  expect(links).toContain(null); // javascript: dropped
  expect(tree.map((b) => b.t)).toEqual(['heading', 'para', 'list', 'list', 'quote', 'codeblock', 'hr', 'para']);
});

test('selection ranges never split a surrogate pair and are trimmed', () => {
  const s = 'a 🎉 b';
  // 🎉 is two UTF-16 code units at 2..4
  expect(normaliseRange(s, 3, 5)).toEqual({ start: 2, end: 4 });
  expect(normaliseRange(s, 0, 3)).toEqual({ start: 0, end: 4 });
  expect(normaliseRange(s, 1, 2)).toBeNull();
  expect(findPhrase('Olá José', 'José')).toEqual({ start: 4, end: 8 });
});

test('issues map to form fields by path', () => {
  expect(fieldOfIssue({ path: ['cadence', 'time'] })).toBe('time');
  expect(fieldOfIssue({ path: ['patch', 'cadenceConfig', 'skipDates', 2] })).toBe('skipDates');
  expect(fieldOfIssue({ path: ['patch', 'name'] })).toBe('name');
  expect(fieldOfIssue({ path: ['name'] })).toBe('name');
});
