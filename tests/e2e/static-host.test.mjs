// The built app (web/dist) on a plain static host, as a hospital share or GitHub Pages would serve it: no COOP/COEP,
// no CSP, no headers at all beyond the content type, and under a sub-path. The service worker makes the page
// cross-origin isolated (WebAssembly threads), keeps it for offline use, and with the page's Content-Security-Policy
// the browser refuses any request to another origin.
import assert from 'node:assert/strict';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { test } from 'node:test';

import { TYPES, distDir } from '../../scripts/serve.mjs';
import { launchBrowser, openPage } from './browser.mjs';

const PREFIX = '/hospital/tools/gliolens/';
const TIMEOUT = 120_000;

// Files under PREFIX, with a content type and nothing else (and a redirect to the folder, as static hosts do).
function plainStaticHost(root) {
  const server = createServer((req, res) => {
    const { pathname } = new URL(req.url, 'http://localhost');
    if (`${pathname}/` === PREFIX) return res.writeHead(301, { Location: PREFIX }).end();
    if (!pathname.startsWith(PREFIX)) return res.writeHead(404).end();
    let path = normalize(join(root, decodeURIComponent(pathname.slice(PREFIX.length))));
    if (!path.startsWith(root)) return res.writeHead(403).end();
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'index.html');
    if (!existsSync(path)) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream' });
    createReadStream(path).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}${PREFIX}` })));
}

// Until `predicate` holds in the page, through the reloads the page may do meanwhile.
async function until(page, predicate, timeout = TIMEOUT) {
  const end = Date.now() + timeout;
  for (;;) {
    try {
      if (await page.evaluate(predicate)) return;
    } catch { /* the page was reloading */ }
    if (Date.now() > end) throw new Error(`timed out waiting for ${predicate}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('on a plain static host under a sub-path: isolated by the service worker, offline after one visit, and sealed by its CSP', { timeout: 4 * TIMEOUT }, async () => {
  const root = normalize(process.env.GLIOLENS_DIST_DIR ?? distDir);
  const { version } = JSON.parse(readFileSync(join(root, 'version.json'), 'utf8'));
  const { server, url } = await plainStaticHost(root);
  const browser = await launchBrowser({ serviceWorkers: 'allow' });
  const started = performance.now();
  try {
    const { page, problems } = await openPage(browser.context, url);
    // The first visit keeps the build and reloads once under the worker, now cross-origin isolated.
    await until(page, () => Boolean(navigator.serviceWorker.controller) && self.crossOriginIsolated
      && document.querySelector('#app-version')?.dataset.offline === 'ready' && Boolean(document.querySelector('#app-version').dataset.version));
    const shown = await page.$eval('#app-version', (p) => p.textContent);
    assert.equal(shown, `Version ${version} · works offline`);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    console.log(`# static host: isolated and saved for offline use after ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // The CSP: a request to another origin is refused by the browser, with a violation event.
    const refused = await page.evaluate(() => new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (e) => resolve({ directive: e.effectiveDirective, blocked: e.blockedURI }), { once: true });
      fetch('https://example.org/collect', { method: 'POST', body: 'a scan' }).catch(() => {});
    }));
    assert.deepEqual(refused, { directive: 'connect-src', blocked: 'https://example.org/collect' });
    assert.deepEqual(problems.foreignRequests, [], 'the refused request never left');
    assert.ok(problems.consoleErrors.every((e) => /https:\/\/example\.org\/collect.*Content Security Policy/.test(e)), problems.consoleErrors.join('\n'));
    problems.consoleErrors.length = 0;

    // Offline: the page, the core, ONNX Runtime and the model all come from the worker's copy.
    await browser.context.setOffline(true);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    await page.waitForSelector('#app-version[data-offline="ready"][data-version]', { timeout: TIMEOUT });
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
    assert.equal(await page.$eval('#app-version', (p) => p.textContent), `Version ${version} · works offline`);
    // The installable app: its manifest and icons come from the offline copy too.
    const icons = await page.evaluate(async () => {
      const manifest = await (await fetch(document.querySelector('link[rel="manifest"]').href)).json();
      return Promise.all(manifest.icons.map(async (icon) => (await fetch(new URL(icon.src, document.baseURI))).headers.get('Content-Type')));
    });
    assert.deepEqual(icons, ['image/svg+xml', 'image/png', 'image/png', 'image/png']);
    await page.click('#demo-button');
    await page.waitForFunction(() => document.querySelectorAll('#file-list tbody tr').length === 5, null, { timeout: TIMEOUT });
    console.log(`# static host, offline: page reloaded and demo case loaded at ${((performance.now() - started) / 1000).toFixed(1)} s`);
    await page.selectOption('#segment-backend', 'wasm');
    await page.click('#segment-run');
    await page.waitForFunction(() => (/^Done/.test(document.querySelector('#segment-status').textContent)
      || document.querySelector('#messages li.error')) && !document.querySelector('#segment-run').disabled, null, { timeout: TIMEOUT });
    assert.deepEqual(await page.$$eval('#messages li.error', (items) => items.map((i) => i.textContent)), []);
    const status = await page.$eval('#segment-status', (s) => s.textContent);
    console.log(`# static host, offline: ${status}`);
    const threads = Math.min(4, cores);
    assert.match(status, new RegExp(`^Done on WASM, ${threads} threads? in `), status);
    if (cores > 1) assert.ok(Number(await page.$eval('#segment', (s) => s.dataset.threads)) > 1, 'multi-threaded WebAssembly');
    // The segmentation joined the case, and its descriptors were extracted.
    assert.equal(await page.$$eval('#file-list tbody tr', (rows) => rows.length), 6);
    await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('#descriptors').dataset.state), null, { timeout: TIMEOUT });
    assert.equal(await page.$eval('#descriptors', (e) => e.dataset.state), 'done');
    assert.deepEqual(await page.$$eval('#messages li.error', (items) => items.map((i) => i.textContent)), []);
    assert.deepEqual(problems.consoleErrors, [], 'no console error (a CSP violation would be one)');
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.foreignRequests, []);
    console.log(`# static host test: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await browser.close();
    server.close();
  }
});
