// The Web Worker: runs the WASM core, so the page never freezes on heavy work.
import createGliolensCore from '../../build/wasm/gliolens_web.mjs';
import wasmUrl from '../../build/wasm/gliolens_web.wasm?url';
import { gliolensValues } from '../../cli/batch/row.mjs';
import { parseLabels } from '../../cli/labels.mjs';
import { Gliolens, networkLoadError, networkRunError } from '../../wasm/gliolens.mjs';
import { labelsOnT1cGrid, prepareLoaded, sequences } from '../../wasm/prepare.mjs';
import { Network, chooseBackend } from './network.js';

const ready = createGliolensCore({
  locateFile: () => wasmUrl,
  print: () => {},
  printErr: () => {},
}).then((module) => new Gliolens(module));

// Networks already loaded, by model URL and backend; requests that were cancelled, by id.
const networks = new Map();
const cancelled = new Set();

// `threads`: WASM threads (ORT fixes them at its first session in this Worker); default min(4, cores).
async function network(modelUrl, modelBytes, backend, threads) {
  const key = `${modelUrl}|${backend}`;
  if (!networks.has(key)) {
    const bytes = modelBytes ?? new Uint8Array(await (await fetchOk(modelUrl)).arrayBuffer());
    networks.set(key, Network.load(bytes, backend, { threads }));
  }
  try {
    return await networks.get(key);
  } catch (error) {
    networks.delete(key);
    throw networkLoadError(modelName(modelUrl), error);
  }
}

// "mine.onnx" for the user's model (user:mine.onnx#2), the file name of a served one.
function modelName(modelUrl) {
  return modelUrl.startsWith('user:') ? modelUrl.slice(5).replace(/#\d+$/, '') : new URL(modelUrl).pathname.split('/').pop();
}

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${response.statusText}`);
  return response;
}

// payload: {ids: [t1, t1c, t2, flair], manifest, modelUrl, modelBytes?, refineModelUrl?, refineModelBytes? (a cascade's
//           second network), backend: auto|webgpu|wasm, mirror, keepSmallComponents, name, threads?}
async function segment(core, payload, requestId) {
  const started = performance.now();
  const backend = await chooseBackend(payload.backend);
  progress(requestId, { step: `loading the model (${backend})` });
  const net = await network(payload.modelUrl, payload.modelBytes, backend, payload.threads);
  const cascade = Boolean(payload.manifest?.refine);
  const refineNet = cascade ? await network(payload.refineModelUrl, payload.refineModelBytes, backend, payload.threads) : null;
  const runner = (loaded, modelUrl) => async (tensor, dims) => {
    let output;
    try {
      output = await loaded.run(tensor, dims);
    } catch (error) {
      throw networkRunError(modelName(modelUrl), dims, error);
    }
    // A Cancel sent while ORT ran is still queued: let it in before the core asks isCancelled().
    await new Promise((resolve) => setTimeout(resolve, 0));
    return output;
  };
  const result = await core.segment(payload.ids, {
    manifest: payload.manifest,
    mirror: payload.mirror,
    keepSmallComponents: payload.keepSmallComponents,
    runNetwork: runner(net, payload.modelUrl),
    runRefineNetwork: cascade ? runner(refineNet, payload.refineModelUrl) : undefined,
    onProgress: ({ stage, pass, passes, window, windows }) => progress(requestId, {
      step: `running the network (${backend})${cascade ? `, stage ${stage} of 2` : ''}, pass ${pass} of ${passes}`
        + `${windows > 1 ? `, window ${window} of ${windows}` : ''}`,
    }),
    isCancelled: () => cancelled.has(requestId),
  });
  const bytes = core.volumeBytes(result.id, payload.name);
  return { ...result, bytes, backend, threads: net.threads, threadsNote: net.note, seconds: (performance.now() - started) / 1000 };
}

// The FLAIR-only model (models/flair_seg, or the user's) on a loaded FLAIR: payload {id, manifest, source (the
// manifest's name, for errors), modelUrl, modelBytes? (the user's network; else fetched from modelUrl), backend, name,
// threads?}.
// The label volume (1 = FLAIR abnormality) lies on the FLAIR's own grid; `bytes` is it as a .nii.gz named `name`.
async function segmentFlair(core, payload, requestId) {
  const started = performance.now();
  const backend = await chooseBackend(payload.backend);
  progress(requestId, { step: `loading the FLAIR model (${backend})` });
  const net = await network(payload.modelUrl, payload.modelBytes, backend, payload.threads);
  const result = await core.segmentFlair(payload.id, {
    manifest: payload.manifest,
    source: payload.source,
    runNetwork: async (tensor, dims) => {
      let output;
      try {
        output = await net.run(tensor, dims);
      } catch (error) {
        throw networkRunError(modelName(payload.modelUrl), dims, error);
      }
      // A Cancel sent while ORT ran is still queued: let it in before the core asks isCancelled().
      await new Promise((resolve) => setTimeout(resolve, 0));
      return output;
    },
    onProgress: ({ slice, slices }) => progress(requestId, { step: `running the FLAIR model (${backend}), slice ${slice} of ${slices}` }),
    isCancelled: () => cancelled.has(requestId),
  });
  const bytes = core.volumeBytes(result.id, payload.name);
  return { ...result, bytes, backend, threads: net.threads, threadsNote: net.note, seconds: (performance.now() - started) / 1000 };
}

// The Prepare flow (wasm/prepare.mjs) on four loaded raw scans: payload {ids: {t1, t1ce, t2, flair}, names (their file
// names, for messages), caseName, templateUrl (the SRI24 template served with the page), brainModelUrl (the
// brain-extraction model's folder: its manifest.json and the network it names), backend, threads?}. Progress names
// each step ({step: wasm/prepare.mjs STEPS id, or 'setup'}); a cancel stops before the next step. Returns the prepared
// volumes (headers and .nii.gz bytes: the four sequences in SRI24, float32, with their ids; the brain mask on the T1c's
// grid and in SRI24 and the SRI24 template brain's outline, released here), the matrices, the quality numbers and
// warnings, and each step's seconds.
async function prepare(core, payload, requestId) {
  const started = performance.now();
  const backend = await chooseBackend(payload.backend);
  progress(requestId, { step: 'setup', backend });
  const { id: templateId, outline } = await loadedTemplate(core, payload.templateUrl);
  const manifestUrl = new URL('manifest.json', payload.brainModelUrl).href;
  const source = new URL(manifestUrl).pathname.split('/').slice(-3).join('/');
  const manifest = core.readBrainExtractionManifest(await (await fetchOk(manifestUrl)).text(), source);
  const modelUrl = new URL(manifest.model.file, payload.brainModelUrl).href;
  const net = await network(modelUrl, null, backend, payload.threads);
  const setupSeconds = (performance.now() - started) / 1000;
  const flow = await prepareLoaded(core, {
    scans: payload.ids,
    names: payload.names,
    templateId,
    brainManifest: manifest,
    brainSource: source,
    runBrainNetwork: async (tensor, dims) => {
      try {
        return await net.run(tensor, dims);
      } catch (error) {
        throw networkRunError(modelName(modelUrl), dims, error);
      }
    },
    onStep: (step) => progress(requestId, { step, backend }),
    // A Cancel sent while a step ran is still queued: let it in before asking.
    shouldStop: async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
      return cancelled.has(requestId);
    },
  });
  cancelled.delete(requestId);
  const volume = (id, name, datatype) => volumeFile(core, id, name, datatype);
  const volumes = {};
  for (const role of sequences) volumes[role] = volume(flow.ids[role], `${payload.caseName}_sri24_${role}.nii.gz`, 'float32');
  volumes.brainMask = volume(flow.ids.brainMask, `${payload.caseName}_brain_mask_t1c_grid.nii.gz`, 'uint8');
  volumes.brainMaskSri24 = volume(flow.ids.brainMaskSri24, `${payload.caseName}_brain_mask_sri24.nii.gz`, 'uint8');
  // The check view: the template brain's outline, drawn over the prepared sequences (they lie on its grid).
  // A copy: the reply transfers its buffers, and the cached outline must outlive this one.
  volumes.templateOutline = { ...outline, bytes: outline.bytes.slice() };
  // The page shows and downloads the masks from their bytes: the Worker need not keep them.
  for (const mask of ['brainMask', 'brainMaskSri24']) {
    core.release(flow.ids[mask]);
    delete volumes[mask].id;
  }
  return {
    volumes,
    inputs: flow.inputs,
    matrices: flow.matrices,
    brain: flow.brain,
    registrations: flow.registrations,
    warnings: flow.warnings,
    stepSeconds: { setup: Number(setupSeconds.toFixed(3)), ...flow.stepSeconds },
    backend,
    threads: net.threads,
    threadsNote: net.note,
    seconds: (performance.now() - started) / 1000,
  };
}

// The SRI24 template, loaded once per Worker by its URL, with its brain's outline for the check view (computed once
// too; only its bytes are kept): {id, outline: {name, bytes, header}}.
const templates = new Map();
async function loadedTemplate(core, url) {
  if (!templates.has(url)) {
    templates.set(url, (async () => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${url}: the SRI24 template is not served with this page (${response.status} ${response.statusText})`);
      const { id } = core.loadBytes('sri24_t1_brain.nii.gz', new Uint8Array(await response.arrayBuffer()));
      const outlineId = core.templateOutline(id);
      try {
        const { name, bytes, header } = volumeFile(core, outlineId, 'sri24_template_outline.nii.gz', 'uint8');
        return { id, outline: { name, bytes, header } };
      } finally {
        core.release(outlineId);
      }
    })());
  }
  try {
    return await templates.get(url);
  } catch (error) {
    templates.delete(url);
    throw error;
  }
}

// Labels segmented on the prepared sequences carried back onto the raw T1c's grid: payload {labelsId, t1ceId,
// templateToT1c, name}. Returns {id, labels, bytes (.nii.gz named `name`), header}.
function labelsOnT1c(core, { labelsId, t1ceId, templateToT1c, name }) {
  const id = labelsOnT1cGrid(core, { inputs: { t1ce: t1ceId }, matrices: { templateToT1c } }, labelsId);
  return { ...volumeFile(core, id, name), labels: core.labelVolumes(id) };
}

// A loaded volume as the page receives it: {id, name, bytes (.nii.gz named `name`, `datatype`'s voxels), header}.
function volumeFile(core, id, name, datatype = 'uint8') {
  const bytes = core.volumeBytes(id, name, { datatype });
  return { id, name, bytes, header: core.headerOfBytes(name, bytes) };
}

function progress(requestId, detail) {
  self.postMessage({ requestId, progress: detail });
}

// Runs the network alone on a given tensor (for checking backends against each other).
async function infer(core, { modelUrl, backend, tensor, dims, threads }) {
  const chosen = await chooseBackend(backend);
  const net = await network(modelUrl, null, chosen, threads);
  const started = performance.now();
  const output = await net.run(new Float32Array(tensor), dims);
  return { backend: chosen, threads: net.threads, threadsNote: net.note, output: Float32Array.from(output), seconds: (performance.now() - started) / 1000 };
}

// The core's descriptors as plain data for postMessage: {descriptors: [{name, value, reason}], settings}.
function plainDescriptors({ descriptors, settings }) {
  return {
    descriptors: descriptors.map(({ name, value, reason }) => ({ name, value: value ?? null, reason: reason ?? null })),
    settings: { ...settings, ventriclesCentreMm: [...settings.ventriclesCentreMm] },
  };
}

// Growth between two dated scans (see `gliolens growth`): each scan {date} with either `id`, a loaded segmentation
// whose labels `labels` (every non-zero label without them) give its volume, or `volume_ml`.
function growth(core, { earlier, later, labels }) {
  const volume = (scan) => (scan.id === undefined ? scan.volume_ml : core.segmentationVolume(scan.id, labels));
  return core.growth({ volume1_ml: volume(earlier), date1: earlier.date, volume2_ml: volume(later), date2: later.date });
}

// One case of the page's cohort run (cohort-panel.js) as gliolens batch runs a row of our form, with its code
// (cli/batch/row.mjs): `files` {t1, t1ce, t2, flair, seg: {path, file}} (File objects, read here one at a time),
// `plan` {steps, regions, modalities, mode, params, paramsPath}. Every volume of the case is released before the
// answer, so cases never pile up in memory. Returns {columns, notes, heapBytes, loadedAfter}.
async function cohortCase(core, { files, plan }) {
  const opened = [];
  const open = async (column) => {
    const { path, file } = files[column];
    const { id } = core.loadBytes(path, new Uint8Array(await file.arrayBuffer()));
    opened.push(id);
    return id;
  };
  const release = (id) => {
    opened.splice(opened.indexOf(id), 1);
    core.release(id);
  };
  const columns = [];
  const notes = [];
  let heapBytes;
  try {
    if (!files.seg) throw new Error('no segmentation (the cohort run does not segment: add the case\'s _seg file)');
    const segId = await open('seg');
    await gliolensValues(plan, {
      openImage: (modality) => {
        if (!files[modality]) throw new Error(`no ${modality} given`);
        return open(modality);
      },
      release,
      // As `gliolens features` names a failing extraction: the parameter file, or the image and the mask.
      extract: (imageId, modality, region) => {
        try {
          return core.features(imageId, segId, { ...parseLabels(region.labels), mode: plan.mode, params: plan.params });
        } catch (error) {
          const where = plan.paramsPath && /^parameter file: /.test(error.message) ? plan.paramsPath : `${files[modality].path} / ${files.seg.path}`;
          throw new Error(`${where}: ${error.message}`);
        }
      },
      descriptors: () => {
        try {
          return plainDescriptors(core.descriptors(segId)).descriptors;
        } catch (error) {
          throw new Error(error.message.startsWith(`${files.seg.path}: `) ? error.message : `${files.seg.path}: ${error.message}`);
        }
      },
    }, columns, notes);
    heapBytes = core.heapBytes;
  } finally {
    for (const id of [...opened]) release(id);
  }
  return { columns, notes: notes.join('; '), heapBytes, loadedAfter: core.loadedCount };
}

const handlers = {
  segment,
  prepare,
  labelsOnT1c,
  segmentFlair,
  infer,
  readSegmentationManifest: (core, { text, source }) => core.readSegmentationManifest(text, source),
  readFlairManifest: (core, { text, source }) => core.readFlairManifest(text, source),
  cancel: (core, { target }) => cancelled.add(target),
  load: (core, { name, bytes }) => core.loadBytes(name, new Uint8Array(bytes)),
  labelVolumes: (core, { id }) => core.labelVolumes(id),
  descriptors: (core, { id }) => plainDescriptors(core.descriptors(id)),
  release: (core, { id }) => core.release(id),
  demo: (core) => core.demoCaseBytes(),
  features: (core, { imageId, maskId, labels, mode, params }) => core.features(imageId, maskId, { labels, mode, params }),
  survivalPredict: (core, { model, features, options }) => core.predict(model, features, options),
  survivalFit: (core, { csv, options, source }) => core.fit(csv, options, { source }),
  survivalTableSummary: (core, { csv, source }) => core.tableSummary(csv, { source }),
  growth,
  cohortCase,
};

self.onmessage = async ({ data: { requestId, type, payload } }) => {
  try {
    const core = await ready;
    const handler = handlers[type];
    if (!handler) throw new Error(`unknown request "${type}"`);
    const result = await handler(core, payload ?? {}, requestId);
    const transfer = type === 'demo' ? result.map((file) => file.bytes.buffer)
      : type === 'prepare' ? Object.values(result.volumes).map((v) => v.bytes.buffer)
        : ['segment', 'segmentFlair', 'labelsOnT1c'].includes(type) ? [result.bytes.buffer] : [];
    self.postMessage({ requestId, ok: true, result }, transfer);
  } catch (error) {
    cancelled.delete(requestId);
    self.postMessage({ requestId, ok: false, error: { name: error?.name ?? 'Error', message: error?.message ?? String(error) } });
  }
};
