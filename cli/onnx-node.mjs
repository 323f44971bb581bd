// Runs an ONNX network in Node with ONNX Runtime Web's WebAssembly backend: the same engine the
// browser uses when it has no WebGPU.
import { readFileSync } from 'node:fs';

export async function loadNodeNetwork(modelPath, { threads = 1 } = {}) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  const session = await ort.InferenceSession.create(readFileSync(modelPath), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  const [inputName] = session.inputNames;
  const [outputName] = session.outputNames;
  return {
    backend: `onnxruntime-web wasm (Node, ${threads} thread${threads === 1 ? '' : 's'})`,
    run: async (tensor, dims) => (await session.run({ [inputName]: new ort.Tensor('float32', tensor, dims) }))[outputName].data,
    release: () => session.release(),
  };
}
