import { test, expect, open, shot, axe, firstProject } from './fixtures';
import type { Page } from '@playwright/test';

const CADENCE = /^(Every day|(Mon|Tue|Wed|Thu|Fri|Sat|Sun)(, (Mon|Tue|Wed|Thu|Fri|Sat|Sun))*) at \d\d:\d\d, [A-Za-z_]+(\/[A-Za-z0-9_+\-]+)*$/;

async function projectNames(page: Page): Promise<string[]> {
  const rows = page.getByTestId('projects-table').locator('tbody tr td:first-child a strong');
  return rows.allInnerTexts();
}

/** Opens an episode of the first project that has generated content. */
async function openEpisodeWithContent(page: Page) {
  await open(page, '/projects');
  // The tenancy bar can show before the list has rendered its rows: wait for the first one.
  await expect(page.getByTestId('projects-table').locator('tbody tr td:first-child a').first()).toBeVisible({ timeout: 30_000 });
  const projectLinks = await page.getByTestId('projects-table').locator('tbody tr td:first-child a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href')!));
  for (const href of projectLinks) {
    await open(page, href);
    const table = page.getByTestId('episodes-table');
    // Wait for the project's episodes to load (a loaded machine can take seconds); a project
    // without episodes shows no table, and the loop moves on after the wait.
    await table.waitFor({ state: 'visible', timeout: 10_000 }).catch(() => {});
    await table.locator('tbody tr').first().waitFor({ timeout: 5_000 }).catch(() => {});
    const ready = table.locator('tbody tr', { has: page.locator('.badge', { hasText: /^(ready|published)$/ }) }).first();
    if (await ready.count()) {
      await ready.locator('a').first().click();
      await expect(page.getByTestId('markdown')).toBeVisible();
      return;
    }
  }
  throw new Error('no episode with content in the demo data');
}

test('the root opens the projects list on the demo data', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/projects$/);
  // A fresh profile: the demo seed, then demo.actors picks the first organization's owner.
  await expect(page.getByTestId('tenancy')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByRole('form', { name: 'New organization' })).toHaveCount(0);
  await expect(page.getByTestId('tenancy')).toContainText('(owner)');
  const orgSelect = page.getByLabel('Organization', { exact: true });
  const orgs = await orgSelect.locator('option').allInnerTexts();
  expect(orgs.length).toBe(2); // the demo dataset's two organizations
  await expect(page.getByTestId('projects-table').locator('tbody tr').first()).toBeVisible();
  const names = await projectNames(page);
  expect(names.length).toBeGreaterThan(0);
  // The other demo organization has its own projects too.
  const current = await orgSelect.inputValue();
  const other = (await orgSelect.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).find((v) => v !== current)!;
  await orgSelect.selectOption(other);
  await expect.poll(async () => (await projectNames(page)).join('|')).not.toEqual(names.join('|'));
  expect((await projectNames(page)).length).toBeGreaterThan(0);
  await orgSelect.selectOption(current);
  await expect.poll(async () => (await projectNames(page)).join('|')).toEqual(names.join('|'));
  const cadences = await page.getByTestId('projects-table').locator('tbody tr td:nth-child(2)').allInnerTexts();
  for (const c of cadences) expect(c.trim()).toMatch(CADENCE);
  await expect(page.getByTestId('spend-today')).toContainText('£');
  await axe(page, 'projects');
  await shot(page, '01-projects');
});

test('create a project; the plan limit is explained when reached', async ({ page }) => {
  await open(page, '/projects');
  // A fresh organization on the free plan, so the limit is reached deterministically.
  await page.getByRole('button', { name: 'New organization…' }).click();
  const orgForm = page.getByRole('form', { name: 'New organization' });
  await orgForm.getByLabel('Organization name').fill('Limit Test Ltd');
  await orgForm.getByLabel('Slug (URL-safe)').fill('limit-test');
  await orgForm.getByLabel('Owner’s name').fill('Lina Test');
  await orgForm.getByLabel('Owner’s email').fill('lina@example.com');
  await orgForm.getByRole('button', { name: 'Create organization' }).click();
  await expect(page.getByTestId('tenancy')).toContainText('Limit Test Ltd');
  await expect(page.getByText('No projects yet')).toBeVisible();
  let limitShown = false;
  for (let i = 1; i <= 6 && !limitShown; i++) {
    await open(page, '/projects');
    await page.getByRole('button', { name: 'New project' }).click();
    const form = page.getByRole('form', { name: 'New project' });
    await form.getByLabel('Name', { exact: true }).fill(`Weekly digest ${i}`);
    await form.getByLabel('Tuesday').check();
    await form.getByRole('button', { name: 'Create project' }).click();
    const outcome = await Promise.race([
      page.waitForURL(/\/projects\/[0-9a-f-]{36}$/).then(() => 'created'),
      page.getByTestId('plan-limit').waitFor().then(() => 'limit'),
    ]);
    if (outcome === 'limit') limitShown = true;
    else await expect(page.getByRole('heading', { level: 1 })).toContainText(`Weekly digest ${i}`);
  }
  expect(limitShown).toBe(true);
  await expect(page.getByTestId('plan-limit')).toContainText(/free/);
  await expect(page.getByTestId('plan-limit')).toContainText(/not how often/);
  await shot(page, '02-plan-limit');
});

test('project page: schedule beside the queue, episodes, notes and memories', async ({ page }) => {
  await open(page, '/projects');
  await (await firstProject(page)).click();
  await expect(page.getByRole('heading', { name: 'Upcoming schedule' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Cadence preview' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Queue', exact: true })).toBeVisible();
  await expect(page.getByTestId('episodes-table').or(page.getByText('No episodes yet'))).toBeVisible();

  // Planning notes: add, then dismiss.
  const note = `Cover the new pricing page — ${Date.now()}`;
  await page.getByLabel(/New note for the next episodes/).fill(note);
  await page.getByRole('button', { name: 'Add note' }).click();
  const item = page.getByTestId('notes-list').locator('li', { hasText: note });
  await expect(item).toBeVisible();
  await expect(item.locator('.badge')).toHaveText('open');
  await item.getByRole('button', { name: 'Dismiss' }).click();
  await expect(item.locator('.badge')).toHaveText('dismissed');

  // Memories: add, edit, remove.
  const mem = `Readers are product managers (${Date.now()})`;
  await page.getByLabel('New memory').fill(mem);
  await page.getByRole('button', { name: 'Add memory' }).click();
  const row = page.getByTestId('memories-list').locator('li', { hasText: mem });
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: /^Edit memory/ }).click();
  await page.getByLabel('Memory text').fill(`${mem} in the UK`);
  await page.getByRole('button', { name: 'Save memory' }).click();
  const edited = page.getByTestId('memories-list').locator('li', { hasText: `${mem} in the UK` });
  await expect(edited).toBeVisible();
  await axe(page, 'project');
  await shot(page, '03-project');

  // Kept across a reload.
  await page.reload();
  await expect(page.getByTestId('tenancy')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('notes-list').locator('li', { hasText: note }).locator('.badge')).toHaveText('dismissed');
  await expect(page.getByTestId('memories-list').locator('li', { hasText: `${mem} in the UK` })).toBeVisible();
  await page.getByTestId('memories-list').locator('li', { hasText: `${mem} in the UK` }).getByRole('button', { name: /^Remove memory/ }).click();
  await expect(page.getByTestId('memories-list').locator('li', { hasText: mem })).toHaveCount(0);
});

test('settings: the preview follows every edit, issues sit by their field, save replans, delete and restore', async ({ page }) => {
  await open(page, '/projects');
  const href = await (await firstProject(page)).getAttribute('href');
  await open(page, `${href}/settings`);
  const preview = page.getByTestId('settings-preview');
  await expect(preview.locator('li').first()).toBeVisible();
  await expect(preview.locator('li')).toHaveCount(10);
  // The timezone picker offers the core's zones (tz.list) and names its tzdata version.
  await expect(page.getByTestId('tzdata-version')).toHaveText(/tzdata \d{4}[a-z]/);
  await expect(page.locator('datalist option[value="Europe/London"]').first()).toBeAttached();

  // Every day at 07:30 in Europe/London.
  for (const d of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) await page.getByLabel(d, { exact: true }).check();
  const time = page.locator('input[name="time"]');
  await time.fill('07:30');
  await page.locator('input[name="timezone"]').fill('Europe/London');
  await expect(preview.locator('li').first()).toContainText('07:30');
  const firstBefore = await preview.locator('li').first().innerText();

  // A validation issue from the core, next to the time field.
  await time.fill('25:61');
  await expect(time).toHaveAttribute('aria-invalid', 'true');
  const describedBy = await time.getAttribute('aria-describedby');
  expect(describedBy).toBeTruthy();
  await expect(page.locator(`[id="${describedBy}"]`)).not.toBeEmpty();
  await expect(page.getByTestId('preview-error')).toBeVisible();
  await shot(page, '04-settings-invalid');

  // An unknown zone is refused next to the timezone field.
  await time.fill('06:15');
  await page.locator('input[name="timezone"]').fill('Mars/Olympus');
  await expect(page.locator('input[name="timezone"]')).toHaveAttribute('aria-invalid', 'true');
  await page.locator('input[name="timezone"]').fill('Europe/London');
  await expect(preview.locator('li').first()).toContainText('06:15');
  expect(await preview.locator('li').first().innerText()).not.toEqual(firstBefore);

  await page.getByRole('button', { name: 'Save and replan' }).click();
  await expect(page.getByTestId('saved')).toContainText(/Queue replanned|queue/i);
  await axe(page, 'settings');
  await shot(page, '05-settings');

  // Kept across a reload.
  await page.reload();
  await expect(page.getByTestId('tenancy')).toBeVisible({ timeout: 60_000 });
  await expect(page.locator('input[name="time"]')).toHaveValue('06:15');
  await expect(page.getByText(/Saved cadence: Every day at 06:15, Europe\/London/)).toBeVisible();

  // Soft delete with a confirmation, then restore.
  await page.getByRole('button', { name: 'Delete project…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete project' }).click();
  await expect(page.getByTestId('deleted-banner')).toBeVisible();
  await shot(page, '06-settings-deleted');
  await page.getByRole('button', { name: 'Restore project' }).click();
  await expect(page.getByTestId('deleted-banner')).toHaveCount(0);
});

test('settings preview marks DST changes', async ({ page }) => {
  await open(page, '/projects');
  const href = await (await firstProject(page)).getAttribute('href');
  // Put the demo clock a few days before the end of British Summer Time (26 Oct 2025).
  await page.getByLabel('Set the demo clock to (UTC)').fill('2025-10-21T12:00');
  await page.getByRole('button', { name: 'Set (UTC)' }).click();
  await expect(page.getByTestId('demo-clock')).toContainText('21 Oct 2025');
  await open(page, `${href}/settings`);
  for (const d of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) await page.getByLabel(d, { exact: true }).check();
  await page.locator('input[name="timezone"]').fill('Europe/London');
  const mark = page.getByTestId('settings-preview').getByTestId('dst-mark').first();
  await expect(mark).toBeVisible();
  await expect(mark).toContainText('UTC+01:00 → UTC+00:00');
  // The clock survives a reload (the core keeps it in memory; the page sets it again).
  await page.reload();
  await expect(page.getByTestId('demo-clock')).toContainText('Oct 2025', { timeout: 60_000 });
  await shot(page, '07-settings-dst');
});

test('episode: safe markdown, a highlight with exact UTF-16 offsets, kept after reload', async ({ page }) => {
  await openEpisodeWithContent(page);
  const md = page.getByTestId('markdown');
  // No raw HTML runs: no script or event-handler elements in the rendered block.
  expect(await md.locator('script, iframe, img[onerror], [onclick]').count()).toBe(0);

  // Select a passage inside one text leaf, preferring one after a non-ASCII character.
  const selected = await md.evaluate((root) => {
    const leaves = Array.from(root.querySelectorAll<HTMLElement>('[data-o]')).filter((l) => (l.textContent ?? '').trim().length > 12);
    const pick = leaves.find((l) => /[^\x00-\x7f]/.test(l.textContent!.slice(0, -6))) ?? leaves[0];
    const text = pick.firstChild as Text;
    const s = text.data;
    const m = /[^\x00-\x7f]/.exec(s.slice(0, -6));
    let start = m ? m.index + (s.codePointAt(m.index)! > 0xffff ? 2 : 1) : 2;
    while (start < s.length && /\s/.test(s[start])) start++;
    let end = Math.min(s.length, start + 18);
    while (end > start && /\s/.test(s[end - 1])) end--;
    const range = document.createRange();
    range.setStart(text, start);
    range.setEnd(text, end);
    const sel = window.getSelection()!;
    sel.removeAllRanges();
    sel.addRange(range);
    root.dispatchEvent(new MouseEvent('mouseup', { bubbles: true }));
    return range.toString();
  });
  expect(selected.length).toBeGreaterThan(0);
  const form = page.getByTestId('highlight-form');
  await expect(form).toBeVisible();
  await expect(page.getByTestId('pending-quote')).toHaveText(selected);
  const note = `Worth quoting (${Date.now()})`;
  await form.getByLabel('Note (optional)').fill(note);
  await form.getByRole('button', { name: 'Save highlight' }).click();
  const list = page.getByTestId('highlights-list');
  await expect(list.locator('li', { hasText: note })).toBeVisible();
  await expect(list.locator('li', { hasText: note }).locator('blockquote')).toHaveText(selected);
  await expect(md.locator('mark').filter({ hasText: selected.slice(0, 4) }).first()).toBeVisible();
  await axe(page, 'episode');
  await shot(page, '08-episode');

  await page.reload();
  await expect(page.getByTestId('tenancy')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('highlights-list').locator('li', { hasText: note }).locator('blockquote')).toHaveText(selected);
  await expect(page.getByTestId('markdown').locator('mark').first()).toBeVisible();
});

test('usage: 30-day chart with the limit line; the breaker stops the demo worker', async ({ page }) => {
  await open(page, '/usage');
  await expect(page.getByTestId('cost-chart')).toBeVisible();
  // The limit: a line when it is within the scale, else named above it (the scale follows the spend).
  await expect(page.getByTestId('cost-chart').locator('text.limit-label')).toContainText(/limit £/);
  const inScale = await page.getByTestId('cost-chart').locator('line.limit').count();
  const above = await page.getByTestId('cost-chart').getByText(/above the scale/).count();
  expect(inScale > 0 || above === 1).toBe(true);
  // Round ticks: every step is 1, 2 or 5 × 10^n pence or pounds, and no two ticks read alike.
  const ticks = await page.getByTestId('cost-chart').getByTestId('tick').allTextContents();
  expect(new Set(ticks).size).toBe(ticks.length);
  await expect(page.getByTestId('breaker')).toContainText(/Closed|Open/);
  await axe(page, 'usage');
  await shot(page, '09-usage');

  // Spend something today: a day later, one worker run with no failures generates what fell due.
  await page.getByLabel(/Failure share/).fill('0');
  await page.getByRole('button', { name: '+1 day' }).click();
  await page.getByRole('button', { name: 'Run once' }).click();
  await expect(page.getByRole('list', { name: 'Worker log' })).toContainText('ready', { timeout: 30_000 });
  await expect(page.getByTestId('spend-today').or(page.getByText(/^Spent of/)).first()).toBeVisible();
  // A limit below today's spend: the breaker opens, says why, and the worker stops claiming.
  await page.getByLabel('Daily limit (GBP)').fill('0.01');
  await page.getByRole('button', { name: 'Set limit' }).click();
  await expect(page.getByText('Limit saved.')).toBeVisible();
  await expect(page.getByTestId('breaker')).toContainText('Open');
  await page.getByRole('button', { name: 'Start worker' }).click();
  await expect(page.getByTestId('worker-state')).toHaveText('Stopped', { timeout: 30_000 });
  await expect(page.getByText(/circuit breaker open/i).first()).toBeVisible();
  await shot(page, '10-usage-breaker-open');
});

test('demo controls: tenancy, clock, worker, export and import', async ({ page }) => {
  await open(page, '/projects');
  const orgSelect = page.getByLabel('Organization', { exact: true });
  const options = await orgSelect.locator('option').allInnerTexts();
  expect(options.length).toBeGreaterThanOrEqual(2);
  const namesA = await projectNames(page);
  const hrefA = await (await firstProject(page)).getAttribute('href');
  const orgA = await page.getByTestId('tenancy').innerText();

  const current = await orgSelect.inputValue();
  const other = (await orgSelect.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).find((v) => v !== current)!;
  await orgSelect.selectOption(other);
  await expect(page.getByTestId('tenancy')).not.toHaveText(orgA);
  await expect.poll(async () => (await projectNames(page)).join('|')).not.toEqual(namesA.join('|'));
  const namesB = await projectNames(page);
  for (const n of namesA) expect(namesB).not.toContain(n);
  await shot(page, '11-other-organization');
  // Another organization's project behaves as one that does not exist.
  await open(page, hrefA!);
  await expect(page.getByRole('heading', { name: 'Project not found' })).toBeVisible();
  await orgSelect.selectOption(current);
  await expect(page.getByRole('heading', { name: 'Project not found' })).toHaveCount(0);

  // Clock and worker: a day later, one worker tick claims what fell due.
  const before = await page.getByTestId('demo-clock').innerText();
  await page.getByRole('button', { name: '+1 day' }).click();
  await expect(page.getByTestId('demo-clock')).not.toHaveText(before);
  await page.getByRole('button', { name: 'Run once' }).click();
  await expect(page.getByRole('list', { name: 'Worker log' })).toBeVisible();

  // Export, then import the same file: the data is still there.
  await open(page, '/projects');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export .sqlite' }).click()]);
  const file = await download.path();
  expect(file).toBeTruthy();
  await page.getByLabel('Import a .sqlite file').setInputFiles(file!);
  await expect(page.getByText(/^Imported /)).toBeVisible({ timeout: 60_000 });
  expect((await projectNames(page)).length).toBeGreaterThan(0);
  await shot(page, '12-after-import');
});
