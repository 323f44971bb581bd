// The malformed-file corpus: >= 30 broken NIfTI files, each with the error the reader must give.
// Generated (not committed) so every byte is explained here. `node tests/fuzz/corpus.mjs DIR`
// writes them; tests/node/io-corpus.test.mjs checks each message; tests/fuzz/run.sh replays them
// through the sanitised fuzz target.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

// A NIfTI-1 or -2 file, field by field, little-endian unless `bigEndian`.
export function niftiBytes({ version = 1, bigEndian = false, dim = [3, 4, 3, 2, 1, 1, 1, 1], datatype = 16, bitpix,
  magic, pixdim = [1, 1, 1, 1, 1, 1, 1, 1], sclSlope = 0, sclInter = 0, qformCode = 0, sformCode = 0,
  srow = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]], values, pair = false, voxelBytes } = {}) {
  const le = !bigEndian;
  const size = version === 1 ? 352 : 544;
  const h = Buffer.alloc(size);
  const sizes = { 2: 1, 256: 1, 4: 2, 512: 2, 8: 4, 768: 4, 16: 4, 64: 8, 1024: 8, 32: 8, 128: 3, 1536: 16 };
  const nbyper = sizes[datatype] ?? 4;
  const m = Buffer.from(magic ?? `${pair ? 'ni' : 'n+'}${version}\0`, 'latin1');
  if (version === 1) {
    le ? h.writeInt32LE(348, 0) : h.writeInt32BE(348, 0);
    dim.forEach((d, i) => (le ? h.writeInt16LE(d, 40 + 2 * i) : h.writeInt16BE(d, 40 + 2 * i)));
    le ? h.writeInt16LE(datatype, 70) : h.writeInt16BE(datatype, 70);
    le ? h.writeInt16LE(bitpix ?? 8 * nbyper, 72) : h.writeInt16BE(bitpix ?? 8 * nbyper, 72);
    pixdim.forEach((p, i) => (le ? h.writeFloatLE(p, 76 + 4 * i) : h.writeFloatBE(p, 76 + 4 * i)));
    le ? h.writeFloatLE(pair ? 0 : 352, 108) : h.writeFloatBE(pair ? 0 : 352, 108);
    le ? h.writeFloatLE(sclSlope, 112) : h.writeFloatBE(sclSlope, 112);
    le ? h.writeFloatLE(sclInter, 116) : h.writeFloatBE(sclInter, 116);
    h[123] = 2;
    le ? h.writeInt16LE(qformCode, 252) : h.writeInt16BE(qformCode, 252);
    le ? h.writeInt16LE(sformCode, 254) : h.writeInt16BE(sformCode, 254);
    srow.forEach((row, r) => row.forEach((v, c) => (le ? h.writeFloatLE(v, 280 + 16 * r + 4 * c) : h.writeFloatBE(v, 280 + 16 * r + 4 * c))));
    m.copy(h, 344, 0, Math.min(4, m.length));
  } else {
    le ? h.writeInt32LE(540, 0) : h.writeInt32BE(540, 0);
    m.copy(h, 4, 0, Math.min(8, m.length));
    Buffer.from([13, 10, 26, 10]).copy(h, 8);
    le ? h.writeInt16LE(datatype, 12) : h.writeInt16BE(datatype, 12);
    le ? h.writeInt16LE(bitpix ?? 8 * nbyper, 14) : h.writeInt16BE(bitpix ?? 8 * nbyper, 14);
    dim.forEach((d, i) => (le ? h.writeBigInt64LE(BigInt(d), 16 + 8 * i) : h.writeBigInt64BE(BigInt(d), 16 + 8 * i)));
    pixdim.forEach((p, i) => (le ? h.writeDoubleLE(p, 104 + 8 * i) : h.writeDoubleBE(p, 104 + 8 * i)));
    le ? h.writeBigInt64LE(BigInt(pair ? 0 : 544), 168) : h.writeBigInt64BE(BigInt(pair ? 0 : 544), 168);
    le ? h.writeDoubleLE(sclSlope, 176) : h.writeDoubleBE(sclSlope, 176);
    le ? h.writeDoubleLE(sclInter, 184) : h.writeDoubleBE(sclInter, 184);
    le ? h.writeInt32LE(qformCode, 344) : h.writeInt32BE(qformCode, 344);
    le ? h.writeInt32LE(sformCode, 348) : h.writeInt32BE(sformCode, 348);
    srow.forEach((row, r) => row.forEach((v, c) => (le ? h.writeDoubleLE(v, 400 + 32 * r + 8 * c) : h.writeDoubleBE(v, 400 + 32 * r + 8 * c))));
    h.writeInt32LE(2, 500);
  }
  let count = 1;
  for (let d = 1; d <= Math.min(7, Math.max(0, dim[0])); d++) count *= Math.max(0, dim[d]);
  count = Math.min(count, voxelBytes !== undefined ? Math.ceil(voxelBytes / nbyper) : count, 1 << 16);
  const data = Buffer.alloc(count * nbyper);
  for (let i = 0; i < count; i++) {
    const v = values ? values[i] : i;
    const o = i * nbyper;
    switch (datatype) {
      case 2: data.writeUInt8(v & 255, o); break;
      case 256: data.writeInt8(((v + 128) & 255) - 128, o); break;
      case 4: le ? data.writeInt16LE(v, o) : data.writeInt16BE(v, o); break;
      case 512: le ? data.writeUInt16LE(v, o) : data.writeUInt16BE(v, o); break;
      case 16: le ? data.writeFloatLE(v, o) : data.writeFloatBE(v, o); break;
      case 64: le ? data.writeDoubleLE(v, o) : data.writeDoubleBE(v, o); break;
      default: break;
    }
  }
  const voxels = voxelBytes !== undefined ? data.subarray(0, voxelBytes) : data;
  if (pair) return { header: h.subarray(0, version === 1 ? 348 : 540), image: voxels };
  return Buffer.concat([h, voxels]);
}

// Damages a gzip stream in its middle (the deflate data, not the header or the trailer).
function corruptMiddle(gz) {
  const out = Buffer.from(gz);
  for (let i = Math.floor(out.length / 2); i < Math.floor(out.length / 2) + 24 && i < out.length - 8; i++) out[i] ^= 0x5a;
  return out;
}

const NaN32 = Number.NaN;
const big = { dim: [3, 64, 64, 32, 1, 1, 1, 1], datatype: 4 };

// name -> {bytes | files, error (the JavaScript Error name), message (a RegExp source)}.
export function corpusCases() {
  const cases = [];
  const add = (name, bytes, error, message, extra = {}) => cases.push({ name, bytes, error, message, ...extra });
  const pairFiles = (name, opts, { dropImage = false } = {}) => {
    const { header, image } = niftiBytes({ ...opts, pair: true });
    const files = { [`${name}.hdr`]: header };
    if (!dropImage) files[`${name}.img`] = image;
    return files;
  };

  add('empty.nii', Buffer.alloc(0), 'FileError', 'file is empty');
  add('three_bytes.nii', Buffer.from([1, 2, 3]), 'FileError', 'truncated: 3 bytes, too short for a NIfTI header');
  add('text.nii', Buffer.from('This is a text file, not an image.\n'.repeat(20)), 'FormatError', 'not a NIfTI file \\(header size field is');
  const badSize = niftiBytes();
  badSize.writeInt32LE(349, 0);
  add('header_size_349.nii', badSize, 'FormatError', 'header size field is 349, expected 348 or 540');
  add('magic_pair_in_nii.nii', niftiBytes({ magic: 'ni1\0' }), 'FormatError', 'says \\.hdr/\\.img pair, but this is a single \\.nii file');
  add('magic_version3.nii', niftiBytes({ magic: 'n+3\0' }), 'FormatError', 'wrong NIfTI magic "n\\+3\\."');
  add('magic_garbage.nii', niftiBytes({ magic: 'XYZW' }), 'FormatError', 'wrong NIfTI magic "XYZW"');
  add('magic_nifti2_garbage.nii', niftiBytes({ version: 2, magic: 'n+1\0' }), 'FormatError', 'wrong NIfTI magic "n\\+1\\."');
  add('header_truncated_200.nii', niftiBytes().subarray(0, 200), 'FileError', 'truncated header: 200 of 348 bytes');
  add('nifti2_header_truncated.nii', niftiBytes({ version: 2 }).subarray(0, 400), 'FileError', 'truncated header: 400 of 540 bytes');
  add('data_truncated.nii', niftiBytes({ ...big, voxelBytes: 1000 }), 'FileError', 'truncated: 1352 bytes, needs 262496 for the voxel data');
  add('data_truncated.nii.gz', gzipSync(niftiBytes({ ...big, voxelBytes: 1000 })), 'FileError', 'truncated: 1000 of 262144 bytes of voxel data');
  add('big_endian_truncated.nii', niftiBytes({ ...big, bigEndian: true, voxelBytes: 10 }), 'FileError', 'truncated: 362 bytes');
  add('gzip_garbage.nii.gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), Buffer.from('garbage!'.repeat(60))]), 'FileError', 'corrupt gzip stream');
  add('gzip_corrupt_data.nii.gz', corruptMiddle(gzipSync(niftiBytes({ ...big, values: Array.from({ length: 131072 }, (_, i) => (i * 7919) % 3001) }))), 'FileError', 'corrupt gzip stream');
  const gz = gzipSync(niftiBytes({ ...big, values: Array.from({ length: 131072 }, (_, i) => (i * 7919) % 3001) }));
  add('gzip_cut_in_half.nii.gz', gz.subarray(0, gz.length >> 1), 'FileError', 'truncated');
  add('gzip_named_nii.nii', gzipSync(niftiBytes()), 'FormatError', 'gzip-compressed but not named \\.gz');
  add('ndim_zero.nii', niftiBytes({ dim: [0, 4, 3, 2, 1, 1, 1, 1] }), 'FormatError', 'invalid number of dimensions 0');
  add('ndim_eight.nii', niftiBytes({ dim: [8, 4, 3, 2, 1, 1, 1, 1] }), 'FormatError', 'invalid number of dimensions 8');
  add('ndim_negative.nii', niftiBytes({ dim: [-1, 4, 3, 2, 1, 1, 1, 1] }), 'FormatError', 'invalid number of dimensions -1');
  add('dim_zero.nii', niftiBytes({ dim: [3, 4, 0, 2, 1, 1, 1, 1] }), 'FormatError', 'invalid dimension 2 = 0 \\(zero\\)');
  add('dim_negative.nii', niftiBytes({ dim: [3, 4, 3, -2, 1, 1, 1, 1] }), 'FormatError', 'invalid dimension 3 = -2 \\(negative\\)');
  add('dim_time_zero.nii', niftiBytes({ dim: [4, 4, 3, 2, 0, 1, 1, 1] }), 'FormatError', 'invalid dimension 4 = 0 \\(zero\\)');
  add('over_budget.nii', niftiBytes({ dim: [3, 32767, 32767, 32767, 1, 1, 1, 1], voxelBytes: 64 }), 'FormatError', '32767x32767x32767 exceed the memory budget of 268435456 voxels');
  add('nifti2_absurd_4d.nii', niftiBytes({ version: 2, dim: [5, 64, 64, 64, 2 ** 40, 2 ** 20, 1, 1], voxelBytes: 64 }), 'FormatError', 'absurd dimensions');
  add('nifti2_over_budget.nii', niftiBytes({ version: 2, dim: [3, 2 ** 31, 2 ** 31, 1, 1, 1, 1, 1], voxelBytes: 64 }), 'FormatError', 'exceed the memory budget');
  add('nan_float32.nii', niftiBytes({ values: [0, 1, NaN32, 3, 4, NaN32, ...Array(18).fill(1)] }), 'FormatError', '2 voxels are NaN or infinite');
  add('inf_float64.nii.gz', gzipSync(niftiBytes({ datatype: 64, values: [Infinity, ...Array(22).fill(2), -Infinity] })), 'FormatError', '2 voxels are NaN or infinite');
  add('slope_overflow_int16.nii', niftiBytes({ datatype: 4, sclSlope: 1e38, values: [0, 1, 2, 30000, ...Array(20).fill(0)] }), 'FormatError', '1 voxel is NaN or infinite');
  add('datatype_int64.nii', niftiBytes({ datatype: 1024 }), 'UnsupportedError', 'datatype INT64 is not supported');
  add('datatype_complex64.nii', niftiBytes({ datatype: 32 }), 'UnsupportedError', 'datatype COMPLEX64 is not supported');
  add('datatype_rgb24.nii', niftiBytes({ datatype: 128 }), 'UnsupportedError', 'datatype RGB24 is not supported');
  add('datatype_float128.nii', niftiBytes({ datatype: 1536 }), 'UnsupportedError', 'datatype FLOAT128 is not supported');
  add('datatype_none_0.nii', niftiBytes({ datatype: 0 }), 'UnsupportedError', 'datatype NONE is not supported');
  add('datatype_code_77.nii', niftiBytes({ datatype: 77 }), 'UnsupportedError', 'datatype code 77 is not supported');
  add('sform_nan.nii', niftiBytes({ sformCode: 1, srow: [[NaN32, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]] }), 'FormatError', 'sform has non-finite entries');
  add('pair_missing_img.hdr', null, 'FileError', 'image data \\(\\.img\\) file not found', { files: pairFiles('pair_missing_img', {}, { dropImage: true }) });
  add('pair_single_magic.hdr', null, 'FormatError', 'says single file \\(\\.nii\\), but this is a \\.hdr/\\.img pair',
    { files: pairFiles('pair_single_magic', { magic: 'n+1\0' }) });
  add('pair_img_truncated.hdr', null, 'FileError', 'truncated', { files: pairFiles('pair_img_truncated', { ...big, voxelBytes: 100 }) });
  add('orphan.img', Buffer.alloc(96, 7), 'FileError', 'header file \\(\\.hdr\\) of this \\.img not found');
  return cases;
}

// Writes the corpus into `dir`; returns the cases with their paths.
export function writeCorpus(dir) {
  mkdirSync(dir, { recursive: true });
  return corpusCases().map((c) => {
    if (c.files) for (const [name, bytes] of Object.entries(c.files)) writeFileSync(join(dir, name), bytes);
    else writeFileSync(join(dir, c.name), c.bytes);
    return { ...c, path: join(dir, c.name) };
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node tests/fuzz/corpus.mjs DIR');
    process.exit(2);
  }
  const written = writeCorpus(dir);
  console.log(`corpus: ${written.length} malformed files in ${dir}`);
}
