#!/usr/bin/env node
// Fits the radiogenomic models (models/radiogenomics/*.json + model cards *.md + cv_results.json) on the 137 TCGA
// expert masks in ../shared/data/radiogenomics with the WASM core: the descriptors of each mask (`gliolens
// descriptors`), age, and the clinical and molecular labels. Each outcome's procedures (age alone; age and the
// whole tumour's PyRadiomics shape features; age, sex and every descriptor) are judged by the same repeated,
// stratified 5 x 5 cross-validation, every choice made inside the training folds (cross_validation.mjs), then
// refitted on every patient to give the shipped model. The script skips (exit 0) when the shared data is absent.
//   node models/radiogenomics/fit_models.mjs [--descriptors TABLE.csv] [--only idh,grade,...]
// (without --descriptors the masks' descriptors are computed; --only refits some outcomes and leaves cv_results.json)
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { createGliolens } from '../../wasm/node.mjs';
import { radiogenomicCohort, readCsv } from './cohort.mjs';
import { correctedResampledT, crossValidate, discrimination, fitProcedure } from './cross_validation.mjs';
import { descriptorTable } from './descriptors_table.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const data = resolve(process.env.GLIOLENS_SHARED_DATA ?? join(here, '..', '..', '..', 'shared', 'data'));
const masks = join(data, 'radiogenomics', 'tcga', 'masks');
const REPEATS = 5;
const FOLDS = 5;
const SEED = 20261207;
const BOOTSTRAP = 500;
const REFERENCE_C = 0.74;  // Rauch et al. 2023, test cohort

const { values } = parseArgs({ options: { descriptors: { type: 'string' }, only: { type: 'string' } } });
const only = values.only ? new Set(values.only.split(',')) : null;
if (!existsSync(masks)) {
  console.log(`fit_models: SKIP: the shared masks are absent (${masks}); nothing fitted`);
  process.exit(0);
}

// --- inputs ----------------------------------------------------------------------------------------------
// Sizes (volume, area, lengths, surface-to-volume ratio) enter as logarithms: they span orders of magnitude and a
// linear term would let the largest tumours dominate. Dimensionless ratios enter as they are.
const log = (name) => ({ name, log: true });
const raw = (name) => ({ name, log: false });
const WT_SHAPE = [
  log('original_shape_MeshVolume'), log('original_shape_SurfaceArea'), log('original_shape_SurfaceVolumeRatio'),
  log('original_shape_Maximum3DDiameter'), log('original_shape_MajorAxisLength'), log('original_shape_MinorAxisLength'),
  log('original_shape_LeastAxisLength'), raw('original_shape_Sphericity'), raw('original_shape_Elongation'),
  raw('original_shape_Flatness'),
];
const DESCRIPTORS = [
  log('WT_original_shape_MeshVolume'), log('WT_original_shape_SurfaceVolumeRatio'), raw('WT_original_shape_Sphericity'),
  raw('WT_original_shape_Elongation'), raw('WT_original_shape_Flatness'),
  // NCR_over_TC is 1 - ET_over_TC and ED_over_WT is 1 - TC_over_WT (TC = ET + NCR, WT = TC + ED): one of each pair.
  raw('ET_over_TC'), raw('TC_over_WT'),
  raw('WT_multifocal'), raw('WT_largest_component_share'),
  raw('WT_hemisphere_left'), raw('WT_crosses_midline'), raw('WT_centroid_midline_distance_mm'),
  raw('WT_centroid_ventricles_distance_mm'), raw('WT_centroid_y_mm'), raw('WT_centroid_z_mm'),
];
const NON_IMAGING = new Set(['age', 'sex', 'idh_mutant', 'codeleted']);
const INPUT_TEXT = {
  age: 'age at diagnosis, years',
  sex: 'sex, 1 male / 0 female',
  idh_mutant: 'IDH mutation, 1 mutant / 0 wild-type (entered by the user)',
  codeleted: '1p/19q codeletion, 1 codeleted / 0 intact (entered by the user)',
};
const describe = (name) => INPUT_TEXT[name] ?? (name.startsWith('original_shape_')
  ? `PyRadiomics shape feature of the whole tumour (labels 1+2+4), as PyRadiomics names its column`
  : 'tumour descriptor from `gliolens descriptors` (docs: `gliolens descriptors --help`)');

// glmnet-style elastic net, half lasso, half ridge; lambda by 10-fold CV inside the training part, the largest
// lambda within one standard error of the best (fewer, more stable inputs); then a refit of the kept inputs.
const PENALTY = { penalty: 'elasticnet', alpha: 0.5, lambda_rule: '1se', cv: 10 };

const OUTCOMES = [
  {
    key: 'idh', title: 'IDH mutation', kind: 'logistic', outcome: 'idh_mutant', positive: 'IDH-mutant',
    filter: () => true, acceptance: 0.92,
    procedures: [
      { id: 'age', name: 'age alone', features: [raw('age')] },
      { id: 'idh_wt_shape_age', name: 'age + whole-tumour shape (PyRadiomics names)', features: [raw('age'), ...WT_SHAPE], penalty: PENALTY, ship: true },
      { id: 'idh_descriptors_age', name: 'age + sex + every descriptor', features: [raw('age'), raw('sex'), ...DESCRIPTORS], penalty: PENALTY, ship: true },
    ],
  },
  {
    key: 'grade', title: 'WHO grade 4 (vs 2-3)', kind: 'logistic', outcome: 'grade4', positive: 'grade 4',
    filter: () => true, acceptance: 0.90,
    procedures: [
      { id: 'age', name: 'age alone', features: [raw('age')] },
      { id: 'grade_wt_shape_age', name: 'age + whole-tumour shape (PyRadiomics names)', features: [raw('age'), ...WT_SHAPE], penalty: PENALTY, ship: true },
      { id: 'grade_descriptors_age', name: 'age + sex + every descriptor', features: [raw('age'), raw('sex'), ...DESCRIPTORS], penalty: PENALTY, ship: true },
    ],
  },
  {
    key: 'codeletion', title: '1p/19q codeletion among IDH-mutant lower-grade gliomas', kind: 'logistic', outcome: 'codeleted',
    positive: 'codeleted', filter: (r) => r.idh_mutant === 1,
    procedures: [
      { id: 'age', name: 'age alone', features: [raw('age')] },
      { id: 'codeletion_descriptors_age', name: 'age + sex + every descriptor', features: [raw('age'), raw('sex'), ...DESCRIPTORS], penalty: PENALTY, ship: true },
    ],
  },
  {
    key: 'mgmt', title: 'MGMT promoter methylation', kind: 'logistic', outcome: 'mgmt_methylated', positive: 'methylated',
    filter: () => true,
    procedures: [
      { id: 'age', name: 'age alone', features: [raw('age')] },
      { id: 'mgmt_descriptors_age', name: 'age + sex + every descriptor', features: [raw('age'), raw('sex'), ...DESCRIPTORS], penalty: PENALTY, ship: true },
    ],
  },
  {
    key: 'os', title: 'overall survival', kind: 'cox', time: 'os_days', event: 'os_event', filter: () => true, acceptance: REFERENCE_C,
    procedures: [
      { id: 'age', name: 'age alone', features: [raw('age')] },
      { id: 'os_wt_shape_age', name: 'age + whole-tumour shape (PyRadiomics names)', features: [raw('age'), ...WT_SHAPE], penalty: PENALTY, ship: true },
      { id: 'os_descriptors_age', name: 'age + sex + every descriptor', features: [raw('age'), raw('sex'), ...DESCRIPTORS], penalty: PENALTY, ship: true },
      { id: 'age_idh', name: 'age + IDH (molecular status known)', features: [raw('age'), raw('idh_mutant')] },
      { id: 'os_descriptors_age_idh', name: 'age + IDH + sex + every descriptor', features: [raw('age'), raw('idh_mutant'), raw('sex'), ...DESCRIPTORS], penalty: PENALTY, ship: true },
    ],
  },
  {
    key: 'pfs', title: 'progression-free survival of lower-grade gliomas', kind: 'cox', time: 'pfs_days', event: 'pfs_event',
    filter: () => true,
    procedures: [
      { id: 'age', name: 'age alone', features: [raw('age')] },
      { id: 'pfs_descriptors_age', name: 'age + sex + every descriptor', features: [raw('age'), raw('sex'), ...DESCRIPTORS], penalty: PENALTY },
      { id: 'age_idh_codeletion', name: 'age + IDH + 1p/19q (molecular status known)', features: [raw('age'), raw('idh_mutant'), raw('codeleted_or_wildtype')] },
    ],
  },
];

// --- run -------------------------------------------------------------------------------------------------
const core = await createGliolens();
const started = performance.now();
const table = values.descriptors ? readCsv(values.descriptors) : descriptorTable(core, masks).rows;
const cohort = radiogenomicCohort(table, data).map((r) => ({ ...r, codeleted_or_wildtype: r.idh_mutant === 0 ? 0 : r.codeleted }));
const fmt = (x, d = 3) => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : Number(x).toFixed(d));
const results = [];
const ships = [];

for (const outcome of OUTCOMES.filter((o) => !only || only.has(o.key))) {
  const columns = [...(outcome.kind === 'cox' ? [outcome.time, outcome.event] : [outcome.outcome]),
    ...new Set(outcome.procedures.flatMap((p) => p.features.map((f) => f.name)))];
  const eligible = cohort.filter(outcome.filter);
  const rows = eligible.filter((r) => columns.every((c) => Number.isFinite(r[c])));
  const specs = outcome.procedures.map((p) => ({ ...p, kind: outcome.kind, outcome: outcome.outcome, time: outcome.time, event: outcome.event }));
  const positives = rows.filter((r) => r[outcome.kind === 'cox' ? outcome.event : outcome.outcome] === 1).length;
  const cv = crossValidate(core, specs, rows, { repeats: REPEATS, folds: FOLDS, seed: SEED });
  const testShare = 1 / FOLDS;
  const baseline = cv[0];
  const procedures = cv.map((result) => {
    const fold = correctedResampledT(result.foldMetrics, testShare);
    const pooled = result.outOfFold.map((scores, repeat) => discrimination(core, result.spec, rows, scores,
      { bootstrap: repeat === 0 ? BOOTSTRAP : 0, seed: SEED }));
    const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
    const slopes = pooled.map((p) => p.slope).filter(Number.isFinite);
    const versusAge = result === baseline ? null : correctedResampledT(result.foldMetrics.map((m, k) => m - baseline.foldMetrics[k]), testShare);
    return {
      id: result.spec.id, name: result.spec.name, inputs: result.spec.features.map((f) => (f.log ? `log(${f.name})` : f.name)),
      penalty: result.spec.penalty ?? null,
      fold_mean: fold.mean, fold_lower: fold.lower, fold_upper: fold.upper,
      pooled_mean: mean(pooled.map((p) => p.estimate)), pooled_first_repeat: pooled[0],
      calibration_slope: slopes.length ? mean(slopes) : null,
      versus_age: versusAge && { difference: versusAge.mean, lower: versusAge.lower, upper: versusAge.upper, p: versusAge.p,
        better_folds: result.foldMetrics.filter((m, k) => m > baseline.foldMetrics[k]).length },
      kept: Object.fromEntries([...result.kept.entries()].sort((a, b) => b[1] - a[1]).map(([n, c]) => [n, c / (REPEATS * FOLDS)])),
      notes: result.notes,
      fold_metrics: result.foldMetrics,
    };
  });
  const entry = { key: outcome.key, title: outcome.title, kind: outcome.kind, metric: outcome.kind === 'cox' ? "Harrell's C" : 'AUC',
    subjects: rows.length, positives, dropped_incomplete: eligible.length - rows.length, acceptance: outcome.acceptance ?? null, procedures };
  results.push(entry);
  console.log(`${outcome.title}: n ${rows.length} (${outcome.kind === 'cox' ? 'events' : 'positive'} ${positives}), ${REPEATS}x${FOLDS} CV`);
  for (const p of procedures) {
    console.log(`  ${p.name}: ${entry.metric} ${fmt(p.fold_mean)} (${fmt(p.fold_lower)}-${fmt(p.fold_upper)}), pooled ${fmt(p.pooled_mean)}, slope ${fmt(p.calibration_slope, 2)}` +
      (p.versus_age ? `; vs age ${p.versus_age.difference >= 0 ? '+' : ''}${fmt(p.versus_age.difference)} (${fmt(p.versus_age.lower)} to ${fmt(p.versus_age.upper)}, p ${fmt(p.versus_age.p, 4)}, better in ${p.versus_age.better_folds}/${REPEATS * FOLDS})` : ''));
  }
  for (const [k, spec] of specs.entries()) if (spec.ship) ships.push({ outcome: entry, spec, cv: procedures[k], age: procedures[0], rows });
}

// --- the shipped models: the same procedure on every patient ---------------------------------------------
for (const { outcome, spec, cv, age, rows } of ships) {
  const { model, selected, note } = fitProcedure(core, spec, rows, 1);
  if (model === null) {
    console.log(`${spec.id}: not shipped: the procedure kept no input on the whole cohort`);
    continue;
  }
  const metricName = outcome.kind === 'cox' ? 'c_index' : 'auc';
  const imaging = selected.some((name) => !NON_IMAGING.has(name));
  model.name = `${outcome.title[0].toUpperCase()}${outcome.title.slice(1)} (${imaging ? spec.name : `${selected.join(' + ')} alone: no candidate image feature kept`})`;
  model.description = `${outcome.kind === 'cox' ? 'Cox proportional-hazards model (Efron ties)' : 'Logistic regression'} of ${outcome.title} from ${spec.name}: ` +
    `elastic net (alpha 0.5, lambda by 10-fold CV, 1-SE rule) then a refit of the ${selected.length} kept inputs. Research use only.`;
  model.outcome = outcome.kind === 'cox' ? outcome.title : `${outcome.title}${outcome.kind === 'logistic' ? ` (1 = ${OUTCOMES.find((o) => o.key === outcome.key).positive})` : ''}`;
  model.cohort.source = 'TCGA-GBM/LGG expert masks (Bakas et al. 2017) with clinical labels, ../shared/data/radiogenomics';
  if (outcome.kind === 'cox') model.cohort.time_unit = 'days';
  const cvNote = `repeated stratified ${REPEATS} x ${FOLDS} cross-validation of the whole procedure; mean of the ${REPEATS * FOLDS} held-out folds, corrected resampled t interval`;
  model.metrics = [
    { name: `${metricName}_cv`, estimate: cv.fold_mean, lower: cv.fold_lower, upper: cv.fold_upper, note: cvNote },
    { name: `${metricName}_cv_age_only`, estimate: age.fold_mean, lower: age.fold_lower, upper: age.fold_upper, note: `age alone on the same folds` },
    ...(Number.isFinite(cv.calibration_slope) ? [{ name: 'calibration_slope_cv', estimate: cv.calibration_slope,
      note: 'slope of the outcome on the out-of-fold linear predictor, mean of the repeats: 1 ideal, below 1 predictions too extreme' }] : []),
    ...model.metrics.filter((m) => m.name.endsWith('_train')),
  ];
  if (note) model.warnings.push(note);
  writeFileSync(join(here, `${spec.id}.json`), JSON.stringify(model, null, 2) + '\n');
  writeFileSync(join(here, `${spec.id}.md`), card(spec, outcome, model, cv, age));
  console.log(`${spec.id}: ${selected.length} inputs (${selected.join(', ')})`);
}

if (!only) writeFileSync(join(here, 'README.md'), readme(results));
if (!only) writeFileSync(join(here, 'cv_results.json'), JSON.stringify({ repeats: REPEATS, folds: FOLDS, seed: SEED, penalty: PENALTY, outcomes: results }, null, 2) + '\n');
console.log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);

function card(spec, outcome, model, cv, age) {
  const unit = outcome.metric;
  const lines = [
    `# ${model.name}`, '',
    '**Research use only. Not a medical device; not for clinical decisions.**', '',
    model.description, '',
    ...(model.features.every((f) => NON_IMAGING.has(f.name))
      ? [`**The procedure kept no imaging input on the whole cohort: this model is ${model.features.map((f) => f.name).join(' + ')} alone.** ` +
         'It is shipped as the procedure gave it (not tuned until an image feature survived); the cross-validation below shows what the ' +
         'candidate image features added. In this cohort the signal lies in the compartments (how much of the core enhances or is ' +
         'necrotic), which a whole-tumour mask cannot see: see the `*_descriptors_*` models.', '']
      : []),
    ...(cv.calibration_slope < 0.5
      ? [`**Poorly calibrated in cross-validation (slope ${fmt(cv.calibration_slope, 2)}): its ${outcome.kind === 'cox' ? 'risks' : 'probabilities'} are far too extreme; ` +
         'read it as a ranking of patients, not as a probability.** Few patients carry the outcome, and the elastic net kept many inputs.', '']
      : []),
    '## Cohort',
    `- ${outcome.subjects} TCGA patients with an expert-corrected tumour mask in SRI24 space (Bakas et al. 2017, Sci Data 4:170117; of all ${cohort.length} masks, ${cohort.filter((r) => r.grade4 === 1).length} glioblastomas) and the label; ${outcome.kind === 'cox' ? 'events' : 'positives'} ${outcome.positives}; ${outcome.dropped_incomplete} dropped for a missing input or label.`,
    `- Labels: radiogenomics/tcga/clinical.csv${outcome.key === 'codeletion' || outcome.key === 'pfs' ? ' and tables/tcga_lgg/clinical_info.csv (1p/19q, progression)' : ''}.`,
    '',
    '## Inputs (as the model reads them)',
    ...model.features.map((f) => `- \`${f.name}\`${f.transform === 'log' ? ' (the model takes its logarithm)' : ''}: ${describe(f.name)}; training range ${fmt(f.cohort_min, 3)} to ${fmt(f.cohort_max, 3)}${f.transform === 'log' ? ' (log)' : ''}`),
    '',
    `## Coefficients (refit on every patient; per unit of the input as the model reads it${model.features.some((f) => f.transform === 'log') ? ', its logarithm where marked' : ''})`,
    `| input | coefficient | ${outcome.kind === 'cox' ? 'hazard ratio' : 'odds ratio'} | 95 % CI |`,
    '|---|---|---|---|',
    ...model.features.map((f, j) => {
      const coef = model.coefficients[j] / f.scale;
      const se = Math.sqrt(Math.max(0, model.covariance?.[j]?.[j] ?? 0)) / f.scale;
      const z = 1.959963984540054;
      return `| ${f.transform === 'log' ? `log ${f.name}` : f.name} | ${fmt(coef, 4)} | ${fmt(Math.exp(coef), 4)} | ${se > 0 ? `${fmt(Math.exp(coef - z * se), 4)} to ${fmt(Math.exp(coef + z * se), 4)}` : 'n/a'} |`;
    }),
    '',
    `Candidates the elastic net chose from: ${spec.features.map((f) => `\`${f.log ? `log ${f.name}` : f.name}\``).join(', ')}. ` +
      `How often each was kept across the ${REPEATS * FOLDS} training folds: ${Object.entries(cv.kept).map(([n, share]) => `${n} ${Math.round(share * 100)} %`).join(', ') || 'none'}.`,
    '',
    '## Validation (cross-validated on the shared cohort)',
    `| procedure | ${unit} (mean of ${REPEATS * FOLDS} folds) | 95 % CI | pooled out-of-fold ${unit} | calibration slope |`,
    '|---|---|---|---|---|',
    `| this model's procedure | **${fmt(cv.fold_mean)}** | ${fmt(cv.fold_lower)} to ${fmt(cv.fold_upper)} | ${fmt(cv.pooled_mean)} | ${fmt(cv.calibration_slope, 2)} |`,
    `| age alone, same folds | ${fmt(age.fold_mean)} | ${fmt(age.fold_lower)} to ${fmt(age.fold_upper)} | ${fmt(age.pooled_mean)} | ${fmt(age.calibration_slope, 2)} |`,
    '',
    `Paired over the folds, this model minus age alone: ${cv.versus_age.difference >= 0 ? '+' : ''}${fmt(cv.versus_age.difference)} ` +
      `(95 % CI ${fmt(cv.versus_age.lower)} to ${fmt(cv.versus_age.upper)}, corrected resampled t-test p = ${fmt(cv.versus_age.p, 4)}; better in ${cv.versus_age.better_folds} of ${REPEATS * FOLDS} folds).` +
      (outcome.acceptance ? ` Target set by the issue: ${unit} >= ${outcome.acceptance}.` : ''),
    '',
    `The pooled out-of-fold ${unit} of the first repeat: ${fmt(cv.pooled_first_repeat.estimate)} (95 % CI ${fmt(cv.pooled_first_repeat.lower)} to ${fmt(cv.pooled_first_repeat.upper)}, ${outcome.kind === 'cox' ? `bootstrap ${BOOTSTRAP}` : 'DeLong'}). ` +
      `The calibration slope is the coefficient of the out-of-fold linear predictor refitted on the outcome (1 ideal; below 1 the predictions are too extreme), mean of the ${REPEATS} repeats.`,
    '',
    '## What to expect on patients it never saw',
    `- Patients like these (TCGA, expert masks): about the cross-validated ${unit}, ${fmt(cv.fold_mean)} (${fmt(cv.fold_lower)} to ${fmt(cv.fold_upper)}): the cross-validation repeated the whole procedure, selection included, so it is not the optimistic training figure.`,
    `- Another hospital: lower. Its scanners, segmentations (automatic or drawn by other hands) and case mix differ; how much the ${unit} falls depends most on the case mix, since age alone already gives ${fmt(age.fold_mean)} here and a cohort of only glioblastomas or only lower-grade gliomas leaves age and size far less to separate.` +
      (cv.versus_age.difference <= 0.01 ? ` This procedure added nothing over age in the cross-validation (${cv.versus_age.difference >= 0 ? '+' : ''}${fmt(cv.versus_age.difference)}), so expect about what age alone gives there.` : ''),
    '',
    '## Limits',
    '- One cohort, one public source: no external validation here.',
    spec.features.some((f) => f.name.startsWith('original_shape_'))
      ? '- Inputs are PyRadiomics shape features of the whole tumour (labels 1+2+4) in mm (any voxel size); `gliolens predict --model this.json --features pyradiomics.csv` reads PyRadiomics\' own columns plus an `age` column. Masks drawn differently from BraTS (e.g. without oedema) describe another region and will not transfer.'
      : '- Inputs come from `gliolens descriptors` on a BraTS-labelled segmentation in SRI24 space (location descriptors need that space); proportions need the three sub-regions.',
    '- Trained on expert masks; the app applies it to the network\'s segmentation, whose errors add to the model\'s.',
    '',
    '## Files',
    `- \`${spec.id}.json\`: the model (gliolens-model, version 1), for \`gliolens predict\` and the app.`,
    '- Fitted by `node models/radiogenomics/fit_models.mjs` (WASM core); every number above is in `cv_results.json`.',
  ];
  return lines.join('\n') + '\n';
}

function readme(outcomes) {
  const lines = [
    '# Radiogenomic models: what the tumour\'s segmentation predicts',
    '',
    '**Research use only. Not a medical device; not for clinical decisions.**',
    '',
    'Fitted by `node models/radiogenomics/fit_models.mjs` (the WASM core\'s elastic net, logistic and Cox fits) on the',
    `${cohort.length} TCGA expert tumour masks in ../shared/data/radiogenomics (BraTS labels in SRI24 space) with their clinical and`,
    'molecular labels. Inputs: age, sex and the descriptors of the mask (`gliolens descriptors`: every region\'s PyRadiomics',
    'shape features, compartment proportions, multifocality, location). Each outcome\'s procedures are judged on the same',
    `repeated stratified ${REPEATS} x ${FOLDS} cross-validation, every choice (inputs kept by the elastic net, its lambda by an inner`,
    '10-fold CV with the 1-SE rule, the refit) made inside the training folds; the shipped model is the same procedure on',
    'every patient. Mean of the held-out folds\' AUC or Harrell\'s C with the corrected resampled t interval (Nadeau &',
    'Bengio 2003); "vs age" is the paired difference from age alone on the same folds. Every number is in `cv_results.json`.',
    '',
    'The `*_wt_shape_age` models read PyRadiomics\' own column names (`original_shape_<Feature>` of the whole tumour, and',
    '`age`), so `gliolens predict --model M.json --features pyradiomics.csv` runs them on any PyRadiomics table with an age',
    'column. The `*_descriptors_*` models read `gliolens descriptors` and drive the app\'s predictions.',
    '',
    '| outcome | n (positive/events) | procedure | model file | CV AUC / C | 95 % CI | vs age | p | better folds |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const o of outcomes) {
    for (const p of o.procedures) {
      const file = OUTCOMES.find((x) => x.key === o.key).procedures.find((x) => x.id === p.id)?.ship ? `\`${p.id}.json\`` : '';
      lines.push(`| ${o.title} | ${o.subjects} (${o.positives}) | ${p.name} | ${file} | ${fmt(p.fold_mean)} | ${fmt(p.fold_lower)} to ${fmt(p.fold_upper)} | ` +
        (p.versus_age ? `${p.versus_age.difference >= 0 ? '+' : ''}${fmt(p.versus_age.difference)} | ${fmt(p.versus_age.p, 3)} | ${p.versus_age.better_folds}/${REPEATS * FOLDS}` : '| |') + ' |');
    }
  }
  lines.push('', 'Targets the issue set (IDH AUC >= 0.92, grade AUC >= 0.90, OS C >= 0.74, each better than age alone) are',
    'compared in the model cards; the numbers above are what the fixed procedure gave, not tuned towards them.', '');
  return lines.join('\n');
}
