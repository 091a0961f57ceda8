// Every page at a phone (390×844) and a desktop (1440×900) size: no horizontal scroll and no
// element wider than the viewport, with a 10,000-character word typed into the free-text
// fields (saved where the core accepts that length); axe stays clean; screenshots of every page.
import { test, expect, open, shot, axe, firstProject } from './fixtures';
import type { Page } from '@playwright/test';

const WORD = 'W'.repeat(10_000);
const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1440, height: 900 },
];

/** No horizontal scroll, and no visible element wider than the viewport or outside it (elements
 *  inside a container that scrolls or clips sideways may be wider: the container is checked). */
async function fits(page: Page, where: string) {
  await page.waitForTimeout(250); // drawers and charts settle
  const r = await page.evaluate(() => {
    const vw = window.innerWidth;
    const clippedBy = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.documentElement; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (/(auto|scroll|hidden|clip)/.test(s.overflowX)) return true;
      }
      return false;
    };
    const bad: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const s = getComputedStyle(el);
      if (s.display === 'none' || s.visibility === 'hidden') continue;
      const b = el.getBoundingClientRect();
      if (b.width === 0 || b.height === 0) continue;
      if ((b.right > vw + 1 || b.left < -1 || b.width > vw + 1) && !clippedBy(el)) {
        const id = `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''}`;
        bad.push(`${id} [${Math.round(b.left)}..${Math.round(b.right)}]`);
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, bad: bad.slice(0, 8) };
  });
  expect(r.scrollWidth, `${where}: page scrolls sideways`).toBeLessThanOrEqual(r.innerWidth);
  expect(r.bad, `${where}: elements wider than the viewport`).toEqual([]);
}

/** The demo controls: a column on the desktop, a drawer on the phone. */
async function demoPanel(page: Page) {
  const panel = page.getByRole('complementary', { name: 'Demo controls' });
  if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Demo', exact: true }).click();
  await expect(panel).toBeVisible();
  return panel;
}
async function closeDemo(page: Page) {
  const close = page.getByRole('complementary', { name: 'Demo controls' }).getByRole('button', { name: 'Close' });
  if (await close.isVisible()) await close.click();
}

for (const size of SIZES) {
  test(`${size.name} ${size.width}×${size.height}: every page fits, long words wrap`, async ({ page }) => {
    test.setTimeout(300_000);
    await page.setViewportSize({ width: size.width, height: size.height });
    const tag = `${size.name}-${size.width}`;

    // Projects list.
    await open(page, '/projects');
    await expect(page.getByTestId('projects-table')).toBeVisible();
    await fits(page, 'projects');
    const href = (await (await firstProject(page)).getAttribute('href'))!;

    // Settings: a 200-character one-word name (the longest the core takes), a description of a
    // 5,000-character word, and the 10,000-character word in the free-text timezone field.
    await open(page, `${href}/settings`);
    await page.getByLabel('Name', { exact: true }).fill('N'.repeat(200));
    await page.getByLabel('Description', { exact: true }).fill('D'.repeat(5000));
    const tz = page.locator('input[name="timezone"]');
    const tzBefore = await tz.inputValue();
    await tz.fill(WORD);
    await expect(tz).toHaveAttribute('aria-invalid', 'true');
    await fits(page, 'settings with a long timezone');
    await tz.fill(tzBefore);
    await expect(tz).not.toHaveAttribute('aria-invalid', 'true');
    await page.getByRole('button', { name: 'Save and replan' }).click();
    await expect(page.getByTestId('saved')).toBeVisible();
    await fits(page, 'settings');
    await shot(page, `r-${tag}-settings`);

    // Project page: a planning note of one 10,000-character word (saved, shown, applied to an
    // episode); the same word in the memory field (longer than a memory may be: refused in words).
    await open(page, href);
    await page.getByLabel(/New note for the next episodes/).fill(WORD);
    await page.getByRole('button', { name: 'Add note' }).click();
    const note = page.getByTestId('notes-list').locator('li').filter({ hasText: 'WWWWWWWWWW' }).first();
    await expect(note).toBeVisible();
    await page.getByLabel('New memory').fill(WORD);
    await page.getByRole('button', { name: 'Add memory' }).click();
    await expect(page.getByText(/Text is too long: at most 4,000 characters/).first()).toBeVisible();
    await fits(page, 'project');
    await axe(page, `project (${tag})`);
    await shot(page, `r-${tag}-project`);
    const apply = note.getByRole('button', { name: 'Apply' });
    let episodeHref: string | null = null;
    if (await apply.count()) {
      await apply.click();
      const link = page.getByTestId('notes-list').locator('li').filter({ hasText: 'WWWWWWWWWW' }).first().getByRole('link', { name: 'applied in episode' });
      await expect(link).toBeVisible();
      episodeHref = await link.getAttribute('href');
    }
    if (!episodeHref) episodeHref = await page.getByTestId('episodes-table').locator('tbody a[href^="/episodes/"]').first().getAttribute('href');

    // Projects list again: the long name wraps in its card/row.
    await open(page, '/projects');
    await expect(page.getByTestId('projects-table')).toContainText('NNNNNNNNNN');
    await fits(page, 'projects with a long name');
    await axe(page, `projects (${tag})`);
    await shot(page, `r-${tag}-projects`);

    // Episode page: the applied note is shown there; the word in the find field.
    await open(page, episodeHref!);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    const find = page.getByRole('searchbox').first();
    if (await find.count()) await find.fill(WORD);
    await fits(page, 'episode');
    await axe(page, `episode (${tag})`);
    await shot(page, `r-${tag}-episode`);

    // Usage: the word in the limit field is refused in words.
    await open(page, '/usage');
    await expect(page.getByTestId('cost-chart')).toBeVisible();
    await page.getByLabel('Daily limit (GBP)').fill(WORD);
    await page.getByRole('button', { name: 'Set limit' }).click();
    await expect(page.getByText(/Enter an amount in pounds/)).toBeVisible();
    await fits(page, 'usage');
    await page.getByText('Show as a table').click();
    await expect(page.getByTestId('usage-table')).toBeVisible();
    await fits(page, 'usage with its table');
    await axe(page, `usage (${tag})`);
    await shot(page, `r-${tag}-usage`);

    // The 404 page sits inside the app shell.
    await open(page, '/no-such-page');
    await expect(page.getByTestId('not-found')).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Main' }).or(page.getByRole('button', { name: 'Menu' })).first()).toBeVisible();
    await fits(page, '404');
    await shot(page, `r-${tag}-404`);

    // The demo panel (a drawer on the phone), with the storage answer; a new organization with
    // the word in its text fields.
    await open(page, '/projects');
    const panel = await demoPanel(page);
    await expect(panel.getByTestId('storage-state')).not.toHaveText('Checking');
    await fits(page, 'demo panel');
    await axe(page, `demo panel (${tag})`);
    await shot(page, `r-${tag}-demo-panel`);
    await panel.getByRole('button', { name: 'New organization…' }).click();
    const orgForm = page.getByRole('form', { name: 'New organization' });
    await orgForm.getByLabel('Organization name').fill(WORD);
    await orgForm.getByLabel('Owner’s name').fill(WORD);
    await orgForm.getByLabel('Slug (URL-safe)').fill(WORD.toLowerCase());
    await orgForm.getByLabel('Owner’s email').fill(WORD);
    await orgForm.getByLabel('Owner’s timezone').fill(WORD);
    await orgForm.getByRole('button', { name: 'Create organization' }).click();
    await expect(orgForm.getByText(/Organization name is too long/)).toBeVisible();
    await fits(page, 'new organization dialog');
    await shot(page, `r-${tag}-new-org`);
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await closeDemo(page);

    // The new-project form: the word in its name and description, refused in words.
    await page.getByRole('button', { name: 'New project' }).click();
    const projectForm = page.getByRole('form', { name: 'New project' });
    await projectForm.getByLabel('Name', { exact: true }).fill(WORD);
    await projectForm.getByLabel('Description', { exact: true }).fill(WORD);
    await projectForm.getByRole('button', { name: 'Create project' }).click();
    await expect(projectForm.getByText(/Name is too long/).first()).toBeVisible();
    await fits(page, 'new project form');
    await axe(page, `new project form (${tag})`);
    await shot(page, `r-${tag}-new-project`);
    await projectForm.getByRole('button', { name: 'Cancel' }).click();

    if (size.width < 1024) {
      // The navigation is a drawer behind the menu button; the content comes first.
      const nav = page.getByRole('navigation', { name: 'Main' });
      await expect(nav).toBeHidden();
      const tableTop = await page.getByTestId('projects-table').evaluate((t) => t.getBoundingClientRect().top + window.scrollY);
      expect(tableTop, 'the projects start near the top on a phone').toBeLessThan(500);
      await page.getByRole('button', { name: 'Menu' }).click();
      await expect(nav).toBeVisible();
      await fits(page, 'navigation drawer');
      await shot(page, `r-${tag}-nav-drawer`);
      await nav.getByRole('link', { name: /Usage/ }).click();
      await expect(page).toHaveURL(/\/usage$/);
      await expect(nav).toBeHidden();
    }
  });
}

test('a malformed or upper-case id in the URL is "not found", without "Try again"', async ({ page }) => {
  await open(page, '/projects');
  const href = (await (await firstProject(page)).getAttribute('href'))!;
  const id = href.split('/').pop()!;
  for (const url of [`/projects/${id.toUpperCase()}`, '/projects/not-an-id', `/projects/${id.toUpperCase()}/settings`, '/episodes/123', `/episodes/${id.slice(0, -1)}`]) {
    await open(page, url);
    await expect(page.getByRole('heading', { level: 1 }), url).toHaveText(/not found/);
    await expect(page.getByRole('button', { name: 'Try again' })).toHaveCount(0);
  }
});

test('queue: "Cancel" asks first; keeping the slot changes nothing', async ({ page }) => {
  await open(page, '/projects');
  await firstProject(page);
  const hrefs = await page.getByTestId('projects-table').locator('tbody tr td:first-child a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
  const cancel = page.getByRole('button', { name: /^Cancel the episode of/ }).first();
  for (const href of hrefs) {
    await open(page, href);
    await expect(page.getByRole('heading', { name: 'Queue', exact: true })).toBeVisible();
    await expect(page.getByTestId('queue-item').first().or(page.getByText('The queue is empty'))).toBeVisible();
    if (await cancel.count()) break;
  }
  await expect(cancel).toBeVisible();
  const items = await page.getByTestId('queue-item').count();
  await cancel.click();
  const confirm = page.getByTestId('cancel-confirm');
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await expect(confirm).toHaveCount(0);
  expect(await page.getByTestId('queue-item').count()).toBe(items);
  await cancel.click();
  await page.getByTestId('cancel-confirm').getByRole('button', { name: 'Yes, cancel it' }).click();
  await expect(page.getByTestId('cancel-confirm')).toHaveCount(0);
  await expect(page.getByTestId('queue-item').filter({ has: page.locator('.badge', { hasText: 'cancelled' }) }).first()).toBeVisible();
});
