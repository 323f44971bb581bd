// Promise-based calls to the DICOM converter's Worker (dicom-worker.js), started at the first conversion.

export class DicomClient {
  #worker = null;
  #pending = new Map();
  #nextId = 1;

  // files: [{path, file: File}] -> {series: [{name, bytes, description, seriesNumber, modality, role, warnings}],
  // warnings, skipped}. Rejects with an Error named NoDicomError when none of the files is a DICOM image.
  convert(files) {
    const requestId = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(requestId, { resolve, reject });
      this.#start().postMessage({ requestId, payload: { files } });
    });
  }

  #start() {
    if (this.#worker) return this.#worker;
    this.#worker = new Worker(new URL('./dicom-worker.js', import.meta.url), { type: 'module' });
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
    // A converter that dies (out of memory on a huge study) fails its requests; the next conversion starts a new one.
    this.#worker.onerror = (event) => {
      const error = new Error(`the DICOM converter failed: ${event.message ?? 'unknown error'}`);
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
      this.#worker.terminate();
      this.#worker = null;
    };
    return this.#worker;
  }
}
