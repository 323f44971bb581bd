// A static server for the built app (web/dist), with the headers that make the page cross-origin
// isolated (needed for multi-threaded WASM). Used by `npm start` and by the browser tests.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// Content types by extension, also for the vite dev server's own files (web/vite.config.js).
export const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.onnx': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export const distDir = fileURLToPath(new URL('../web/dist/', import.meta.url));

// `isolated: false` is a host where the page cannot be cross-origin isolated at all (only for tests of that page): no
// COOP/COEP, and no service worker either (its script is not served), as the worker would add the headers itself.
export function startServer({ root = distDir, port = 0, host = '127.0.0.1', isolated = true } = {}) {
  const base = resolve(root);
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let path = normalize(join(base, decodeURIComponent(url.pathname)));
    if (!path.startsWith(base)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(path) && statSync(path).isDirectory()) path = join(path, 'index.html');
    if (!existsSync(path) || (!isolated && path === join(base, 'sw.js'))) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
      return;
    }
    const isolation = isolated
      ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' }
      : {};
    res.writeHead(200, {
      'Content-Type': TYPES[extname(path)] ?? 'application/octet-stream',
      ...isolation,
      'Cross-Origin-Resource-Policy': 'same-origin',
      'Cache-Control': 'no-cache',
    });
    createReadStream(path).pipe(res);
  });
  return new Promise((resolvePromise) => {
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({ server, url: `http://${host}:${actual}/` });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  if (!existsSync(join(distDir, 'index.html'))) {
    console.error('web/dist is missing: run "npm run build" first');
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 8080);
  const { url } = await startServer({ port, host: process.env.HOST ?? '127.0.0.1' });
  console.log(`Gliolens is served at ${url}  (Ctrl+C stops it)`);
}
