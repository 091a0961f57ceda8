// Links in rendered markdown never lead off the app: a planning note listing every hostile href
// (e2e/hrefs.ts) is rendered on the project page and, once applied, on the episode page; every
// link left is a path of the app's own origin, and each hostile one is plain text.
import { test, expect, open, firstProject, shot } from './fixtures';
import type { Page } from '@playwright/test';
import { HOSTILE_HREFS, SAFE_HREFS } from './hrefs';

// One line per link. Hrefs with a line break or U+0000 cannot sit on one line of a note (the core
// refuses U+0000 in text); the unit test covers them.
const hostile = HOSTILE_HREFS.filter((h) => !/[\n\r\u0000]/.test(h));
// The in-app links of hrefs.ts name the dashboard at 127.0.0.1:3000; the suite serves it elsewhere.
const SAFE = (origin: string) => SAFE_HREFS.map(([h, want]) => [h.replace('http://127.0.0.1:3000', origin).replace('http://0x7f.1:3000', origin.replace('127.0.0.1', '0x7f.1')), want] as [string, string]);
const note = (origin: string) => [
  'Links test:',
  '',
  ...hostile.map((h, k) => `- [hostile ${k}](${h})`),
  ...SAFE(origin).map(([h], k) => `- [safe ${k}](${h})`),
  '- autolink <https://evil.example/x>',
].join('\n');

async function checkAnchors(page: Page, root: ReturnType<Page['locator']>) {
  const hrefs = await root.locator('a').evaluateAll((as) => as.map((a) => ({ raw: a.getAttribute('href') ?? '', abs: (a as HTMLAnchorElement).href, target: a.getAttribute('target') })));
  const origin = new URL(page.url()).origin;
  for (const h of hrefs) {
    expect(new URL(h.abs).origin, h.raw).toBe(origin);
    expect(h.raw.startsWith('/') && !h.raw.startsWith('//'), h.raw).toBe(true);
    expect(h.target, h.raw).toBeNull();
  }
}

async function checkLinks(page: Page, root: ReturnType<Page['locator']>) {
  await checkAnchors(page, root);
  for (let k = 0; k < hostile.length; k++) {
    const words = root.getByText(`hostile ${k}`, { exact: true });
    await expect(words.first(), hostile[k]).toBeVisible();
    expect(await words.first().evaluate((el) => !!el.closest('a')), JSON.stringify(hostile[k])).toBe(false);
  }
  const safe = SAFE(new URL(page.url()).origin);
  for (let k = 0; k < safe.length; k++) {
    const a = root.getByRole('link', { name: `safe ${k}`, exact: true }).first();
    await expect(a).toHaveAttribute('href', safe[k][1].replace('/episodes/0b6b3f0e-6f6b-4c57-9a0e-3c1d2e4f5a6b', new URL(page.url()).pathname));
  }
}

test(`markdown links: ${hostile.length} hostile hrefs render as plain text, in-app links stay`, async ({ page }) => {
  await open(page, '/projects');
  await (await firstProject(page)).click();
  await page.getByLabel(/New note for the next episodes/).fill(note(new URL(page.url()).origin));
  await page.getByRole('button', { name: 'Add note' }).click();
  const item = page.getByTestId('notes-list').locator('li').filter({ hasText: 'Links test:' }).first();
  await expect(item).toBeVisible();
  await checkLinks(page, item);
  await expect(page.getByText('https://evil.example/x')).toBeVisible();
  expect(await page.getByText('https://evil.example/x').evaluate((el) => !!el.closest('a'))).toBe(false);
  // Applied to an episode, the note is rendered on the episode page by the same renderer.
  await item.getByRole('button', { name: 'Apply' }).click();
  const applied = page.getByTestId('notes-list').locator('li').filter({ hasText: 'Links test:' }).first().getByRole('link', { name: 'applied in episode' });
  await expect(applied).toBeVisible();
  await applied.click();
  const section = page.getByRole('region', { name: 'Planning notes applied here' });
  await expect(section).toBeVisible();
  await checkLinks(page, section);
  // The generated episode text's own in-app link ("the project page") stays a link.
  const md = page.getByTestId('markdown').first();
  if (await md.count()) await checkAnchors(page, md);
  await shot(page, '13-links');
});
