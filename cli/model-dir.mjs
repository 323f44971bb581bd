// Finds a segmentation model folder (manifest.json + its .onnx, and a cascade's refine .onnx): the bundled one by default.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const bundledModelDir = fileURLToPath(new URL('../models/glioma_seg/', import.meta.url));

// `core` (a Gliolens) reads the manifest, refusing what the segmentation code cannot run, naming the file and the key.
export function readModelDir(core, dir = bundledModelDir) {
  const manifestPath = join(resolve(dir), 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath}: no model manifest (train or choose a model folder with --model)`);
  const manifest = core.readSegmentationManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
  const modelFile = (file) => {
    const path = join(resolve(dir), file);
    if (!existsSync(path)) throw new Error(`${path}: model file named by the manifest is missing`);
    return path;
  };
  return { manifest, modelPath: modelFile(manifest.model.file), refineModelPath: manifest.refine ? modelFile(manifest.refine.model.file) : null };
}
