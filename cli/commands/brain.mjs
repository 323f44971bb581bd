// gliolens brain IN OUT_mask: brain extraction (MindGrab, models/mindgrab) of one head scan of any contrast -> a 0/1
// brain mask on the scan's own grid, and with --stripped the scan with everything outside the brain set to 0.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { UsageError } from '../usage-error.mjs';
import { loadNodeNetwork } from '../onnx-node.mjs';

export const bundledBrainModelDir = fileURLToPath(new URL('../../models/mindgrab/', import.meta.url));

export const help = `usage: gliolens brain IN.nii.gz OUT_mask.nii.gz [--stripped OUT.nii.gz] [--model DIR] [--threads N]
  brain extraction of a head MRI of any contrast (not registered, not skull-stripped): the scan is conformed to the
  network's 1 mm grid, the network runs with ONNX Runtime, and the brain mask (uint8 0/1) is written on the scan's own grid;
  --stripped also writes the scan with every voxel outside the mask set to 0;
  --model DIR: a folder with a brain-extraction manifest.json and its ONNX (default: models/mindgrab)`;
export const options = { stripped: { type: 'string' }, model: { type: 'string' }, threads: { type: 'string' } };

// The brain-extraction model folder, its manifest read (and checked) by the core.
export function readBrainModelDir(core, dir = bundledBrainModelDir) {
  const manifestPath = join(resolve(dir), 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath}: no brain-extraction manifest`);
  const manifest = core.readBrainExtractionManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
  const modelPath = join(resolve(dir), manifest.model.file);
  if (!existsSync(modelPath)) throw new Error(`${modelPath}: model file named by the manifest is missing`);
  return { manifest, manifestPath, modelPath };
}

export async function run({ core, values, positionals }) {
  const [input, output] = positionals;
  if (!input || !output || positionals.length > 2) throw new UsageError('give the scan and the mask to write: gliolens brain IN.nii.gz OUT_mask.nii.gz');
  const { manifest, manifestPath, modelPath } = readBrainModelDir(core, values.model);
  const started = performance.now();
  const scan = core.load(resolve(input), input);
  const threads = Number(values.threads ?? 1);
  const network = await loadNodeNetwork(modelPath, { threads });
  let networkMs = 0;
  let result;
  try {
    result = await core.extractBrain(scan.id, {
      manifest,
      source: manifestPath,
      runNetwork: async (tensor, dims) => {
        const t = performance.now();
        const logits = await network.run(tensor, dims);
        networkMs += performance.now() - t;
        return logits;
      },
    });
  } finally {
    network.release();
  }
  core.saveVolume(result.id, resolve(output), 'uint8');
  let stripped = null;
  if (values.stripped) {
    const strippedId = core.stripBrain(scan.id, result.id);
    core.saveVolume(strippedId, resolve(values.stripped), 'float32');
    stripped = resolve(values.stripped);
  }
  return {
    input: resolve(input),
    mask: resolve(output),
    ...(stripped ? { stripped } : {}),
    model: { name: manifest.name, version: manifest.version },
    backend: network.backend,
    brain: { voxels: result.voxels, mL: result.mL },
    networkInput: result.boxSize,
    seconds: { network: networkMs / 1000, total: (performance.now() - started) / 1000 },
  };
}
