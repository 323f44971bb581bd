// The registrations of a Prepare step through the WASM core under Node (bench/registration_native.cpp's steps, the
// same inputs): one JSON line per step with its milliseconds. Used by bench/registration_run.sh.
import { createGliolens } from '../wasm/node.mjs';

const [template, t1cPath, maskPath, ...othersPaths] = process.argv.slice(2);
const multiply = (a, b) => a.map((row) => b[0].map((_, c) => row.reduce((s, v, k) => s + v * b[k][c], 0)));
const core = await createGliolens();
const all = performance.now();
let t = performance.now();
const tpl = core.load(template).id;
const t1c = core.load(t1cPath).id;
const mask = core.load(maskPath).id;
const others = othersPaths.map((p) => core.load(p).id);
console.log(JSON.stringify({ step: 'read', ms: +(performance.now() - t).toFixed(1) }));
const names = ['t1', 't2', 'flair'];
const toT1c = [];
others.forEach((id, n) => {
  t = performance.now();
  const r = core.register(t1c, id);
  toT1c.push(r.matrix);
  console.log(JSON.stringify({ step: `${names[n]} rigid onto t1c`, ms: +(performance.now() - t).toFixed(1), iterations: r.iterations, nmi: +r.normalizedMutualInformation.toFixed(4), warnings: r.warnings.length }));
});
t = performance.now();
const r = core.register(tpl, t1c, { affine: true, init: 'moments', movingMaskId: mask });
console.log(JSON.stringify({ step: 't1c affine onto sri24', ms: +(performance.now() - t).toFixed(1), iterations: r.iterations, nmi: +r.normalizedMutualInformation.toFixed(4), warnings: r.warnings.length }));
t = performance.now();
core.release(core.resampleThrough(t1c, tpl, r.matrix));
others.forEach((id, n) => core.release(core.resampleThrough(id, tpl, multiply(toT1c[n], r.matrix))));
console.log(JSON.stringify({ step: 'resample 4 onto sri24', ms: +(performance.now() - t).toFixed(1) }));
console.log(JSON.stringify({ step: 'total', ms: +(performance.now() - all).toFixed(1) }));
