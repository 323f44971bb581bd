// The Content-Security-Policy of the built app: the page and its workers may load and reach only their own origin,
// so no image, result or telemetry can leave the machine even if a dependency tried. It is enforced twice: as a
// <meta http-equiv> in index.html (web/vite.config.js), on any host, and as a header the service worker
// (web/service-worker.js) adds to what it serves, which is what also binds the Web Workers (a worker takes its policy
// from its own script's response, not from the page's <meta>).
//
// - 'wasm-unsafe-eval': compiling WebAssembly (our core, ONNX Runtime), no JavaScript eval. The core is linked with
//   DYNAMIC_EXECUTION=0 so Embind builds no functions from strings.
// - blob: and data: only where the app makes them itself: downloads and NiiVue's images (blob:), NiiVue's embedded
//   assets (data:), and workers ONNX Runtime may start from a blob.
// - style-src 'unsafe-inline': style attributes (colour swatches, NiiVue's canvas sizing). A style cannot send a
//   request past img-src/font-src, so it leaks nothing.
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self' blob: data:",
  "img-src 'self' blob: data:",
  "media-src 'self' blob: data:",
  "font-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "manifest-src 'self'",
  "object-src 'none'",
  "frame-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');
