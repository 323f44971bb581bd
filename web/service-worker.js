// The app's service worker. scripts/service-worker.mjs writes it into web/dist/sw.js after the build, with BUILD
// ({version, files}: every file of the build) and CONTENT_SECURITY_POLICY put before this text.
//
// - Offline: it keeps every file of the build in a cache named after the build's version, and serves from there,
//   so after the first visit the page loads, segments and predicts with the network off.
// - Cross-origin isolation on any static host: what it serves carries COOP/COEP (the pattern for hosts that cannot
//   set headers), so the page gets SharedArrayBuffer and WebAssembly threads.
// - Privacy: what it serves carries the Content-Security-Policy, which also binds the Web Workers.
//
// A new build is a new sw.js: the browser installs it beside the old one, it fills its own cache, and once the page
// says so (or every tab of the old version is closed) it takes over and deletes the old version's cache.
/* global BUILD, CONTENT_SECURITY_POLICY */

const scope = new URL(self.registration.scope);
// Two deployments on one origin (different paths) keep apart: the cache names carry the scope.
const CACHE_PREFIX = `gliolens ${scope.pathname} `;
const CACHE = `${CACHE_PREFIX}${BUILD.version}`;
const INDEX = new URL('index.html', scope).href;

const HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
};

// Types the browser insists on (module scripts, streaming WebAssembly compilation), for hosts whose type table lacks
// them (.mjs is missing from some).
const TYPES = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // 'reload' bypasses the HTTP cache, so no file of an earlier build slips into this build's cache.
    await cache.addAll(BUILD.files.map((file) => new Request(new URL(file, scope), { cache: 'reload' })));
    // The first install takes over at once: the open page needs it for its threads. An update waits until the page
    // asks (its "reload" button) or the old version's tabs are closed, so a running page never mixes two builds.
    if (!self.registration.active) await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(CACHE_PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('message', (event) => {
  if (event.data === 'skip-waiting') self.skipWaiting();
  if (event.data === 'version') event.source?.postMessage({ version: BUILD.version });
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  // Other origins are the browser's (and the CSP refuses them); so are requests that change things.
  if (request.method !== 'GET' || url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  event.respondWith(serve(request, url));
});

async function serve(request, url) {
  const cache = await caches.open(CACHE);
  const key = request.mode === 'navigate' && url.pathname === scope.pathname ? INDEX : request;
  let response = await cache.match(key, { ignoreSearch: true });
  if (!response) {
    try {
      response = await fetch(request);
    } catch {
      return new Response(`${url.pathname}: not part of the offline copy, and the network is unreachable`, {
        status: 503, headers: { 'Content-Type': 'text/plain; charset=utf-8', ...HEADERS },
      });
    }
  }
  return withHeaders(response, url);
}

// The response with the isolation and security headers. (A new Response also drops `redirected`, which a navigation
// must not be answered with.)
function withHeaders(response, url) {
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(HEADERS)) headers.set(name, value);
  const type = TYPES[url.pathname.match(/\.[a-z]+$/)?.[0]];
  if (type && response.ok) headers.set('Content-Type', type);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}
