// The page's Prepare flow in headless Chromium (issue 29 item 4): a real study as it came off the scanner,
// TCGA-FG-6692 (T1, T1c, T2, FLAIR at 0.9 x 0.9 x 5.5 mm, not registered, not stripped), dropped, prepared into SRI24
// space in the Worker (MindGrab on WebAssembly, the registrations, the resampling), then segmented; the labels are
// carried back onto the raw T1c's grid and both are downloaded. A cancel at once and a missing sequence come first
// (they cost nothing). Prints each step's seconds in the browser and the whole-tumour Dice in SRI24 against the expert
// labels, compared through world coordinates as tests/node/prepare.test.mjs does.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { createGliolens } from '../../wasm/node.mjs';
import { readNifti1 } from '../support/nifti.mjs';
import { projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';
import { serveAppInBrowser } from './browser.mjs';

const PATIENT = 'TCGA-FG-6692';
const study = join(sharedData, 'raw', PATIENT);
const raw = { t1: join(study, 't1.nii.gz'), t1c: join(study, 't1c.nii.gz'), t2: join(study, 't2.nii.gz'), flair: join(study, 'flair.nii.gz') };
const expertLabels = join(sharedData, 'radiogenomics', 'tcga', 'masks', `${PATIENT}.nii.gz`);
const brainReference = join(study, 't1c_brain_mask_reference.nii.gz');
const distTemplate = join(process.env.GLIOLENS_DIST_DIR ?? join(projectRoot, 'web', 'dist'), 'atlas', 'sri24', 'sri24_t1_brain.nii.gz');
const skip = skipWithoutSharedData(...Object.values(raw), expertLabels, brainReference)
  || (existsSync(distTemplate) ? false : `the build has no SRI24 template (${distTemplate}; scripts/build copies it from the shared data): skipped`);
const app = serveAppInBrowser();

// The raw scans under the patient's name, as a user's files would be named.
const asFile = (role) => ({ name: `${PATIENT}_${role}.nii.gz`, mimeType: 'application/gzip', buffer: readFileSync(raw[role]) });

test('TCGA-FG-6692 from raw in the page: Prepare (progress, quality numbers, brain mask Dice >= 0.95, the template outline), Segment, labels in SRI24 and on the T1c\'s grid',
  { timeout: 600_000, skip }, async () => {
    const started = performance.now();
    const { page, problems } = await app.open();
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    assert.match(await page.textContent('#prepare-atlas'), /SRI24 atlas, Rohlfing et al\. 2010, CC BY-SA 3\.0/);
    const license = await page.evaluate(async () => {
      const r = await fetch(document.querySelector('#prepare-atlas a').href);
      return { ok: r.ok, type: r.headers.get('content-type'), text: await r.text() };
    });
    assert.ok(license.ok && /^text\/plain/.test(license.type) && license.text.length > 1000, 'the atlas licence is served with the page');

    // Three of the four: Prepare waits for the FLAIR and says so.
    await page.setInputFiles('#file-input', ['t1', 't1c', 't2'].map(asFile));
    await page.waitForFunction(() => document.querySelectorAll('#file-list tbody tr').length === 3, null, { timeout: 60_000 });
    assert.equal(await page.$eval('#prepare-run', (b) => b.disabled), true);
    assert.match(await page.textContent('#prepare-hint'), /missing: FLAIR\.$/);
    await page.setInputFiles('#file-input', [asFile('flair')]);
    await page.waitForFunction(() => document.querySelectorAll('#file-list tbody tr').length === 4, null, { timeout: 60_000 });
    assert.deepEqual(await page.$$eval('#file-list tbody tr', (rows) => rows.map((r) => r.dataset.role)), ['t1', 't1c', 't2', 'flair']);
    assert.match(await page.textContent('#prepare-hint'), /^Not on the BraTS\/SRI24 grid/);
    assert.equal(await page.$eval('#prepare-run', (b) => b.disabled), false);
    await page.selectOption('#segment-backend', 'wasm');

    // Cancel at once: it stops before brain extraction, and the raw scans stay as they were.
    await page.click('#prepare-run');
    await page.click('#prepare-cancel');
    await page.waitForFunction(() => /^Cancelled/.test(document.querySelector('#prepare-status').textContent), null, { timeout: 60_000 });
    assert.equal(await page.textContent('#prepare-status'), 'Cancelled: the raw scans are still loaded.');
    assert.deepEqual(await page.$$eval('#file-list tbody tr', (rows) => rows.map((r) => r.dataset.role)), ['t1', 't1c', 't2', 'flair']);
    assert.deepEqual(await page.$$eval('#messages li.error', (items) => items.map((i) => i.textContent)), []);
    await page.waitForFunction(() => !document.querySelector('#prepare-run').disabled);

    // The whole flow, every step's start seen as it comes.
    await page.evaluate(() => {
      window.preparedSteps = [];
      new MutationObserver(() => {
        for (const li of document.querySelectorAll('#prepare-steps li[data-state="running"]')) {
          if (!window.preparedSteps.includes(li.dataset.step)) window.preparedSteps.push(li.dataset.step);
        }
      }).observe(document.querySelector('#prepare-steps'), { subtree: true, childList: true, attributes: true });
    });
    const prepareStarted = performance.now();
    await page.click('#prepare-run');
    await page.waitForFunction(() => /^(Done|Failed)/.test(document.querySelector('#prepare-status').textContent), null, { timeout: 480_000 });
    const prepareSeconds = (performance.now() - prepareStarted) / 1000;
    const errors = await page.$$eval('#messages li.error', (items) => items.map((i) => i.textContent));
    assert.deepEqual(errors, []);
    const status = await page.textContent('#prepare-status');
    console.log(`# prepare: ${status}`);
    assert.match(status, /^Done on WASM/);
    const steps = await page.$$eval('#prepare-steps li', (items) => items.map((li) => ({ step: li.dataset.step, state: li.dataset.state, seconds: Number(li.dataset.seconds) })));
    console.log(`# prepare steps in the browser (s): ${steps.map((s) => `${s.step} ${s.seconds.toFixed(1)}`).join(', ')}; ${prepareSeconds.toFixed(1)} s from the click`);
    const expectedSteps = ['setup', 'brainExtraction', 't1->t1ce', 't2->t1ce', 'flair->t1ce', 't1ce->sri24', 'resample'];
    assert.deepEqual(steps.map((s) => s.step), expectedSteps);
    assert.ok(steps.every((s) => s.state === 'done' && Number.isFinite(s.seconds)), JSON.stringify(steps));
    assert.deepEqual(await page.evaluate(() => window.preparedSteps), expectedSteps, 'each step showed as running in turn');

    // The quality numbers: each registration's normalised MI, the brain's volume.
    const registrations = await page.$$eval('#prepare-registrations tbody tr', (rows) => rows.map((r) => ({ pair: r.dataset.pair, nmi: Number(r.dataset.nmi), suspect: r.className === 'suspect' })));
    console.log(`# normalised MI: ${registrations.map((r) => `${r.pair} ${r.nmi.toFixed(3)}`).join(', ')}`);
    assert.deepEqual(registrations.map((r) => r.pair), ['t1->t1ce', 't2->t1ce', 'flair->t1ce', 't1ce->sri24']);
    for (const r of registrations) {
      assert.ok(r.nmi > 1.05, `${r.pair}: normalised MI ${r.nmi} > 1.05`);
      assert.equal(r.suspect, false, `${r.pair} is not flagged as wrong`);
    }
    const brainMl = Number(await page.$eval('#prepare-brain', (p) => p.dataset.ml));
    console.log(`# brain ${brainMl.toFixed(0)} mL; warnings: ${(await page.$$eval('#messages li.warning', (items) => items.map((i) => i.textContent).filter((t) => t.startsWith('prepare:')))).join(' | ')}`);
    assert.ok(brainMl > 900 && brainMl < 2200, `brain ${brainMl} mL`);

    // The prepared sequences hold the roles, on the template's grid; the raw ones stay, viewable.
    const rows = await page.$$eval('#file-list tbody tr', (trs) => trs.map((r) => ({ name: r.dataset.file, role: r.dataset.role, size: r.cells[2].textContent })));
    const prepared = rows.filter((r) => r.role);
    assert.deepEqual(prepared.map((r) => [r.role, r.name, r.size]), ['t1', 't1ce', 't2', 'flair'].map((s, i) => [['t1', 't1c', 't2', 'flair'][i], `${PATIENT}_sri24_${s}.nii.gz`, '240×240×155']));
    assert.equal(rows.length, 8);
    assert.match(await page.textContent('#prepare-hint'), /^Prepared:/);
    const rawOption = await page.$$eval('#modality-select option', (options) => options.map((o) => [o.value, o.textContent]));
    assert.ok(rawOption.some(([value, text]) => value.startsWith('raw:') && text === `${PATIENT}_t1c.nii.gz, raw`), JSON.stringify(rawOption));
    // The brain mask over the raw T1c, and off again.
    await page.check('#prepare-show-mask');
    await page.waitForFunction(() => document.querySelector('#viewer').dataset.overlay === 'brain');
    assert.match(await page.$eval('#modality-select', (s) => s.selectedOptions[0].textContent), /_t1c\.nii\.gz, raw$/);
    await page.uncheck('#prepare-show-mask');
    await page.waitForFunction(() => document.querySelector('#viewer').dataset.overlay === '');
    // The check view: the template brain's outline over the prepared T1c, and the Dice of the T1c's brain carried onto
    // the template with the template's brain, in the T1c -> SRI24 row.
    const templateDice = Number(await page.$eval('#prepare-registrations tr[data-pair="t1ce->sri24"]', (r) => r.dataset.templateBrainDice));
    console.log(`# ${PATIENT} T1c brain mask in SRI24 against the template's brain: Dice ${templateDice.toFixed(4)}`);
    assert.ok(templateDice > 0.9, `brain overlap with the template: Dice ${templateDice} > 0.9`);
    assert.match(await page.textContent('#prepare-registrations tr[data-pair="t1ce->sri24"]'), /brain overlap with the template: Dice 0\.9\d/);
    await page.check('#prepare-show-outline');
    await page.waitForFunction((name) => document.querySelector('#viewer').dataset.overlay === 'outline'
      && document.querySelector('#viewer').dataset.background === name, `${PATIENT}_sri24_t1ce.nii.gz`);
    await page.uncheck('#prepare-show-outline');
    await page.waitForFunction(() => document.querySelector('#viewer').dataset.overlay === '');

    // Segment on the prepared sequences, as on BraTS data.
    await page.selectOption('#modality-select', 't1c');
    await page.click('#segment-run');
    await page.waitForFunction(() => /^Done/.test(document.querySelector('#segment-status').textContent)
      && !document.querySelector('#prepare-labels').hidden, null, { timeout: 300_000 });
    console.log(`# segment: ${await page.textContent('#segment-status')}`);
    const legend = await page.$$eval('#legend tbody tr', (trs) => trs.map((r) => ({ label: Number(r.dataset.label), voxels: Number(r.dataset.voxels) })));
    assert.ok(legend.reduce((n, l) => n + l.voxels, 0) > 0, 'the labels are listed');
    assert.equal(await page.$eval('#viewer', (c) => c.dataset.overlay), 'brats', 'the labels are shown over the prepared T1c');
    console.log(`# ${await page.textContent('#prepare-labels')}`);
    // Over the raw T1c, the labels carried onto its grid.
    const rawT1c = await page.$$eval('#modality-select option', (options) => options.find((o) => /_t1c\.nii\.gz, raw$/.test(o.textContent)).value);
    await page.selectOption('#modality-select', rawT1c);
    await page.waitForFunction((name) => document.querySelector('#viewer').dataset.background === name, `${PATIENT}_t1c.nii.gz`);
    assert.equal(await page.$eval('#viewer', (c) => c.dataset.overlay), 'brats', 'the T1c-grid labels are shown over the raw T1c');

    // The labels on the raw T1c's own grid, and in SRI24 space.
    // Saved under their own names: the core reads a gzip file only when it is named .gz.
    const downloads = mkdtempSync(join(tmpdir(), 'gliolens-e2e-prepare-'));
    const download = async (key) => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.click(`#prepare-downloads button[data-download="${key}"]`)]);
      const path = join(downloads, file.suggestedFilename());
      await file.saveAs(path);
      return { name: file.suggestedFilename(), path };
    };
    const onT1c = await download('labels-t1c');
    const rawT1cFile = readNifti1(raw.t1c);
    const savedOnT1c = readNifti1(onT1c.path);
    assert.equal(onT1c.name, `${PATIENT}_gliolens_seg_t1c_grid.nii.gz`);
    assert.deepEqual(savedOnT1c.dims, rawT1cFile.dims, 'the T1c-grid labels have the raw T1c\'s dims');
    savedOnT1c.srow.flat().forEach((v, i) => assert.ok(Math.abs(v - rawT1cFile.srow.flat()[i]) < 1e-3, 'and its affine'));
    assert.ok(savedOnT1c.data.some((v) => v !== 0), 'labels on the T1c grid');
    assert.equal(await page.$eval('#prepare-labels', (p) => p.dataset.dims), rawT1cFile.dims.join('x'));
    const inSri24 = await download('labels-sri24');
    assert.equal(readNifti1((await download('t1ce')).path).dims.length, 3);
    const brainMask = await download('brain-mask-t1c');

    // Whole-tumour Dice against the expert labels in SRI24, through world coordinates (their header is BraTS's, LPS).
    const core = await createGliolens();
    // MindGrab's brain mask (WebAssembly, the page's own run) on the T1c's grid, against the reference from another tool:
    // the suite's one check of brain extraction on a whole scan (tests/node/prepare.test.mjs gives the reference mask).
    assert.equal(core.compareGrids([raw.t1c, brainMask.path, brainReference]).same, true);
    const [brainScore] = core.scoreSegmentation(core.load(brainMask.path).id, core.load(brainReference).id);
    console.log(`# ${PATIENT} T1c brain mask from the page: Dice ${brainScore.dice.toFixed(4)} against the reference, HD95 ${brainScore.hd95?.toFixed(1)} mm`);
    assert.ok(brainScore.dice >= 0.95, `brain mask Dice ${brainScore.dice} < 0.95`);
    const labels = core.load(inSri24.path);
    const expert = core.load(expertLabels);
    const identity = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    const expertOnTemplate = core.resampleThrough(expert.id, labels.id, identity, { interp: 'nearest' });
    const scores = core.scoreSegmentation(labels.id, expertOnTemplate);
    const seconds = (performance.now() - started) / 1000;
    console.log(`# ${PATIENT} from raw in the page, labels in SRI24 against the expert's: ${scores.map((s) => `${s.region} Dice ${s.dice.toFixed(3)}`).join(', ')}`
      + ` (goal whole tumour >= 0.80); the test took ${seconds.toFixed(1)} s`);
    assert.ok(scores[0].dice > 0, `whole-tumour Dice ${scores[0].dice}`);
    rmSync(downloads, { recursive: true, force: true });

    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.foreignRequests, [], 'no request outside the page origin');
    await page.close();
  });
