// The cold start (issue 13, docs/adr/0021-early-core-boot.md): the page's first inline script
// starts the core worker (plain modules at /core/worker/) and the client adopts it; when that
// worker cannot load, the client's own bundled worker opens the same database instead.
import { test, expect } from './fixtures';
import type { Worker } from '@playwright/test';

const rows = '[data-testid="projects-table"] tbody tr';

test('the worker the early script starts is the one that serves the page', async ({ page }) => {
  const workers: Worker[] = [];
  page.on('worker', (w) => workers.push(w));
  await page.goto('/projects');
  await expect(page.locator(rows).first()).toBeVisible();
  expect(workers.map((w) => new URL(w.url()).pathname)).toEqual(['/core/worker/core.worker.js']);
  // It is the client's worker: calls go through it.
  const total = await page.evaluate(async () => {
    const core = (window as unknown as { episodesCore: { call(op: string, p: object): Promise<{ total: number }> } }).episodesCore;
    return (await core.call('project.overview', { limit: 1 })).total;
  });
  expect(total).toBeGreaterThan(0);
});

test('when the early worker cannot load, the bundled worker opens the demo instead', async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.route('**/core/worker/core.worker.js', (route) => route.abort());
    const workers: Worker[] = [];
    page.on('worker', (w) => workers.push(w));
    await page.goto('/projects');
    await expect(page.locator(rows).first()).toBeVisible({ timeout: 60_000 });
    expect(workers.some((w) => new URL(w.url()).pathname.includes('turbopack-worker'))).toBe(true);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
