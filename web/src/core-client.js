// Promise-based calls to the Worker that runs the WASM core.

export class CoreClient {
  #worker;
  #pending = new Map();
  #nextId = 1;

  constructor() {
    this.#worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
    this.#worker.onmessage = ({ data }) => {
      const pending = this.#pending.get(data.requestId);
      if (!pending) return;
      this.#pending.delete(data.requestId);
      if (data.ok) {
        pending.resolve(data.result);
      } else {
        const error = new Error(data.error.message);
        error.name = data.error.name;
        pending.reject(error);
      }
    };
    this.#worker.onerror = (event) => {
      const error = new Error(`the analysis worker failed: ${event.message ?? 'unknown error'}`);
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
  }

  #call(type, payload, transfer = []) {
    const requestId = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject });
      this.#worker.postMessage({ requestId, type, payload }, transfer);
    });
  }

  // `bytes` is copied to the worker: the page keeps its own copy for the viewer.
  load(name, bytes) {
    return this.#call('load', { name, bytes });
  }

  labelVolumes(id) {
    return this.#call('labelVolumes', { id });
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
}
