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

/**
 * Opens a path and waits until the core is ready and the page shows the acting organization: a
 * fresh profile opens on the demo data (mock.seed), acting as the first organization's owner
 * (demo.actors). A page that offers to create an organization instead fails the test.
 */
export async function open(page: Page, url: string) {
  await page.goto(url);
  const ready = page.getByTestId('tenancy');
  const noOrg = page.getByRole('form', { name: 'New organization' });
  await expect(ready.or(noOrg).first()).toBeVisible({ timeout: 60_000 });
  expect(await noOrg.isVisible(), 'the dashboard found no organization to act as (demo.actors)').toBe(false);
  await expect(ready).toBeVisible({ timeout: 60_000 });
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
