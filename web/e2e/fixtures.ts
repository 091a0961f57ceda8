import { test as base, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import path from 'node:path';

export const SCREENSHOTS = path.join(__dirname, 'screenshots');
fs.mkdirSync(SCREENSHOTS, { recursive: true });

/** Every test: no console errors, no page errors, and no request leaves 127.0.0.1 (offline). */
export const test = base.extend<{ problems: string[] }>({
  problems: [
    async ({ page, baseURL }, use) => {
      const problems: string[] = [];
      const host = new URL(baseURL!).host;
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.protocol.startsWith('http') && url.host !== host) {
          problems.push(`external request: ${url.href}`);
          return route.abort();
        }
        return route.continue();
      });
      await use(problems);
      expect(problems, 'console errors, page errors or external requests').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/** Opens a path and waits until the core is ready and the page shows the acting organization. */
export async function open(page: Page, url: string) {
  await page.goto(url);
  const ready = page.getByTestId('tenancy');
  const noOrg = page.getByRole('form', { name: 'New organization' });
  await expect(ready.or(noOrg).first()).toBeVisible({ timeout: 60_000 });
  if (await noOrg.isVisible()) {
    await createDataThroughTheUi(page);
    await page.goto(url);
  }
  await expect(ready).toBeVisible({ timeout: 60_000 });
}

/**
 * When the database opens with no organization the dashboard can act as (a core whose demo seed
 * result names none), the tests make their data as a user would: two organizations, a project
 * each on a daily cadence, and one worker run a day later so episodes have content.
 */
async function createDataThroughTheUi(page: Page) {
  const org = async (name: string, slug: string, owner: string, email: string, plan: string) => {
    const form = page.getByRole('form', { name: 'New organization' });
    await form.getByLabel('Organization name').fill(name);
    await form.getByLabel('Slug (URL-safe)').fill(slug);
    await form.getByLabel('Owner’s name').fill(owner);
    await form.getByLabel('Owner’s email').fill(email);
    await form.getByLabel('Owner’s timezone').fill('Europe/London');
    await form.getByLabel('Plan').selectOption(plan);
    await form.getByRole('button', { name: 'Create organization' }).click();
    await expect(page.getByTestId('tenancy')).toContainText(name, { timeout: 30_000 });
  };
  const project = async (name: string, description: string) => {
    await page.goto('/projects');
    await expect(page.getByTestId('tenancy')).toBeVisible({ timeout: 60_000 });
    await page.getByRole('button', { name: 'New project' }).click();
    const form = page.getByRole('form', { name: 'New project' });
    await form.getByLabel('Name', { exact: true }).fill(name);
    await form.getByLabel('Description').fill(description);
    for (const d of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']) await form.getByLabel(d, { exact: true }).check();
    await form.locator('input[name="timezone"]').fill('Europe/London');
    await form.getByRole('button', { name: 'Create project' }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
  };
  const generate = async () => {
    await page.getByLabel(/Failure share/).fill('0');
    await page.getByRole('button', { name: '+1 day' }).click();
    await page.getByRole('button', { name: 'Run once' }).click();
    await expect(page.getByRole('list', { name: 'Worker log' })).toContainText('ready', { timeout: 30_000 });
  };
  await org('Northwind Media', 'northwind', 'Amélie Dubois', 'amelie@northwind.example', 'pro');
  await project('Café Culture Weekly', 'Independent coffee shops, roasters and the people behind them ☕.');
  await project('Product Notes', 'What shipped this week and why it matters.');
  await generate();
  await page.getByRole('button', { name: 'New organization…' }).click();
  await org('Globex Labs', 'globex', 'José Ortega', 'jose@globex.example', 'team');
  await project('Research Radar', 'Papers worth reading, summarised.');
  await generate();
}

export async function shot(page: Page, name: string) {
  await page.waitForTimeout(150); // let the last re-render settle
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** axe: no serious or critical violations (WCAG 2 A/AA rules). */
export async function axe(page: Page, name: string) {
  const res = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const bad = res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  expect(summary, `axe on ${name}`).toEqual([]);
}

/** The first project link of the projects table. */
export async function firstProject(page: Page) {
  const link = page.getByTestId('projects-table').locator('tbody tr a[href^="/projects/"]').first();
  await expect(link).toBeVisible();
  return link;
}
