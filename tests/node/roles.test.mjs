import assert from 'node:assert/strict';
import { test } from 'node:test';

import { guessRole } from '../../web/src/roles.js';

test('BraTS names give their roles', () => {
  assert.equal(guessRole('Brats18_2013_11_1_t1.nii.gz'), 't1');
  assert.equal(guessRole('Brats18_2013_11_1_t1ce.nii.gz'), 't1c');
  assert.equal(guessRole('BraTS2021_00000_t1c.nii.gz'), 't1c');
  assert.equal(guessRole('Brats18_2013_11_1_t2.nii.gz'), 't2');
  assert.equal(guessRole('Brats18_2013_11_1_flair.nii'), 'flair');
  assert.equal(guessRole('Brats18_2013_11_1_seg.nii.gz'), 'seg');
});

test('BIDS names give their roles', () => {
  assert.equal(guessRole('sub-01_ses-pre_T1w.nii.gz'), 't1');
  assert.equal(guessRole('sub-01_ses-pre_ce-gadolinium_T1w.nii.gz'), 't1c');
  assert.equal(guessRole('sub-01_T2w.nii.gz'), 't2');
  assert.equal(guessRole('sub-01_FLAIR.nii.gz'), 'flair');
  assert.equal(guessRole('sub-01_desc-tumor_dseg.nii.gz'), 'seg');
});

test('names that say nothing stay unassigned', () => {
  assert.equal(guessRole('scan.nii.gz'), '');
  assert.equal(guessRole('t1_weighted_brain.nii'), '');
  assert.equal(guessRole('patient_t12.nii.gz'), '');
});
