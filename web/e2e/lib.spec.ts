// The UI helpers, without a browser: money, cadence in words, safe markdown with exact offsets.
import { test, expect } from '@playwright/test';
import { formatGBP, formatCost, parseGBP, percentOf } from '../src/lib/money';
import { cadenceInWords } from '../src/lib/cadence';
import { parseMarkdown, safeHref, type Block, type Inline } from '../src/lib/markdown';
import { normaliseRange, findPhrase } from '../src/lib/selection';
import { errorIssues, errorText, fieldOfIssue, isNotFound, isUuid } from '../src/lib/core';
import { issueText } from '../src/lib/issues';
import { chartScale, limitsByDay, niceStep, shortDay } from '../src/lib/chart';
import { relativeTo } from '../src/lib/time';
import { moneyColumn } from '../src/lib/money';
import { HOSTILE_HREFS, SAFE_HREFS } from './hrefs';

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

test('markdown: links off the app lose their target, in-app ones keep it', () => {
  const tree = parseMarkdown(DOC);
  const links: (string | null)[] = [];
  const walk = (n: Inline[]) => n.forEach((x) => { if (x.t === 'link') links.push(x.href); if ('children' in x) walk(x.children); });
  for (const b of tree) {
    if (b.t === 'para' || b.t === 'heading') walk(b.children);
    if (b.t === 'list') b.items.forEach(walk);
  }
  expect(links).toEqual([null, null]); // https://example.com (another site) and javascript: are plain text
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

const PAGE = 'http://127.0.0.1:3000/episodes/0b6b3f0e-6f6b-4c57-9a0e-3c1d2e4f5a6b';

test(`safeHref: ${HOSTILE_HREFS.length} hostile hrefs are plain text`, () => {
  const kept = HOSTILE_HREFS.filter((h) => safeHref(h, PAGE) !== null).map((h) => `${JSON.stringify(h)} -> ${safeHref(h, PAGE)}`);
  expect(kept).toEqual([]);
  // and inside markdown, [text](href) renders no link for any of them
  for (const h of HOSTILE_HREFS) {
    const tree = parseMarkdown(`[click](${h})`);
    const links: (string | null)[] = [];
    const walk = (n: Inline[]) => n.forEach((x) => { if (x.t === 'link') links.push(x.href); if ('children' in x) walk(x.children); });
    for (const b of tree) if (b.t === 'para') walk(b.children);
    expect(links.every((l) => l === null), JSON.stringify(h)).toBe(true);
  }
});

test("safeHref: links within the app are kept, as the parser's own path", () => {
  for (const [href, want] of SAFE_HREFS) expect(safeHref(href, PAGE), href).toBe(want);
  // Whatever the input, a kept href is a path of the page's own origin.
  const inputs = [...HOSTILE_HREFS, ...SAFE_HREFS.map(([h]) => h), 'http:evil.example', 'https:evil.example', '?q=1', './x', '../../x', 'x:y', '/%2F%2Fevil.example', '/..//evil.example'];
  for (const h of inputs) {
    const r = safeHref(h, PAGE);
    if (r === null) continue;
    expect(r.startsWith('/') && !r.startsWith('//'), `${JSON.stringify(h)} -> ${r}`).toBe(true);
    expect(new URL(r, PAGE).origin).toBe(new URL(PAGE).origin);
  }
});

test('chart: round ticks, a scale that shows the spend, each day against its own limit, readable dates', () => {
  expect([1, 2, 3, 7, 10, 11, 99_999, 100_001].map(niceStep)).toEqual([1, 2, 5, 10, 10, 20, 100_000, 200_000]);
  const isRound = (step: number) => /^(1|2|5)0*$/.test(String(step));
  for (const [cost, limit] of [[400_000, 100_000_000], [115_000_000, 100_000_000], [0, 50_000_000], [1_000_000, 1_000_000], [2_345, 10_000], [86_000_000, 100_000_000]]) {
    const s = chartScale(cost, limit);
    expect(isRound(s.step), `${cost}/${limit}: step ${s.step}`).toBe(true);
    expect(s.top).toBeGreaterThanOrEqual(cost);
    expect(s.ticks[0]).toBe(0);
    expect(new Set(s.ticks).size).toBe(s.ticks.length); // no two ticks alike
    expect(s.ticks.length).toBeGreaterThanOrEqual(3);
    expect(s.ticks.length).toBeLessThanOrEqual(7);
  }
  // £0.40 a day against a £100 limit: the scale follows the spend (bars visible), the limit is above it.
  const low = chartScale(400_000, 100_000_000);
  expect(low.top).toBeLessThanOrEqual(1_000_000);
  expect(low.limitInScale).toBe(false);
  expect(low.ticks.map((t) => formatGBP(t, { decimals: low.decimals }))).toEqual(['£0.00', '£0.10', '£0.20', '£0.30', '£0.40', '£0.50']);
  // Spend over the limit: both inside the scale.
  const high = chartScale(115_000_000, 100_000_000);
  expect(high.limitInScale).toBe(true);
  expect(high.top).toBeGreaterThanOrEqual(115_000_000);
  expect(high.ticks.map((t) => formatGBP(t, { decimals: high.decimals }))).toEqual(['£0', '£50', '£100', '£150']);
  // The limit was £50 until 10 Jul, then £20: 9 Jul is judged against £50, 10 Jul onwards against £20.
  const dates = ['2025-07-08', '2025-07-09', '2025-07-10', '2025-07-11'];
  expect(limitsByDay(dates, 20_000_000, [{ at: '2025-07-10T12:00:00.000Z', before: 50_000_000, after: 20_000_000 }])).toEqual([50_000_000, 50_000_000, 20_000_000, 20_000_000]);
  expect(limitsByDay(dates, 5, [])).toEqual([5, 5, 5, 5]);
  expect(shortDay('2025-07-17')).toBe('17 Jul');
  expect(shortDay('2025-01-01')).toBe('1 Jan');
});

test('relative times are precise; money columns share one precision', () => {
  const now = '2025-08-01T09:00:00.000Z';
  expect(relativeTo('2025-08-12T09:00:00.000Z', now)).toBe('in 11 days');
  expect(relativeTo('2025-08-15T09:00:00.000Z', now)).toBe('in 14 days');
  expect(relativeTo('2025-08-01T14:00:00.000Z', now)).toBe('in 5 hours');
  expect(relativeTo('2025-08-02T10:00:00.000Z', now)).toBe('in 25 hours');
  expect(relativeTo('2025-08-01T08:57:00.000Z', now)).toBe('3 minutes ago');
  expect(relativeTo('2025-07-02T09:00:00.000Z', now)).toBe('30 days ago');
  const col = moneyColumn([42_000, 420, 1_000_000]);
  expect([42_000, 420, 1_000_000].map(col)).toEqual(['£0.0420', '£0.0004', '£1.0000']);
  const col2 = moneyColumn([42_000, 0, 1_234_567]);
  expect([42_000, 0, 1_234_567].map(col2)).toEqual(['£0.04', '£0.00', '£1.23']);
});

test('errors in plain words: issues from code, params and field; conflicts land on their field', () => {
  expect(issueText({ path: ['name'], code: 'required', message: 'name must not be empty', params: { minimum: 1 } })).toBe('Name is required');
  expect(issueText({ path: ['patch', 'dailyCostLimitMicros'], code: 'too_big', message: 'dailyCostLimitMicros must be at most 1000000000000', params: { maximum: 1_000_000_000_000 } })).toBe('Daily limit must be at most £1,000,000');
  expect(issueText({ path: ['cadence', 'days'], code: 'too_short', message: 'days must …', params: { minimum: 1 } })).toBe('Days is required');
  expect(issueText({ path: ['ownerEmail'], code: 'invalid_format', message: 'ownerEmail must be an email address', params: {} })).toMatch(/^Owner’s email: enter an email address/);
  expect(issueText({ path: ['content'], code: 'too_long', message: 'content must be at most 4000 characters', params: { maximum: 4000, length: 10000 } })).toBe('Text is too long: at most 4,000 characters (now 10,000)');
  expect(issueText({ path: ['cadenceConfig', 'timezone'], code: 'invalid_timezone', message: 'x', params: {} })).toMatch(/^Timezone: unknown time zone/);
  // An unknown code: the core's sentence with the internal name replaced.
  expect(issueText({ path: ['maxAttempts'], code: 'odd', message: 'maxAttempts must be odd', params: {} })).toBe('Max attempts must be odd');
  // The SQLite text of an older core, and the structured shape: both land on the slug field.
  const old = { code: 'conflict', message: 'already exists: UNIQUE constraint failed: organizations.slug' };
  expect(errorIssues(old).map((i) => fieldOfIssue(i))).toEqual(['slug']);
  expect(errorText(old)).toBe('Slug is already taken.');
  const structured = { code: 'conflict', message: 'slug already exists', path: ['slug'], params: { field: 'slug', deleted: true } };
  expect(errorIssues(structured).map((i) => issueText(i))).toEqual(['Slug is already used by a deleted item (restore it, or choose another)']);
  expect(errorText({ code: 'invalid', message: 'x', issues: [{ path: ['name'], code: 'required', message: 'name must not be empty', params: {} }] })).toBe('Some values need fixing.');
});

test('a malformed or upper-case id is "not found"', () => {
  expect(isUuid('0b6b3f0e-6f6b-4c57-9a0e-3c1d2e4f5a6b')).toBe(true);
  expect(isUuid('0B6B3F0E-6F6B-4C57-9A0E-3C1D2E4F5A6B')).toBe(false);
  expect(isUuid('nope')).toBe(false);
  expect(isNotFound({ code: 'not_found', message: 'project not found' })).toBe(true);
  expect(isNotFound({ code: 'invalid', message: 'x', issues: [{ path: ['id'], code: 'invalid_format', message: 'id must be a UUID', params: { format: 'uuid' } }] })).toBe(true);
  expect(isNotFound({ code: 'invalid', message: 'x', issues: [{ path: ['name'], code: 'required', message: '', params: {} }] })).toBe(false);
  expect(isNotFound({ code: 'busy', message: 'busy' })).toBe(false);
});
