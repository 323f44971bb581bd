#!/usr/bin/env node
// Segmentation benchmark: the bundled networks (a cascade's two, each on its own input) on one real BraTS
// case's preprocessed input, with onnxruntime-node (native CPU EP) beside ONNX Runtime Web's WebAssembly
// backend in Node and in headless Chromium (the app's own Worker), on 1 and 2 threads, measured side by side
// in one run; then the whole case (load + preprocess + networks + labels + write) through `gliolens segment`.
//   node bench/segment_bench.mjs [--case Brats18_2013_3_1] [--runs 3] [--threads 1,2] [--no-browser] [--webgpu]
//       [--model-dir DIR (default models/glioma_seg)] [--write-inputs DIR (only write each network's input, then stop)]
// (bash bench/run_segment.sh runs it; needs build/wasm and web/dist from scripts/build, ../shared/data.)
//
// Every backend gets the same input tensor (the core's preprocessing of the case, written once to a
// file; a refine network's is the box around the tumour the first network finds) and the model file the
// manifest names. Each configuration runs in a fresh process (Node) or a
// fresh browser (Chromium), so that its peak memory is its own: Node, VmHWM of the child; Chromium,
// VmHWM of the renderer process that holds the page, its Worker and ORT's thread workers (reset with
// /proc/PID/clear_refs just before the network runs where the kernel allows it). Time: session creation
// (the first call, with ORT's start-up), then the median of `--runs` further runs.
// WebGPU (SwiftShader, no GPU here) is run once with --webgpu to show it runs and agrees: not timed.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { logitAgreement, median } from './logit-agreement.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);

function readF32(path) {
  const b = readFileSync(path);
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

function procStatus(pid = 'self') {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key) => Number(text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm'))?.[1] ?? NaN);
    return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

// Resets VmHWM to the current RSS (Linux >= 4.0, own processes); false where not allowed.
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

// CPU seconds (user + system, all threads) a process has used.
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;  // utime, stime in clock ticks (USER_HZ 100)
}

// ---- child: one Node backend in its own process -------------------------------------------------
async function child({ backend, threads, input, dims, model, runs, out }) {
  const tensor = readF32(input);
  const shape = JSON.parse(dims);
  const before = procStatus();
  resetPeak(process.pid);
  let create, run;
  const t0 = performance.now();
  if (backend === 'ort-node') {
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
    });
    const [inName] = session.inputNames, [outName] = session.outputNames;
    run = async () => (await session.run({ [inName]: new ort.Tensor('float32', tensor, shape) }))[outName].data;
  } else {
    const { loadNodeNetwork } = await import(join(root, 'cli', 'onnx-node.mjs'));
    const network = await loadNodeNetwork(model, { threads });
    run = () => network.run(tensor, shape);
  }
  create = (performance.now() - t0) / 1000;
  const seconds = [];
  let first = null;
  const cpu = [];
  for (let r = 0; r <= runs; r++) {
    const t = performance.now(), c = process.cpuUsage();
    const output = await run();
    seconds.push((performance.now() - t) / 1000);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1e6);
    if (!first) first = Float32Array.from(output);
  }
  writeFileSync(out, Buffer.from(first.buffer));
  const after = procStatus();
  process.stdout.write(JSON.stringify({
    create, firstRun: seconds[0], run: median(seconds.slice(1)), runs: seconds.slice(1), cpu: median(cpu.slice(1)),
    baseMiB: before.rss, peakMiB: after.hwm,
  }) + '\n');
  process.exit(0);  // ORT Web's thread workers would keep Node alive
}

function runChild(args) {
  const r = spawnSync(process.execPath, [self, '--child', ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// ---- the preprocessed inputs, from the WASM core ---------------------------------------------------
// Each network's input tensor as the core builds it: the first stage's from the case; for a cascade, the
// refine stage's from the box around the tumour the real first network (onnxruntime-node) finds.
async function prepareInputs(caseDir, caseId, manifest, modelDir, work) {
  const { createGliolens } = await import(join(root, 'wasm', 'node.mjs'));
  const ort = await import('onnxruntime-node');
  const core = await createGliolens();
  const ids = manifest.input.channel_files.map((s) => {
    const path = join(caseDir, `${caseId}_${s}.nii.gz`);
    return core.load(path, path).id;
  });
  const first = await ort.InferenceSession.create(join(modelDir, manifest.model.file));
  const captured = {};
  const capture = (stage, run) => async (tensor, dims) => {
    captured[stage] ??= { tensor: Float32Array.from(tensor), dims };  // the first (only, for a whole-grid model) call
    return run(tensor, dims);
  };
  await core.segment(ids, {
    manifest,
    runNetwork: capture('first', async (tensor, dims) =>
      (await first.run({ [first.inputNames[0]]: new ort.Tensor('float32', tensor, dims) }))[first.outputNames[0]].data),
    runRefineNetwork: capture('refine', async (tensor, dims) =>
      new Float32Array(manifest.output.channels.length * dims.slice(2).reduce((a, b) => a * b, 1)).fill(-10)),
  });
  await first.release();  // its memory would otherwise sit in this process through every measurement after
  const networks = [{ stage: 'first', model: manifest.model.file }, ...(manifest.refine ? [{ stage: 'refine', model: manifest.refine.model.file }] : [])];
  return networks.map(({ stage, model }) => {
    if (!captured[stage]) throw new Error(`${caseId}: the ${stage} network never ran (no tumour found?)`);
    const input = join(work, `${stage}_input.f32`);
    writeFileSync(input, Buffer.from(captured[stage].tensor.buffer));
    return { stage, model, modelPath: join(modelDir, model), input, dims: captured[stage].dims };
  });
}

// ---- Chromium: the app's Worker (web/dist) ---------------------------------------------------------
// Processes whose ancestor is the browser started with `profile`; the renderers among them.
function chromiumRenderers(profile) {
  const procs = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // Chromium rewrites its children's command lines into one space-separated string.
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      const ppid = Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/^PPid:\s+(\d+)/m)[1]);
      procs.push({ pid: Number(pid), ppid, cmd });
    } catch { /* gone */ }
  }
  const browser = procs.find((p) => p.cmd.includes(`--user-data-dir=${profile}`) && !p.cmd.includes('--type='));
  if (!browser) return [];
  const inTree = new Set([browser.pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of procs) if (!inTree.has(p.pid) && inTree.has(p.ppid)) { inTree.add(p.pid); grew = true; }
  }
  return procs.filter((p) => inTree.has(p.pid) && p.cmd.includes('--type=renderer ')).map((p) => p.pid);
}

async function chromiumRun({ backend, threads, runs, work, network }) {
  const { stage, model: modelName, dims } = network;
  const { launchBrowser, openPage } = await import(join(root, 'tests', 'e2e', 'browser.mjs'));
  const { startServer } = await import(join(root, 'scripts', 'serve.mjs'));
  const { server, url } = await startServer({ root: join(work, 'site') });
  const browser = await launchBrowser();
  try {
    const { page, problems } = await openPage(browser.context, url);
    await page.waitForFunction(() => window.gliolensCore, null, { timeout: 60_000 });
    const env = await page.evaluate(async (stage) => {
      const input = new Float32Array(await (await fetch(`bench/${stage}_input.f32`)).arrayBuffer());
      const ref = new Float32Array(await (await fetch(`bench/${stage}_ref.f32`)).arrayBuffer());
      window.benchData = { input, ref };
      return { isolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency };
    }, stage);
    // The renderer holding the page: the one with the most memory (a spare one may exist).
    const renderers = chromiumRenderers(browser.profile);
    const status = renderers.map((pid) => ({ pid, ...procStatus(pid) })).filter((s) => s.rss).sort((a, b) => b.rss - a.rss);
    const renderer = status[0];
    const peakReset = renderer ? resetPeak(renderer.pid) : false;
    let samplePeak = renderer?.rss ?? NaN;
    const sampler = setInterval(() => {
      const s = renderer && procStatus(renderer.pid);
      if (s) samplePeak = Math.max(samplePeak, s.rss);
    }, 100);
    // One call per run, so that the renderer's CPU time (utime + stime) is read around each.
    const seconds = [], cpu = [];
    let first = null;
    for (let r = 0; r <= runs; r++) {
      const c0 = renderer ? cpuSeconds(renderer.pid) : NaN;
      const out = await page.evaluate(async ({ backend, threads, dims, modelName, compareOutput }) => {
        const { input, ref } = window.benchData;
        const modelUrl = new URL(`bench/${modelName}`, location.href).href;
        const t = performance.now();
        const out = await window.gliolensCore.infer({ modelUrl, backend, tensor: input, dims, threads });
        const wall = (performance.now() - t) / 1000;
        const { maxDiff, flips } = compareOutput
          ? (await import(new URL('bench/logit-agreement.mjs', location.href).href)).logitAgreement(out.output, ref) : {};
        return { wall, seconds: out.seconds, maxDiff, flips, used: { backend: out.backend, threads: out.threads, note: out.threadsNote } };
      }, { backend, threads, dims, modelName, compareOutput: r === 0 });
      cpu.push(renderer ? cpuSeconds(renderer.pid) - c0 : NaN);
      seconds.push(out.seconds);
      if (r === 0) first = out;
    }
    const result = { create: first.wall - first.seconds, seconds, maxDiff: first.maxDiff, flips: first.flips, used: first.used, cpu: median(cpu.slice(1)) };
    clearInterval(sampler);
    const after = renderer ? procStatus(renderer.pid) : null;
    if (problems.foreignRequests.length) throw new Error(`requests outside the origin: ${problems.foreignRequests}`);
    return {
      ...result, env,
      firstRun: result.seconds[0], run: median(result.seconds.slice(1)), runs: result.seconds.slice(1),
      baseMiB: renderer?.rss ?? NaN,
      peakMiB: peakReset && after ? after.hwm : Math.max(samplePeak, after?.rss ?? NaN),
      peakHow: peakReset ? 'VmHWM (reset before)' : 'VmRSS sampled every 100 ms',
    };
  } finally {
    await browser.close();
    server.close();
  }
}

// A folder served like web/dist, plus bench/: each network's input, reference output and model.
function makeSite(work, networks) {
  const dist = join(root, 'web', 'dist');
  if (!existsSync(join(dist, 'index.html'))) throw new Error('web/dist is missing: run "bash scripts/build" first');
  const site = join(work, 'site');
  mkdirSync(join(site, 'bench'), { recursive: true });
  for (const entry of readdirSync(dist)) symlinkSync(join(dist, entry), join(site, entry));
  symlinkSync(join(root, 'bench', 'logit-agreement.mjs'), join(site, 'bench', 'logit-agreement.mjs'));
  for (const { stage, input, modelPath, model } of networks) {
    symlinkSync(input, join(site, 'bench', `${stage}_input.f32`));
    symlinkSync(join(work, `${stage}_ref.f32`), join(site, 'bench', `${stage}_ref.f32`));
    symlinkSync(modelPath, join(site, 'bench', model));
  }
}

// Each network's input tensor (<stage>_input.f32) and inputs.json ({case, model, networks: [{stage, model, dims}]}), for
// benchmarks that run where neither Node nor the case's NIfTI files are (bench/gpu).
function writeInputs(dir, caseId, manifest, networks) {
  mkdirSync(dir, { recursive: true });
  for (const { stage, input } of networks) copyFileSync(input, join(dir, `${stage}_input.f32`));
  const listed = networks.map(({ stage, model, dims }) => ({ stage, model, dims }));
  writeFileSync(join(dir, 'inputs.json'), JSON.stringify({ case: caseId, model: `${manifest.name} ${manifest.version}`, networks: listed }, null, 2));
  console.log(`bench: ${networks.length} network input(s) of ${caseId} written to ${dir}`);
}

// ---- whole case through the CLI ----------------------------------------------------------------------
function cliWholeCase(caseDir, caseId, threads, work, modelDir) {
  return new Promise((resolvePromise, reject) => {
    const f = (s) => join(caseDir, `${caseId}_${s}.nii.gz`);
    const args = [join(root, 'bin', 'gliolens.mjs'), 'segment', '--t1', f('t1'), '--t1ce', f('t1ce'), '--t2', f('t2'),
      '--flair', f('flair'), '--out', join(work, `cli_${threads}.nii.gz`), '--threads', String(threads), '--model', modelDir];
    const started = performance.now();
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', peak = 0;
    const sampler = setInterval(() => { const s = procStatus(proc.pid); if (s && Number.isFinite(s.hwm)) peak = Math.max(peak, s.hwm); }, 50);
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    proc.on('close', (code) => {
      clearInterval(sampler);
      if (code !== 0) return reject(new Error(`gliolens segment failed: ${stderr}`));
      const json = JSON.parse(stdout);
      resolvePromise({ ...json.seconds, wall: (performance.now() - started) / 1000, peakMiB: peak, labels: json.labels });
    });
  });
}

// ---- main ----------------------------------------------------------------------------------------------
async function main() {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' }, threads: { type: 'string', default: '1,2' }, input: { type: 'string' }, dims: { type: 'string' },
      model: { type: 'string' }, runs: { type: 'string', default: '3' }, out: { type: 'string' },
      case: { type: 'string', default: 'Brats18_2013_3_1' }, 'no-browser': { type: 'boolean' }, 'no-cli': { type: 'boolean' },
      webgpu: { type: 'boolean' }, json: { type: 'string' }, 'model-dir': { type: 'string' }, 'write-inputs': { type: 'string' },
    },
  });
  const runs = Number(values.runs);
  if (values.child) {
    return child({ backend: values.child, threads: Number(values.threads), input: values.input, dims: values.dims, model: values.model, runs, out: values.out });
  }
  const data = resolve(process.env.GLIOLENS_SHARED_DATA ?? join(root, '..', 'shared', 'data'));
  const caseDir = join(data, 'brats2018', values.case);
  if (!existsSync(caseDir)) {
    console.log(`bench: ${caseDir} absent (../shared/data): skipped`);
    return;
  }
  const modelDir = resolve(values['model-dir'] ?? join(root, 'models', 'glioma_seg'));
  const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8'));
  const threadList = values.threads.split(',').map(Number);
  const work = mkdtempSync(join(tmpdir(), 'gliolens-segment-bench-'));
  const log = (s) => process.stderr.write(`bench: ${s}\n`);
  // A private copy of the WASM core's Node build, so that a rebuild of build/wasm during the run
  // cannot swap the glue or the binary under it (every child inherits GLIOLENS_WASM_DIR).
  const wasmDir = resolve(process.env.GLIOLENS_WASM_DIR ?? join(root, 'build', 'wasm'));
  mkdirSync(join(work, 'wasm'));
  for (const f of ['gliolens_node.cjs', 'gliolens_node.wasm']) copyFileSync(join(wasmDir, f), join(work, 'wasm', f));
  process.env.GLIOLENS_WASM_DIR = join(work, 'wasm');
  try {
    const models = [manifest.model.file, ...(manifest.refine ? [manifest.refine.model.file] : [])];
    log(`${values.case}, ${manifest.name} ${manifest.version}: ${models.join(' then ')}; ${runs} timed runs after the first; os cores ${(await import('node:os')).cpus().length}`);
    const networks = await prepareInputs(caseDir, values.case, manifest, modelDir, work);
    for (const n of networks) log(`${n.stage} network input ${JSON.stringify(n.dims)} from the core's preprocessing`);
    if (values['write-inputs']) return writeInputs(values['write-inputs'], values.case, manifest, networks);
    const rows = [];
    for (const network of networks) {
      const outputs = {};
      for (const threads of threadList) {
        for (const backend of ['ort-node', 'ort-web']) {
          const out = join(work, `${network.stage}_${backend}_${threads}.f32`);
          log(`${network.model}: ${backend}, ${threads} thread(s)...`);
          const r = runChild([backend, '--threads', String(threads), '--input', network.input, '--dims', JSON.stringify(network.dims), '--model', network.modelPath, '--runs', String(runs), '--out', out]);
          outputs[`${backend}_${threads}`] = out;
          rows.push({ network, name: backend === 'ort-node' ? 'onnxruntime-node (CPU EP)' : 'ORT Web WASM, Node', backend, where: 'node', threads, ...r });
        }
      }
      // The reference output: onnxruntime-node on the most threads.
      network.refKey = `ort-node_${Math.max(...threadList)}`;
      const ref = readF32(outputs[network.refKey]);
      writeFileSync(join(work, `${network.stage}_ref.f32`), Buffer.from(ref.buffer, ref.byteOffset, ref.byteLength));
      for (const row of rows.filter((r) => r.network === network)) {
        const { maxDiff, flips } = logitAgreement(readF32(outputs[`${row.backend}_${row.threads}`]), ref);
        Object.assign(row, { maxDiff, flips });
      }
    }
    if (!values['no-browser']) {
      makeSite(work, networks);
      for (const network of networks) {
        for (const threads of threadList) {
          log(`${network.model}: Chromium, WASM, ${threads} thread(s)...`);
          const r = await chromiumRun({ backend: 'wasm', threads, runs, work, network });
          if (r.used.threads !== threads) log(`  Chromium ran ${r.used.threads} thread(s), asked ${threads}: ${r.used.note ?? ''}`);
          rows.push({ network, name: 'ORT Web WASM, Chromium', backend: 'chromium-wasm', where: 'chromium', threads: r.used.threads, ...r });
        }
        if (values.webgpu) {
          log(`${network.model}: Chromium, WebGPU on SwiftShader (runs, not timed)...`);
          const r = await chromiumRun({ backend: 'webgpu', threads: 1, runs: 0, work, network });
          rows.push({ network, name: 'ORT Web WebGPU, Chromium (SwiftShader)', backend: 'chromium-webgpu', where: 'chromium', threads: '-', notTimed: true, ...r });
        }
      }
    }
    const byNetwork = networks.map((n) => ({ stage: n.stage, model: n.model, dims: n.dims, rows: rows.filter((r) => r.network === n).map(({ network, ...r }) => r) }));
    const save = (cli) => values.json && writeFileSync(values.json, JSON.stringify({ case: values.case, runs, networks: byNetwork, cli }, null, 2));
    for (const network of networks) report({ rows: rows.filter((r) => r.network === network), cli: [], network, runs, caseId: values.case });
    save([]);
    const cli = [];
    if (!values['no-cli']) {
      for (const threads of threadList) {
        log(`gliolens segment (whole case), ${threads} thread(s)...`);
        cli.push({ threads, ...(await cliWholeCase(caseDir, values.case, threads, work, modelDir)) });
      }
      report({ rows: [], cli, runs, caseId: values.case });
      save(cli);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function report({ rows, cli, network, runs, caseId }) {
  const base = Object.fromEntries(rows.filter((r) => r.backend === 'ort-node').map((r) => [r.threads, r]));
  const fmt = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '-');
  const lines = [];
  if (rows.length) lines.push(
    `Segmentation network (${network.stage} stage), ${caseId}, ${network.model}, input ${network.dims.join('x')}; run = median of ${runs} after the first; ` +
    `ratios against onnxruntime-node on the same threads; max abs diff of logits and voxels flipped (region voxels, ` +
    `of ${3 * network.dims.slice(2).reduce((a, b) => a * b, 1)}, whose p > 0.5 decision differs) against ${network.refKey.replace('_', ', ')} threads; ` +
    `CPU s/run = user + system CPU time of the process per run (all its threads; robust to other load, unlike wall time); ` +
    `peak = VmHWM of the process (Chromium: its renderer), base = its RSS just before the session was created`,
    '',
    '| backend | threads | create s | first run s | run s | × ort-node | CPU s/run | × ort-node | peak MiB | base MiB | peak × ort-node | max abs diff | voxels flipped |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const r of rows) {
    const b = base[r.threads];
    const timed = !r.notTimed;
    lines.push(`| ${r.name} | ${r.threads} | ${timed ? fmt(r.create) : '-'} | ${timed ? fmt(r.firstRun) : 'runs'} | ${timed ? fmt(r.run) : '-'} | ` +
      `${timed && b ? fmt(r.run / b.run) : '-'} | ${timed ? fmt(r.cpu) : '-'} | ${timed && b ? fmt(r.cpu / b.cpu) : '-'} | ${fmt(r.peakMiB, 0)} | ${fmt(r.baseMiB, 0)} | ${b ? fmt(r.peakMiB / b.peakMiB) : '-'} | ${r.maxDiff.toExponential(1)} | ${r.flips} |`);
  }
  if (cli.length) {
    lines.push(`Whole case through gliolens segment (load 4 NIfTI + preprocess + network + labels + write), ${caseId}, seconds:`, '',
      '| threads | load | network | total | process wall | peak MiB |', '|---|---|---|---|---|---|');
    for (const c of cli) lines.push(`| ${c.threads} | ${fmt(c.load)} | ${fmt(c.network)} | ${fmt(c.total)} | ${fmt(c.wall)} | ${fmt(c.peakMiB, 0)} |`);
  }
  console.log(lines.join('\n') + '\n');
}

await main();
