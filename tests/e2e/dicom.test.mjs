// DICOM in the page, in headless Chromium: a real Siemens series dropped as loose files on the drop zone and another
// chosen as a folder with the folder button are converted in the page (dcm2niix's WebAssembly build, in its own Worker, its .wasm
// from the page's origin); each series joins the file list with its description, dims and a role select. Files that
// are neither NIfTI nor DICOM are refused by name and the page keeps working. One page load.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';
import { serveAppInBrowser } from './browser.mjs';

const TIMEOUT = 120_000; // a hang guard: these files run beside another test file (scripts/test)
const qa = join(sharedData, 'dicom', 'dcm_qa_nih', 'In');
const DROPPED_SERIES = join(qa, '20180918Si', 'mr_0003');
const FOLDER_SERIES = join(qa, '20180918Si', 'mr_0004');
const app = serveAppInBrowser();

// Drops files on the drop zone through a real DataTransfer, as a drag from the desktop does.
async function dropFiles(page, files) {
  const payload = files.map(({ name, bytes }) => ({ name, base64: Buffer.from(bytes).toString('base64') }));
  await page.evaluate((items) => {
    const transfer = new DataTransfer();
    for (const { name, base64 } of items) transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name));
    const zone = document.querySelector('#drop-zone');
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, payload);
}

function fileRows(page) {
  return page.$$eval('#file-list tbody tr', (rows) => rows.map((r) => ({
    file: r.dataset.file,
    role: r.dataset.role,
    series: r.querySelector('td.name small.series')?.textContent ?? null,
    size: r.cells[2].textContent,
    roleOptions: [...r.querySelectorAll('select.role option')].map((o) => o.value),
  })));
}

const messages = (page, kind) => page.$$eval(`#messages li.${kind}`, (items) => items.map((i) => i.textContent));

describe('DICOM dropped on the page', { skip: skipWithoutSharedData(DROPPED_SERIES, FOLDER_SERIES) }, () => {
  test('series converted in the page join the file list; non-DICOM files refused by name; nothing leaves the origin', async () => {
    const { page, problems } = await app.open();
    const wasmRequests = [];
    page.on('request', (request) => { if (/dcm2niix.*\.wasm$/.test(request.url())) wasmRequests.push(request.url()); });
    await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
    const started = performance.now();

    // A 4-D EPI series, loose files, with the README beside them.
    await dropFiles(page, readdirSync(DROPPED_SERIES).map((name) => ({ name, bytes: readFileSync(join(DROPPED_SERIES, name)) })));
    await page.waitForFunction(() => document.querySelectorAll('#file-list tbody tr').length === 1, null, { timeout: TIMEOUT });
    // Another as a folder, through the folder chooser (webkitdirectory).
    await page.setInputFiles('#folder-input', FOLDER_SERIES);
    await page.waitForFunction(() => document.querySelectorAll('#file-list tbody tr').length === 2, null, { timeout: TIMEOUT });
    const seconds = (performance.now() - started) / 1000;

    const roles = ['', 't1', 't1c', 't2', 'flair', 'seg'];
    assert.deepEqual(await fileRows(page), [
      { file: '3_EPI_PE=AP.nii', role: '', series: 'DICOM series 3: EPI PE=AP (MR)', size: '72×72×5×2', roleOptions: roles },
      { file: '4_EPI_PE=PA.nii', role: '', series: 'DICOM series 4: EPI PE=PA (MR)', size: '72×72×5×2', roleOptions: roles },
    ]);
    const warnings = await messages(page, 'warning');
    assert.ok(warnings.some((w) => w.startsWith('3_EPI_PE=AP.nii: the series description "EPI PE=AP" names no sequence')), warnings.join(' | '));
    const infos = await messages(page, 'info');
    assert.ok(infos.includes('not DICOM, skipped: README-Series.txt'), infos.join(' | '));
    assert.ok(infos.includes('not DICOM, skipped: mr_0004/README-Series.txt'), infos.join(' | '));

    // The role is the user's to correct.
    await page.selectOption('tr[data-file="3_EPI_PE=AP.nii"] select.role', 't2');
    assert.equal(await page.$eval('tr[data-file="3_EPI_PE=AP.nii"]', (r) => r.dataset.role), 't2');

    // Neither NIfTI nor DICOM: one message naming the files; the list keeps its series.
    await dropFiles(page, [{ name: 'notes.txt', bytes: Buffer.from('hello\n') }, { name: 'photo.jpg', bytes: Buffer.alloc(400, 7) }]);
    await page.waitForFunction(() => document.querySelectorAll('#messages li.error').length === 1, null, { timeout: TIMEOUT });
    assert.deepEqual(await messages(page, 'error'),
      ['notes.txt and photo.jpg: not NIfTI files (.nii or .nii.gz expected), and dcm2niix found no DICOM image in them']);
    assert.equal((await fileRows(page)).length, 2);

    assert.ok(wasmRequests.length >= 1 && wasmRequests.every((url) => url.startsWith(app.url)), `converter from the origin: ${wasmRequests}`);
    // ... and part of the offline copy: the service worker's list of the build's files holds it.
    const serviceWorker = readFileSync(join(process.env.GLIOLENS_DIST_DIR ?? join(projectRoot, 'web', 'dist'), 'sw.js'), 'utf8');
    const wasmFile = new URL(wasmRequests[0]).pathname.split('/').slice(-2).join('/');
    assert.ok(serviceWorker.includes(`"${wasmFile}"`), `${wasmFile} precached by sw.js`);
    assert.deepEqual(problems.foreignRequests, [], 'no request outside the page origin');
    assert.deepEqual(problems.pageErrors, [], 'no uncaught error');
    assert.deepEqual(problems.consoleErrors, [], 'no console error');
    console.log(`# two DICOM series converted and listed in ${seconds.toFixed(1)} s`);
    await page.close();
  });
});
