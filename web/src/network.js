// Runs an ONNX network with ONNX Runtime Web: the WebGPU backend when the browser has an adapter,
// else WebAssembly (multi-threaded when the page is cross-origin isolated).
import * as ort from 'onnxruntime-web/webgpu';

export async function webgpuAvailable() {
  if (typeof navigator === 'undefined' || !navigator.gpu) return false;
  try {
    return Boolean(await navigator.gpu.requestAdapter());
  } catch {
    return false;
  }
}

// 'auto' picks WebGPU when there is an adapter.
export async function chooseBackend(preference = 'auto') {
  if (preference === 'wasm') return 'wasm';
  const gpu = await webgpuAvailable();
  if (preference === 'webgpu' && !gpu) throw new Error('WebGPU was asked for, but this browser has no WebGPU adapter');
  return gpu ? 'webgpu' : 'wasm';
}

export class Network {
  #session;
  backend;

  static async load(modelBytes, backend) {
    const network = new Network();
    network.backend = backend;
    const isolated = typeof self !== 'undefined' && self.crossOriginIsolated;
    ort.env.wasm.numThreads = 1;
    const provider = backend === 'webgpu' ? { name: 'webgpu', preferredLayout: 'NCHW' } : 'wasm';
    network.#session = await ort.InferenceSession.create(modelBytes, { executionProviders: [provider], graphOptimizationLevel: 'all' });
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
