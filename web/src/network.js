// Runs an ONNX network with ONNX Runtime Web: the WebGPU backend when the browser has an adapter,
// else WebAssembly (multi-threaded when the page is cross-origin isolated).
import * as ort from 'onnxruntime-web/webgpu';

import { POWER_PREFERENCE, hasWebgpuAdapter } from './webgpu-adapter.js';

// ORT's Emscripten module and binary are served beside the page in ort/ (see web/vite.config.js),
// never from elsewhere; this module runs in the Worker, which Vite puts in assets/.
const ORT_DIR = new URL('../ort/', self.location.href).href;
const MAX_THREADS = 4;

export function webgpuAvailable() {
  return hasWebgpuAdapter(typeof navigator === 'undefined' ? undefined : navigator.gpu);
}

// 'auto' picks WebGPU when there is an adapter.
export async function chooseBackend(preference = 'auto') {
  if (preference === 'wasm') return 'wasm';
  const gpu = await webgpuAvailable();
  if (preference === 'webgpu' && !gpu) throw new Error('WebGPU was asked for, but this browser has no WebGPU adapter');
  return gpu ? 'webgpu' : 'wasm';
}

// ORT reads its WASM settings once, when it first initialises; later sessions share that module.
let runtime = null;  // {threads, note} once configured

// The threads the WASM backend is asked for: min(4, cores) when the page is cross-origin isolated
// (SharedArrayBuffer), else 1. `requested` (a number) overrides the automatic choice.
function configureRuntime(requested) {
  if (runtime) return runtime;
  const isolated = Boolean(self.crossOriginIsolated);
  const cores = navigator.hardwareConcurrency || 1;
  let threads = Number.isInteger(requested) && requested > 0 ? requested : Math.min(MAX_THREADS, cores);
  let note = null;
  if (!isolated && threads > 1) {
    threads = 1;
    note = 'page not cross-origin isolated: WebAssembly runs on 1 thread';
  }
  ort.env.wasm.wasmPaths = ORT_DIR;
  ort.env.wasm.numThreads = threads;
  ort.env.webgpu.powerPreference = POWER_PREFERENCE;
  runtime = { threads, note };
  return runtime;
}

export class Network {
  #session;
  backend;
  threads;  // WASM threads ORT runs with (also used by the WebGPU backend for the ops it keeps on the CPU)
  note;     // why fewer threads than wanted, if so

  static async load(modelBytes, backend, { threads } = {}) {
    const network = new Network();
    network.backend = backend;
    const config = configureRuntime(threads);
    const provider = backend === 'webgpu' ? { name: 'webgpu', preferredLayout: 'NCHW' } : 'wasm';
    network.#session = await ort.InferenceSession.create(modelBytes, { executionProviders: [provider], graphOptimizationLevel: 'all' });
    // ORT falls back to 1 thread (and sets numThreads to 1) where WebAssembly threads are unavailable.
    network.threads = ort.env.wasm.numThreads;
    network.note = network.threads < config.threads ? 'WebAssembly threads unavailable here: 1 thread' : config.note;
    return network;
  }

  // tensor: Float32Array laid out as `dims` ([N, C, D, H, W]); returns the first output's data.
  async run(tensor, dims) {
    const [inputName] = this.#session.inputNames;
    const [outputName] = this.#session.outputNames;
    const result = await this.#session.run({ [inputName]: new ort.Tensor('float32', tensor, dims) });
    const output = result[outputName];
    const data = output.location && output.location !== 'cpu' ? await output.getData() : output.data;
    return data;
  }
}
