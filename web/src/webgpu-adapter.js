// Whether the browser gives a WebGPU adapter, asking as the networks want it.

// The faster GPU where a machine has two (a laptop's discrete one): the networks are heavy.
export const POWER_PREFERENCE = 'high-performance';

// The adapter, or null. `gpu`: navigator.gpu (or undefined). Chromium's first request can come before its GPU process
// is ready and get null (seen on a Linux machine with an NVIDIA H200, bench/gpu: the second request gave the GPU), so
// a null answer is asked again, `tries` times in all, `retryMs` apart, before settling for WebAssembly; a thrown error
// is final.
export async function requestWebgpuAdapter(gpu, { tries = 4, retryMs = 250 } = {}) {
  if (!gpu) return null;
  for (let attempt = 1; attempt <= tries; attempt++) {
    let adapter;
    try {
      adapter = await gpu.requestAdapter({ powerPreference: POWER_PREFERENCE });
    } catch {
      return null;
    }
    if (adapter) return adapter;
    if (attempt < tries) await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
  return null;
}

export async function hasWebgpuAdapter(gpu, options) {
  return Boolean(await requestWebgpuAdapter(gpu, options));
}
