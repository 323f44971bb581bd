// The FLAIR-only model through the JS API (wasm/gliolens.mjs segmentFlair) with the real WASM core and ONNX Runtime
// Web's WebAssembly engine in Node, on a shared lgg_flair case: the core's network input against the reference
// implementation's numbers (models/flair_seg/reference/preprocess_expected.json, written by training/reference.py),
// the reference's synthetic logits through the core's output path, and the real network's mask on the FLAIR's grid.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { loadNodeNetwork } from '../../cli/onnx-node.mjs';
import { createGliolens } from '../../wasm/node.mjs';
import { projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';

const modelDir = join(projectRoot, 'models', 'flair_seg');
const manifestPath = join(modelDir, 'manifest.json');
// The reference training/reference.py wrote into the model folder, or another ($GLIOLENS_FLAIR_REFERENCE: one just
// regenerated after a change of preprocess.py).
const referencePath = process.env.GLIOLENS_FLAIR_REFERENCE || join(modelDir, 'reference', 'preprocess_expected.json');
const scratch = mkdtempSync(join(tmpdir(), 'gliolens-flair-test-'));
const reference = existsSync(referencePath) ? JSON.parse(readFileSync(referencePath, 'utf8')) : { cases: [] };
const lgg = reference.cases.find((c) => c.file.startsWith('lgg_flair/'));
const flairPath = lgg ? join(sharedData, lgg.file) : join(sharedData, 'lgg_flair');

// The reference's synthetic logits: sin(u / 7) + cos(v / 5) + 0.1 s - 0.5 for kept slice s, row v, column u.
function syntheticLogits(first, dims) {
  const [n, , height, width] = dims;
  const out = new Float32Array(n * height * width);
  for (let s = 0; s < n; s++)
    for (let v = 0; v < height; v++)
      for (let u = 0; u < width; u++) out[(s * height + v) * width + u] = Math.sin(u / 7) + Math.cos(v / 5) + 0.1 * (first + s) - 0.5;
  return out;
}

const skipWithoutModel = existsSync(manifestPath) ? false : 'models/flair_seg/manifest.json is absent: skipped';

test('readFlairManifest refuses what the core cannot run, naming the file and the key', { skip: skipWithoutModel }, async () => {
  const core = await createGliolens();
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  assert.equal(core.readFlairManifest(JSON.stringify(manifest), manifestPath).name, manifest.name);
  const bad = { ...manifest, output: { ...manifest.output, activation: 'softmax' } };
  assert.throws(() => core.readFlairManifest(JSON.stringify(bad), 'flair.json'),
    /flair\.json: output\.activation "softmax" is not supported \(only "sigmoid"\)/);
  assert.throws(() => core.readFlairManifest(readFileSync(join(projectRoot, 'models', 'glioma_seg', 'manifest.json'), 'utf8'), 'seg.json'),
    /seg\.json: not a Gliolens FLAIR model manifest/);
});

describe('segmentFlair on a shared lgg_flair case', { skip: skipWithoutModel || (lgg ? skipWithoutSharedData(flairPath) : 'no lgg_flair case in the parity reference') }, () => {
  test('the WASM core prepares what preprocess.py prepares and maps synthetic logits back as it does', async () => {
    const core = await createGliolens();
    // The window as the reference was written: shrunk to the non-zero box when it gives the window's size.
    const manifest = core.readFlairManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
    manifest.preprocessing.shrink_window_to_nonzero = 'window_ij' in lgg;
    const [width, height] = lgg.window_ij ?? manifest.preprocessing.window_pixels;
    const { id } = core.load(flairPath, lgg.file);
    const batches = [];
    let first = 0;
    const result = await core.segmentFlair(id, {
      manifest,
      runNetwork: async (tensor, dims) => {
        batches.push({ tensor: Float32Array.from(tensor), dims });
        const logits = syntheticLogits(first, dims);
        first += dims[0];
        return logits;
      },
    });
    assert.deepEqual(result.input.slices, lgg.kept_slices);
    assert.deepEqual(result.input.centre, lgg.centre_ij);
    assert.ok(Math.abs(result.input.scale - lgg.scale) <= 1e-9 * lgg.scale, `scale ${result.input.scale} vs ${lgg.scale}`);
    assert.equal(result.slices, lgg.kept_slices.length);
    assert.ok(batches.every((b) => b.dims[0] <= manifest.inference.slices_per_run && b.dims[1] === 1 && b.dims[2] === height && b.dims[3] === width),
      JSON.stringify(batches.map((b) => b.dims)));
    const pixels = width * height;
    const input = new Float32Array(batches.reduce((n, b) => n + b.tensor.length, 0));
    batches.reduce((at, b) => (input.set(b.tensor, at), at + b.tensor.length), 0);
    let worstSum = 0;
    lgg.slice_sum.forEach((expected, s) => {
      let sum = 0;
      for (let p = 0; p < pixels; p++) sum += input[s * pixels + p];
      worstSum = Math.max(worstSum, Math.abs(sum - expected) / Math.abs(expected));
    });
    let worstSample = 0;
    for (const [s, v, u, value] of lgg.samples) worstSample = Math.max(worstSample, Math.abs(input[s * pixels + v * width + u] - value));
    // The mask's voxels on each slice (k is the same axis in the FLAIR's RAS storage and in LPS).
    const maskPath = join(scratch, 'synthetic_mask.nii.gz');
    core.saveVolume(result.id, maskPath);
    const { data, grid } = core.readVolume(maskPath);
    const perSlice = grid.dims[0] * grid.dims[1];
    const counts = Array.from({ length: grid.dims[2] }, (_, k) => data.subarray(k * perSlice, (k + 1) * perSlice).reduce((n, x) => n + (x !== 0), 0));
    const differing = counts.reduce((n, c, k) => n + Math.abs(c - lgg.mask_voxels_per_slice_k_lps[k]), 0);
    console.log(`# ${lgg.case}, WASM core vs preprocess.py: worst slice-sum relative difference ${worstSum.toExponential(2)}, ` +
      `worst sample difference ${worstSample.toExponential(2)}, mask voxels differing ${differing} of ${counts.reduce((a, b) => a + b, 0)}`);
    assert.ok(worstSum <= 1e-4, `slice sums differ by ${worstSum}`);
    assert.ok(worstSample <= 1e-5, `samples differ by ${worstSample}`);
    counts.forEach((c, k) => assert.ok(Math.abs(c - lgg.mask_voxels_per_slice_k_lps[k]) <= 3, `slice ${k}: ${c} voxels, reference ${lgg.mask_voxels_per_slice_k_lps[k]}`));
  });

  test('the real network gives a mask on the FLAIR\'s own grid, in batches with progress, and stops when cancelled', async () => {
    const core = await createGliolens();
    const manifest = core.readFlairManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
    const network = await loadNodeNetwork(join(modelDir, manifest.model.file));
    try {
      const { id } = core.load(flairPath, lgg.file);
      const progress = [];
      const started = performance.now();
      const result = await core.segmentFlair(id, { manifest, runNetwork: network.run, onProgress: (p) => progress.push(p) });
      const seconds = (performance.now() - started) / 1000;
      console.log(`# ${lgg.case}: ${result.slices} slices, FLAIR abnormality ${result.mL.toFixed(1)} mL, ${seconds.toFixed(1)} s ` +
        `(${manifest.name} ${manifest.version})`);
      assert.deepEqual(result.model, { name: manifest.name, version: manifest.version });
      assert.equal(result.region, manifest.output.region);
      assert.deepEqual(result.labels.map((l) => l.label), [manifest.output.label]);
      assert.ok(result.mL > 0, 'some FLAIR abnormality found');
      assert.equal(result.mL, result.labels[0].mL);
      // The shipped network through ONNX Runtime against the same network in PyTorch through the reference
      // processing (training/reference.py --ckpt): float32 engines may differ on a voxel whose probability is ~0.5.
      if (lgg.network_mask_voxels_per_slice_k_lps && lgg.network_min_component_mm3 === manifest.postprocess?.min_component_mm3) {
        const expected = lgg.network_mask_voxels_per_slice_k_lps.reduce((a, b) => a + b, 0);
        console.log(`# mask ${result.labels[0].voxels} voxels, PyTorch reference ${expected}`);
        assert.ok(Math.abs(result.labels[0].voxels - expected) <= Math.max(3, 0.001 * expected), `${result.labels[0].voxels} voxels, PyTorch ${expected}`);
      }
      const batches = Math.ceil(result.slices / manifest.inference.slices_per_run);
      assert.equal(progress.length, batches);
      assert.deepEqual(progress.at(-1), { slice: result.slices, slices: result.slices });
      const maskPath = join(scratch, 'mask.nii.gz');
      core.saveVolume(result.id, maskPath);
      const [mask, flair] = [core.header(maskPath), core.header(flairPath)];
      assert.deepEqual(mask.dims, flair.dims);
      assert.deepEqual(mask.affine, flair.affine);
      assert.equal(mask.datatype, 'UINT8');

      // Cancelled after the first batch: a CancelledError, and no mask left loaded.
      const loaded = core.loadedCount;
      let asked = 0;
      await assert.rejects(core.segmentFlair(id, { manifest, runNetwork: network.run, isCancelled: () => asked++ > 0 }), { name: 'CancelledError' });
      assert.equal(core.loadedCount, loaded);
    } finally {
      network.release();
    }
  });

  test('a FLAIR with no non-zero voxel is refused naming the file', async () => {
    const core = await createGliolens();
    const manifest = core.readFlairManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
    // The lgg FLAIR's header over zero voxels (uint8, uncompressed: 352 bytes of header, then the voxels).
    const { header } = core.readVolume(flairPath);
    const empty = join(scratch, 'empty.nii');
    const size = header.dims.reduce((a, b) => a * b, 1);
    const bytes = new Uint8Array(352 + size);
    const view = new DataView(bytes.buffer);
    view.setInt32(0, 348, true);
    view.setInt16(40, 3, true);
    header.dims.forEach((d, a) => view.setInt16(42 + 2 * a, d, true));
    view.setInt16(70, 2, true);  // DT_UNSIGNED_CHAR
    view.setInt16(72, 8, true);
    for (let a = 0; a < 4; a++) view.setFloat32(76 + 4 * a, 1, true);
    view.setFloat32(108, 352, true);
    bytes.set([0x6e, 0x2b, 0x31, 0x00], 344);  // "n+1"
    writeFileSync(empty, bytes);
    const { id } = core.load(empty, 'empty.nii');
    await assert.rejects(core.segmentFlair(id, { manifest, runNetwork: async () => { throw new Error('not reached'); } }),
      /empty\.nii: the volume is empty \(no non-zero voxel\)/);
  });
});
