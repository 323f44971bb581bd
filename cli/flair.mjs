// The FLAIR-only model (models/flair_seg) in the CLI: its folder read and checked by the core, its network loaded once
// with ONNX Runtime, and one FLAIR file segmented with it (gliolens segment --flair, gliolens growth --flair1/--flair2).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { loadNodeNetwork } from './onnx-node.mjs';

export const bundledFlairModelDir = fileURLToPath(new URL('../models/flair_seg/', import.meta.url));

// The model folder's manifest (checked by the core's reader, which names the file and the key) and its network.
export async function openFlairModel(core, dir = bundledFlairModelDir, { threads = 1 } = {}) {
  const manifestPath = join(resolve(dir), 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath}: no FLAIR model manifest (choose a model folder with --flair-model)`);
  const manifest = core.readFlairManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
  const modelPath = join(resolve(dir), manifest.model.file);
  if (!existsSync(modelPath)) throw new Error(`${modelPath}: model file named by the manifest is missing`);
  const network = await loadNodeNetwork(modelPath, { threads });
  let networkMs = 0;
  return {
    manifest,
    manifestPath,
    backend: network.backend,
    model: { name: manifest.name, version: manifest.version, kind: 'flair' },
    runNetwork: async (tensor, dims) => {
      const started = performance.now();
      const logits = await network.run(tensor, dims);
      networkMs += performance.now() - started;
      return logits;
    },
    networkSeconds: () => networkMs / 1000,
    release: () => network.release(),
  };
}

// Segments the FLAIR at `path` with an opened model; writes the mask (uint8, the FLAIR's own grid) to `out` when given.
// Returns {flair, mask?, region, slices, labels, mL, warnings}. A 4-D file is refused: the model reads one volume.
export async function segmentFlairFile(core, model, path, out = null) {
  const loaded = core.load(resolve(path), path);
  const ids = [loaded.id];
  try {
    const volumes = (loaded.header?.dims ?? []).slice(3).reduce((n, d) => n * Math.max(1, d), 1);
    if (volumes > 1) throw new Error(`${path}: a 4-D file of ${volumes} volumes; the FLAIR model segments one 3-D FLAIR volume`);
    const result = await core.segmentFlair(loaded.id, { manifest: model.manifest, source: model.manifestPath, runNetwork: model.runNetwork });
    ids.push(result.id);
    if (out) core.saveVolume(result.id, resolve(out), 'uint8');
    return {
      flair: resolve(path),
      ...(out ? { mask: resolve(out) } : {}),
      region: result.region,
      slices: result.slices,
      labels: result.labels,
      mL: result.mL,
      warnings: [...(loaded.warnings ?? [])],
    };
  } finally {
    // gliolens batch and growth run several scans in one core: what a scan loaded must not outlive it.
    for (const id of ids) core.release(id);
  }
}
