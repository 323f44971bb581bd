// Headless Debian Chromium driven by playwright-core, with the flags that give WebGL and WebGPU on
// SwiftShader (no GPU here), a fresh profile, and no network beyond the page's own origin.
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { after, before } from 'node:test';

import { chromium } from 'playwright-core';

import { startServer } from '../../scripts/serve.mjs';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// Service workers are blocked unless a test asks for them: the page's own service worker (offline cache, isolation on
// a plain host) has its test, tests/e2e/static-host.test.mjs; the others run as `npm start` serves the page, with the
// server's headers, and need not pay for the worker caching the whole build on every launch.
export async function launchBrowser({ serviceWorkers = 'block' } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/setup`);
  const profile = mkdtempSync(join(tmpdir(), 'gliolens-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    serviceWorkers,
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan',
      '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--disable-vulkan-surface',
      '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic',
    ],
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close, profile };
}

// Opens a page that records console errors, uncaught errors and any request outside `origin`.
export async function openPage(context, url) {
  const page = await context.newPage();
  const problems = { consoleErrors: [], pageErrors: [], foreignRequests: [] };
  const origin = new URL(url).origin;
  page.on('console', (msg) => { if (msg.type() === 'error') problems.consoleErrors.push(msg.text()); });
  page.on('pageerror', (error) => problems.pageErrors.push(error.message));
  page.on('request', (request) => {
    const u = request.url();
    if (!u.startsWith(origin) && !u.startsWith('blob:') && !u.startsWith('data:')) problems.foreignRequests.push(u);
  });
  await page.goto(url);
  return { page, problems };
}

// For a test file: serves the built app (GLIOLENS_DIST_DIR serves another build) and starts one
// browser before its tests, and stops both after them. `app.open()` opens a fresh page of the app.
export function serveAppInBrowser() {
  const app = {
    url: null,
    browser: null,
    server: null,
    open: () => openPage(app.browser.context, app.url),
  };
  before(async () => {
    ({ server: app.server, url: app.url } = await startServer({ root: process.env.GLIOLENS_DIST_DIR }));
    app.browser = await launchBrowser();
  });
  after(async () => {
    await app.browser?.close();
    app.server?.close();
  });
  return app;
}
