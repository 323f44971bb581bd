// A gliolens batch job: a worker thread with a WASM core of its own, running the cases it is sent one
// at a time and answering {id, result} or {id, error}.
import { parentPort, workerData } from 'node:worker_threads';

import { createGliolens } from '../../wasm/node.mjs';
import { runCase } from './case-steps.mjs';

const core = await createGliolens();
parentPort.on('message', async (kase) => {
  try {
    parentPort.postMessage({ id: kase.id, result: await runCase(core, kase, workerData) });
  } catch (error) {
    parentPort.postMessage({ id: kase.id, error: String(error?.message ?? error) });
  }
});
parentPort.postMessage({ ready: true });
