// The `gliolens` command line, run as a user runs it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { csvTable } from '../../cli/csv.mjs';
import { nibabelAvailable, nibabelHeader } from '../support/nibabel.mjs';
import { countLabels, readNifti1 } from '../support/nifti.mjs';
import { bratsCase, projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';

const brats = bratsCase();
const scratch = mkdtempSync(join(tmpdir(), 'gliolens-cli-test-'));

function gliolens(...args) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
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

// The IBSI 1 CT-phantom configurations as parameter files (examples/ibsi), run as a user runs them.
const ctPhantom = join(sharedData, 'radiomics', 'ibsi', 'ct_phantom');
const aggregationSuffix = {
  '': '', '2D, averaged': '_2Davg', '2D, slice-merged': '_2Dsmrg', '2.5D, direction-merged': '_2.5Ddmrg',
  '2.5D, merged': '_2.5Dmrg', '2D': '_2D', '2.5D': '_2.5D', '3D, averaged': '_3Davg', '3D, merged': '_3Dmrg', '3D': '_3D',
};
const roundSig = (v, d) => (v === 0 ? 0 : Number(v.toPrecision(d)));

function ibsiConfig(config, mode = 'ibsi') {
  return gliolens('features', '--image', join(ctPhantom, 'image.nii.gz'), '--mask', join(ctPhantom, 'mask.nii.gz'),
    '--mode', mode, '--params', join(projectRoot, 'examples', 'ibsi', `config_${config}.yaml`), '--format', 'json');
}

// value of the feature with IBSI tag `tag` and aggregation suffix `suffix` ('' for features without one)
function featureValue(features, tag, suffix = '') {
  const f = features.find((x) => x.ibsi_tag === tag && (suffix ? x.name.endsWith(suffix) : !/_(2D|2\.5D|3D)[a-z]*$/.test(x.name)));
  return f?.value;
}

describe('gliolens features --mode ibsi --params examples/ibsi/config_X.yaml on the IBSI CT phantom',
  { skip: skipWithoutSharedData(join(ctPhantom, 'reference_values_AB.csv')) }, () => {
    const refs = csvTable(readFileSync(join(ctPhantom, 'reference_values_AB.csv'), 'utf8')).rows;
    for (const config of ['A', 'B']) {
      test(`configuration ${config} reproduces every reference value`, () => {
        const { status, stderr, json } = ibsiConfig(config);
        assert.equal(status, 0, stderr);
        const bad = [];
        let compared = 0;
        for (const ref of refs.filter((r) => r.config === config)) {
          compared++;
          const value = featureValue(json.features, ref.ibsi_tag, aggregationSuffix[ref.aggregation]);
          const want = Number(ref.value);
          const tol = Number(ref.tolerance);
          const ok = typeof value === 'number' && (tol === 0
            ? Math.abs(roundSig(value, 3) - roundSig(want, 3)) <= 1e-9 * Math.max(1, Math.abs(want))
            : Math.abs(value - want) <= tol * (1 + 1e-9));
          if (!ok) bad.push(`${ref.feature} [${ref.aggregation}] ${ref.ibsi_tag}: reference ${want} ± ${tol}, got ${value}`);
        }
        assert.equal(compared, 346);
        assert.deepEqual(bad, []);
        assert.ok(!json.features.some((f) => /_3D[a-z]*$/.test(f.name)), 'a 2D configuration computed 3D texture');
      });
    }

    test('configurations C, D and E run and show their settings', () => {
      const values = {};
      for (const config of ['C', 'D', 'E']) {
        const { status, stderr, json } = ibsiConfig(config);
        assert.equal(status, 0, stderr);
        assert.deepEqual(json.warnings, []);
        values[config] = (tag, suffix) => featureValue(json.features, tag, suffix);
      }
      for (const config of ['C', 'D', 'E']) {
        const voxels = values[config]('YEKZ') / 8;  // voxels of 2 x 2 x 2 mm, the same ROI mask in all three
        assert.ok(Math.abs(voxels - Math.round(voxels)) < 1e-6, `${voxels} voxels of 8 mm^3`);
        assert.equal(values[config]('YEKZ'), values.C('YEKZ'));
        assert.ok(Number.isInteger(values[config]('1GSF')) && Number.isInteger(values[config]('84IY')), 'rounded HU');
      }
      // C: range [-1000, 400]; texture bins of 25 HU from -1000; the IVH's own 2.5 HU bins at their centres.
      assert.ok(values.C('1GSF') >= -1000 && values.C('84IY') <= 400);
      assert.equal(values.C('1PR8'), Math.floor((values.C('1GSF') + 1000) / 25) + 1);
      for (const tag of ['GBPN_10', 'GBPN_90']) {
        const k = (values.C(tag) + 1000) / 2.5 + 0.5;
        assert.ok(Math.abs(k - Math.round(k)) < 1e-9, `${tag} ${values.C(tag)} is not a 2.5 HU bin centre`);
      }
      // D: 32 bins over what 3 sigma kept (no range: the ROI's lung voxels far below the mean are gone).
      assert.equal(values.D('1PR8'), 1);
      assert.equal(values.D('3NCY'), 32);
      assert.ok(values.D('1GSF') > values.C('1GSF'));
      // E: range then 3 sigma; the IVH on 1000 levels of its own.
      assert.equal(values.E('3NCY'), 32);
      for (const tag of ['GBPN_10', 'GBPN_90']) assert.ok(Number.isInteger(values.E(tag)) && values.E(tag) >= 1 && values.E(tag) <= 1000);
      assert.ok(values.E('1GSF') > values.C('1GSF') && values.E('84IY') <= values.C('84IY'));
    });

    test('an IBSI setting in PyRadiomics mode: one line naming the file and the setting, exit status 1', () => {
      const r = ibsiConfig('E', 'pyradiomics');
      assert.equal(r.status, 1);
      assert.match(r.stderr, /config_E\.yaml: .*roundIntensities.*--mode ibsi/);
    });
  });
