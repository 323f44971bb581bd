// The tumour descriptors section end to end in headless Chromium: a real BraTS case loaded with its segmentation,
// the descriptors computed in the Worker and shown by group, equal to `gliolens descriptors --seg` on the same file
// (the Node build of the same core), and the CSV download equal to the CLI's `--format csv`; a file that is not a
// BraTS segmentation gives a message in the section; the synthetic demo case (not in SRI24 space) shows why its
// location has no value.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';

import { bratsCase, projectRoot, skipWithoutSharedData } from '../support/paths.mjs';
import { serveAppInBrowser } from './browser.mjs';

const TIMEOUT = 120_000; // a hang guard: these files run beside another test file (scripts/test)
const app = serveAppInBrowser();

function cli(...args) {
  const r = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

// Chooses the files as a user does through the file input.
async function chooseFiles(page, paths) {
  await page.setInputFiles('#file-input', paths.map((path) => ({ name: basename(path), mimeType: 'application/gzip', buffer: readFileSync(path) })));
}

function assertClean(problems) {
  assert.deepEqual(problems.consoleErrors, [], 'no console error');
  assert.deepEqual(problems.pageErrors, [], 'no uncaught error');
  assert.deepEqual(problems.foreignRequests, [], 'no request outside the page origin');
}

const brats = bratsCase();

describe('tumour descriptors of a real BraTS case', { skip: skipWithoutSharedData(brats.files.seg, brats.files.t1ce, brats.files.t1) }, () => {
  test('hidden without a segmentation; shown by group once one is loaded, equal to the CLI, CSV as the CLI writes it', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await app.open();
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    assert.equal(await page.isVisible('#descriptors'), false, 'no section before a segmentation exists');

    await chooseFiles(page, [brats.files.t1ce, brats.files.seg]);
    await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('#descriptors').dataset.state), null, { timeout: TIMEOUT });
    assert.equal(await page.$eval('#descriptors', (e) => e.dataset.state), 'done', await page.$eval('#descriptors-status', (e) => e.textContent));
    assert.equal(await page.isVisible('#descriptors'), true);
    const headings = await page.$$eval('#descriptors h3', (hs) => hs.map((h) => h.textContent));
    assert.deepEqual(headings, ['Volumes and proportions', 'Multifocality', 'Location (SRI24, RAS mm)', 'Shape per region']);

    const expected = JSON.parse(cli('descriptors', '--seg', brats.files.seg));
    const want = new Map(expected.descriptors.map((d) => [d.name, d.value]));
    const shown = await page.$$eval('#descriptors td.value[data-value]', (tds) => Object.fromEntries(tds.map((td) => [td.dataset.name, Number(td.dataset.value)])));
    const names = ['WT_original_shape_VoxelVolume', 'WT_original_shape_MeshVolume', 'WT_hemisphere_left', 'WT_centroid_x_mm',
      'WT_centroid_y_mm', 'WT_centroid_z_mm', 'WT_original_shape_Sphericity', 'ET_over_TC', 'WT_components_min_1mL'];
    for (const name of names) {
      assert.ok(Number.isFinite(want.get(name)), `${name} from the CLI`);
      assert.equal(shown[name], want.get(name), `${name}: page ${shown[name]}, CLI ${want.get(name)}`);
    }
    // Every descriptor with a value is on the page once.
    assert.equal(Object.keys(shown).length, expected.descriptors.filter((d) => d.value !== null).length);
    assert.equal(await page.$eval('#descriptors td[data-name="WT_hemisphere_left"]', (td) => td.textContent), want.get('WT_hemisphere_left') === 1 ? 'left' : 'right');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#descriptors-csv')]);
    assert.equal(download.suggestedFilename(), `${brats.id}_seg_descriptors.csv`);
    assert.equal(readFileSync(await download.path(), 'utf8'), cli('descriptors', '--seg', brats.files.seg, '--format', 'csv'));
    assertClean(problems);
    await page.close();
  });

  test('a segmentation the core refuses: its message in the section', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await app.open();
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    await chooseFiles(page, [brats.files.t1, brats.files.t1ce]);
    await page.waitForFunction(() => document.querySelectorAll('#file-list tbody tr').length === 2, null, { timeout: TIMEOUT });
    // The T1c image taken as the segmentation: its intensities are not BraTS labels.
    await page.selectOption(`#file-list tr[data-file="${basename(brats.files.t1ce)}"] select.role`, 'seg');
    await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('#descriptors').dataset.state), null, { timeout: TIMEOUT });
    assert.equal(await page.$eval('#descriptors', (e) => e.dataset.state), 'error');
    const text = await page.$eval('#descriptors-status', (e) => e.textContent);
    assert.ok(text.startsWith(`The descriptors of ${basename(brats.files.t1ce)} could not be computed: `), text);
    assert.doesNotMatch(text, /\[object|undefined|at \S+:\d+/);
    assert.equal(await page.$$eval('#descriptors td.value', (tds) => tds.length), 0);
    assertClean(problems);
    await page.close();
  });
});

test('demo case (not in SRI24 space): its location missing, the reason noted once, the rest equal to the CLI', { timeout: TIMEOUT }, async () => {
  const { page, problems } = await app.open();
  await page.click('#demo-button');
  await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('#descriptors').dataset.state), null, { timeout: TIMEOUT });
  assert.equal(await page.$eval('#descriptors', (e) => e.dataset.state), 'done', await page.$eval('#descriptors-status', (e) => e.textContent));

  const dir = mkdtempSync(join(tmpdir(), 'gliolens-e2e-descriptors-'));
  const seg = JSON.parse(cli('demo', dir)).files.find((f) => f.role === 'seg').path;
  const expected = JSON.parse(cli('descriptors', '--seg', seg)).descriptors;
  const missing = expected.filter((d) => d.value === null);
  assert.ok(missing.some((d) => d.name === 'WT_centroid_x_mm'), 'the CLI gives no location for the phantom');
  const cells = await page.$$eval('#descriptors td.value', (tds) => tds.map((td) => ({ name: td.dataset.name, value: td.dataset.value, reason: td.dataset.reason, text: td.textContent })));
  for (const d of expected) {
    const cell = cells.find((c) => c.name === d.name);
    assert.ok(cell, `${d.name} shown`);
    if (d.value === null) assert.deepEqual([cell.text, cell.reason], ['—', d.reason], d.name);
    else assert.equal(Number(cell.value), d.value, d.name);
  }
  const notes = await page.$$eval('#descriptors .descriptors-group p.reason', (ps) => ps.map((p) => p.textContent));
  for (const reason of new Set(missing.map((d) => d.reason))) {
    assert.equal(notes.filter((n) => n.includes(reason.replace(/\.$/, ''))).length, 1, `one note for: ${reason}`);
  }
  assertClean(problems);
  await page.close();
});
