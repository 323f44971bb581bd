// gliolens brain's handling of files and model folders. The brain-extraction Dice check (the T1c of TCGA-FG-6692
// against its reference brain mask, >= 0.95) lives in prepare.test.mjs, which runs MindGrab once for the whole Prepare
// flow (the network sees a 256^3 cube: about 60 s in onnxruntime-node's native engine, 140 s in ONNX Runtime Web's
// WebAssembly), to fit the suite's 25-minute budget; the WebAssembly engine on this network is checked by
// brain-extraction-parity.test.mjs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { projectRoot, sharedData } from '../support/paths.mjs';

const study = join(sharedData, 'raw', 'TCGA-FG-6692');
const t1c = join(study, 't1c.nii.gz');
const scratch = mkdtempSync(join(tmpdir(), 'gliolens-brain-test-'));

function gliolens(...args) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], { encoding: 'utf8' });
  return { ...result, json: result.status === 0 ? JSON.parse(result.stdout) : null };
}

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
