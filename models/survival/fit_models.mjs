#!/usr/bin/env node
// Fits the shipped survival models and classifiers (models/survival/*.json + model cards *.md) on the
// real tables in ../shared/data/tables with the WASM core, as `gliolens cox` does. Only inputs our
// pipeline gives for a new patient are used: age, sub-region volumes from the segmentation, and
// molecular status when the user enters it. Each model is fitted on a seeded 70 % training split and
// judged on the held-out 30 % (C-index or AUC with a bootstrap/DeLong 95 % CI).
//   node models/survival/fit_models.mjs            (GLIOLENS_WASM_DIR selects the WASM build)
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { csvTable } from '../../cli/csv.mjs';
import { createGliolens } from '../../wasm/node.mjs';
import { seededRandom } from '../common/seeded_random.mjs';
import { numberOrNaN as num } from '../common/table_values.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const tables = resolve(process.env.GLIOLENS_SHARED_DATA ?? join(here, '..', '..', '..', 'shared', 'data'), 'tables');
const REFERENCE_C = 0.74;  // the reference study's reported C-index
const BOOTSTRAP = 1000;

if (!existsSync(tables)) {
  console.log(`fit_models: SKIP: the shared tables are absent (${tables}); nothing fitted`);
  process.exit(0);
}

const readTable = (path) => csvTable(readFileSync(path, 'utf8')).rows;
const toCsv = (rows, columns) => [columns.join(','), ...rows.map((r) => columns.map((c) => r[c] ?? '').join(','))].join('\n') + '\n';

// A seeded 70/30 split, stratified by `stratum` (the event or the class) so both parts keep its rate.
function split(rows, stratum, seed = 20261128) {
  const random = seededRandom(seed);
  for (const value of new Set(rows.map(stratum))) {
    const group = rows.filter((r) => stratum(r) === value).map((r) => [random(), r]).sort((a, b) => a[0] - b[0]);
    group.forEach(([, r], k) => { r.part = k < Math.round(group.length * 0.7) ? 'train' : 'test'; });
  }
  return rows;
}

const fmt = (x, d = 3) => (x === null || x === undefined ? 'n/a' : Number(x).toFixed(d));

function card(name, spec, report, extra) {
  const m = report.model;
  const metric = (k) => m.metrics.find((x) => x.name === k);
  const lines = [
    `# ${m.name}`,
    '',
    `**Research use only. Not a medical device; not for clinical decisions.**`,
    '',
    m.description,
    '',
    '## Cohort',
    `- Source: ${spec.source}`,
    `- Outcome: ${m.outcome}; time unit: ${m.cohort.time_unit || 'n/a'}`,
    `- Training subjects ${m.cohort.subjects}, ${m.kind === 'cox' ? 'events' : 'positives'} ${m.cohort.events}; held-out test subjects ${extra.testSubjects}` +
      (extra.testEvents !== undefined ? `, ${m.kind === 'cox' ? 'events' : 'positives'} ${extra.testEvents}` : ''),
    `- Split: seeded random 70 % / 30 %, stratified by ${m.kind === 'cox' ? 'the event indicator' : 'the class'}; ${extra.dropped} rows without every input dropped`,
    spec.caveat ? `- Caveat: ${spec.caveat}` : null,
    '',
    '## Inputs',
    ...m.features.map((f) => `- \`${f.name}\`: ${spec.inputs[f.name] ?? ''} (training range ${fmt(f.cohort_min, 2)} to ${fmt(f.cohort_max, 2)}, mean ${fmt(f.cohort_mean, 2)})`),
    '',
    '## Coefficients (training set)',
    m.kind === 'cox' ? '| input | log HR | HR | 95 % CI | p |' : '| input | log OR | OR | 95 % CI | p |',
    '|---|---|---|---|---|',
    ...report.coefficients.map((c) => (m.kind === 'cox'
      ? `| ${c.name} | ${fmt(c.coef, 4)} | ${fmt(c.hr, 4)} | ${fmt(c.hr_lower, 4)} to ${fmt(c.hr_upper, 4)} | ${fmt(c.p, 4)} |`
      : `| ${c.name} | ${fmt(c.coef, 4)} | ${fmt(c.or, 4)} | ${fmt(c.or_lower, 4)} to ${fmt(c.or_upper, 4)} | ${fmt(c.p, 4)} |`)),
    '',
    '## Validation',
  ];
  if (m.kind === 'cox') {
    const test = metric('c_index_test');
    const train = metric('c_index_train');
    lines.push(
      `| | Harrell's C | 95 % CI (bootstrap ${BOOTSTRAP}) |`, '|---|---|---|',
      `| held-out test | **${fmt(test.estimate)}** | ${fmt(test.lower)} to ${fmt(test.upper)} |`,
      `| training (optimistic) | ${fmt(train.estimate)} | ${fmt(train.lower)} to ${fmt(train.upper)} |`,
      `| reference study (radiomics, reported) | ${REFERENCE_C} | |`,
      '',
      `Uno's C on the test set: ${fmt(report.concordance.test.uno)}. Risk groups (median of the training risk score): ` +
        `log-rank on the test set chi-square ${fmt(report.risk_groups.log_rank?.chi_square, 2)}, p = ${fmt(report.risk_groups.log_rank?.p, 4)}; ` +
        report.risk_groups.curves.map((c) => `${c.group} risk median ${fmt(c.median, 0)} ${m.cohort.time_unit}`).join(', ') + '.',
      '',
      `### Calibration at ${report.calibration.time} ${m.cohort.time_unit} (test set, quartiles of predicted survival)`,
      '| group | subjects | predicted S(t) | observed KM S(t) | 95 % CI |', '|---|---|---|---|---|',
      ...report.calibration.groups.map((g, k) => `| ${k + 1}${k === 0 ? ' (highest risk)' : k === report.calibration.groups.length - 1 ? ' (lowest risk)' : ''} | ${g.subjects} | ${fmt(g.predicted)} | ${fmt(g.observed)} | ${fmt(g.observed_lower)} to ${fmt(g.observed_upper)} |`),
      '', `Mean absolute difference (weighted by group size): ${fmt(report.calibration.mean_absolute_difference)}.`);
  } else {
    const test = metric('auc_test');
    const train = metric('auc_train');
    lines.push('| | AUC | 95 % CI (DeLong) |', '|---|---|---|',
      `| held-out test | **${fmt(test.estimate)}** | ${fmt(test.lower)} to ${fmt(test.upper)} |`,
      `| training (optimistic) | ${fmt(train.estimate)} | ${fmt(train.lower)} to ${fmt(train.upper)} |`);
  }
  lines.push('', '## Files', `- \`${name}.json\`: the model (gliolens-model format, version 1), applied by \`gliolens predict\` and the app's survival panel.`,
    `- Fitted by \`models/survival/fit_models.mjs\` (WASM core) on ${new Date().toISOString().slice(0, 10)}.`);
  return lines.filter((l) => l !== null).join('\n') + '\n';
}

const core = await createGliolens();
const summary = [];

function ship(name, spec, rows, columns) {
  const csv = toCsv(rows, columns);
  // Bootstrap intervals are the Cox C-index's; the classifiers' AUC intervals are DeLong's (the logistic
  // workflow refuses a bootstrap option).
  const options = { ...spec.options, split: 'part', seed: 1, ...(spec.kind === 'cox' ? { bootstrap: BOOTSTRAP } : {}),
    name: spec.title, description: spec.description, source: spec.source };
  const report = spec.kind === 'logistic' ? core.fitLogistic(csv, options, { source: name }) : core.fit(csv, options, { source: name });
  writeFileSync(join(here, `${name}.json`), JSON.stringify(report.model, null, 2) + '\n');
  const test = rows.filter((r) => r.part === 'test');
  const extra = spec.kind === 'logistic'
    ? { testSubjects: report.data.test, testEvents: report.data.test_positive, dropped: report.data.dropped_rows }
    : { testSubjects: report.data.test.subjects, testEvents: report.data.test.events, dropped: report.data.dropped_rows };
  writeFileSync(join(here, `${name}.md`), card(name, spec, report, extra));
  const metric = report.model.metrics.find((m) => m.name === (spec.kind === 'logistic' ? 'auc_test' : 'c_index_test'));
  summary.push({ model: name, metric: metric.name, estimate: metric.estimate, lower: metric.lower, upper: metric.upper, test_subjects: extra.testSubjects ?? test.length });
}

// --- glioblastoma overall survival (UPENN-GBM): age + ET/NCR/ED volumes from the segmentation --------
{
  const clinical = readTable(join(tables, 'upenn_gbm', 'clinical_info_v1.0.csv'));
  const volume = (region) => Object.fromEntries(readTable(join(tables, 'upenn_gbm', `captk_segm_T1GD_${region}.csv`))
    .map((r) => [r.SubjectID, num(r[`T1GD_${region}_Volumetric_Volume`]) / 1000]));  // mm^3 -> mL
  const et = volume('ET');
  const nc = volume('NC');
  const ed = volume('ED');
  const rows = clinical.filter((r) => r.ID.endsWith('_11') && r.ID in et && Number.isFinite(num(r.Survival_from_surgery_days)))
    .map((r) => ({ time: num(r.Survival_from_surgery_days), event: 1, age: num(r.Age_at_scan_years), et_ml: et[r.ID], ncr_ml: nc[r.ID], ed_ml: ed[r.ID] }))
    .filter((r) => [r.age, r.et_ml, r.ncr_ml, r.ed_ml].every(Number.isFinite));
  split(rows, () => 1);
  ship('gbm_os', {
    kind: 'cox', title: 'Glioblastoma overall survival (age + sub-region volumes)',
    description: 'Cox proportional-hazards model (Efron ties) of overall survival from surgery for IDH-wildtype-dominated glioblastoma, from age and the enhancing tumour, necrotic core and oedema volumes of the pre-operative segmentation.',
    source: 'UPENN-GBM v1.0 (TCIA, CC BY 4.0; Bakas et al. 2022): clinical_info_v1.0.csv baseline scans (_11) joined with captk_segm_T1GD_{ET,NC,ED}.csv volumes',
    caveat: 'the table gives survival only for patients with a known death (no censoring), so the model describes survival among patients who died during follow-up and is biased towards shorter survival; volumes come from the manually approved CaPTk segmentations, ours from the automatic segmentation.',
    inputs: { age: 'age at scan, years', et_ml: 'enhancing tumour volume (BraTS label 4), mL', ncr_ml: 'necrotic core volume (label 1), mL', ed_ml: 'peritumoural oedema volume (label 2), mL' },
    options: { time: 'time', event: 'event', covariates: ['age', 'et_ml', 'ncr_ml', 'ed_ml'], calibration_time: 365, time_unit: 'days', outcome: 'overall survival', auc_times: [365] },
  }, rows, ['time', 'event', 'age', 'et_ml', 'ncr_ml', 'ed_ml', 'part']);
}

// --- lower-grade glioma OS and PFS (TCGA-LGG): age + IDH + 1p/19q entered by the user --------------
{
  const clinical = readTable(join(tables, 'tcga_lgg', 'clinical_info.csv'));
  const base = clinical.map((r) => ({
    os_time: num(r.daystolastordeath), os_event: num(r.death01), pfs_time: num(r.ProgFreeSurvTime_days), pfs_event: num(r.ProgFreeSurvEvent01),
    age: num(r.age_at_initial_pathologic), idh_mutant: num(r.IDH1), codeleted: num(r['1p_19q_co_del_status']),
  }));
  const inputs = { age: 'age at diagnosis, years', idh_mutant: 'IDH1/2 mutation (1 mutant, 0 wildtype), entered by the user', codeleted: '1p/19q codeletion (1 codeleted, 0 intact), entered by the user' };
  for (const [name, outcome, time, event, t] of [['lgg_os', 'overall survival', 'os_time', 'os_event', 1825], ['lgg_pfs', 'progression-free survival', 'pfs_time', 'pfs_event', 1095]]) {
    const rows = base.filter((r) => [r[time], r[event], r.age, r.idh_mutant, r.codeleted].every(Number.isFinite)).map((r) => ({ ...r }));
    split(rows, (r) => r[event]);
    ship(name, {
      kind: 'cox', title: `Lower-grade glioma ${outcome} (age + IDH + 1p/19q)`,
      description: `Cox proportional-hazards model (Efron ties) of ${outcome} for WHO grade II-III glioma from age and the molecular status the user enters.`,
      source: 'TCGA-LGG clinical table of Zhou, Vallieres et al. 2017 (Neuro-Oncology), tables/tcga_lgg/clinical_info.csv',
      caveat: 'no imaging input: the table holds no volumes our pipeline can reproduce (its VASARI features are radiologist-scored); few events, so the CIs are wide.',
      inputs, options: { time, event, covariates: ['age', 'idh_mutant', 'codeleted'], calibration_time: t, time_unit: 'days', outcome, auc_times: [t] },
    }, rows, [time, event, 'age', 'idh_mutant', 'codeleted', 'part']);
  }
  // Classifiers: the only pipeline input these tables hold for lower-grade glioma is age.
  for (const [name, outcome, column, filter] of [['lgg_idh_age', 'IDH mutation', 'idh_mutant', () => true], ['lgg_codeletion_age', '1p/19q codeletion (among IDH-mutant)', 'codeleted', (r) => r.idh_mutant === 1]]) {
    const rows = base.filter((r) => Number.isFinite(r[column]) && Number.isFinite(r.age) && filter(r)).map((r) => ({ ...r }));
    split(rows, (r) => r[column]);
    ship(name, {
      kind: 'logistic', title: `Lower-grade glioma ${outcome} probability from age`,
      description: `Logistic regression of ${outcome} on age at diagnosis. A weak baseline: the tables hold no imaging features our pipeline reproduces for these patients.`,
      source: 'TCGA-LGG clinical table of Zhou, Vallieres et al. 2017, tables/tcga_lgg/clinical_info.csv',
      caveat: 'age only; an imaging classifier needs a cohort with segmentations and molecular labels, which the shared tables do not provide (UPENN-GBM has 1 IDH-mutant among the 231 segmented patients).',
      inputs: { age: 'age at diagnosis, years' },
      options: { outcome: column, covariates: ['age'] },
    }, rows, [column, 'age', 'part']);
  }
}

writeFileSync(join(here, 'summary.json'), JSON.stringify({ reference_c_index: REFERENCE_C, bootstrap: BOOTSTRAP, models: summary }, null, 2) + '\n');
for (const s of summary) console.log(`${s.model}: ${s.metric} ${fmt(s.estimate)} (95% CI ${fmt(s.lower)}-${fmt(s.upper)}, n test ${s.test_subjects}); reference C ${REFERENCE_C}`);
