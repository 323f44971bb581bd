// The cohort's descriptor table: `gliolens descriptors` (the same code) over every segmentation in a folder, one CSV
// row per patient (ID = file name without .nii/.nii.gz, then the descriptors; empty where a descriptor has no value).
// The table derives from the shared masks, so it is not committed: this reproduces it.
//   node models/radiogenomics/descriptors_table.mjs --out TABLE.csv [--masks DIR]
// DIR defaults to ../shared/data/radiogenomics/tcga/masks (the 137 TCGA expert masks in SRI24 space).
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { descriptorsOf, idOf } from '../../cli/commands/descriptors.mjs';
import { descriptorsCsv } from '../../wasm/gliolens.mjs';
import { createGliolens } from '../../wasm/node.mjs';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    masks: { type: 'string', default: resolve(import.meta.dirname, '..', '..', '..', 'shared', 'data', 'radiogenomics', 'tcga', 'masks') },
  },
});
if (!values.out) {
  console.error('usage: node models/radiogenomics/descriptors_table.mjs --out TABLE.csv [--masks DIR]');
  process.exit(2);
}

const files = readdirSync(values.masks).filter((f) => /\.nii(\.gz)?$/i.test(f)).sort();
if (files.length === 0) {
  console.error(`${values.masks}: no .nii or .nii.gz segmentation here`);
  process.exit(1);
}
const core = await createGliolens();
const started = performance.now();
const lines = [];
let header = null;
for (const [n, file] of files.entries()) {
  const path = join(values.masks, file);
  let descriptors;
  try {
    ({ descriptors } = descriptorsOf(core, path));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
  const [names, row] = descriptorsCsv(idOf(file), descriptors).trimEnd().split('\n');
  if (header === null) lines.push((header = names));
  else if (names !== header) throw new Error(`${path}: the descriptors' names differ from the first file's`);
  lines.push(row);
  if (process.stderr.isTTY) process.stderr.write(`\r${n + 1}/${files.length} ${file}   `);
}
writeFileSync(values.out, lines.join('\n') + '\n');
const seconds = (performance.now() - started) / 1000;
console.error(`${process.stderr.isTTY ? '\n' : ''}${files.length} segmentations -> ${values.out} in ${seconds.toFixed(1)} s ` +
  `(${(seconds / files.length).toFixed(2)} s each)`);
