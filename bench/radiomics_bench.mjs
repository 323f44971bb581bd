// WASM side of the radiomics benchmark under Node (bench/run_radiomics.sh runs it beside the native build and
// PyRadiomics): the same work as radiomics_bench.cpp --masks through the JS API, Gliolens.load and
// Gliolens.features (PyRadiomics mode, default parameters), as the page's Worker calls them.
// Usage: node bench/radiomics_bench.mjs --masks MASK_ROOT CASE_DIR...
// Each case is timed twice, each time in a fresh session (volumes read again, no cache carried over): the first
// pass includes V8's tier-up of the WASM code (what a page sees on its first case), the second does not. One
// JSON line per case on stdout; "startup_s" (compiling and instantiating the module) is in no column.
import { existsSync } from 'node:fs';
import { basename, join, normalize } from 'node:path';
import { performance } from 'node:perf_hooks';

import { Gliolens } from '../wasm/gliolens.mjs';
import { loadCoreModule } from '../wasm/node.mjs';

const started = performance.now();
const args = process.argv.slice(2);
if (args[0] !== '--masks' || args.length < 3) {
  console.error('usage: node bench/radiomics_bench.mjs --masks MASK_ROOT CASE_DIR...');
  process.exit(2);
}
const [, maskRoot, ...caseDirs] = args;
const regions = ['ET', 'TC', 'WT'];
const modalities = ['t1', 't1ce', 't2', 'flair'];

const cpuSeconds = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
function stopwatch() {
  const wall0 = performance.now(), cpu0 = cpuSeconds();
  return () => [(performance.now() - wall0) / 1000, cpuSeconds() - cpu0];
}

function timeCase(module, caseDir) {
  const id = basename(normalize(caseDir));
  const present = regions.filter((r) => existsSync(join(maskRoot, id, `${r}.nii.gz`)));
  const core = new Gliolens(module);  // a fresh session: its own volumes and radiomics cache
  let elapsed = stopwatch();
  const images = modalities.map((m) => core.load(join(caseDir, `${id}_${m}.nii.gz`)).id);
  const masks = present.map((r) => core.load(join(maskRoot, id, `${r}.nii.gz`)).id);
  const [readS, readCpu] = elapsed();
  const rows = [];
  let features = 0;
  present.forEach((name, r) => {
    elapsed = stopwatch();
    for (const image of images) features += core.features(image, masks[r], { label: 1 }).features.length;
    const [seconds, cpuS] = elapsed();
    rows.push({ name, seconds, cpu_s: cpuS });
  });
  for (const v of [...images, ...masks]) core.release(v);
  const sum = (key) => rows.reduce((s, row) => s + row[key], 0);
  return {
    read_s: readS, read_cpu_s: readCpu, extract_s: sum('seconds'), extract_cpu_s: sum('cpu_s'),
    extractions: present.length * images.length, features, regions: rows,
  };
}

const module = await loadCoreModule();
const startupS = (performance.now() - started) / 1000;
for (const caseDir of caseDirs) {
  const first = timeCase(module, caseDir);
  const second = timeCase(module, caseDir);
  console.log(JSON.stringify({ engine: 'wasm', case: basename(normalize(caseDir)), ...second, first_pass: first, startup_s: startupS }));
}
