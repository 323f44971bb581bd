// Promise-based calls to the DICOM converter's Worker (dicom-worker.js), started at the first conversion.
import { failPending, settleReply } from './worker-replies.js';

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
    this.#worker.onmessage = ({ data }) => settleReply(this.#pending, data);
    // A converter that dies (out of memory on a huge study) fails its requests; the next conversion starts a new one.
    this.#worker.onerror = (event) => {
      failPending(this.#pending, `the DICOM converter failed: ${event.message ?? 'unknown error'}`);
      this.#worker.terminate();
      this.#worker = null;
    };
    return this.#worker;
  }
}
