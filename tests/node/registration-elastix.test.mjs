// Our affine registration against Debian's elastix (the native reference) on a real clinical study: TCGA-FG-6692's
// T1c (0.9 x 0.9 x 5.5 mm, not registered), stripped by its reference brain mask, onto the SRI24 T1 template. Both
// mappings of the template's brain voxels (every third voxel along each axis) must agree within 1.5 mm on average.
// elastix maps points through transformix, so its conventions (LPS, centres, composition) need no re-implementing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';

import { createGliolens } from '../../wasm/node.mjs';
import { readNifti1 } from '../support/nifti.mjs';
import { projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';

const raw = join(sharedData, 'raw', 'TCGA-FG-6692');
const template = join(sharedData, 'atlas', 'sri24', 'sri24_t1_brain.nii.gz');
const t1c = join(raw, 't1c.nii.gz');
const mask = join(raw, 't1c_brain_mask_reference.nii.gz');
const parameters = join(projectRoot, 'tests', 'node', 'elastix');

const elastixPresent = spawnSync('elastix', ['--version'], { encoding: 'utf8' }).status === 0;
const skip = skipWithoutSharedData(template, t1c, mask) ||
  (elastixPresent ? false : 'elastix is not installed (apt-get install elastix; scripts/setup installs it where it can): skipped');

// `image` (gzipped NIfTI-1) with its voxels outside `maskPath` (same grid) set to 0, written to `out` without the core.
function stripped(image, maskPath, out) {
  const bytes = gunzipSync(readFileSync(image));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const m = readNifti1(maskPath);
  const size = { 2: 1, 4: 2, 16: 4 }[view.getInt16(70, true)];
  if (view.getInt32(0, true) !== 348 || !size) throw new Error(`${image}: not a little-endian uint8/int16/float32 NIfTI-1`);
  const start = view.getFloat32(108, true);
  if ((bytes.byteLength - start) / size < m.data.length) throw new Error(`${maskPath}: not on the grid of ${image}`);
  m.data.forEach((v, n) => {
    if (v === 0) for (let b = 0; b < size; b++) bytes[start + n * size + b] = 0;
  });
  writeFileSync(out, gzipSync(bytes));
  return out;
}

test('TCGA-FG-6692 T1c affinely onto SRI24: ours agrees with elastix within 1.5 mm over the template brain', { skip, timeout: 180_000 }, async (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'gliolens-elastix-'));
  const moving = stripped(t1c, mask, join(scratch, 't1c_brain.nii.gz'));

  let started = performance.now();
  const elastix = spawnSync('elastix', ['-f', template, '-m', moving, '-p', join(parameters, 'rigid.txt'), '-p', join(parameters, 'affine.txt'),
    '-out', scratch], { encoding: 'utf8' });
  const elastixSeconds = (performance.now() - started) / 1000;
  assert.equal(elastix.status, 0, elastix.stdout.slice(-2000));

  // The template's brain voxels, every third along each axis, mapped by elastix (transformix: index in, LPS mm out).
  const tpl = readNifti1(template);
  const [ni, nj, nk] = tpl.dims;
  const voxels = [];
  for (let k = 0; k < nk; k += 3)
    for (let j = 0; j < nj; j += 3)
      for (let i = 0; i < ni; i += 3) if (tpl.data[i + ni * (j + nj * k)] !== 0) voxels.push([i, j, k]);
  writeFileSync(join(scratch, 'points.txt'), `index\n${voxels.length}\n${voxels.map((v) => v.join(' ')).join('\n')}\n`);
  const transformix = spawnSync('transformix', ['-def', join(scratch, 'points.txt'), '-out', scratch, '-tp', join(scratch, 'TransformParameters.1.txt')], { encoding: 'utf8' });
  assert.equal(transformix.status, 0, transformix.stdout.slice(-2000));
  const theirs = [...readFileSync(join(scratch, 'outputpoints.txt'), 'utf8').matchAll(/OutputPoint = \[ ([^\]]*)\]/g)]
    .map((m) => m[1].trim().split(/\s+/).map(Number))
    .map(([x, y, z]) => [-x, -y, z]); // LPS -> RAS
  assert.equal(theirs.length, voxels.length);

  const core = await createGliolens();
  const fixed = core.load(template);
  const t1cId = core.load(t1c).id;
  const maskId = core.load(mask).id;
  started = performance.now();
  const ours = core.register(fixed.id, t1cId, { affine: true, init: 'moments', movingMaskId: maskId });
  const oursSeconds = (performance.now() - started) / 1000;

  const a = tpl.srow;
  const m = ours.matrix;
  let sum = 0;
  let max = 0;
  voxels.forEach(([i, j, k], n) => {
    const x = [0, 1, 2].map((r) => a[r][0] * i + a[r][1] * j + a[r][2] * k + a[r][3]);
    const y = [0, 1, 2].map((r) => m[r][0] * x[0] + m[r][1] * x[1] + m[r][2] * x[2] + m[r][3]);
    const d = Math.hypot(y[0] - theirs[n][0], y[1] - theirs[n][1], y[2] - theirs[n][2]);
    sum += d;
    max = Math.max(max, d);
  });
  const mean = sum / voxels.length;
  t.diagnostic(`${voxels.length} template brain points: mean distance ${mean.toFixed(3)} mm (max ${max.toFixed(2)}) between ours and elastix's; ` +
    `ours ${oursSeconds.toFixed(1)} s (WASM, ${ours.iterations} iterations, NMI ${ours.normalizedMutualInformation.toFixed(3)}), elastix ${elastixSeconds.toFixed(1)} s (native)`);
  assert.ok(mean < 1.5, `mean distance ${mean} mm`);
  assert.deepEqual(ours.warnings, []);
});
