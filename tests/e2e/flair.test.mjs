// A FLAIR-only case in headless Chromium: one lower-grade glioma FLAIR of the shared lgg_flair set, alone, is
// segmented with the FLAIR-only model (models/flair_seg): the page names that model and why, the legend says FLAIR
// abnormality, and the mask is the one `gliolens segment --flair` writes, voxel for voxel. Then growth from the same
// FLAIR given again as the other scan, a year earlier (both dates read from the file names): no change, velocity 0,
// the two masks side by side. Then the bundled network as the user's own FLAIR model (and a wrong manifest refused), a
// cancel of the FLAIR model, and the CLI's mask loaded back as a file (read as the FLAIR abnormality).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';

import { countLabels, readNifti1 } from '../support/nifti.mjs';
import { projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';
import { serveAppInBrowser } from './browser.mjs';

const TIMEOUT = 60_000;
const PATIENT = 'TCGA_CS_4942_19970222';  // 256 x 256 x 20: one of the smallest lgg_flair cases
const flairPath = join(sharedData, 'lgg_flair', PATIENT, 'flair.nii.gz');
const modelDir = join(projectRoot, 'models', 'flair_seg');
const distModel = join(process.env.GLIOLENS_DIST_DIR ?? join(projectRoot, 'web', 'dist'), 'models', 'flair_seg', 'manifest.json');
const skip = skipWithoutSharedData(flairPath)
  || (existsSync(join(modelDir, 'manifest.json')) && existsSync(distModel) ? false
    : 'the FLAIR-only model (models/flair_seg, copied into the build by scripts/build) is absent: skipped');
const app = serveAppInBrowser();

// The FLAIR under a name that holds its scan date, as a user's file would.
const asFile = (name) => ({ name, mimeType: 'application/gzip', buffer: readFileSync(flairPath) });

test('a FLAIR alone: the FLAIR-only model runs, its one label is the FLAIR abnormality, equal to the CLI; growth from the same FLAIR a year apart is 0',
  { timeout: 2 * TIMEOUT, skip }, async () => {
    const manifest = JSON.parse(readFileSync(join(modelDir, 'manifest.json'), 'utf8'));
    const dir = mkdtempSync(join(tmpdir(), 'gliolens-e2e-flair-'));
    try {
      const cliMask = join(dir, 'cli_flair_seg.nii.gz');
      const cli = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), 'segment', '--flair', flairPath, '--out', cliMask], { encoding: 'utf8' });
      assert.equal(cli.status, 0, cli.stderr);

      const { page, problems } = await app.open();
      await page.waitForSelector('body[data-ready="true"]', { timeout: TIMEOUT });
      await page.setInputFiles('#file-input', [asFile(`${PATIENT}_flair.nii.gz`)]);
      await page.waitForFunction(() => document.querySelector('#file-list tbody tr')?.dataset.role === 'flair', null, { timeout: TIMEOUT });
      assert.match(await page.textContent('#segment-hint'), /^Runs the FLAIR-only model \(one label, the FLAIR abnormality\): T1, T1c, T2 not loaded\./);
      await page.selectOption('#segment-backend', 'wasm');
      await page.click('#segment-run');
      await page.waitForFunction(() => /^Done/.test(document.querySelector('#segment-status').textContent)
        && document.querySelectorAll('#legend tbody tr').length > 0, null, { timeout: TIMEOUT });
      console.log(`# ${await page.textContent('#segment-status')}`);

      // Which model ran and why, with its cross-validated Dice when the manifest has it.
      assert.equal(await page.$eval('#segment', (s) => s.dataset.model), 'flair');
      const which = await page.textContent('#segment-which');
      console.log(`# ${which}`);
      assert.ok(which.startsWith(`FLAIR-only model (${manifest.name} ${manifest.version}): T1, T1c, T2 not loaded`), which);
      if (manifest.validation?.cross_validated) assert.match(which, /cross-validated Dice \d\.\d\d/);

      // One label, named the FLAIR abnormality (never a BraTS sub-region), its volume > 0 mL.
      const legend = await page.$$eval('#legend tbody tr', (rows) => rows.map((r) => ({
        label: Number(r.dataset.label), voxels: Number(r.dataset.voxels), mL: Number(r.dataset.ml), name: r.cells[1].textContent,
      })));
      assert.equal(legend.length, 1, JSON.stringify(legend));
      assert.deepEqual([legend[0].label, legend[0].name], [1, 'FLAIR abnormality (1)']);
      assert.ok(legend[0].mL > 0, `FLAIR abnormality ${legend[0].mL} mL`);
      console.log(`# FLAIR abnormality of ${PATIENT}: ${legend[0].mL.toFixed(3)} mL (${legend[0].voxels} voxels)`);

      // The downloaded mask is the CLI's, voxel for voxel, on the FLAIR's own grid.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#segment-download')]);
      const maskBytes = readFileSync(await download.path());
      const saved = readNifti1(await download.path());
      const fromCli = readNifti1(cliMask);
      const flair = readNifti1(flairPath);
      assert.deepEqual(saved.dims, flair.dims);
      assert.deepEqual(fromCli.dims, flair.dims);
      const differing = saved.data.reduce((n, v, i) => n + (v !== fromCli.data[i]), 0);
      assert.equal(differing, 0, `${differing} voxels differ between the page's mask and the CLI's`);
      assert.deepEqual(countLabels(saved).map((l) => [l.label, l.voxels]), [[1, legend[0].voxels]]);

      // The sub-region sections do not read the one label as necrosis.
      await page.waitForFunction(() => document.querySelector('#descriptors').dataset.state === 'needs-subregions', null, { timeout: TIMEOUT });
      assert.match(await page.textContent('#descriptors-status'), /need the sub-region model/);
      assert.equal(await page.isVisible('#predictions'), false, 'no prediction from sub-region descriptors');

      // Growth: the same FLAIR, named a year earlier, as the other scan; the dates come from the two names.
      await page.waitForFunction(() => document.querySelector('#growth').dataset.state === 'ready', null, { timeout: TIMEOUT });
      assert.equal(await page.$eval('#growth-other-source', (s) => s.value), 'flair', 'a FLAIR-model case is compared with FLAIR scans');
      assert.equal(await page.$eval('#growth-case-date', (i) => i.value), '1997-02-22');
      const earlierName = `${PATIENT.replace('19970222', '19960222')}_flair.nii.gz`;
      await page.setInputFiles('#growth-other-file', asFile(earlierName));
      await page.waitForFunction(() => ['loaded', 'error'].includes(document.querySelector('#growth').dataset.other), null, { timeout: TIMEOUT });
      const otherStatus = await page.textContent('#growth-other-status');
      assert.equal(await page.$eval('#growth', (g) => g.dataset.other), 'loaded', otherStatus);
      assert.match(otherStatus, /FLAIR abnormality [\d.]+ mL .*date 1996-02-22 read from the file name/);
      assert.equal(await page.$eval('#growth-other-date', (i) => i.value), '1996-02-22');
      await page.click('#growth-compute');
      await page.waitForFunction(() => ['done', 'error'].includes(document.querySelector('#growth').dataset.state), null, { timeout: TIMEOUT });
      assert.equal(await page.$eval('#growth', (g) => g.dataset.state), 'done', await page.textContent('#growth-status'));
      const shown = await page.$$eval('#growth-result tr', (rows) => Object.fromEntries(rows.map((r) => [r.dataset.name, r.querySelector('td.value').dataset.value ?? null])));
      assert.equal(Number(shown.days), 366);
      assert.equal(Number(shown.volume1_ml), legend[0].mL);
      assert.equal(Number(shown.volume2_ml), legend[0].mL);
      assert.equal(Number(shown.volume_change_ml), 0);
      assert.equal(Number(shown.velocity_mm_per_year), 0);
      assert.match(await page.textContent('#growth-result'), /FLAIR abnormality/);
      const masks = await page.$$eval('#growth-masks figure', (figures) => figures.map((f) => ({
        date: f.dataset.date, mL: Number(f.dataset.ml), voxels: Number(f.dataset.voxels), image: Boolean(f.querySelector('img')?.complete), caption: f.textContent,
      })));
      assert.deepEqual(masks.map((m) => [m.date, m.mL]), [['1996-02-22', legend[0].mL], ['1997-02-22', legend[0].mL]]);
      assert.ok(masks.every((m) => m.image && m.voxels > 0), JSON.stringify(masks));
      assert.equal(masks[0].voxels, masks[1].voxels, 'the same slice of the same mask');

      // "Use your own model" with a FLAIR-only manifest: the bundled network under the user's names runs in its place
      // and gives the same mask; a wrong manifest is refused, named, and the user's model stays.
      const own = { ...manifest, name: 'my_flair_model', model: { ...manifest.model, file: 'mine_flair.onnx' } };
      const network = { name: 'mine_flair.onnx', mimeType: 'application/octet-stream', buffer: readFileSync(join(modelDir, manifest.model.file)) };
      const json = (name, value) => ({ name, mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(value)) });
      await page.setInputFiles('#segment-model-files', [network, json('mine_flair.json', own)]);
      await page.waitForFunction(() => /yours$/.test(document.querySelector('#segment-flair-model').textContent), null, { timeout: TIMEOUT });
      const ownLine = await page.textContent('#segment-flair-model');
      assert.ok(ownLine.startsWith(`; FLAIR-only model mine_flair.onnx: my_flair_model ${manifest.version} `) && ownLine.endsWith(', yours'), ownLine);
      assert.doesNotMatch(await page.textContent('#segment-model'), /yours/, 'the sub-region model stays the bundled one');
      await page.setInputFiles('#segment-model-files', [network, json('bad_flair.json', { ...own, inference: { slices_per_run: 0 } })]);
      await page.waitForFunction(() => document.querySelectorAll('#messages li.error').length === 1, null, { timeout: TIMEOUT });
      assert.equal(await page.textContent('#messages li.error'), 'own model: bad_flair.json: inference.slices_per_run must be a whole number >= 1, not 0');
      await page.$eval('#messages li.error', (li) => li.remove());
      await page.click('#segment-run');
      await page.waitForFunction(() => /^Done/.test(document.querySelector('#segment-status').textContent)
        && /^FLAIR-only model \(my_flair_model /.test(document.querySelector('#segment-which').textContent), null, { timeout: TIMEOUT });
      assert.deepEqual(await page.$$eval('#legend tbody tr', (rows) => rows.map((r) => [r.cells[1].textContent, Number(r.dataset.voxels)])),
        [['FLAIR abnormality (1)', legend[0].voxels]]);

      // A cancel while the FLAIR model runs says where it stops: after the batch of slices it is on (it runs no windows).
      const cancelling = await page.evaluate(() => {
        document.querySelector('#segment-run').click();
        document.querySelector('#segment-cancel').click();
        return document.querySelector('#segment-status').textContent;
      });
      assert.equal(cancelling, 'Cancelling after the current batch of slices…');
      await page.waitForFunction(() => document.querySelector('#segment-status').textContent === 'Cancelled.', null, { timeout: TIMEOUT });

      // The mask loaded back as a file (no word in it of which model wrote it): one label, 1, and FLAIR without the other
      // three sequences, so it reads as the FLAIR abnormality too; the same voxels with one set to 2 read as BraTS labels.
      const legendNames = () => page.$$eval('#legend tbody tr', (rows) => rows.map((r) => r.cells[1].textContent));
      const loadSegmentation = async (name, buffer) => {
        await page.setInputFiles('#file-input', [{ name, mimeType: 'application/gzip', buffer }]);
        await page.waitForFunction((file) => document.querySelector(`#file-list tr[data-file="${file}"]`)?.dataset.role === 'seg', name, { timeout: TIMEOUT });
      };
      await loadSegmentation('mask_from_cli_seg.nii.gz', readFileSync(cliMask));
      assert.deepEqual(await legendNames(), ['FLAIR abnormality (1)']);
      await page.waitForFunction(() => document.querySelector('#descriptors').dataset.state === 'needs-subregions', null, { timeout: TIMEOUT });
      const infos = await page.$$eval('#messages li.info', (items) => items.map((i) => i.textContent));
      assert.ok(infos.some((t) => /^mask_from_cli_seg\.nii\.gz: one label \(1\) and not all four sequences loaded: read as a FLAIR abnormality mask/.test(t)), infos.join('\n'));
      const withLabel2 = gunzipSync(maskBytes);
      const firstLabel = withLabel2.indexOf(1, new DataView(withLabel2.buffer, withLabel2.byteOffset).getFloat32(108, true));
      withLabel2[firstLabel] = 2;
      await loadSegmentation('brats_labels_seg.nii.gz', gzipSync(withLabel2));
      assert.deepEqual(await legendNames(), ['Necrotic / non-enhancing core (1)', 'Edema (2)']);

      assert.deepEqual(await page.$$eval('#messages li.error', (items) => items.map((i) => i.textContent)), []);
      assert.deepEqual(problems.consoleErrors, [], 'no console error');
      assert.deepEqual(problems.pageErrors, [], 'no uncaught error');
      assert.deepEqual(problems.foreignRequests, [], 'no request outside the page origin');
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
