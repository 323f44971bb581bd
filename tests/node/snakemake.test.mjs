// The cohort on Snakemake (workflow/Snakefile): three shared BraTS cases through `snakemake --cores 2`, one
// gliolens job per case, give the bytes `gliolens batch` writes for the same table and options; a rerun
// does nothing (Snakemake's resume), and an edited row reruns that case alone.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, describe, test } from 'node:test';

import { csvTable } from '../../cli/csv.mjs';
import { bratsCase, projectRoot, skipWithoutSharedData } from '../support/paths.mjs';

const cases = ['Brats18_2013_11_1', 'Brats18_2013_20_1', 'Brats18_2013_3_1'].map((id) => bratsCase(id));
const ages = [52, 61, 70];
const snakefile = join(projectRoot, 'workflow', 'Snakefile');
const gliolensBin = join(projectRoot, 'bin', 'gliolens.mjs');
// A small PyRadiomics parameter file: fewer features keep the test short, and its hash is provenance.
const params = 'setting:\n  binWidth: 25\nimageType:\n  Original: {}\nfeatureClass:\n  firstorder:\n  glcm:\n';

function snakemakeAbsent() {
  const probe = spawnSync('snakemake', ['--version'], { encoding: 'utf8' });
  return probe.error || probe.status !== 0
    ? 'snakemake is not installed (scripts/setup installs Debian\'s snakemake package; apt-get install snakemake): skipped'
    : false;
}

const skip = snakemakeAbsent() || skipWithoutSharedData(...cases.flatMap((c) => Object.values(c.files)));

describe('workflow/Snakefile over three shared BraTS cases', { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), 'gliolens-snakemake-test-'));
  const table = join(work, 'cohort', 'cases.csv');
  const out = join(work, 'results', 'features.csv');
  const caseRow = (id) => join(work, 'results', 'features_cases', `${id}.csv`);
  let first;  // the first snakemake run

  function writeTable(agesNow) {
    const lines = ['id,t1,t1ce,t2,flair,seg,age'];
    cases.forEach((c, k) => lines.push([c.id, ...['t1', 't1ce', 't2', 'flair', 'seg'].map((m) => relative(join(work, 'cohort'), c.files[m])), agesNow[k]].join(',')));
    writeFileSync(table, lines.join('\n') + '\n');
  }

  // Run in the work folder, as a user runs it beside the cohort: relative paths in the config.
  const snakemake = (...args) => spawnSync('snakemake', ['-s', snakefile, '--configfile', 'config.yaml', ...args], { cwd: work, encoding: 'utf8' });

  before(() => {
    mkdirSync(join(work, 'cohort'));
    writeTable(ages);
    writeFileSync(join(work, 'params.yaml'), params);
    writeFileSync(join(work, 'config.yaml'), ['cases: cohort/cases.csv', 'out: results/features.csv', 'batch:', '  steps: features,descriptors',
      '  params: params.yaml', '  regions: [ET, WT]', '  modalities: t1ce,flair'].join('\n') + '\n');
    first = snakemake('--cores', '2');
  });

  test('snakemake --cores 2 gives, byte for byte, the table gliolens batch writes', () => {
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /5 of 5 steps \(100%\) done/);
    const batch = spawnSync(process.execPath, [gliolensBin, 'batch', '--cases', 'cohort/cases.csv', '--out', 'batch/features.csv',
      '--steps', 'features,descriptors', '--params', 'params.yaml', '--regions', 'ET,WT', '--modalities', 't1ce,flair', '--jobs', '2'],
    { cwd: work, encoding: 'utf8' });
    assert.equal(batch.status, 0, batch.stderr);
    const expected = readFileSync(join(work, 'batch', 'features.csv'), 'utf8');
    assert.equal(readFileSync(out, 'utf8'), expected);
    const rows = csvTable(expected).rows;
    assert.deepEqual(rows.map((r) => r.id), cases.map((c) => c.id));
    for (const row of rows) {
      assert.equal(row.params_sha256, createHash('sha256').update(params).digest('hex'));
      assert.ok(row.WT_original_shape_MeshVolume > 0 && row.WT_flair_original_glcm_Contrast > 0, `${row.id}: descriptors and features`);
      assert.ok(!('TC_flair_original_glcm_Contrast' in row) && !('WT_t1_original_firstorder_Mean' in row), `${row.id}: the regions and modalities asked for`);
    }
  });

  test('a rerun does nothing: no case redone', () => {
    const before = cases.map((c) => statSync(caseRow(c.id)).mtimeMs);
    const again = snakemake('--cores', '2');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stderr, /Nothing to be done/);
    assert.deepEqual(cases.map((c) => statSync(caseRow(c.id)).mtimeMs), before);
  });

  test('an edited row reruns that case alone (Snakemake\'s params trigger), then the merge', () => {
    writeTable([ages[0], ages[1] + 1, ages[2]]);
    const plan = snakemake('--cores', '2', '--dry-run');
    assert.equal(plan.status, 0, plan.stderr);
    const jobs = Object.fromEntries([...plan.stdout.matchAll(/^(case|merge|all)\s+(\d+)\s/gm)].map((m) => [m[1], Number(m[2])]));
    assert.deepEqual(jobs, { all: 1, case: 1, merge: 1 });
    assert.match(plan.stdout, new RegExp(`wildcards: id=${cases[1].id}\\b`));
  });
});
