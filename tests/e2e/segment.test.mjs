// Segmentation in headless Chromium: the bundled network on WebGPU (SwiftShader) agrees with the
// WebAssembly backend, and a real case is segmented end to end in the page.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startServer } from '../../scripts/serve.mjs';
import { countLabels, readNifti1 } from '../support/nifti.mjs';
import { bratsCase, projectRoot, skipWithoutSharedData } from '../support/paths.mjs';
import { launchBrowser, openPage } from './browser.mjs';

const manifest = JSON.parse(readFileSync(join(projectRoot, 'models', 'glioma_seg', 'manifest.json'), 'utf8'));
let server, url, browser;

before(async () => {
  ({ server, url } = await startServer());
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  server?.close();
});

// A deterministic input small enough for SwiftShader: [1, 4, 16, 16, 16].
function smallInput() {
  const dims = [1, 4, 16, 16, 16];
  const tensor = new Float32Array(4 * 16 * 16 * 16);
  let state = 12345;
  for (let i = 0; i < tensor.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    tensor[i] = (state / 2147483648) * 4 - 2;
  }
  return { tensor: Array.from(tensor), dims };
}

test('WebGPU and WebAssembly backends give the same network output', async () => {
  const { page, problems } = await openPage(browser.context, url);
  const hasGpu = await page.evaluate(async () => Boolean(navigator.gpu && (await navigator.gpu.requestAdapter())));
  assert.ok(hasGpu, 'headless Chromium with SwiftShader offers a WebGPU adapter');
  const modelUrl = new URL(`models/glioma_seg/${manifest.model.file}`, url).href;
  const input = smallInput();
  const results = {};
  for (const backend of ['wasm', 'webgpu']) {
    results[backend] = await page.evaluate(async ({ modelUrl, backend, input }) => {
      const r = await window.gliolensCore.infer({ modelUrl, backend, tensor: input.tensor, dims: input.dims });
      return { backend: r.backend, output: Array.from(r.output), seconds: r.seconds };
    }, { modelUrl, backend, input });
    assert.equal(results[backend].backend, backend);
  }
  const a = results.wasm.output, b = results.webgpu.output;
  assert.equal(a.length, 3 * 16 * 16 * 16);
  let maxDiff = 0;
  for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
  console.log(`# WebGPU vs WASM max |difference| ${maxDiff.toExponential(2)} (wasm ${results.wasm.seconds.toFixed(2)} s, webgpu ${results.webgpu.seconds.toFixed(2)} s on SwiftShader)`);
  assert.ok(maxDiff < 1e-3, `max difference ${maxDiff}`);
  assert.deepEqual(problems.pageErrors, []);
  await page.close();
});

describe('a real case segmented in the page', { skip: skipWithoutSharedData(bratsCase('Brats18_2013_3_1').files.seg) }, () => {
  test('labels over the images, Dice above the validation floor, mask downloadable in the input space', async () => {
    const brats = bratsCase('Brats18_2013_3_1');
    const { page, problems } = await openPage(browser.context, url);
    await page.setInputFiles('#file-input', ['t1', 't1ce', 't2', 'flair'].map((s) => brats.files[s]));
    await page.waitForFunction(() => document.querySelectorAll('#file-list tbody tr').length === 4, null, { timeout: 120_000 });
    await page.selectOption('#segment-backend', 'wasm');
    await page.click('#segment-run');
    await page.waitForFunction(() => /^Done/.test(document.querySelector('#segment-status').textContent), null, { timeout: 300_000 });
    assert.equal(await page.$eval('#segment', (s) => s.dataset.backend), 'wasm');
    const legend = await page.$$eval('#legend tbody tr', (rows) => rows.map((r) => ({ label: Number(r.dataset.label), voxels: Number(r.dataset.voxels) })));
    assert.ok(legend.length > 0, 'the predicted labels are listed');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#segment-download')]);
    const path = join(await download.path());
    const saved = readNifti1(path);
    const truth = readNifti1(brats.files.seg);
    assert.deepEqual(saved.dims, truth.dims);
    assert.deepEqual(saved.srow, truth.srow, 'the mask keeps the input affine');
    assert.deepEqual(countLabels(saved).map((l) => [l.label, l.voxels]), legend.map((l) => [l.label, l.voxels]));
    let both = 0, p = 0, t = 0;
    for (let i = 0; i < truth.data.length; i++) {
      const a = saved.data[i] !== 0, b = truth.data[i] !== 0;
      p += a; t += b; both += a && b;
    }
    const dice = (2 * both) / (p + t);
    const floor = manifest.test_thresholds?.wt_dice_floor ?? 0.5;
    console.log(`# in-browser WT Dice on Brats18_2013_3_1: ${dice.toFixed(3)}`);
    assert.ok(dice >= floor, `WT Dice ${dice.toFixed(3)} >= ${floor}`);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.foreignRequests, []);
    await page.close();
  });
});
