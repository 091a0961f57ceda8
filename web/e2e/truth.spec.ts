// Truthful feedback (issue 14): what the dashboard says is what the core did. Replan counts, the
// organization switch, the demo clock through export/import, badges while the worker is stopped,
// one labelled zone per view, errors in plain words on their fields, planning notes as markdown.
import { test, expect, open, shot, firstProject } from './fixtures';
import type { Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/** Internal words no form may show (field names, SQL, raw bounds in micro-pounds). */
const INTERNAL = /cadenceConfig|\bname name\b|ownerEmail|ownerName|ownerTimezone|UNIQUE constraint|dailyCostLimitMicros|Micros\b|\bpatch\b|1000000000000|constraint failed|must be a UUID/;

async function noInternalWords(page: Page, where: string) {
  const text = await page.locator('main').innerText();
  expect(text.match(INTERNAL)?.[0] ?? null, `${where}: internal words shown`).toBeNull();
}

async function setClock(page: Page, utc: string) {
  const input = page.getByLabel('Set the demo clock to (UTC)');
  if (!(await input.isVisible())) await page.getByRole('button', { name: 'Demo', exact: true }).click();
  await input.fill(utc);
  await page.getByRole('button', { name: 'Set (UTC)' }).click();
}

async function chooseDays(page: Page, days: string[]) {
  for (const d of DAYS) {
    const box = page.getByLabel(d, { exact: true });
    if (days.includes(d)) await box.check();
    else await box.uncheck();
  }
}

/** A new project in a new organization on the pro plan: its queue holds only what we plan. */
async function freshProject(page: Page, name: string): Promise<string> {
  await open(page, '/projects');
  await page.getByRole('button', { name: 'New organization…' }).click();
  const orgForm = page.getByRole('form', { name: 'New organization' });
  const slug = `truth-${Date.now().toString(36)}`;
  await orgForm.getByLabel('Organization name').fill(`Truth ${slug}`);
  await orgForm.getByLabel('Slug (URL-safe)').fill(slug);
  await orgForm.getByLabel('Owner’s name').fill('Tess Truth');
  await orgForm.getByLabel('Owner’s email').fill(`tess@${slug}.example`);
  await orgForm.getByLabel('Owner’s timezone').fill('Europe/London');
  await orgForm.getByLabel('Plan').selectOption('pro');
  await orgForm.getByRole('button', { name: 'Create organization' }).click();
  await expect(page.getByTestId('tenancy')).toContainText(`Truth ${slug}`);
  await open(page, '/projects');
  await page.getByRole('button', { name: 'New project' }).click();
  const form = page.getByRole('form', { name: 'New project' });
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByRole('button', { name: 'Create project' }).click();
  await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
  return new URL(page.url()).pathname;
}

test('settings: Monday → Tuesday reports the replan the core did, and the queue agrees', async ({ page }) => {
  await open(page, '/projects');
  // Friday 15 Aug 2025, 12:00 UTC: the next two weeks hold two Mondays, two Wednesdays, two Fridays.
  await setClock(page, '2025-08-15T12:00');
  await expect(page.getByTestId('demo-clock')).toContainText('15 Aug 2025');
  const href = await freshProject(page, 'Replan check');

  await open(page, `${href}/settings`);
  await chooseDays(page, ['Monday', 'Wednesday', 'Friday']);
  await page.locator('input[name="time"]').fill('09:00');
  await page.locator('input[name="timezone"]').fill('Europe/London');
  await page.getByRole('button', { name: 'Save and replan' }).click();
  await expect(page.getByTestId('saved')).toBeVisible();

  // Monday -> Tuesday with six pending slots: the two Mondays go, two Tuesdays come, four stay.
  await chooseDays(page, ['Tuesday', 'Wednesday', 'Friday']);
  await page.getByRole('button', { name: 'Save and replan' }).click();
  await expect(page.getByTestId('saved')).toHaveText('Saved. Queue replanned: 2 added, 2 cancelled, 4 kept.');
  await shot(page, 'truth-replan-counts');

  // The queue shows the same: six pending (the Tuesdays among them), the two Mondays cancelled.
  await open(page, href);
  const items = page.getByTestId('queue-item');
  await expect(items.first()).toBeVisible();
  const pending = items.filter({ has: page.locator('.badge', { hasText: /^pending$/ }) });
  await expect(pending).toHaveCount(6);
  await expect(pending.filter({ hasText: '19 Aug, 09:00' })).toHaveCount(1);
  await expect(pending.filter({ hasText: '26 Aug, 09:00' })).toHaveCount(1);
  const cancelled = items.filter({ has: page.locator('.badge', { hasText: /^cancelled$/ }) });
  await expect(cancelled.filter({ hasText: '18 Aug, 09:00' })).toHaveCount(1);
  await expect(cancelled.filter({ hasText: '25 Aug, 09:00' })).toHaveCount(1);

  // A save that leaves the schedule alone says so (no made-up counts).
  await open(page, `${href}/settings`);
  await page.getByLabel('Description', { exact: true }).fill('Only the words changed.');
  await page.getByRole('button', { name: 'Save and replan' }).click();
  await expect(page.getByTestId('saved')).toHaveText('Saved. The schedule did not change, so the queue was left as it was.');
});

test('switching organization on a project or episode page opens that organization’s projects', async ({ page }) => {
  await open(page, '/projects');
  const href = (await (await firstProject(page)).getAttribute('href'))!;
  const orgSelect = page.getByLabel('Organization', { exact: true });
  const current = await orgSelect.inputValue();
  const other = (await orgSelect.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).find((v) => v !== current)!;

  await open(page, href);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await orgSelect.selectOption(other);
  await expect(page).toHaveURL(/\/projects$/);
  await expect(page.getByRole('heading', { name: 'Project not found' })).toHaveCount(0);
  await expect(page.getByTestId('projects-table').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('projects-table')).not.toContainText('Project not found');

  // Settings too.
  const hrefB = (await (await firstProject(page)).getAttribute('href'))!;
  await open(page, `${hrefB}/settings`);
  await orgSelect.selectOption(current);
  await expect(page).toHaveURL(/\/projects$/);
  await expect(page.getByTestId('projects-table')).toContainText(await page.getByTestId('projects-table').locator('tbody tr td:first-child a strong').first().innerText());
});

test('export and import bring the fixed demo clock back', async ({ page }) => {
  await open(page, '/projects');
  await setClock(page, '2025-11-03T08:30');
  await expect(page.getByTestId('demo-clock')).toContainText('3 Nov 2025');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export .sqlite' }).click()]);
  const name = download.suggestedFilename();
  expect(name).toMatch(/-clock-20251103T083000Z\.sqlite$/);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ec-export-')), name);
  await download.saveAs(file);

  // Move the clock away, then import: the clock is the export's again.
  await page.getByRole('button', { name: '+1 week' }).click();
  await expect(page.getByTestId('demo-clock')).toContainText('10 Nov 2025');
  await page.getByLabel('Import a .sqlite file').setInputFiles(file);
  await expect(page.getByText(/^Imported .*demo clock set to/)).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('demo-clock')).toContainText('3 Nov 2025');
  await expect(page.getByTestId('demo-clock')).toContainText('08:30');
  // Kept across a reload too.
  await page.reload();
  await expect(page.getByTestId('demo-clock')).toContainText('3 Nov 2025', { timeout: 60_000 });
});

test('badges say what is happening: no "generating" while the demo worker is stopped', async ({ page }) => {
  await open(page, '/projects');
  await expect(page.getByTestId('worker-state').or(page.getByRole('button', { name: 'Demo', exact: true })).first()).toBeVisible();
  await expect(page.getByTestId('projects-table').locator('tbody tr').first()).toBeVisible();
  await expect(page.locator('main .badge', { hasText: /^(generating|processing)$/ })).toHaveCount(0);
  const hrefs = await page.getByTestId('projects-table').locator('tbody tr td:first-child a').evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
  let found = false;
  for (const href of hrefs) {
    await open(page, href);
    await expect(page.getByTestId('episodes-table').or(page.getByText('No episodes yet'))).toBeVisible();
    await expect(page.getByTestId('queue-item').first().or(page.getByText('The queue is empty'))).toBeVisible();
    // The worker is stopped (a fresh page): nothing may claim to be generating or processing.
    await expect(page.locator('main .badge', { hasText: /^(generating|processing)$/ })).toHaveCount(0);
    if ((await page.getByTestId('claimed-stopped').count()) > 0) {
      found = true;
      await expect(page.getByTestId('claimed-stopped').first()).toHaveText('claimed — worker stopped');
      await shot(page, 'truth-claimed-worker-stopped');
      break;
    }
  }
  expect(found, 'the demo data has an episode claimed by a worker').toBe(true);
});

test('one zone per view, named: the project page shows every time in the project’s zone', async ({ page }) => {
  await open(page, '/projects');
  const href = (await (await firstProject(page)).getAttribute('href'))!;
  await open(page, `${href}/settings`);
  await page.locator('input[name="timezone"]').fill('Europe/Paris');
  await page.getByRole('button', { name: 'Save and replan' }).click();
  await expect(page.getByTestId('saved')).toBeVisible();

  await open(page, href);
  await expect(page.getByTestId('view-zone')).toContainText('Europe/Paris');
  const main = page.locator('main');
  await expect(main.locator('.page-head')).toContainText('Europe/Paris');
  await expect(page.getByRole('region', { name: /^Episodes/ }).or(main.locator('section[aria-labelledby="eps-h"]')).first()).toContainText('Europe/Paris');
  await expect(page.getByText('Next 10 computed by the core, in Europe/Paris.')).toBeVisible();
  // No other zone on the page (the viewer is in Europe/London; the demo panel's clock is not the view).
  const text = await main.innerText();
  expect(text).not.toMatch(/Europe\/London|your time/);
  await shot(page, 'truth-one-zone');
});

test('errors are plain words on their fields, in every form', async ({ page }) => {
  test.setTimeout(240_000);
  await open(page, '/projects');

  // New project: no days, a bad time.
  await open(page, '/projects');
  await page.getByRole('button', { name: 'New project' }).click();
  const form = page.getByRole('form', { name: 'New project' });
  await form.getByLabel('Name', { exact: true }).fill('Bad cadence');
  await chooseDays(page, []);
  await form.getByRole('button', { name: 'Create project' }).click();
  await expect(form.locator('[aria-invalid="true"], .field-issue').first()).toBeVisible();
  await expect(form.locator('.field-issue', { hasText: 'Choose at least one day' })).toBeVisible();
  await noInternalWords(page, 'new project');
  await shot(page, 'truth-error-new-project');
  await form.getByRole('button', { name: 'Cancel' }).click();

  // Settings: a name that is too long, a bad time, an unknown zone.
  const href = (await (await firstProject(page)).getAttribute('href'))!;
  await open(page, `${href}/settings`);
  await page.getByLabel('Name', { exact: true }).fill('N'.repeat(201));
  await page.locator('input[name="time"]').fill('25:61');
  await page.getByRole('button', { name: 'Save and replan' }).click();
  await expect(page.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText(/Name is too long: at most 200 characters/).first()).toBeVisible();
  // Each issue once by its field (the preview and the save both report the time).
  const timeHelp = await page.locator('input[name="time"]').getAttribute('aria-describedby');
  await expect(page.locator(`[id="${timeHelp}"] .field-issue`)).toHaveCount(1);
  await noInternalWords(page, 'settings');
  await shot(page, 'truth-error-settings');

  // Project page: a memory that is too long.
  await open(page, href);
  await page.getByLabel('New memory').fill('M'.repeat(4001));
  await page.getByRole('button', { name: 'Add memory' }).click();
  await expect(page.getByText(/Text is too long: at most 4,000 characters/).first()).toBeVisible();
  await noInternalWords(page, 'project');

  // Usage: a limit beyond the core's bound is worded in pounds.
  await open(page, '/usage');
  await page.getByLabel('Daily limit (GBP)').fill('2000000');
  await page.getByRole('button', { name: 'Set limit' }).click();
  await expect(page.getByText(/Daily limit must be at most £/).first()).toBeVisible();
  await noInternalWords(page, 'usage');
  await shot(page, 'truth-error-usage');

  // Last (it acts in a new organization):
  // New organization: empty, then a bad email, then a slug that is taken (lands on the slug field).
  await open(page, '/projects');
  await page.getByRole('button', { name: 'New organization…' }).click();
  let orgForm = page.getByRole('form', { name: 'New organization' });
  await orgForm.getByLabel('Owner’s timezone').fill('Mars/Olympus');
  await orgForm.getByRole('button', { name: 'Create organization' }).click();
  await expect(orgForm.locator('[aria-invalid="true"]').first()).toBeVisible();
  await expect(orgForm.getByLabel('Organization name')).toHaveAttribute('aria-invalid', 'true');
  await expect(orgForm.getByLabel('Owner’s timezone')).toHaveAttribute('aria-invalid', 'true');
  expect(await orgForm.innerText()).not.toMatch(INTERNAL);
  const slug = `taken-${Date.now().toString(36)}`;
  const fillOrg = async (email: string) => {
    await orgForm.getByLabel('Organization name').fill('Slug Taken Ltd');
    await orgForm.getByLabel('Slug (URL-safe)').fill(slug);
    await orgForm.getByLabel('Owner’s name').fill('Sam Slug');
    await orgForm.getByLabel('Owner’s email').fill(email);
    await orgForm.getByLabel('Owner’s timezone').fill('Europe/London');
  };
  await fillOrg('not-an-email');
  await orgForm.getByRole('button', { name: 'Create organization' }).click();
  await expect(orgForm.getByLabel('Owner’s email')).toHaveAttribute('aria-invalid', 'true');
  await expect(orgForm.getByText(/Owner’s email: enter an email address/)).toBeVisible();
  expect(await orgForm.innerText()).not.toMatch(INTERNAL);
  await fillOrg('sam@slug.example');
  await orgForm.getByRole('button', { name: 'Create organization' }).click();
  await expect(page.getByTestId('tenancy')).toContainText('Slug Taken Ltd');
  await open(page, '/projects');
  await page.getByRole('button', { name: 'New organization…' }).click();
  orgForm = page.getByRole('form', { name: 'New organization' });
  await orgForm.getByLabel('Organization name').fill('Slug Taken Again');
  await orgForm.getByLabel('Slug (URL-safe)').fill(slug);
  await orgForm.getByLabel('Owner’s name').fill('Sue Slug');
  await orgForm.getByLabel('Owner’s email').fill('sue@slug.example');
  await orgForm.getByRole('button', { name: 'Create organization' }).click();
  const slugField = orgForm.getByLabel('Slug (URL-safe)');
  await expect(slugField).toHaveAttribute('aria-invalid', 'true');
  const slugHelp = await slugField.getAttribute('aria-describedby');
  await expect(page.locator(`[id="${slugHelp}"]`)).toHaveText(/Slug is already taken/);
  expect(await orgForm.innerText()).not.toMatch(INTERNAL);
  await shot(page, 'truth-error-slug-taken');
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();

});

// The core refuses a name of only spaces (the schema's not-blank rule, docs/adr/0015-blank-names.md).
test('a name of only spaces is refused on the name field', async ({ page }) => {
  await open(page, '/projects');
  const href = (await (await firstProject(page)).getAttribute('href'))!;
  await open(page, `${href}/settings`);
  const name = page.getByLabel('Name', { exact: true });
  await name.fill('    ');
  await page.getByRole('button', { name: 'Save and replan' }).click();
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  const help = await name.getAttribute('aria-describedby');
  await expect(page.locator(`[id="${help}"]`)).toHaveText(/Name/);
  await expect(page.getByTestId('saved')).toHaveCount(0);
  await noInternalWords(page, 'blank name');

  // The new-project form refuses it the same way.
  await open(page, '/projects');
  await page.getByRole('button', { name: 'New project' }).click();
  const form = page.getByRole('form', { name: 'New project' });
  await form.getByLabel('Name', { exact: true }).fill('   ');
  await form.getByRole('button', { name: 'Create project' }).click();
  await expect(form.getByLabel('Name', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(/\/projects$/);
});

test('planning notes are markdown, rendered safely like episodes', async ({ page }) => {
  await open(page, '/projects');
  await (await firstProject(page)).click();
  const stamp = Date.now();
  await page.getByLabel(/New note for the next episodes/).fill(`Cover **pricing ${stamp}** and *the FAQ*\n\n- one\n- two\n\n[evil](javascript:alert(1)) <script>alert(2)</script>`);
  await page.getByRole('button', { name: 'Add note' }).click();
  const note = page.getByTestId('notes-list').locator('li', { hasText: `pricing ${stamp}` });
  await expect(note).toBeVisible();
  const md = note.getByTestId('note-markdown');
  await expect(md.locator('strong', { hasText: `pricing ${stamp}` })).toBeVisible();
  await expect(md.locator('em', { hasText: 'the FAQ' })).toBeVisible();
  await expect(md.locator('li')).toHaveCount(2);
  expect(await md.innerText()).not.toContain('**');
  expect(await md.locator('script, a[href^="javascript:"]').count()).toBe(0);
});
