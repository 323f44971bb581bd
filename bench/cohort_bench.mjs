// Cohort benchmark (issue 30): throughput of `gliolens batch` in cases per hour and the peak memory of each
// process, on the shared data, beside PyRadiomics' own batch extraction where it applies.
//
//   node bench/cohort_bench.mjs [--parts features,descriptors,segment] [--cases ID,ID] [--segment-cases N|all]
//                               [--segment-jobs 1,2] [--no-pyradiomics] [--pyradiomics DIR] [--json FILE]
//
// 1. features: PyRadiomics' batch form (ID,Image,Mask,Label; one extraction a row) over every shared BraTS case:
//    ET (4), TC (1+4) and WT (1+2+4) as binary masks (radiomics_bench --write-masks, the files bench/run_radiomics.sh
//    reads) x the 4 modalities, Label 1; PyRadiomics' default settings on both sides (no parameter file).
//    `gliolens batch --jobs 1` and `--jobs 2`, then PyRadiomics' CLI (`pyradiomics TABLE -o OUT -f csv -j N`,
//    the peer ../shared/tools/pyradiomics/build.sh builds) with -j 1 and -j 2 on the same table.
//    gliolens batch also runs the same extractions in our form (id,t1,t1ce,t2,flair,seg: one row a case).
// 2. descriptors: the radiogenomics masks (a table id,seg), `gliolens batch --steps descriptors`, jobs 1 and 2.
// 3. segment: segment + features of the first --segment-cases BraTS cases (default 2; `all`), from the four
//    modalities alone (our form, no seg column), extrapolated to cases per hour.
//
// Each run is one process tree timed from spawn to exit (start-up included) on a fresh output. Memory: /proc is
// sampled every 50 ms; for every process of the tree its VmHWM (the kernel's peak RSS) as last read, and the peak
// of the tree's summed VmRSS. gliolens' jobs are worker threads of one process, so a job's memory is not its own
// process's: the script prints the process's peak and the batch's own WASM heap peak per job, and the
// difference between the --jobs 2 and --jobs 1 peaks as what a second job costs. PyRadiomics' -j N jobs are
// processes (multiprocessing.Pool): each one's peak is printed.
// Needs bash scripts/build (WASM core, build/native for the masks); exits 0 saying so when the shared data is absent.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, homedir, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..');
const cli = join(root, 'bin', 'gliolens.mjs');
const MODALITIES = ['t1', 't1ce', 't2', 'flair'];
const REGIONS = ['ET', 'TC', 'WT'];
const PARTS = ['features', 'descriptors', 'segment'];

function usage(message) {
  console.error(`cohort bench: ${message}`);
  console.error('usage: node bench/cohort_bench.mjs [--parts features,descriptors,segment] [--cases ID,ID] [--segment-cases N|all] [--segment-jobs 1,2] [--no-pyradiomics] [--pyradiomics DIR] [--json FILE]');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { parts: PARTS, cases: null, segmentCases: 2, segmentJobs: [1], pyradiomics: true, peer: null, json: null };
  const list = (text) => text.split(',').map((s) => s.trim()).filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => argv[++i] ?? usage(`${arg} needs a value`);
    if (arg === '--parts') options.parts = list(value());
    else if (arg === '--cases') options.cases = list(value());
    else if (arg === '--segment-cases') {
      const v = value();
      options.segmentCases = v === 'all' ? Infinity : Number(v);
      if (!(options.segmentCases >= 1)) usage(`--segment-cases: a count or all, not "${v}"`);
    } else if (arg === '--segment-jobs') options.segmentJobs = list(value()).map(Number);
    else if (arg === '--no-pyradiomics') options.pyradiomics = false;
    else if (arg === '--pyradiomics') options.peer = value();
    else if (arg === '--json') options.json = resolve(value());
    else usage(`unknown argument ${arg}`);
  }
  const unknown = options.parts.filter((p) => !PARTS.includes(p));
  if (unknown.length) usage(`no part ${unknown.join(', ')} (parts: ${PARTS.join(', ')})`);
  return options;
}

// ---- one measured process tree -------------------------------------------------------------------------
const readOr = (path, fallback) => { try { return readFileSync(path, 'utf8'); } catch { return fallback; } };
const statusKib = (text, key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);

// The pid's descendants (and itself), from every process's parent in /proc/PID/stat.
function tree(rootPid) {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readOr(`/proc/${name}/stat`, '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields.length > 1) parent.set(Number(name), Number(fields[1]));
  }
  const pids = [rootPid];
  for (let k = 0; k < pids.length; k++) for (const [pid, ppid] of parent) if (ppid === pids[k]) pids.push(pid);
  return pids;
}

// Runs COMMAND ARGS to its end; returns wall seconds, exit status, stdout, and the memory seen in /proc.
function measure(command, args, { env = {}, cwd = root } = {}) {
  return new Promise((resolvePromise) => {
    const t0 = performance.now();
    const loadBefore = loadavg()[0];
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const processes = new Map();  // pid -> {name, hwmKib, cpuS}
    let treePeakKib = 0;
    const sample = () => {
      let sum = 0;
      for (const pid of tree(child.pid)) {
        const status = readOr(`/proc/${pid}/status`, null);
        if (!status) continue;
        const rss = statusKib(status, 'VmRSS');
        sum += rss;
        const stat = readOr(`/proc/${pid}/stat`, '');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const cpuS = (Number(fields[11]) + Number(fields[12])) / 100;  // utime + stime, clock ticks of 1/100 s
        const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?';
        const seen = processes.get(pid) ?? { pid, name, hwmKib: 0, cpuS: 0 };
        seen.hwmKib = Math.max(seen.hwmKib, statusKib(status, 'VmHWM'), rss);
        seen.cpuS = Math.max(seen.cpuS, Number.isFinite(cpuS) ? cpuS : 0);
        processes.set(pid, seen);
      }
      treePeakKib = Math.max(treePeakKib, sum);
    };
    const timer = setInterval(sample, 50);
    child.on('close', (code, signal) => {
      clearInterval(timer);
      const wallS = (performance.now() - t0) / 1000;
      resolvePromise({ wallS, load: [loadBefore, loadavg()[0]], status: code ?? signal, stdout, stderr, processes: [...processes.values()], treePeakKib });
    });
  });
}

// ---- the runs -----------------------------------------------------------------------------------------
const mib = (kib) => kib / 1024;
const perHour = (cases, seconds) => (cases * 3600) / seconds;
const fmt = (x, digits = 1) => (x == null || !Number.isFinite(x) ? '-' : x.toFixed(digits));
const csvRows = (path) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean).length - 1 : 0);

async function gliolensBatch(table, outDir, name, jobs, extra = []) {
  const out = join(outDir, `${name}_j${jobs}.csv`);
  const run = await measure(process.execPath, [cli, 'batch', '--cases', table, '--out', out, '--jobs', String(jobs), ...extra]);
  let summary = null;
  try { summary = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'))); } catch { /* reported below */ }
  if (run.status !== 0 || !summary) {
    throw new Error(`gliolens batch ${name} --jobs ${jobs} exited with ${run.status}:\n${run.stderr.slice(-2000)}`);
  }
  const main = run.processes[0];
  // Each case's time as the batch's plain progress lines give it (a job's own time, start-up excluded; with two
  // jobs the two share the cores): the slowest case is the headline.
  const caseSeconds = [...`${run.stdout}\n${run.stderr}`.matchAll(/^batch: \[\d+\/\d+\] (\S+) done in ([\d.]+) s$/gm)]
    .map(([, id, seconds]) => ({ id, seconds: Number(seconds) })).sort((a, b) => b.seconds - a.seconds);
  return {
    caseSeconds,
    load: run.load, engine: name === 'features_ours' ? 'gliolens, our form' : 'gliolens', jobs, wallS: run.wallS, rows: csvRows(out), failed: summary.failed ?? 0,
    failures: summary.failures ?? [], cpuS: run.processes.reduce((s, p) => s + p.cpuS, 0),
    processPeakMib: Math.max(mib(main?.hwmKib ?? 0), summary.memory?.process_max_rss_mib ?? 0), treePeakMib: mib(run.treePeakKib),
    wasmHeapPerJobMib: summary.memory?.wasm_heap_peak_mib_per_job ?? null, out,
  };
}

async function pyradiomicsBatch(peer, table, outDir, jobs) {
  const out = join(outDir, `pyradiomics_j${jobs}.csv`);
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';  // the one build.sh compiles for
  const run = await measure(python, ['-c', 'import sys; from radiomics.scripts import parse_args; sys.exit(parse_args())',
    table, '-o', out, '-f', 'csv', '-j', String(jobs)], { env: { PYTHONPATH: `${join(peer, 'shim')}:${peer}` } });
  if (run.status !== 0) throw new Error(`pyradiomics -j ${jobs} exited with ${run.status}:\n${run.stderr.slice(-2000)}`);
  // -j 1 extracts in the one process; -j N in multiprocessing.Pool's N worker processes beside the parent.
  const workers = jobs > 1 ? run.processes.slice(1) : run.processes.slice(0, 1);
  return {
    load: run.load, engine: 'pyradiomics', jobs, wallS: run.wallS, rows: csvRows(out), failed: 0, failures: [],
    cpuS: run.processes.reduce((s, p) => s + p.cpuS, 0), processes: run.processes.length,
    workerPeaksMib: workers.map((p) => mib(p.hwmKib)), parentPeakMib: mib(run.processes[0]?.hwmKib ?? 0), processPeakMib: Math.max(...run.processes.map((p) => mib(p.hwmKib))),
    treePeakMib: mib(run.treePeakKib), out,
  };
}

function findPeer(options) {
  const dir = options.peer ?? process.env.GLIOLENS_PYRADIOMICS ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'pyradiomics-peer');
  const usable = existsSync(join(dir, 'radiomics', 'scripts', '__init__.py')) && existsSync(join(dir, 'shim', 'SimpleITK'));
  return { dir: resolve(dir), usable };
}

// radiomics_bench writes the region masks (compiled as bench/run_radiomics.sh compiles it, when missing).
function regionMasks(caseDirs, maskRoot) {
  const native = resolve(process.env.GLIOLENS_NATIVE_DIR ?? join(root, 'build', 'native'));
  const exe = join(native, 'radiomics_bench');
  if (!existsSync(exe)) {
    console.log(`cohort bench: compiling ${exe}`);
    const cc = spawnSync('g++', ['-std=c++20', '-O2', '-DNDEBUG', `-I${root}`, '-I/usr/include/eigen3', join(benchDir, 'radiomics_bench.cpp'),
      join(native, 'libgliolens_core.a'), join(native, 'libnifti_clib.a'), join(native, 'libdeflate_decompress.a'), '-lz', '-lm', '-o', exe], { stdio: 'inherit' });
    if (cc.status !== 0) throw new Error('compiling radiomics_bench failed (bash scripts/build first)');
  }
  const written = spawnSync(exe, ['--write-masks', maskRoot, ...caseDirs], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (written.status !== 0) throw new Error('radiomics_bench --write-masks failed');
}

// The 1-minute load average before and after a run: above the run's own jobs, something else shared the cores.
const loadNote = (r) => ` (load average ${fmt(r.load[0], 2)} before, ${fmt(r.load[1], 2)} after)`;

function line(cells) { return `| ${cells.join(' | ')} |`; }

function printRuns(title, unitCases, runs, unitName) {
  console.log(`\n${title}`);
  console.log(line(['engine', 'jobs', 'rows', 'failed', 'wall s', `${unitName}/h`, 'CPU s', 'CPU %', 'process peak MiB', 'tree peak MiB', 'per job', 'median / slowest row s']));
  console.log(line(Array(12).fill('---')));
  for (const r of runs) {
    const perJob = r.engine.startsWith('gliolens')
      ? `WASM heap ${fmt(r.wasmHeapPerJobMib, 0)} MiB`
      : r.jobs > 1 ? `parent ${fmt(r.parentPeakMib, 0)}, workers ${r.workerPeaksMib.map((m) => fmt(m, 0)).join(', ')} MiB` : 'the one process';
    const cases = r.caseSeconds ?? [];
    const slowest = cases.length ? `${fmt(cases[Math.floor(cases.length / 2)].seconds, 1)} / ${fmt(cases[0].seconds, 1)} (${cases[0].id})` : '-';
    console.log(line([r.engine, r.jobs, r.rows, r.failed, fmt(r.wallS, 2), fmt(perHour(unitCases, r.wallS), 0), fmt(r.cpuS, 1),
      fmt((100 * r.cpuS) / r.wallS, 0), fmt(r.processPeakMib, 0), fmt(r.treePeakMib, 0), perJob, slowest]));
  }
}

const options = parseArgs(process.argv.slice(2));
const data = process.env.GLIOLENS_SHARED_DATA ?? join(root, '..', 'shared', 'data');
const bratsDir = join(data, 'brats2018');
const masksDir = join(data, 'radiogenomics', 'tcga', 'masks');
const result = { date: new Date().toISOString(), cores: cpus().length, cpu: cpus()[0]?.model, parts: {} };
const work = mkdtempSync(join(tmpdir(), 'gliolens-cohort-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
console.log(`cohort bench: ${result.cores} cores (${result.cpu}), ${result.date}; each run a fresh output, one after another`);

let caseDirs = existsSync(bratsDir)
  ? readdirSync(bratsDir).sort().map((id) => join(bratsDir, id)).filter((dir) => existsSync(join(dir, `${basename(dir)}_seg.nii.gz`)))
  : [];
if (options.cases) {
  const unknown = options.cases.filter((id) => !caseDirs.some((dir) => basename(dir) === id));
  if (unknown.length) usage(`no case ${unknown.join(', ')} in ${bratsDir}`);
  caseDirs = options.cases.map((id) => caseDirs.find((dir) => basename(dir) === id));
}
const ratio = (a, b) => (a && b ? a / b : null);

if (options.parts.includes('features')) {
  if (caseDirs.length === 0) console.log(`\n1. features: BraTS cases absent (${bratsDir}; GLIOLENS_SHARED_DATA=DIR points elsewhere): skipped`);
  else {
    const maskRoot = join(work, 'masks');
    regionMasks(caseDirs, maskRoot);
    const rows = ['ID,Image,Mask,Label'];
    for (const dir of caseDirs) {
      const id = basename(dir);
      for (const region of REGIONS) {
        const mask = join(maskRoot, id, `${region}.nii.gz`);
        if (!existsSync(mask)) continue;  // an empty region: no mask, no row (as run_radiomics.sh skips it)
        for (const m of MODALITIES) rows.push(`${id}_${region}_${m},${join(dir, `${id}_${m}.nii.gz`)},${mask},1`);
      }
    }
    const table = join(work, 'features_cases.csv');
    writeFileSync(table, `${rows.join('\n')}\n`);
    const extractions = rows.length - 1;
    console.log(`\n1. features: ${caseDirs.length} BraTS cases, ${extractions} rows (ET, TC, WT binary masks x 4 modalities, Label 1), PyRadiomics' default settings`);
    const runs = [];
    for (const jobs of [1, 2]) { runs.push(await gliolensBatch(table, work, 'features', jobs)); console.log(`  gliolens --jobs ${jobs}: ${fmt(runs.at(-1).wallS, 2)} s${loadNote(runs.at(-1))}`); }
    // The same extractions in our form, one row a patient (id,t1,t1ce,t2,flair,seg; regions ET,TC,WT by label):
    // each case's volumes read once for its 12 extractions instead of an image and a mask read for every one.
    const ours = join(work, 'features_ours.csv');
    writeFileSync(ours, `id,t1,t1ce,t2,flair,seg\n${caseDirs.map((dir) => [basename(dir), ...[...MODALITIES, 'seg'].map((m) => join(dir, `${basename(dir)}_${m}.nii.gz`))].join(',')).join('\n')}\n`);
    for (const jobs of [1, 2]) { runs.push(await gliolensBatch(ours, work, 'features_ours', jobs)); console.log(`  gliolens, our form, --jobs ${jobs}: ${fmt(runs.at(-1).wallS, 2)} s${loadNote(runs.at(-1))}`); }
    const peer = findPeer(options);
    if (!options.pyradiomics) console.log('  PyRadiomics: not run (--no-pyradiomics)');
    else if (!peer.usable) console.log(`  PyRadiomics: not found at ${peer.dir} (bash ../shared/tools/pyradiomics/build.sh DIR, then --pyradiomics DIR or GLIOLENS_PYRADIOMICS=DIR): its column is skipped`);
    else {
      for (const jobs of [1, 2]) {
        runs.push(await pyradiomicsBatch(peer.dir, table, work, jobs));
        console.log(`  pyradiomics -j ${jobs}: ${fmt(runs.at(-1).wallS, 2)} s${loadNote(runs.at(-1))}`);
      }
    }
    const perCase = extractions / caseDirs.length;
    printRuns(`Features (${extractions} extractions = ${caseDirs.length} cases; cases/h counts BraTS cases of ${fmt(perCase, 1)} extractions)`, caseDirs.length, runs, 'cases');
    const find = (engine, jobs) => runs.find((r) => r.engine === engine && r.jobs === jobs);
    const g1 = find('gliolens', 1); const g2 = find('gliolens', 2); const p1 = find('pyradiomics', 1); const p2 = find('pyradiomics', 2);
    const summary = {
      rows: extractions, cases: caseDirs.length,
      gliolens_jobs2_over_jobs1: ratio(g1.wallS, g2.wallS),
      pyradiomics_jobs2_over_jobs1: p1 && p2 ? ratio(p1.wallS, p2.wallS) : null,
      pyradiomics_over_gliolens_jobs1: p1 ? ratio(p1.wallS, g1.wallS) : null,
      pyradiomics_over_gliolens_jobs2: p2 ? ratio(p2.wallS, g2.wallS) : null,
      gliolens_second_job_mib: g2.processPeakMib - g1.processPeakMib,
      gliolens_our_form_jobs2_over_jobs1: ratio(find('gliolens, our form', 1).wallS, find('gliolens, our form', 2).wallS),
      pyradiomics_over_gliolens_our_form_jobs1: p1 ? ratio(p1.wallS, find('gliolens, our form', 1).wallS) : null,
      pyradiomics_over_gliolens_our_form_jobs2: p2 ? ratio(p2.wallS, find('gliolens, our form', 2).wallS) : null,
    };
    console.log(`\n  gliolens --jobs 2 over --jobs 1: ${fmt(summary.gliolens_jobs2_over_jobs1, 2)}x (acceptance: >= 1.7x: ${summary.gliolens_jobs2_over_jobs1 >= 1.7 ? 'met' : 'NOT met'})`);
    if (p1) {
      console.log(`  PyRadiomics -j 2 over -j 1: ${fmt(summary.pyradiomics_jobs2_over_jobs1, 2)}x`);
      console.log(`  PyRadiomics / gliolens wall time: ${fmt(summary.pyradiomics_over_gliolens_jobs1, 1)}x at 1 job, ${fmt(summary.pyradiomics_over_gliolens_jobs2, 1)}x at 2 jobs`);
    }
    console.log(`  our form (one row a patient): --jobs 2 over --jobs 1 ${fmt(summary.gliolens_our_form_jobs2_over_jobs1, 2)}x${p1 ? `; PyRadiomics / gliolens ${fmt(summary.pyradiomics_over_gliolens_our_form_jobs1, 1)}x at 1 job, ${fmt(summary.pyradiomics_over_gliolens_our_form_jobs2, 1)}x at 2` : ''}`);
    console.log(`  gliolens' second job adds ${fmt(summary.gliolens_second_job_mib, 0)} MiB to the process peak (jobs are threads of one process)`);
    const failures = runs.flatMap((r) => r.failures.map((f) => `${r.engine} j${r.jobs} ${f.id}: ${f.error}`));
    if (failures.length) console.log(`  failed rows:\n    ${failures.join('\n    ')}`);
    result.parts.features = { runs: runs.map(({ out, ...r }) => r), summary };
  }
}

if (options.parts.includes('descriptors')) {
  const masks = existsSync(masksDir) ? readdirSync(masksDir).filter((f) => f.endsWith('.nii.gz')).sort() : [];
  if (masks.length === 0) console.log(`\n2. descriptors: radiogenomics masks absent (${masksDir}): skipped`);
  else {
    const table = join(work, 'descriptors_cases.csv');
    writeFileSync(table, `id,seg\n${masks.map((f) => `${f.replace(/\.nii\.gz$/, '')},${join(masksDir, f)}`).join('\n')}\n`);
    console.log(`\n2. descriptors: ${masks.length} radiogenomics masks (id,seg), --steps descriptors`);
    const runs = [];
    for (const jobs of [1, 2]) {
      runs.push(await gliolensBatch(table, work, 'descriptors', jobs, ['--steps', 'descriptors']));
      console.log(`  gliolens --jobs ${jobs}: ${fmt(runs.at(-1).wallS, 2)} s${loadNote(runs.at(-1))}`);
    }
    printRuns(`Descriptors (${masks.length} masks)`, masks.length, runs, 'masks');
    const summary = { masks: masks.length, gliolens_jobs2_over_jobs1: ratio(runs[0].wallS, runs[1].wallS), gliolens_second_job_mib: runs[1].processPeakMib - runs[0].processPeakMib };
    console.log(`\n  --jobs 2 over --jobs 1: ${fmt(summary.gliolens_jobs2_over_jobs1, 2)}x; the second job adds ${fmt(summary.gliolens_second_job_mib, 0)} MiB to the process peak`);
    result.parts.descriptors = { runs: runs.map(({ out, ...r }) => r), summary };
  }
}

if (options.parts.includes('segment')) {
  const chosen = caseDirs.slice(0, Math.min(caseDirs.length, options.segmentCases));
  if (chosen.length === 0) console.log(`\n3. segment: BraTS cases absent (${bratsDir}): skipped`);
  else {
    const table = join(work, 'segment_cases.csv');
    writeFileSync(table, `id,t1,t1ce,t2,flair\n${chosen.map((dir) => [basename(dir), ...MODALITIES.map((m) => join(dir, `${basename(dir)}_${m}.nii.gz`))].join(',')).join('\n')}\n`);
    console.log(`\n3. segment + features: ${chosen.length} of ${caseDirs.length} BraTS cases (${chosen.map((d) => basename(d)).join(', ')}), the four modalities alone, --steps segment,features (ET, TC, WT x 4 modalities)`);
    const runs = [];
    for (const jobs of options.segmentJobs) {
      runs.push(await gliolensBatch(table, work, 'segment', jobs, ['--steps', 'segment,features']));
      console.log(`  gliolens --jobs ${jobs}: ${fmt(runs.at(-1).wallS, 2)} s${loadNote(runs.at(-1))}`);
    }
    printRuns(`Segment + features (${chosen.length} cases; ${chosen.length < caseDirs.length ? `cases/h extrapolated from them, not all ${caseDirs.length}` : 'every shared case'})`, chosen.length, runs, 'cases');
    result.parts.segment = { cases: chosen.map((d) => basename(d)), extrapolated: chosen.length < caseDirs.length, runs: runs.map(({ out, ...r }) => r) };
  }
}

if (options.json) writeFileSync(options.json, `${JSON.stringify(result, null, 2)}\n`);
