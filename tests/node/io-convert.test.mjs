// `gliolens convert`, run as a user runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { nibabelAvailable, nibabelHeader } from '../support/nibabel.mjs';
import { readNifti1 } from '../support/nifti.mjs';
import { bratsCase, projectRoot, skipWithoutSharedData } from '../support/paths.mjs';

const brats = bratsCase();
const scratch = mkdtempSync(join(tmpdir(), 'gliolens-convert-test-'));

function gliolens(...args) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], { encoding: 'utf8' });
  return { ...result, json: result.status === 0 ? JSON.parse(result.stdout) : null };
}

const demo = gliolens('demo', join(scratch, 'demo')).json.files;
const demoFile = (role) => demo.find((f) => f.role === role).path;

test('convert keeps everything by default: same dims, datatype, affine', () => {
  const out = join(scratch, 'copy.nii');
  const { status, json } = gliolens('convert', demoFile('t1'), out);
  assert.equal(status, 0);
  assert.deepEqual(json.output.dims, json.input.dims);
  assert.equal(json.output.datatype, 'INT16');
  assert.deepEqual(json.output.affine, json.input.affine);
  const a = readNifti1(demoFile('t1')), b = readNifti1(out);
  assert.deepEqual(Array.from(b.data), Array.from(a.data));
});

test('--resample with nearest keeps the labels of a segmentation', () => {
  const out = join(scratch, 'seg_15.nii.gz');
  const { status, json } = gliolens('convert', demoFile('seg'), out, '--resample', '1.5,1.5,1.5', '--interp', 'nearest');
  assert.equal(status, 0, json ? '' : 'failed');
  json.output.spacing.forEach((s) => assert.ok(Math.abs(s - 1.5) < 1e-9));
  assert.equal(json.output.datatype, 'UINT8');
  const seg = readNifti1(out);
  assert.deepEqual([...new Set(seg.data)].sort(), [0, 1, 2, 4]);
});

test('--resample linear writes float32; --normalize zscore gives mean 0 in the brain', () => {
  const out = join(scratch, 't1_norm.nii');
  const { status, json } = gliolens('convert', demoFile('t1'), out, '--resample', '2,2,2', '--interp', 'linear', '--normalize', 'zscore');
  assert.equal(status, 0);
  assert.equal(json.output.datatype, 'FLOAT32');
  const { data } = readNifti1(out);
  let n = 0, sum = 0, sum2 = 0;
  for (const v of data) if (v !== 0) { n++; sum += v; sum2 += v * v; }
  assert.ok(Math.abs(sum / n) < 1e-3);
  assert.ok(Math.abs(sum2 / n - 1) < 1e-2);
});

describe('convert on a shared BraTS image', { skip: skipWithoutSharedData(brats.files.t1) }, () => {
  test('--reorient RAS --resample 2,2,2 --interp bspline: RAS, IBSI grid size, read by nibabel', () => {
    const out = join(scratch, 'brats_ras_2mm.nii.gz');
    const { status, json, stderr } = gliolens('convert', brats.files.t1, out, '--reorient', 'RAS', '--resample', '2,2,2', '--interp', 'bspline');
    assert.equal(status, 0, stderr);
    assert.equal(json.input.orientation, 'LPS');
    assert.equal(json.output.orientation, 'RAS');
    assert.deepEqual(json.output.dims, [120, 120, 78]);
    if (nibabelAvailable()) {
      const theirs = nibabelHeader(out);
      assert.equal(theirs.axcodes, 'RAS');
      assert.deepEqual(theirs.shape, [120, 120, 78]);
      theirs.zooms.forEach((z) => assert.ok(Math.abs(z - 2) < 1e-6));
      // Centre-aligned grid: the world centre of the image stays where it was.
      const centre = (a, dims) => [0, 1, 2].map((r) => a[r][0] * (dims[0] - 1) / 2 + a[r][1] * (dims[1] - 1) / 2 + a[r][2] * (dims[2] - 1) / 2 + a[r][3]);
      const before = centre(json.input.affine, json.input.dims);
      centre(theirs.affine, theirs.shape).forEach((c, i) => assert.ok(Math.abs(c - before[i]) < 1e-4));
    }
  });
});

test('errors: usage problems exit 2, bad files exit 1 naming the file', () => {
  const input = demoFile('t1');
  const usage = [
    ['convert', input],
    ['convert', input, join(scratch, 'x.png')],
    ['convert', input, join(scratch, 'x.nii'), '--reorient', 'RAX'],
    ['convert', input, join(scratch, 'x.nii'), '--resample', '1,1'],
    ['convert', input, join(scratch, 'x.nii'), '--resample', '1,0,1'],
    ['convert', input, join(scratch, 'x.nii'), '--resample', '1,1,1', '--interp', 'cubic'],
    ['convert', input, join(scratch, 'x.nii'), '--interp', 'linear'],
    ['convert', input, join(scratch, 'x.nii'), '--volume', '-1'],
  ];
  for (const args of usage) {
    const { status, stderr } = gliolens(...args);
    assert.equal(status, 2, args.join(' '));
    assert.match(stderr, /^gliolens convert: /);
  }
  const broken = join(scratch, 'broken.nii.gz');
  writeFileSync(broken, Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
  const bad = gliolens('convert', broken, join(scratch, 'y.nii'));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /broken\.nii\.gz: (corrupt|truncated)/);
  const missing = gliolens('convert', join(scratch, 'nope.nii'), join(scratch, 'y.nii'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /nope\.nii: file not found/);
  const volume = gliolens('convert', input, join(scratch, 'y.nii'), '--volume', '3');
  assert.equal(volume.status, 1);
  assert.match(volume.stderr, /volume 3 requested, file has 1/);
});

test('compareGrids: files of one case share a grid; a resampled one does not, and is named', async () => {
  const { createGliolens } = await import('../../wasm/node.mjs');
  const core = await createGliolens();
  assert.deepEqual(core.compareGrids([demoFile('t1'), demoFile('t2'), demoFile('seg')]), { same: true, difference: '' });
  const moved = join(scratch, 't2_2mm.nii.gz');
  core.convert(demoFile('t2'), moved, { spacing: [2, 2, 2], interp: 'linear' });
  const result = core.compareGrids([demoFile('t1'), moved]);
  assert.equal(result.same, false);
  assert.match(result.difference, /t2_2mm\.nii\.gz: dimensions 160x192x144 vs 80x96x72/);
  assert.throws(() => core.compareGrids([demoFile('t1'), join(scratch, 'absent.nii')]), /absent\.nii: file not found/);
});
