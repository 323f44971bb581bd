// The survival panel end to end in headless Chromium: a shipped model applied to the demo case (age
// typed in, volumes from the loaded segmentation) equal to `gliolens predict`, and the cohort tab
// fitting a Cox model on a CSV equal to `gliolens cox`, with the model JSON download.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { projectRoot } from '../support/paths.mjs';
import { serveAppInBrowser } from './browser.mjs';

const TIMEOUT = 300_000;
const app = serveAppInBrowser();

function cli(...args) {
  const r = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('patient tab: the GBM model on the demo case equals gliolens predict', { timeout: TIMEOUT }, async () => {
  const { page, problems } = await app.open();
  await page.click('#demo-button');
  await page.waitForSelector('#legend tbody tr', { timeout: TIMEOUT });
  await page.selectOption('#survival-model', 'gbm_os');
  await page.waitForFunction(() => document.querySelector('#survival-inputs input[name="et_ml"]')?.value !== '', null, { timeout: TIMEOUT });
  await page.fill('#survival-inputs input[name="age"]', '63');
  await page.click('#survival-predict');
  await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('#survival').dataset.state), null, { timeout: TIMEOUT });
  assert.equal(await page.$eval('#survival', (e) => e.dataset.state), 'done', await page.$eval('#survival-result', (e) => e.textContent));
  const features = Object.fromEntries(await page.$$eval('#survival-inputs input', (inputs) => inputs.map((i) => [i.name, Number(i.value)])));
  const expected = cli('predict', '--model', join(projectRoot, 'models', 'survival', 'gbm_os.json'), '--features', JSON.stringify(features));
  const shown = Number(await page.$eval('#survival', (e) => e.dataset.linearPredictor));
  assert.ok(Math.abs(shown - expected.linear_predictor) <= 1e-12 * Math.max(1, Math.abs(expected.linear_predictor)), `page ${shown}, CLI ${expected.linear_predictor}`);
  assert.equal(await page.$eval('#survival-group', (e) => e.textContent), expected.risk_group);
  assert.ok(await page.$('#survival-result svg.survival-plot path'), 'a survival curve is drawn');
  assert.deepEqual(problems.pageErrors, []);
  await page.close();
});

test('cohort tab: Cox fit on a CSV equals gliolens cox, model JSON download', { timeout: TIMEOUT }, async () => {
  const { page, problems } = await app.open();
  const csv = join(projectRoot, 'tests', 'reference', 'survival', 'data_lung.csv');
  await page.click('#survival .survival-tabs button[data-tab="cohort"]');
  await page.setInputFiles('#survival-csv', csv);
  await page.waitForSelector('#survival-columns input[name="covariate"]', { timeout: TIMEOUT });
  await page.selectOption('#survival-time', 'time');
  await page.selectOption('#survival-event', 'event');
  await page.check('#survival-columns input[value="age"]');
  await page.check('#survival-columns input[value="sex"]');
  await page.click('#survival-fit');
  await page.waitForFunction(() => ['fitted', 'error'].includes(document.querySelector('#survival').dataset.state), null, { timeout: TIMEOUT });
  assert.equal(await page.$eval('#survival', (e) => e.dataset.state), 'fitted', await page.$eval('#survival-fit-result', (e) => e.textContent));
  const expected = cli('cox', '--csv', csv, '--time', 'time', '--event', 'event', '--covariates', 'age,sex', '--bootstrap', '0');
  const hrSex = Number(await page.$eval('#survival-fit-result tr[data-name="sex"] td:nth-child(2)', (td) => td.textContent));
  assert.equal(hrSex.toFixed(3), expected.coefficients[1].hr.toFixed(3));
  assert.equal(Number(await page.$eval('#survival-cindex', (e) => e.textContent)).toFixed(3), expected.concordance.train.estimate.toFixed(3));
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#survival-export')]);
  const model = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(model.format, 'gliolens-model');
  assert.deepEqual(model.features.map((f) => f.name), ['age', 'sex']);
  assert.deepEqual(problems.pageErrors, []);
  await page.close();
});
