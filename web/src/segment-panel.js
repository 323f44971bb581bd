// The "Segment" panel: runs the glioma network on the four loaded modalities in the Worker, with
// progress, cancel, the backend used and the time taken; the result joins the file list as the
// segmentation and can be downloaded as NIfTI in the input's own space. A case with FLAIR but not all four
// sequences gets the FLAIR-only model instead (one label, the FLAIR abnormality), and the panel says which model ran
// and why. The user may bring their own model of either kind.
import { downloadFile } from './download.js';
import { flairMaskName, flairModelName, flairValidationSummary, isFlairManifest } from './flair-model.js';
import { MODALITY_ROLES, segmentationModelFor } from './segmentation-model.js';

const DEFAULT_MODEL = 'models/glioma_seg/';
const roleName = (role) => (role === 't1c' ? 'T1c' : role.toUpperCase());

// "glioma_seg_2mm 5.0.0 (held-out Dice WT 0.83, TC 0.68, ET 0.51)": what the model is and how good, from its manifest.
export function modelSummary(manifest) {
  const mean = manifest.validation?.held_out?.mean;
  const dice = mean ? ` (held-out Dice ${['WT', 'TC', 'ET'].map((r) => `${r} ${mean[r].dice.toFixed(2)}`).join(', ')})` : '';
  return `${manifest.name} ${manifest.version}${dice}`;
}

// "WebGPU" or "WASM, 4 threads": the backend and the WebAssembly threads ORT actually runs with.
export function backendLine({ backend, threads }) {
  if (backend === 'webgpu') return 'WebGPU';
  return `WASM, ${threads} thread${threads === 1 ? '' : 's'}`;
}

export class SegmentPanel {
  #root;
  #core;
  #getFiles;
  #addSegmentation;
  #message;
  #running = null;
  #result = null;
  #customModel = null;  // {name, bytes, manifest, url} from the user's own files
  #customModelsChosen = 0;
  #bundledManifest = null;

  #flairModel;

  // flairModel: the bundled FLAIR-only model (flair-model.js), shared with the growth panel.
  constructor(root, core, { getFiles, addSegmentation, message, flairModel }) {
    this.#root = root;
    this.#core = core;
    this.#flairModel = flairModel;
    this.#getFiles = getFiles;
    this.#addSegmentation = addSegmentation;
    this.#message = message;
    this.#el('#segment-run').addEventListener('click', () => this.run());
    this.#el('#segment-cancel').addEventListener('click', () => {
      if (!this.#running) return;
      // ORT cannot stop inside a run: the request ends once the network is through what it runs on now (the job's
      // `cancelling` says what that is).
      this.#el('#segment-status').textContent = this.#running.cancelling;
      this.#running.cancel();
    });
    this.#el('#segment-download').addEventListener('click', () => this.#result && downloadFile(this.#result.name, this.#result.bytes, 'application/gzip'));
    this.#el('#segment-model-files').addEventListener('change', (e) => this.#useOwnModel([...e.target.files]));
    this.refresh();
    this.#bundledModelManifest().then(
      (manifest) => { if (!this.#customModel) this.#el('#segment-model').textContent = `${modelSummary(manifest)}, bundled`; },
      () => {});  // reported when "Segment" needs it
  }

  #el(selector) {
    return this.#root.querySelector(selector);
  }

  // Which model the loaded sequences call for (segmentation-model.js).
  #plan() {
    return segmentationModelFor(this.#getFiles());
  }

  refresh() {
    const plan = this.#plan();
    const run = this.#el('#segment-run');
    run.disabled = Boolean(this.#running) || !plan.model;
    const missing = plan.missing.map(roleName).join(', ');
    this.#el('#segment-hint').textContent = !plan.model
      ? `Needs all four modalities (or FLAIR for the FLAIR-only model); missing: ${missing}.`
      : plan.model === 'flair'
        ? `Runs the FLAIR-only model (one label, the FLAIR abnormality): ${missing} not loaded. Runs in this tab: nothing is uploaded.`
        : 'Runs in this tab: nothing is uploaded.';
  }

  // "Use your own model": a sub-region model's manifest with its network(s), or a FLAIR-only model's (the manifest's
  // format says which), each used where that model runs. A wrong choice is refused with the file's name and why, and
  // the models stay as they were.
  async #useOwnModel(files) {
    try {
      const manifestFile = files.find((f) => f.name.endsWith('.json'));
      const networks = files.filter((f) => f.name.endsWith('.onnx'));
      if (!networks.length || !manifestFile) throw new Error('choose both the .onnx model and its manifest .json');
      const text = await manifestFile.text();
      // Each choice gets its own URL: the worker keeps loaded networks by URL, and a file chosen again under the
      // same name may have changed.
      const chosen = ++this.#customModelsChosen;
      const network = async (file) => ({ url: `user:${file.name}#${chosen}`, bytes: new Uint8Array(await file.arrayBuffer()) });
      if (isFlairManifest(text)) await this.#useOwnFlairModel(manifestFile.name, text, networks, network);
      else await this.#useOwnSubregionModel(manifestFile.name, text, networks, network);
    } catch (error) {
      this.#message('error', `own model: ${error.message}`);
    }
  }

  // A sub-region model of the user's (gliolens-segmentation-manifest/1) with its network, or a cascade's two.
  async #useOwnSubregionModel(manifestName, text, networks, network) {
    const manifest = await this.#core.readSegmentationManifest(text, manifestName);
    // A one-network model may come under another file name; a cascade's two are told apart by their names.
    const named = (file) => networks.find((f) => f.name === file);
    const onnx = manifest.refine ? named(manifest.model?.file) : named(manifest.model?.file) ?? (networks.length === 1 ? networks[0] : null);
    const refineOnnx = manifest.refine ? named(manifest.refine.model?.file) : null;
    if (!onnx || (manifest.refine && !refineOnnx)) {
      const wanted = [manifest.model?.file, manifest.refine?.model?.file].filter(Boolean).join(' and ');
      throw new Error(`${manifestName} names ${wanted}: choose ${manifest.refine ? 'them' : 'it'} with the manifest`);
    }
    this.#customModel = { name: onnx.name, manifest, ...(await network(onnx)), refine: refineOnnx ? await network(refineOnnx) : null };
    this.#el('#segment-model').textContent = `${onnx.name}: ${modelSummary(manifest)}, yours`;
    this.#el('#segment-card').hidden = true;
  }

  // The FLAIR-only model's manifest (gliolens-flair-manifest/1) and its one network, which may come under another
  // file name; the growth panel's FLAIR scans get it too (one FLAIR model for the case).
  async #useOwnFlairModel(manifestName, text, networks, network) {
    const manifest = await this.#core.readFlairManifest(text, manifestName);
    const onnx = networks.find((f) => f.name === manifest.model.file) ?? (networks.length === 1 ? networks[0] : null);
    if (!onnx) throw new Error(`${manifestName} names ${manifest.model.file}: choose it with the manifest`);
    this.#flairModel.useOwn({ manifest, source: manifestName, ...(await network(onnx)) });
    const validation = flairValidationSummary(manifest);
    const line = this.#el('#segment-flair-model');
    line.hidden = false;
    line.textContent = `; FLAIR-only model ${onnx.name}: ${flairModelName(manifest)}${validation ? ` (${validation})` : ''}, yours`;
  }

  async #bundledModelManifest() {
    if (!this.#bundledManifest) {
      const response = await fetch(new URL('manifest.json', new URL(DEFAULT_MODEL, location.href)));
      if (!response.ok) throw new Error(`the bundled model's manifest is missing (${response.status})`);
      this.#bundledManifest = await this.#core.readSegmentationManifest(await response.text(), 'models/glioma_seg/manifest.json');
    }
    return this.#bundledManifest;
  }

  async #model() {
    if (this.#customModel) return this.#customModel;
    const manifest = await this.#bundledModelManifest();
    const served = (file) => ({ url: new URL(file, new URL(DEFAULT_MODEL, location.href)).href, bytes: null });
    return { name: manifest.model.file, manifest, ...served(manifest.model.file), refine: manifest.refine ? served(manifest.refine.model.file) : null };
  }

  // The model that fits what is loaded (#plan), with progress and cancel; an error or a cancel leaves the page as it was.
  async run() {
    const plan = this.#plan();
    if (plan.model !== 'flair' && plan.model !== 'subregions') return;
    const status = this.#el('#segment-status');
    const progress = this.#el('#segment-progress');
    this.#el('#segment-cancel').hidden = false;
    progress.hidden = false;
    status.textContent = 'Preparing…';
    const onStep = (step) => { status.textContent = `${step[0].toUpperCase()}${step.slice(1)}…`; };
    try {
      const job = plan.model === 'flair' ? this.#startFlair(plan, onStep) : await this.#startSubregions(plan, onStep);
      this.#running = job;
      this.refresh();
      await this.#finish(job, await job.promise, status);
    } catch (error) {
      status.textContent = error.name === 'CancelledError' ? 'Cancelled.' : '';
      if (error.name !== 'CancelledError') this.#message('error', `segmentation: ${error.message}`);
    } finally {
      this.#running = null;
      progress.hidden = true;
      this.#el('#segment-cancel').hidden = true;
      this.refresh();
    }
  }

  // The sub-region model started on the four modalities: a job for #finish.
  async #startSubregions({ modalities }, onStep) {
    const model = await this.#model();
    const caseName = modalities[0].name.replace(/(_t1)?\.nii(\.gz)?$/i, '');
    const name = `${caseName}_gliolens_seg.nii.gz`;
    const running = this.#core.segment({
      ids: modalities.map((f) => f.id),
      manifest: model.manifest,
      modelUrl: model.url,
      modelBytes: model.bytes,
      refineModelUrl: model.refine?.url,
      refineModelBytes: model.refine?.bytes,
      backend: this.#el('#segment-backend').value,
      mirror: this.#el('#segment-mirror').checked,
      keepSmallComponents: this.#el('#segment-keep-small').checked,
      name,
    }, ({ step }) => onStep(step));
    const which = `Sub-region model (${modelSummary(model.manifest)}): all four sequences loaded`;
    return {
      ...running,
      model: 'subregions',
      cancelling: 'Cancelling after the current window…',
      name,
      scheme: 'brats',
      gridOf: modalities[0],
      described: (result) => ({ detail: result.passes > 1 ? ` (${result.passes} mirrored passes)` : '', which, shown: which }),
    };
  }

  // The FLAIR-only model started on the case's FLAIR (the options of the sub-region model do not apply to it): a job
  // for #finish.
  #startFlair({ flair, missing }, onStep) {
    const name = flairMaskName(flair.name);
    const running = this.#flairModel.run({ id: flair.id, name, backend: this.#el('#segment-backend').value }, onStep);
    return {
      ...running,
      model: 'flair',
      // It runs batches of slices (the manifest's slices_per_run), not windows.
      cancelling: 'Cancelling after the current batch of slices…',
      name,
      scheme: 'flair',
      gridOf: flair,
      described: (result) => {
        const validation = flairValidationSummary(result.manifest);
        // Given sequences the model does not read (T2, say) are named: nothing of them went into the result.
        const unused = MODALITY_ROLES.filter((role) => role !== 'flair' && !missing.includes(role)).map(roleName);
        const which = `FLAIR-only model (${flairModelName(result.manifest)}): ${missing.map(roleName).join(', ')} not loaded`
          + `${unused.length ? `; ${unused.join(', ')} loaded but not used (the model reads FLAIR alone)` : ''}`
          + `${validation ? ` (${validation})` : ''}`;
        return {
          detail: ` (${result.slices} slices)`,
          which,
          shown: `${which}. One label, the FLAIR abnormality (the whole tumour as FLAIR shows it), not the tumour's sub-regions.`,
          dataset: { ml: result.mL },
        };
      },
    };
  }

  // A finished job: the time and backend, the download, which model made the segmentation and why, its warnings; the
  // segmentation joins the case. job: {model, cancelling (the status a cancel shows), name, scheme, gridOf,
  // described(result) → {detail (after the time), which (the model and why, kept with the segmentation), shown (that
  // as the panel says it), dataset?}}.
  async #finish(job, result, status) {
    const { detail, which, shown, dataset = {} } = job.described(result);
    this.#result = { name: job.name, bytes: result.bytes };
    Object.assign(this.#root.dataset, { backend: result.backend, threads: result.threads, seconds: result.seconds, ...dataset });
    status.textContent = `Done on ${backendLine(result)} in ${result.seconds.toFixed(1)} s${detail}. Research use only: check it before use.`
      + `${result.threadsNote ? ` (${result.threadsNote}.)` : ''}`;
    this.#el('#segment-download').disabled = false;
    const whichLine = this.#el('#segment-which');
    whichLine.hidden = false;
    whichLine.textContent = shown;
    this.#root.dataset.model = job.model;
    for (const warning of result.warnings ?? []) this.#message('warning', `segmentation: ${warning}`);
    await this.#addSegmentation({ name: job.name, bytes: result.bytes, id: result.id, labels: result.labels, scheme: job.scheme, model: which, gridOf: job.gridOf });
  }
}
