// The radiomics panel end to end in headless Chromium: the demo case, features computed in the Worker, numbers
// checked against the Node CLI on the same demo files, and the CSV download.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { projectRoot } from '../support/paths.mjs';
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
