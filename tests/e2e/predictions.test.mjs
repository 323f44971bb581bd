// "What the images predict" end to end in headless Chromium, one page load: a real BraTS case with a TCGA ID
// (Brats18_TCIA10_628_1 = TCGA-DU-A5TR), its expert segmentation loaded, the patient's age and sex from the TCGA
// clinical table entered, and the page's IDH, grade-4, MGMT and overall-survival predictions equal to the CLI's
// (`gliolens descriptors --format csv` with age and sex columns added, then `gliolens predict` on that row); with
// IDH-mutant entered, the survival model that reads it and the 1p/19q codeletion equal the CLI's too. Then the
// synthetic demo case's segmentation (not in SRI24 space, so no location): each model that needs a location says it cannot run
// and why, and its outcome comes from the next model that can; the page stays up.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';

import { csvTable } from '../../cli/csv.mjs';
import { bratsCase, projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';
import { serveAppInBrowser } from './browser.mjs';

// The page's way of writing a probability (web/src/predictions-panel.js imports browser-only modules, so not shared).
const percent = (p) => (p < 0.0005 ? '< 0.1 %' : p > 0.9995 ? '> 99.9 %' : `${(100 * p).toFixed(1)} %`);

const TIMEOUT = 120_000;
const app = serveAppInBrowser();
const brats = bratsCase('Brats18_TCIA10_628_1');
const idMap = join(sharedData, 'radiogenomics', 'brats_tcga_id_map.csv');
const clinical = join(sharedData, 'radiogenomics', 'tcga', 'clinical.csv');
const modelsDir = join(projectRoot, 'models', 'radiogenomics');
const modelPath = (id) => join(modelsDir, `${id}.json`);
const OS_TIMES = '365,730,1826';

function cli(...args) {
  const r = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

// The descriptors' CSV row of `seg` with extra columns (age, sex, ...), as a file `gliolens predict` reads; the whole
// tumour's shape features also under PyRadiomics' names (original_shape_X), as a PyRadiomics table of WT has them.
const descriptorRows = new Map();
function descriptorsRow(seg) {
  if (!descriptorRows.has(seg)) descriptorRows.set(seg, csvTable(cli('descriptors', '--seg', seg, '--format', 'csv')));
  return descriptorRows.get(seg);
}

function featuresCsv(dir, seg, extra) {
  const { columns, rows: [row] } = descriptorsRow(seg);
  const cells = { ...row, ...Object.fromEntries(columns.filter((c) => c.startsWith('WT_original_shape_')).map((c) => [c.slice(3), row[c]])), ...extra };
  const path = join(dir, `${basename(seg)}_${Object.values(extra).join('_')}.csv`);
  writeFileSync(path, `${Object.keys(cells).join(',')}\n${Object.values(cells).join(',')}\n`);
  return path;
}

// What the page shows for each outcome: its state, model, full-precision numbers and texts.
function shownPredictions(page) {
  return page.$$eval('#predictions article.prediction', (articles) => Object.fromEntries(articles.map((a) => [a.dataset.outcome, {
    state: a.dataset.state,
    model: a.dataset.model,
    probability: a.dataset.probability === undefined ? undefined : Number(a.dataset.probability),
    linearPredictor: a.dataset.linearPredictor === undefined ? undefined : Number(a.dataset.linearPredictor),
    median: a.dataset.median === undefined ? undefined : Number(a.dataset.median),
    probabilityText: a.querySelector('.probability')?.textContent,
    intervalText: [a.querySelector('.probability-lower')?.textContent, a.querySelector('.probability-upper')?.textContent],
    survivalRows: [...a.querySelectorAll('table.prediction-survival tbody tr')].map((tr) => `${tr.cells[1].textContent}, ${tr.cells[2].textContent}`),
    metric: a.querySelector('.metric')?.textContent,
    ageMetric: a.querySelectorAll('.metric')[1]?.textContent,
    researchTags: a.querySelectorAll('.ruo-tag').length,
    cardLink: a.querySelector('a.model-card')?.href,
    curve: Boolean(a.querySelector('svg.survival-plot')),
    skipped: [...a.querySelectorAll('p.skipped')].map((p) => p.textContent),
    text: a.textContent,
  }])));
}

// Chooses a file as a user does through the file input.
async function chooseFile(page, path) {
  await page.setInputFiles('#file-input', [{ name: basename(path), mimeType: 'application/gzip', buffer: readFileSync(path) }]);
}

async function settled(page) {
  await page.waitForFunction(() => ['done', 'error', 'waiting'].includes(document.querySelector('#predictions').dataset.state), null, { timeout: TIMEOUT });
  return page.$eval('#predictions', (e) => e.dataset.state);
}

function metricOf(id, name) {
  return JSON.parse(readFileSync(modelPath(id), 'utf8')).metrics.find((m) => m.name === name)?.estimate;
}

// The page's prediction for one outcome equals `gliolens predict` of the model it used on `features` (a CSV file).
function assertEqualsCli(shown, outcome, features) {
  const p = shown[outcome];
  assert.equal(p?.state, 'done', `${outcome}: ${p?.text}`);
  assert.ok(existsSync(modelPath(p.model)), `${outcome}: the page's model ${p.model} is a shipped file`);
  const expected = JSON.parse(cli('predict', '--model', modelPath(p.model), '--features', features, '--times', OS_TIMES));
  assert.equal(p.linearPredictor, expected.linear_predictor, `${outcome} (${p.model}) linear predictor: page ${p.linearPredictor}, CLI ${expected.linear_predictor}`);
  if (expected.kind === 'logistic') {
    assert.equal(p.probability, expected.probability, `${outcome} (${p.model}): page ${p.probability}, CLI ${expected.probability}`);
    assert.equal(p.probabilityText, percent(expected.probability));
    if (Number.isFinite(expected.probability_lower)) {
      assert.deepEqual(p.intervalText, [percent(expected.probability_lower), percent(expected.probability_upper)], `${outcome}: the interval shown`);
    }
    assert.equal(p.metric, metricOf(p.model, 'auc_cv').toFixed(2), `${outcome}: the cross-validated AUC shown`);
    assert.equal(p.ageMetric, metricOf(p.model, 'auc_cv_age_only').toFixed(2), `${outcome}: age alone's AUC shown`);
  } else {
    assert.equal(p.median, expected.median_survival ?? undefined, `${outcome} median`);
    assert.deepEqual(p.survivalRows, expected.survival_at.map((s) => `${percent(s.survival)}, ${percent(s.lower)} to ${percent(s.upper)}`));
    assert.equal(p.metric, metricOf(p.model, 'c_index_cv').toFixed(2), `${outcome}: the cross-validated C-index shown`);
    assert.ok(p.curve, `${outcome}: the curve is drawn`);
  }
  assert.ok(p.researchTags >= 2, `${outcome}: "research use only" beside the numbers`);
  assert.match(p.cardLink ?? '', /^blob:/, `${outcome}: a link to the model card`);
  return expected;
}

const skip = skipWithoutSharedData(brats.files.seg, idMap, clinical)
  || (['idh', 'grade', 'os'].every((o) => ['descriptors_age', 'wt_shape_age'].some((m) => existsSync(modelPath(`${o}_${m}`))))
    ? false : `no IDH, grade or OS model in ${modelsDir} (run models/radiogenomics/fit_models.mjs): skipped`);

test('a BraTS case with a TCGA ID: IDH, grade, MGMT, OS (and 1p/19q once IDH-mutant is entered) equal the CLI; the demo case says which model cannot run', { skip, timeout: TIMEOUT }, async () => {
  const tcgaId = csvTable(readFileSync(idMap, 'utf8')).rows.find((r) => r.BraTS_2018_subject_ID === brats.id)?.TCGA_TCIA_subject_ID;
  assert.equal(tcgaId, 'TCGA-DU-A5TR');
  const patient = csvTable(readFileSync(clinical, 'utf8')).rows.find((r) => r.ID === tcgaId);
  const age = patient.Age_years_at_diagnosis;
  const sex = patient.Gender === 'male' ? '1' : '0';
  const dir = mkdtempSync(join(tmpdir(), 'gliolens-e2e-predictions-'));

  const { page, problems } = await app.open();
  await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
  assert.equal(await page.isVisible('#predictions'), false, 'no section before a segmentation exists');
  // The expert segmentation alone (the predictions read only it; an image would add seconds of loading).
  await chooseFile(page, brats.files.seg);
  assert.equal(await settled(page), 'waiting', 'asks for the age first');
  assert.match(await page.$eval('#predictions-status', (e) => e.textContent), /Enter the patient's age/);

  await page.fill('#predictions-age', age);
  await page.selectOption('#predictions-sex', sex);
  assert.equal(await settled(page), 'done', await page.$eval('#predictions', (e) => e.textContent));
  let shown = await shownPredictions(page);
  const features = featuresCsv(dir, brats.files.seg, { age, sex });
  for (const outcome of ['idh', 'grade', 'os']) assertEqualsCli(shown, outcome, features);
  if (shown.mgmt.state === 'done') assertEqualsCli(shown, 'mgmt', features);
  assert.equal(shown.os.model === 'os_descriptors_age_idh', false, 'no IDH status entered: the OS model without it');
  assert.equal(shown.codeletion.state, shown.idh.probability > 0.5 ? 'done' : 'not-applicable', shown.codeletion.text);

  // The patient is IDH-mutant (clinical.csv): entered, the OS model that reads it runs, and 1p/19q is shown.
  assert.equal(patient.IDH_status, 'Mutant');
  await page.selectOption('#predictions-idh', '1');
  assert.equal(await settled(page), 'done');
  shown = await shownPredictions(page);
  const withIdh = featuresCsv(dir, brats.files.seg, { age, sex, idh_mutant: 1 });
  assertEqualsCli(shown, 'os', withIdh);
  if (existsSync(modelPath('os_descriptors_age_idh'))) assert.equal(shown.os.model, 'os_descriptors_age_idh');
  if (existsSync(modelPath('codeletion_descriptors_age'))) assertEqualsCli(shown, 'codeletion', withIdh);
  await page.selectOption('#predictions-idh', '0');
  assert.equal(await settled(page), 'done');
  assert.equal((await shownPredictions(page)).codeletion.state, 'not-applicable', 'IDH wild-type entered: 1p/19q does not apply');

  // The synthetic demo case's segmentation has no location (not in SRI24 space): a model needing one says so, the
  // next one runs.
  const demoSeg = JSON.parse(cli('demo', dir)).files.find((f) => f.role === 'seg').path;
  await chooseFile(page, demoSeg);
  await page.waitForFunction((name) => document.querySelector('#predictions-status').textContent.includes(name), basename(demoSeg), { timeout: TIMEOUT });
  assert.equal(await settled(page), 'done');
  shown = await shownPredictions(page);
  const demoRow = descriptorsRow(demoSeg).rows[0];
  const noValue = new Set(Object.keys(demoRow).filter((name) => demoRow[name] === ''));
  // The page's order of models for each outcome (IDH wild-type is entered now), those shipped.
  const candidates = {
    idh: ['idh_descriptors_age', 'idh_wt_shape_age'],
    grade: ['grade_descriptors_age', 'grade_wt_shape_age'],
    mgmt: ['mgmt_descriptors_age'],
    os: ['os_descriptors_age_idh', 'os_descriptors_age', 'os_wt_shape_age'],
  };
  const demoFeatures = featuresCsv(dir, demoSeg, { age, sex, idh_mutant: 0 });
  for (const [outcome, ids] of Object.entries(candidates)) {
    const models = ids.filter((id) => existsSync(modelPath(id)));
    const lacking = models.map((id) => JSON.parse(readFileSync(modelPath(id), 'utf8')).features.map((f) => f.name).filter((n) => noValue.has(n)));
    const runs = lacking.findIndex((names) => names.length === 0);
    assert.equal(shown[outcome].skipped.length, runs === -1 ? models.length : runs, `${outcome}: ${shown[outcome].text}`);
    shown[outcome].skipped.forEach((note, k) => assert.match(note, new RegExp(`^The model .* cannot run on this segmentation: ${lacking[k][0]}\\b.* no value: the segmentation is not in SRI24 space`), note));
    if (runs === -1) {
      assert.equal(shown[outcome].state, 'error', `${outcome}: no model can run`);
      continue;
    }
    assert.equal(shown[outcome].model, models[runs], outcome);
    assertEqualsCli(shown, outcome, demoFeatures);
  }
  assert.deepEqual(problems.pageErrors, [], 'no uncaught error');
  assert.deepEqual(problems.consoleErrors, [], 'no console error');
  assert.deepEqual(problems.foreignRequests, [], 'no request outside the page origin');
  await page.close();
});
