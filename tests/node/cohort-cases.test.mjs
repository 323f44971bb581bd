// The cohort panel's reading of a folder (web/src/cohort-cases.js): files grouped into cases by subfolder or BIDS
// subject and session, roles from the names, paths relative to the folder chosen, what a case misses or repeats.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { TABLE_COLUMNS, cohortOf } from '../../web/src/cohort-cases.js';

const entries = (...paths) => paths.map((path) => ({ path, file: { name: path.split('/').pop() } }));
const summary = (cohort) => cohort.cases.map((k) => ({ id: k.id, cells: k.cells, missing: k.missing }));

test('a folder of BraTS case folders: one case a subfolder, paths relative to the folder, ids in number order', () => {
  const cohort = cohortOf(entries(
    'cohort/Brats18_2013_11_1/Brats18_2013_11_1_t1.nii.gz', 'cohort/Brats18_2013_11_1/Brats18_2013_11_1_t1ce.nii.gz',
    'cohort/Brats18_2013_11_1/Brats18_2013_11_1_t2.nii.gz', 'cohort/Brats18_2013_11_1/Brats18_2013_11_1_flair.nii.gz',
    'cohort/Brats18_2013_11_1/Brats18_2013_11_1_seg.nii.gz', 'cohort/Brats18_2013_3_1/Brats18_2013_3_1_flair.nii.gz',
    'cohort/cases.csv', 'cohort/Brats18_2013_3_1/notes.txt',
  ));
  assert.equal(cohort.folder, 'cohort');
  assert.deepEqual(cohort.ignored, ['cohort/cases.csv', 'cohort/Brats18_2013_3_1/notes.txt']);
  assert.deepEqual(TABLE_COLUMNS, ['id', 't1', 't1ce', 't2', 'flair', 'seg']);
  assert.deepEqual(summary(cohort), [
    { id: 'Brats18_2013_3_1', cells: { id: 'Brats18_2013_3_1', t1: '', t1ce: '', t2: '', flair: 'Brats18_2013_3_1/Brats18_2013_3_1_flair.nii.gz', seg: '' }, missing: ['t1', 't1ce', 't2', 'seg'] },
    { id: 'Brats18_2013_11_1', cells: {
      id: 'Brats18_2013_11_1', t1: 'Brats18_2013_11_1/Brats18_2013_11_1_t1.nii.gz', t1ce: 'Brats18_2013_11_1/Brats18_2013_11_1_t1ce.nii.gz',
      t2: 'Brats18_2013_11_1/Brats18_2013_11_1_t2.nii.gz', flair: 'Brats18_2013_11_1/Brats18_2013_11_1_flair.nii.gz', seg: 'Brats18_2013_11_1/Brats18_2013_11_1_seg.nii.gz',
    }, missing: [] },
  ]);
  assert.equal(cohort.cases[1].files.t1ce.file.name, 'Brats18_2013_11_1_t1ce.nii.gz');
});

test('BIDS: a case per subject and session, wherever the file lies (derivatives too)', () => {
  const cohort = cohortOf(entries(
    'study/sub-01/ses-1/anat/sub-01_ses-1_T1w.nii.gz', 'study/sub-01/ses-1/anat/sub-01_ses-1_ce-gd_T1w.nii.gz',
    'study/sub-01/ses-1/anat/sub-01_ses-1_T2w.nii.gz', 'study/sub-01/ses-1/anat/sub-01_ses-1_FLAIR.nii.gz',
    'study/sub-01/ses-2/anat/sub-01_ses-2_T1c.nii.gz', 'study/sub-01/ses-1/anat/sub-01_ses-1_T1w.json',
    'study/derivatives/tumour/sub-01/ses-1/anat/sub-01_ses-1_desc-tumor_dseg.nii.gz',
    'study/sub-02/anat/sub-02_T1w.nii.gz', 'study/sub-02/anat/sub-02_mask.nii.gz', 'study/sub-02/anat/sub-02_desc-brain_mask.nii.gz',
  ));
  const [ses1, ses2, sub2] = cohort.cases;
  assert.deepEqual(cohort.cases.map((k) => k.id), ['sub-01_ses-1', 'sub-01_ses-2', 'sub-02']);
  assert.deepEqual(ses1.cells, {
    id: 'sub-01_ses-1', t1: 'sub-01/ses-1/anat/sub-01_ses-1_T1w.nii.gz', t1ce: 'sub-01/ses-1/anat/sub-01_ses-1_ce-gd_T1w.nii.gz',
    t2: 'sub-01/ses-1/anat/sub-01_ses-1_T2w.nii.gz', flair: 'sub-01/ses-1/anat/sub-01_ses-1_FLAIR.nii.gz',
    seg: 'derivatives/tumour/sub-01/ses-1/anat/sub-01_ses-1_desc-tumor_dseg.nii.gz',
  });
  assert.deepEqual(ses2.missing, ['t1', 't2', 'flair', 'seg']);
  assert.equal(ses2.cells.t1ce, 'sub-01/ses-2/anat/sub-01_ses-2_T1c.nii.gz');
  // Two masks: neither is taken, the case says so (and fails when run).
  assert.deepEqual(sub2.duplicates, [{ column: 'seg', paths: ['sub-02/anat/sub-02_mask.nii.gz', 'sub-02/anat/sub-02_desc-brain_mask.nii.gz'] }]);
  assert.equal(sub2.cells.seg, '');
});

test('one case folder, or loose files, make one case; a name without a role is listed, not guessed', () => {
  const single = cohortOf(entries('Brats18_2013_3_1/Brats18_2013_3_1_t1.nii.gz', 'Brats18_2013_3_1/scan.nii.gz'));
  assert.deepEqual(single.cases.map((k) => [k.id, k.cells.t1, k.unrecognised]), [['Brats18_2013_3_1', 'Brats18_2013_3_1_t1.nii.gz', ['scan.nii.gz']]]);
  const loose = cohortOf(entries('a_t1.nii.gz', 'a_seg.nii.gz'));
  assert.equal(loose.folder, '');
  assert.deepEqual(loose.cases.map((k) => [k.id, k.cells.seg]), [['case', 'a_seg.nii.gz']]);
});
