// Promise-based calls to the Worker that runs the WASM core.
import { failPending, settleReply } from './worker-replies.js';

export class CoreClient {
  #worker;
  #pending = new Map();
  #nextId = 1;

  constructor() {
    this.#worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.#worker.onmessage = ({ data }) => settleReply(this.#pending, data);
    this.#worker.onerror = (event) => failPending(this.#pending, `the analysis worker failed: ${event.message ?? 'unknown error'}`);
  }

  #call(type, payload, transfer = [], onProgress = null) {
    return this.#start(type, payload, transfer, onProgress).promise;
  }

  #start(type, payload, transfer = [], onProgress = null) {
    const requestId = this.#nextId++;
    const promise = new Promise((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject, onProgress });
      this.#worker.postMessage({ requestId, type, payload }, transfer);
    });
    return { requestId, promise };
  }

  // The network alone on one tensor: {backend, output, seconds}.
  infer(payload) {
    return this.#call('infer', payload);
  }

  // A segmentation model's manifest from its text, checked by the core (see Gliolens.readSegmentationManifest).
  readSegmentationManifest(text, source) {
    return this.#call('readSegmentationManifest', { text, source });
  }

  // Segments the tumour; returns {promise, cancel}. The promise gives {id, labels, bytes, backend, seconds}.
  segment(payload, onProgress) {
    const { requestId, promise } = this.#start('segment', payload, [], onProgress);
    return { promise, cancel: () => this.#call('cancel', { target: requestId }) };
  }

  // The FLAIR-only model's manifest from its text, checked by the core (see Gliolens.readFlairManifest).
  readFlairManifest(text, source) {
    return this.#call('readFlairManifest', { text, source });
  }

  // Segments the FLAIR abnormality of loaded FLAIR `payload.id` with the FLAIR-only model; returns {promise, cancel}.
  // The promise gives {id, labels, mL, slices, model, bytes, backend, threads, seconds}.
  segmentFlair(payload, onProgress) {
    const { requestId, promise } = this.#start('segmentFlair', payload, [], onProgress);
    return { promise, cancel: () => this.#call('cancel', { target: requestId }) };
  }

  // Prepares four loaded raw scans into SRI24 space (see prepare in worker.js); returns {promise, cancel}. Progress
  // gives {step, backend} as each step starts; a cancel stops before the next step (the promise rejects with an Error
  // named CancelledError) and keeps the raw scans.
  prepare(payload, onProgress) {
    const { requestId, promise } = this.#start('prepare', payload, [], onProgress);
    return { promise, cancel: () => this.#call('cancel', { target: requestId }) };
  }

  // Labels segmented on prepared sequences carried back onto the raw T1c's grid: {id, labels, bytes, header}.
  labelsOnT1c(payload) {
    return this.#call('labelsOnT1c', payload);
  }

  // `bytes` is copied to the worker: the page keeps its own copy for the viewer.
  load(name, bytes) {
    return this.#call('load', { name, bytes });
  }

  labelVolumes(id) {
    return this.#call('labelVolumes', { id });
  }

  // The tumour descriptors of segmentation `id` (see Gliolens.descriptors): {descriptors: [{name, value, reason}],
  // settings}.
  descriptors(id) {
    return this.#call('descriptors', { id });
  }

  release(id) {
    return this.#call('release', { id });
  }

  demo() {
    return this.#call('demo');
  }

  // Radiomic features of the region `labels` of segmentation `maskId` in image `imageId` (see Gliolens.features).
  features(imageId, maskId, { labels, mode = 'pyradiomics', params } = {}) {
    return this.#call('features', { imageId, maskId, labels, mode, params });
  }

  // One case of a cohort run, as gliolens batch runs a row (see cohortCase in worker.js): `files` {column: {path,
  // file}} with File objects (the Worker reads them), every volume released before the answer
  // {columns, notes, heapBytes, loadedAfter}.
  cohortCase(files, plan) {
    return this.#call('cohortCase', { files, plan });
  }

  // Survival models (see Gliolens.predict / fit / tableSummary): JSON reports.
  survivalPredict(model, features, options = {}) {
    return this.#call('survivalPredict', { model, features, options });
  }

  survivalFit(csv, options, source = 'CSV') {
    return this.#call('survivalFit', { csv, options, source });
  }

  survivalTableSummary(csv, source = 'CSV') {
    return this.#call('survivalTableSummary', { csv, source });
  }

  // Growth report (see Gliolens.growth) between scans {date, id} (a loaded segmentation, the volume of its `labels`)
  // or {date, volume_ml}.
  growth(earlier, later, labels = null) {
    return this.#call('growth', { earlier, later, labels });
  }
}
