#!/usr/bin/env node
// The FLAIR-only model (models/flair_seg, issue 33) on every shared FLAIR: the 14 BraTS 2018 cases (1 mm, 155 slices,
// skull-stripped) and the 64 lgg_flair cases (256 x 256, 20-88 slices, skull on), each whole case timed as the CLI
// runs it: the FLAIR read, the core's preprocessing, ONNX Runtime Web's WebAssembly backend in Node on --threads
// (default 2) threads, the mask on the FLAIR's grid. The network session is created once (its start-up is printed
// apart). Goal (issue 33): under 10 s a case; the worst case is the headline.
//   node bench/flair_bench.mjs [--threads 2] [--cases ID,ID] [--json FILE]
// Needs bash scripts/build (the WASM core) and ../shared/data (GLIOLENS_SHARED_DATA); exits 0 saying so without it.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

import { createGliolens } from '../wasm/node.mjs';
import { openFlairModel, segmentFlairFile } from '../cli/flair.mjs';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '2' }, cases: { type: 'string' }, json: { type: 'string' } } });
const shared = resolve(process.env.GLIOLENS_SHARED_DATA ?? new URL('../../shared/data', import.meta.url).pathname);
if (!existsSync(join(shared, 'lgg_flair'))) {
  console.log(`flair_bench: ${shared}/lgg_flair is absent: nothing to measure`);
  process.exit(0);
}
const cases = [
  ...readdirSync(join(shared, 'brats2018')).filter((d) => d.startsWith('Brats18_')).sort()
    .map((id) => ({ id, source: 'brats2018', flair: join(shared, 'brats2018', id, `${id}_flair.nii.gz`) })),
  ...readdirSync(join(shared, 'lgg_flair')).filter((d) => d.startsWith('TCGA_')).sort()
    .map((id) => ({ id, source: 'lgg_flair', flair: join(shared, 'lgg_flair', id, 'flair.nii.gz') })),
].filter((c) => !values.cases || values.cases.split(',').includes(c.id));

const threads = Number(values.threads);
const core = await createGliolens();
let started = performance.now();
const model = await openFlairModel(core, undefined, { threads });
const sessionSeconds = (performance.now() - started) / 1000;
console.log(`model ${model.model.name} ${model.model.version}, ${model.backend}; session start ${sessionSeconds.toFixed(2)} s`);
console.log('case | source | slices run | mL | whole case s | network s');
const rows = [];
for (const c of cases) {
  const networkBefore = model.networkSeconds();
  started = performance.now();
  const result = await segmentFlairFile(core, model, c.flair);
  const seconds = (performance.now() - started) / 1000;
  const row = { ...c, slices: result.slices, mL: result.mL, seconds, networkSeconds: model.networkSeconds() - networkBefore };
  rows.push(row);
  console.log(`${c.id} | ${c.source} | ${row.slices} | ${row.mL.toFixed(1)} | ${seconds.toFixed(2)} | ${row.networkSeconds.toFixed(2)}`);
}
model.release();
for (const source of ['brats2018', 'lgg_flair']) {
  const of = rows.filter((r) => r.source === source);
  if (!of.length) continue;
  const s = of.map((r) => r.seconds).sort((a, b) => a - b);
  console.log(`${source}: ${of.length} cases, median ${s[Math.floor(s.length / 2)].toFixed(2)} s, slowest ${s.at(-1).toFixed(2)} s`);
}
const worst = rows.reduce((a, b) => (b.seconds > a.seconds ? b : a));
console.log(`headline: slowest case ${worst.id} ${worst.seconds.toFixed(2)} s (${worst.slices} slices) on ${threads} thread(s): ` +
  `${worst.seconds < 10 ? 'under' : 'OVER'} the 10 s goal`);
if (values.json) writeFileSync(values.json, JSON.stringify({ threads, sessionSeconds, rows }, null, 1));
