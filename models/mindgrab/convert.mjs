#!/usr/bin/env node
// Converts MindGrab (a TensorFlow.js layers model: model.json + model.bin) into ONNX, writing the ONNX protobuf
// directly so that the conversion needs nothing but Node. The graph is the TensorFlow.js one layer for layer:
// each Conv3D (padding "same", its dilation, no bias) becomes an ONNX Conv with symmetric pads of dilation x
// (kernel - 1) / 2, each "gelu" Activation the exact GELU 0.5 x (1 + erf(x / sqrt 2)) that TensorFlow.js computes
// (Div, Erf, Add, Mul, Mul: the Gelu operator only exists from opset 20), the last 1x1x1 Conv keeps its bias.
//
// One layer the file does not list: MeshNet's PyTorch block (neuroneural's meshnet.py, construct_layer) is Conv3d
// without bias -> GroupNorm(num_groups = channels, affine = False, eps 1e-5) -> GELU. That normalisation has no
// weights, so the TensorFlow.js export kept only the "_gn" in each convolution's name; without it the activations
// grow about 3.6-fold per layer (the kernels' RMS x fan-in gives 13-fold variance) and the output is meaningless.
// A GroupNorm with one group per channel is an instance norm, added after every Conv3D whose name ends in "_gn":
// y = (x - mean) / sqrt(mean((x - mean)^2) + 1e-5) over each channel's volume. It is written as staged means (over
// the last axis, then the middle, then the first: equal-sized groups, so the same mean), as models/glioma_seg's export
// does, not as ONNX's InstanceNormalization: ONNX Runtime sums a whole channel in one float32 accumulator there, which
// over 25 normalised layers moved MindGrab's logits by 6e-4 on a 24^3 crop, and more on a 256^3 cube.
// Channels move from last (TensorFlow, [N, D1, D2, D3, C]) to first (ONNX, [N, C, D1, D2, D3]); the spatial axes
// keep their order, so the ONNX network reads the same D1, D2, D3 as the original (docs/manifest.md, input.axes).
//
// usage: node models/mindgrab/convert.mjs [SOURCE_DIR] [OUT.onnx]
//   SOURCE_DIR defaults to ../shared/data/models/mindgrab (from the repository root), OUT to models/mindgrab/mindgrab.onnx.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const sourceDir = resolve(process.argv[2] ?? join(here, '../../../shared/data/models/mindgrab'));
const outPath = resolve(process.argv[3] ?? join(here, 'mindgrab.onnx'));

// --- a minimal protobuf writer (wire types 0: varint, 2: length-delimited) ---
const varint = (value) => {
  const bytes = [];
  let v = BigInt(value);
  if (v < 0n) v += 1n << 64n;
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v) byte |= 0x80;
    bytes.push(byte);
  } while (v);
  return Buffer.from(bytes);
};
const key = (field, wire) => varint((field << 3) | wire);
const int = (field, value) => Buffer.concat([key(field, 0), varint(value)]);
const bytes = (field, data) => Buffer.concat([key(field, 2), varint(data.length), data]);
const str = (field, text) => bytes(field, Buffer.from(text, 'utf8'));
const msg = (field, ...parts) => bytes(field, Buffer.concat(parts));

// ONNX field numbers (onnx.proto3).
const FLOAT = 1;
const tensor = (name, dims, values) => msg(5,  // GraphProto.initializer
  ...dims.map((d) => int(1, d)), int(2, FLOAT), str(8, name),
  bytes(9, Buffer.from(Float32Array.from(values).buffer)));
const ints = (name, values) => msg(5, str(1, name), ...values.map((v) => int(8, v)), int(20, 7));  // AttributeType INTS
const attrInt = (name, value) => msg(5, str(1, name), int(3, value), int(20, 2));  // INT
const node = (op, inputs, outputs, name, attributes = []) =>
  msg(1, ...inputs.map((i) => str(1, i)), ...outputs.map((o) => str(2, o)), str(3, name), str(4, op), ...attributes);
const valueInfo = (field, name, dims) => msg(field, str(1, name), msg(2, msg(1, int(1, FLOAT),
  msg(2, ...dims.map((d) => msg(1, typeof d === 'number' ? int(1, d) : str(2, d)))))));

// --- read the TensorFlow.js model ---
const model = JSON.parse(readFileSync(join(sourceDir, 'model.json'), 'utf8'));
const weightsBuffer = readFileSync(join(sourceDir, 'model.bin'));
const weights = new Map();
let offset = 0;
for (const group of model.weightsManifest) {
  for (const w of group.weights) {
    if (w.dtype !== 'float32') throw new Error(`${w.name}: dtype ${w.dtype} is not float32`);
    const count = w.shape.reduce((a, b) => a * b, 1);
    weights.set(w.name, { shape: w.shape, values: new Float32Array(weightsBuffer.buffer.slice(weightsBuffer.byteOffset + offset, weightsBuffer.byteOffset + offset + 4 * count)) });
    offset += 4 * count;
  }
}
if (offset !== weightsBuffer.length) throw new Error(`model.bin has ${weightsBuffer.length} bytes, the manifest names ${offset}`);

// TensorFlow kernel [kd, kh, kw, in, out] -> ONNX [out, in, kd, kh, kw].
function onnxKernel({ shape: [kd, kh, kw, cin, cout], values }) {
  const out = new Float32Array(values.length);
  for (let a = 0; a < kd; a++) for (let b = 0; b < kh; b++) for (let c = 0; c < kw; c++)
    for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) {
      out[((((o * cin + i) * kd + a) * kh + b) * kw) + c] = values[(((a * kh + b) * kw + c) * cin + i) * cout + o];
    }
  return { dims: [cout, cin, kd, kh, kw], values: out };
}

const layers = model.modelTopology.model_config.config.layers;
const nodes = [];
const initializers = [tensor('gelu_sqrt2', [], [Math.SQRT2]), tensor('gelu_one', [], [1]), tensor('gelu_half', [], [0.5])];
// PyTorch's GroupNorm default epsilon.
initializers.push(tensor('group_norm_epsilon', [], [1e-5]));
let current = 'input';
let parameters = 0;
for (const layer of layers) {
  const c = layer.config;
  if (layer.class_name === 'InputLayer') {
    if (c.batch_input_shape.length !== 5 || c.batch_input_shape[4] !== 1) throw new Error(`input ${JSON.stringify(c.batch_input_shape)} is not [N, D, H, W, 1]`);
    continue;
  }
  if (layer.class_name === 'Conv3D') {
    if (c.data_format !== 'channels_last' || c.padding !== 'same' || c.activation !== 'linear' || c.strides.some((s) => s !== 1)) {
      throw new Error(`${c.name}: only stride-1 "same" channels_last linear Conv3D is converted`);
    }
    const kernel = onnxKernel(weights.get(`${c.name}/kernel`));
    parameters += kernel.values.length;
    initializers.push(tensor(`${c.name}/kernel`, kernel.dims, kernel.values));
    const inputs = [current, `${c.name}/kernel`];
    if (c.use_bias) {
      const bias = weights.get(`${c.name}/bias`);
      parameters += bias.values.length;
      initializers.push(tensor(`${c.name}/bias`, bias.shape, bias.values));
      inputs.push(`${c.name}/bias`);
    }
    const pads = c.kernel_size.map((k, a) => (c.dilation_rate[a] * (k - 1)) / 2);
    if (pads.some((p) => !Number.isInteger(p))) throw new Error(`${c.name}: "same" padding with an even kernel is asymmetric`);
    const output = layer === layers.at(-1) ? 'logits' : c.name;
    const groupNorm = c.name.endsWith('_gn');
    if (groupNorm && output === 'logits') throw new Error(`${c.name}: the output layer cannot be normalised`);
    nodes.push(node('Conv', inputs, [groupNorm ? `${c.name}/conv` : output], c.name, [
      ints('kernel_shape', c.kernel_size), ints('dilations', c.dilation_rate), ints('strides', c.strides),
      ints('pads', [...pads, ...pads]), attrInt('group', 1)]));
    if (groupNorm) {
      const p = `${c.name}/group_norm`;
      const stagedMean = (source, target) => {
        nodes.push(node('ReduceMean', [source], [`${target}/d3`], `${target}/d3`, [ints('axes', [4]), attrInt('keepdims', 1)]));
        nodes.push(node('ReduceMean', [`${target}/d3`], [`${target}/d2`], `${target}/d2`, [ints('axes', [3]), attrInt('keepdims', 1)]));
        nodes.push(node('ReduceMean', [`${target}/d2`], [target], `${target}/d1`, [ints('axes', [2]), attrInt('keepdims', 1)]));
      };
      stagedMean(`${c.name}/conv`, `${p}/mean`);
      nodes.push(node('Sub', [`${c.name}/conv`, `${p}/mean`], [`${p}/centred`], `${p}/centred`));
      nodes.push(node('Mul', [`${p}/centred`, `${p}/centred`], [`${p}/squared`], `${p}/squared`));
      stagedMean(`${p}/squared`, `${p}/variance`);
      nodes.push(node('Add', [`${p}/variance`, 'group_norm_epsilon'], [`${p}/variance_eps`], `${p}/variance_eps`));
      nodes.push(node('Sqrt', [`${p}/variance_eps`], [`${p}/sd`], `${p}/sd`));
      nodes.push(node('Div', [`${p}/centred`, `${p}/sd`], [output], `${p}/normalised`));
    }
    current = output;
    continue;
  }
  if (layer.class_name === 'Activation' && c.activation === 'gelu') {
    const n = c.name;
    nodes.push(node('Div', [current, 'gelu_sqrt2'], [`${n}/scaled`], `${n}/div`));
    nodes.push(node('Erf', [`${n}/scaled`], [`${n}/erf`], `${n}/erf`));
    nodes.push(node('Add', [`${n}/erf`, 'gelu_one'], [`${n}/cdf2`], `${n}/add`));
    nodes.push(node('Mul', [current, `${n}/cdf2`], [`${n}/x_cdf2`], `${n}/mul`));
    nodes.push(node('Mul', [`${n}/x_cdf2`, 'gelu_half'], [n], `${n}/half`));
    current = n;
    continue;
  }
  throw new Error(`${c.name}: layer ${layer.class_name} (${c.activation ?? ''}) is not converted`);
}
if (current !== 'logits') throw new Error('the last layer is not the output Conv3D');

const classes = weights.get('output/bias').shape[0];
const graph = msg(7,
  ...nodes, str(2, model.modelTopology.model_config.config.name),
  ...initializers,
  valueInfo(11, 'input', [1, 1, 'd1', 'd2', 'd3']),
  valueInfo(12, 'logits', [1, classes, 'd1', 'd2', 'd3']));
const onnx = Buffer.concat([
  int(1, 8),                                  // ir_version
  str(2, 'gliolens models/mindgrab/convert.mjs'),
  str(3, '1'),
  graph,
  msg(8, str(1, ''), int(2, 13)),             // opset_import: ai.onnx 13
]);
writeFileSync(outPath, onnx);
console.log(JSON.stringify({ output: outPath, bytes: onnx.length, parameters, layers: layers.length - 1, nodes: nodes.length }));
