// Runs an ONNX network in Node with ONNX Runtime Web's WebAssembly backend: the same engine the
// browser uses when it has no WebGPU.
import { readFileSync } from 'node:fs';

import { networkLoadError, networkRunError } from '../wasm/gliolens.mjs';

export async function loadNodeNetwork(modelPath, { threads = 1 } = {}) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  ort.env.logLevel = 'fatal';  // its errors come back as exceptions, reworded below with the model's path
  let session;
  try {
    session = await ort.InferenceSession.create(readFileSync(modelPath), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  } catch (error) {
    throw networkLoadError(modelPath, error);
  }
  const [inputName] = session.inputNames;
  const [outputName] = session.outputNames;
  return {
    backend: `onnxruntime-web wasm (Node, ${threads} thread${threads === 1 ? '' : 's'})`,
    run: async (tensor, dims) => {
      try {
        return (await session.run({ [inputName]: new ort.Tensor('float32', tensor, dims) }))[outputName].data;
      } catch (error) {
        throw networkRunError(modelPath, dims, error);
      }
    },
    release: () => session.release(),
  };
}
