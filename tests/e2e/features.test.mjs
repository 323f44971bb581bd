// The radiomics panel end to end in headless Chromium: the demo case, features computed in the Worker, numbers
// checked against the Node CLI on the same demo files, and the CSV download; progress by region x modality and
// Cancel; each set's grey levels and bin setting, and the warning when a fixed bin width on raw MRI gives many.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { createGliolens } from '../../wasm/node.mjs';
import { bratsCase, projectRoot, skipWithoutSharedData } from '../support/paths.mjs';
import { serveAppInBrowser } from './browser.mjs';

const TIMEOUT = 300_000;
const app = serveAppInBrowser();

function cli(...args) {
  const r = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('demo case: features by region and modality, equal to the CLI, CSV download', { timeout: TIMEOUT }, async () => {
  const { page, problems } = await app.open();
  await page.click('#demo-button');
  await page.waitForSelector('#legend tbody tr', { timeout: TIMEOUT });
  await page.waitForFunction(() => !document.querySelector('#features-compute').disabled, null, { timeout: TIMEOUT });
  await page.click('#features-compute');
  await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('#features').dataset.state), null, { timeout: TIMEOUT });
  assert.equal(await page.$eval('#features', (e) => e.dataset.state), 'done');
  const regions = await page.$$eval('#features-region option', (os) => os.map((o) => o.value));
  assert.deepEqual(regions, ['ET', 'TC', 'WT', 'NCR', 'ED']);

  // The same demo files through the CLI (the Node build of the same core).
  const dir = mkdtempSync(join(tmpdir(), 'gliolens-e2e-features-'));
  const demo = JSON.parse(cli('demo', dir)).files;
  const path = Object.fromEntries(demo.map((f) => [f.role, f.path]));
  const checks = [
    { region: 'TC', labels: '1,4', modality: 't1c', names: ['original_firstorder_Mean', 'original_glcm_Contrast', 'original_shape_VoxelVolume'] },
    { region: 'WT', labels: '1,2,4', modality: 'flair', names: ['original_firstorder_90Percentile', 'original_glszm_ZoneEntropy', 'original_ngtdm_Coarseness'] },
  ];
  for (const { region, labels, modality, names } of checks) {
    const out = JSON.parse(cli('features', '--image', path[modality], '--mask', path.seg, '--label', labels, '--format', 'json'));
    const expected = new Map(out.features.map((f) => [f.name, f.value]));
    await page.selectOption('#features-region', region);
    for (const name of names) {
      const shown = await page.$eval(`#features-table tr[data-name="${name}"] td[data-modality="${modality}"]`, (td) => td.dataset.value);
      const want = expected.get(name);
      assert.ok(Number.isFinite(want), `${name} from the CLI`);
      assert.ok(Math.abs(Number(shown) - want) <= 1e-12 * Math.max(1, Math.abs(want)), `${region} ${modality} ${name}: page ${shown}, CLI ${want}`);
    }
  }

  // CSV download: every region x modality x feature, in the long format.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#features-csv')]);
  assert.equal(download.suggestedFilename(), 'gliolens_features.csv');
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
  assert.equal(csv[0], 'region,labels,modality,file,name,ibsi_tag,value,reason');
  const perSet = (await page.$$eval('#features-table tbody tr', (rows) => rows.length));
  assert.equal(csv.length - 1, 5 * 4 * perSet);
  assert.ok(csv.some((l) => l.startsWith('ET,4,t1c,') && l.includes(',original_glcm_Contrast,ACUI,')));
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#features-json')]);
  assert.equal(JSON.parse(readFileSync(await json.path(), 'utf8')).results.length, 20);

  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.pageErrors, []);
  assert.deepEqual(problems.foreignRequests, []);
  await page.close();
});

// Records every text the features status shows, from before the click on.
async function recordStatus(page) {
  await page.evaluate(() => {
    const status = document.querySelector('#features-status');
    window.featuresStatusLog = [];
    // Each record's added text, not the element's text when the observer runs: two texts set in one task both count.
    new MutationObserver((records) => {
      for (const r of records) for (const node of r.addedNodes) window.featuresStatusLog.push(node.textContent);
    }).observe(status, { childList: true });
  });
}

async function computeAndWait(page, states = ['done', 'error']) {
  await page.click('#features-compute');
  await page.waitForFunction((s) => s.includes(document.querySelector('#features').dataset.state), states, { timeout: TIMEOUT });
}

async function loadDemo(page) {
  await page.click('#demo-button');
  await page.waitForSelector('#legend tbody tr', { timeout: TIMEOUT });
  await page.waitForFunction(() => !document.querySelector('#features-compute').disabled, null, { timeout: TIMEOUT });
}

// Per modality, the grey-level and bin-setting notes of the region shown: {flair: {levels, many, bins}, ...}.
async function greyLevelNotes(page, region) {
  await page.selectOption('#features-region', region);
  return page.$eval('#features-table thead', (head) => Object.fromEntries([...head.querySelectorAll('tr.grey-levels td')].map((td) => [td.dataset.modality, {
    levels: Number(td.dataset.value),
    many: td.classList.contains('many'),
    bins: head.querySelector(`tr.bin-setting td[data-modality="${td.dataset.modality}"]`).textContent,
  }])));
}

test('demo case: progress by region x modality to the last, grey levels and bin setting noted, no warning', { timeout: TIMEOUT }, async () => {
  const { page, problems } = await app.open();
  await loadDemo(page);
  await recordStatus(page);
  await computeAndWait(page);
  assert.equal(await page.$eval('#features', (e) => e.dataset.state), 'done');
  const status = await page.$eval('#features-status', (e) => ({ text: e.textContent, done: Number(e.dataset.done), total: Number(e.dataset.total) }));
  // 5 regions (ET, TC, WT, NCR, ED) x 4 modalities.
  assert.deepEqual([status.done, status.total], [20, 20]);
  assert.match(status.text, /^20 of 20 region × modality sets/);
  const log = await page.evaluate(() => window.featuresStatusLog);
  const steps = log.map((t) => t.match(/^Computing (\w+) on (\S+), (\d+) of 20…$/)).filter(Boolean);
  assert.deepEqual(steps.map((m) => Number(m[3])), Array.from({ length: 20 }, (_, i) => i + 1), log.join('\n'));
  assert.deepEqual(steps.slice(0, 5).map((m) => `${m[1]} on ${m[2]}`), ['ET on T1', 'ET on T1c', 'ET on T2', 'ET on FLAIR', 'TC on T1']);
  assert.equal(await page.isVisible('#features-cancel'), false);

  // Every region's table notes each modality's occupied grey levels and PyRadiomics' default bin width.
  for (const region of ['ET', 'TC', 'WT', 'NCR', 'ED']) {
    const notes = await greyLevelNotes(page, region);
    assert.deepEqual(Object.keys(notes), ['t1', 't1c', 't2', 'flair']);
    for (const [modality, n] of Object.entries(notes)) {
      assert.ok(n.levels >= 1 && n.levels < 200, `${region} ${modality}: ${n.levels} levels`);
      assert.equal(n.bins, 'bin width 25');
      assert.equal(n.many, false);
    }
  }
  assert.equal(await page.isVisible('#features-warning'), false);
  // The JSON download carries the grey levels beside the features (the CSV's rows are unchanged).
  const [json] = await Promise.all([page.waitForEvent('download'), page.click('#features-json')]);
  const first = JSON.parse(readFileSync(await json.path(), 'utf8')).results[0];
  assert.equal(first.grey_levels[0].bin_width, 25);
  assert.ok(first.grey_levels[0].occupied_levels >= 1);

  // IBSI mode: a fixed bin count.
  await page.selectOption('#features-mode', 'ibsi');
  await computeAndWait(page);
  const ibsi = await greyLevelNotes(page, 'WT');
  assert.equal(ibsi.flair.bins, '32 bins');
  assert.ok(ibsi.flair.levels >= 1 && ibsi.flair.levels <= 32);

  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.pageErrors, []);
  await page.close();
});

test('demo case: Cancel stops at the next region x modality, keeps the finished sets, and a new run completes', { timeout: TIMEOUT }, async () => {
  const { page, problems } = await app.open();
  await loadDemo(page);
  // The demo's sets take tens of milliseconds each: the page itself presses Cancel once two are done, so the run
  // cannot finish between a poll and a click from here.
  await page.evaluate(() => {
    const status = document.querySelector('#features-status');
    const observer = new MutationObserver(() => {
      if (Number(status.dataset.done) < 2) return;
      observer.disconnect();
      document.querySelector('#features-cancel').click();
    });
    observer.observe(status, { attributes: true, attributeFilter: ['data-done'] });
  });
  await page.click('#features-compute');
  await page.waitForFunction(() => ['cancelled', 'done', 'error'].includes(document.querySelector('#features').dataset.state), null, { timeout: TIMEOUT });
  assert.equal(await page.$eval('#features', (e) => e.dataset.state), 'cancelled');
  const stopped = await page.$eval('#features-status', (e) => ({ text: e.textContent, done: Number(e.dataset.done) }));
  assert.ok(stopped.done >= 2 && stopped.done < 20, stopped.text);
  assert.match(stopped.text, new RegExp(`^Cancelled after ${stopped.done} of 20`));
  assert.equal(await page.isVisible('#features-cancel'), false);
  assert.equal(await page.$eval('#features-compute', (b) => b.disabled), false);
  // The sets finished before the cancel are the ones shown and downloaded, region by region in the run's order.
  const [partial] = await Promise.all([page.waitForEvent('download'), page.click('#features-json')]);
  const sets = JSON.parse(readFileSync(await partial.path(), 'utf8')).results;
  assert.equal(sets.length, stopped.done);
  assert.deepEqual(sets.slice(0, 2).map((r) => `${r.region} ${r.modality}`), ['ET t1', 'ET t1c']);
  const shownEt = await page.$$eval('#features-table tbody tr:first-child td[data-modality]', (tds) => tds.length);
  assert.equal(shownEt, Math.min(4, stopped.done));

  // The page is usable for a new run, which goes through.
  await computeAndWait(page);
  assert.equal(await page.$eval('#features', (e) => e.dataset.state), 'done');
  assert.deepEqual(await page.$eval('#features-status', (e) => [Number(e.dataset.done), Number(e.dataset.total)]), [20, 20]);
  assert.deepEqual(await page.$$eval('#features-region option', (os) => os.map((o) => o.value)), ['ET', 'TC', 'WT', 'NCR', 'ED']);
  assert.deepEqual(problems.consoleErrors, []);
  assert.deepEqual(problems.pageErrors, []);
  await page.close();
});

// Real scanner intensities: TCIA10_637_1's FLAIR spans hundreds of bins of 25 in its whole tumour; 2013_11_1's a few dozen.
const many = bratsCase('Brats18_TCIA10_637_1');
const few = bratsCase('Brats18_2013_11_1');
describe('grey levels of real cases with raw intensities and bin width 25', { skip: skipWithoutSharedData(many.files.seg, many.files.flair, few.files.seg, few.files.flair) }, () => {
  async function flairFeatures(brats) {
    const { page, problems } = await app.open();
    await page.setInputFiles('#file-input', [brats.files.flair, brats.files.seg]);
    await page.waitForSelector('#legend tbody tr', { timeout: TIMEOUT });
    await page.waitForFunction(() => !document.querySelector('#features-compute').disabled, null, { timeout: TIMEOUT });
    await computeAndWait(page);
    assert.equal(await page.$eval('#features', (e) => e.dataset.state), 'done');
    return { page, problems };
  }

  test('hundreds of levels: the cell and a visible note warn, the settings are kept, the count is the core\'s', { timeout: 2 * TIMEOUT }, async () => {
    const { page, problems } = await flairFeatures(many);
    const wt = (await greyLevelNotes(page, 'WT')).flair;
    assert.ok(wt.levels >= 200, `WT FLAIR: ${wt.levels} levels`);
    assert.equal(wt.many, true);
    assert.equal(wt.bins, 'bin width 25');
    const warning = await page.$eval('#features-warning', (e) => ({ text: e.textContent, sets: e.dataset.sets.split(' '), visible: !e.hidden }));
    assert.equal(warning.visible, true);
    assert.ok(warning.sets.includes('WT:flair'), warning.sets.join(' '));
    assert.match(warning.text, /fixed bin width of 25 on raw \(not normalised\) MRI intensities/);
    assert.match(warning.text, /normalize: true.*binCount/);
    assert.match(warning.text, new RegExp(`WT on FLAIR ${wt.levels}`));
    // A note, not a dialog, and the mode is still the user's.
    assert.equal(await page.$eval('#features-mode', (s) => s.value), 'pyradiomics');

    // The Node build of the same core counts the same levels.
    const core = await createGliolens();
    const image = core.load(many.files.flair).id;
    const seg = core.load(many.files.seg).id;
    const [levels] = core.features(image, seg, { labels: [1, 2, 4] }).greyLevels;
    assert.equal(wt.levels, levels.occupiedLevels);
    assert.deepEqual(problems.consoleErrors, []);
    assert.deepEqual(problems.pageErrors, []);
    await page.close();
  });

  test('a few dozen levels: noted, no warning', { timeout: TIMEOUT }, async () => {
    const { page, problems } = await flairFeatures(few);
    for (const region of await page.$$eval('#features-region option', (os) => os.map((o) => o.value))) {
      const { flair } = await greyLevelNotes(page, region);
      assert.ok(flair.levels >= 1 && flair.levels < 200, `${region} FLAIR: ${flair.levels} levels`);
      assert.equal(flair.many, false);
    }
    assert.equal(await page.isVisible('#features-warning'), false);
    assert.deepEqual(problems.consoleErrors, []);
    assert.deepEqual(problems.pageErrors, []);
    await page.close();
  });
});
