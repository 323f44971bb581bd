// Loads the WASM core in Node (the CLI, tests and benchmarks). Emscripten 3.1.6 would try to fetch
// the .wasm by URL under Node 20, so the binary is read here and handed over.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Gliolens } from './gliolens.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const wasmBuildDir = process.env.GLIOLENS_WASM_DIR ?? join(root, 'build', 'wasm');

// The Emscripten module itself: one per call, shared by every Gliolens object made over it.
export async function loadCoreModule() {
  const glue = join(wasmBuildDir, 'gliolens_node.cjs');
  if (!existsSync(glue)) {
    throw new Error(`WASM core not built (${glue} missing): run "npm run build"`);
  }
  const require = createRequire(import.meta.url);
  const factory = require(glue);
  const module = await factory({
    wasmBinary: readFileSync(join(wasmBuildDir, 'gliolens_node.wasm')),
    print: () => {},
    printErr: () => {},
  });
  return module;
}

export async function createGliolens() {
  return new Gliolens(await loadCoreModule());
}
