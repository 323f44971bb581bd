// The radiogenomic fitting code (models/radiogenomics): the cross-validation's folds and statistics, the
// orientation of a held-out AUC, and the descriptor table over a folder of real masks.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

import { seededRandom } from '../../models/common/seeded_random.mjs';
import {
  correctedResampledT, discrimination, stratifiedFolds, studentTCdf, studentTQuantile,
} from '../../models/radiogenomics/cross_validation.mjs';
import { descriptorTable } from '../../models/radiogenomics/descriptors_table.mjs';
import { createGliolens } from '../../wasm/node.mjs';

const masks = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'radiogenomics', 'tcga', 'masks');
const core = await createGliolens();

test("Student's t agrees with R's pt and qt", () => {
  // R 4: qt(0.975, 24), qt(0.975, 4), pt(-1, 3), pt(2.5, 10), qt(0.9, 7)
  assert.ok(Math.abs(studentTQuantile(0.975, 24) - 2.0638985616) < 1e-8);
  assert.ok(Math.abs(studentTQuantile(0.975, 4) - 2.7764451052) < 1e-8);
  assert.ok(Math.abs(studentTCdf(-1, 3) - 0.1955011095) < 1e-9);
  assert.ok(Math.abs(studentTCdf(2.5, 10) - 0.9842765779) < 1e-9);
  assert.ok(Math.abs(studentTQuantile(0.9, 7) - 1.4149239277) < 1e-8);
});

test('stratified folds hold every stratum evenly and are reproducible', () => {
  const strata = Array.from({ length: 137 }, (_, i) => (i < 53 ? 1 : 0));
  const folds = stratifiedFolds(strata, 5, seededRandom(7));
  assert.deepEqual(folds, stratifiedFolds(strata, 5, seededRandom(7)));
  for (let k = 0; k < 5; k++) {
    const members = folds.map((f, i) => [f, i]).filter(([f]) => f === k).map(([, i]) => strata[i]);
    const positives = members.filter((s) => s === 1).length;
    assert.ok(positives === 10 || positives === 11, `fold ${k}: ${positives} positives`);
    assert.ok(members.length === 27 || members.length === 28, `fold ${k}: ${members.length} patients`);
  }
});

test('the corrected resampled t interval widens the naive one by the training overlap', () => {
  const values = [0.8, 0.85, 0.9, 0.75, 0.82];
  const r = correctedResampledT(values, 0.2);
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - 0.824) ** 2, 0) / 4);
  assert.ok(Math.abs(r.mean - 0.824) < 1e-12);
  assert.ok(Math.abs(r.se - Math.sqrt((1 / 5 + 0.25) * sd * sd)) < 1e-12);
  assert.ok(Math.abs(r.upper - r.mean - 2.7764451052 * r.se) < 1e-7);
});

test('a held-out score that ranks backwards counts as an AUC below one half', () => {
  const spec = { kind: 'logistic', outcome: 'y' };
  const rows = [0, 0, 1, 0, 1, 1, 0, 1].map((y) => ({ y }));
  const scores = [0.9, 0.8, 0.1, 0.7, 0.3, 0.2, 0.4, 0.6];  // mostly lower for the positives
  const forwards = discrimination(core, spec, rows, scores.map((s) => -s));
  const backwards = discrimination(core, spec, rows, scores);
  assert.ok(forwards.estimate > 0.5);
  assert.ok(Math.abs(backwards.estimate - (1 - forwards.estimate)) < 1e-12);
  assert.ok(backwards.slope < 0);
});

test('the descriptor table covers every mask of a folder, one row each', { skip: !existsSync(masks) && `shared masks absent (${masks})` }, () => {
  const folder = mkdtempSync(join(tmpdir(), 'gliolens-masks-'));
  const some = readdirSync(masks).filter((f) => f.endsWith('.nii.gz')).sort().slice(0, 3);
  for (const file of some) symlinkSync(join(masks, file), join(folder, file));
  mkdirSync(join(folder, 'not-a-mask'));
  const table = descriptorTable(core, folder);
  assert.deepEqual(table.rows.map((r) => `${r.ID}.nii.gz`), some);
  for (const row of table.rows) {
    assert.ok(Number(row.WT_original_shape_MeshVolume) > 0);
    assert.ok(Number(row.original_shape_MeshVolume ?? row.WT_original_shape_VoxelVolume) > 0);
  }
});
