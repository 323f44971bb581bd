// The app end to end in headless Chromium: demo case and a real BraTS case, dropped as a user would.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';

import { createGliolens } from '../../wasm/node.mjs';
import { countLabels, readNifti1 } from '../support/nifti.mjs';
import { bratsCase, skipWithoutSharedData } from '../support/paths.mjs';
import { serveAppInBrowser } from './browser.mjs';
import { screenshotStats } from './pixels.mjs';

const LOAD_TIMEOUT = 180_000;
const app = serveAppInBrowser();

async function roles(page) {
  return page.$$eval('#file-list tbody tr', (rows) => Object.fromEntries(rows.map((r) => [r.dataset.file, r.dataset.role])));
}

async function legend(page) {
  return page.$$eval('#legend tbody tr', (rows) => rows.map((r) => ({ label: Number(r.dataset.label), voxels: Number(r.dataset.voxels), mL: Number(r.dataset.ml) })));
}

function assertClean(problems) {
  assert.deepEqual(problems.consoleErrors, [], 'no console error');
  assert.deepEqual(problems.pageErrors, [], 'no uncaught error');
  assert.deepEqual(problems.foreignRequests, [], 'no request outside the page origin');
}

// Drops files on the drop zone through a real DataTransfer, as a drag from the desktop does.
async function dropFiles(page, files) {
  const payload = files.map(({ name, bytes }) => ({ name, base64: Buffer.from(bytes).toString('base64') }));
  await page.evaluate((items) => {
    const transfer = new DataTransfer();
    for (const { name, base64 } of items) {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      transfer.items.add(new File([bytes], name));
    }
    const zone = document.querySelector('#drop-zone');
    zone.dispatchEvent(new DragEvent('dragenter', { dataTransfer: transfer, bubbles: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, payload);
}

test('demo case: generated in the page, roles, overlay, label volumes, marked synthetic', async () => {
  const { page, problems } = await app.open();
  await page.click('#demo-button');
  await page.waitForSelector('#legend tbody tr', { timeout: LOAD_TIMEOUT });
  await page.waitForTimeout(1000);

  assert.deepEqual(Object.values(await roles(page)), ['t1', 't1c', 't2', 'flair', 'seg']);
  assert.equal(await page.isVisible('#synthetic-badge'), true);

  // The same phantom written by the Node build, counted by an independent reader.
  const core = await createGliolens();
  const dir = mkdtempSync(join(tmpdir(), 'gliolens-e2e-demo-'));
  const seg = core.writeDemoCase(dir).find((f) => f.role === 'seg');
  const expected = countLabels(readNifti1(seg.path));
  const shown = await legend(page);
  assert.deepEqual(shown.map((l) => [l.label, l.voxels]), expected.map((l) => [l.label, l.voxels]));
  shown.forEach((l, i) => assert.ok(Math.abs(l.mL - expected[i].mL) < 1e-9));

  const stats = await screenshotStats(page, '#viewer');
  assert.ok(stats.std > 20, `viewer shows structure (luminance std ${stats.std.toFixed(1)})`);
  assert.ok(stats.brightFraction > 0.05, `viewer shows the brain (${(100 * stats.brightFraction).toFixed(1)}% bright)`);
  assert.ok(stats.greenFraction > 0.001, 'edema overlay drawn');
  assertClean(problems);
  await page.close();
});

describe('a real BraTS case dropped on the page', { skip: skipWithoutSharedData(bratsCase().files.seg) }, () => {
  const brats = bratsCase();

  test('roles from names, non-blank viewer, label volumes, role correction', async () => {
    const { page, problems } = await app.open();
    const files = Object.values(brats.files).map((path) => ({ name: basename(path), bytes: readFileSync(path) }));
    await dropFiles(page, files);
    await page.waitForSelector('#legend tbody tr', { timeout: LOAD_TIMEOUT });
    await page.waitForFunction(() => document.querySelectorAll('#file-list tbody tr').length === 5, null, { timeout: LOAD_TIMEOUT });
    await page.waitForTimeout(1000);

    const id = brats.id;
    assert.deepEqual(await roles(page), {
      [`${id}_t1.nii.gz`]: 't1', [`${id}_t1ce.nii.gz`]: 't1c', [`${id}_t2.nii.gz`]: 't2',
      [`${id}_flair.nii.gz`]: 'flair', [`${id}_seg.nii.gz`]: 'seg',
    });
    const expected = countLabels(readNifti1(brats.files.seg));
    assert.deepEqual(await legend(page), expected);

    const stats = await screenshotStats(page, '#viewer');
    assert.ok(stats.std > 20, `viewer shows structure (luminance std ${stats.std.toFixed(1)})`);
    assert.ok(stats.brightFraction > 0.03, `viewer shows the brain (${(100 * stats.brightFraction).toFixed(1)}% bright)`);

    // Correct a role: calling the T2 file FLAIR leaves the former FLAIR file unassigned.
    await page.selectOption(`tr[data-file="${id}_t2.nii.gz"] select.role`, 'flair');
    const corrected = await roles(page);
    assert.equal(corrected[`${id}_t2.nii.gz`], 'flair');
    assert.equal(corrected[`${id}_flair.nii.gz`], '');

    // Switch the shown modality.
    await page.selectOption('#modality-select', 't1');
    assert.equal(await page.$eval('#modality-select', (s) => s.value), 't1');
    assertClean(problems);
    await page.close();
  });
});

test('a broken file is refused by name and the page keeps working', async () => {
  const { page, problems } = await app.open();
  await dropFiles(page, [
    { name: 'broken_t1.nii.gz', bytes: Buffer.from('definitely not gzip or nifti') },
    { name: 'notes.txt', bytes: Buffer.from('hello') },
  ]);
  await page.waitForFunction(() => document.querySelectorAll('#messages li.error').length === 2, null, { timeout: 60_000 });
  const errors = await page.$$eval('#messages li.error', (items) => items.map((i) => i.textContent));
  assert.ok(errors.some((e) => e.startsWith('broken_t1.nii.gz:')), errors.join(' | '));
  assert.ok(errors.some((e) => e.startsWith('notes.txt:') && /not a NIfTI/.test(e)), errors.join(' | '));
  // Still working: the demo loads afterwards.
  await page.click('#demo-button');
  await page.waitForSelector('#legend tbody tr', { timeout: LOAD_TIMEOUT });
  assert.equal((await legend(page)).length, 3);
  assertClean(problems);
  await page.close();
});
