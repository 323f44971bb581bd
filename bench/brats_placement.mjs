// How far prepare's T1c -> SRI24 registration lands from where BraTS itself placed its cases (issue 29): every shared
// BraTS 2018 case is already in SRI24 space, so registering its T1c onto the template as prepare does (Mattes MI, the
// T1c's non-zero voxels as its brain, centres of mass to start) should give the identity if both place a brain alike.
// Per case: the displacement of the template's brain voxels (every 4th in each axis) under the recovered
// transform, as a mean vector and its RMS length (mm); and the Dice of the case's brain against the template's brain
// at BraTS's own placement and after our registration (which fits the template better). Rigid (prepare's default) and
// affine (`--atlas-transform affine`) side by side.
// Usage: node bench/brats_placement.mjs [--json FILE]
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedDataDir, sharedDataTemplate } from '../cli/shared-data.mjs';
import { createGliolens } from '../wasm/node.mjs';

const jsonAt = process.argv.indexOf('--json');
const jsonPath = jsonAt > 0 ? process.argv[jsonAt + 1] : null;
const templatePath = sharedDataTemplate();
const bratsDir = join(sharedDataDir(), 'brats2018');
const cases = (() => {
  try { return readdirSync(bratsDir).filter((d) => d.startsWith('Brats18_')).sort(); } catch { return []; }
})();
if (!templatePath || !cases.length) {
  console.log('skipped: the shared SRI24 template or the BraTS cases are missing (../shared/data/atlas/sri24, brats2018)');
  process.exit(0);
}

const core = await createGliolens();
const template = core.load(templatePath).id;

// World coordinates (mm) of every 4th voxel of the template's brain.
function templateBrainPoints(path, step = 4) {
  const { grid: { dims, affine }, data } = core.readVolume(path);
  const points = [];
  for (let k = 0; k < dims[2]; k += step) {
    for (let j = 0; j < dims[1]; j += step) {
      for (let i = 0; i < dims[0]; i += step) {
        if (data[i + dims[0] * (j + dims[1] * k)] === 0) continue;
        points.push(affine.slice(0, 3).map((r) => r[0] * i + r[1] * j + r[2] * k + r[3]));
      }
    }
  }
  return points;
}

function displacement(matrix, points) {
  const mean = [0, 0, 0];
  let squares = 0;
  for (const p of points) {
    const d = [0, 1, 2].map((r) => matrix[r][0] * p[0] + matrix[r][1] * p[1] + matrix[r][2] * p[2] + matrix[r][3] - p[r]);
    d.forEach((v, a) => { mean[a] += v / points.length; });
    squares += d[0] ** 2 + d[1] ** 2 + d[2] ** 2;
  }
  return { mean, rms: Math.sqrt(squares / points.length) };
}

const identity = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
function brainDice(t1c, matrix) {
  const onTemplate = core.resampleThrough(t1c, template, matrix, { interp: 'nearest' });
  try { return core.templateBrainDice(onTemplate, template); } finally { core.release(onTemplate); }
}

const points = templateBrainPoints(templatePath);
const rows = [];
const fmt = (v, n = 1) => v.toFixed(n);
console.log('| case | rigid: mean displacement x, y, z (mm) | rigid RMS mm | affine: mean x, y, z | affine RMS mm | brain Dice with the template: BraTS placement / rigid / affine |');
console.log('|---|---|---|---|---|---|');
for (const id of cases) {
  const t1c = core.load(join(bratsDir, id, `${id}_t1ce.nii.gz`)).id;
  try {
    const row = { case: id, brainDice: { brats: brainDice(t1c, identity) } };
    for (const kind of ['rigid', 'affine']) {
      // The T1c is skull-stripped: its non-zero voxels are its brain mask, as prepare's brain mask would be.
      const { matrix } = core.register(template, t1c, { affine: kind === 'affine', init: 'moments', movingMaskId: t1c });
      row[kind] = { matrix, ...displacement(matrix, points) };
      row.brainDice[kind] = brainDice(t1c, matrix);
    }
    rows.push(row);
    console.log(`| ${id.replace('Brats18_', '')} | ${row.rigid.mean.map((v) => fmt(v)).join(', ')} | ${fmt(row.rigid.rms)} | ` +
      `${row.affine.mean.map((v) => fmt(v)).join(', ')} | ${fmt(row.affine.rms)} | ` +
      `${['brats', 'rigid', 'affine'].map((k) => fmt(row.brainDice[k], 3)).join(' / ')} |`);
  } finally {
    core.release(t1c);
  }
}
const mean = (f) => rows.reduce((s, r) => s + f(r), 0) / rows.length;
for (const kind of ['rigid', 'affine']) {
  const worst = rows.reduce((a, b) => (b[kind].rms > a[kind].rms ? b : a));
  console.log(`${kind}: RMS displacement from BraTS's placement mean ${fmt(mean((r) => r[kind].rms))} mm, worst ${fmt(worst[kind].rms)} mm (${worst.case}); ` +
    `z component ${fmt(Math.min(...rows.map((r) => r[kind].mean[2])))} to ${fmt(Math.max(...rows.map((r) => r[kind].mean[2])))} mm; ` +
    `brain Dice with the template ${fmt(mean((r) => r.brainDice[kind]), 3)} against BraTS's own placement's ${fmt(mean((r) => r.brainDice.brats), 3)}`);
}
if (jsonPath) writeFileSync(jsonPath, JSON.stringify({ points: points.length, rows }, null, 1));
