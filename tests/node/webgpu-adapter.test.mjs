// The app's WebGPU detection. The real browser behaviour it guards against (Chromium's first requestAdapter giving
// null before its GPU process is up, seen on the H200 machine) does not happen on this machine's SwiftShader, so a
// scripted navigator.gpu stands in: answers in order, and the options each request carried.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { POWER_PREFERENCE, hasWebgpuAdapter } from '../../web/src/webgpu-adapter.js';

function scriptedGpu(answers) {
  const asked = [];
  return {
    asked,
    requestAdapter: async (options) => {
      asked.push(options);
      const answer = answers[asked.length - 1];
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

test('a null first answer is asked again, and the second gives the adapter', async () => {
  const gpu = scriptedGpu([null, { name: 'NVIDIA H200' }]);
  assert.equal(await hasWebgpuAdapter(gpu, { retryMs: 1 }), true);
  assert.equal(gpu.asked.length, 2);
  assert.deepEqual(gpu.asked[0], { powerPreference: 'high-performance' });
  assert.equal(POWER_PREFERENCE, 'high-performance');
});

test('no adapter after every try: WebAssembly', async () => {
  const gpu = scriptedGpu([null, null, null, null, { late: true }]);
  assert.equal(await hasWebgpuAdapter(gpu, { tries: 4, retryMs: 1 }), false);
  assert.equal(gpu.asked.length, 4);
});

test('an adapter at once is not asked again; a thrown error or no navigator.gpu means no WebGPU', async () => {
  const ready = scriptedGpu([{ name: 'first' }]);
  assert.equal(await hasWebgpuAdapter(ready), true);
  assert.equal(ready.asked.length, 1);
  const broken = scriptedGpu([new Error('GPU process crashed'), { name: 'never asked' }]);
  assert.equal(await hasWebgpuAdapter(broken, { retryMs: 1 }), false);
  assert.equal(broken.asked.length, 1);
  assert.equal(await hasWebgpuAdapter(undefined), false);
});
