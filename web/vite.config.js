// Vite builds the static front end into web/dist; the WASM core comes from build/wasm.
//
// ONNX Runtime Web: the Worker imports `onnxruntime-web/webgpu` in its "extern wasm" form (the
// `onnxruntime-web-use-extern-wasm` export condition), so the bundle does not inline ORT's Emscripten
// module. ORT's own module and binary are copied unchanged into `ort/` beside the page and loaded
// from there at run time (`env.wasm.wasmPaths`): its pthread workers are then started from that
// real same-origin file, which is what lets the WASM backend run multi-threaded. (Inlined into the
// bundled module Worker, the pthread workers do not start.)
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { defineConfig, defaultClientConditions } from 'vite';

import { sri24AtlasFiles } from '../cli/shared-data.mjs';
import { TYPES } from '../scripts/serve.mjs';
import { CONTENT_SECURITY_POLICY } from './content-security-policy.js';

const require = createRequire(import.meta.url);
const ortDist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs'));
// The build of ORT's module that `onnxruntime-web/webgpu` loads (WebGPU EP + WASM, threaded, asyncify).
export const ORT_RUNTIME_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];
export const ORT_DIR = 'ort';

// dcm2niix's WebAssembly build: the package exports only its browser wrapper (which starts a Worker of its own); the
// page's converter Worker (src/dicom-worker.js) imports the Emscripten module and its .wasm from beside that wrapper,
// so both are assets of this build, served from our origin.
const dcm2niixDist = dirname(fileURLToPath(import.meta.resolve('@niivue/dcm2niix')));
// Its Emscripten module imports Node's `module` inside its Node-only branch, which a browser never takes: Vite's
// notice that it left that import empty says nothing to act on. Every other warning passes.
const dcm2niixNodeBranch = /Module "module" has been externalized for browser compatibility, imported by "[^"]*@niivue\/dcm2niix\//;
function onwarn(warning, warn) {
  if (!dcm2niixNodeBranch.test(warning.message)) warn(warning);
}

function ortRuntime() {
  return {
    name: 'gliolens-ort-runtime',
    generateBundle() {
      for (const file of ORT_RUNTIME_FILES) {
        this.emitFile({ type: 'asset', fileName: `${ORT_DIR}/${file}`, source: readFileSync(join(ortDist, file)) });
      }
    },
    // `vite` (dev server): the same files under /ort/.
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const file = ORT_RUNTIME_FILES.find((f) => req.url?.split('?')[0].endsWith(`/${ORT_DIR}/${f}`));
        if (!file) return next();
        // ORT's thread workers are started from the .mjs: under COEP their script needs CORP too.
        sendFile(res, join(ortDist, file));
      });
    },
  };
}

// `vite` (dev server): the trained models under /models/<name>/, as `scripts/build` copies them into
// web/dist for the built app (the page fetches them relative to itself).
const modelsDir = fileURLToPath(new URL('../models/', import.meta.url));
const MODEL_FILE = /^\/models\/([\w.-]+)\/(manifest\.json|MODEL_CARD\.md|HISTORY\.md|README\.md|[\w.-]+\.onnx)$/;

function modelFiles() {
  return {
    name: 'gliolens-model-files',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const match = MODEL_FILE.exec(req.url?.split('?')[0] ?? '');
        const path = match && join(modelsDir, match[1], match[2]);
        if (!path || !existsSync(path)) return next();
        sendFile(res, path);
      });
    },
  };
}

// The SRI24 atlas (CC BY-SA 3.0, never in the repository): when the shared reference data holds it (cli/shared-data.mjs,
// the lookup the CLI uses), the template and its licence are copied into the build under atlas/sri24/ and served from
// the page's own origin for its Prepare flow; `import SRI24 from 'gliolens:sri24-atlas'` gives their paths relative to
// the page ({template, license}), or null in a build without them (the page then says how to get one).
const SRI24_ATLAS_ID = 'gliolens:sri24-atlas';
export const SRI24_DIR = 'atlas/sri24';
export const SRI24_SERVED = { template: `${SRI24_DIR}/sri24_t1_brain.nii.gz`, license: `${SRI24_DIR}/LICENSE.txt` };

function sri24Atlas() {
  const resolved = `\0${SRI24_ATLAS_ID}`;
  const files = sri24AtlasFiles();
  return {
    name: 'gliolens-sri24-atlas',
    resolveId: (id) => (id === SRI24_ATLAS_ID ? resolved : null),
    load: (id) => (id === resolved ? `export default ${JSON.stringify(files ? SRI24_SERVED : null)};` : null),
    generateBundle() {
      if (!files) return;
      for (const part of ['template', 'license']) {
        this.emitFile({ type: 'asset', fileName: SRI24_SERVED[part], source: readFileSync(files[part]) });
      }
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const part = files && Object.keys(SRI24_SERVED).find((p) => req.url?.split('?')[0].endsWith(`/${SRI24_SERVED[p]}`));
        if (!part) return next();
        // Typed by the name it is served under (the licence's source file has no extension).
        sendFile(res, files[part], TYPES[extname(SRI24_SERVED[part])]);
      });
    },
  };
}

// `import MODEL_SHA256 from 'gliolens:model-sha256'`: the SHA-256 of each statistical model file as it is on disk
// ({"radiogenomics/idh_descriptors_age.json": "…"}), the model's version in the report and the session file, the same
// digest `gliolens batch` writes as prediction_model_sha256 (an import of the JSON gives the parsed object, whose bytes
// are no longer the file's).
const MODEL_SHA256_ID = 'gliolens:model-sha256';
const STATISTICAL_MODEL_DIRS = ['radiogenomics', 'survival'];

function modelDigests() {
  const resolved = `\0${MODEL_SHA256_ID}`;
  return {
    name: 'gliolens-model-sha256',
    resolveId: (id) => (id === MODEL_SHA256_ID ? resolved : null),
    load(id) {
      if (id !== resolved) return null;
      const digests = {};
      for (const dir of STATISTICAL_MODEL_DIRS) {
        for (const file of readdirSync(join(modelsDir, dir)).filter((f) => f.endsWith('.json')).sort()) {
          const path = join(modelsDir, dir, file);
          this.addWatchFile(path);
          digests[`${dir}/${file}`] = createHash('sha256').update(readFileSync(path)).digest('hex');
        }
      }
      return `export default ${JSON.stringify(digests, null, 1)};`;
    },
  };
}

// The built page's head: its Content-Security-Policy (first, before anything it governs), the web app manifest and
// icon. Build only: the dev server injects its own client and talks to it over a WebSocket.
function pageHead() {
  return {
    name: 'gliolens-page-head',
    apply: 'build',
    transformIndexHtml: () => [
      { tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY }, injectTo: 'head-prepend' },
      { tag: 'link', attrs: { rel: 'manifest', href: './manifest.webmanifest' }, injectTo: 'head' },
      { tag: 'link', attrs: { rel: 'apple-touch-icon', href: './icons/icon-192.png' }, injectTo: 'head' },
      { tag: 'meta', attrs: { name: 'theme-color', content: '#101216' }, injectTo: 'head' },
    ],
  };
}

function sendFile(res, path, type = TYPES[extname(path)]) {
  res.setHeader('Content-Type', type ?? 'application/octet-stream');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  createReadStream(path).pipe(res);
}

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: './',
  resolve: {
    conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions],
    alias: [{ find: /^@niivue\/dcm2niix\/dist\//, replacement: `${dcm2niixDist}/` }],
  },
  plugins: [ortRuntime(), modelFiles(), modelDigests(), sri24Atlas(), pageHead()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000, rollupOptions: { onwarn } },
  worker: { format: 'es' },
  server: {
    fs: { allow: ['..'] },
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  },
});
