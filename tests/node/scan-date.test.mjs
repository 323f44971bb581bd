import assert from 'node:assert/strict';
import { test } from 'node:test';

import { dateInName } from '../../web/src/scan-date.js';

test('a scan date in a file name, YYYYMMDD or YYYY-MM-DD', () => {
  assert.equal(dateInName('TCGA_CS_4942_19970222_flair.nii.gz'), '1997-02-22');
  assert.equal(dateInName('sub-01_ses-2019-03-01_FLAIR.nii'), '2019-03-01');
  assert.equal(dateInName('followup_20240229.nii.gz'), '2024-02-29');
});

test('no date where the digits are not one', () => {
  assert.equal(dateInName('Brats18_2013_11_1_seg.nii.gz'), null, 'underscores do not join a date');
  assert.equal(dateInName('Brats18_CBICA_ABM_1_flair.nii.gz'), null);
  assert.equal(dateInName('scan_20230230.nii.gz'), null, 'no 30 February');
  assert.equal(dateInName('scan_2023-1231.nii.gz'), null, 'one separator style per date');
  assert.equal(dateInName('id_1199702221.nii.gz'), null, 'not inside a longer number');
  assert.equal(dateInName('scan_18991231.nii.gz'), null, 'before 1900');
  assert.equal(dateInName('scan_20231301_20230105.nii.gz'), '2023-01-05', 'the first real date');
});
