// `gliolens features` and Gliolens.features(): the WASM feature engine against IBSI's digital phantom, PyRadiomics'
// brain1 baseline, and the native build's own numbers for brain1 (all features, 1e-9 relative).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { csvTable } from '../../cli/csv.mjs';
import { createGliolens, wasmBuildDir } from '../../wasm/node.mjs';
import { projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'gliolens-features-test-'));
const phantom = join(sharedData, 'radiomics', 'ibsi', 'digital_phantom');
const pyrad = join(sharedData, 'radiomics', 'pyradiomics');
const nativeDir = join(projectRoot, 'build', 'native');

function gliolens(...args) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return result;
}

const csvObjects = (text) => csvTable(text).rows;

// PyRadiomics baseline: name -> value of `column`, feature rows only.
function baseline(column) {
  const out = new Map();
  for (const cls of ['shape', 'firstorder', 'glcm', 'glrlm', 'glszm', 'ngtdm', 'gldm']) {
    const { columns, rows } = csvTable(readFileSync(join(pyrad, `baseline_${cls}.csv`), 'utf8'));
    if (!columns.includes(column)) continue;
    const name = columns[0];
    for (const r of rows) if (!r[name].startsWith('diagnostics_') && r[column] !== '') out.set(r[name], Number(r[column]));
  }
  return out;
}

const roundSig = (v, d) => (v === 0 ? 0 : Number(v.toPrecision(d)));
const aggregationCode = { '': '', '3D, averaged': '_3Davg', '3D, merged': '_3Dmrg', '3D': '_3D' };

describe('gliolens features on the IBSI digital phantom', { skip: skipWithoutSharedData(join(phantom, 'image.nii.gz')) }, () => {
  test('IBSI mode matches the reference values (features without aggregation, and 3D aggregations)', () => {
    const params = join(scratch, 'phantom.yaml');
    writeFileSync(params, 'setting:\n  binWidth: 1   # the phantom is already discrete (1..6)\n');
    const r = gliolens('features', '--image', join(phantom, 'image.nii.gz'), '--mask', join(phantom, 'mask.nii.gz'),
      '--mode', 'ibsi', '--params', params, '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const byName = new Map(out.features.map((f) => [f.name, f]));
    const refs = csvObjects(readFileSync(join(phantom, 'reference_values.csv'), 'utf8'));
    let compared = 0;
    const bad = [];
    for (const ref of refs) {
      if (!(ref.aggregation in aggregationCode)) continue;
      const suffix = aggregationCode[ref.aggregation];
      const f = out.features.find((x) => x.ibsi_tag === ref.ibsi_tag && (suffix ? x.name.endsWith(suffix) : !/_(2D|2\.5D|3D)[a-z]*$/.test(x.name)));
      compared++;
      const value = f?.value;
      const tol = Number(ref.tolerance);
      const want = Number(ref.value);
      const ok = typeof value === 'number' &&
        (tol === 0 ? Math.abs(roundSig(value, 3) - roundSig(want, 3)) <= 1e-9 * Math.max(1, Math.abs(want)) : Math.abs(value - want) <= tol * (1 + 1e-9));
      if (!ok) bad.push(`${ref.feature} [${ref.aggregation}] ${ref.ibsi_tag}: reference ${want} ± ${tol}, got ${value ?? f?.reason ?? 'missing'}`);
    }
    assert.ok(compared > 150, `only ${compared} reference rows compared`);
    assert.deepEqual(bad, []);
    assert.ok(byName.size > 300);
  });
});

describe('gliolens features on PyRadiomics brain1', { skip: skipWithoutSharedData(join(pyrad, 'brain1_image.nii.gz')) }, () => {
  const image = join(pyrad, 'brain1_image.nii.gz');
  const mask = join(pyrad, 'brain1_label.nii.gz');
  // The brain1 column's mesh features come from a PyRadiomics development build (see
  // tests/core/test_radiomics_pyradiomics.cpp); the other columns' mesh features are compared.
  const mesh = new Set(['original_shape_MeshVolume', 'original_shape_SurfaceArea', 'original_shape_SurfaceVolumeRatio', 'original_shape_Sphericity']);

  function extract(yaml, ...extra) {
    const params = join(scratch, `p${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(params, yaml);
    const r = gliolens('features', '--image', image, '--mask', mask, '--params', params, ...extra);
    assert.equal(r.status, 0, r.stderr);
    return r;
  }

  for (const [column, yaml] of [
    ['brain1', 'setting:\n  binWidth: 25\n  voxelArrayShift: 2000\n'],
    ['brain1_normalization', 'setting:\n  normalize: true\n  normalizeScale: 100\n  binWidth: 5\n'],
    ['brain1_resampling', 'setting:\n  resampledPixelSpacing: [2, 2, 2]\n  interpolator: sitkBSpline\n'],
  ]) {
    const meshAside = column === 'brain1';
    test(`CSV output matches the PyRadiomics baseline column ${column} (1e-6 relative${meshAside ? '; mesh features aside' : ''})`, () => {
      const rows = csvObjects(extract(yaml).stdout);
      assert.deepEqual(Object.keys(rows[0]), ['name', 'ibsi_tag', 'value', 'reason']);
      const ours = new Map(rows.map((r) => [r.name, r]));
      const ref = baseline(column);
      assert.ok(ref.size >= 90);
      const bad = [];
      for (const [name, want] of ref) {
        if (meshAside && mesh.has(name)) continue;
        const got = Number(ours.get(name)?.value ?? NaN);
        if (!(Math.abs(got - want) <= Math.max(1e-6 * Math.abs(want), 1e-12))) bad.push(`${name}: ${want} vs ${got}`);
      }
      assert.deepEqual(bad, []);
      assert.equal(ours.get('original_glcm_Contrast').ibsi_tag, 'ACUI');
    });
  }

  for (const [mode, file, yaml] of [
    ['pyradiomics', 'radiomics_brain1_pyradiomics.csv', 'setting:\n  voxelArrayShift: 2000\n'],
    ['ibsi', 'radiomics_brain1_ibsi.csv', ''],
  ]) {
    const record = join(nativeDir, file);
    test(`every ${mode}-mode feature equals the native build's within 1e-9 relative`,
      { skip: existsSync(record) ? false : `native record ${record} absent: run the native tests (ctest) first` }, () => {
        const native = new Map(csvObjects(readFileSync(record, 'utf8')).map((r) => [r.name, r.value]));
        const ours = csvObjects(extract(yaml, '--mode', mode).stdout);
        assert.equal(ours.length, native.size);
        const bad = [];
        for (const r of ours) {
          assert.ok(native.has(r.name), `${r.name} not in the native record`);
          const a = native.get(r.name);
          if (a === '' || r.value === '') {
            if (a !== r.value) bad.push(`${r.name}: native "${a}" wasm "${r.value}"`);
            continue;
          }
          const x = Number(a), y = Number(r.value);
          if (!(Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), 1e-300) || x === y)) bad.push(`${r.name}: native ${x} wasm ${y}`);
        }
        assert.deepEqual(bad, []);
      });
  }

  test('wavelet and LoG image types are named as PyRadiomics names them', () => {
    const r = extract('imageType:\n  Original: {}\n  LoG: {sigma: [2.0]}\n  Wavelet: {}\nfeatureClass:\n  firstorder: [Mean]\n  glcm: [Contrast]\n', '--format', 'json');
    const names = JSON.parse(r.stdout).features.map((f) => f.name);
    for (const n of ['original_firstorder_Mean', 'log-sigma-2-0-mm-3D_firstorder_Mean', 'wavelet-LLH_glcm_Contrast', 'wavelet-HHH_firstorder_Mean', 'wavelet-LLL_glcm_Contrast'])
      assert.ok(names.includes(n), `${n} missing`);
    assert.equal(names.length, 2 * (1 + 1 + 8));
  });
});

describe('gliolens features: errors', () => {
  test('a missing image: one line naming the file, non-zero exit', () => {
    const missing = join(scratch, 'nope.nii.gz');
    const r = gliolens('features', '--image', missing, '--mask', missing);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /nope\.nii\.gz/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('a bad parameter file names the file and the line', () => {
    const params = join(scratch, 'bad.yaml');
    writeFileSync(params, 'setting:\n  binWidth: 25\n  binWidht: 5\n');
    const r = gliolens('features', '--image', params, '--mask', params, '--params', params);
    assert.notEqual(r.status, 0);
    // the volumes are read first; use real NIfTI files so the parameter file is what fails
    const dir = join(scratch, 'demo');
    assert.equal(gliolens('demo', dir).status, 0);
    const r2 = gliolens('features', '--image', join(dir, 'gliolens_demo_t1.nii.gz'), '--mask', join(dir, 'gliolens_demo_seg.nii.gz'), '--params', params);
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /bad\.yaml: parameter file: line 3: unknown setting 'binWidht'/);
    assert.equal(r2.stderr.trim().split('\n').length, 1);
  });

  test('usage errors exit 2', () => {
    assert.equal(gliolens('features', '--image', 'x.nii').status, 2);
    assert.equal(gliolens('features', '--image', 'x', '--mask', 'y', '--mode', 'other').status, 2);
    assert.equal(gliolens('features', '--image', 'x', '--mask', 'y', '--format', 'xml').status, 2);
  });
});

describe('Gliolens.features() on the demo case', () => {
  test('regions by label union, an empty region with reasons, both modes', async () => {
    const core = await createGliolens();
    const dir = join(scratch, 'demo-api');
    mkdirSync(dir, { recursive: true });
    const files = Object.fromEntries(core.writeDemoCase(dir).map(({ role, path }) => [role, path]));
    const t1c = core.load(files.t1c).id;
    const seg = core.load(files.seg).id;
    const labels = new Map(core.labelVolumes(seg).map((l) => [l.label, l.voxels]));
    const tc = core.features(t1c, seg, { labels: [1, 4] });
    const voxelVolume = tc.features.find((f) => f.name === 'original_shape_VoxelVolume');
    assert.ok(voxelVolume.value > 0);
    const et = core.features(t1c, seg, { label: 4 });
    const ncr = core.features(t1c, seg, { label: 1 });
    const vv = (r) => r.features.find((f) => f.name === 'original_shape_VoxelVolume').value;
    assert.ok(Math.abs(vv(tc) - vv(et) - vv(ncr)) < 1e-6 * vv(tc));
    assert.ok(labels.get(4) > 0);
    const empty = core.features(t1c, seg, { label: 99 });
    assert.ok(empty.features.length > 50);
    assert.ok(empty.features.every((f) => f.value === null && /empty ROI/.test(f.reason)));
    const ibsi = core.features(t1c, seg, { label: 4, mode: 'ibsi' });
    assert.ok(ibsi.features.some((f) => f.name.endsWith('_3Davg')));
    assert.throws(() => core.features(t1c, seg, { params: 'setting:\n  binWidth: x\n' }), /parameter file: line 2/);
    assert.ok(existsSync(wasmBuildDir));
  });
});

describe('Gliolens.features(): the grey levels beside the features', () => {
  test('occupied levels and the bin setting in force: bin width, bin count, normalize, an empty region', async () => {
    const core = await createGliolens();
    const dir = join(scratch, 'demo-grey-levels');
    mkdirSync(dir, { recursive: true });
    const files = Object.fromEntries(core.writeDemoCase(dir).map(({ role, path }) => [role, path]));
    const flair = core.load(files.flair).id;
    const seg = core.load(files.seg).id;
    const wt = [1, 2, 4];
    const [raw] = core.features(flair, seg, { labels: wt }).greyLevels;
    assert.equal(raw.imageType, 'original');
    assert.equal(raw.binWidth, 25);
    assert.equal(raw.binCount, null);
    assert.equal(raw.normalize, false);
    assert.ok(raw.occupiedLevels >= 1 && raw.occupiedLevels <= raw.levelRange, JSON.stringify(raw));
    // Bin width 1 on the same intensities: 25 times finer bins, so at least as many levels.
    const [fine] = core.features(flair, seg, { labels: wt, params: 'setting:\n  binWidth: 1\n' }).greyLevels;
    assert.equal(fine.binWidth, 1);
    assert.ok(fine.occupiedLevels >= raw.occupiedLevels);
    const [ibsi] = core.features(flair, seg, { labels: wt, mode: 'ibsi' }).greyLevels;
    assert.deepEqual([ibsi.binWidth, ibsi.binCount, ibsi.levelRange], [null, 32, 32]);
    assert.ok(ibsi.occupiedLevels >= 1 && ibsi.occupiedLevels <= 32);
    const [normalised] = core.features(flair, seg, { labels: wt, params: 'setting:\n  normalize: true\n  binWidth: 0.1\n' }).greyLevels;
    assert.equal(normalised.normalize, true);
    const [empty] = core.features(flair, seg, { label: 99 }).greyLevels;
    assert.deepEqual([empty.occupiedLevels, empty.levelRange], [0, 0]);
  });
});
