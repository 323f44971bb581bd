// The page's side of the service worker (web/service-worker.js): registers it, reloads once when it first takes
// over a page that is not yet cross-origin isolated (then the worker's headers give WebAssembly its threads), offers
// a newer build when one has been installed, and shows in the header which version runs and whether it works
// offline. `isIdle()` says whether a reload would lose nothing (no case loaded).
const RELOADED = 'gliolens-reloaded-for-isolation';

export function startOffline({ isIdle }) {
  const line = document.createElement('p');
  line.id = 'app-version';
  line.className = 'hint';
  document.querySelector('header')?.append(line);
  let version = null;
  let state = { offline: 'pending', text: '', extra: [] };
  const render = () => {
    line.dataset.offline = state.offline;
    if (version) line.dataset.version = version;
    line.replaceChildren(`Version ${version ?? 'unknown'} · ${state.text}`, ...state.extra);
  };
  const show = (offline, text, ...extra) => {
    state = { offline, text, extra };
    render();
  };

  if (!import.meta.env.PROD) {
    version = 'development';
    show('none', 'dev server: no offline copy');
    return;
  }
  // The version of the build this page came from (from the offline copy once the service worker serves the page).
  fetch('version.json').then((r) => r.json()).then((build) => {
    version = build.version;
    render();
  }, () => {});
  if (!('serviceWorker' in navigator)) {
    show('none', `no offline copy: this browser gives no service worker here${window.isSecureContext ? '' : ' (the page is not served over https)'}`);
    return;
  }
  show('pending', 'saving the app for offline use…');
  const { serviceWorker } = navigator;
  const controlled = Boolean(serviceWorker.controller);
  if (self.crossOriginIsolated) sessionStorage.removeItem(RELOADED);

  serviceWorker.addEventListener('controllerchange', () => {
    // The first take-over: a reload gets the isolation headers, once (never in a loop), and not over the user's work.
    if (!controlled && !self.crossOriginIsolated) {
      if (isIdle() && !sessionStorage.getItem(RELOADED)) {
        sessionStorage.setItem(RELOADED, '1');
        location.reload();
        return;
      }
      show('ready', 'works offline; reload the page to run WebAssembly on several threads');
      return;
    }
    if (controlled) location.reload();  // the newer build the user asked for
    else show('ready', 'works offline');
  });

  serviceWorker.register('sw.js', { scope: './', updateViaCache: 'none' }).then((registration) => {
    // A browser or an automation policy that blocks service workers may resolve with nothing rather than refuse.
    if (!registration) {
      show('none', 'no offline copy: service workers are blocked here');
      return;
    }
    const offerUpdate = (worker) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = 'Reload to update';
      button.addEventListener('click', () => worker.postMessage('skip-waiting'));
      show('ready', 'works offline; a newer version is ready ', button);
    };
    if (registration.waiting && controlled) offerUpdate(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'installed' && serviceWorker.controller) offerUpdate(worker);
        if (worker.state === 'redundant' && !serviceWorker.controller) show('none', 'no offline copy: saving the app failed');
      });
    });
    // A page the worker does not serve although it runs (a hard reload bypasses it): a normal reload brings it back.
    if (!controlled && registration.active && !self.crossOriginIsolated && isIdle() && !sessionStorage.getItem(RELOADED)) {
      sessionStorage.setItem(RELOADED, '1');
      location.reload();
      return;
    }
    if (controlled && !registration.waiting) {
      show('ready', self.crossOriginIsolated ? 'works offline' : 'works offline; not cross-origin isolated here: WebAssembly on 1 thread');
    }
  }, (error) => show('none', `no offline copy: ${error.message}`));
}
