// WASM radiomics benchmark under Node (one core): the same work as radiomics_bench.cpp through the JS API
// (Gliolens.features), timing only the feature extraction. Usage: node bench/radiomics_bench.mjs BRATS_CASE_DIR [BRAIN1_DIR]
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';

import { createGliolens } from '../wasm/node.mjs';

const [caseDir, brain1Dir] = process.argv.slice(2);
if (!caseDir) {
  console.error('usage: node bench/radiomics_bench.mjs BRATS_CASE_DIR [BRAIN1_DIR]');
  process.exit(2);
}
const core = await createGliolens();
const id = basename(caseDir);
const seg = core.load(join(caseDir, `${id}_seg.nii.gz`));
const counts = new Map(core.labelVolumes(seg.id).map((l) => [l.label, l.voxels]));
const images = ['t1', 't1ce', 't2', 'flair'].map((m) => core.load(join(caseDir, `${id}_${m}.nii.gz`)).id);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
// Two passes: the first includes V8's tier-up of the WASM code (what a page sees on its first case).
for (const pass of ['first pass', 'second pass']) {
  let total = 0, cpuTotal = 0, roiVoxels = 0, features = 0;
  for (const [name, labels] of [['ET', [4]], ['TC', [1, 4]], ['WT', [1, 2, 4]]]) {
    const n = labels.reduce((s, l) => s + (counts.get(l) ?? 0), 0);
    const t0 = performance.now(), c0 = cpu();
    for (const image of images) features += core.features(image, seg.id, { labels }).features.length;
    const s = (performance.now() - t0) / 1000, c = cpu() - c0;
    console.log(`wasm    ${id} ${name.padEnd(3)} (${String(n).padStart(7)} voxels) x 4 modalities: ${s.toFixed(3)} s wall, ${c.toFixed(3)} s CPU`);
    total += s;
    cpuTotal += c;
    roiVoxels += 4 * n;
  }
  console.log(`wasm    ${id} (${pass}): 12 extractions, ${features} features, ${total.toFixed(3)} s wall, ${cpuTotal.toFixed(3)} s CPU, ` +
    `${(roiVoxels / total).toPrecision(3)} ROI voxels/s (goal: < 2 s on one core: ${total < 2 ? 'met' : cpuTotal < 2 ? 'met in CPU time, not in wall time on this loaded machine' : 'NOT met'})`);
}
if (brain1Dir) {
  const image = core.load(join(brain1Dir, 'brain1_image.nii.gz')).id;
  const mask = core.load(join(brain1Dir, 'brain1_label.nii.gz'));
  const n = core.labelVolumes(mask.id).find((l) => l.label === 1).voxels;
  const t0 = performance.now(), c0 = cpu();
  const f = core.features(image, mask.id, { label: 1 }).features.length;
  const s = (performance.now() - t0) / 1000, c = cpu() - c0;
  console.log(`wasm    brain1 (${n} voxels): ${f} features, ${s.toFixed(3)} s wall, ${c.toFixed(3)} s CPU, ${(n / s).toPrecision(3)} ROI voxels/s`);
}
