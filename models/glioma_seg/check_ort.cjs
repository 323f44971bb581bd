// Compare ONNX Runtime (onnxruntime-node and onnxruntime-web WASM, in Node) with the PyTorch reference.
// Usage (onnxruntime-node@1.30.0 installed with --ignore-scripts, and onnxruntime-web@1.30.0, resolvable
// from the current directory or NODE_PATH):
//   node models/glioma_seg/check_ort.cjs [models/glioma_seg/<model>.onnx [reference folder, default reference/]]
// Exits non-zero when a backend exceeds reference.json's tolerance.
'use strict';
const fs = require('fs');
const path = require('path');
const dir = __dirname;
const refDir = process.argv[3] || path.join(dir, 'reference');
const ref = JSON.parse(fs.readFileSync(path.join(refDir, 'reference.json'), 'utf8'));
const modelPath = process.argv[2] || path.join(dir, ref.model);
const f32 = (f) => { const b = fs.readFileSync(path.join(refDir, f)); return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4); };
const x = f32(ref.input.file);
const want = f32(ref.output.file);
const sig = (v) => 1 / (1 + Math.exp(-v));

// Optional float64 logits of the same network (experiments/fp32_error.py): each backend's error against exact arithmetic.
const exact = process.env.REF64 ? (() => { const b = fs.readFileSync(process.env.REF64); return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); })() : null;

function compare(name, got, ms) {
  let dl = 0, dp = 0, d64 = 0;
  for (let i = 0; i < want.length; i++) {
    dl = Math.max(dl, Math.abs(got[i] - want[i]));
    dp = Math.max(dp, Math.abs(sig(got[i]) - sig(want[i])));
    if (exact) d64 = Math.max(d64, Math.abs(got[i] - exact[i]));
  }
  const ok = dl <= ref.tolerance.logits_max_abs && dp <= ref.tolerance.sigmoid_max_abs;
  const vsExact = exact ? { logits_max_abs_diff_vs_fp64: d64 } : {};
  console.log(JSON.stringify({ backend: name, logits_max_abs_diff: dl, sigmoid_max_abs_diff: dp, ...vsExact, ms: Math.round(ms), ok }));
  return ok;
}

async function run(ort, name, opts) {
  const sess = await ort.InferenceSession.create(fs.readFileSync(modelPath), opts);
  const t = performance.now();
  const out = await sess.run({ input: new ort.Tensor('float32', Float32Array.from(x), ref.input.shape) });
  const ms = performance.now() - t;
  const y = out.logits;
  if (JSON.stringify(Array.from(y.dims)) !== JSON.stringify(ref.output.shape)) throw new Error(`${name}: shape ${y.dims}`);
  return compare(name, y.data, ms);
}

(async () => {
  let ok = true;
  const which = (process.env.BACKENDS || 'node,wasm').split(',');
  if (which.includes('node')) ok = (await run(require('onnxruntime-node'), 'onnxruntime-node', { intraOpNumThreads: 2 })) && ok;
  if (which.includes('wasm')) {
    const ortw = require('onnxruntime-web');
    ortw.env.wasm.numThreads = 1;
    ok = (await run(ortw, 'onnxruntime-web (wasm)', { executionProviders: ['wasm'] })) && ok;
  }
  process.exit(ok ? 0 : 1);
})().catch((e) => { console.error(e); process.exit(2); });
