// The growth tool end to end in headless Chromium. The shared data holds no follow-up scans, so two real BraTS
// segmentations of different patients stand in for two time points of one patient: the case's segmentation is the
// later scan, the other (resampled to 2 mm, so the two lie on different grids) the earlier one. The page's numbers
// equal `gliolens growth --seg1 --seg2` (and `--v1 … --labels 1,4` for a volume typed in); bad input (no date, a file
// that is not NIfTI, an image that is not a segmentation, dates in the wrong order) gives its message in the section
// and the case stays loaded.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';

import { bratsCase, projectRoot, skipWithoutSharedData } from '../support/paths.mjs';
import { serveAppInBrowser } from './browser.mjs';

const TIMEOUT = 120_000; // a hang guard: these files run beside another test file (scripts/test)
const app = serveAppInBrowser();
const later = bratsCase('Brats18_2013_11_1');
const earlier = bratsCase('Brats18_CBICA_ABM_1');
const [EARLIER_DATE, LATER_DATE] = ['2018-01-15', '2018-09-30'];

function cli(...args) {
  const r = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

const upload = (path, name = basename(path)) => ({ name, mimeType: 'application/gzip', buffer: readFileSync(path) });

// Clicks Compute and waits for the section's answer: [state, status text].
async function compute(page) {
  await page.click('#growth-compute');
  await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('#growth').dataset.state), null, { timeout: TIMEOUT });
  return [await page.$eval('#growth', (e) => e.dataset.state), await page.textContent('#growth-status')];
}

async function chooseOther(page, file) {
  await page.setInputFiles('#growth-other-file', file);
  await page.waitForFunction(() => ['loaded', 'error'].includes(document.querySelector('#growth').dataset.other), null, { timeout: TIMEOUT });
  return [await page.$eval('#growth', (e) => e.dataset.other), await page.textContent('#growth-other-status')];
}

async function assertEqualsCli(page, expected) {
  const shown = await page.$$eval('#growth-result tr', (rows) => Object.fromEntries(rows.map((r) => [r.dataset.name, r.querySelector('td.value').dataset.value ?? null])));
  for (const name of ['days', 'volume1_ml', 'volume2_ml', 'volume_change_ml', 'volume_change_percent', 'mean_diameter1_mm',
    'mean_diameter2_mm', 'velocity_mm_per_year', 'volume_doubling_days']) {
    assert.equal(shown[name] === null ? null : Number(shown[name]), expected[name], `${name}: page ${shown[name]}, CLI ${expected[name]}`);
  }
}

test('growth between the case\'s segmentation and a second one on another grid, or a volume typed in, equal to the CLI; bad input stays in the section',
  { timeout: 2 * TIMEOUT, skip: skipWithoutSharedData(later.files.seg, later.files.t1ce, earlier.files.seg) }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gliolens-e2e-growth-'));
    try {
      const resampled = join(dir, `${earlier.id}_seg_2mm.nii.gz`);
      const grid = cli('convert', earlier.files.seg, resampled, '--resample', '2,2,2', '--interp', 'nearest').output.dims.slice(0, 3);
      assert.notDeepEqual(grid, [240, 240, 155], 'the earlier segmentation is on another grid');

      const { page, problems } = await app.open();
      await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
      assert.equal(await page.isVisible('#growth'), false, 'no growth tool before a segmentation exists');
      await page.setInputFiles('#file-input', [upload(later.files.seg)]);
      await page.waitForFunction(() => document.querySelector('#growth').dataset.state === 'ready', null, { timeout: TIMEOUT });
      assert.equal(await page.isVisible('#growth'), true);

      // Bad input, one at a time: each message names the problem (and the file), in the section.
      assert.deepEqual(await compute(page), ['error', `Enter the date of this case's scan (${basename(later.files.seg)}).`]);
      await page.fill('#growth-case-date', LATER_DATE);
      assert.deepEqual(await chooseOther(page, { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') }),
        ['error', 'notes.txt: not a NIfTI file (.nii or .nii.gz expected)']);
      const [imageState, imageText] = await chooseOther(page, upload(later.files.t1ce));
      assert.equal(imageState, 'error');
      assert.match(imageText, new RegExp(`^${basename(later.files.t1ce)}: voxel value \\d+ is not a BraTS label .*: not a BraTS segmentation$`));
      assert.deepEqual(await compute(page), ['error', 'Choose the other scan\'s segmentation file (or give its volume in mL).']);

      const [otherState, otherText] = await chooseOther(page, upload(resampled));
      assert.equal(otherState, 'loaded', otherText);
      assert.ok(otherText.startsWith(`${basename(resampled)}: ${grid.join('×')} voxels, labels 1 `), otherText);
      await page.fill('#growth-other-date', '2019-03-01');
      const [orderState, orderText] = await compute(page);
      assert.equal(orderState, 'error');
      assert.match(orderText, /^Growth from .*_seg_2mm\.nii\.gz \(2019-03-01\) to .*_seg\.nii\.gz \(2018-09-30\): growth: the second scan must be dated after the first \(-152 days apart\)$/);

      // The segmentation file: every label (the whole tumour), as the CLI's default.
      await page.fill('#growth-other-date', EARLIER_DATE);
      assert.equal((await compute(page))[0], 'done');
      const fromFiles = cli('growth', '--seg1', resampled, '--d1', EARLIER_DATE, '--seg2', later.files.seg, '--d2', LATER_DATE);
      assert.ok(fromFiles.volume_doubling_days > 0, 'the stand-in pair grows');
      await assertEqualsCli(page, fromFiles);
      assert.match(await page.textContent('#growth-result'), /Research use only/);

      // A volume typed in for the earlier scan, the tumour core (labels 1, 4) of the case's segmentation.
      await page.selectOption('#growth-other-source', 'ml');
      await page.fill('#growth-other-ml', '25.5');
      await page.selectOption('#growth-labels', '1,4');
      assert.equal((await compute(page))[0], 'done');
      await assertEqualsCli(page, cli('growth', '--v1', '25.5', '--d1', EARLIER_DATE, '--seg2', later.files.seg, '--d2', LATER_DATE, '--labels', '1,4'));

      // The case is intact: still one file, its legend shown, no error outside the section, no grid warning.
      assert.equal(await page.$$eval('#file-list tbody tr', (rows) => rows.length), 1);
      assert.equal(await page.isVisible('#legend'), true);
      assert.deepEqual(await page.$$eval('#messages li', (lis) => lis.map((li) => li.textContent)), []);
      assert.deepEqual(problems.consoleErrors, [], 'no console error');
      assert.deepEqual(problems.pageErrors, [], 'no uncaught error');
      assert.deepEqual(problems.foreignRequests, [], 'no request outside the page origin');
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
