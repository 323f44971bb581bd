// The survival commands (gliolens cox/km/predict/growth), i.e. the WASM build of core/survival, on the
// committed R data sets against the committed R reference numbers (tests/reference/survival_reference.R),
// with the tolerances of the native tests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { csvTable } from '../../cli/csv.mjs';
import { createGliolens } from '../../wasm/node.mjs';
import { projectRoot, sharedData } from '../support/paths.mjs';

const reference = join(projectRoot, 'tests', 'reference', 'survival');
const scratch = mkdtempSync(join(tmpdir(), 'gliolens-survival-test-'));
const tcgaTable = join(sharedData, 'tables', 'tcga_lgg', 'clinical_info.csv');

function gliolens(...args) {
  const result = spawnSync(process.execPath, [join(projectRoot, 'bin', 'gliolens.mjs'), ...args], { encoding: 'utf8' });
  return { ...result, json: result.status === 0 ? JSON.parse(result.stdout) : null };
}

// The reference files and tables with numbers as numbers and NA as NaN.
function readCsv(path) {
  return csvTable(readFileSync(path, 'utf8')).rows.map((row) => Object.fromEntries(Object.entries(row).map(([n, cell]) =>
    [n, cell === 'NA' ? NaN : /^-?[\d.eE+-]+$|^-?Inf$/.test(cell) ? Number(cell) : cell])));
}
const keyValues = (path) => Object.fromEntries(readCsv(path).map((r) => [r.key, r.value]));
const relative = (a, e) => Math.abs(a - e) / Math.max(Math.abs(e), 1e-12);

function worst(values) {
  return values.reduce((m, v) => Math.max(m, v), 0);
}

// The cases of the R reference: the public data sets always, the TCGA-LGG table when it is present.
const cases = readCsv(join(reference, 'cox_cases.csv')).map((c) => {
  if (c.dataset !== 'tcga_lgg') return { ...c, csv: join(reference, `data_${c.dataset}.csv`), time: 'time', event: 'event', covariates: c.covariates.split(' ') };
  return { ...c, csv: tcgaTable, time: 'daystolastordeath', event: 'death01', covariates: ['age_at_initial_pathologic', 'IDH1', '1p_19q_co_del_status'] };
});

describe('gliolens cox agrees with R coxph (WASM core)', () => {
  const agreement = { coefficient: [], se: [], loglik: [], tests: [], harrell: [], uno: [], curve: [], band: [] };
  for (const c of cases) {
    for (const ties of ['efron', 'breslow']) {
      const skip = existsSync(c.csv) ? false : `shared table absent (${c.csv}): skipped`;
      test(`${c.case} ${ties}`, { skip }, () => {
        const prefix = join(reference, `cox_${c.case}_${ties}`);
        const modelFile = join(scratch, `${c.case}_${ties}.json`);
        const args = ['cox', '--csv', c.csv, '--time', c.time, '--event', c.event, '--covariates', c.covariates.join(','),
          '--ties', ties, '--bootstrap', '0', '--out', modelFile];
        if (c.strata) args.push('--strata', c.strata);
        const { status, stderr, json } = gliolens(...args);
        assert.equal(status, 0, stderr);
        const coefficients = readCsv(`${prefix}_coef.csv`);
        assert.equal(json.coefficients.length, coefficients.length);
        coefficients.forEach((row, j) => {
          agreement.coefficient.push(relative(json.coefficients[j].coef, row.coef));
          agreement.se.push(relative(json.coefficients[j].se, row.se));
          assert.ok(relative(json.coefficients[j].coef, row.coef) < 1e-6, `${row.name} coef`);
          assert.ok(relative(json.coefficients[j].se, row.se) < 1e-5, `${row.name} se`);
        });
        const summary = keyValues(`${prefix}_summary.csv`);
        assert.equal(json.data.train.subjects, summary.n);
        assert.equal(json.data.train.events, summary.events);
        for (const [actual, key] of [[json.tests.log_likelihood_null, 'loglik_null'], [json.tests.log_likelihood, 'loglik']]) {
          agreement.loglik.push(relative(actual, summary[key]));
          assert.ok(relative(actual, summary[key]) < 1e-10, key);
        }
        for (const [actual, key] of [[json.tests.wald.statistic, 'wald'], [json.tests.score.statistic, 'score'], [json.tests.likelihood_ratio.statistic, 'lr']]) {
          agreement.tests.push(relative(actual, summary[key]));
          assert.ok(relative(actual, summary[key]) < 1e-6, key);
        }
        const harrell = Math.abs(json.concordance.train.estimate - summary.concordance);
        agreement.harrell.push(harrell);
        assert.ok(harrell < 1e-12, 'Harrell C');
        if (!c.strata) {
          const uno = Math.abs(json.concordance.train.uno - summary.uno_concordance);
          agreement.uno.push(uno);
          assert.ok(uno < 1e-9, 'Uno C');
        }
        // S(t | x) with its band for the first complete subject, through the model file and `predict`.
        const data = readCsv(c.csv).filter((r) => [c.time, c.event, ...c.covariates, ...(c.strata ? [c.strata] : [])].every((k) => Number.isFinite(Number(r[k]))));
        const features = Object.fromEntries(c.covariates.map((k) => [k, Number(data[0][k])]));
        const predictArgs = ['predict', '--model', modelFile, '--features', JSON.stringify(features), '--curve'];
        if (c.strata) predictArgs.push('--stratum', String(data[0][c.strata]));
        const prediction = gliolens(...predictArgs);
        assert.equal(prediction.status, 0, prediction.stderr);
        const curve = readCsv(`${prefix}_curve.csv`);
        assert.equal(prediction.json.survival.survival.length, curve.length);
        curve.forEach((row, k) => {
          agreement.curve.push(relative(prediction.json.survival.survival[k], row.surv));
          assert.ok(relative(prediction.json.survival.survival[k], row.surv) < 1e-6, `S at ${row.time}`);
          for (const [actual, expected] of [[prediction.json.survival.lower[k], row.lower], [prediction.json.survival.upper[k], row.upper]]) {
            if (Number.isNaN(expected)) continue;
            agreement.band.push(relative(actual, expected));
            assert.ok(relative(actual, expected) < 1e-5, `band at ${row.time}`);
          }
        });
      });
    }
  }
  test('summary of the agreement', () => {
    const line = Object.entries(agreement).map(([k, v]) => `${k} ${worst(v).toExponential(2)}`).join(', ');
    console.log(`WASM cox vs R over ${agreement.loglik.length / 2} fits, max differences: ${line}`);
    assert.ok(agreement.loglik.length >= 28);
  });
});

describe('gliolens km agrees with R survfit and survdiff (WASM core)', () => {
  for (const name of ['lung', 'veteran', 'pbc', 'rotterdam', 'glioma']) {
    test(name, () => {
      const { status, stderr, json } = gliolens('km', '--csv', join(reference, `data_${name}.csv`), '--time', 'time', '--event', 'event');
      assert.equal(status, 0, stderr);
      const expected = readCsv(join(reference, `km_${name}.csv`));
      const curve = json.curves[0];
      assert.equal(curve.time.length, expected.length);
      expected.forEach((row, k) => {
        assert.equal(curve.time[k], row.time);
        assert.equal(curve.at_risk[k], row.n_risk);
        assert.equal(curve.events_at[k], row.n_event);
        assert.ok(Math.abs(curve.survival[k] - row.surv) < 1e-12);
        if (!Number.isNaN(row.lower)) assert.ok(relative(curve.lower[k], row.lower) < 1e-10);
        if (!Number.isNaN(row.upper)) assert.ok(relative(curve.upper[k], row.upper) < 1e-10);
      });
      const median = keyValues(join(reference, `km_${name}_median.csv`));
      for (const key of ['median', 'median_lower', 'median_upper']) {
        if (Number.isNaN(median[key])) assert.equal(curve[key], null);
        else assert.ok(relative(curve[key], median[key]) < 1e-12, key);
      }
    });
  }
  test('log-rank tests', () => {
    for (const row of readCsv(join(reference, 'logrank.csv'))) {
      const { status, stderr, json } = gliolens('km', '--csv', join(reference, `data_${row.dataset}.csv`), '--time', 'time', '--event', 'event', '--group', row.group);
      assert.equal(status, 0, stderr);
      assert.ok(relative(json.log_rank.chi_square, row.chisq) < 1e-10, row.dataset);
      assert.equal(json.log_rank.df, row.df);
      assert.ok(relative(json.log_rank.p, row.p) < 1e-8, row.dataset);
    }
  });
});

describe('gliolens cox research options', () => {
  test('elastic net with CV, a split column, calibration and risk groups', () => {
    const rows = readFileSync(join(reference, 'data_rotterdam.csv'), 'utf8').trim().split('\n');
    const csv = join(scratch, 'rotterdam_split.csv');
    writeFileSync(csv, [rows[0] + ',part', ...rows.slice(1).map((r, i) => `${r},${i % 3 === 0 ? 'test' : 'train'}`)].join('\n') + '\n');
    const out = join(scratch, 'rotterdam_enet.json');
    const { status, stderr, json } = gliolens('cox', '--csv', csv, '--time', 'time', '--event', 'event', '--split', 'part',
      '--penalty', 'elasticnet', '--alpha', '0.5', '--cv', '5', '--bootstrap', '50', '--calibration-time', '1825', '--out', out);
    assert.equal(status, 0, stderr);
    assert.equal(json.data.test.subjects, 994);
    assert.ok(json.concordance.test.lower < json.concordance.test.estimate && json.concordance.test.estimate < json.concordance.test.upper);
    assert.ok(json.concordance.test.estimate > 0.6);
    assert.equal(json.calibration.groups.length, 4);
    assert.ok(json.risk_groups.log_rank.p < 1e-6);
    const model = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(model.format, 'gliolens-model');
    assert.deepEqual(model.features.map((f) => f.name), json.penalty.selected);
  });
});

describe('gliolens predict, growth and errors', () => {
  test('predict from a CSV of patients', () => {
    const out = join(scratch, 'lung_model.json');
    assert.equal(gliolens('cox', '--csv', join(reference, 'data_lung.csv'), '--time', 'time', '--event', 'event', '--covariates', 'age,sex', '--bootstrap', '0', '--out', out).status, 0);
    const features = join(scratch, 'patients.csv');
    writeFileSync(features, 'id,age,sex\np1,50,1\np2,80,1\n');
    const { status, stderr, json } = gliolens('predict', '--model', out, '--features', features, '--times', '365');
    assert.equal(status, 0, stderr);
    assert.equal(json.length, 2);
    assert.ok(json[0].survival_at[0].survival > json[1].survival_at[0].survival, 'older patient, lower survival');
    assert.ok(['low', 'high'].includes(json[0].risk_group));
  });

  test('a logistic model gives its probability with R\'s delta-method interval', async () => {
    // The WASM core fits R's glm on pbc, writes the model with the intercept's covariance, and `gliolens predict`
    // gives plogis(eta -/+ z se) as R's predict(glm, se.fit = TRUE) at each level (survival_reference.R).
    const core = await createGliolens();
    const report = core.fitLogistic(readFileSync(join(reference, 'data_pbc.csv'), 'utf8'),
      { outcome: 'event', covariates: ['age', 'log_bili', 'log_albumin', 'edema'] });
    assert.equal(report.model.intercept_covariance.length, 5);
    const modelFile = join(scratch, 'pbc_logistic.json');
    writeFileSync(modelFile, JSON.stringify(report.model));
    let worstDifference = 0;
    for (const row of readCsv(join(reference, 'logistic_pbc_prediction.csv'))) {
      const features = { age: row.age, log_bili: row.log_bili, log_albumin: row.log_albumin, edema: row.edema };
      const { status, stderr, json } = gliolens('predict', '--model', modelFile, '--features', JSON.stringify(features),
        '--confidence', String(row.level));
      assert.equal(status, 0, stderr);
      for (const [actual, expected] of [[json.probability, row.probability], [json.probability_lower, row.lower],
        [json.probability_upper, row.upper], [json.linear_predictor_se, row.se]]) {
        assert.ok(Math.abs(actual - expected) < 1e-8, `${actual} vs R ${expected} (level ${row.level})`);
        worstDifference = Math.max(worstDifference, Math.abs(actual - expected));
      }
    }
    console.log(`logistic prediction interval vs R: max absolute difference ${worstDifference.toExponential(2)}`);
  });

  test('growth velocity from volumes and dates', () => {
    const { status, json } = gliolens('growth', '--v1', '4', '--d1', '2020-01-01', '--v2', '32', '--d2', '2022-01-01');
    assert.equal(status, 0);
    assert.equal(json.days, 731);
    assert.ok(Math.abs(json.mean_diameter1_mm - 20) < 1e-9 && Math.abs(json.mean_diameter2_mm - 40) < 1e-9);
    assert.ok(Math.abs(json.velocity_mm_per_year - 20 / (731 / 365.25)) < 1e-9);
  });

  test('bad input: one line naming the file or column, non-zero exit', () => {
    const lung = join(reference, 'data_lung.csv');
    const missing = gliolens('cox', '--csv', join(scratch, 'nope.csv'), '--time', 'time', '--event', 'event');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /nope\.csv: cannot read the cohort table \(ENOENT\)/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    const column = gliolens('cox', '--csv', lung, '--time', 'time', '--event', 'status');
    assert.equal(column.status, 1);
    assert.match(column.stderr, /data_lung\.csv: .*no column 'status'/);
    const usage = gliolens('cox', '--csv', lung, '--time', 'time');
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /--event/);
    const badDate = gliolens('growth', '--v1', '4', '--d1', '2020-13-01', '--v2', '5', '--d2', '2021-01-01');
    assert.equal(badDate.status, 1);
    assert.match(badDate.stderr, /2020-13-01/);
    const model = gliolens('predict', '--model', lung, '--features', '{"age":1}');
    assert.equal(model.status, 1);
    assert.match(model.stderr, /data_lung\.csv: /);
  });
});

describe('the shipped models (models/survival) apply through gliolens predict', () => {
  const models = join(projectRoot, 'models', 'survival');
  const cases = [
    ['gbm_os.json', { age: 63, et_ml: 12, ncr_ml: 4, ed_ml: 60 }],
    ['lgg_os.json', { age: 40, idh_mutant: 1, codeleted: 0 }],
    ['lgg_pfs.json', { age: 40, idh_mutant: 1, codeleted: 0 }],
    ['lgg_idh_age.json', { age: 40 }],
    ['lgg_codeletion_age.json', { age: 40 }],
  ];
  for (const [file, features] of cases) {
    test(file, () => {
      const { status, stderr, json } = gliolens('predict', '--model', join(models, file), '--features', JSON.stringify(features), '--times', '365');
      assert.equal(status, 0, stderr);
      if (json.kind === 'logistic') {
        assert.ok(json.probability > 0 && json.probability < 1);
      } else {
        const s = json.survival_at[0];
        assert.ok(s.lower <= s.survival && s.survival <= s.upper && s.survival > 0 && s.survival < 1);
        assert.ok(['low', 'high'].includes(json.risk_group));
        const card = readFileSync(join(models, file.replace('.json', '.md')), 'utf8');
        assert.match(card, /Research use only/);
        assert.match(card, /held-out test \| \*\*0\.\d+\*\*/);
      }
    });
  }
  test('older GBM patient, higher risk', () => {
    const young = gliolens('predict', '--model', join(models, 'gbm_os.json'), '--features', '{"age":40,"et_ml":12,"ncr_ml":4,"ed_ml":60}').json;
    const old = gliolens('predict', '--model', join(models, 'gbm_os.json'), '--features', '{"age":80,"et_ml":12,"ncr_ml":4,"ed_ml":60}').json;
    assert.ok(old.linear_predictor > young.linear_predictor);
    assert.ok(old.median_survival < young.median_survival);
  });
});
