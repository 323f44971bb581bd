// gliolens batch over shared BraTS cases, run as a user runs it: its rows against the single-case
// verbs, resume after a kill, a failing row, and --jobs 2 against --jobs 1.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';

import { Journal } from '../../cli/batch/journal.mjs';
import { csvTable } from '../../cli/csv.mjs';
import { run as descriptorsVerb } from '../../cli/commands/descriptors.mjs';
import { run as featuresVerb } from '../../cli/commands/features.mjs';
import { run as predictVerb } from '../../cli/commands/predict.mjs';
import { descriptorNameOf } from '../../wasm/gliolens.mjs';
import { createGliolens } from '../../wasm/node.mjs';
import { bratsCase, projectRoot, sharedData, skipWithoutSharedData } from '../support/paths.mjs';

const cases = ['Brats18_2013_11_1', 'Brats18_2013_20_1', 'Brats18_2013_3_1'].map((id) => bratsCase(id));
const ages = [52, 61, 70];
const scratch = mkdtempSync(join(tmpdir(), 'gliolens-batch-test-'));
const gliolensBin = join(projectRoot, 'bin', 'gliolens.mjs');
const gbmModel = join(projectRoot, 'models', 'survival', 'gbm_os.json');
const regions = { ET: '4', TC: '1,4', WT: '1,2,4' };
const modalities = ['t1', 't1ce', 't2', 'flair'];

function gliolens(...args) {
  const result = spawnSync(process.execPath, [gliolensBin, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { ...result, json: result.status === 0 && result.stdout.startsWith('{') ? JSON.parse(result.stdout) : null };
}

// Our form, paths relative to the table (in the scratch folder); `change(row, k)` edits a row.
function casesTable(name, change = () => {}) {
  const lines = ['id,t1,t1ce,t2,flair,seg,age'];
  cases.forEach((c, k) => {
    const row = { id: c.id, ...Object.fromEntries(Object.entries(c.files).map(([m, f]) => [m, relative(scratch, f)])), age: ages[k] };
    change(row, k);
    lines.push([row.id, row.t1, row.t1ce, row.t2, row.flair, row.seg, row.age].join(','));
  });
  const path = join(scratch, name);
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

const batchArgs = (table, out, ...more) => ['batch', '--cases', table, '--out', out, '--model', gbmModel, '--times', '365', ...more];
const doneIds = (out) => readFileSync(`${out}.done`, 'utf8').split('\n').slice(1).filter(Boolean).map((line) => line.split('\t')[0]);

describe('gliolens batch over three shared BraTS cases', { skip: skipWithoutSharedData(...cases.flatMap((c) => Object.values(c.files))) }, () => {
  let table;
  let reference;  // the --jobs 1 run: {summary, text, rows}
  let core;

  before(async () => {
    core = await createGliolens();
    table = casesTable('cases.csv');
    const out = join(scratch, 'jobs1.csv');
    const r = gliolens(...batchArgs(table, out, '--jobs', '1'));
    assert.equal(r.status, 0, r.stderr);
    const text = readFileSync(out, 'utf8');
    reference = { summary: r.json, text, rows: csvTable(text).rows };
  });

  test('one row per case, in the table order, with its provenance', () => {
    assert.equal(reference.summary.done, 3);
    assert.equal(reference.summary.failed, 0);
    assert.equal(reference.summary.errors, null);
    assert.deepEqual(reference.rows.map((r) => r.id), cases.map((c) => c.id));
    const version = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')).version;
    for (const row of reference.rows) {
      assert.equal(row.gliolens_version, version);
      assert.equal(row.mode, 'pyradiomics');
      assert.equal(row.params_sha256, '');
      assert.equal(row.segmentation_model, '', 'the table gave the seg');
      assert.match(row.prediction_model_sha256, /^[0-9a-f]{64}$/);
    }
  });

  test('each region x modality equals gliolens features on the case', () => {
    let compared = 0;
    reference.rows.forEach((row, k) => {
      for (const [region, label] of Object.entries(regions)) {
        for (const modality of modalities) {
          const csv = featuresVerb({ core, positionals: [], values: { image: cases[k].files[modality], mask: cases[k].files.seg, label, mode: 'pyradiomics', format: 'csv' } });
          for (const f of csvTable(csv).rows) {
            assert.equal(row[`${region}_${modality}_${f.name}`], f.value, `${cases[k].id} ${region} ${modality} ${f.name}`);
            compared++;
          }
        }
      }
    });
    assert.ok(compared > 3 * 12 * 100, `${compared} values compared`);
    // and once through the command line itself
    const cli = gliolens('features', '--image', cases[1].files.flair, '--mask', cases[1].files.seg, '--label', '1,2,4');
    assert.equal(cli.status, 0, cli.stderr);
    for (const f of csvTable(cli.stdout).rows) assert.equal(reference.rows[1][`WT_flair_${f.name}`], f.value, f.name);
  });

  test('predict equals gliolens predict on the row\'s age and the seg\'s volumes', () => {
    reference.rows.forEach((row, k) => {
      const mL = Object.fromEntries(gliolens('volumes', cases[k].files.seg).json.labels.map((l) => [l.label, l.mL]));
      const features = { age: ages[k], ncr_ml: mL[1], ed_ml: mL[2], et_ml: mL[4], tc_ml: mL[1] + mL[4], wt_ml: mL[1] + mL[2] + mL[4] };
      const p = predictVerb({ core, positionals: [], values: { model: gbmModel, features: JSON.stringify(features), times: '365', confidence: '0.95' } });
      assert.equal(row.predict_linear_predictor, String(p.linear_predictor));
      assert.equal(row.predict_risk_group, p.risk_group);
      assert.equal(row.predict_survival_365, String(p.survival_at[0].survival));
    });
  });

  test('--jobs 2 gives the same table as --jobs 1', () => {
    const out = join(scratch, 'jobs2.csv');
    const r = gliolens(...batchArgs(table, out, '--jobs', '2'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json.jobs, 2);
    assert.equal(readFileSync(out, 'utf8'), reference.text);
  });

  test('killed after its first case and rerun: the same table, finished cases not redone', async () => {
    const out = join(scratch, 'killed.csv');
    const child = spawn(process.execPath, [gliolensBin, ...batchArgs(table, out, '--jobs', '1')], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const deadline = Date.now() + 120_000;
    while (!(existsSync(`${out}.done`) && doneIds(out).length >= 1) && Date.now() < deadline) await sleep(20);
    child.kill('SIGKILL');
    await exited;
    const before = doneIds(out);
    assert.ok(before.length >= 1 && before.length < 3, `killed after ${before.length} cases: the test needs it half-way`);
    const r = gliolens(...batchArgs(table, out, '--jobs', '1'));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json.skipped, before.length);
    assert.equal(r.json.done, 3 - before.length);
    assert.deepEqual(doneIds(out).sort(), cases.map((c) => c.id).sort(), 'each case done once');
    assert.equal(readFileSync(out, 'utf8'), reference.text);
    const again = gliolens(...batchArgs(table, out, '--jobs', '1'));
    assert.equal(again.json.skipped, 3);
    assert.equal(again.json.done, 0);
    assert.equal(readFileSync(out, 'utf8'), reference.text);
  });

  test('--only ID: that case\'s row of the whole table, paths still relative to the table; --list: the cases (workflow/Snakefile)', () => {
    const out = join(scratch, 'only', 'one.csv');  // in a folder not made yet
    const r = gliolens(...batchArgs(table, out, '--jobs', '1', '--only', cases[1].id));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json.cases, 1);
    const [header, ...rows] = reference.text.split('\n');
    assert.equal(readFileSync(out, 'utf8'), `${header}\n${rows[1]}\n`);
    const unknown = gliolens(...batchArgs(table, join(scratch, 'only', 'none.csv'), '--only', 'no_such_case'));
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /--only: .*cases\.csv has no case "no_such_case"/);
    const listed = gliolens('batch', '--cases', table, '--list').json;
    assert.equal(listed.form, 'gliolens');
    assert.equal(listed.gliolens_version, reference.rows[0].gliolens_version);
    assert.deepEqual(listed.cases.map((c) => c.id), cases.map((c) => c.id));
    assert.deepEqual(listed.cases[1].files, ['t1', 't1ce', 't2', 'flair', 'seg'].map((m) => cases[1].files[m]));
    assert.equal(listed.cases[1].cells.age, String(ages[1]));
    assert.equal(listed.cases[1].segment, false);
  });

  test('a rerun with other settings is refused, naming the output', () => {
    const r = gliolens(...batchArgs(table, join(scratch, 'jobs1.csv'), '--regions', 'WT'));
    assert.equal(r.status, 1);
    assert.match(r.stderr, /jobs1\.csv: made by a batch with other settings/);
  });

  test('a missing image: that row\'s error is recorded and the others finish', () => {
    const missing = join(scratch, 'no_such_flair.nii.gz');
    const broken = casesTable('broken.csv', (row, k) => { if (k === 1) row.flair = 'no_such_flair.nii.gz'; });
    const out = join(scratch, 'broken_out.csv');
    const r = gliolens('batch', '--cases', broken, '--out', out, '--regions', 'WT', '--modalities', 'flair', '--jobs', '1');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json.done, 2);
    assert.equal(r.json.failed, 1);
    assert.equal(r.json.failures[0].id, cases[1].id);
    assert.match(r.json.failures[0].error, new RegExp(`${missing.replace(/[.]/g, '\\.')}: file not found`));
    assert.deepEqual(csvTable(readFileSync(r.json.errors, 'utf8')).rows, [{ id: cases[1].id, error: r.json.failures[0].error }]);
    assert.deepEqual(csvTable(readFileSync(out, 'utf8')).rows.map((row) => row.id), [cases[0].id, cases[2].id]);
    assert.match(r.stderr, new RegExp(`${cases[1].id} failed: `));
  });

  test('PyRadiomics\' batch form: one extraction a row, its Label column', () => {
    const pyTable = join(scratch, 'pyradiomics.csv');
    writeFileSync(pyTable, `Image,Mask,Label\n${cases[0].files.t1ce},${cases[0].files.seg},4\n${relative(scratch, cases[2].files.flair)},${relative(scratch, cases[2].files.seg)},2\n`);
    const out = join(scratch, 'pyradiomics_out.csv');
    const r = gliolens('batch', '--cases', pyTable, '--out', out, '--jobs', '1');
    assert.equal(r.status, 0, r.stderr);
    const rows = csvTable(readFileSync(out, 'utf8')).rows;
    assert.deepEqual(rows.map((row) => [row.id, row.Label]), [['1', '4'], ['2', '2']]);
    [[cases[0].files.t1ce, cases[0].files.seg, '4'], [cases[2].files.flair, cases[2].files.seg, '2']].forEach(([image, mask, label], k) => {
      const csv = featuresVerb({ core, positionals: [], values: { image, mask, label, mode: 'pyradiomics', format: 'csv' } });
      for (const f of csvTable(csv).rows) assert.equal(rows[k][f.name], f.value, f.name);
    });
  });

  test('a row without seg is segmented by gliolens segment\'s code, the mask written next to the output', () => {
    const table = join(scratch, 'unsegmented.csv');
    const c = cases[2];
    writeFileSync(table, `id,t1,t1ce,t2,flair\n${c.id},${c.files.t1},${c.files.t1ce},${c.files.t2},${c.files.flair}\n`);
    const out = join(scratch, 'unsegmented_out.csv');
    const r = gliolens('batch', '--cases', table, '--out', out, '--regions', 'WT', '--modalities', 'flair', '--jobs', '1');
    assert.equal(r.status, 0, r.stderr);
    const seg = join(scratch, 'unsegmented_out_seg', `${c.id}_seg.nii.gz`);
    assert.ok(existsSync(seg), seg);
    const [row] = csvTable(readFileSync(out, 'utf8')).rows;
    const manifest = JSON.parse(readFileSync(join(projectRoot, 'models', 'glioma_seg', 'manifest.json'), 'utf8'));
    assert.equal(row.segmentation_model, `${manifest.name} ${manifest.version}`);
    const csv = featuresVerb({ core, positionals: [], values: { image: c.files.flair, mask: seg, label: '1,2,4', mode: 'pyradiomics', format: 'csv' } });
    for (const f of csvTable(csv).rows) assert.equal(row[`WT_flair_${f.name}`], f.value, f.name);
  });

  test('the descriptors step equals gliolens descriptors on each seg', () => {
    const out = join(scratch, 'descriptors.csv');
    const r = gliolens('batch', '--cases', table, '--out', out, '--steps', 'descriptors', '--jobs', '1');
    assert.equal(r.status, 0, r.stderr);
    const rows = csvTable(readFileSync(out, 'utf8')).rows;
    assert.deepEqual(rows.map((row) => row.id), cases.map((c) => c.id));
    rows.forEach((row, k) => {
      const [single] = csvTable(descriptorsVerb({ core, positionals: [], values: { seg: cases[k].files.seg, format: 'csv' } })).rows;
      const { ID, ...descriptors } = single;
      assert.ok(Object.keys(descriptors).length > 50);
      for (const [name, value] of Object.entries(descriptors)) assert.equal(row[name], value, `${cases[k].id} ${name}`);
    });
  });

  test('predict with a shipped radiogenomic model reads the descriptors; PyRadiomics-named inputs are the whole tumour\'s', () => {
    // idh_descriptors_age reads descriptors by their own names; a model with PyRadiomics' column names
    // (original_shape_<F>, log-transformed) must read WT_original_shape_<F>, as the page and gliolens predict on a
    // PyRadiomics table do.
    const shapeModel = join(scratch, 'pyradiomics_named.json');
    writeFileSync(shapeModel, JSON.stringify({
      format: 'gliolens-model', version: 1, kind: 'logistic', name: 'PyRadiomics-named test model', outcome: 'test',
      features: [{ name: 'age', center: 50, scale: 10 }, { name: 'original_shape_MeshVolume', transform: 'log', center: 11, scale: 1 },
        { name: 'original_shape_Sphericity', center: 0.5, scale: 0.1 }],
      coefficients: [0.3, -0.4, 0.2], intercept: 0.1,
    }));
    for (const model of [join(projectRoot, 'models', 'radiogenomics', 'idh_descriptors_age.json'), shapeModel]) {
      const out = join(scratch, `predict-${basename(model)}.csv`);
      const r = gliolens('batch', '--cases', table, '--out', out, '--steps', 'descriptors,predict', '--model', model, '--jobs', '1');
      assert.equal(r.status, 0, r.stderr);
      const rows = csvTable(readFileSync(out, 'utf8')).rows;
      rows.forEach((row, k) => {
        const { id } = core.load(cases[k].files.seg);
        const descriptors = Object.fromEntries(core.descriptors(id).descriptors.map((d) => [d.name, d.value]));
        core.release(id);
        const features = Object.fromEntries(JSON.parse(readFileSync(model, 'utf8')).features
          .map(({ name }) => [name, name === 'age' ? ages[k] : descriptors[descriptorNameOf(name)]]));
        const expected = core.predict(readFileSync(model, 'utf8'), features);
        assert.equal(Number(row.predict_probability), expected.probability, `${cases[k].id} ${basename(model)}`);
      });
    }
  });
});

// Masks only (no images): a table of id,seg and the descriptors step, as over the 137 radiogenomics masks
// (all 137 compared once by hand: 11,645 values, none differ; here the first twelve, to keep the test short).
const tcgaMasks = join(sharedData, 'radiogenomics', 'tcga', 'masks');
describe('gliolens batch --steps descriptors over radiogenomics masks', { skip: skipWithoutSharedData(tcgaMasks) }, () => {
  test('row for row what gliolens descriptors gives, with --jobs 2', async () => {
    const files = readdirSync(tcgaMasks).filter((f) => f.endsWith('.nii.gz')).sort().slice(0, 12);
    const table = join(scratch, 'tcga.csv');
    writeFileSync(table, ['id,seg', ...files.map((f) => `${f.replace(/\.nii\.gz$/, '')},${join(tcgaMasks, f)}`)].join('\n') + '\n');
    const out = join(scratch, 'tcga_out.csv');
    const r = gliolens('batch', '--cases', table, '--out', out, '--steps', 'descriptors', '--jobs', '2');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.json.done, files.length);
    const core = await createGliolens();
    const rows = csvTable(readFileSync(out, 'utf8')).rows;
    assert.deepEqual(rows.map((row) => row.seg), files.map((f) => join(tcgaMasks, f)));
    rows.forEach((row) => {
      const [{ ID, ...descriptors }] = csvTable(descriptorsVerb({ core, positionals: [], values: { seg: row.seg, format: 'csv' } })).rows;
      assert.equal(ID, row.id);
      for (const [name, value] of Object.entries(descriptors)) assert.equal(row[name], value, `${row.id} ${name}`);
    });
  });
});

test('the journal: a row cut short by a crash is dropped on resume, the cases recorded are kept', () => {
  const out = join(scratch, 'journal.csv');
  const settings = { steps: ['features'] };
  const first = new Journal(out, settings);
  first.append('a', [['id', 'a'], ['x', 1.5]]);
  first.append('b', [['id', 'b'], ['x', null]]);
  const whole = readFileSync(out, 'utf8');
  assert.equal(whole, 'id,x\na,1.5\nb,\n');
  appendFileSync(out, 'c,2.');  // the crash: c's row half written, c not in OUT.done
  appendFileSync(`${out}.done`, 'c');  // nor its line in OUT.done finished
  const resumed = new Journal(out, settings);
  assert.deepEqual([...resumed.done], ['a', 'b']);
  assert.equal(readFileSync(out, 'utf8'), whole);
  resumed.append('c', [['id', 'c'], ['x', 2.25]]);
  assert.throws(() => resumed.append('d', [['id', 'd'], ['y', 1]]), /columns differ/);
  resumed.sortRows(['c', 'b', 'a']);
  assert.equal(readFileSync(out, 'utf8'), 'id,x\nc,2.25\nb,\na,1.5\n');
  assert.deepEqual([...new Journal(out, settings).done], ['a', 'b', 'c']);
  assert.throws(() => new Journal(out, { steps: ['descriptors'] }), /made by a batch with other settings/);
});
