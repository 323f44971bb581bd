#!/usr/bin/env node
// Prepare benchmark (issue 29's acceptance: "Prepare takes under 60 s in the browser on 2 cores (WASM) for the four
// sequences, measured side by side with the native reference tools"): the raw TCGA-FG-6692 study (T1, T1c, T2, FLAIR
// as they came off the scanner) prepared into SRI24 space, in one run,
//   1. by the page in headless Chromium (the built web/dist, served as the e2e tests serve it; WASM, the threads the
//      page picks: min(4, cores)), each step's seconds read from the panel (#prepare-steps li[data-seconds]);
//   2. by `gliolens prepare` in Node (ONNX Runtime Web WASM, --threads 2), each step from its JSON (stepSeconds);
//   3. by the native reference tools on the same input: no native brain-extraction tool is installed, so MindGrab
//      itself in onnxruntime-node (native CPU engine, 2 threads; the core's conforming around it, as WASM) stands in;
//      Debian's elastix (-threads 2) for the three rigid registrations (tests/node/elastix/rigid-header.txt) and the
//      T1c rigidly onto SRI24 (rigid.txt; and rigid + affine.txt, prepare's --atlas-transform affine), as
//      bench/registration_run.sh runs them; transformix resampling the four onto the template's grid through the
//      composed transforms (linear); and, since the study is NIfTI, Debian's dcm2niix against our dcm2niix
//      WebAssembly (wasm/dicom-node.mjs, as `gliolens dicom` and the page run it) on dcm_qa_nih's GE and Siemens
//      folders;
//   4. the ratios (ours / native), the goal line and what the time is spent on.
//   node bench/prepare_bench.mjs [--no-browser] [--no-node] [--no-native] [--json FILE]
// Needs scripts/build (build/wasm, web/dist with its SRI24 copy), ../shared/data (GLIOLENS_SHARED_DATA elsewhere).
// The built app and the WASM core are copied first, so that a rebuild during the run cannot swap them.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);
const THREADS = 2;
const GOAL_SECONDS = 60;
const PATIENT = 'TCGA-FG-6692';
const ROLES = ['t1', 't1c', 't2', 'flair'];
// wasm/prepare.mjs's STEPS, in order, and the page's own first step (the Worker's network session and template).
const STEP_LABELS = {
  setup: 'setup (network session, template)',
  brainExtraction: 'brain extraction of the T1c (MindGrab)',
  't1->t1ce': 'T1 onto the T1c (rigid)',
  't2->t1ce': 'T2 onto the T1c (rigid)',
  'flair->t1ce': 'FLAIR onto the T1c (rigid)',
  't1ce->sri24': 'T1c onto SRI24 (rigid, the default)',
  resample: 'resampling the four onto SRI24 (+ stripping)',
};
const log = (s) => process.stderr.write(`bench: ${s}\n`);
const load = () => loadavg().map((v) => v.toFixed(2)).join(' ');

// CPU seconds (user + system, all threads) used so far by each process of the browser started with `profile`
// (the browser process, found by its profile folder, and everything under it: renderer, GPU process, utilities).
function browserCpu(profile) {
  const procs = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      procs.push({ pid, ppid: stat[1], cmd, cpu: (Number(stat[11]) + Number(stat[12])) / 100 });
    } catch { /* gone */ }
  }
  const top = procs.find((p) => p.cmd.includes(`--user-data-dir=${profile}`) && !p.cmd.includes('--type='));
  const tree = new Map(top ? [[top.pid, top.cpu]] : []);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of procs) if (!tree.has(p.pid) && tree.has(p.ppid)) { tree.set(p.pid, p.cpu); grew = true; }
  }
  return tree;
}

// ---- 1. the page in headless Chromium ------------------------------------------------------------------------------
async function browserPrepare(study, site) {
  const { launchBrowser, openPage } = await import(join(root, 'tests', 'e2e', 'browser.mjs'));
  const { startServer } = await import(join(root, 'scripts', 'serve.mjs'));
  const { server, url } = await startServer({ root: site });
  const browser = await launchBrowser();
  try {
    const { page, problems } = await openPage(browser.context, url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    const env = await page.evaluate(() => ({ isolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency }));
    await page.setInputFiles('#file-input', ROLES.map((role) => ({
      name: `${PATIENT}_${role}.nii.gz`, mimeType: 'application/gzip', buffer: readFileSync(study[role]),
    })));
    await page.waitForFunction(() => document.querySelectorAll('#file-list tbody tr').length === 4, null, { timeout: 120_000 });
    await page.selectOption('#segment-backend', 'wasm');
    await page.waitForFunction(() => !document.querySelector('#prepare-run').disabled, null, { timeout: 60_000 });
    const cpuBefore = browserCpu(browser.profile);
    const clicked = performance.now();
    await page.click('#prepare-run');
    await page.waitForFunction(() => /^(Done|Failed)/.test(document.querySelector('#prepare-status').textContent), null, { timeout: 900_000, polling: 250 });
    const wall = (performance.now() - clicked) / 1000;
    const cpu = [...browserCpu(browser.profile)].reduce((sum, [pid, used]) => sum + used - (cpuBefore.get(pid) ?? 0), 0);
    const status = await page.textContent('#prepare-status');
    const errors = await page.$$eval('#messages li.error', (items) => items.map((i) => i.textContent));
    if (!status.startsWith('Done')) throw new Error(`the page's Prepare failed: ${status} ${errors.join(' | ')}`);
    const steps = await page.$$eval('#prepare-steps li[data-seconds]', (items) => Object.fromEntries(items.map((li) => [li.dataset.step, Number(li.dataset.seconds)])));
    const nmi = await page.$$eval('#prepare-registrations tbody tr', (rows) => Object.fromEntries(rows.map((r) => [r.dataset.pair, Number(r.dataset.nmi)])));
    const brainMl = Number(await page.$eval('#prepare-brain', (p) => p.dataset.ml));
    if (problems.foreignRequests.length) throw new Error(`requests outside the origin: ${problems.foreignRequests}`);
    const threads = Number(status.match(/WASM, (\d+) thread/)?.[1] ?? NaN);
    const panelTotal = Number(status.match(/ in ([\d.]+) s\./)?.[1] ?? NaN);
    return { env, status, threads, steps, total: panelTotal, wall, cpu, nmi, brainMl, errors };
  } finally {
    await browser.close();
    server.close();
  }
}

// ---- 2. gliolens prepare in Node ------------------------------------------------------------------------------------
// A process timed from spawn to exit, with the CPU seconds (user + system, all its threads and children) it used:
// bash's `times` after it, since Node reports no child's rusage. CPU time says what other load on the machine took
// from the wall time.
function timedProcess(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const proc = spawn('bash', ['-c', '"$@"; status=$?; times >&2; exit $status', 'bash', command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '', stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    proc.on('error', reject);
    proc.on('close', (code) => {
      const wall = (performance.now() - started) / 1000;
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} failed (${code}): ${stderr.slice(-2000)}`));
      const seconds = (t) => { const [, m, sec] = t.match(/(\d+)m([\d.]+)s/); return 60 * Number(m) + Number(sec); };
      const children = stderr.trim().split('\n').pop().split(/\s+/);
      resolvePromise({ stdout, stderr, wall, cpu: seconds(children[0]) + seconds(children[1]) });
    });
  });
}

async function nodePrepare(study, template, work) {
  const out = join(work, 'cli-prepare');
  const { stdout, wall, cpu } = await timedProcess(process.execPath, [join(root, 'bin', 'gliolens.mjs'), 'prepare',
    '--t1', study.t1, '--t1c', study.t1c, '--t2', study.t2, '--flair', study.flair, '--template', template,
    '--out', out, '--threads', String(THREADS)]);
  const summary = JSON.parse(stdout);
  if (!summary.stepSeconds) throw new Error('gliolens prepare printed no stepSeconds (an older cli/prepare.mjs?)');
  const nmi = Object.fromEntries(Object.entries(summary.registrations).map(([pair, r]) => [pair, r.normalizedMutualInformation]));
  return {
    steps: summary.stepSeconds, load: summary.seconds.load, write: summary.seconds.write, total: summary.seconds.total, wall, cpu,
    nmi, brainMl: summary.brain.mL, backend: summary.brain.backend, warnings: summary.warnings, mask: join(out, 'brain_mask_t1ce.nii.gz'),
  };
}

// ---- 3a. MindGrab natively (onnxruntime-node), in a child process of its own -----------------------------------------
async function nativeBrainChild(t1c) {
  const { createGliolens } = await import(join(root, 'wasm', 'node.mjs'));
  const { readBrainModelDir } = await import(join(root, 'cli', 'commands', 'brain.mjs'));
  const ort = await import('onnxruntime-node');
  const core = await createGliolens();
  const { manifest, manifestPath, modelPath } = readBrainModelDir(core);
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'], intraOpNumThreads: THREADS, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const sessionSeconds = (performance.now() - t0) / 1000;
  const { id } = core.load(t1c);
  let network = 0;
  const started = performance.now();
  const result = await core.extractBrain(id, {
    manifest, source: manifestPath,
    runNetwork: async (tensor, dims) => {
      const t = performance.now();
      const output = (await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', tensor, dims) }))[session.outputNames[0]].data;
      network += (performance.now() - t) / 1000;
      return output;
    },
  });
  const step = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify({ session: sessionSeconds, step, network, mL: result.mL, voxels: result.voxels })}\n`);
  process.exit(0);
}

async function nativeBrain(t1c) {
  const { stdout, wall, cpu } = await timedProcess(process.execPath, [self, '--child', 'native-brain', t1c]);
  return { ...JSON.parse(stdout.trim().split('\n').pop()), wall, cpu };
}

// ---- 3b. elastix and transformix -------------------------------------------------------------------------------------
// The T1c with everything outside a brain mask set to 0 (as our registration reads it through the mask): for elastix.
function stripped(image, mask, out) {
  const bytes = gunzipSync(readFileSync(image));
  const m = gunzipSync(readFileSync(mask));
  const view = new DataView(bytes.buffer, bytes.byteOffset), mv = new DataView(m.buffer, m.byteOffset);
  const sizes = { 2: 1, 4: 2, 8: 4, 16: 4, 64: 8, 256: 1, 512: 2, 768: 4 };
  const size = sizes[view.getInt16(70, true)], msize = sizes[mv.getInt16(70, true)];
  const start = view.getFloat32(108, true), mstart = mv.getFloat32(108, true);
  for (let n = 0; mstart + n * msize < m.length; n++) {
    let zero = true;
    for (let b = 0; b < msize; b++) zero &&= m[mstart + n * msize + b] === 0;
    if (zero) for (let b = 0; b < size; b++) bytes[start + n * size + b] = 0;
  }
  writeFileSync(out, gzipSync(bytes, { level: 1 }));
  return out;
}

async function elastix(label, fixed, moving, parameterFiles, work) {
  const dir = join(work, `elastix-${label.replace(/[^a-z0-9]+/gi, '_')}`);
  mkdirSync(dir, { recursive: true });
  const { wall, cpu } = await timedProcess('elastix', ['-f', fixed, '-m', moving, ...parameterFiles.flatMap((p) => ['-p', p]), '-out', dir, '-threads', String(THREADS)]);
  return { seconds: wall, cpu, transform: join(dir, `TransformParameters.${parameterFiles.length - 1}.txt`) };
}

// A transform file for transformix: `inner` (fixed -> moving points) applied after `outer` (the atlas's template ->
// T1c), written onto the template's grid (outer's fixed image), interpolated linearly as our resampling is.
function composed(inner, outer, out) {
  const grid = ['Size', 'Index', 'Spacing', 'Origin', 'Direction'];
  const outerText = readFileSync(outer, 'utf8');
  let text = readFileSync(inner ?? outer, 'utf8');
  if (inner) {
    for (const key of grid) {
      const line = outerText.match(new RegExp(`^\\(${key} .*\\)$`, 'm'))[0];
      text = text.replace(new RegExp(`^\\(${key} .*\\)$`, 'm'), line);
    }
    text = text.replace(/^\(InitialTransformParametersFileName .*\)$/m, `(InitialTransformParametersFileName "${outer}")`);
    text = text.replace(/^\(HowToCombineTransforms .*\)$/m, '(HowToCombineTransforms "Compose")');
  }
  text = text.replace(/^\(FinalBSplineInterpolationOrder .*\)$/m, '(FinalBSplineInterpolationOrder 1)')
    .replace(/^\(ResultImageFormat .*\)$/m, '(ResultImageFormat "nii")')
    .replace(/^\(ResultImagePixelType .*\)$/m, '(ResultImagePixelType "float")');
  writeFileSync(out, text);
  return out;
}

async function elastixPrepare(study, template, mask, work) {
  const p = join(root, 'tests', 'node', 'elastix');
  const steps = {};
  const cpu = {};
  const transforms = {};
  for (const role of ['t1', 't2', 'flair']) {
    log(`elastix: ${role} onto the T1c...`);
    const r = await elastix(`${role} rigid`, study.t1c, study[role], [join(p, 'rigid-header.txt')], work);
    steps[`${role}->t1ce`] = r.seconds;
    cpu[`${role}->t1ce`] = r.cpu;
    transforms[role] = r.transform;
  }
  const t1cBrain = stripped(study.t1c, mask, join(work, 't1c_brain.nii.gz'));
  log('elastix: the T1c onto SRI24 (rigid)...');
  const atlas = await elastix('t1c rigid sri24', template, t1cBrain, [join(p, 'rigid.txt')], work);
  steps['t1ce->sri24'] = atlas.seconds;
  cpu['t1ce->sri24'] = atlas.cpu;
  log('elastix: the T1c onto SRI24 (rigid + affine, --atlas-transform affine)...');
  const affine = await elastix('t1c affine sri24', template, t1cBrain, [join(p, 'rigid.txt'), join(p, 'affine.txt')], work);
  log('transformix: the four onto the template grid...');
  let resample = 0;
  cpu.resample = 0;
  for (const role of ROLES) {
    const dir = join(work, `transformix-${role}`);
    mkdirSync(dir, { recursive: true });
    const tp = composed(role === 't1c' ? null : transforms[role], atlas.transform, join(dir, 'transform.txt'));
    const r = await timedProcess('transformix', ['-in', study[role], '-tp', tp, '-out', dir, '-threads', String(THREADS)]);
    resample += r.wall;
    cpu.resample += r.cpu;
  }
  steps.resample = resample;
  const version = spawnSync('elastix', ['--version'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  return { version, steps, cpu, affineAtlas: affine.seconds, affineAtlasCpu: affine.cpu };
}

// ---- 3c. DICOM conversion: Debian's dcm2niix against our WebAssembly build -------------------------------------------
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function dicomChild(folder) {
  const { convertDicomFolder } = await import(join(root, 'wasm', 'dicom-node.mjs'));
  const seconds = [];
  let series = 0;
  for (let r = 0; r < 3; r++) {
    const t = performance.now();
    series = (await convertDicomFolder(folder)).series.length;
    seconds.push((performance.now() - t) / 1000);
  }
  process.stdout.write(`${JSON.stringify({ first: seconds[0], median: median(seconds), series })}\n`);
  process.exit(0);
}

async function dicomBench(folders, work) {
  const { DCM2NIIX_ARGUMENTS } = await import(join(root, 'wasm', 'dicom.mjs'));
  const rows = [];
  for (const folder of folders) {
    const name = folder.split('/').pop();
    const native = [], cli = [];
    for (let r = 0; r < 3; r++) {
      const out = join(work, `dcm2niix-${name}-${r}`);
      mkdirSync(out, { recursive: true });
      native.push((await timedProcess('dcm2niix', [...DCM2NIIX_ARGUMENTS, '-o', out, folder])).wall);
      cli.push((await timedProcess(process.execPath, [join(root, 'bin', 'gliolens.mjs'), 'dicom', folder, join(work, `gliolens-dicom-${name}-${r}`)])).wall);
    }
    const { stdout } = await timedProcess(process.execPath, [self, '--child', 'dicom', folder]);
    const inProcess = JSON.parse(stdout.trim().split('\n').pop());
    const files = readdirSync(folder, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
    rows.push({ folder: name, files, series: inProcess.series, native: median(native), ours: inProcess.median, oursFirst: inProcess.first, cli: median(cli) });
  }
  const version = spawnSync('dcm2niix', ['--version'], { encoding: 'utf8' });
  return { version: `${version.stdout}${version.stderr}`.match(/v\d[\w.]*/)?.[0] ?? '?', rows };
}

// ---- the report --------------------------------------------------------------------------------------------------------
const fmt = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '-');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(a / b < 1 ? 2 : 1)}x` : '-');

function report(result) {
  const { browser, node, native } = result;
  const lines = [];
  const nativeSteps = {
    brainExtraction: native?.brain?.step,
    ...(native?.elastix?.steps ?? {}),
  };
  const nativeTool = {
    brainExtraction: 'MindGrab, onnxruntime-node',
    't1->t1ce': 'elastix', 't2->t1ce': 'elastix', 'flair->t1ce': 'elastix', 't1ce->sri24': 'elastix', resample: 'transformix x4',
  };
  lines.push(`Prepare of ${PATIENT} (four raw sequences -> SRI24), seconds; ${result.date}, commit ${result.commit}, ${result.cores} cores, ` +
    `load average before ${result.loadBefore}, after ${result.loadAfter}`, '',
    `| step | page, Chromium WASM (${browser ? `${browser.threads} threads` : '-'}) | gliolens prepare, Node WASM (${THREADS} threads) | native reference | native tool (${THREADS} threads) | page / native | Node / native |`,
    '|---|---|---|---|---|---|---|');
  const sum = (obj, keys) => keys.reduce((s, k) => s + (obj?.[k] ?? NaN), 0);
  for (const step of Object.keys(STEP_LABELS)) {
    const b = browser?.steps?.[step], n = node?.steps?.[step], x = nativeSteps[step];
    if (step === 'setup' && !browser) continue;
    lines.push(`| ${STEP_LABELS[step]} | ${fmt(b, 2)} | ${step === 'setup' ? '(before the steps)' : fmt(n, 2)} | ${step === 'setup' ? '-' : fmt(x, 2)} | ${nativeTool[step] ?? '-'} | ${ratio(b, x)} | ${ratio(n, x)} |`);
  }
  const registrations = ['t1->t1ce', 't2->t1ce', 'flair->t1ce', 't1ce->sri24'];
  const flow = ['brainExtraction', ...registrations, 'resample'];
  const bReg = sum(browser?.steps, registrations), nReg = sum(node?.steps, registrations), xReg = sum(nativeSteps, registrations);
  lines.push(`| the four registrations | ${fmt(bReg, 2)} | ${fmt(nReg, 2)} | ${fmt(xReg, 2)} | elastix | ${ratio(bReg, xReg)} | ${ratio(nReg, xReg)} |`);
  const bFlow = sum(browser?.steps, flow), nFlow = sum(node?.steps, flow), xFlow = sum(nativeSteps, flow);
  lines.push(`| the six steps | ${fmt(bFlow, 2)} | ${fmt(nFlow, 2)} | ${fmt(xFlow, 2)} | | ${ratio(bFlow, xFlow)} | ${ratio(nFlow, xFlow)} |`);
  if (browser || node) {
    lines.push(`| **in all** (page: its "Done in" time, setup included; Node: + reading ${fmt(node?.load, 2)} s and writing ${fmt(node?.write, 2)} s) | ${fmt(browser?.total, 2)} | ${fmt(node?.total, 2)} | | | | |`);
    lines.push(`| wall: click to Done / the whole process | ${fmt(browser?.wall, 2)} | ${fmt(node?.wall, 2)} | | | | |`);
  }
  const xCpu = (native?.brain?.cpu ?? NaN) + sum(native?.elastix?.cpu, [...registrations, 'resample']);
  lines.push(`| CPU s, all threads (page: the browser's processes from click to Done; others: whole processes) | ${fmt(browser?.cpu, 1)} | ${fmt(node?.cpu, 1)} | ${fmt(xCpu, 1)} | | ${ratio(browser?.cpu, xCpu)} | ${ratio(node?.cpu, xCpu)} |`);
  lines.push('');
  if (native?.brain) {
    lines.push(`Native MindGrab (onnxruntime-node, ${THREADS} threads): the step ${fmt(native.brain.step, 2)} s, of which the network ${fmt(native.brain.network, 2)} s ` +
      `(session ${fmt(native.brain.session, 2)} s before it), the process ${fmt(native.brain.wall, 1)} s wall and ${fmt(native.brain.cpu, 1)} s CPU; brain ${fmt(native.brain.mL, 0)} mL. No native brain-extraction tool (FSL BET, HD-BET, SynthStrip) is installed: the same network natively stands in.`);
  }
  if (native?.elastix) {
    lines.push(`${native.elastix.version}, -threads ${THREADS} (the T1c stripped by the ${native.elastix.mask} brain mask for the atlas): CPU s ${Object.entries(native.elastix.cpu).map(([k, v]) => `${k} ${fmt(v, 1)}`).join(', ')}; ` +
      `the T1c onto SRI24 rigid + affine (prepare --atlas-transform affine) ${fmt(native.elastix.affineAtlas, 2)} s (${fmt(native.elastix.affineAtlasCpu, 1)} s CPU). ` +
      'elastix and transformix times are whole processes (reading and writing their files); ours exclude reading (the page and the CLI load the scans first).');
  }
  if (browser) lines.push(`Page: ${browser.status} (isolated ${browser.env.isolated}, navigator.hardwareConcurrency ${browser.env.cores}); brain ${fmt(browser.brainMl, 0)} mL; normalised MI ${Object.entries(browser.nmi).map(([k, v]) => `${k} ${fmt(v, 3)}`).join(', ')}.`);
  if (node) lines.push(`gliolens prepare: ${node.backend}; brain ${fmt(node.brainMl, 0)} mL; normalised MI ${Object.entries(node.nmi).map(([k, v]) => `${k} ${fmt(v, 3)}`).join(', ')}; ${node.warnings.length} warning(s).`);
  if (native?.dicom) {
    lines.push('', `DICOM conversion (dcm_qa_nih; ${TCGA_IS_NIFTI}), seconds: Debian's dcm2niix ${native.dicom.version} (a process, ${'`'}-z n${'`'}) against our dcm2niix WebAssembly (convertDicomFolder in Node, median of 3 in one process; its first pass) and the whole ${'`'}gliolens dicom${'`'} process (Node start, the WASM core, .nii.gz written)`, '',
      '| folder | files | series | dcm2niix (native) | ours, WASM | ours, first pass | gliolens dicom process | ours / native |', '|---|---|---|---|---|---|---|---|');
    for (const r of native.dicom.rows) lines.push(`| ${r.folder} | ${r.files} | ${r.series} | ${fmt(r.native, 3)} | ${fmt(r.ours, 3)} | ${fmt(r.oursFirst, 3)} | ${fmt(r.cli, 3)} | ${ratio(r.ours, r.native)} |`);
  }
  lines.push('');
  if (browser) {
    const over = browser.total - GOAL_SECONDS;
    const brain = browser.steps.brainExtraction;
    lines.push(`Goal (Prepare < ${GOAL_SECONDS} s in the browser on 2 cores, WASM): ${over < 0 ? `MET, ${fmt(-over)} s under` : `NOT MET: ${fmt(browser.total)} s, ${fmt(over)} s over (${fmt(browser.total / GOAL_SECONDS, 2)}x the goal)`}.`);
    lines.push(`Where the page's time goes: brain extraction ${fmt(brain)} s (${fmt(100 * brain / browser.total, 0)} %), setup ${fmt(browser.steps.setup)} s, ` +
      `the four registrations ${fmt(bReg)} s (${fmt(100 * bReg / browser.total, 0)} %), resampling ${fmt(browser.steps.resample)} s; ` +
      `without brain extraction Prepare takes ${fmt(browser.total - brain)} s.` +
      (native?.brain ? ` MindGrab's network alone natively (onnxruntime-node) takes ${fmt(native.brain.network)} s on ${THREADS} threads` +
        (native.brain.network > GOAL_SECONDS ? ': even native ONNX Runtime would not meet the goal with this network here.' : '.') : ''));
  }
  return lines.join('\n');
}
const TCGA_IS_NIFTI = `the raw ${PATIENT} study is NIfTI, so DICOM is timed on these real GE and Siemens folders`;

// ---- main ------------------------------------------------------------------------------------------------------------
async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { child: { type: 'string' }, 'no-browser': { type: 'boolean' }, 'no-node': { type: 'boolean' }, 'no-native': { type: 'boolean' }, json: { type: 'string' } },
  });
  if (values.child === 'native-brain') return nativeBrainChild(positionals[0]);
  if (values.child === 'dicom') return dicomChild(positionals[0]);
  const data = resolve(process.env.GLIOLENS_SHARED_DATA ?? join(root, '..', 'shared', 'data'));
  const raw = join(data, 'raw', PATIENT);
  const study = { t1: join(raw, 't1.nii.gz'), t1c: join(raw, 't1c.nii.gz'), t2: join(raw, 't2.nii.gz'), flair: join(raw, 'flair.nii.gz') };
  const reference = join(raw, 't1c_brain_mask_reference.nii.gz');
  const template = join(data, 'atlas', 'sri24', 'sri24_t1_brain.nii.gz');
  const absent = [...Object.values(study), template].filter((p) => !existsSync(p));
  if (absent.length) {
    console.log(`bench: shared data absent (${absent.join(', ')}): nothing to measure`);
    return;
  }
  const dist = join(root, 'web', 'dist');
  if (!values['no-browser'] && !existsSync(join(dist, 'atlas', 'sri24', 'sri24_t1_brain.nii.gz'))) {
    throw new Error(`${dist}: no built app with its SRI24 copy: run "bash scripts/build" first (or --no-browser)`);
  }
  const work = mkdtempSync(join(tmpdir(), 'gliolens-prepare-bench-'));
  // Private copies of the WASM core (every child inherits GLIOLENS_WASM_DIR) and of the built app.
  const wasmDir = resolve(process.env.GLIOLENS_WASM_DIR ?? join(root, 'build', 'wasm'));
  mkdirSync(join(work, 'wasm'));
  for (const f of ['gliolens_node.cjs', 'gliolens_node.wasm']) cpSync(join(wasmDir, f), join(work, 'wasm', f));
  process.env.GLIOLENS_WASM_DIR = join(work, 'wasm');
  const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).stdout.trim() ? ' (+ uncommitted changes in the tree)' : '';
  const result = { date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC', commit: commit + dirty, cores: cpus().length, loadBefore: load() };
  log(`${PATIENT}, ${result.cores} cores, load average ${result.loadBefore}`);
  try {
    if (!values['no-browser']) {
      cpSync(dist, join(work, 'site'), { recursive: true });
      log('the page in headless Chromium: Prepare (MindGrab alone takes minutes)...');
      result.browser = await browserPrepare(study, join(work, 'site'));
      log(`  ${result.browser.status}; load average ${load()}`);
    }
    if (!values['no-node']) {
      log(`gliolens prepare in Node, ${THREADS} threads...`);
      result.node = await nodePrepare(study, template, work);
      log(`  ${fmt(result.node.total)} s in all; load average ${load()}`);
    }
    if (!values['no-native']) {
      result.native = {};
      log(`MindGrab natively (onnxruntime-node, ${THREADS} threads)...`);
      result.native.brain = await nativeBrain(study.t1c);
      log(`  ${fmt(result.native.brain.step)} s; load average ${load()}`);
      if (spawnSync('elastix', ['--version']).status === 0 && spawnSync('transformix', ['--version']).status === 0) {
        // elastix reads the T1c stripped as ours is: by the mask our Node run found, else the study's reference mask.
        const mask = result.node?.mask && existsSync(result.node.mask) ? result.node.mask : reference;
        result.native.elastix = { ...(await elastixPrepare(study, template, mask, work)), mask: mask === reference ? 'reference' : 'MindGrab (gliolens prepare)' };
      } else {
        log('elastix/transformix not installed (apt-get install elastix): their rows skipped');
      }
      const qa = join(data, 'dicom', 'dcm_qa_nih', 'In');
      const folders = ['20180918GE', '20180918Si'].map((f) => join(qa, f)).filter(existsSync);
      if (!folders.length) log(`${qa} absent: DICOM conversion skipped`);
      else if (spawnSync('dcm2niix', ['-h']).error) log('dcm2niix not installed (apt-get install dcm2niix): DICOM conversion skipped');
      else {
        log('DICOM conversion: dcm2niix native against our WebAssembly build...');
        result.native.dicom = await dicomBench(folders, work);
      }
    }
    result.loadAfter = load();
    console.log(report(result));
    if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// Run as a program (importing it runs nothing).
if (process.argv[1] && resolve(process.argv[1]) === self) await main();
export { report, timedProcess, browserCpu };  // for a quick check of the report without the long runs
