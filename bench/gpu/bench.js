// The WebGPU benchmark page's driver: ONNX Runtime Web's WebGPU backend against its WebAssembly backend in the
// app's own Worker (the app in an iframe, its `gliolensCore`), side by side in one browser, on a machine with a
// real GPU where Node may be missing (bench/gpu/device.sh serves it with bench/gpu/serve.py).
//   ?mode=probe          only report the WebGPU adapter (which GPU the browser was given)
//   ?cases=A,B&runs=N    per network, on the core's own input tensors (inputs/<case>/, from segment_bench.mjs
//                        --write-inputs): session start, run time, and WebGPU's logits against WASM's; then each
//                        whole case (cases/<case>/<case>_<modality>.nii.gz) through the app's segmentation, with
//                        and without mirroring (&mirror=off|on: one of them); the label maps go back to the server
//                        for Dice against the truth. &backends=wasm: one backend only.
// Everything is posted to the serving folder's server: /log (progress), /file?name= (label maps), /result, /done.
import { logitAgreement, median } from './logit-agreement.mjs';
import { requestWebgpuAdapter } from './webgpu-adapter.js';

const params = new URLSearchParams(location.search);
const runs = Number(params.get('runs') ?? 3);
const backends = (params.get('backends') ?? 'webgpu,wasm').split(',');
const mirrorModes = { both: [false, true], off: [false], on: [true] }[params.get('mirror') ?? 'both'];
const started = performance.now();

async function post(path, body) {
  await fetch(path, { method: 'POST', body });
}

function log(text) {
  const line = `[${((performance.now() - started) / 1000).toFixed(1)} s] ${text}`;
  document.body.append(`${line}\n`);
  return post('/log', line);
}

async function adapterInfo() {
  if (!navigator.gpu) return { available: false, why: 'navigator.gpu is missing' };
  // With the app's own request and retry (web/src/webgpu-adapter.js, served beside this page), counting the requests;
  // and whether the browser would have given one with no preference.
  let tries = 0;
  const counted = { requestAdapter: (options) => { tries++; return navigator.gpu.requestAdapter(options); } };
  const adapter = await requestWebgpuAdapter(counted, { tries: 5, retryMs: 500 });
  const withoutPreference = Boolean(await navigator.gpu.requestAdapter());
  if (!adapter) return { available: false, withoutPreference, why: "requestAdapter({powerPreference: 'high-performance'}) gave no adapter" };
  const info = adapter.info ?? {};
  return {
    available: true, tries, withoutPreference, vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
    driver: info.driver, backend: info.backend, type: info.type,  // with --enable-webgpu-developer-features
    isFallbackAdapter: adapter.isFallbackAdapter ?? info.isFallbackAdapter ?? null,
    maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
  };
}

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function openApp() {
  const frame = document.createElement('iframe');
  frame.src = 'index.html';
  frame.width = 1200;
  frame.height = 800;
  document.body.append(frame);
  await new Promise((resolve) => { frame.onload = resolve; });
  for (let i = 0; i < 600 && !frame.contentWindow.gliolensCore; i++) await new Promise((r) => setTimeout(r, 100));
  if (!frame.contentWindow.gliolensCore) throw new Error('the app did not start (no gliolensCore after 60 s)');
  return frame.contentWindow.gliolensCore;
}

// One network on one backend: the first call (session creation, and for WebGPU its shader compilation) and `runs` more.
async function timeNetwork(core, { modelUrl, backend, input, dims }) {
  const seconds = [];
  let first = null, firstWall = null;
  for (let r = 0; r <= runs; r++) {
    const t = performance.now();
    const out = await core.infer({ modelUrl, backend, tensor: input, dims });
    if (r === 0) {
      first = out;
      firstWall = (performance.now() - t) / 1000;
    } else seconds.push(out.seconds);
  }
  return { backend: first.backend, threads: first.threads, firstCall: firstWall, firstRun: first.seconds, runs: seconds, run: median(seconds), output: first.output };
}

async function networks(core, caseId, manifestBase) {
  const listing = await fetch(`inputs/${caseId}/inputs.json`);
  if (!listing.ok) return [];
  const rows = [];
  for (const { stage, model, dims } of (await listing.json()).networks) {
    const input = new Float32Array((await fetchBytes(`inputs/${caseId}/${stage}_input.f32`)).buffer);
    const modelUrl = new URL(model, manifestBase).href;
    const byBackend = {};
    for (const backend of backends) {
      await log(`${caseId} ${stage} network ${JSON.stringify(dims)}: ${backend}`);
      try {
        byBackend[backend] = await timeNetwork(core, { modelUrl, backend, input, dims });
      } catch (error) {
        byBackend[backend] = { backend, error: error.message };
      }
    }
    const { webgpu, wasm } = byBackend;
    const parity = webgpu?.output && wasm?.output ? logitAgreement(webgpu.output, wasm.output) : null;
    for (const r of Object.values(byBackend)) delete r.output;
    rows.push({ case: caseId, stage, model, dims, webgpu, wasm, webgpuAgainstWasm: parity, speedup: wasm?.run / webgpu?.run });
    await log(`  webgpu run ${webgpu?.run?.toFixed(3)} s, wasm ${wasm?.run?.toFixed(3)} s; max |diff| ${parity?.maxDiff}`);
  }
  return rows;
}

async function wholeCase(core, caseId, manifest, manifestBase) {
  if (!(await fetch(`cases/${caseId}/${caseId}_${manifest.input.channel_files[0]}.nii.gz`, { method: 'HEAD' })).ok) {
    await log(`${caseId}: no NIfTI files, so no whole case`);
    return [];
  }
  const ids = [];
  for (const suffix of manifest.input.channel_files) {
    const name = `${caseId}_${suffix}.nii.gz`;
    ids.push((await core.load(name, await fetchBytes(`cases/${caseId}/${name}`))).id);
  }
  const rows = [];
  for (const mirror of mirrorModes) {
    for (const backend of backends) {
      const times = (mirror && backend === 'wasm') ? 0 : runs;  // WASM with mirroring is the slow one: once
      await log(`${caseId} whole case: ${backend}${mirror ? ', mirrored' : ''}, ${times + 1} runs`);
      const seconds = [];
      let first = null;
      try {
        for (let r = 0; r <= times; r++) {
          const name = `${caseId}_${backend}${mirror ? '_mirror' : ''}.nii.gz`;
          const result = await core.segment({
            ids, manifest, backend, mirror, keepSmallComponents: false, name,
            modelUrl: new URL(manifest.model.file, manifestBase).href,
            refineModelUrl: manifest.refine ? new URL(manifest.refine.model.file, manifestBase).href : undefined,
          }).promise;
          if (r === 0) {
            first = result;
            await post(`/file?name=${encodeURIComponent(name)}`, result.bytes);
          } else seconds.push(result.seconds);
          await core.release(result.id);
        }
        rows.push({ case: caseId, backend: first.backend, mirror, threads: first.threads, firstRun: first.seconds, runs: seconds, run: seconds.length ? median(seconds) : first.seconds, labels: first.labels });
        await log(`  first ${first.seconds.toFixed(2)} s, then median ${median(seconds).toFixed(2)} s`);
      } catch (error) {
        rows.push({ case: caseId, backend, mirror, error: error.message });
        await log(`  failed: ${error.message}`);
      }
    }
  }
  for (const id of ids) await core.release(id);
  return rows;
}

async function main() {
  const adapter = await adapterInfo();
  if (params.get('mode') === 'probe') {
    await post('/result', JSON.stringify({ adapter, userAgent: navigator.userAgent }));
    return;
  }
  await log(`adapter ${JSON.stringify(adapter)}; ${navigator.hardwareConcurrency} cores; isolated ${self.crossOriginIsolated}`);
  const core = await openApp();
  const manifestBase = new URL('models/glioma_seg/', location.href);
  const manifest = await (await fetch(new URL('manifest.json', manifestBase))).json();
  const cases = (params.get('cases') ?? '').split(',').filter(Boolean);
  const result = { adapter, userAgent: navigator.userAgent, cores: navigator.hardwareConcurrency, isolated: self.crossOriginIsolated,
    model: `${manifest.name} ${manifest.version}`, runs, networks: [], wholeCase: [] };
  for (const caseId of cases) result.networks.push(...await networks(core, caseId, manifestBase));
  for (const caseId of cases) {
    result.wholeCase.push(...await wholeCase(core, caseId, manifest, manifestBase));
    await post('/result', JSON.stringify(result, null, 2));  // kept even if a later case never finishes
  }
  await post('/result', JSON.stringify(result, null, 2));
}

main()
  .catch(async (error) => {
    await log(`failed: ${error.stack ?? error.message}`);
    await post('/result', JSON.stringify({ error: error.message }));
  })
  .finally(() => post('/done', ''));
