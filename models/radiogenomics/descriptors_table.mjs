// The cohort's descriptor table: `gliolens descriptors` (the same code) over every segmentation in a folder, one CSV
// row per patient (ID = file name without .nii/.nii.gz, then the descriptors; empty where a descriptor has no value).
// The table derives from the shared masks, so it is not committed: this reproduces it.
//   node models/radiogenomics/descriptors_table.mjs --out TABLE.csv [--masks DIR]
// DIR defaults to ../shared/data/radiogenomics/tcga/masks (the 137 TCGA expert masks in SRI24 space).
import { readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { csvTable } from '../../cli/csv.mjs';
import { descriptorsOf, idOf } from '../../cli/commands/descriptors.mjs';
import { descriptorsCsv } from '../../wasm/gliolens.mjs';
import { createGliolens } from '../../wasm/node.mjs';

// {text: the CSV, rows: its rows as {column: text}} for every .nii/.nii.gz segmentation in `directory`, by name.
export function descriptorTable(core, directory, { onProgress = () => {} } = {}) {
  const files = readdirSync(directory).filter((f) => /\.nii(\.gz)?$/i.test(f)).sort();
  if (files.length === 0) throw new Error(`${directory}: no .nii or .nii.gz segmentation here`);
  const lines = [];
  let header = null;
  for (const [n, file] of files.entries()) {
    const path = join(directory, file);
    const [names, row] = descriptorsCsv(idOf(file), descriptorsOf(core, path).descriptors).trimEnd().split('\n');
    if (header === null) lines.push((header = names));
    else if (names !== header) throw new Error(`${path}: the descriptors' names differ from the first file's`);
    lines.push(row);
    onProgress(n + 1, files.length, file);
  }
  const text = lines.join('\n') + '\n';
  return { text, rows: csvTable(text).rows };
}

if (import.meta.filename === process.argv[1]) {
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
  const started = performance.now();
  let table;
  try {
    table = descriptorTable(await createGliolens(), values.masks, {
      onProgress: (n, total, file) => { if (process.stderr.isTTY) process.stderr.write(`\r${n}/${total} ${file}   `); },
    });
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
  writeFileSync(values.out, table.text);
  const seconds = (performance.now() - started) / 1000;
  console.error(`${process.stderr.isTTY ? '\n' : ''}${table.rows.length} segmentations -> ${values.out} in ${seconds.toFixed(1)} s ` +
    `(${(seconds / table.rows.length).toFixed(2)} s each)`);
}
