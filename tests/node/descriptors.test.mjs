// `gliolens descriptors`: the tumour's descriptors from a segmentation, as JSON and as a one-row CSV, and its errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { csvTable } from '../../cli/csv.mjs';
import { projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'gliolens-descriptors-test-'));

function gliolens(...args) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return { ...result, json: result.status === 0 && !args.includes('csv') ? JSON.parse(result.stdout) : null };
}

const demoDir = join(scratch, 'demo');
const demo = (role) => join(demoDir, `gliolens_demo_${role}.nii.gz`);

describe('gliolens descriptors on the demo segmentation', () => {
  test('JSON: every region\'s shape features, proportions, multifocality; no location outside SRI24 space', () => {
    assert.equal(gliolens('demo', demoDir).status, 0);
    const { status, json, stderr } = gliolens('descriptors', '--seg', demo('seg'));
    assert.equal(status, 0, stderr);
    assert.equal(json.id, 'gliolens_demo_seg');
    assert.equal(json.settings.component_min_ml, 1);
    const byName = new Map(json.descriptors.map((d) => [d.name, d]));
    assert.equal(byName.size, json.descriptors.length);
    for (const region of ['WT', 'TC', 'ET', 'NCR', 'ED'])
      for (const feature of ['MeshVolume', 'VoxelVolume', 'SurfaceArea', 'Sphericity', 'Elongation', 'Flatness', 'Maximum3DDiameter',
        'MajorAxisLength', 'MinorAxisLength', 'LeastAxisLength'])
        assert.ok(byName.has(`${region}_original_shape_${feature}`), `${region}_original_shape_${feature}`);
    // the demo's labels, counted by `gliolens volumes`
    const voxels = Object.fromEntries(gliolens('volumes', demo('seg')).json.labels.map((l) => [l.label, l.voxels]));
    const [ncr, ed, et] = [voxels[1] ?? 0, voxels[2] ?? 0, voxels[4] ?? 0];
    const mm3 = byName.get('WT_original_shape_VoxelVolume').value / (ncr + ed + et);
    assert.equal(byName.get('TC_original_shape_VoxelVolume').value / mm3, ncr + et);
    assert.equal(byName.get('ED_original_shape_VoxelVolume').value / mm3, ed);
    assert.ok(Math.abs(byName.get('ET_over_TC').value - et / (ncr + et)) < 1e-12);
    assert.ok(Math.abs(byName.get('ED_over_WT').value - ed / (ncr + ed + et)) < 1e-12);
    assert.equal(byName.get('WT_components_min_1mL').value, 1);
    // the demo lies in a scanner-like space, not SRI24's: location has no value, and says why
    assert.equal(byName.get('WT_centroid_x_mm').value, null);
    assert.match(byName.get('WT_centroid_x_mm').reason, /not in SRI24 space/);
  });

  test('CSV: a header and one row, the same values as the JSON', () => {
    const json = gliolens('descriptors', '--seg', demo('seg')).json;
    const r = gliolens('descriptors', '--seg', demo('seg'), '--format', 'csv');
    assert.equal(r.status, 0, r.stderr);
    const { columns, rows } = csvTable(r.stdout);
    assert.deepEqual(columns, ['ID', ...json.descriptors.map((d) => d.name)]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].ID, 'gliolens_demo_seg');
    for (const d of json.descriptors) assert.equal(rows[0][d.name], d.value === null ? '' : String(d.value), d.name);
  });
});

describe('gliolens descriptors: errors', () => {
  test('a segmentation with other labels: one line naming the file and the problem, exit 1', () => {
    const r = gliolens('descriptors', '--seg', demo('t1'));
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^gliolens descriptors: .*gliolens_demo_t1\.nii\.gz: voxel value \S+ is not a BraTS label/);
  });

  test('a missing file: one line naming it', () => {
    const r = gliolens('descriptors', '--seg', join(scratch, 'nope.nii.gz'));
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /nope\.nii\.gz/);
  });

  test('usage errors exit 2', () => {
    assert.equal(gliolens('descriptors').status, 2);
    assert.equal(gliolens('descriptors', '--seg', 'x', '--format', 'xml').status, 2);
  });
});

const tcgaMask = join(sharedData, 'radiogenomics', 'tcga', 'masks', 'TCGA-02-0006.nii.gz');
describe('gliolens descriptors on a TCGA mask', { skip: skipWithoutSharedData(tcgaMask) }, () => {
  test('the cohort table\'s voxel counts; location in SRI24 space', () => {
    const { status, json } = gliolens('descriptors', '--seg', tcgaMask);
    assert.equal(status, 0);
    const byName = new Map(json.descriptors.map((d) => [d.name, d.value]));
    // clinical.csv: VOLUME_ET 1662, VOLUME_NET 384, VOLUME_ED 36268 (voxels of 1 mm^3)
    assert.equal(byName.get('ET_original_shape_VoxelVolume'), 1662);
    assert.equal(byName.get('NCR_original_shape_VoxelVolume'), 384);
    assert.equal(byName.get('ED_original_shape_VoxelVolume'), 36268);
    assert.equal(byName.get('WT_original_shape_VoxelVolume'), 38314);
    assert.equal(byName.get('WT_hemisphere_left'), 1);  // centroid x -162.4 mm by the mask's affine (RAS): left
    assert.ok(byName.get('WT_centroid_midline_distance_mm') > 40);
  });
});

// Acceptance of issue 28: the descriptors' shape features are PyRadiomics' own. PyRadiomics 3.1.0 was run on every
// region of every shared BraTS case (tests/reference/pyradiomics_brats, make_reference.py there); shape depends on the
// mask alone, so the descriptors of the segmentation must give its shape columns for ET, TC, WT, NCR and ED.
const brats = join(sharedData, 'brats2018');
describe('descriptors equal PyRadiomics\' shape features on every shared BraTS case', { skip: skipWithoutSharedData(brats) }, () => {
  test('14 cases x 5 regions x 14 shape features within 1e-6 relative', async () => {
    const { createGliolens } = await import('../../wasm/node.mjs');
    const core = await createGliolens();
    const reference = csvTable(readFileSync(join(projectRoot, 'tests', 'reference', 'pyradiomics_brats', 'pyradiomics_brats.csv'), 'utf8')).rows
      .filter((r) => r.modality === 't1' && r.status === 'ok');
    const cases = [...new Set(reference.map((r) => r.case))];
    assert.equal(cases.length, 14);
    let compared = 0;
    for (const kase of cases) {
      const { id } = core.load(join(brats, kase, `${kase}_seg.nii.gz`));
      const byName = new Map(core.descriptors(id).descriptors.map((d) => [d.name, d.value]));
      core.release(id);
      for (const row of reference.filter((r) => r.case === kase)) {
        for (const [column, text] of Object.entries(row)) {
          if (!column.startsWith('original_shape_')) continue;
          const ours = byName.get(`${row.region}_${column}`);
          const theirs = Number(text);
          assert.ok(Math.abs(ours - theirs) <= 1e-6 * Math.max(1, Math.abs(theirs)), `${kase} ${row.region} ${column}: ${ours} vs PyRadiomics ${theirs}`);
          compared++;
        }
      }
    }
    assert.ok(compared >= 14 * 4 * 14, `${compared} values compared`);
  });
});
