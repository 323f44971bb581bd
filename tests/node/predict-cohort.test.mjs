// gliolens predict on a cohort table: each row named by its id, --format csv, a bad row reported while the others
// are predicted; and, on real BraTS segmentations, a PyRadiomics-style table of whole-tumour shape features made by
// `gliolens features` (PyRadiomics' own column names, its non-numeric Image/Mask/diagnostics columns) plus an age
// column, applied to the shipped radiogenomic model, equal to the prediction from `gliolens descriptors`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';

import { csvTable } from '../../cli/csv.mjs';
import { bratsCase, bratsDir, projectRoot, skipWithoutSharedData } from '../support/paths.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'gliolens-predict-cohort-test-'));
const shippedModel = join(projectRoot, 'models', 'radiogenomics', 'idh_wt_shape_age.json');

function gliolens(...args) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { ...result, json: result.status === 0 && result.stdout.trim().match(/^[[{]/) ? JSON.parse(result.stdout) : null };
}

// A small logistic model with a log-transformed feature and the full covariance (the interval is reported).
function writeSmallModel() {
  const model = {
    format: 'gliolens-model', version: 1, kind: 'logistic', name: 'small test model', outcome: 'test',
    features: [
      { name: 'age', center: 50, scale: 10, cohort_min: 20, cohort_max: 80 },
      { name: 'original_shape_MeshVolume', transform: 'log', center: 11, scale: 1, cohort_min: 8, cohort_max: 13 },
      { name: 'original_shape_Sphericity', center: 0.6, scale: 0.1, cohort_min: 0.3, cohort_max: 0.9 },
    ],
    coefficients: [-1.2, 0.4, 0.8], intercept: 0.3,
    covariance: [[0.04, 0.001, 0.002], [0.001, 0.09, 0.01], [0.002, 0.01, 0.06]],
    intercept_covariance: [0.05, 0.003, -0.002, 0.001],
    risk_groups: { cutpoints: [0], labels: ['low', 'high'] },
  };
  const path = join(scratch, 'small_model.json');
  writeFileSync(path, JSON.stringify(model));
  return path;
}

describe('gliolens predict on a cohort CSV', () => {
  const model = writeSmallModel();
  // PyRadiomics' batch CSV keeps its input columns (Image, Mask), adds diagnostics_* (tuples and dicts in quotes).
  const header = 'Image,Mask,diagnostics_Image-original_Spacing,original_shape_MeshVolume,original_shape_Sphericity,age';
  const rows = [
    'a/p1_t1.nii.gz,a/p1_seg.nii.gz,"(1.0, 1.0, 1.0)",60000,0.7,45',
    '',
    'a/p2_t1.nii.gz,a/p2_seg.nii.gz,"(1.0, 1.0, 1.0)",120000,0.55,',
    'a/p3_t1.nii.gz,a/p3_seg.nii.gz,"(1.0, 1.0, 1.0)",0,0.6,70',
    'a/p4_t1.nii.gz,a/p4_seg.nii.gz,"(1.0, 1.0, 1.0)",90000,n/a,70',
    'a/p5_t1.nii.gz,a/p5_seg.nii.gz,"(1.0, 1.0, 1.0)",1000,0.8,75',
  ];
  const table = join(scratch, 'cohort.csv');
  writeFileSync(table, [header, ...rows].join('\n') + '\n');

  test('each row carries its id and line; a bad row is an error entry naming the feature, the others are predicted', () => {
    const { status, stderr, json } = gliolens('predict', '--model', model, '--features', table);
    assert.equal(status, 0, stderr);
    assert.deepEqual(json.map((e) => [e.id, e.line]), [['a/p1_t1.nii.gz', 2], ['a/p2_t1.nii.gz', 4], ['a/p3_t1.nii.gz', 5],
      ['a/p4_t1.nii.gz', 6], ['a/p5_t1.nii.gz', 7]]);
    assert.equal(json[1].error, "'age' is empty");
    assert.match(json[2].error, /feature 'original_shape_MeshVolume' = 0\.0+ is not positive/);
    assert.equal(json[3].error, `'original_shape_Sphericity' is "n/a", not a number`);
    for (const e of [json[0], json[4]]) {
      assert.equal(e.error, undefined);
      assert.ok(e.probability_lower < e.probability && e.probability < e.probability_upper);
    }
    // The same as the patient given alone as JSON.
    const alone = gliolens('predict', '--model', model, '--features', '{"age": 45, "original_shape_MeshVolume": 60000, "original_shape_Sphericity": 0.7}');
    assert.equal(json[0].probability, alone.json.probability);
    assert.equal(json[0].probability_upper, alone.json.probability_upper);
    // Each skipped row is named on stderr with its line and id.
    assert.match(stderr, /cohort\.csv line 4 \(id a\/p2_t1\.nii\.gz\): not predicted: 'age' is empty/);
    assert.equal(stderr.trim().split('\n').length, 3);
  });

  test('--format csv: one row per patient with the interval, risk group, warnings and error', () => {
    const { status, stdout, stderr } = gliolens('predict', '--model', model, '--features', table, '--format', 'csv', '--confidence', '0.9');
    assert.equal(status, 0, stderr);
    const { columns, rows: out } = csvTable(stdout);
    assert.deepEqual(columns, ['id', 'linear_predictor', 'probability', 'probability_lower', 'probability_upper', 'risk_group', 'warnings', 'error']);
    const json = gliolens('predict', '--model', model, '--features', table, '--confidence', '0.9').json;
    assert.equal(out.length, json.length);
    for (const [k, e] of json.entries()) {
      assert.equal(out[k].id, e.id);
      assert.equal(out[k].error, e.error ?? '');
      if (e.error) continue;
      for (const key of ['linear_predictor', 'probability', 'probability_lower', 'probability_upper']) assert.equal(Number(out[k][key]), e[key], key);
      assert.equal(out[k].risk_group, e.risk_group);
      assert.equal(out[k].warnings, e.warnings.join('; '));
    }
    assert.match(out[4].warnings, /log\(original_shape_MeshVolume\) = .* outside the training cohort's range/);
  });

  test('--id picks the naming column; a missing model column, or no row predicted, fails naming the file', () => {
    const byMask = gliolens('predict', '--model', model, '--features', table, '--id', 'Mask').json;
    assert.equal(byMask[0].id, 'a/p1_seg.nii.gz');
    const noColumn = join(scratch, 'no_age.csv');
    writeFileSync(noColumn, 'ID,original_shape_MeshVolume,original_shape_Sphericity\nx,60000,0.7\n');
    const missing = gliolens('predict', '--model', model, '--features', noColumn);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no_age\.csv: no column 'age', which the model needs/);
    const allBad = join(scratch, 'all_bad.csv');
    writeFileSync(allBad, 'PatientID,age,original_shape_MeshVolume,original_shape_Sphericity\nP-7,,60000,0.7\n');
    const none = gliolens('predict', '--model', model, '--features', allBad);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /all_bad\.csv line 2 \(id P-7\): 'age' is empty/);
    assert.equal(none.stderr.trim().split('\n').length, 1);
  });
});

// --- real segmentations, the shipped model ---------------------------------------------------------------
const cases = ['Brats18_2013_11_1', 'Brats18_CBICA_ABM_1', 'Brats18_TCIA10_628_1'].map((id) => bratsCase(id));
const ages = [45, 63.5, 71];
const skip = skipWithoutSharedData(bratsDir, ...cases.map((c) => c.files.seg))
  || (existsSync(shippedModel) ? false : `${shippedModel} absent (run models/radiogenomics/fit_models.mjs): skipped`);

test('a PyRadiomics shape table of BraTS whole tumours plus age: the shipped IDH model equals its prediction from gliolens descriptors', { skip }, () => {
  const params = join(scratch, 'shape.yaml');
  writeFileSync(params, 'imageType:\n  Original: {}\nfeatureClass:\n  shape:\n');
  // One PyRadiomics batch row per case: Image, Mask, diagnostics, original_shape_* of labels 1+2+4, then age.
  const tableRows = cases.map((c, k) => {
    const run = gliolens('features', '--image', c.files.t1, '--mask', c.files.seg, '--label', '1,2,4', '--params', params, '--format', 'json');
    assert.equal(run.status, 0, run.stderr);
    const shape = Object.fromEntries(run.json.features.map((f) => [f.name, f.value]));
    assert.ok(Object.keys(shape).every((name) => name.startsWith('original_shape_')), 'the shape class only');
    return { Image: c.files.t1, Mask: c.files.seg, 'diagnostics_Versions_PyRadiomics': 'v3.1.0', 'diagnostics_Mask-original_Spacing': '(1.0, 1.0, 1.0)',
      ...shape, age: ages[k] };
  });
  const columns = Object.keys(tableRows[0]);
  const quoted = (v) => (/[",]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  const table = join(scratch, 'pyradiomics_wt_shape.csv');
  writeFileSync(table, [columns.join(','), ...tableRows.map((r) => columns.map((c) => quoted(r[c])).join(','))].join('\n') + '\n');

  // The same patients from `gliolens descriptors --seg`: its WT_original_shape_* under PyRadiomics' names.
  const descriptors = cases.map((c, k) => {
    const run = gliolens('descriptors', '--seg', c.files.seg);
    assert.equal(run.status, 0, run.stderr);
    return { age: ages[k], ...Object.fromEntries(run.json.descriptors.filter((d) => d.name.startsWith('WT_original_shape_')).map((d) => [d.name.slice(3), d.value])) };
  });
  // The shipped model, whatever inputs its penalty kept, and a model that surely reads log-transformed shape columns.
  const summary = [];
  for (const modelFile of [shippedModel, writeSmallModel()]) {
    const { status, stderr, json } = gliolens('predict', '--model', modelFile, '--features', table);
    assert.equal(status, 0, stderr);
    assert.equal(json.length, cases.length);
    const model = JSON.parse(readFileSync(modelFile, 'utf8'));
    const featuresFile = join(scratch, 'from_descriptors.json');
    writeFileSync(featuresFile, JSON.stringify(descriptors.map((d) => Object.fromEntries(model.features.map((f) => [f.name, d[f.name]])))));
    const expected = gliolens('predict', '--model', modelFile, '--features', featuresFile);
    assert.equal(expected.status, 0, expected.stderr);
    for (const [k, p] of json.entries()) {
      const e = expected.json[k];
      assert.equal(p.id, cases[k].files.t1, 'named by its Image column');
      assert.equal(p.error, undefined, p.error);
      assert.ok(Math.abs(p.linear_predictor - e.linear_predictor) <= 1e-9 * Math.max(1, Math.abs(e.linear_predictor)), `${cases[k].id} linear predictor`);
      assert.ok(p.probability > 0 && p.probability < 1);
      for (const key of ['probability', 'probability_lower', 'probability_upper']) {
        assert.equal(p[key] === undefined, e[key] === undefined, key);
        if (e[key] !== undefined) assert.ok(Math.abs(p[key] - e[key]) <= 1e-9, `${cases[k].id} ${key}: ${p[key]} vs ${e[key]}`);
      }
    }
    summary.push(`${basename(modelFile)} (${model.features.map((f) => (f.transform === 'log' ? `log ${f.name}` : f.name)).join(', ')}): ` +
      json.map((p, k) => `${cases[k].id} p = ${p.probability.toFixed(4)} [${p.probability_lower?.toFixed(4)}, ${p.probability_upper?.toFixed(4)}]`).join(', '));
  }
  assert.ok(JSON.parse(readFileSync(shippedModel, 'utf8')).intercept_covariance, 'the shipped logistic model holds the intercept covariance');
  console.log(`PyRadiomics table vs gliolens descriptors:\n  ${summary.join('\n  ')}`);
});
