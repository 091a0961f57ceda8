import { defineConfig } from '@playwright/test';
import path from 'node:path';

// Debian's Chromium, never a downloaded browser. Each test gets a fresh browser context (a fresh
// profile: empty OPFS/IndexedDB), so every test starts from the demo data.
const PORT = Number(process.env.EC_E2E_PORT || 3100);
const webDir = path.resolve(__dirname, '..');
// EC_E2E_URL: test an app that is already running (no webServer is started).
const external = process.env.EC_E2E_URL;

export default defineConfig({
  testDir: __dirname,
  testMatch: /.*\.spec\.ts$/,
  outputDir: path.join(__dirname, '.results'),
  timeout: 120_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    baseURL: external || `http://127.0.0.1:${PORT}`,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1360, height: 900 },
    timezoneId: 'Europe/London',
    locale: 'en-GB',
    launchOptions: {
      executablePath: process.env.EC_CHROMIUM || '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  // EC_E2E_NO_SERVER=1: run only the browserless specs (lib.spec.ts) without starting the app.
  webServer: process.env.EC_E2E_NO_SERVER || external ? undefined : {
    command: `npx --no-install next start -H 127.0.0.1 -p ${PORT}`,
    cwd: webDir,
    url: `http://127.0.0.1:${PORT}/projects`,
    env: { EC_NEXT_DIST: process.env.EC_NEXT_DIST || 'e2e/.build', NEXT_TELEMETRY_DISABLED: '1' },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
