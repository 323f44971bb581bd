import assert from 'node:assert/strict';
import { test } from 'node:test';

import { flairModelName, flairValidationSummary } from '../../web/src/flair-model.js';

// A manifest as models/flair_seg/training/make_manifest.py writes it (validation.cross_validated: folds and, per
// source, evaluate.py's summary).
const manifest = {
  name: 'flair_abnormality_2d',
  version: '1.0.0',
  validation: {
    cross_validated: {
      folds: 5,
      lgg_flair: { patients: 64, mean_dice: 0.8612, median_dice: 0.89, min_dice: 0.41, mean_dice_without_postprocess: 0.85 },
      brats2018: { patients: 14, mean_dice: 0.8755, median_dice: 0.88, min_dice: 0.77, mean_dice_without_postprocess: 0.87 },
      all: { patients: 78, mean_dice: 0.8638 },
    },
  },
};

test('the FLAIR-only model named, with its cross-validated Dice per source', () => {
  assert.equal(flairModelName(manifest), 'flair_abnormality_2d 1.0.0');
  assert.equal(flairValidationSummary(manifest), 'cross-validated Dice 0.86 (lgg_flair, 64 patients), 0.88 (brats2018, 14 patients), 5 folds');
});

test('a cross-validation under way says how many of its folds the Dice covers', () => {
  const partial = structuredClone(manifest);
  partial.validation.cross_validated.folds_scored = [0, 1];
  partial.validation.cross_validated.lgg_flair.patients = 26;
  partial.validation.cross_validated.brats2018.patients = 6;
  assert.equal(flairValidationSummary(partial),
    'cross-validated Dice 0.86 (lgg_flair, 26 patients), 0.88 (brats2018, 6 patients), 2 of 5 folds scored so far');
});

test('no validation section, no Dice claimed', () => {
  assert.equal(flairValidationSummary({ name: 'x', version: '0.0.1' }), '');
  assert.equal(flairValidationSummary({ validation: { cross_validated: { folds: 5 } } }), '');
});
