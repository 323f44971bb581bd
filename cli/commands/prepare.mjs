// gliolens prepare --t1 A --t1c B --t2 C --flair D --out DIR: raw scans (NIfTI files or DICOM folders) -> the four
// sequences stripped in SRI24 space, the brain mask and the transforms (cli/prepare.mjs, docs/prepare.md).
import { resolve } from 'node:path';

import { loadNodeNetwork } from '../onnx-node.mjs';
import { ATLAS_TRANSFORMS } from '../../wasm/prepare.mjs';
import { prepare, sequences } from '../prepare.mjs';
import { UsageError } from '../usage-error.mjs';
import { readBrainModelDir } from './brain.mjs';

export const help = `usage: gliolens prepare --t1 A --t1c B --t2 C --flair D --out DIR [--template F] [--brain-model DIR] [--threads N]
                        [--brain-mask M] [--atlas-transform rigid|affine]
  each input a NIfTI file or a folder of DICOM holding one series; steps: DICOM conversion, brain extraction of the
  T1c (MindGrab, models/mindgrab), T1/T2/FLAIR rigidly onto the T1c, the T1c rigidly onto the SRI24 template (as BraTS
  places its cases; --atlas-transform affine: 12 parameters), each sequence resampled once onto the template's 1 mm
  grid and stripped; --brain-mask M: a brain mask of the T1c (on its grid, from another tool) instead of MindGrab;
  DIR gets t1, t1ce, t2, flair .nii.gz (SRI24), brain_mask.nii.gz (SRI24), brain_mask_t1ce.nii.gz (the T1c's grid),
  t1ce_to_sri24.txt and t1/t2/flair_to_t1ce.txt (gliolens register's transform text);
  --template F: the SRI24 T1 brain template (default: the shared reference data's atlas/sri24/sri24_t1_brain.nii.gz)
  prints per-step seconds, each registration's normalised mutual information and overlap, and warnings as JSON`;
export const options = {
  t1: { type: 'string' }, t1c: { type: 'string' }, t1ce: { type: 'string' }, t2: { type: 'string' }, flair: { type: 'string' },
  out: { type: 'string' }, template: { type: 'string' }, 'brain-model': { type: 'string' }, threads: { type: 'string' },
  ...prepareOptions(),
};

// The options gliolens segment --raw shares with prepare.
export function prepareOptions() {
  return { 'brain-mask': { type: 'string' }, 'atlas-transform': { type: 'string' } };
}

function atlasTransform(values) {
  const kind = values['atlas-transform'] ?? 'rigid';
  if (!ATLAS_TRANSFORMS.includes(kind)) throw new UsageError(`--atlas-transform ${kind}: use ${ATLAS_TRANSFORMS.join(' or ')}`);
  return kind;
}

// The four inputs (--t1c or --t1ce), checked: shared with gliolens segment --raw.
export function preparedInputs(values) {
  const inputs = { t1: values.t1, t1ce: values.t1ce ?? values.t1c, t2: values.t2, flair: values.flair };
  for (const role of sequences) if (!inputs[role]) throw new UsageError(`--${role === 't1ce' ? 't1c' : role} is required`);
  return inputs;
}

// Runs the Prepare flow with MindGrab on ONNX Runtime Web (WebAssembly) in Node, or with the brain mask given.
export async function prepareWithWasm(core, values, out) {
  const { manifest, manifestPath, modelPath } = readBrainModelDir(core, values['brain-model']);
  const network = values['brain-mask'] ? null : await loadNodeNetwork(modelPath, { threads: Number(values.threads ?? 1) });
  try {
    const prepared = await prepare(core, {
      inputs: preparedInputs(values),
      out,
      ...(values.template ? { template: values.template } : {}),
      brainManifest: manifest,
      brainSource: manifestPath,
      runBrainNetwork: network?.run,
      atlasTransform: atlasTransform(values),
      brainMask: values['brain-mask'] ?? null,
    });
    if (network) prepared.summary.brain.backend = network.backend;
    return prepared;
  } finally {
    network?.release();
  }
}

export async function run({ core, values }) {
  if (!values.out) throw new UsageError('--out DIR is required');
  preparedInputs(values);
  atlasTransform(values);
  const { summary } = await prepareWithWasm(core, values, resolve(values.out));
  return summary;
}
