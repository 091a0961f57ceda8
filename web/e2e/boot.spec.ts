// The cold start (issue 13, docs/adr/0021-early-core-boot.md): the page's first inline script
// starts the core worker (one module at /core/worker/) and the client adopts it; when that
// worker cannot load, the client's own bundled worker opens the same database instead.
import { test, expect } from './fixtures';
import type { Worker } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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

// docs/adr/0026-mock-generator-module.md: the browser core has no mock data generator; the first
// visit (the prebuilt demo file) and "Reset to demo" never fetch the mock module; seeding another
// dataset loads it then, and writes what the native CLI writes for the same seed.
test('the mock module loads only when a dataset other than the prebuilt demo is seeded', async ({ page }) => {
  const mockRequests: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('episodes_core_mock')) mockRequests.push(new URL(r.url()).pathname);
  });
  page.on('dialog', (d) => void d.accept());
  await page.goto('/projects');
  await expect(page.locator(rows).first()).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Reset to demo' }).click();
  await expect(page.getByText('Demo data restored')).toBeVisible({ timeout: 60_000 });
  expect(mockRequests, 'the first visit and the demo reset use the prebuilt file').toEqual([]);

  await page.getByLabel('Seed a dataset').selectOption('small');
  await page.getByRole('button', { name: 'Seed', exact: true }).click();
  const done = page.getByText(/^Seeded the small dataset \(([\d,]+) projects\)$/);
  await expect(done).toBeVisible({ timeout: 120_000 });
  expect([...new Set(mockRequests)].sort()).toEqual(['/core/episodes_core_mock.js', '/core/episodes_core_mock.wasm']);
  const projects = Number((await done.innerText()).match(/\(([\d,]+) projects\)/)![1].replace(/,/g, ''));
  const cli = path.join(__dirname, '../../build/native/episodes-core');
  if (fs.existsSync(cli)) {
    const db = path.join(os.tmpdir(), `ec-e2e-seed-${process.pid}.sqlite`);
    try {
      const out = JSON.parse(execFileSync(cli, ['seed', '--db', db, '--seed', '42', '--size', 'small', '--quiet'], { encoding: 'utf8' }).trim().split('\n').at(-1)!);
      expect(projects).toBe(out.rows.Project);
    } finally {
      fs.rmSync(db, { force: true });
    }
  }
  await expect(page.locator(rows).first()).toBeVisible();
});

// The early script (lib/earlyBoot.ts) takes a browser without "ec.actor" in localStorage for a
// first visit and fetches the prebuilt demo at once. A wrong guess (site data kept, localStorage
// cleared) must cost only that download: the worker decides, and the stored database opens as
// it is, never replaced by the demo.
test('a wrong first-visit guess (localStorage cleared, database stored) keeps the stored data', async ({ page }) => {
  await page.goto('/projects');
  await expect(page.locator(rows).first()).toBeVisible({ timeout: 60_000 });
  const pid = (await page.locator(`${rows} a[href*="/projects/"]`).first().getAttribute('href'))!.split('/').pop()!;
  const tag = `kept-after-guess-${Date.now()}`;
  type Notes = { items: { content: string }[] };
  type Api = { episodesCore: { call(op: string, p: unknown): Promise<unknown> } };
  await page.evaluate(async ({ pid, tag }) => {
    await (window as unknown as Api).episodesCore.call('planningNote.create', { projectId: pid, content: tag });
  }, { pid, tag });
  await page.evaluate(() => localStorage.clear());
  const demoFetched: string[] = [];
  page.on('request', (r) => {
    if (/\/core\/demo-\d+\.sqlite/.test(r.url())) demoFetched.push(r.url());
  });
  await page.reload();
  await expect(page.locator(rows).first()).toBeVisible({ timeout: 60_000 });
  expect(demoFetched.length, 'the guess was taken: the demo file was fetched').toBeGreaterThan(0);
  const contents = await page.evaluate(async (pid) => {
    const res = (await (window as unknown as Api).episodesCore.call('planningNote.list', { projectId: pid, limit: 100 })) as Notes;
    return res.items.map((n) => n.content);
  }, pid);
  expect(contents).toContain(tag);
});
