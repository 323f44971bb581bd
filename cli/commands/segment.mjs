// gliolens segment: the glioma network on four modalities -> BraTS labels as NIfTI in the input's space; with the FLAIR
// but not all of T1, T1c and T2, the FLAIR-only network -> the FLAIR abnormality (one label) on the FLAIR's grid.
import { resolve } from 'node:path';

import { UsageError } from '../usage-error.mjs';
import { readModelDir } from '../model-dir.mjs';
import { loadNodeNetwork } from '../onnx-node.mjs';
import { openFlairModel, segmentFlairFile } from '../flair.mjs';
import { labelsOnT1cGrid, releasePrepared } from '../prepare.mjs';
import { prepareOptions, prepareWithWasm } from './prepare.mjs';

export const help = `usage: gliolens segment --t1 A --t1ce B --t2 C --flair D --out seg.nii.gz [--model DIR] [--mirror]
       [--keep-small-components] [--threads N]
       gliolens segment --flair D --out mask.nii.gz [--t2 C] [--flair-model DIR] [--threads N]
       gliolens segment --raw --t1 A --t1c B --t2 C --flair D --out seg.nii.gz [--out-sri24 S.nii.gz] [--prepare-out DIR] [--template F]
       [--brain-mask M] [--atlas-transform rigid|affine]
  labels 1 necrotic/non-enhancing core, 2 edema, 4 enhancing tumour; prints the label volumes and timings;
  --model DIR: a folder with manifest.json and its ONNX (a manifest with a refine section names a second, 1 mm network: the cascade);
  --keep-small-components skips the model's clean-up of tumour components under its postprocess.min_component_voxels;
  --raw: the inputs are raw scans (NIfTI files or DICOM folders, any grid, not stripped): gliolens prepare runs first
  (brain extraction, registration onto SRI24) and --out gets the labels on the T1c's own grid (nearest);
  --out-sri24 S also writes them in SRI24 space, --prepare-out DIR keeps what prepare writes; --brain-mask and
  --atlas-transform as gliolens prepare's;
  without all of T1, T1c and T2 (--flair alone, or with some of them): the FLAIR-only model (models/flair_seg, or
  --flair-model DIR) segments the FLAIR abnormality (= whole tumour) from the FLAIR alone: label 1 on the FLAIR's own
  grid, its volume in mL; the sequences given beside the FLAIR are not used (the output says so)`;
export const options = {
  t1: { type: 'string' }, t1ce: { type: 'string' }, t2: { type: 'string' }, flair: { type: 'string' },
  out: { type: 'string' }, model: { type: 'string' }, mirror: { type: 'boolean' },
  'keep-small-components': { type: 'boolean' }, threads: { type: 'string' },
  raw: { type: 'boolean' }, t1c: { type: 'string' }, 'out-sri24': { type: 'string' }, 'prepare-out': { type: 'string' },
  template: { type: 'string' }, 'brain-model': { type: 'string' }, 'flair-model': { type: 'string' },
  ...prepareOptions(),
};

const SEQUENCES = { t1: 'T1', t1ce: 'T1c', t2: 'T2', flair: 'FLAIR' };

export async function run({ core, values }) {
  if (values.raw && values.flair && !['t1', 't1c', 't2'].every((key) => values[key])) {
    throw new UsageError('--raw prepares all four sequences (--t1 --t1c --t2 --flair); a FLAIR alone needs no preparation: drop --raw and the FLAIR-only model reads it as it is');
  }
  if (values.raw) return runRaw({ core, values });
  if (values['out-sri24'] || values['prepare-out'] || values['brain-mask'] || values['atlas-transform']) {
    throw new UsageError('--out-sri24, --prepare-out, --brain-mask and --atlas-transform need --raw');
  }
  const missing = Object.keys(SEQUENCES).filter((key) => !values[key]);
  if (missing.length && values.flair) return runFlairOnly({ core, values, missing });
  if (missing.length) {
    throw new UsageError(`give all four sequences (--t1 --t1ce --t2 --flair) for the sub-region model, or --flair for the FLAIR-only model; missing: ${missing.map((key) => `--${key}`).join(' ')}`);
  }
  if (!values.out) throw new UsageError('--out is required');
  if (values['flair-model']) throw new UsageError('--flair-model is for the FLAIR-only model, which runs when T1, T1c or T2 is not given');
  const started = performance.now();
  const ids = [];
  try {
    for (const key of ['t1', 't1ce', 't2', 'flair']) ids.push(core.load(resolve(values[key]), values[key]).id);
    const loadSeconds = (performance.now() - started) / 1000;
    const result = await segmentLoaded({ core, values, ids, out: resolve(values.out) });
    return { ...result, seconds: { load: loadSeconds, ...result.seconds, total: (performance.now() - started) / 1000 } };
  } finally {
    // gliolens batch segments case after case in one core: what a case loaded must not outlive it.
    for (const id of ids) core.release(id);
  }
}

// The FLAIR alone (T1, T1c or T2 not given): the FLAIR-only model, one label (the FLAIR abnormality) on the FLAIR's grid.
async function runFlairOnly({ core, values, missing }) {
  if (!values.out) throw new UsageError('--out is required');
  for (const flag of ['model', 'mirror', 'keep-small-components']) {
    if (values[flag]) throw new UsageError(`--${flag} is for the sub-region model, which needs all four sequences; the FLAIR-only model is chosen with --flair-model DIR`);
  }
  const started = performance.now();
  const model = await openFlairModel(core, values['flair-model'], { threads: Number(values.threads ?? 1) });
  let result;
  try {
    result = await segmentFlairFile(core, model, values.flair, values.out);
  } finally {
    model.release();
  }
  const unused = Object.keys(SEQUENCES).filter((key) => key !== 'flair' && values[key]).map((key) => SEQUENCES[key]);
  return {
    output: result.mask,
    model: model.model,
    reason: `${missing.map((key) => SEQUENCES[key]).join(', ')} not given: FLAIR-only model`,
    ...(unused.length ? { notUsed: `${unused.join(', ')} given but not used: the FLAIR-only model reads the FLAIR alone` } : {}),
    region: result.region,
    backend: model.backend,
    slices: result.slices,
    labels: result.labels,
    mL: result.mL,
    warnings: result.warnings,
    seconds: { network: model.networkSeconds(), total: (performance.now() - started) / 1000 },
  };
}

// Raw scans: prepared into SRI24 first, segmented there, the labels carried back onto the T1c's own grid.
async function runRaw({ core, values }) {
  if (!values.out) throw new UsageError('--out is required');
  const started = performance.now();
  const prepared = await prepareWithWasm(core, values, values['prepare-out'] ? resolve(values['prepare-out']) : null);
  const sri24Ids = ['t1', 't1ce', 't2', 'flair'].map((role) => prepared.ids[role]);
  const extra = [];
  try {
    const result = await segmentLoaded({ core, values, ids: sri24Ids, out: values['out-sri24'] ? resolve(values['out-sri24']) : null, keep: extra });
    const onT1c = labelsOnT1cGrid(core, prepared, extra[0]);
    extra.push(onT1c);
    core.saveVolume(onT1c, resolve(values.out), 'uint8');
    return {
      ...result,
      output: resolve(values.out),
      ...(values['out-sri24'] ? { outputSri24: resolve(values['out-sri24']) } : {}),
      labelsOnT1c: core.labelVolumes(onT1c),
      prepare: prepared.summary,
      warnings: [...prepared.summary.warnings, ...result.warnings],
      seconds: { ...result.seconds, prepare: prepared.summary.seconds.total, total: (performance.now() - started) / 1000 },
    };
  } finally {
    for (const id of extra) core.release(id);
    releasePrepared(core, prepared);
  }
}

// The network on four loaded volumes; the labels written to `out` when given; their id pushed onto `keep` when given
// (else released).
async function segmentLoaded({ core, values, ids, out, keep = null }) {
  const { manifest, modelPath, refineModelPath } = readModelDir(core, values.model);
  const started = performance.now();
  const threads = Number(values.threads ?? 1);
  const network = await loadNodeNetwork(modelPath, { threads });
  const refineNetwork = refineModelPath ? await loadNodeNetwork(refineModelPath, { threads }) : null;
  let networkMs = 0;
  const timed = (net) => async (tensor, dims) => {
    const t = performance.now();
    const logits = await net.run(tensor, dims);
    networkMs += performance.now() - t;
    return logits;
  };
  let result;
  try {
    result = await core.segment(ids, {
      manifest,
      mirror: Boolean(values.mirror),
      keepSmallComponents: Boolean(values['keep-small-components']),
      runNetwork: timed(network),
      runRefineNetwork: refineNetwork ? timed(refineNetwork) : undefined,
    });
  } finally {
    network.release();
    refineNetwork?.release();
  }
  if (out) core.saveVolume(result.id, out, 'uint8');
  const labels = result.labels;
  if (keep) keep.push(result.id); else core.release(result.id);
  return {
    ...(out ? { output: out } : {}),
    model: { name: manifest.name, version: manifest.version },
    backend: network.backend,
    passes: result.passes,
    windows: result.windows,
    ...(result.refine ? { refine: result.refine } : {}),
    labels,
    warnings: result.warnings,
    seconds: { network: networkMs / 1000, total: (performance.now() - started) / 1000 },
  };
}
