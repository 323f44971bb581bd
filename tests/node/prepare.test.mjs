// The Prepare flow (issue 29 item 4, cli/prepare.mjs) on a real clinical study as it came off the scanner: TCGA-FG-6692
// (T1, T1c, T2, FLAIR at 0.9 x 0.9 x 5.5 mm, not registered, not stripped) prepared into SRI24 space and segmented.
// The brain mask is the study's reference mask given with --brain-mask, and the tumour networks run in onnxruntime-node's
// native engine through the injectable runner, to keep the suite's 25-minute budget: MindGrab runs once in the suite,
// in the page (tests/e2e/prepare.test.mjs, which holds the brain-extraction Dice check) through the same steps
// (wasm/prepare.mjs).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { readModelDir } from '../../cli/model-dir.mjs';
import { labelsOnT1cGrid, loadScan, prepare, releasePrepared } from '../../cli/prepare.mjs';
import { parseTransformText } from '../../cli/transform-text.mjs';
import { createGliolens } from '../../wasm/node.mjs';
import { projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';

const study = join(sharedData, 'raw', 'TCGA-FG-6692');
const inputs = { t1: join(study, 't1.nii.gz'), t1ce: join(study, 't1c.nii.gz'), t2: join(study, 't2.nii.gz'), flair: join(study, 'flair.nii.gz') };
const brainReference = join(study, 't1c_brain_mask_reference.nii.gz');
const expertLabels = join(sharedData, 'radiogenomics', 'tcga', 'masks', 'TCGA-FG-6692.nii.gz');
const template = join(sharedData, 'atlas', 'sri24', 'sri24_t1_brain.nii.gz');
const dicomStudy = join(sharedData, 'dicom', 'dcm_qa_nih', 'In', '20180918GE');
const scratch = mkdtempSync(join(tmpdir(), 'gliolens-prepare-test-'));

async function nativeRunner(ort, modelPath) {
  const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 2, graphOptimizationLevel: 'all' });
  return {
    run: async (tensor, dims) => (await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', tensor, dims) }))[session.outputNames[0]].data,
    release: () => session.release(),
  };
}

function gliolens(...args) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], { encoding: 'utf8' });
  return { ...result, json: result.status === 0 ? JSON.parse(result.stdout) : null };
}

test('TCGA-FG-6692 from raw with its reference brain mask: prepare (rigidly onto SRI24, files and transforms) and segment (whole-tumour Dice in SRI24, issue 29)',
  { skip: skipWithoutSharedData(...Object.values(inputs), brainReference, expertLabels, template) }, async () => {
    const ort = await import('onnxruntime-node');
    const core = await createGliolens();
    const started = performance.now();
    const out = join(scratch, 'prepared');
    const prepared = await prepare(core, { inputs, out, template, brainMask: brainReference });
    const { summary } = prepared;
    console.log(`# prepare: ${JSON.stringify({ seconds: summary.seconds, brain: summary.brain, warnings: summary.warnings })}`);
    for (const [name, r] of Object.entries(summary.registrations)) {
      console.log(`# ${name}: ${r.kind}, normalised MI ${r.normalizedMutualInformation.toFixed(3)}, overlap ${r.overlap.toFixed(3)}`);
    }

    // (a) The brain mask given, written back on the T1c's own grid; the T1c laid rigidly on the template (BraTS space).
    assert.equal(core.compareGrids([inputs.t1ce, summary.files.brainMask, brainReference]).same, true);
    assert.equal(summary.brain.given, true);
    const truthBrain = core.load(brainReference);
    assert.equal(core.scoreSegmentation(prepared.ids.brainMask, truthBrain.id)[0].dice, 1);
    assert.equal(summary.registrations['t1ce->sri24'].kind, 'rigid');
    // The check view's number: the reference brain carried onto SRI24 covers the template's brain.
    const { templateBrainDice } = summary.registrations['t1ce->sri24'];
    console.log(`# the T1c's reference brain in SRI24 against the template's brain: Dice ${templateBrainDice.toFixed(4)}`);
    assert.ok(templateBrainDice > 0.9, `brain overlap with the template: Dice ${templateBrainDice}`);
    assert.match(readFileSync(summary.files.t1ce_to_sri24, 'utf8'), /rigid/);

    // What prepare wrote: the four sequences and the mask on the template's grid, the transforms as text.
    for (const role of ['t1', 't1ce', 't2', 'flair']) assert.equal(core.compareGrids([template, summary.files[role]]).same, true, role);
    assert.equal(core.compareGrids([template, summary.files.brainMaskSri24]).same, true);
    for (const name of ['t1ce_to_sri24', 't1_to_t1ce', 't2_to_t1ce', 'flair_to_t1ce']) {
      assert.equal(parseTransformText(readFileSync(summary.files[name], 'utf8'), name).length, 4);
    }

    // (b) Segmented in SRI24 space, against the expert labels there; and carried back onto the T1c's own grid.
    const segModel = readModelDir(core);
    const network = await nativeRunner(ort, segModel.modelPath);
    const refine = segModel.refineModelPath ? await nativeRunner(ort, segModel.refineModelPath) : null;
    let labels;
    try {
      labels = await core.segment(['t1', 't1ce', 't2', 'flair'].map((r) => prepared.ids[r]),
        { manifest: segModel.manifest, runNetwork: network.run, runRefineNetwork: refine?.run });
    } finally {
      await network.release();
      await refine?.release();
    }
    // The expert labels carry BraTS's header (LPS, origin at voxel j = 239) and the template its own (LAS): the same
    // 1 mm grid read through world coordinates, so they are laid on the template's voxels by the identity (nearest).
    const expert = core.load(expertLabels);
    const identity = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    const expertOnTemplate = core.resampleThrough(expert.id, labels.id, identity, { interp: 'nearest' });
    assert.equal(core.labelVolumes(expertOnTemplate).reduce((n, l) => n + l.voxels, 0), core.labelVolumes(expert.id).reduce((n, l) => n + l.voxels, 0));
    const scores = core.scoreSegmentation(labels.id, expertOnTemplate);
    const whole = scores[0];
    const onT1c = labelsOnT1cGrid(core, prepared, labels.id);
    const onT1cFile = join(scratch, 'labels_t1c.nii.gz');
    core.saveVolume(onT1c, onT1cFile, 'uint8');
    const seconds = (performance.now() - started) / 1000;
    console.log(`# TCGA-FG-6692 from raw, labels in SRI24 against the expert's: ${scores.map((s) => `${s.region} Dice ${s.dice.toFixed(3)}`).join(', ')}` +
                ` (goal whole tumour >= 0.80); labels on the T1c grid ${core.labelVolumes(onT1c).map((l) => `${l.label}: ${l.mL.toFixed(1)} mL`).join(', ')}; ` +
                `${seconds.toFixed(1)} s with onnxruntime-node on 2 threads`);
    assert.ok(Number.isFinite(whole.dice) && whole.dice > 0, `whole-tumour Dice ${whole.dice}`);
    assert.equal(core.compareGrids([inputs.t1ce, onT1cFile]).same, true);
    releasePrepared(core, prepared);
  });

test('gliolens prepare refuses a brain mask on another grid than the T1c\'s, and an unknown atlas transform', { skip: skipWithoutSharedData(...Object.values(inputs), template) }, () => {
  const wrongGrid = gliolens('prepare', '--t1', inputs.t1, '--t1c', inputs.t1ce, '--t2', inputs.t2, '--flair', inputs.flair,
    '--out', join(scratch, 'none'), '--template', template, '--brain-mask', inputs.t2);
  assert.equal(wrongGrid.status, 1);
  assert.match(wrongGrid.stderr, /t2\.nii\.gz: the brain mask is not on the T1c's grid \(224x256x26 against 256x224x26, or another affine\); give a mask of .*t1c\.nii\.gz/);
  const shear = gliolens('prepare', '--t1', inputs.t1, '--t1c', inputs.t1ce, '--t2', inputs.t2, '--flair', inputs.flair,
    '--out', join(scratch, 'none'), '--atlas-transform', 'shear');
  assert.equal(shear.status, 2);
  assert.match(shear.stderr, /--atlas-transform shear: use rigid or affine/);
  assert.equal(existsSync(join(scratch, 'none')), false);
});

test('gliolens prepare names a missing input', () => {
  const run = gliolens('prepare', '--t1', join(scratch, 'absent.nii.gz'), '--t1c', inputs.t1ce, '--t2', inputs.t2, '--flair', inputs.flair,
    '--out', join(scratch, 'none'), '--template', template);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /absent\.nii\.gz: no such file or folder \(--t1\)/);
});

test('gliolens prepare says where the template is missing', () => {
  const run = gliolens('prepare', '--t1', inputs.t1, '--t1c', inputs.t1ce, '--t2', inputs.t2, '--flair', inputs.flair,
    '--out', join(scratch, 'none'), '--template', join(scratch, 'no_template.nii.gz'));
  assert.equal(run.status, 1);
  assert.match(run.stderr, /no_template\.nii\.gz: SRI24 T1 brain template not found; give it with --template FILE/);
  assert.equal(existsSync(join(scratch, 'none')), false);
});

test('gliolens prepare wants all four sequences', () => {
  const run = gliolens('prepare', '--t1', inputs.t1, '--t2', inputs.t2, '--flair', inputs.flair, '--out', join(scratch, 'none'));
  assert.equal(run.status, 2);
  assert.match(run.stderr, /--t1c is required/);
});

test('gliolens prepare refuses a DICOM folder holding two series, naming the folder', { skip: skipWithoutSharedData(dicomStudy, inputs.t1ce) }, () => {
  const run = gliolens('prepare', '--t1', dicomStudy, '--t1c', inputs.t1ce, '--t2', inputs.t2, '--flair', inputs.flair, '--out', join(scratch, 'none'));
  assert.equal(run.status, 1);
  assert.match(run.stderr, /20180918GE: 2 DICOM series \(.*\) in the --t1 folder; give a folder with exactly one series/);
});

test('a DICOM folder holding one series is converted and loaded as a scan', { skip: skipWithoutSharedData(join(dicomStudy, 'mr_0004')) }, async () => {
  const core = await createGliolens();
  const scan = await loadScan(core, join(dicomStudy, 'mr_0004'), 't2');
  assert.equal(scan.source, join(dicomStudy, 'mr_0004'));
  console.log(`# DICOM mr_0004: dims ${scan.header.dims.join('x')}, ${scan.header.orientation}`);
  assert.ok(scan.header.dims.slice(0, 3).every((n) => n > 1), `dims ${scan.header.dims}`);
  core.release(scan.id);
});
