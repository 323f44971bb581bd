// An independent, minimal NIfTI-1 reader for the tests (plain JavaScript, not our core), so that
// numbers from the core are checked against a second implementation; and a copy of an image without its zero
// background, made without the core, for the input the core must warn about.
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';

const TYPES = {
  2: [Uint8Array, 1], 4: [Int16Array, 2], 8: [Int32Array, 4], 16: [Float32Array, 4],
  64: [Float64Array, 8], 256: [Int8Array, 1], 512: [Uint16Array, 2], 768: [Uint32Array, 4],
};

export function readNifti1(path) {
  let bytes = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let little = true;
  if (view.getInt32(0, true) !== 348) {
    if (view.getInt32(0, false) !== 348) throw new Error(`${path}: not NIfTI-1`);
    little = false;
  }
  const dims = [1, 2, 3].map((i) => view.getInt16(40 + 2 * i, little));
  const datatype = view.getInt16(70, little);
  const pixdim = [1, 2, 3].map((i) => view.getFloat32(76 + 4 * i, little));
  const voxOffset = view.getFloat32(108, little);
  const sformCode = view.getInt16(254, little);
  const srow = [280, 296, 312].map((o) => [0, 1, 2, 3].map((i) => view.getFloat32(o + 4 * i, little)));
  const [Type, size] = TYPES[datatype] ?? [];
  if (!Type) throw new Error(`${path}: datatype ${datatype} not handled by the test reader`);
  const count = dims[0] * dims[1] * dims[2];
  const data = new Type(count);
  for (let i = 0; i < count; i++) {
    const o = voxOffset + i * size;
    switch (datatype) {
      case 2: data[i] = view.getUint8(o); break;
      case 256: data[i] = view.getInt8(o); break;
      case 4: data[i] = view.getInt16(o, little); break;
      case 512: data[i] = view.getUint16(o, little); break;
      case 8: data[i] = view.getInt32(o, little); break;
      case 768: data[i] = view.getUint32(o, little); break;
      case 16: data[i] = view.getFloat32(o, little); break;
      case 64: data[i] = view.getFloat64(o, little); break;
    }
  }
  return { dims, datatype, pixdim, sformCode, srow, data };
}

// Voxel counts of each non-zero label, and their volumes in mL.
export function countLabels({ data, pixdim }) {
  const counts = new Map();
  for (const v of data) if (v !== 0) counts.set(v, (counts.get(v) ?? 0) + 1);
  const mlPerVoxel = Math.abs(pixdim[0] * pixdim[1] * pixdim[2]) / 1000;
  return [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([label, voxels]) => ({ label, voxels, mL: voxels * mlPerVoxel }));
}

// Writes `path` (a gzipped int16 NIfTI-1, as BraTS and the demo case are) to `out` with every 0 voxel set to 1: the image
// as it would be before skull stripping left a zero background, or with background noise left in.
export function withoutZeroBackground(path, out) {
  const bytes = gunzipSync(readFileSync(path));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getInt32(0, true) !== 348 || view.getInt16(70, true) !== 4) throw new Error(`${path}: not a little-endian int16 NIfTI-1`);
  for (let at = view.getFloat32(108, true); at < bytes.byteLength; at += 2) if (view.getInt16(at, true) === 0) view.setInt16(at, 1, true);
  writeFileSync(out, gzipSync(bytes));
  return out;
}
