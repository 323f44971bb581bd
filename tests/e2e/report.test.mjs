// The case report and the session file end to end in headless Chromium, on the synthetic demo case with its
// segmentation, descriptors, radiomic features and predictions (age entered): the report, rendered for print, shows
// the numbers the panels show, with the largest tumour slice as an image; the session saved (a download) and opened in
// a fresh page shows the same numbers again, nothing recomputed and no image loaded.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { serveAppInBrowser } from './browser.mjs';

const TIMEOUT = 120_000;
// A model's version in the report: the SHA-256 of its file, as `gliolens batch` records it.
const modelSha256 = (path) => createHash('sha256').update(readFileSync(new URL(`../../models/${path}`, import.meta.url))).digest('hex');
const app = serveAppInBrowser();

function assertClean(problems) {
  assert.deepEqual(problems.consoleErrors, [], 'no console error');
  assert.deepEqual(problems.pageErrors, [], 'no uncaught error');
  assert.deepEqual(problems.foreignRequests, [], 'no request outside the page origin');
}

// The numbers the panels show: label volumes, descriptors by name, each prediction's value and interval, the
// features table's WT values, the survival panel's patient prediction and the growth panel's values.
async function panelNumbers(page) {
  return page.evaluate(() => {
    const text = (root, selector) => root.querySelector(selector)?.textContent ?? null;
    const predictions = {};
    for (const card of document.querySelectorAll('#predictions article.prediction[data-state="done"]')) {
      predictions[card.dataset.outcome] = {
        model: card.dataset.model,
        value: text(card, '.probability') ?? text(card, '.median'),
        lower: text(card, '.probability-lower'),
        upper: text(card, '.probability-upper'),
      };
    }
    const features = {};
    document.querySelector('#features-region').value = 'WT';
    document.querySelector('#features-region').dispatchEvent(new Event('change'));
    for (const td of document.querySelectorAll('#features-table tbody td.value')) {
      features[`${td.closest('tr').dataset.name}:${td.dataset.modality}`] = td.textContent;
    }
    return {
      volumes: Object.fromEntries([...document.querySelectorAll('#legend tbody tr')].map((tr) => [tr.dataset.label, text(tr, '.volume')])),
      descriptors: Object.fromEntries([...document.querySelectorAll('#descriptors td.value')].map((td) => [td.dataset.name, td.textContent])),
      predictions,
      features,
      age: document.querySelector('#predictions-age').value,
      survival: { model: document.querySelector('#survival-model').value, lp: text(document, '#survival-lp'), median: text(document, '#survival-median') },
      growth: Object.fromEntries([...document.querySelectorAll('#growth-result td.value')].map((td) => [td.closest('tr').dataset.name, td.textContent])),
    };
  });
}

test('demo case: the printed report shows the panels\' numbers; a saved session reopens with the same numbers', { timeout: TIMEOUT }, async () => {
  const { page, problems } = await app.open();
  await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
  await page.click('#demo-button');
  await page.waitForFunction(() => document.querySelector('#descriptors').dataset.state === 'done', null, { timeout: TIMEOUT });
  await page.fill('#predictions-age', '61');
  await page.waitForFunction(() => document.querySelector('#predictions').dataset.state === 'done', null, { timeout: TIMEOUT });
  await page.click('#features-compute');
  await page.waitForFunction(() => document.querySelector('#features').dataset.state === 'done', null, { timeout: TIMEOUT });
  // The survival panel's patient prediction (the glioblastoma model: age and the segmentation's volumes) and the growth
  // from a volume typed in for an earlier scan.
  await page.fill('#survival-inputs input[name="age"]', '61');
  await page.click('#survival-predict');
  await page.waitForFunction(() => document.querySelector('#survival').dataset.state === 'done', null, { timeout: TIMEOUT });
  await page.fill('#growth-case-date', '2026-06-01');
  await page.selectOption('#growth-other-source', 'ml');
  await page.fill('#growth-other-ml', '10');
  await page.fill('#growth-other-date', '2026-01-01');
  await page.click('#growth-compute');
  await page.waitForFunction(() => document.querySelector('#growth').dataset.state === 'done', null, { timeout: TIMEOUT });
  const shown = await panelNumbers(page);
  assert.equal(shown.survival.model, 'gbm_os');
  assert.match(shown.survival.median, /^\d+$/);
  assert.ok(Object.keys(shown.growth).length >= 8, JSON.stringify(shown.growth));
  assert.ok(Object.keys(shown.volumes).length >= 3, 'the demo case has its three labels');
  assert.ok(shown.predictions.idh?.value.endsWith('%'), JSON.stringify(shown.predictions));

  // The report: absent on screen, the only thing printed. window.print() would open the print dialog; here it only
  // records that it was called.
  await page.evaluate(() => { window.print = () => { document.body.dataset.printed = 'true'; }; });
  await page.click('#report-button');
  await page.waitForSelector('body[data-printed="true"]');
  assert.equal(await page.isVisible('#report'), false, 'no report on screen');
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('#report'), true, 'the report is printed');
  assert.equal(await page.isVisible('#viewer-panel'), false, 'nothing else is printed');
  const report = await page.evaluate(() => {
    const root = document.querySelector('#report');
    const text = (el, selector) => el.querySelector(selector)?.textContent ?? null;
    const img = root.querySelector('#report-slice img');
    return {
      text: root.textContent,
      image: img ? { complete: img.complete, width: img.naturalWidth, src: img.src.slice(0, 22) } : null,
      volumes: Object.fromEntries([...root.querySelectorAll('tr.report-volume')].map((tr) => [tr.dataset.label, text(tr, '.volume')])),
      descriptors: Object.fromEntries([...root.querySelectorAll('.report-descriptors td.value')].map((td) => [td.dataset.name, td.textContent])),
      predictions: Object.fromEntries([...root.querySelectorAll('tr.report-prediction')].map((tr) => [tr.dataset.outcome, {
        value: text(tr, '.probability') ?? text(tr, '.median'), lower: text(tr, '.probability-lower'), upper: text(tr, '.probability-upper'), model: text(tr, '.report-model'),
        sha256: tr.querySelector('.report-model')?.dataset.sha256,
      }])),
      growth: Object.fromEntries([...root.querySelectorAll('.report-growth td.value')].map((td) => [td.dataset.name, td.textContent])),
      features: Object.fromEntries([...root.querySelectorAll('.report-features td.value')].map((td) => [`${td.dataset.name}:${td.dataset.modality}`, td.textContent])),
      height: root.getBoundingClientRect().height,
    };
  });
  assert.match(report.text, /RESEARCH USE ONLY/);
  assert.match(report.text, /Synthetic demo case/);
  assert.match(report.text, /Gliolens version \S+/);
  assert.deepEqual(report.image, { complete: true, width: report.image?.width, src: 'data:image/png;base64,' });
  assert.ok(report.image.width > 0, 'the slice is drawn');
  assert.deepEqual(report.volumes, shown.volumes);
  assert.ok(Object.keys(report.descriptors).length >= 10, JSON.stringify(report.descriptors));
  for (const [name, value] of Object.entries(report.descriptors)) assert.equal(value, shown.descriptors[name], name);
  const { 'survival:gbm_os': survival, ...imagePredictions } = report.predictions;
  assert.deepEqual(Object.keys(imagePredictions).sort(), Object.keys(shown.predictions).sort());
  for (const [outcome, p] of Object.entries(imagePredictions)) {
    assert.deepEqual([p.value, p.lower, p.upper], [shown.predictions[outcome].value, shown.predictions[outcome].lower, shown.predictions[outcome].upper], outcome);
    assert.ok(p.model.includes(`${shown.predictions[outcome].model}.json`), p.model);
    assert.equal(p.sha256, modelSha256(`radiogenomics/${shown.predictions[outcome].model}.json`), `${outcome}: the model file's version`);
  }
  assert.equal(survival?.value, `${shown.survival.median} days`, JSON.stringify(report.predictions));
  assert.equal(survival.sha256, modelSha256('survival/gbm_os.json'));
  const growthShown = (name) => shown.growth[name];
  assert.equal(report.growth.volume1_ml, `${growthShown('volume1_ml').replace(' mL', '')} → ${growthShown('volume2_ml')} over ${growthShown('days').split(' ')[0]} days`);
  assert.equal(report.growth.volume_change_percent, growthShown('volume_change_percent'));
  assert.equal(report.growth.velocity_mm_per_year, growthShown('velocity_mm_per_year').replace('+', ''));
  assert.ok(Object.keys(report.features).length >= 8, JSON.stringify(report.features));
  for (const [key, value] of Object.entries(report.features)) assert.equal(value, shown.features[key], key);
  // One A4 page: 297 mm less the 24 mm of margins, at 96 px per inch.
  assert.ok(report.height <= (273 / 25.4) * 96, `report ${report.height.toFixed(0)} px high`);
  await page.emulateMedia({ media: 'screen' });

  // The session: saved, then opened in a fresh page with no case loaded.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#session-save')]);
  const sessionText = readFileSync(await download.path(), 'utf8');
  const session = JSON.parse(sessionText);
  assert.equal(session.format, 'gliolens-session');
  assert.equal(download.suggestedFilename(), `${session.caseName}_gliolens_session.json`);
  assertClean(problems);
  await page.close();

  const fresh = await app.open();
  await fresh.page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
  // Records the Worker's requests from here on: a restored session computes nothing.
  await fresh.page.evaluate(() => {
    window.workerRequests = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function record(message, ...rest) { window.workerRequests.push(message?.type); return post.call(this, message, ...rest); };
  });
  // A JSON file that is not a session: a message naming it, and the page still opens the real one.
  await fresh.page.setInputFiles('#session-input', { name: 'features.json', mimeType: 'application/json', buffer: Buffer.from('{"generator":"Gliolens"}') });
  await fresh.page.waitForSelector('#messages li.error');
  assert.match(await fresh.page.textContent('#messages li.error'), /^features\.json: not a Gliolens session file/);
  await fresh.page.setInputFiles('#session-input', { name: download.suggestedFilename(), mimeType: 'application/json', buffer: Buffer.from(sessionText) });
  await fresh.page.waitForFunction(() => document.querySelector('#predictions').dataset.state === 'done', null, { timeout: TIMEOUT });
  assert.deepEqual(await panelNumbers(fresh.page), shown);
  const requests = await fresh.page.evaluate(() => window.workerRequests);
  assert.deepEqual(requests.filter((type) => type !== 'readSegmentationManifest'), [], 'nothing recomputed');
  assert.match(await fresh.page.textContent('#session-note'), /drop them again to view them/);
  assertClean(fresh.problems);
  await fresh.page.close();
});
