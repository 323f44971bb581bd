// The filtered image types in the WASM core, through `gliolens features`: brain1's LoG (PyRadiomics mode, ITK's
// recursive filter) and wavelet sub-bands against the references in tests/reference/filters (the same numbers the
// native Catch2 test checks). Tolerance 1e-6 relative, the floor being the filtered image's RMS within the ROI for
// location statistics, 1 for skewness and kurtosis, 0 for energy.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';

const pyrad = join(sharedData, 'radiomics', 'pyradiomics');
const refDir = join(projectRoot, 'tests', 'reference', 'filters');
const scratch = mkdtempSync(join(tmpdir(), 'gliolens-filters-test-'));

function referenceRows(file) {
  const [, ...lines] = readFileSync(join(refDir, file), 'utf8').trim().split('\n');
  return lines.map((l) => { const [name, value] = l.split(','); return [name, Number(value)]; });
}

function check(ours, rows) {
  const prefix = (name) => name.slice(0, name.indexOf('_firstorder'));
  const rms = new Map(rows.filter(([n]) => n.endsWith('_RootMeanSquared')).map(([n, v]) => [prefix(n), v]));
  const bad = [];
  for (const [name, want] of rows) {
    const floor = /Skewness|Kurtosis/.test(name) ? 1 : name.endsWith('_Energy') ? 0 : rms.get(prefix(name));
    const got = ours.get(name);
    if (!(Math.abs(got - want) <= 1e-6 * Math.max(Math.abs(want), floor))) bad.push(`${name}: reference ${want}, got ${got}`);
  }
  assert.deepEqual(bad, []);
}

describe('filtered image types on brain1 (WASM)', { skip: skipWithoutSharedData(join(pyrad, 'brain1_image.nii.gz')) }, () => {
  const params = join(scratch, 'filters.yaml');
  writeFileSync(params, 'imageType:\n  LoG: {sigma: [0.5, 1.0, 3.0, 5.0]}\n  Wavelet: {}\nfeatureClass:\n  firstorder:\n');
  const r = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), 'features',
    '--image', join(pyrad, 'brain1_image.nii.gz'), '--mask', join(pyrad, 'brain1_label.nii.gz'),
    '--params', params, '--format', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ours = r.status === 0 ? new Map(JSON.parse(r.stdout).features.map((f) => [f.name, f.value])) : new Map();

  test('the CLI runs', () => assert.equal(r.status, 0, r.stderr));
  test('LoG (PyRadiomics mode) equals ITK\'s LaplacianRecursiveGaussianImageFilter: 60 first-order values', () =>
    check(ours, referenceRows('log_itk_brain1.csv')));
  test('the eight wavelet sub-bands equal PyWavelets in PyRadiomics\' convention: 120 first-order values', () =>
    check(ours, referenceRows('wavelet_brain1.csv')));
});
