// The DICOM converter's Web Worker: dcm2niix (WebAssembly, @niivue/dcm2niix) turns dropped DICOM files into one NIfTI
// per series (wasm/dicom.mjs, as `gliolens dicom` does), off the page's thread. A Worker of its own, started at the
// first DICOM drop, so a page that only ever sees NIfTI never loads the converter. Its .wasm is a Vite asset of this
// build, fetched from the page's origin.
import createDcm2niix from '@niivue/dcm2niix/dist/dcm2niix.jpeg.js';
import dcm2niixWasmUrl from '@niivue/dcm2niix/dist/dcm2niix.jpeg.wasm?url';

import { convertDicom } from '../../wasm/dicom.mjs';

// payload: {files: [{path, file: File}]}. Answers {series: [{name, bytes, description, seriesNumber, modality, role,
// warnings}], warnings, skipped}; the NIfTI bytes are transferred, not copied.
async function convert({ files }) {
  const inputs = files.map(({ path, file }) => ({ name: path, read: async () => new Uint8Array(await file.arrayBuffer()) }));
  const { series, warnings, skipped } = await convertDicom(
    (callbacks) => createDcm2niix({ ...callbacks, locateFile: () => dcm2niixWasmUrl }), inputs);
  return {
    series: series.map(({ name, nifti, sidecar, description, role, warnings: seriesWarnings }) => ({
      name, bytes: nifti, description, seriesNumber: sidecar.SeriesNumber ?? null, modality: sidecar.Modality ?? null, role, warnings: seriesWarnings,
    })),
    warnings,
    skipped,
  };
}

self.onmessage = async ({ data: { requestId, payload } }) => {
  try {
    const result = await convert(payload);
    self.postMessage({ requestId, ok: true, result }, result.series.map((s) => s.bytes.buffer));
  } catch (error) {
    self.postMessage({ requestId, ok: false, error: { name: error?.name ?? 'Error', message: error?.message ?? String(error) } });
  }
};
