// Vite builds the static front end into web/dist; the WASM core comes from build/wasm.
//
// ONNX Runtime Web: the Worker imports `onnxruntime-web/webgpu` in its "extern wasm" form (the
// `onnxruntime-web-use-extern-wasm` export condition), so the bundle does not inline ORT's Emscripten
// module. ORT's own module and binary are copied unchanged into `ort/` beside the page and loaded
// from there at run time (`env.wasm.wasmPaths`): its pthread workers are then started from that
// real same-origin file, which is what lets the WASM backend run multi-threaded. (Inlined into the
// bundled module Worker, the pthread workers do not start.)
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

import { defineConfig, defaultClientConditions } from 'vite';

const require = createRequire(import.meta.url);
const ortDist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.asyncify.mjs'));
// The build of ORT's module that `onnxruntime-web/webgpu` loads (WebGPU EP + WASM, threaded, asyncify).
export const ORT_RUNTIME_FILES = ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];
export const ORT_DIR = 'ort';

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
        res.setHeader('Content-Type', file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript');
        // ORT's thread workers are started from the .mjs: under COEP their script needs it too.
        res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        createReadStream(join(ortDist, file)).pipe(res);
      });
    },
  };
}

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: './',
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  plugins: [ortRuntime()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000 },
  worker: { format: 'es' },
  server: {
    fs: { allow: ['..'] },
    headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' },
  },
});
