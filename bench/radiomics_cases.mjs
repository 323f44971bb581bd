// The radiomics benchmark over the shared BraTS cases (run through bench/run_radiomics.sh, which builds the native
// side first): per case, our native time, our WASM time under Node and PyRadiomics' time on the same files, in the
// same run, one core each, their ratios, then the worst case against the goals and the mean.
// Usage: node bench/radiomics_cases.mjs --native EXE [--cases ID,ID] [--no-pyradiomics] [--pyradiomics DIR]
//        [--json FILE] [CASE_DIR...]
// Each engine runs as its own process per case (radiomics_bench, radiomics_bench.mjs, radiomics_pyradiomics.py),
// one after another on one pinned core, so that a load that drifts during the run falls on all three alike.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, homedir, loadavg, tmpdir } from 'node:os';
import { basename, dirname, join, normalize, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const goals = { nativeRatio: 20, wasmRatio: 10, wasmSeconds: 2 };

function usage(message) {
  if (message) console.error(`radiomics bench: ${message}`);
  console.error('usage: bash bench/run_radiomics.sh [--cases ID,ID] [--no-pyradiomics] [--pyradiomics DIR] [--json FILE] [CASE_DIR...]');
  process.exit(2);
}

function parseArgs(argv) {
  const options = { cases: null, pyradiomics: true, peer: null, json: null, native: null, caseDirs: [] };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${arg} needs a value`));
    if (arg === '--cases') options.cases = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (arg === '--no-pyradiomics') options.pyradiomics = false;
    else if (arg === '--pyradiomics') options.peer = value();
    else if (arg === '--json') options.json = value();
    else if (arg === '--native') options.native = value();
    else if (arg === '--help' || arg === '-h') usage();
    else if (arg.startsWith('--')) usage(`unknown option ${arg}`);
    else options.caseDirs.push(normalize(arg).replace(/\/$/, ''));
  }
  if (!options.native) usage('--native EXE missing (run it through bash bench/run_radiomics.sh)');
  return options;
}

// The case folders to run: those given, else every BraTS folder of the shared data (--cases picks among them).
function selectCases(options, bratsDir) {
  let dirs = options.caseDirs;
  if (dirs.length === 0) {
    if (!existsSync(bratsDir)) return null;
    dirs = readdirSync(bratsDir).sort().map((id) => join(bratsDir, id))
      .filter((dir) => existsSync(join(dir, `${basename(dir)}_seg.nii.gz`)));
  }
  if (options.cases) {
    const unknown = options.cases.filter((id) => !dirs.some((dir) => basename(dir) === id));
    if (unknown.length > 0) usage(`no case ${unknown.join(', ')} in ${options.caseDirs.length ? 'the folders given' : bratsDir}`);
    dirs = options.cases.map((id) => dirs.find((dir) => basename(dir) === id));
  }
  return dirs;
}

// The PyRadiomics peer that ../shared/tools/pyradiomics/build.sh builds: --pyradiomics DIR, else
// GLIOLENS_PYRADIOMICS, else build.sh's own default folder.
function findPeer(options) {
  const dir = options.peer ?? process.env.GLIOLENS_PYRADIOMICS ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'pyradiomics-peer');
  const usable = existsSync(join(dir, 'radiomics', 'featureextractor.py')) && existsSync(join(dir, 'shim', 'SimpleITK'));
  return { dir: resolve(dir), usable };
}

// One pinned core for every engine, when taskset is there.
// The last core this process may run on ("pid N's current affinity list: 0-3,8").
function pinning() {
  const probe = spawnSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' });
  const list = probe.status === 0 ? probe.stdout.split(':').pop().trim() : '';
  const core = list.split(',').pop().split('-').pop();
  if (!/^\d+$/.test(core)) return { prefix: [], note: 'not pinned (no taskset): each engine runs single-threaded, on whichever core' };
  return { prefix: ['taskset', '-c', core], note: `pinned to core ${core} with taskset, each engine in turn` };
}

// Runs one engine process; its stdout is JSON lines, its stderr goes to ours. Returns the parsed lines and the
// process's own wall time (start-up included), or null with the reason when it fails.
function runEngine(pin, command, args, env = {}) {
  const t0 = performance.now();
  const [exe, ...rest] = [...pin.prefix, command, ...args];
  const child = spawnSync(exe, rest, {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env }, maxBuffer: 1 << 26,
  });
  const processS = (performance.now() - t0) / 1000;
  if (child.status !== 0) return { error: `${basename(command)} exited with ${child.status ?? child.signal}` };
  const rows = child.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  return { rows, processS };
}

const total = (row) => (row ? row.read_s + row.extract_s : null);
const cpuTotal = (row) => (row ? row.read_cpu_s + row.extract_cpu_s : null);
const ratio = (a, b) => (a != null && b != null && b > 0 ? a / b : null);
const sec = (s) => (s == null ? '-' : s.toFixed(3));
const times = (r) => (r == null ? '-' : `${r.toFixed(1)}x`);

const options = parseArgs(process.argv.slice(2));
const data = process.env.GLIOLENS_SHARED_DATA ?? join(benchDir, '..', '..', 'shared', 'data');
const caseDirs = selectCases(options, join(data, 'brats2018'));
if (caseDirs === null) {
  console.log(`radiomics bench: BraTS cases absent (${join(data, 'brats2018')}; GLIOLENS_SHARED_DATA=DIR points elsewhere): skipped`);
  process.exit(0);
}
if (process.env.GLIOLENS_WASM_DIR) process.env.GLIOLENS_WASM_DIR = resolve(process.env.GLIOLENS_WASM_DIR);
const peer = findPeer(options);
const withPeer = options.pyradiomics && peer.usable;
const pin = pinning();
const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';  // the one build.sh compiles for

// The numpy and BLAS PyRadiomics runs on: its speed depends on them (on one machine the same peer took 4x longer with
// Debian's numpy 1.24 and the reference BLAS than the day before; np.unique's sort in its getMask was much of it).
function peerNumerics() {
  const probe = spawnSync(python, ['-c', 'import numpy, numpy.linalg, os; print(numpy.__version__, " ".join(sorted({os.path.basename(' +
    'os.path.realpath(l.split()[-1])) for l in open("/proc/self/maps") if "blas" in l.lower() and "/" in l})))'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : 'unknown (numpy could not be imported)';
}

const notes = [
  `${caseDirs.length} case(s), each: ET (label 4), TC (1+4), WT (1+2+4) x t1, t1ce, t2, flair = 12 extractions; all default features ` +
    'of the Original image in PyRadiomics mode (binWidth 25, no resampling), PyRadiomics with its defaults (diagnostics off)',
  'the same files for all three: the case\'s 4 modalities and binary region masks written once to a temporary folder',
  'each column: one process reads the 4 modalities and the masks once, then runs the 12 extractions, timed from the first ' +
    'read to the last feature (wall seconds); not included: process start-up, compiling the WASM module, Python imports, ' +
    'writing the masks, writing results',
  'our engines hold one extraction cache per case (a region\'s shape is shared by its 4 modalities), as the page and the CLI do',
  'WASM: Node, the build the CLI uses; its column is the second pass in the same process (a fresh session: volumes read again, ' +
    'no cache carried over); "1st" is the first pass, with V8\'s tier-up of the WASM code, as a page\'s first case',
  `PyRadiomics: ${withPeer ? `the peer at ${peer.dir}, numpy and BLAS ${peerNumerics()}, ` : ''}the 12 extractions of a case in ` +
    'one Python process (one process per case)',
  pin.note,
  process.env.GLIBC_TUNABLES
    ? `GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES} for all three engines (glibc.malloc.hugetlb=1: malloc asks for transparent ` +
      'huge pages; on a VM where a 4 KiB page fault is dear, reading a case natively costs ~3x without it; V8 maps WASM memory itself)'
    : 'GLIBC_TUNABLES not set: malloc on 4 KiB pages (GLIBC_TUNABLES=glibc.malloc.hugetlb=1 gives all three engines transparent huge pages)',
];
console.log(`radiomics bench: ${availableParallelism()} CPUs here, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const note of notes) console.log(`  - ${note}`);
if (!options.pyradiomics) console.log('  - PyRadiomics: not run (--no-pyradiomics)');
else if (!peer.usable) {
  console.log(`  - PyRadiomics: no peer at ${peer.dir}: its column is skipped (build it with ` +
    'bash ../shared/tools/pyradiomics/build.sh DIR, then --pyradiomics DIR or GLIOLENS_PYRADIOMICS=DIR)');
}

// The worst case (the headline), the mean and the goals, over the cases measured so far.
function summarize(results) {
  const measured = (get) => results.filter((r) => get(r) != null);
  const extreme = (get, pick) => measured(get).reduce((best, r) => (best === null || pick(get(r), get(best)) ? r : best), null);
  const mean = (get) => { const rows = measured(get); return rows.length ? rows.reduce((s, r) => s + get(r), 0) / rows.length : null; };
  const worst = (get, pick) => { const r = extreme(get, pick); return r && { case: r.case, value: get(r) }; };
  const smallest = (a, b) => a < b, largest = (a, b) => a > b;
  const misses = (get, fails) => measured(get).filter((r) => fails(get(r))).map((r) => r.case);
  const goal = (get, fails) => ({ cases: measured(get).length, missed: misses(get, fails) });
  return {
    mean_seconds: Object.fromEntries(['native', 'wasm', 'wasmFirst', 'pyrad'].map((k) => [k, mean((r) => r.seconds[k])])),
    mean_ratios: Object.fromEntries(['pyrad_native', 'pyrad_wasm', 'wasm_native'].map((k) => [k, mean((r) => r.ratios[k])])),
    worst: {
      pyrad_native: worst((r) => r.ratios.pyrad_native, smallest),
      pyrad_wasm: worst((r) => r.ratios.pyrad_wasm, smallest),
      wasm_seconds: worst((r) => r.seconds.wasm, largest),
      wasm_first_pass_seconds: worst((r) => r.seconds.wasmFirst, largest),
      extraction_only_pyrad_native: worst((r) => r.extraction_ratios.pyrad_native, smallest),
      extraction_only_pyrad_wasm: worst((r) => r.extraction_ratios.pyrad_wasm, smallest),
    },
    goals: {
      pyrad_native: goal((r) => r.ratios.pyrad_native, (v) => v < goals.nativeRatio),
      pyrad_wasm: goal((r) => r.ratios.pyrad_wasm, (v) => v < goals.wasmRatio),
      wasm_seconds: goal((r) => r.seconds.wasm, (v) => v >= goals.wasmSeconds),
      wasm_first_pass_seconds: goal((r) => r.seconds.wasmFirst, (v) => v >= goals.wasmSeconds),
    },
    skipped_regions: results.flatMap((r) => r.skipped_regions.map((name) => `${r.case} ${name}`)),
  };
}

function writeJson(results, complete) {
  if (!options.json) return;
  const report = {
    complete, notes, goals, pinning: pin.note, cpus: availableParallelism(), node: process.version,
    pyradiomics: withPeer ? peer.dir : null, cases: results, summary: summarize(results),
  };
  writeFileSync(options.json, `${JSON.stringify(report, null, 1)}\n`);
}

const maskRoot = mkdtempSync(join(tmpdir(), 'gliolens-radiomics-bench-'));
const results = [];
try {
  const written = runEngine({ prefix: [] }, options.native, ['--write-masks', maskRoot, ...caseDirs]);
  if (written.error) throw new Error(`writing the region masks failed: ${written.error}`);
  const voxels = new Map(written.rows.map((row) => [row.case, row.voxels]));

  const header = ['case', 'regions', 'WT voxels', 'native s', 'WASM s', 'WASM 1st s', 'PyRad s', 'PyRad/native', 'PyRad/WASM', 'WASM/native'];
  const widths = [22, 8, 10, 9, 8, 11, 9, 13, 11, 12];
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' ');
  console.log('');
  console.log(line(header));

  for (const caseDir of caseDirs) {
    const id = basename(caseDir);
    const counts = voxels.get(id);
    const skipped = Object.entries(counts).filter(([, n]) => n === 0).map(([name]) => name);
    const runs = {
      native: runEngine(pin, resolve(options.native), ['--masks', maskRoot, caseDir]),
      wasm: runEngine(pin, process.execPath, [join(benchDir, 'radiomics_bench.mjs'), '--masks', maskRoot, caseDir]),
      pyradiomics: withPeer ? runEngine(pin, python, [join(benchDir, 'radiomics_pyradiomics.py'), '--masks', maskRoot, caseDir], {
        PYTHONPATH: `${join(peer.dir, 'shim')}:${peer.dir}`, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1',
      }) : null,
    };
    const engines = {};
    for (const [name, run] of Object.entries(runs)) {
      if (run === null) continue;
      engines[name] = run.error ? { error: run.error }
        : { ...run.rows[0], total_s: total(run.rows[0]), total_cpu_s: cpuTotal(run.rows[0]), process_s: run.processS };
    }
    const t = {
      native: engines.native?.total_s ?? null, wasm: engines.wasm?.total_s ?? null,
      wasmFirst: engines.wasm?.first_pass ? total(engines.wasm.first_pass) : null, pyrad: engines.pyradiomics?.total_s ?? null,
    };
    const ratios = { pyrad_native: ratio(t.pyrad, t.native), pyrad_wasm: ratio(t.pyrad, t.wasm), wasm_native: ratio(t.wasm, t.native) };
    const x = (name) => engines[name]?.extract_s ?? null;
    const extractionRatios = {
      pyrad_native: ratio(x('pyradiomics'), x('native')), pyrad_wasm: ratio(x('pyradiomics'), x('wasm')), wasm_native: ratio(x('wasm'), x('native')),
    };
    const extractions = engines.native?.extractions ?? engines.wasm?.extractions ?? 0;
    results.push({ case: id, voxels: counts, skipped_regions: skipped, extractions, ...engines, seconds: t, ratios, extraction_ratios: extractionRatios });
    console.log(line([id, `${3 - skipped.length} (${extractions})`, counts.WT, sec(t.native), sec(t.wasm), sec(t.wasmFirst),
      withPeer ? sec(t.pyrad) : '-', times(ratios.pyrad_native), times(ratios.pyrad_wasm), times(ratios.wasm_native)]));
    for (const [name, e] of Object.entries(engines)) {
      if (e.error) console.log(`    ${id}: ${name} failed (${e.error}): its cells are empty`);
      for (const error of e.errors ?? []) console.log(`    ${id}: ${name} could not extract ${error}`);
    }
    const featureCounts = Object.entries(engines).filter(([, e]) => e.features != null);
    if (new Set(featureCounts.map(([, e]) => e.features)).size > 1) {
      console.log(`    ${id}: feature counts differ: ${featureCounts.map(([n, e]) => `${n} ${e.features}`).join(', ')}`);
    }
    writeJson(results, false);
  }

  const summary = summarize(results);
  const m = summary.mean_seconds, mr = summary.mean_ratios, w = summary.worst, g = summary.goals;
  console.log(line(['mean', '', '', sec(m.native), sec(m.wasm), sec(m.wasmFirst), withPeer ? sec(m.pyrad) : '-',
    times(mr.pyrad_native), times(mr.pyrad_wasm), times(mr.wasm_native)]));
  console.log('  (the mean of the cases\' seconds, and the mean of the cases\' ratios)');
  const verdict = ({ cases, missed }) => (cases === 0 ? 'not measured' : missed.length === 0 ? `met in all ${cases} case(s)` :
    `NOT met in ${missed.length} of ${cases} (${missed.join(', ')})`);
  const at = (worstCase, format) => (worstCase ? `${format(worstCase.value)} (${worstCase.case})` : '-');
  console.log('');
  console.log('worst case (the headline):');
  if (withPeer) {
    console.log(`  PyRadiomics/native, smallest: ${at(w.pyrad_native, times)}; goal >= ${goals.nativeRatio}x in every case: ${verdict(g.pyrad_native)}`);
    console.log(`  PyRadiomics/WASM, smallest:   ${at(w.pyrad_wasm, times)}; goal >= ${goals.wasmRatio}x in every case: ${verdict(g.pyrad_wasm)}`);
    console.log(`  the same on the extraction alone (reading excluded): PyRadiomics/native ${at(w.extraction_only_pyrad_native, times)}, ` +
      `PyRadiomics/WASM ${at(w.extraction_only_pyrad_wasm, times)}`);
  } else {
    console.log('  PyRadiomics/native and PyRadiomics/WASM: not measured (no PyRadiomics column)');
  }
  console.log(`  WASM, slowest case: ${at(w.wasm_seconds, (v) => `${sec(v)} s`)}; goal < ${goals.wasmSeconds} s per whole case: ${verdict(g.wasm_seconds)}`);
  console.log(`  WASM first pass (with V8's tier-up), slowest: ${at(w.wasm_first_pass_seconds, (v) => `${sec(v)} s`)}; ` +
    `< ${goals.wasmSeconds} s: ${verdict(g.wasm_first_pass_seconds)}`);

  console.log(`empty regions, skipped by all three alike: ${summary.skipped_regions.length}` +
    `${summary.skipped_regions.length ? ` (${summary.skipped_regions.join(', ')})` : ''}`);
  const engineRows = (name) => results.map((r) => r[name]).filter((e) => e && !e.error);
  const reading = (name) => {
    const rows = engineRows(name);
    const read = rows.reduce((s, e) => s + e.read_s, 0), all = rows.reduce((s, e) => s + e.total_s, 0);
    return rows.length ? `${name} ${sec(read)} s of ${sec(all)} s (${((100 * read) / all).toFixed(0)} %)` : null;
  };
  const outside = (name, what) => {
    const rows = engineRows(name);
    const s = rows.reduce((sum, e) => sum + e.process_s - e.total_s - (e.first_pass ? total(e.first_pass) : 0), 0) / rows.length;
    return rows.length ? `${name} ${s.toFixed(2)} s (${what})` : null;
  };
  const engineNames = ['native', 'wasm', 'pyradiomics'];
  console.log(`reading the files, all cases (in the columns): ${engineNames.map(reading).filter(Boolean).join('; ')}`);
  console.log('per case, outside the columns: ' + [outside('native', 'process start-up'), outside('wasm', 'Node start-up, compiling the ' +
    'module; the first pass is not counted here'), outside('pyradiomics', 'Python start-up and imports, once for the 12 extractions')]
    .filter(Boolean).join('; '));
  const busy = results.flatMap((r) => engineNames
    .filter((n) => r[n]?.total_cpu_s > 0 && r[n].total_s > 1.25 * r[n].total_cpu_s).map((n) => `${r.case} ${n}`));
  if (busy.length) {
    console.log(`wall time over 1.25x CPU time (the core was shared: compare with the JSON's CPU seconds): ${busy.join(', ')}`);
  }
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  writeJson(results, true);
  if (options.json) console.log(`table written to ${options.json}`);
} finally {
  rmSync(maskRoot, { recursive: true, force: true });
}
