// The "Segment" panel: runs the glioma network on the four loaded modalities in the Worker, with
// progress, cancel, the backend used and the time taken; the result joins the file list as the
// segmentation and can be downloaded as NIfTI in the input's own space.
import { downloadFile } from './download.js';

const DEFAULT_MODEL = 'models/glioma_seg/';
const MODALITY_ROLES = ['t1', 't1c', 't2', 'flair'];

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

  constructor(root, core, { getFiles, addSegmentation, message }) {
    this.#root = root;
    this.#core = core;
    this.#getFiles = getFiles;
    this.#addSegmentation = addSegmentation;
    this.#message = message;
    this.#el('#segment-run').addEventListener('click', () => this.run());
    this.#el('#segment-cancel').addEventListener('click', () => {
      if (!this.#running) return;
      // ORT cannot stop inside a run: the request ends once the current window is through the network.
      this.#el('#segment-status').textContent = 'Cancelling after the current window…';
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

  #modalities() {
    const files = this.#getFiles();
    return MODALITY_ROLES.map((role) => files.find((f) => f.role === role));
  }

  refresh() {
    const missing = this.#modalities().map((f, i) => (f ? null : MODALITY_ROLES[i])).filter(Boolean);
    const run = this.#el('#segment-run');
    run.disabled = Boolean(this.#running) || missing.length > 0;
    this.#el('#segment-hint').textContent = missing.length
      ? `Needs all four modalities; missing: ${missing.map((r) => (r === 't1c' ? 'T1c' : r.toUpperCase())).join(', ')}.`
      : 'Runs in this tab: nothing is uploaded.';
  }

  async #useOwnModel(files) {
    try {
      const manifestFile = files.find((f) => f.name.endsWith('.json'));
      const networks = files.filter((f) => f.name.endsWith('.onnx'));
      if (!networks.length || !manifestFile) throw new Error('choose both the .onnx model and its manifest .json');
      const manifest = await this.#core.readSegmentationManifest(await manifestFile.text(), manifestFile.name);
      // A one-network model may come under another file name; a cascade's two are told apart by their names.
      const named = (file) => networks.find((f) => f.name === file);
      const onnx = manifest.refine ? named(manifest.model?.file) : named(manifest.model?.file) ?? (networks.length === 1 ? networks[0] : null);
      const refineOnnx = manifest.refine ? named(manifest.refine.model?.file) : null;
      if (!onnx || (manifest.refine && !refineOnnx)) {
        const wanted = [manifest.model?.file, manifest.refine?.model?.file].filter(Boolean).join(' and ');
        throw new Error(`${manifestFile.name} names ${wanted}: choose ${manifest.refine ? 'them' : 'it'} with the manifest`);
      }
      // Each choice gets its own URL: the worker keeps loaded networks by URL, and a file chosen again under the
      // same name may have changed.
      const chosen = ++this.#customModelsChosen;
      const network = async (file) => ({ url: `user:${file.name}#${chosen}`, bytes: new Uint8Array(await file.arrayBuffer()) });
      this.#customModel = { name: onnx.name, manifest, ...(await network(onnx)), refine: refineOnnx ? await network(refineOnnx) : null };
      this.#el('#segment-model').textContent = `${onnx.name}: ${modelSummary(manifest)}, yours`;
      this.#el('#segment-card').hidden = true;
    } catch (error) {
      this.#message('error', `own model: ${error.message}`);
    }
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

  async run() {
    const modalities = this.#modalities();
    if (modalities.some((f) => !f)) return;
    const status = this.#el('#segment-status');
    const progress = this.#el('#segment-progress');
    this.#el('#segment-cancel').hidden = false;
    progress.hidden = false;
    status.textContent = 'Preparing…';
    try {
      const model = await this.#model();
      const caseName = modalities[0].name.replace(/(_t1)?\.nii(\.gz)?$/i, '');
      const name = `${caseName}_gliolens_seg.nii.gz`;
      this.#running = this.#core.segment({
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
      }, ({ step }) => { status.textContent = `${step[0].toUpperCase()}${step.slice(1)}…`; });
      this.refresh();
      const result = await this.#running.promise;
      this.#result = { name, bytes: result.bytes };
      this.#root.dataset.backend = result.backend;
      this.#root.dataset.threads = result.threads;
      this.#root.dataset.seconds = result.seconds;
      status.textContent = `Done on ${backendLine(result)} in ${result.seconds.toFixed(1)} s` +
        `${result.passes > 1 ? ` (${result.passes} mirrored passes)` : ''}. Research use only: check it before use.` +
        `${result.threadsNote ? ` (${result.threadsNote}.)` : ''}`;
      this.#el('#segment-download').disabled = false;
      for (const warning of result.warnings) this.#message('warning', `segmentation: ${warning}`);
      await this.#addSegmentation({ name, bytes: result.bytes, id: result.id, labels: result.labels });
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
}
