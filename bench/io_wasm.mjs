// WASM side of the I/O benchmark (Node): the same pipeline as bench/io_native.cpp through the
// core's ioPreprocess binding; prints one JSON line of milliseconds per repeat.
import { createGliolens } from '../wasm/node.mjs';

const [repeats, ...files] = process.argv.slice(2);
const core = await createGliolens();
for (let r = 0; r < Number(repeats); r++) {
  const total = { load: 0, reorient: 0, resample: 0, normalize: 0 };
  for (const file of files) {
    const { times } = core.preprocess(file, { reorient: 'RAS', spacing: [1, 1, 1], interp: 'linear', normalize: 'zscore' });
    total.load += times.readMs;
    total.reorient += times.reorientMs;
    total.resample += times.resampleMs;
    total.normalize += times.normalizeMs;
  }
  console.log(JSON.stringify(Object.fromEntries(Object.entries(total).map(([k, v]) => [k, Number(v.toFixed(1))]))));
}
