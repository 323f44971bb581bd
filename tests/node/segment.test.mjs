// Segmentation through the CLI (WASM core + ONNX Runtime Web's WebAssembly backend in Node) and the
// BraTS scores, on a real case the bundled model did not train on.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { loadNodeNetwork } from '../../cli/onnx-node.mjs';
import { nibabelAvailable, nibabelHeader } from '../support/nibabel.mjs';
import { withoutZeroBackground } from '../support/nifti.mjs';
import { bratsCase, projectRoot, skipWithoutSharedData } from '../support/paths.mjs';

const scratch = mkdtempSync(join(tmpdir(), 'gliolens-segment-test-'));
const modelDir = join(projectRoot, 'models', 'glioma_seg');
const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8'));
// A case the shipped model never saw in training (the manifest lists the training cases).
const heldOut = (manifest.training?.held_out_cases ?? [])[0];
// The bundled model's first stage as a one-network model, for what a one-network manifest does.
const { refine: _bundledRefine, ...firstStage } = manifest;

// A model folder with another manifest over the bundled networks it names (linked, not copied).
function bundledNetworksWith(name, ownManifest) {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const file of [ownManifest.model.file, ownManifest.refine?.model.file].filter(Boolean)) symlinkSync(join(modelDir, file), join(dir, file));
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(ownManifest));
  return dir;
}

function gliolens(...args) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], { encoding: 'utf8' });
  return { ...result, json: result.status === 0 ? JSON.parse(result.stdout) : null };
}

// Every network the bundled model runs (a cascade has two), each with its PyTorch parity reference.
const networks = [
  { file: manifest.model.file, referenceDir: join(modelDir, manifest.parity?.reference_dir ?? 'reference') },
  ...(manifest.refine ? [{ file: manifest.refine.model.file, referenceDir: join(modelDir, manifest.refine.parity.reference_dir) }] : []),
];

for (const { file, referenceDir } of networks) {
  test(`ONNX Runtime Web (WASM, Node) reproduces PyTorch on the parity reference: ${file}`, async () => {
    const reference = JSON.parse(readFileSync(join(referenceDir, 'reference.json'), 'utf8'));
    assert.equal(reference.model, file, `${referenceDir} is ${file}'s reference`);
    const f32 = (name) => { const b = readFileSync(join(referenceDir, name)); return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)); };
    const network = await loadNodeNetwork(join(modelDir, file));
    const output = await network.run(f32(reference.input.file), reference.input.shape);
    const expected = f32(reference.output.file);
    let max = 0;
    for (let i = 0; i < expected.length; i++) max = Math.max(max, Math.abs(output[i] - expected[i]));
    console.log(`# max |logit - PyTorch| with ORT Web WASM in Node, ${file}: ${max.toExponential(2)}`);
    assert.ok(max < reference.tolerance.logits_max_abs, `max difference ${max}`);
    network.release();
  });
}

test('the bundled model and its manifest are there', () => {
  assert.equal(manifest.format, 'gliolens-segmentation-manifest/1');
  for (const { file } of networks) assert.ok(existsSync(join(modelDir, file)), file);
});

describe('gliolens segment on a real case', { skip: heldOut ? skipWithoutSharedData(bratsCase(heldOut).files.seg) : 'every shared case was used in training' }, () => {
  const brats = bratsCase(heldOut);
  const out = join(scratch, `${heldOut}_pred.nii.gz`);
  let segmented;

  test('writes BraTS labels on the input grid', () => {
    segmented = gliolens('segment', '--t1', brats.files.t1, '--t1ce', brats.files.t1ce, '--t2', brats.files.t2,
      '--flair', brats.files.flair, '--out', out);
    assert.equal(segmented.status, 0, segmented.stderr);
    assert.ok(segmented.json.labels.length > 0, 'some tumour found');
    assert.ok(segmented.json.labels.every((l) => [1, 2, 4].includes(l.label)));
    assert.deepEqual(segmented.json.warnings, [], 'a skull-stripped BraTS case is what the model expects');
    const info = gliolens('info', out).json;
    const input = gliolens('info', brats.files.t1).json;
    assert.deepEqual(info.dims, input.dims);
    assert.deepEqual(info.affine, input.affine);
    assert.equal(info.datatype, 'UINT8');
  });

  test('the mask opens aligned in nibabel', { skip: nibabelAvailable() ? false : 'python3-nibabel absent' }, () => {
    const ours = nibabelHeader(out), theirs = nibabelHeader(brats.files.t1);
    assert.deepEqual(ours.shape, theirs.shape);
    ours.affine.flat().forEach((v, i) => assert.ok(Math.abs(v - theirs.affine.flat()[i]) < 1e-5));
  });

  test('Dice against the expert reaches the floor set from validation', () => {
    const scores = gliolens('dice', '--pred', out, '--truth', brats.files.seg);
    assert.equal(scores.status, 0, scores.stderr);
    const wt = scores.json.regions.find((r) => r.region === 'WT');
    // The floor comes from validation: the Dice this model reached on this case, less 0.05.
    const validated = manifest.validation.held_out.per_case[heldOut].WT.dice;
    console.log(`# CLI WT Dice on ${heldOut}: ${wt.dice.toFixed(4)} (validation ${validated})`);
    assert.ok(wt.dice >= validated - 0.05, `WT Dice ${wt.dice.toFixed(3)} >= ${validated} - 0.05`);
  });

  for (const slice of [2, 5]) test(`on 1 x 1 x ${slice} mm voxels: resampled to the model's 1 mm and back, labels on the input grid`, () => {
    // The same case as a scanner with thicker slices would give it (linear; the expert mask nearest).
    const coarse = Object.fromEntries(['t1', 't1ce', 't2', 'flair', 'seg'].map((m) => {
      const path = join(scratch, `coarse${slice}_${m}.nii.gz`);
      const converted = gliolens('convert', brats.files[m], path, '--resample', `1,1,${slice}`, '--interp', m === 'seg' ? 'nearest' : 'linear');
      assert.equal(converted.status, 0, converted.stderr);
      return [m, path];
    }));
    const pred = join(scratch, `coarse${slice}_pred.nii.gz`);
    const run = gliolens('segment', '--t1', coarse.t1, '--t1ce', coarse.t1ce, '--t2', coarse.t2, '--flair', coarse.flair, '--out', pred);
    assert.equal(run.status, 0, run.stderr);
    const info = gliolens('info', pred).json, input = gliolens('info', coarse.t1).json;
    assert.deepEqual(info.dims, input.dims);
    assert.deepEqual(info.affine, input.affine);
    const wt = gliolens('dice', '--pred', pred, '--truth', coarse.seg).json.regions.find((r) => r.region === 'WT');
    const validated = manifest.validation.held_out.per_case[heldOut].WT.dice;
    console.log(`# WT Dice on ${heldOut} at 1 x 1 x ${slice} mm: ${wt.dice.toFixed(4)} (1 mm, validation: ${validated})`);
    assert.ok(wt.dice >= validated - 0.05, `WT Dice ${wt.dice.toFixed(3)} >= ${validated} - 0.05`);
  });

  test('a FLAIR that is not skull-stripped: segmented all the same, with warnings that name it', () => {
    const flair = withoutZeroBackground(brats.files.flair, join(scratch, 'not_skull_stripped_flair.nii.gz'));
    // The warnings come from the first stage's input; the bundled first stage alone spares the test a second stage
    // on a box that such an input makes as large as the brain.
    const dir = bundledNetworksWith('first-stage', firstStage);
    const run = gliolens('segment', '--t1', brats.files.t1, '--t1ce', brats.files.t1ce, '--t2', brats.files.t2,
      '--flair', flair, '--out', join(scratch, 'not_skull_stripped_pred.nii.gz'), '--model', dir);
    assert.equal(run.status, 0, run.stderr);
    for (const warning of run.json.warnings) console.log(`# ${warning}`);
    assert.equal(run.json.warnings.length, 2, JSON.stringify(run.json.warnings));
    assert.ok(run.json.warnings[0].startsWith(`${flair}: its non-zero region holds 8928 mL, far more than a skull-stripped brain`));
    assert.ok(run.json.warnings[1].startsWith(`${flair}: its non-zero region spans 240 x 240 x 155 mm, more than the model's window of 160 x 192 x 160 mm`));
  });

  test('stored along other axes (ASL): turned into the model\'s orientation and back, the same labels', () => {
    // The same case as a sagittally stored series would give it: voxel axes A, S, L instead of BraTS's L, P, S.
    const moved = Object.fromEntries(['t1', 't1ce', 't2', 'flair', 'seg'].map((m) => {
      const path = join(scratch, `asl_${m}.nii.gz`);
      const converted = gliolens('convert', brats.files[m], path, '--reorient', 'ASL');
      assert.equal(converted.status, 0, converted.stderr);
      return [m, path];
    }));
    const pred = join(scratch, 'asl_pred.nii.gz');
    const run = gliolens('segment', '--t1', moved.t1, '--t1ce', moved.t1ce, '--t2', moved.t2, '--flair', moved.flair, '--out', pred);
    assert.equal(run.status, 0, run.stderr);
    const info = gliolens('info', pred).json, input = gliolens('info', moved.t1).json;
    assert.equal(input.orientation, 'ASL');
    assert.deepEqual(info.dims, input.dims);
    assert.deepEqual(info.affine, input.affine);
    // Voxels are moved, never interpolated: every label's voxel count, and every Dice, as on the case as stored.
    assert.deepEqual(run.json.labels, segmented.json.labels);
    const original = gliolens('dice', '--pred', out, '--truth', brats.files.seg).json.regions;
    const regions = gliolens('dice', '--pred', pred, '--truth', moved.seg).json.regions;
    console.log(`# stored as ASL: Dice ${regions.map((r) => `${r.region} ${r.dice.toFixed(4)}`).join(', ')} (as stored by BraTS: ` +
      `${original.map((r) => r.dice.toFixed(4)).join(', ')})`);
    assert.deepEqual(regions.map((r) => r.dice), original.map((r) => r.dice));
  });

  test('--keep-small-components keeps what the clean-up clears', () => {
    const kept = gliolens('segment', '--t1', brats.files.t1, '--t1ce', brats.files.t1ce, '--t2', brats.files.t2,
      '--flair', brats.files.flair, '--out', join(scratch, 'kept.nii.gz'), '--keep-small-components');
    assert.equal(kept.status, 0, kept.stderr);
    const voxels = (run) => run.json.labels.reduce((n, l) => n + l.voxels, 0);
    console.log(`# tumour voxels on ${heldOut}: ${voxels(segmented)} cleaned up, ${voxels(kept)} with every component`);
    assert.ok(voxels(kept) >= voxels(segmented));
  });
});

// The refine stage's thresholds come from the manifest (a model may ship others than 0.5): at 0.2 the CLI must give
// what the Python evaluation gives with `python3 -m training.evaluate --refine_thresholds 0.2` (reference/refine_thresholds.json).
const thresholdsReference = JSON.parse(readFileSync(join(modelDir, 'reference', 'refine_thresholds.json'), 'utf8'));
describe('the manifest\'s refine thresholds', { skip: skipWithoutSharedData(bratsCase(thresholdsReference.case).files.seg) }, () => {
  test('at 0.2 the CLI reproduces the Python evaluation, not the 0.5 labels', () => {
    assert.equal(thresholdsReference.refine_model, manifest.refine?.model.file, 'the reference belongs to the bundled refine network');
    const lowered = { ...manifest, refine: { ...manifest.refine, output: { ...manifest.refine.output, thresholds: thresholdsReference.refine_thresholds } } };
    const dir = bundledNetworksWith('refine-thresholds', lowered);
    const brats = bratsCase(thresholdsReference.case), pred = join(dir, 'pred.nii.gz');
    const run = gliolens('segment', '--t1', brats.files.t1, '--t1ce', brats.files.t1ce, '--t2', brats.files.t2,
      '--flair', brats.files.flair, '--out', pred, '--model', dir);
    assert.equal(run.status, 0, run.stderr);
    const scores = gliolens('dice', '--pred', pred, '--truth', brats.files.seg);
    assert.equal(scores.status, 0, scores.stderr);
    for (const { region, dice, predictedVoxels } of scores.json.regions) {
      const expected = thresholdsReference.regions[region], atDefault = thresholdsReference.at_manifest_thresholds[region];
      console.log(`# ${region} at refine threshold ${thresholdsReference.refine_thresholds[region]}: ${predictedVoxels} voxels, Dice ${dice.toFixed(4)} ` +
        `(Python ${expected.predicted_voxels}, ${expected.dice}; at the manifest's thresholds ${atDefault.predicted_voxels})`);
      // float32 in two runtimes: a voxel whose sigmoid sits on the threshold may fall either way
      assert.ok(Math.abs(predictedVoxels - expected.predicted_voxels) <= 0.001 * expected.predicted_voxels, `${region} voxels`);
      assert.ok(Math.abs(dice - expected.dice) <= 0.002, `${region} Dice`);
      assert.notEqual(predictedVoxels, atDefault.predicted_voxels, `${region}: the thresholds were applied`);
    }
  });
});

describe('a broken model folder is refused by name', () => {
  const demo = Object.fromEntries(gliolens('demo', join(scratch, 'demo-inputs')).json.files.map((f) => [f.role, f.path]));
  const segmentWith = (dir) => gliolens('segment', '--t1', demo.t1, '--t1ce', demo.t1c, '--t2', demo.t2, '--flair', demo.flair,
    '--out', join(dir, 'out.nii.gz'), '--model', dir);
  const folder = (name, manifestText, modelBytes) => {
    const dir = join(scratch, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'manifest.json'), manifestText);
    writeFileSync(join(dir, manifest.model.file), modelBytes);
    return dir;
  };
  const modelBytes = readFileSync(join(modelDir, manifest.model.file));

  test('a manifest that is not JSON', () => {
    const dir = folder('bad-json', '{"format": "gliolens-segmentation-manifest/1",', modelBytes);
    const run = segmentWith(dir);
    assert.equal(run.status, 1);
    assert.match(run.stderr, new RegExp(`${join(dir, 'manifest.json')}: not valid JSON`));
  });

  test('JSON that is not a segmentation manifest', () => {
    const dir = folder('not-a-manifest', JSON.stringify({ format: 'something-else/2' }), modelBytes);
    const run = segmentWith(dir);
    assert.equal(run.status, 1);
    assert.match(run.stderr, new RegExp(`${join(dir, 'manifest.json')}: not a Gliolens segmentation manifest \\(format "something-else/2"\\)`));
  });

  test('a truncated ONNX file', () => {
    const dir = folder('truncated', JSON.stringify(firstStage), modelBytes.subarray(0, 100_000));
    const run = segmentWith(dir);
    assert.equal(run.status, 1);
    assert.match(run.stderr, new RegExp(`${join(dir, manifest.model.file)}: ONNX Runtime cannot load this model`));
    assert.doesNotMatch(run.stderr, /\x1b\[/, 'no raw ONNX Runtime log lines');
  });

  test('a two-stage model: its refine network missing, then present', () => {
    const twoStage = { ...firstStage, refine: { model: { file: 'refine.onnx' }, input: { spatial_multiple: 8 }, box: { margin_voxels: 12, multiple: 8 } } };
    const dir = folder('two-stage', JSON.stringify(twoStage), modelBytes);
    const missing = segmentWith(dir);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, new RegExp(`${join(dir, 'refine.onnx')}: model file named by the manifest is missing`));
    // The bundled network stands in for a refine network: this checks the plumbing, not the labels.
    writeFileSync(join(dir, 'refine.onnx'), modelBytes);
    const run = segmentWith(dir);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.json.refine.box.every((n) => n > 0 && n % 8 === 0), JSON.stringify(run.json.refine));
  });
});

describe('gliolens dice', { skip: skipWithoutSharedData(bratsCase().files.seg) }, () => {
  test('an expert mask against itself: Dice 1, HD95 0', () => {
    const { status, json } = gliolens('dice', '--pred', bratsCase().files.seg, '--truth', bratsCase().files.seg);
    assert.equal(status, 0);
    for (const r of json.regions) {
      assert.equal(r.dice, 1);
      assert.equal(r.hd95, 0);
    }
  });

  test('masks on different grids are refused by name', () => {
    const demo = gliolens('demo', join(scratch, 'demo')).json.files.find((f) => f.role === 'seg').path;
    const mismatch = gliolens('dice', '--pred', demo, '--truth', bratsCase().files.seg);
    assert.equal(mismatch.status, 1);
    assert.match(mismatch.stderr, /not on the same voxel grid/);
  });
});

describe('sliding-window inference (core plans and blends, JavaScript runs the network)', () => {
  // A voxel-wise "network" (its logits depend on each voxel's own inputs only): blending overlapping
  // windows must then give back the single-window result.
  const voxelwise = (tensor, dims) => {
    const voxels = dims[2] * dims[3] * dims[4];
    const out = new Float32Array(3 * voxels);
    for (let v = 0; v < voxels; v++) {
      const t1c = tensor[voxels + v], flair = tensor[3 * voxels + v];
      out[v] = flair - 1;  // WT
      out[voxels + v] = t1c - 1.5;  // TC
      out[2 * voxels + v] = t1c - 2;  // ET
    }
    return out;
  };
  let core, ids;
  const run = (inference) => core.segment(ids, { manifest: inference ? { ...firstStage, inference } : firstStage, runNetwork: voxelwise });

  test('overlapping windows give the single-window labels back', async () => {
    const { createGliolens } = await import('../../wasm/node.mjs');
    core = await createGliolens();
    const files = core.writeDemoCase(mkdtempSync(join(scratch, 'demo-')));
    ids = ['t1', 't1c', 't2', 'flair'].map((role) => core.load(files.find((f) => f.role === role).path).id);
    const whole = await run(null);
    const progress = [];
    const tiled = await core.segment(ids, {
      manifest: { ...firstStage, inference: { patch_voxels_ijk: [40, 48, 40], overlap: 0.5 } },
      runNetwork: voxelwise, onProgress: (p) => progress.push(p),
    });
    assert.equal(whole.windows, 1);
    assert.equal(tiled.windows, 27);  // 3 windows along each axis of the 80 x 96 x 80 grid
    assert.deepEqual(progress.map((p) => p.window), Array.from({ length: 27 }, (_, n) => n + 1));
    assert.ok(whole.labels.length === 3, 'the demo tumour has three labels');
    for (const score of core.scoreSegmentation(tiled.id, whole.id)) assert.ok(score.dice > 0.9999, `${score.region} ${score.dice}`);
  });

  test("the manifest's post-processing is applied: small components, then the enhancing-tumour rule", async () => {
    const withPost = (postprocess) => core.segment(ids, { manifest: { ...firstStage, postprocess }, runNetwork: voxelwise });
    const count = (result, label) => result.labels.find((l) => l.label === label)?.voxels ?? 0;
    const plain = await withPost({ min_component_voxels: 0, min_enhancing_voxels: 0 });
    const enhancing = count(plain, 4);
    assert.ok(enhancing > 0, 'the demo tumour enhances');
    // Under the rule's threshold the enhancing voxels become necrotic/non-enhancing core (BraTS rule).
    const relabelled = await withPost({ min_enhancing_voxels: enhancing + 1 });
    assert.equal(count(relabelled, 4), 0);
    assert.equal(count(relabelled, 1), count(plain, 1) + enhancing);
    assert.equal(count(relabelled, 2), count(plain, 2));
    assert.equal(count(await withPost({ min_enhancing_voxels: enhancing }), 4), enhancing, 'at the threshold ET stays');
    // The largest component is never cleared, so a tumour smaller than the threshold is kept (here the demo
    // tumour and a one-voxel satellite: a threshold above the whole tumour clears the satellite, as 2 does);
    // every component has at least one voxel.
    const total = (result) => result.labels.reduce((n, l) => n + l.voxels, 0);
    const largestOnly = total(await withPost({ min_component_voxels: total(plain) + 1 }));
    assert.ok(largestOnly > 0.99 * total(plain), `${largestOnly} of ${total(plain)} voxels kept`);
    assert.equal(largestOnly, total(await withPost({ min_component_voxels: 2 })));
    assert.equal(total(await withPost({ min_component_voxels: 1 })), total(plain));
    const keptAll = await core.segment(ids, { manifest: { ...firstStage, postprocess: { min_component_voxels: total(plain) + 1 } },
      runNetwork: voxelwise, keepSmallComponents: true });
    assert.equal(total(keptAll), total(plain), 'keepSmallComponents skips the clean-up');
  });

  describe('a two-stage model (refine section): the second network on the box around the first stage\'s tumour', () => {
    const cascade = { ...firstStage, refine: { model: { file: 'refine.onnx' }, input: { spatial_multiple: 8 }, box: { margin_voxels: 12, multiple: 8 } } };
    // The same voxel-wise network at full resolution over the whole window: what the second stage must give
    // inside its box.
    const fullResolution = { ...firstStage, preprocessing: { ...manifest.preprocessing, resample: { ...manifest.preprocessing.resample, spacing_mm: [1, 1, 1] } } };
    const same = (a, b) => core.scoreSegmentation(a.id, b.id).every((score) => score.dice === 1);

    test('inside the box the labels are the second network\'s at full resolution', async () => {
      const first = await run(null);
      const fine = await core.segment(ids, { manifest: fullResolution, runNetwork: voxelwise });
      const stages = [];
      const refined = await core.segment(ids, { manifest: cascade, runNetwork: voxelwise, runRefineNetwork: voxelwise, onProgress: (p) => stages.push(p.stage) });
      assert.ok(!same(first, fine), 'the coarse and the fine labels differ (the test would prove nothing otherwise)');
      assert.ok(same(refined, fine), 'the cascade gives the fine labels (the whole tumour lies inside the box)');
      assert.deepEqual([...new Set(stages)], [1, 2]);
      assert.equal(first.refine, null);
      assert.ok(refined.refine.box.every((n) => n % 8 === 0 && n >= 2 * 12), `box ${refined.refine.box}`);
      assert.equal(refined.refine.windows, 1);
    });

    test('mirrored and on windows, the second stage gives the same labels', async () => {
      const fine = await core.segment(ids, { manifest: cascade, runNetwork: voxelwise, runRefineNetwork: voxelwise });
      const mirrored = await core.segment(ids, { manifest: cascade, runNetwork: voxelwise, runRefineNetwork: voxelwise, mirror: true });
      const tiled = await core.segment(ids, { manifest: { ...cascade, refine: { ...cascade.refine, inference: { patch_voxels_ijk: [32, 32, 32] } } },
        runNetwork: voxelwise, runRefineNetwork: voxelwise });
      assert.equal(mirrored.passes, 4);
      assert.ok(same(mirrored, fine));
      assert.ok(tiled.refine.windows > 1, `${tiled.refine.windows} windows`);
      assert.ok(same(tiled, fine));
    });

    test('no tumour found: nothing to refine; no refine network: a clear error', async () => {
      const nothing = (tensor, dims) => new Float32Array(3 * dims[2] * dims[3] * dims[4]).fill(-5);
      const empty = await core.segment(ids, { manifest: cascade, runNetwork: nothing, runRefineNetwork: voxelwise });
      assert.deepEqual(empty.labels, []);
      assert.equal(empty.refine.box, null);
      await assert.rejects(core.segment(ids, { manifest: cascade, runNetwork: voxelwise }), /two-stage model needs its refine network/);
      await assert.rejects(core.segment(ids, { manifest: { ...cascade, refine: { ...cascade.refine, inference: { patch_voxels_ijk: [30, 32, 32] } } },
        runNetwork: voxelwise, runRefineNetwork: voxelwise }), /refine\.inference\.patch_voxels_ijk .* multiples of refine\.input\.spatial_multiple/);
    });

    // The first stage's modalities on the 1 mm working grid are kept for the second (resampled once per cascade).
    const thickDemo = (slice) => {
      const dir = mkdtempSync(join(scratch, `thick${slice}-`));
      return core.writeDemoCase(dir).filter((f) => f.role !== 'seg').map((f) => {
        const path = join(dir, `thick_${f.role}.nii.gz`);
        core.convert(f.path, path, { spacing: [1, 1, slice], interp: 'linear' });
        return core.load(path).id;
      });
    };

    test('on thick slices (resampled to 1 mm once) the cascade still gives the full-resolution labels', async () => {
      const thick = thickDemo(2);
      const fine = await core.segment(thick, { manifest: fullResolution, runNetwork: voxelwise });
      const refined = await core.segment(thick, { manifest: cascade, runNetwork: voxelwise, runRefineNetwork: voxelwise });
      assert.ok(refined.refine.box !== null);
      assert.ok(same(refined, fine), 'the cascade on the kept 1 mm modalities gives the fine labels');
      const again = await core.segment(thick, { manifest: cascade, runNetwork: voxelwise, runRefineNetwork: voxelwise });
      assert.ok(same(again, refined), 'a second run gives the same labels');
    });

    test('a modality released while the first network runs: a clear error, and the next cascade works', async () => {
      const thick = thickDemo(2);
      const releasing = (tensor, dims) => {
        core.release(thick[2]);
        return voxelwise(tensor, dims);
      };
      await assert.rejects(core.segment(thick, { manifest: cascade, runNetwork: releasing, runRefineNetwork: voxelwise }),
        new RegExp(`no loaded volume with id ${thick[2]}`));
      const fine = await core.segment(ids, { manifest: fullResolution, runNetwork: voxelwise });
      const refined = await core.segment(ids, { manifest: cascade, runNetwork: voxelwise, runRefineNetwork: voxelwise });
      assert.ok(same(refined, fine));
    });

    // The Session keeps one cascade's working modalities: a second cascade started while the first one's network
    // runs replaces them, and the first must then take its own again rather than box the other case's. The other
    // case is the demo with T1c and FLAIR swapped (the voxel-wise network reads those two), on the same grid.
    test('two cascades at once on different cases: each gets the labels it gets alone', async () => {
      const swapped = [ids[0], ids[3], ids[2], ids[1]];
      const segment = (volumes) => core.segment(volumes, { manifest: cascade, runNetwork: voxelwise, runRefineNetwork: voxelwise });
      const swappedAlone = await segment(swapped);
      const demoAlone = await segment(ids);
      assert.ok(swappedAlone.refine.box !== null && !same(swappedAlone, demoAlone),
        'both cases are refined and their labels differ (the test would prove nothing otherwise)');
      const [swappedTogether, demoTogether] = await Promise.all([segment(swapped), segment(ids)]);
      assert.ok(same(swappedTogether, swappedAlone), 'the swapped case, interleaved');
      assert.ok(same(demoTogether, demoAlone), 'the demo case, interleaved');
    });
  });

  test('a bad window size in the manifest is refused clearly', async () => {
    await assert.rejects(run({ patch_voxels_ijk: [40, 48] }), /inference\.patch_voxels_ijk must be three positive whole numbers/);
    await assert.rejects(run({ patch_voxels_ijk: [40, 48, 40], overlap: 1 }), /window overlap must be in \[0, 1\)/);
    await assert.rejects(run({ patch_voxels_ijk: [44, 48, 40] }), /\[44,48,40\] .* must be multiples of input\.spatial_multiple \(8\)/);
  });

  test('the shipped model on two windows of a real case', { skip: heldOut ? skipWithoutSharedData(bratsCase(heldOut).files.seg) : 'no held-out case' }, async () => {
    const brats = bratsCase(heldOut);
    const modalities = ['t1', 't1ce', 't2', 'flair'].map((m) => core.load(brats.files[m]).id);
    const truth = core.load(brats.files.seg).id;
    // Every network of the shipped model, its first stage on two windows.
    const loaded = await Promise.all(networks.map(({ file }) => loadNodeNetwork(join(modelDir, file))));
    const [network, refineNetwork] = loaded;
    const result = await core.segment(modalities, {
      manifest: { ...manifest, inference: { patch_voxels_ijk: [80, 96, 56], overlap: 0.5 } },
      runNetwork: (tensor, dims) => network.run(tensor, dims),
      runRefineNetwork: refineNetwork && ((tensor, dims) => refineNetwork.run(tensor, dims)),
    });
    for (const n of loaded) n.release();
    assert.equal(result.windows, 2);
    const wt = core.scoreSegmentation(result.id, truth).find((s) => s.region === 'WT');
    const validated = manifest.validation.held_out.per_case[heldOut].WT.dice;
    console.log(`# WT Dice on ${heldOut}, first stage on two 80x96x56 windows: ${wt.dice.toFixed(4)} (one window, validation: ${validated})`);
    assert.ok(wt.dice >= validated - 0.05, `WT Dice ${wt.dice.toFixed(3)} >= ${validated} - 0.05`);
  });
});
