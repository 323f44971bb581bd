// Segmentation in headless Chromium: the bundled network on WebGPU (SwiftShader) agrees with the
// WebAssembly backend, and a real case is segmented end to end in the page.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { countLabels, readNifti1, withoutZeroBackground } from '../support/nifti.mjs';
import { startServer } from '../../scripts/serve.mjs';
import { bratsCase, projectRoot, skipWithoutSharedData } from '../support/paths.mjs';
import { openPage, serveAppInBrowser } from './browser.mjs';

const manifest = JSON.parse(readFileSync(join(projectRoot, 'models', 'glioma_seg', 'manifest.json'), 'utf8'));
const app = serveAppInBrowser();

// Every network the bundled model runs (a cascade has two), each with its parity reference: a small synthetic input
// and PyTorch's logits for it.
const modelDir = join(projectRoot, 'models', 'glioma_seg');
const networks = [
  { file: manifest.model.file, referenceDir: join(modelDir, manifest.parity?.reference_dir ?? 'reference') },
  ...(manifest.refine ? [{ file: manifest.refine.model.file, referenceDir: join(modelDir, manifest.refine.parity.reference_dir) }] : []),
];
const readReference = (referenceDir) => JSON.parse(readFileSync(join(referenceDir, 'reference.json'), 'utf8'));
const reference = readReference(networks[0].referenceDir);
function float32File(name, referenceDir = networks[0].referenceDir) {
  const bytes = readFileSync(join(referenceDir, name));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
// The WebAssembly threads the app asks ORT for in a cross-origin isolated page: min(4, cores).
async function expectedThreads(page) {
  const { isolated, cores } = await page.evaluate(() => ({ isolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency }));
  assert.ok(isolated, 'the served page is cross-origin isolated (COOP/COEP)');
  return Math.min(4, cores);
}

// WT Dice the model reached on a held-out case in validation, less a margin for a regression floor.
function diceFloor(caseId) {
  const validated = manifest.validation?.held_out?.per_case?.[caseId]?.WT?.dice;
  assert.ok(validated !== undefined, `the manifest has validation numbers for ${caseId}`);
  return validated - 0.05;
}

for (const { file, referenceDir } of networks) {
  test(`WebGPU and WebAssembly backends agree with PyTorch on the parity reference: ${file}`, async () => {
    const reference = readReference(referenceDir);
    assert.equal(reference.model, file, `${referenceDir} is ${file}'s reference`);
    const { page, problems } = await app.open();
    const hasGpu = await page.evaluate(async () => Boolean(navigator.gpu && (await navigator.gpu.requestAdapter())));
    assert.ok(hasGpu, 'headless Chromium with SwiftShader offers a WebGPU adapter');
    const modelUrl = new URL(`models/glioma_seg/${file}`, app.url).href;
    const input = { tensor: Array.from(float32File(reference.input.file, referenceDir)), dims: reference.input.shape };
    const expected = float32File(reference.output.file, referenceDir);
    const results = {};
    for (const backend of ['wasm', 'webgpu']) {
      results[backend] = await page.evaluate(async ({ modelUrl, backend, input }) => {
        const r = await window.gliolensCore.infer({ modelUrl, backend, tensor: input.tensor, dims: input.dims });
        return { backend: r.backend, threads: r.threads, output: Array.from(r.output), seconds: r.seconds };
      }, { modelUrl, backend, input });
      assert.equal(results[backend].backend, backend);
    }
    // ORT's pthread workers start (from the same-origin ort/ folder) and it keeps the threads asked for.
    const threads = await expectedThreads(page);
    assert.equal(results.wasm.threads, threads, `WASM backend on ${threads} threads`);
    if (threads > 1) assert.ok(results.wasm.threads > 1, 'multi-threaded WebAssembly');
    const maxDiff = (a) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0);
    const wasm = maxDiff(results.wasm.output), webgpu = maxDiff(results.webgpu.output);
    console.log(`# ${file}: max |logit - PyTorch|: WASM ${wasm.toExponential(2)}, WebGPU ${webgpu.toExponential(2)} ` +
      `(wasm ${results.wasm.seconds.toFixed(2)} s on ${results.wasm.threads} threads, webgpu ${results.webgpu.seconds.toFixed(2)} s on SwiftShader)`);
    assert.equal(results.wasm.output.length, expected.length);
    assert.ok(wasm < reference.tolerance.logits_max_abs, `WASM max difference ${wasm}`);
    assert.ok(webgpu < reference.tolerance.logits_max_abs, `WebGPU max difference ${webgpu}`);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.foreignRequests, []);
    await page.close();
  });
}

test('without cross-origin isolation the WASM backend runs on 1 thread and says why', async () => {
  const { server, url } = await startServer({ root: process.env.GLIOLENS_DIST_DIR, isolated: false });
  try {
    const { page, problems } = await openPage(app.browser.context, url);
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
    const modelUrl = new URL(`models/glioma_seg/${manifest.model.file}`, url).href;
    const input = { tensor: Array.from(float32File(reference.input.file)), dims: reference.input.shape };
    const result = await page.evaluate(async ({ modelUrl, input }) => {
      const r = await window.gliolensCore.infer({ modelUrl, backend: 'wasm', tensor: input.tensor, dims: input.dims });
      return { threads: r.threads, note: r.threadsNote, length: r.output.length };
    }, { modelUrl, input });
    assert.equal(result.threads, 1);
    assert.match(result.note, /not cross-origin isolated/);
    assert.equal(result.length, float32File(reference.output.file).length);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.foreignRequests, []);
    await page.close();
  } finally {
    server.close();
  }
});

test('Cancel stops a segmentation: nothing added, no error, the panel ready again', async () => {
  const { page, problems } = await app.open();
  await page.click('#demo-button');
  await page.waitForFunction(() => document.querySelectorAll('#file-list tbody tr').length === 5, null, { timeout: 120_000 });
  const legendBefore = await page.$$eval('#legend tbody tr', (rows) => rows.map((r) => r.dataset.voxels));
  await page.selectOption('#segment-backend', 'wasm');
  await page.click('#segment-run');
  await page.waitForFunction(() => /^Running the network/.test(document.querySelector('#segment-status').textContent), null, { timeout: 120_000 });
  assert.equal(await page.$eval('#segment-cancel', (b) => b.hidden), false, 'Cancel shows while it runs');
  await page.click('#segment-cancel');
  assert.match(await page.$eval('#segment-status', (s) => s.textContent), /^Cancelling/);
  await page.waitForFunction(() => document.querySelector('#segment-status').textContent === 'Cancelled.', null, { timeout: 120_000 });
  await page.waitForFunction(() => !document.querySelector('#segment-run').disabled);
  assert.equal(await page.$eval('#segment-cancel', (b) => b.hidden), true);
  assert.equal(await page.$eval('#segment-download', (b) => b.disabled), true, 'no mask to download');
  assert.equal(await page.$$eval('#file-list tbody tr', (rows) => rows.length), 5, 'no segmentation added');
  assert.deepEqual(await page.$$eval('#legend tbody tr', (rows) => rows.map((r) => r.dataset.voxels)), legendBefore);
  assert.deepEqual(await page.$$eval('#messages li.error', (items) => items.map((i) => i.textContent)), []);
  // And the next run goes through.
  await page.click('#segment-run');
  await page.waitForFunction(() => /^Done/.test(document.querySelector('#segment-status').textContent), null, { timeout: 300_000 });
  assert.equal(await page.$eval('#segment-download', (b) => b.disabled), false);
  assert.deepEqual(problems.pageErrors, []);
  await page.close();
});

test('a FLAIR that is not skull-stripped: segmented, and the page says why its labels may be unreliable', async () => {
  // The demo case written by the CLI, its FLAIR given a non-zero background (as before skull stripping).
  const dir = mkdtempSync(join(tmpdir(), 'gliolens-unstripped-'));
  const demo = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), 'demo', dir], { encoding: 'utf8' });
  assert.equal(demo.status, 0, demo.stderr);
  const file = (role) => join(dir, `gliolens_demo_${role}.nii.gz`);
  const flair = withoutZeroBackground(file('flair'), join(dir, 'unstripped_flair.nii.gz'));

  const { page, problems } = await app.open();
  // The warnings come from the first stage's input: the bundled first stage alone, as the user's own model, spares the
  // test a second stage on a box that such an input makes as large as the brain.
  const { refine: _refine, ...firstStage } = manifest;
  await page.setInputFiles('#segment-model-files', [
    { name: manifest.model.file, mimeType: 'application/octet-stream', buffer: readFileSync(join(modelDir, manifest.model.file)) },
    { name: 'first_stage.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(firstStage)) },
  ]);
  await page.waitForFunction(() => /yours$/.test(document.querySelector('#segment-model').textContent));
  await page.setInputFiles('#file-input', [file('t1'), file('t1ce'), file('t2'), flair]);
  await page.waitForFunction(() => document.querySelectorAll('#file-list tbody tr').length === 4, null, { timeout: 120_000 });
  await page.selectOption('#segment-backend', 'wasm');
  await page.click('#segment-run');
  await page.waitForFunction(() => /^Done/.test(document.querySelector('#segment-status').textContent), null, { timeout: 300_000 });
  const warnings = await page.$$eval('#messages li.warning', (items) => items.map((i) => i.textContent).filter((t) => t.startsWith('segmentation:')));
  for (const warning of warnings) console.log(`# page: ${warning}`);
  // 160 x 192 x 144 voxels of 1 mm all non-zero: far more than a brain, but inside the model's window
  assert.deepEqual(warnings, ['segmentation: unstripped_flair.nii.gz: its non-zero region holds 4424 mL, far more than a '
    + 'skull-stripped brain (1315-1729 mL in the BraTS cases): the model expects skull-stripped brains with a zero '
    + 'background, as in BraTS; check the labels']);
  assert.equal(await page.$$eval('#file-list tbody tr', (rows) => rows.length), 5, 'the segmentation joined the case');
  assert.deepEqual(problems.pageErrors, []);
  await page.close();
});

describe('a real case segmented in the page', { skip: skipWithoutSharedData(bratsCase('Brats18_2013_3_1').files.seg) }, () => {
  test('labels over the images, Dice above the validation floor, mask downloadable in the input space', async () => {
    const brats = bratsCase('Brats18_2013_3_1');
    const { page, problems } = await app.open();
    // The panel names the bundled model, its version and held-out Dice, and links its card.
    await page.waitForFunction((v) => document.querySelector('#segment-model').textContent.includes(v), manifest.version);
    const described = await page.$eval('#segment-model', (s) => s.textContent);
    assert.match(described, new RegExp(`held-out Dice WT ${manifest.validation.held_out.mean.WT.dice.toFixed(2)}`), described);
    const card = await page.evaluate(async () => (await fetch(document.querySelector('#segment-card').href)).text());
    assert.match(card, /^# Model card: glioma_seg_2mm/);
    await page.setInputFiles('#file-input', ['t1', 't1ce', 't2', 'flair'].map((s) => brats.files[s]));
    await page.waitForFunction(() => document.querySelectorAll('#file-list tbody tr').length === 4, null, { timeout: 120_000 });
    await page.selectOption('#segment-backend', 'wasm');
    await page.click('#segment-run');
    await page.waitForFunction(() => /^Done/.test(document.querySelector('#segment-status').textContent), null, { timeout: 300_000 });
    assert.equal(await page.$eval('#segment', (s) => s.dataset.backend), 'wasm');
    const threads = await expectedThreads(page);
    assert.equal(Number(await page.$eval('#segment', (s) => s.dataset.threads)), threads);
    const status = await page.$eval('#segment-status', (s) => s.textContent);
    assert.match(status, new RegExp(`^Done on WASM, ${threads} threads? in `), status);
    console.log(`# ${status}`);
    const legend = await page.$$eval('#legend tbody tr', (rows) => rows.map((r) => ({ label: Number(r.dataset.label), voxels: Number(r.dataset.voxels) })));
    assert.ok(legend.length > 0, 'the predicted labels are listed');
    assert.deepEqual(await page.$$eval('#messages li.warning', (items) => items.map((i) => i.textContent).filter((t) => t.startsWith('segmentation:'))), [],
      'a skull-stripped BraTS case gets no warning');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#segment-download')]);
    const path = join(await download.path());
    const saved = readNifti1(path);
    const truth = readNifti1(brats.files.seg);
    assert.deepEqual(saved.dims, truth.dims);
    saved.srow.flat().forEach((v, i) => assert.ok(Math.abs(v - truth.srow.flat()[i]) < 1e-6, 'the mask keeps the input affine'));
    assert.deepEqual(countLabels(saved).map((l) => [l.label, l.voxels]), legend.map((l) => [l.label, l.voxels]));
    let both = 0, p = 0, t = 0;
    for (let i = 0; i < truth.data.length; i++) {
      const a = saved.data[i] !== 0, b = truth.data[i] !== 0;
      p += a; t += b; both += a && b;
    }
    const dice = (2 * both) / (p + t);
    const floor = diceFloor('Brats18_2013_3_1');
    console.log(`# in-browser WT Dice on Brats18_2013_3_1: ${dice.toFixed(3)}`);
    assert.ok(dice >= floor, `WT Dice ${dice.toFixed(3)} >= ${floor}`);

    // Again with "Keep small components": the clean-up is skipped, so no fewer tumour voxels.
    const tumourVoxels = async () => (await page.$$eval('#legend tbody tr', (rows) => rows.map((r) => Number(r.dataset.voxels))))
      .reduce((a, b) => a + b, 0);
    const segmentAgain = async () => {
      await page.click('#segment-run');
      // The click sets "Preparing…" at once; the run button comes back once the new mask (and legend) is in.
      await page.waitForFunction(() => /^Done/.test(document.querySelector('#segment-status').textContent)
        && !document.querySelector('#segment-run').disabled, null, { timeout: 300_000 });
      return tumourVoxels();
    };
    const cleaned = await tumourVoxels();
    await page.check('#segment-keep-small');
    const kept = await segmentAgain();
    console.log(`# in-browser tumour voxels: ${cleaned} cleaned up, ${kept} with every component`);
    assert.ok(kept >= cleaned, `${kept} >= ${cleaned}`);

    // "Use your own model": the same network with a manifest of the user's that turns the clean-up off gives
    // every component without the box, so the page ran the user's manifest, not the bundled one.
    await page.uncheck('#segment-keep-small');
    // The user's files under their own names: a cascade's manifest names its two networks.
    const modelFile = (file) => readFileSync(join(projectRoot, 'models', 'glioma_seg', file));
    const modelBytes = modelFile(manifest.model.file);
    const renamed = { ...manifest, model: { ...manifest.model, file: 'mine.onnx' },
      ...(manifest.refine ? { refine: { ...manifest.refine, model: { ...manifest.refine.model, file: 'mine_refine.onnx' } } } : {}) };
    const refineFiles = manifest.refine ? [{ name: 'mine_refine.onnx', mimeType: 'application/octet-stream', buffer: modelFile(manifest.refine.model.file) }] : [];
    const own = { ...renamed, name: 'my_glioma_model', postprocess: { ...manifest.postprocess, min_component_voxels: 0 } };
    await page.setInputFiles('#segment-model-files', [
      { name: 'mine.onnx', mimeType: 'application/octet-stream', buffer: modelBytes },
      ...refineFiles,
      { name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(own)) },
    ]);
    await page.waitForFunction(() => /yours$/.test(document.querySelector('#segment-model').textContent));
    assert.match(await page.$eval('#segment-model', (s) => s.textContent), /^mine\.onnx: my_glioma_model /);
    assert.equal(await segmentAgain(), kept);

    // Broken own models: named in the error, and the page goes on.
    const errors = () => page.$$eval('#messages li.error', (items) => items.map((i) => i.textContent));
    await page.setInputFiles('#segment-model-files', [
      { name: 'mine.onnx', mimeType: 'application/octet-stream', buffer: Buffer.alloc(16) },
      { name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"format": ') },
    ]);
    await page.waitForFunction(() => document.querySelectorAll('#messages li.error').length === 1);
    assert.match((await errors())[0], /^own model: broken\.json: not valid JSON/);
    // Truncated, and under the name of the good model run above: the page must not reuse that network.
    await page.setInputFiles('#segment-model-files', [
      { name: 'mine.onnx', mimeType: 'application/octet-stream', buffer: modelBytes.subarray(0, 100_000) },
      ...refineFiles,
      { name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(renamed)) },
    ]);
    await page.waitForFunction(() => /^mine\.onnx: glioma_seg_2mm /.test(document.querySelector('#segment-model').textContent));
    await page.click('#segment-run');
    await page.waitForFunction(() => document.querySelectorAll('#messages li.error').length === 2, null, { timeout: 120_000 });
    assert.match((await errors())[0], /^segmentation: mine\.onnx: ONNX Runtime cannot load this model/);
    await page.waitForFunction(() => !document.querySelector('#segment-run').disabled);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.foreignRequests, []);
    await page.close();
  });
});
