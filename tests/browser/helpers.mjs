// Launches Debian's Chromium (never a downloaded browser) with a fresh profile directory that
// survives relaunches inside one test, so "close the browser and come back" can be tested.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBrowserBundles } from './build.mjs';
import { startServer } from './server.mjs';

export const CHROMIUM = process.env.EC_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Builds the bundles, starts the static server; returns {url, profile(), close()}. */
export async function setup() {
  await buildBrowserBundles();
  const server = await startServer();
  const dirs = [];
  const contexts = [];
  return {
    url: server.url,
    /** A new profile directory (fresh storage). */
    newProfile() {
      const d = mkdtempSync(join(tmpdir(), 'ec-chromium-'));
      dirs.push(d);
      return d;
    },
    /** Launches Chromium on a profile directory (reuse the directory to "restart the browser"). */
    async launch(profileDir) {
      const context = await chromium.launchPersistentContext(profileDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
      });
      contexts.push(context);
      return context;
    },
    /** Opens the test page in a context; fails the test on page errors. */
    async page(context) {
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error('page error:', e));
      page.on('console', (m) => { if (m.type() === 'error') console.error('console:', m.text()); });
      await page.goto(server.url);
      await page.waitForFunction(() => window.ec !== undefined);
      return page;
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await server.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** Waits for window.ec after a reload. */
export async function reload(page) {
  await page.reload();
  await page.waitForFunction(() => window.ec !== undefined);
}
