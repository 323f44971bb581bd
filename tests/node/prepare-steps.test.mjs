// The Prepare flow's shared steps (wasm/prepare.mjs, which the CLI and the page's Worker both run) stop cleanly: a
// cancel before a step and a brain extraction that finds nothing end with what the flow made released, and errors
// name the scan. The brain-extraction network is a stand-in here (it answers "background" everywhere): no real network
// runs, so this file is light; the real flow on a raw study is tests/node/prepare.test.mjs and tests/e2e/prepare.test.mjs.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { readBrainModelDir } from '../../cli/commands/brain.mjs';
import { STEPS, invertAffine, looksWrong, multiply, prepareLoaded } from '../../wasm/prepare.mjs';
import { createGliolens } from '../../wasm/node.mjs';

const core = await createGliolens();
const dir = mkdtempSync(join(tmpdir(), 'gliolens-prepare-steps-'));
const demo = Object.fromEntries(core.writeDemoCase(dir).map(({ role, path }) => [role, core.load(path).id]));
const scans = { t1: demo.t1, t1ce: demo.t1c, t2: demo.t2, flair: demo.flair };
const names = { t1: 'demo_t1.nii.gz', t1ce: 'demo_t1ce.nii.gz', t2: 'demo_t2.nii.gz', flair: 'demo_flair.nii.gz' };
const brainModel = readBrainModelDir(core);
// Logits [1, 2, ...] laid out channel by channel: background far above brain everywhere.
const noBrainNetwork = async (tensor) => {
  const logits = new Float32Array(2 * tensor.length);
  logits.fill(10, 0, tensor.length).fill(-10, tensor.length);
  return logits;
};
const flow = (options) => prepareLoaded(core, { scans, names, templateId: demo.t1, brainManifest: brainModel.manifest,
  brainSource: brainModel.manifestPath, runBrainNetwork: noBrainNetwork, ...options });

test('a stop asked before the first step: CancelledError, no step started, nothing left loaded', async () => {
  const before = core.loadedCount;
  const started = [];
  await assert.rejects(flow({ shouldStop: async () => true, onStep: (s) => started.push(s) }), { name: 'CancelledError' });
  assert.deepEqual(started, []);
  assert.equal(core.loadedCount, before);
});

test('a brain extraction that finds no brain stops the flow, naming the T1c, and its mask is released', async () => {
  const before = core.loadedCount;
  const started = [];
  await assert.rejects(flow({ onStep: (s) => started.push(s) }),
    /^Error: demo_t1ce\.nii\.gz: brain extraction found no brain in this scan \(is it a head MRI\?\)$/);
  assert.deepEqual(started, [STEPS[0].id]);
  assert.equal(core.loadedCount, before);
});

test('a missing sequence is named before anything runs', async () => {
  await assert.rejects(prepareLoaded(core, { scans: { ...scans, flair: undefined }, templateId: demo.t1 }),
    /^Error: FLAIR missing: Prepare needs T1, T1c, T2 and FLAIR$/);
});

test('the matrices: an affine times its inverse is the identity; the warnings that say a registration looks wrong', () => {
  const m = [[0.9, 0.1, 0, 12], [-0.1, 1.1, 0.05, -3], [0, 0.02, 1.05, 40], [0, 0, 0, 1]];
  multiply(m, invertAffine(m)).flat().forEach((v, i) => assert.ok(Math.abs(v - [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1][i]) < 1e-12));
  assert.equal(looksWrong('mutual information is lower than at the start: the registration probably failed'), true);
  assert.equal(looksWrong('the result rotates by 45 degrees: more than a head turns in a scanner, check the overlay'), true);
  assert.equal(looksWrong("only 84% of the fixed image's sampled voxels map inside 't2': the images may cover different regions or the result is off"), false);
});
