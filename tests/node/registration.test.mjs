// Registration through the WASM core (core/registration, docs/registration.md): a shared BraTS T1 moved by seeded
// random rigid transforms (up to 10 degrees about each axis, 10 mm along each), re-sliced to 1 x 1 x 5 mm, and
// registered back onto the case's T1c (two contrasts: mutual information); and `gliolens register` as a user runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { parseTransformText } from '../../cli/transform-text.mjs';
import { seededRandom } from '../../models/common/seeded_random.mjs';
import { createGliolens } from '../../wasm/node.mjs';
import { bratsCase, projectRoot, skipWithoutSharedData } from '../support/paths.mjs';

const brats = bratsCase();
const scratch = mkdtempSync(join(tmpdir(), 'gliolens-register-test-'));

const multiply = (a, b) => a.map((row) => b[0].map((_, c) => row.reduce((s, v, k) => s + v * b[k][c], 0)));

function rigid([rx, ry, rz], t) {
  const [cx, sx, cy, sy, cz, sz] = [Math.cos(rx), Math.sin(rx), Math.cos(ry), Math.sin(ry), Math.cos(rz), Math.sin(rz)];
  const x = [[1, 0, 0], [0, cx, -sx], [0, sx, cx]];
  const y = [[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]];
  const z = [[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]];
  const r = multiply(z, multiply(y, x));
  return [[...r[0], t[0]], [...r[1], t[1]], [...r[2], t[2]], [0, 0, 0, 1]];
}

// Mean distance (mm) that `matrix` moves the non-zero voxels of `image` ({grid: {dims, affine}, data}).
function meanDisplacement(image, matrix) {
  const [ni, nj, nk] = image.grid.dims;
  const m = multiply(matrix, image.grid.affine);
  const a = image.grid.affine;
  let sum = 0;
  let n = 0;
  for (let k = 0, idx = 0; k < nk; k++)
    for (let j = 0; j < nj; j++)
      for (let i = 0; i < ni; i++, idx++) {
        if (image.data[idx] === 0) continue;
        let d2 = 0;
        for (let r = 0; r < 3; r++) {
          const moved = m[r][0] * i + m[r][1] * j + m[r][2] * k + m[r][3];
          const here = a[r][0] * i + a[r][1] * j + a[r][2] * k + a[r][3];
          d2 += (moved - here) ** 2;
        }
        sum += Math.sqrt(d2);
        n++;
      }
  return sum / n;
}

function gliolens(...args) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], { encoding: 'utf8' });
  return { ...result, json: result.status === 0 ? JSON.parse(result.stdout) : null };
}

describe('registration on a shared BraTS case', { skip: skipWithoutSharedData(brats.files.t1, brats.files.t1ce) }, () => {
  test('a T1 moved by 3 random rigid transforms and re-sliced to 5 mm is registered back onto the T1c within 1 mm', async (t) => {
    const core = await createGliolens();
    const fixed = core.load(brats.files.t1ce);
    const t1 = core.load(brats.files.t1);
    const fixedImage = core.readVolume(brats.files.t1ce);
    const random = seededRandom(29);  // the same transforms on every run and machine
    const uniform = () => 2 * random() - 1;
    const degrees = Math.PI / 180;
    for (let n = 0; n < 3; n++) {
      const q = rigid([10 * degrees * uniform(), 10 * degrees * uniform(), 10 * degrees * uniform()], [10 * uniform(), 10 * uniform(), 10 * uniform()]);
      // moving(y) = T1(q(y)) on a 1 x 1 x 5 mm grid: the registration should find q's inverse.
      const moving = core.resampleThrough(t1.id, t1.id, q, { spacing: [1, 1, 5] });
      const started = performance.now();
      const result = core.register(fixed.id, moving);
      const seconds = (performance.now() - started) / 1000;
      // q after the result is the identity when the result is q's inverse; q is rigid, so this is the error in place.
      const error = meanDisplacement(fixedImage, multiply(q, result.matrix));
      const start = meanDisplacement(fixedImage, q);
      t.diagnostic(`transform ${n + 1}: ${start.toFixed(1)} mm apart at the start, mean error ${error.toFixed(3)} mm over the brain, ` +
        `${result.iterations} iterations, NMI ${result.normalizedMutualInformation.toFixed(3)}, ${seconds.toFixed(1)} s`);
      assert.ok(error < 1, `transform ${n + 1}: mean error ${error} mm`);
      assert.equal(result.converged, true);
      assert.deepEqual(result.warnings, []);
      assert.ok(result.mutualInformation > result.initialMutualInformation);
      core.release(moving);
    }
  });

  test('gliolens register: FLAIR onto T1c writes the transform and the resampled image', async () => {
    const transform = join(scratch, 'flair_to_t1ce.txt');
    const out = join(scratch, 'flair_on_t1ce.nii.gz');
    const { status, json, stderr } = gliolens('register', '--fixed', brats.files.t1ce, '--moving', brats.files.flair,
      '--out-transform', transform, '--out', out, '--levels', '4,2');
    assert.equal(status, 0, stderr);
    const matrix = parseTransformText(readFileSync(transform, 'utf8'), transform);
    matrix.flat().forEach((v, i) => assert.ok(Math.abs(v - json.matrix.flat()[i]) < 1e-12));
    // BraTS sequences are co-registered already: the transform is nearly the identity.
    const fixedImage = (await createGliolens()).readVolume(brats.files.t1ce);
    assert.ok(meanDisplacement(fixedImage, matrix) < 1.5, 'FLAIR onto T1c should be close to the identity');
    assert.equal(json.kind, 'rigid');
    assert.ok(json.normalizedMutualInformation > 1);
    const written = gliolens('info', out);
    assert.equal(written.status, 0, written.stderr);
    assert.deepEqual(written.json.dims, fixedImage.grid.dims);
    written.json.affine.flat().forEach((v, i) => assert.ok(Math.abs(v - fixedImage.grid.affine.flat()[i]) < 1e-6));
  });
});

test('gliolens register: a missing file or option is a clear error', () => {
  const missing = join(scratch, 'nope.nii.gz');
  const r = gliolens('register', '--fixed', missing, '--moving', missing, '--out-transform', join(scratch, 't.txt'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /nope\.nii\.gz/);
  const usage = gliolens('register', '--fixed', missing);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--moving are required/);
});
