// Brain extraction (MindGrab in ONNX, models/mindgrab) through the CLI on a real clinical study as it came off the
// scanner: the T1c of TCGA-FG-6692 (0.9 x 0.9 x 5.5 mm, not registered, not stripped) against its reference brain
// mask from another tool. Runs the network on the whole 256^3 cube at 1 mm: about 150 s on 2 cores.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { createGliolens } from '../../wasm/node.mjs';
import { projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';

const study = join(sharedData, 'raw', 'TCGA-FG-6692');
const t1c = join(study, 't1c.nii.gz');
const reference = join(study, 't1c_brain_mask_reference.nii.gz');
const scratch = mkdtempSync(join(tmpdir(), 'gliolens-brain-test-'));

function gliolens(...args) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], { encoding: 'utf8' });
  return { ...result, json: result.status === 0 ? JSON.parse(result.stdout) : null };
}

test('gliolens brain: the T1c brain mask of TCGA-FG-6692 against its reference (Dice >= 0.95, issue 29)',
  { skip: skipWithoutSharedData(t1c, reference) }, async () => {
    const mask = join(scratch, 'mask.nii.gz');
    const stripped = join(scratch, 'stripped.nii.gz');
    const started = performance.now();
    const run = gliolens('brain', t1c, mask, '--stripped', stripped, '--threads', '2');
    const seconds = (performance.now() - started) / 1000;
    assert.equal(run.status, 0, run.stderr);
    const core = await createGliolens();
    const ours = core.load(mask);
    const truth = core.load(reference);
    const [whole] = core.scoreSegmentation(ours.id, truth.id);
    const [oursMl] = core.labelVolumes(ours.id);
    const [truthMl] = core.labelVolumes(truth.id);
    console.log(`# TCGA-FG-6692 T1c brain mask: Dice ${whole.dice.toFixed(4)} against the reference, HD95 ${whole.hd95?.toFixed(1)} mm; ` +
                `brain ${oursMl.mL.toFixed(0)} mL (reference ${truthMl.mL.toFixed(0)} mL); network input ${run.json.networkInput.join('x')}; ` +
                `network ${run.json.seconds.network.toFixed(1)} s, CLI ${seconds.toFixed(1)} s`);
    // The mask and the stripped scan lie on the scan's own grid, and so does the reference.
    assert.equal(core.compareGrids([t1c, mask, stripped, reference]).same, true);
    assert.ok(whole.dice >= 0.95, `Dice ${whole.dice} < 0.95`);
  });

test('gliolens brain names the file it cannot read', () => {
  const run = gliolens('brain', join(scratch, 'absent.nii.gz'), join(scratch, 'mask.nii.gz'));
  assert.equal(run.status, 1);
  assert.match(run.stderr, /absent\.nii\.gz/);
});

test('gliolens brain refuses a model folder whose manifest has an unknown key, naming the file and the key', () => {
  const run = gliolens('brain', t1c, join(scratch, 'mask.nii.gz'), '--model', join(projectRoot, 'models', 'glioma_seg'));
  assert.equal(run.status, 1);
  assert.match(run.stderr, /glioma_seg\/manifest\.json: not a Gliolens brain extraction manifest/);
});
