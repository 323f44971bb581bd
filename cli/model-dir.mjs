// Finds a segmentation model folder (manifest.json + its .onnx): the bundled one by default.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const bundledModelDir = fileURLToPath(new URL('../models/glioma_seg/', import.meta.url));

export function readModelDir(dir = bundledModelDir) {
  const manifestPath = join(resolve(dir), 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${manifestPath}: no model manifest (train or choose a model folder with --model)`);
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new Error(`${manifestPath}: not valid JSON (${error.message})`);
  }
  if (manifest.format !== 'gliolens-segmentation-manifest/1') {
    throw new Error(`${manifestPath}: not a Gliolens segmentation manifest (format "${manifest.format ?? 'missing'}")`);
  }
  const modelPath = join(resolve(dir), manifest.model.file);
  if (!existsSync(modelPath)) throw new Error(`${modelPath}: model file named by the manifest is missing`);
  return { manifest, modelPath };
}
