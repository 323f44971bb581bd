// Seeds for the fuzzer: real headers (with a little voxel data) and small valid files of every
// datatype, version, byte order and file form. Real headers come from the shared BraTS and IBSI
// files when present (their bytes are not committed: ../shared/data may not be copied).
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

import { niftiBytes } from './corpus.mjs';

const [dir, shared] = process.argv.slice(2);
mkdirSync(dir, { recursive: true });
let n = 0;
const put = (name, bytes) => { writeFileSync(join(dir, name), bytes); n++; };

for (const datatype of [2, 256, 4, 512, 8, 768, 16, 64]) {
  for (const version of [1, 2]) {
    for (const bigEndian of [false, true]) {
      const bytes = niftiBytes({ datatype, version, bigEndian, qformCode: 1, sformCode: 1, sclSlope: datatype === 4 ? 0.5 : 0 });
      put(`synthetic_${datatype}_v${version}${bigEndian ? '_be' : ''}.nii`, bytes);
    }
  }
}
put('synthetic_4d.nii', niftiBytes({ dim: [4, 3, 3, 2, 3, 1, 1, 1], datatype: 4 }));
put('synthetic_gz.nii.gz', gzipSync(niftiBytes({ datatype: 4 })));

// Real headers: the first 352 bytes (header + extension flag) and the first voxels of each file.
const real = [];
if (shared && existsSync(join(shared, 'brats2018'))) {
  const id = readdirSync(join(shared, 'brats2018')).sort()[0];
  for (const s of ['t1', 'seg']) real.push(join(shared, 'brats2018', id, `${id}_${s}.nii.gz`));
}
if (shared) {
  for (const f of ['radiomics/ibsi/digital_phantom/image.nii.gz', 'radiomics/ibsi/ct_phantom/image.nii.gz',
    'radiomics/pyradiomics/brain1_label.nii.gz']) real.push(join(shared, f));
}
for (const file of real.filter((f) => existsSync(f))) {
  const bytes = gunzipSync(readFileSync(file));
  const head = bytes.subarray(0, Math.min(bytes.length, 352 + 512));
  const name = file.split('/').slice(-2).join('_').replace(/\.nii\.gz$/, '');
  put(`real_${name}.nii`, head);
  put(`real_${name}.nii.gz`, gzipSync(head));
}
console.log(`seeds: ${n} files (${real.filter((f) => existsSync(f)).length} real headers) in ${dir}`);
