// gliolens segment: the glioma network on four modalities -> BraTS labels as NIfTI in the input's space.
import { resolve } from 'node:path';

import { UsageError } from '../usage-error.mjs';
import { readModelDir } from '../model-dir.mjs';
import { loadNodeNetwork } from '../onnx-node.mjs';

export const help = `usage: gliolens segment --t1 A --t1ce B --t2 C --flair D --out seg.nii.gz [--model DIR] [--mirror]
       [--keep-small-components] [--threads N]
  labels 1 necrotic/non-enhancing core, 2 edema, 4 enhancing tumour; prints the label volumes and timings;
  --model DIR: a folder with manifest.json and its ONNX (a manifest with a refine section names a second, 1 mm network: the cascade);
  --keep-small-components skips the model's clean-up of tumour components under its postprocess.min_component_voxels`;
export const options = {
  t1: { type: 'string' }, t1ce: { type: 'string' }, t2: { type: 'string' }, flair: { type: 'string' },
  out: { type: 'string' }, model: { type: 'string' }, mirror: { type: 'boolean' },
  'keep-small-components': { type: 'boolean' }, threads: { type: 'string' },
};

export async function run({ core, values }) {
  for (const key of ['t1', 't1ce', 't2', 'flair', 'out']) if (!values[key]) throw new UsageError(`--${key} is required`);
  const { manifest, modelPath, refineModelPath } = readModelDir(core, values.model);
  const started = performance.now();
  const ids = [];
  try {
    for (const key of ['t1', 't1ce', 't2', 'flair']) ids.push(core.load(resolve(values[key]), values[key]).id);
    const loaded = performance.now();
    const threads = Number(values.threads ?? 1);
    const network = await loadNodeNetwork(modelPath, { threads });
    const refineNetwork = refineModelPath ? await loadNodeNetwork(refineModelPath, { threads }) : null;
    let networkMs = 0;
    const timed = (net) => async (tensor, dims) => {
      const t = performance.now();
      const out = await net.run(tensor, dims);
      networkMs += performance.now() - t;
      return out;
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
    ids.push(result.id);
    core.saveVolume(result.id, resolve(values.out), 'uint8');
    return {
      output: resolve(values.out),
      model: { name: manifest.name, version: manifest.version },
      backend: network.backend,
      passes: result.passes,
      windows: result.windows,
      ...(result.refine ? { refine: result.refine } : {}),
      labels: result.labels,
      warnings: result.warnings,
      seconds: { load: (loaded - started) / 1000, network: networkMs / 1000, total: (performance.now() - started) / 1000 },
    };
  } finally {
    // gliolens batch segments case after case in one core: what a case loaded must not outlive it.
    for (const id of ids) core.release(id);
  }
}
