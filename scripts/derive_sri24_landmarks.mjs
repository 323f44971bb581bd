// Derives the two SRI24 landmarks that core/descriptors/sri24_landmarks.hpp commits as numbers (the atlas itself,
// CC BY-SA, stays out of the repository): the midsagittal plane and the lateral ventricles' centre, in the world
// space of the BraTS/TCGA masks. Usage: node scripts/derive_sri24_landmarks.mjs [SRI24_DIR]
// (default ../shared/data/atlas/sri24). Prints the numbers and how each was found.
import { join, resolve } from 'node:path';

import { createGliolens } from '../wasm/node.mjs';

const atlasDir = resolve(process.argv[2] ?? join(import.meta.dirname, '..', '..', 'shared', 'data', 'atlas', 'sri24'));
const core = await createGliolens();
const t1 = core.readVolume(join(atlasDir, 'sri24_t1_brain.nii.gz'));
const [nx, ny, nz] = t1.grid.dims;
const a = t1.grid.affine;
const voxel = (i, j, k) => i + nx * (j + ny * k);
const world = (i, j, k) => [0, 1, 2].map((r) => a[r][0] * i + a[r][1] * j + a[r][2] * k + a[r][3]);
if (a[0][1] || a[0][2] || a[1][0] || a[1][2] || a[2][0] || a[2][1]) throw new Error('expected an axis-aligned template');

// 1. Midline: the plane x = const about which the skull-stripped brain (non-zero voxels) best overlaps its own mirror
// image, searched in half-voxel steps; the same plane in the upper/lower and front/back halves bounds any tilt.
function mirrorOverlap(centre2, kRange = [0, nz], jRange = [0, ny]) {
  let brain = 0, both = 0;
  for (let k = kRange[0]; k < kRange[1]; k++)
    for (let j = jRange[0]; j < jRange[1]; j++)
      for (let i = 0; i < nx; i++) {
        const mirrored = centre2 - i;
        if (mirrored < 0 || mirrored >= nx) continue;
        const inside = t1.data[voxel(i, j, k)] > 0;
        brain += inside;
        both += inside && t1.data[voxel(mirrored, j, k)] > 0;
      }
  return both / brain;
}
function bestPlane(...ranges) {
  let best = { i: NaN, overlap: -1 };
  for (let centre2 = 2 * 100; centre2 <= 2 * 140; centre2++) {
    const overlap = mirrorOverlap(centre2, ...ranges);
    if (overlap > best.overlap) best = { i: centre2 / 2, overlap };
  }
  return { ...best, x: world(best.i, 0, 0)[0] };
}
const midline = bestPlane();
console.log(`midline: voxel i = ${midline.i}, world x = ${midline.x} mm (brain/mirror overlap ${midline.overlap.toFixed(4)})`);
for (const [name, ranges] of [['inferior half', [[0, nz >> 1]]], ['superior half', [[nz >> 1, nz]]],
  ['j < ny/2', [[0, nz], [0, ny >> 1]]], ['j >= ny/2', [[0, nz], [ny >> 1, ny]]]]) {
  const p = bestPlane(...ranges);
  console.log(`  ${name}: x = ${p.x} mm (overlap ${p.overlap.toFixed(4)})`);
}

// 2. Lateral ventricles: CSF is the darkest tissue of the T1 template. Voxels darker than `threshold` within a box
// around the brain's centre (40 mm either side of the midline, 60 mm front/back, 45 mm up/down) form 6-connected
// components; the largest one of more than 5 mL whose centroid lies more than 5 mm left of the midline, and the
// largest such right of it, are the left and right lateral ventricles (each lies ~12 mm off the midline; a dark
// component centred on the midline is the third ventricle and the cisterns below, which join a lateral ventricle
// above some threshold); their union's centroid is the ventricles' centre. Several thresholds show how stable it is.
let sum = [0, 0, 0], count = 0;
for (let n = 0; n < t1.data.length; n++) if (t1.data[n] > 0) {
  const i = n % nx, j = Math.floor(n / nx) % ny, k = Math.floor(n / (nx * ny));
  world(i, j, k).forEach((w, d) => (sum[d] += w));
  count++;
}
const brainCentre = sum.map((s) => s / count);
console.log(`brain centroid: ${brainCentre.map((v) => v.toFixed(2)).join(', ')} mm`);
const halfBox = [40, 60, 45];
function darkComponents(threshold) {
  const label = new Int32Array(t1.data.length);
  const inBox = (i, j, k) => world(i, j, k).every((w, d) => Math.abs(w - (d === 0 ? midline.x : brainCentre[d])) <= halfBox[d]);
  const dark = (n) => t1.data[n] > 0 && t1.data[n] < threshold;
  const components = [];
  for (let k = 0; k < nz; k++) for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) {
    const seed = voxel(i, j, k);
    if (label[seed] || !dark(seed) || !inBox(i, j, k)) continue;
    const id = components.length + 1;
    const stack = [seed];
    label[seed] = id;
    const c = { voxels: 0, sum: [0, 0, 0] };
    while (stack.length) {
      const v = stack.pop();
      const vi = v % nx, vj = Math.floor(v / nx) % ny, vk = Math.floor(v / (nx * ny));
      c.voxels++;
      world(vi, vj, vk).forEach((w, d) => (c.sum[d] += w));
      for (const [di, dj, dk] of [[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]]) {
        const [pi, pj, pk] = [vi + di, vj + dj, vk + dk];
        if (pi < 0 || pj < 0 || pk < 0 || pi >= nx || pj >= ny || pk >= nz) continue;
        const w = voxel(pi, pj, pk);
        if (!label[w] && dark(w) && inBox(pi, pj, pk)) { label[w] = id; stack.push(w); }
      }
    }
    components.push({ ...c, centroid: c.sum.map((s) => s / c.voxels) });
  }
  return components.sort((p, q) => q.voxels - p.voxels);
}
const mlPerVoxel = Math.abs(a[0][0] * a[1][1] * a[2][2]) / 1000;
for (const threshold of [220, 230, 240, 250]) {
  const big = darkComponents(threshold).filter((c) => c.voxels * mlPerVoxel > 5);
  const left = big.find((c) => c.centroid[0] < midline.x - 5), right = big.find((c) => c.centroid[0] > midline.x + 5);
  if (!left || !right) { console.log(`threshold ${threshold}: no left/right pair (the ventricles merge with other CSF)`); continue; }
  const n = left.voxels + right.voxels;
  const centre = [0, 1, 2].map((d) => (left.sum[d] + right.sum[d]) / n);
  console.log(`threshold ${threshold}: left ${(left.voxels * mlPerVoxel).toFixed(1)} mL at x ${left.centroid[0].toFixed(1)}, ` +
    `right ${(right.voxels * mlPerVoxel).toFixed(1)} mL at x ${right.centroid[0].toFixed(1)}; centre ${centre.map((v) => v.toFixed(1)).join(', ')} mm`);
}
