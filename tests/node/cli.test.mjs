// The `gliolens` command line, run as a user runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { nibabelAvailable, nibabelHeader } from '../support/nibabel.mjs';
import { countLabels, readNifti1 } from '../support/nifti.mjs';
import { bratsCase, projectRoot, skipWithoutSharedData } from '../support/paths.mjs';

const brats = bratsCase();
const scratch = mkdtempSync(join(tmpdir(), 'gliolens-cli-test-'));

function gliolens(...args) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], { encoding: 'utf8' });
  return { ...result, json: result.status === 0 ? JSON.parse(result.stdout) : null };
}

describe('gliolens info on a shared BraTS file', { skip: skipWithoutSharedData(brats.files.t1) }, () => {
  test('matches the known header values', () => {
    const { status, json } = gliolens('info', brats.files.t1);
    assert.equal(status, 0);
    assert.deepEqual(json.dims, [240, 240, 155]);
    assert.deepEqual(json.pixdim, [1, 1, 1]);
    assert.equal(json.datatype, 'INT16');
    assert.equal(json.orientation, 'LPS');
    assert.equal(json.qformCode, 2);
    assert.equal(json.sformCode, 1);
    assert.deepEqual(json.affine, [[-1, 0, 0, 0], [0, -1, 0, 239], [0, 0, 1, 0], [0, 0, 0, 1]]);
  });

  test('agrees with nibabel', { skip: nibabelAvailable() ? false : 'python3-nibabel absent' }, () => {
    for (const file of [brats.files.t1, brats.files.seg]) {
      const ours = gliolens('info', file).json;
      const theirs = nibabelHeader(file);
      assert.deepEqual(ours.dims, theirs.shape);
      assert.deepEqual(ours.pixdim, theirs.zooms);
      assert.equal(ours.orientation, theirs.axcodes);
      assert.equal(ours.datatype.toLowerCase(), theirs.dtype);
      ours.affine.flat().forEach((v, i) => assert.ok(Math.abs(v - theirs.affine.flat()[i]) < 1e-6));
    }
  });

  test('volumes of the expert labels', () => {
    const { status, json } = gliolens('volumes', brats.files.seg);
    assert.equal(status, 0);
    assert.deepEqual(json.labels.map((l) => [l.label, l.voxels]), countLabels(readNifti1(brats.files.seg)).map((l) => [l.label, l.voxels]));
  });
});

test('gliolens demo writes the phantom, marked synthetic', () => {
  const { status, json } = gliolens('demo', join(scratch, 'demo'));
  assert.equal(status, 0);
  assert.equal(json.synthetic, true);
  assert.equal(json.files.length, 5);
  const info = gliolens('info', json.files[0].path).json;
  assert.deepEqual(info.dims, [160, 192, 144]);
  assert.equal(info.orientation, 'RAS');
});

test('a bad file: one clear line naming it, exit status 1', () => {
  const bad = join(scratch, 'broken.nii');
  writeFileSync(bad, 'not a nifti file at all'.repeat(20));
  const { status, stderr, stdout } = gliolens('info', bad);
  assert.equal(status, 1);
  assert.equal(stdout, '');
  assert.match(stderr, /gliolens info: .*broken\.nii: not a NIfTI file/);
});

test('usage errors exit with status 2 and say what is wrong', () => {
  assert.equal(gliolens().status, 2);
  const unknown = gliolens('frobnicate');
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);
  const none = gliolens('info');
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no file given/);
});
