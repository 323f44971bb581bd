// The cohort panel end to end in headless Chromium: a folder of three shared BraTS cases chosen as a user chooses it,
// run in the Worker with a small parameter file, paused after a case and resumed, a case without a segmentation
// failing in its row while the run goes on; its CSV is, byte for byte, the table
// `gliolens batch` writes for a cases table of the same folder with the same options; a row opens its case.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, test } from 'node:test';

import { bratsCase, projectRoot, skipWithoutSharedData } from '../support/paths.mjs';
import { serveAppInBrowser } from './browser.mjs';

const TIMEOUT = 120_000;
const cases = ['Brats18_2013_3_1', 'Brats18_2013_11_1', 'Brats18_2013_20_1'].map((id) => bratsCase(id));
// The snakemake test's small parameter file: two feature classes keep the run short; its sha256 is in every row.
const params = 'setting:\n  binWidth: 25\nimageType:\n  Original: {}\nfeatureClass:\n  firstorder:\n  glcm:\n';
const NO_SEG = 'Brats18_2013_4_noseg';
const skip = skipWithoutSharedData(...cases.flatMap((c) => Object.values(c.files)));

// `gliolens batch` as a user runs it, beside the browser (the two run at once on two cores).
function batch(cwd, ...args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), 'batch', ...args], { cwd });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

describe('the cohort panel over three shared BraTS cases', { skip }, () => {
  const app = serveAppInBrowser();

  test('a folder run equals gliolens batch\'s table; pause and resume; a row opens its case', { timeout: TIMEOUT }, async () => {
    // The folder: one subfolder per case, the CLI's cases table inside it with the paths the page gives (relative to
    // the folder). The case files are copied into a temporary folder (21 MB, removed at the end): Chromium does not
    // follow symbolic links when it reads a chosen folder.
    const work = mkdtempSync(join(tmpdir(), 'gliolens-e2e-cohort-'));
    const folder = join(work, 'cohort');
    for (const c of cases) {
      mkdirSync(join(folder, c.id), { recursive: true });
      for (const file of Object.values(c.files)) copyFileSync(file, join(folder, c.id, basename(file)));
    }
    // A case without a segmentation (and without T1 and T2), second in id order: it fails, and the run goes on.
    mkdirSync(join(folder, NO_SEG));
    for (const m of ['t1ce', 'flair']) copyFileSync(cases[0].files[m], join(folder, NO_SEG, `${NO_SEG}_${m}.nii.gz`));
    const cells = (c) => [c.id, ...['t1', 't1ce', 't2', 'flair', 'seg'].map((m) => `${c.id}/${basename(c.files[m])}`)].join(',');
    writeFileSync(join(folder, 'cases.csv'), ['id,t1,t1ce,t2,flair,seg', cells(cases[0]), `${NO_SEG},,${NO_SEG}/${NO_SEG}_t1ce.nii.gz,,${NO_SEG}/${NO_SEG}_flair.nii.gz,`,
      ...cases.slice(1).map(cells)].join('\n') + '\n');
    writeFileSync(join(work, 'params.yaml'), params);
    const cli = batch(work, '--cases', 'cohort/cases.csv', '--out', 'batch.csv', '--steps', 'features,descriptors', '--params', 'params.yaml',
      '--regions', 'ET,WT', '--modalities', 't1ce,flair', '--jobs', '1');

    const { page, problems } = await app.open();
    await page.waitForSelector('#cohort-drop');
    await page.check('#cohort input[name="cohort-step"][value="descriptors"]');
    await page.uncheck('#cohort input[name="cohort-region"][value="TC"]');
    for (const m of ['t1', 't2']) await page.uncheck(`#cohort input[name="cohort-modality"][value="${m}"]`);
    await page.setInputFiles('#cohort-params', join(work, 'params.yaml'));
    await page.setInputFiles('#cohort-folder', folder);
    await page.waitForSelector('#cohort-cases tbody tr');
    const listed = await page.$$eval('#cohort-cases tbody tr', (rows) => rows.map((r) => [r.dataset.case, r.cells[2].textContent]));
    assert.deepEqual(listed, [[cases[0].id, '—'], [NO_SEG, 't1, t2, seg'], ...cases.slice(1).map((c) => [c.id, '—'])],
      'the cases in id order (numbers by value) with what each misses');
    assert.match(await page.textContent('#cohort-found'), /cohort: 4 cases; 1 other files ignored/);

    // Pause once the run is going: it stops between cases, then Resume finishes it.
    await page.click('#cohort-run');
    await page.waitForFunction(() => document.querySelector('#cohort').dataset.state === 'running');
    await page.click('#cohort-pause');
    await page.waitForFunction(() => document.querySelector('#cohort').dataset.state === 'paused', null, { timeout: TIMEOUT });
    const finishedAtPause = await page.$eval('#cohort', (e) => Number(e.dataset.done) + Number(e.dataset.failed));
    assert.ok(finishedAtPause >= 1 && finishedAtPause < 4, `paused between cases (${finishedAtPause} finished)`);
    assert.equal(await page.$$eval('#cohort-table tbody tr', (rows) => rows.length), finishedAtPause, 'the table holds the finished cases');
    assert.match(await page.textContent('#cohort-status'), new RegExp(`Paused after case ${finishedAtPause} of 4`));
    assert.equal(await page.textContent('#cohort-pause'), 'Resume');
    await page.click('#cohort-pause');
    await page.waitForFunction(() => document.querySelector('#cohort').dataset.state === 'done', null, { timeout: TIMEOUT });
    assert.equal(await page.$eval('#cohort', (e) => e.dataset.done), '3', await page.textContent('#cohort-status'));
    assert.match(await page.$eval(`#cohort-table tr[data-case="${NO_SEG}"]`, (tr) => tr.dataset.error), /^no segmentation/);
    assert.equal(await page.$eval('#cohort', (e) => e.dataset.loadedAfter), '0', 'each case\'s volumes released in the Worker');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#cohort-csv')]);
    assert.equal(download.suggestedFilename(), 'cohort_gliolens_batch.csv');
    const browserCsv = readFileSync(await download.path(), 'utf8');
    const ran = await cli;
    assert.equal(ran.status, 0, ran.stderr);
    const cliCsv = readFileSync(join(work, 'batch.csv'), 'utf8');
    // The case without a seg fails in both, each saying why in its words (the CLI: its segment step is off).
    assert.match(readFileSync(join(work, 'batch.csv.errors.csv'), 'utf8'), new RegExp(`^id,error\\n${NO_SEG},no seg given`));
    // Byte for byte, provenance included: the paths relative to the folder, the version, the parameter file's sha256.
    assert.equal(browserCsv, cliCsv);
    const [header, ...rows] = cliCsv.trim().split('\n');
    assert.equal(rows.length, 3);
    assert.ok(header.startsWith('id,t1,t1ce,t2,flair,seg,gliolens_version,mode,params_sha256,segmentation_model,notes,ET_t1ce_original_firstorder_'), header.slice(0, 200));
    assert.ok(header.includes(',WT_flair_original_glcm_Contrast,') && header.includes(',WT_original_shape_MeshVolume,') && !header.includes('TC_t1ce'));
    const shownFirstRow = await page.$$eval('#cohort-table tbody tr:first-child td', (tds) => tds.map((td) => td.textContent));
    assert.equal(shownFirstRow.length, header.split(',').length, 'the table shows every column');

    // A row opens its case in the single-case view, its files loaded as dropped files are: here the case without a seg,
    // as one opens a case to segment it (its two files keep the load, the test's longest step, to a few seconds).
    await page.click(`#cohort-table tbody tr[data-case="${NO_SEG}"]`);
    await page.waitForFunction(() => document.querySelectorAll('#file-list tbody tr').length === 2, null, { timeout: TIMEOUT });
    const opened = await page.$$eval('#file-list tbody tr', (rs) => Object.fromEntries(rs.map((r) => [r.dataset.file, r.dataset.role])));
    assert.deepEqual(opened, { [`${NO_SEG}_t1ce.nii.gz`]: 't1c', [`${NO_SEG}_flair.nii.gz`]: 'flair' });

    assert.deepEqual(problems.consoleErrors, []);
    assert.deepEqual(problems.pageErrors, []);
    assert.deepEqual(problems.foreignRequests, [], 'nothing leaves the origin');
    await page.close();
    rmSync(work, { recursive: true, force: true });
  });
});
