// MindGrab's ONNX conversion (models/mindgrab/convert.mjs) against the original network, run here by an independent
// reference: the layers of the original model.json (Conv3D "same", channels last, with their dilations; GELU
// activations) computed in float64 straight from model.bin, in TensorFlow's layout, with MeshNet's weightless
// GroupNorm (one group per channel, eps 1e-5: PyTorch's definition) after each "_gn" convolution, which the
// TensorFlow.js file names but does not list (see convert.mjs). The network is fully
// convolutional, so a 24^3 crop of a real scan, as the network sees it, checks the weights and the layer semantics
// (padding, dilation up to 16, channel order, kernel axes) at a cost of seconds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadNodeNetwork } from '../../cli/onnx-node.mjs';
import { createGliolens } from '../../wasm/node.mjs';
import { projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';

const original = join(sharedData, 'models', 'mindgrab');
const scan = join(sharedData, 'raw', 'TCGA-FG-6692', 't1c.nii.gz');
const modelDir = join(projectRoot, 'models', 'mindgrab');
const SIDE = 24;

// erf in float64: its Maclaurin series below 2, the continued fraction of erfc above (both to ~1e-15).
function erf(x) {
  const ax = Math.abs(x);
  if (ax < 2) {
    let term = ax;
    let sum = ax;
    for (let n = 1; n < 60; n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  let k = ax;
  for (let n = 80; n >= 1; n--) k = ax + n / 2 / k;
  const erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / k;
  return Math.sign(x) * (1 - erfc);
}

// The TensorFlow.js layers model on one [D1][D2][D3] single-channel input: logits channels last, in float64.
function referenceNetwork(modelJson, weightsBin, input, dims) {
  const weights = new Map();
  let offset = 0;
  for (const w of modelJson.weightsManifest.flatMap((g) => g.weights)) {
    const count = w.shape.reduce((a, b) => a * b, 1);
    weights.set(w.name, { shape: w.shape, values: new Float32Array(weightsBin.buffer.slice(weightsBin.byteOffset + offset, weightsBin.byteOffset + offset + 4 * count)) });
    offset += 4 * count;
  }
  const [d1, d2, d3] = dims;
  const voxels = d1 * d2 * d3;
  let x = Float64Array.from(input);
  let channels = 1;
  for (const layer of modelJson.modelTopology.model_config.config.layers) {
    const c = layer.config;
    if (layer.class_name === 'InputLayer') continue;
    if (layer.class_name === 'Activation') {
      assert.equal(c.activation, 'gelu');
      for (let i = 0; i < x.length; i++) x[i] = 0.5 * x[i] * (1 + erf(x[i] / Math.SQRT2));
      continue;
    }
    assert.equal(layer.class_name, 'Conv3D');
    assert.equal(c.padding, 'same');
    const { shape: [k1, k2, k3, cin, cout], values: kernel } = weights.get(`${c.name}/kernel`);
    assert.equal(cin, channels);
    const bias = c.use_bias ? weights.get(`${c.name}/bias`).values : null;
    const [r1, r2, r3] = c.dilation_rate;
    // "same" with an odd kernel: the tap t of axis a reads position p + (t - (k - 1) / 2) x dilation, zero outside.
    const out = new Float64Array(voxels * cout);
    for (let p1 = 0; p1 < d1; p1++) for (let p2 = 0; p2 < d2; p2++) for (let p3 = 0; p3 < d3; p3++) {
      const o = ((p1 * d2 + p2) * d3 + p3) * cout;
      if (bias) for (let co = 0; co < cout; co++) out[o + co] = bias[co];
      for (let t1 = 0; t1 < k1; t1++) {
        const q1 = p1 + (t1 - (k1 - 1) / 2) * r1;
        if (q1 < 0 || q1 >= d1) continue;
        for (let t2 = 0; t2 < k2; t2++) {
          const q2 = p2 + (t2 - (k2 - 1) / 2) * r2;
          if (q2 < 0 || q2 >= d2) continue;
          for (let t3 = 0; t3 < k3; t3++) {
            const q3 = p3 + (t3 - (k3 - 1) / 2) * r3;
            if (q3 < 0 || q3 >= d3) continue;
            const xi = ((q1 * d2 + q2) * d3 + q3) * cin;
            const ki = ((t1 * k2 + t2) * k3 + t3) * cin * cout;
            for (let ci = 0; ci < cin; ci++) {
              const v = x[xi + ci];
              if (v === 0) continue;
              const kr = ki + ci * cout;
              for (let co = 0; co < cout; co++) out[o + co] += v * kernel[kr + co];
            }
          }
        }
      }
    }
    if (c.name.endsWith('_gn')) {
      // GroupNorm(groups = channels, affine = False): each channel to zero mean, unit (biased) variance over the volume.
      for (let co = 0; co < cout; co++) {
        let mean = 0;
        for (let v = 0; v < voxels; v++) mean += out[v * cout + co];
        mean /= voxels;
        let variance = 0;
        for (let v = 0; v < voxels; v++) variance += (out[v * cout + co] - mean) ** 2;
        const scale = 1 / Math.sqrt(variance / voxels + 1e-5);
        for (let v = 0; v < voxels; v++) out[v * cout + co] = (out[v * cout + co] - mean) * scale;
      }
    }
    x = out;
    channels = cout;
  }
  return { logits: x, channels };
}

test('MindGrab in ONNX (ONNX Runtime Web, WASM) equals the original TensorFlow.js network on a crop of a real scan',
  { skip: skipWithoutSharedData(join(original, 'model.json'), scan) }, async () => {
    // The network's own input for the T1c of TCGA-FG-6692 (conformed, scaled and cropped by the core), and the
    // 24^3 block at its centre.
    const core = await createGliolens();
    const manifest = readFileSync(join(modelDir, 'manifest.json'), 'utf8');
    const { id } = core.load(scan);
    let prepared = null;
    await assert.rejects(core.extractBrain(id, {
      manifest,
      runNetwork: async (tensor, dims) => {
        prepared = { tensor: Float32Array.from(tensor), dims: dims.slice(2) };
        throw new Error('input captured');
      },
    }), /input captured/);
    const [a, b, c] = prepared.dims;
    const start = [a, b, c].map((n) => (n >> 1) - SIDE / 2);
    const crop = new Float32Array(SIDE ** 3);
    for (let i = 0; i < SIDE; i++) for (let j = 0; j < SIDE; j++) for (let k = 0; k < SIDE; k++) {
      crop[(i * SIDE + j) * SIDE + k] = prepared.tensor[((start[0] + i) * b + start[1] + j) * c + start[2] + k];
    }

    const started = performance.now();
    const modelJson = JSON.parse(readFileSync(join(original, 'model.json'), 'utf8'));
    const weightsBin = readFileSync(join(original, 'model.bin'));
    const { logits: expected, channels } = referenceNetwork(modelJson, weightsBin, crop, [SIDE, SIDE, SIDE]);
    const referenceSeconds = (performance.now() - started) / 1000;

    const network = await loadNodeNetwork(join(modelDir, 'mindgrab.onnx'));
    const output = await network.run(crop, [1, 1, SIDE, SIDE, SIDE]);  // ONNX: channels first
    network.release();
    const voxels = SIDE ** 3;
    assert.equal(output.length, voxels * channels);
    let max = 0;
    let largest = 0;
    let decisions = 0;
    for (let v = 0; v < voxels; v++) {
      for (let ch = 0; ch < channels; ch++) {
        max = Math.max(max, Math.abs(output[ch * voxels + v] - expected[v * channels + ch]));
        largest = Math.max(largest, Math.abs(expected[v * channels + ch]));
      }
      decisions += (output[voxels + v] > output[v]) === (expected[v * channels + 1] > expected[v * channels]) ? 0 : 1;
    }
    console.log(`# MindGrab ONNX vs the reference TF.js layers (float64) on a ${SIDE}^3 crop: max |logit difference| ${max.toExponential(2)} ` +
                `(logits up to ${largest.toFixed(1)}), ${decisions} voxels decided differently; reference ${referenceSeconds.toFixed(1)} s`);
    assert.ok(max < 1e-4, `max |logit difference| ${max}`);
    assert.equal(decisions, 0);
  });

test('the committed ONNX file is what convert.mjs writes from the shared original', { skip: skipWithoutSharedData(join(original, 'model.json')) }, async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const out = join(mkdtempSync(join(tmpdir(), 'gliolens-mindgrab-')), 'mindgrab.onnx');
  const run = spawnSync(process.execPath, [join(modelDir, 'convert.mjs'), original, out], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.ok(readFileSync(out).equals(readFileSync(join(modelDir, 'mindgrab.onnx'))), 'convert.mjs output differs from models/mindgrab/mindgrab.onnx');
  const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8'));
  const { createHash } = await import('node:crypto');
  assert.equal(createHash('sha256').update(readFileSync(out)).digest('hex'), manifest.model.sha256);
});
